//! `plan -generate-config-out=FILE`: for every `import` block whose target no `resource`
//! block declares, the object is read through its provider and a `resource` block with its
//! arguments is written to FILE (a new file: an existing one is never overwritten), so the
//! plan that follows, with FILE loaded, plans the import like any other.

use super::{RunContext, Session};
use crate::addr::{AbsInstance, InstanceKey};
use crate::config::generate::{resource_block, FILE_HEADER};
use crate::config::loader::CONFIG_SUFFIX;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{Engine, WalkMode};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What was written.
#[derive(Debug, Clone)]
pub struct Generated {
    pub path: PathBuf,
    /// The addresses whose `resource` blocks are in the file.
    pub addresses: Vec<AbsInstance>,
}

/// Writes the `resource` blocks of the undeclared import targets to `out`; `None` when
/// every target is declared (nothing is written then).
pub async fn generate_config(
    ctx: &RunContext,
    session: &Session,
    out: &Path,
) -> Result<Option<Generated>, Diagnostics> {
    check_new_file(out)?;
    let undeclared: Vec<&crate::config::Import> = ctx
        .config
        .root
        .module
        .imports
        .values()
        .filter(|i| !crate::engine::import::is_declared(&ctx.config, &i.to))
        .collect();
    let mut diags = Diagnostics::new();
    for i in &undeclared {
        if !i.to.module.is_root() || i.to.key != InstanceKey::None {
            diags.push(
                Diagnostic::error(
                    "Cannot generate configuration",
                    format!("skyform can generate configuration only for a resource of the root module without count or for_each; {} is not one. Declare its resource block yourself.", i.to),
                )
                .with_span(i.to_span.clone()),
            );
        }
    }
    diags.into_result()?;
    if undeclared.is_empty() {
        return Ok(None);
    }
    let engine = reading_engine(ctx, session)?;
    engine.walk().await?;
    let mut text = FILE_HEADER.to_string();
    let mut addresses = Vec::new();
    for i in undeclared {
        let id = engine.import_id(i)?;
        let provider_ref = i.provider_or(None);
        let provider = engine.configured_provider(&provider_ref).await?;
        let Some(schema) = provider.resource_schema(&i.to.resource.type_name).cloned() else {
            return Err(Diagnostic::error(
                "Invalid resource type",
                format!(
                    "The provider {provider_ref} has no resource type {:?}.",
                    i.to.resource.type_name
                ),
            )
            .with_span(i.to_span.clone())
            .into());
        };
        let value = engine.read_import(&provider, i, &id).await?;
        text.push('\n');
        text.push_str(&resource_block(
            &i.to,
            &id,
            i.provider.as_ref(),
            &schema,
            &value,
        ));
        addresses.push(i.to.clone());
    }
    write_new_file(out, &text)?;
    Ok(Some(Generated {
        path: out.to_path_buf(),
        addresses,
    }))
}

/// An engine that evaluates the configuration (variables, locals, state) without planning,
/// so provider blocks can be configured and import ids evaluated.
pub(super) fn reading_engine(
    ctx: &RunContext,
    session: &Session,
) -> Result<Arc<Engine>, Diagnostics> {
    let graph = crate::graph::build(&ctx.config)?;
    Ok(Arc::new(
        Engine::new(
            ctx.config.clone(),
            graph,
            WalkMode::Eval,
            ctx.options.clone(),
            ctx.inputs.clone(),
            session.prior(&ctx.registry)?,
            ctx.registry.clone(),
        )
        .with_events(None)
        .with_embedded(ctx.embedded.clone())
        .with_cancel(ctx.cancel.clone()),
    ))
}

/// Generated configuration goes into a new `*.sky.hcl` file (so later runs load it), never
/// over an existing one, as Terraform refuses to.
pub fn check_new_file(out: &Path) -> Result<(), Diagnostics> {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if !name.ends_with(CONFIG_SUFFIX) {
        return Err(Diagnostic::error(
            "Invalid generated file name",
            format!("{} does not end in {CONFIG_SUFFIX}, so later runs would not load it. Choose a name such as generated{CONFIG_SUFFIX}.", out.display()),
        )
        .into());
    }
    if out.symlink_metadata().is_ok() {
        return Err(existing(out));
    }
    Ok(())
}

fn existing(out: &Path) -> Diagnostics {
    Diagnostic::error(
        "Target generated file already exists",
        format!("{} already exists. skyform can only write generated config into a new file. Either choose a different target location or move all existing configuration out of the target file, delete it and try again.", out.display()),
    )
    .into()
}

/// Formats `text` with the HCL formatter and writes it to `out`, which must not exist
/// (created exclusively, so a file appearing meanwhile is not overwritten either).
pub fn write_new_file(out: &Path, text: &str) -> Result<(), Diagnostics> {
    let name = out.display().to_string();
    let formatted = crate::hcl::fmt::format_source(text, &name)?;
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(existing(out)),
        Err(e) => {
            return Err(Diagnostic::error(
                "Failed to write generated configuration",
                format!("Could not create {name}: {e}."),
            )
            .into())
        }
    };
    file.write_all(formatted.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Failed to write generated configuration",
                format!("Could not write {name}: {e}."),
            ))
        })
}
