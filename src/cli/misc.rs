//! `init`, `validate`, `graph`, `providers schema` (its document: `schema_json`),
//! `force-unlock` and `version` (`sim` is in `sim.rs`).

use super::args::{ForceUnlockArgs, ValidateArgs};
use super::ui::Ui;
use super::workspace::backend;
use super::{EXIT_ERROR, EXIT_OK};
use crate::addr::Mode;
use crate::diag::{Diagnostic, Diagnostics, Severity, Sources};
use serde_json::{json, Value as J};
use std::io::BufRead;
use std::path::Path;

/// Static checks: configuration structure, references, cycles, provider schemas.
fn check(dir: &Path) -> (Diagnostics, Sources) {
    let mut sources = Sources::default();
    let config = match crate::config::load(dir, &mut sources) {
        Ok(c) => c,
        Err(d) => return (d, sources),
    };
    let mut diags = Diagnostics::new();
    let graph = match crate::graph::build(&config) {
        Ok(g) => Some(g),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    let types: std::collections::BTreeMap<String, _> = crate::providers::builtin_registry()
        .iter()
        .map(|p| (p.name().to_string(), p.clone()))
        .collect();
    for p in &config.root.module.providers {
        match types.get(&p.name) {
            Some(t) => crate::engine::decode::check_body(
                &p.body,
                &t.schema().provider,
                &p.span,
                &mut diags,
            ),
            None => diags.push(
                Diagnostic::error(
                    "Unknown provider",
                    format!(
                        "skyform has no provider named {:?}. The available providers are: {}.",
                        p.name,
                        types.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_span(p.span.clone()),
            ),
        }
    }
    for mn in config.root.all() {
        for r in mn.module.resources.values() {
            let Some(t) = types.get(&r.provider.name) else {
                diags.push(
                    Diagnostic::error("Unknown provider", format!("The resource type {:?} belongs to provider {:?}, which skyform does not have.", r.addr.type_name, r.provider.name))
                        .with_span(r.decl_span.clone()),
                );
                continue;
            };
            let (map, what) = match r.addr.mode {
                Mode::Managed => (&t.schema().resources, "resource"),
                Mode::Data => (&t.schema().data_sources, "data source"),
            };
            match map.get(&r.addr.type_name) {
                Some(schema) => {
                    crate::engine::decode::check_body(&r.body, schema, &r.decl_span, &mut diags)
                }
                None => {
                    let mut detail = format!(
                        "The provider {} does not support {what} type {:?}.",
                        r.provider.name, r.addr.type_name
                    );
                    if let Some(s) =
                        crate::diag::did_you_mean(&r.addr.type_name, map.keys().map(String::as_str))
                    {
                        detail.push_str(&format!(" Did you mean {s:?}?"));
                    }
                    diags.push(
                        Diagnostic::error(format!("Invalid {what} type"), detail)
                            .with_span(r.decl_span.clone()),
                    );
                }
            }
        }
    }
    // Then every check that needs no provider call: the walk evaluates variables (their
    // defaults checked, their values unknown), locals, module and resource count/for_each,
    // function calls and bodies against schemas.
    if let (false, Some(graph)) = (diags.has_errors(), graph) {
        if let Err(d) = validate_walk(config, graph, dir) {
            diags.extend(d);
        }
    }
    (diags, sources)
}

fn validate_walk(
    config: crate::config::Config,
    graph: crate::graph::ConfigGraph,
    dir: &Path,
) -> Result<(), Diagnostics> {
    let engine = std::sync::Arc::new(crate::engine::Engine::new(
        std::sync::Arc::new(config),
        graph,
        crate::engine::WalkMode::Validate,
        crate::engine::Options {
            work_dir: dir.to_path_buf(),
            ..crate::engine::Options::default()
        },
        Default::default(),
        Default::default(),
        std::sync::Arc::new(crate::providers::builtin_registry()),
    ));
    let runtime = tokio::runtime::Handle::try_current();
    match runtime {
        Ok(handle) => tokio::task::block_in_place(|| handle.block_on(engine.walk())),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| Diagnostics::from(Diagnostic::error("Internal error", e.to_string())))?
            .block_on(engine.walk()),
    }
}

/// What `init` writes when the directory has no `.gitignore`: the state (with its backups,
/// journal, lock and the embedded simulator's data) and saved plans hold secret values.
pub const GITIGNORE: &str = "# Written by skyform init. State and saved plans hold secrets: keep them out of git.\nstate/\n*.skyplan\n*.tfplan\ntfplan\n*.plan\n";

pub async fn init(ui: &Ui, dir: &Path, a: &super::args::InitArgs) -> i32 {
    let (diags, sources) = check(dir);
    if diags.has_errors() {
        ui.diags(&diags, &sources);
        return EXIT_ERROR;
    }
    let has_config = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.ends_with(".sky.hcl"))
            })
        })
        .unwrap_or(false);
    if !has_config {
        // Terraform's answer for an empty directory: nothing to initialise, nothing written.
        ui.out(&format!(
            "{}

The directory has no skyform configuration files. You may begin working
with skyform immediately by creating skyform configuration files (*.sky.hcl).
",
            ui.style()
                .bold("skyform initialized in an empty directory!")
        ));
        return EXIT_OK;
    }
    if let Err(e) = std::fs::create_dir_all(dir.join(crate::state::STATE_DIR)) {
        ui.error("Failed to create the state directory", &e.to_string());
        return EXIT_ERROR;
    }
    if super::workspace::init_backend(ui, dir, a).await.is_err() {
        return EXIT_ERROR;
    }
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        if let Err(e) = std::fs::write(&gitignore, GITIGNORE) {
            ui.error("Failed to write .gitignore", &e.to_string());
            return EXIT_ERROR;
        }
        ui.out("\nWrote .gitignore: state/ and saved plans hold secrets and stay out of git.\n");
    }
    ui.out(&format!(
        "\n{}\n\nYou may now begin working with skyform. Try running \"skyform plan\" to see\nany changes that are required for your infrastructure.\n",
        ui.style().bold("skyform has been successfully initialized!")
    ));
    EXIT_OK
}

pub fn validate(ui: &Ui, dir: &Path, a: &ValidateArgs) -> i32 {
    let (diags, sources) = check(dir);
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.iter().count() - errors;
    if a.json {
        let list: Vec<J> = diags
            .iter()
            .map(|d| super::json_ui::diagnostic_json(d, &sources))
            .collect();
        ui.outln(
            &json!({"format_version": "1.0", "valid": errors == 0, "error_count": errors, "warning_count": warnings, "diagnostics": list})
                .to_string(),
        );
        return if errors == 0 { EXIT_OK } else { EXIT_ERROR };
    }
    if !diags.is_empty() {
        ui.diags(&diags, &sources);
    }
    if errors > 0 {
        return EXIT_ERROR;
    }
    ui.out(&format!(
        "{} The configuration is valid.\n",
        ui.style().bold("Success!")
    ));
    EXIT_OK
}

pub fn graph(ui: &Ui, dir: &Path) -> i32 {
    let Ok(loaded) = super::workspace::load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    let mut out = String::from(
        "digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tsubgraph \"root\" {\n",
    );
    let mut nodes: Vec<_> = loaded.graph.dag.nodes().cloned().collect();
    nodes.sort();
    for n in &nodes {
        out.push_str(&format!("\t\t{}\n", dot_id(n)));
    }
    for n in &nodes {
        let mut deps = loaded.graph.dag.dependencies(n);
        deps.sort();
        for d in deps {
            out.push_str(&format!("\t\t{} -> {}\n", dot_id(n), dot_id(&d)));
        }
    }
    out.push_str("\t}\n}\n");
    ui.out(&out);
    EXIT_OK
}

/// A node name as a quoted DOT identifier (`provider["mcloud"]` has quotes of its own).
fn dot_id(n: &crate::graph::Node) -> String {
    format!(
        "\"{}\"",
        n.to_string().replace('\\', "\\\\").replace('"', "\\\"")
    )
}

pub fn providers_schema(ui: &Ui, json_flag: bool) -> i32 {
    if !json_flag {
        ui.error(
            "The -json flag is required",
            "The \"providers schema\" command requires the -json flag.",
        );
        return EXIT_ERROR;
    }
    let doc = super::schema_json::document(&crate::providers::builtin_registry());
    ui.outln(&doc.to_string());
    EXIT_OK
}

pub async fn force_unlock(ui: &Ui, dir: &Path, a: &ForceUnlockArgs) -> i32 {
    let b = match backend(dir) {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&d, &Sources::default());
            return EXIT_ERROR;
        }
    };
    // Check before asking: a lock whose holder died is already free, and a wrong ID is refused.
    match b.lock_holder().await {
        Ok(Some(holder)) if holder.id == a.lock_id => {}
        Ok(Some(holder)) => {
            let e = crate::state::StateError::LockIdMismatch {
                location: b.location(),
                given: a.lock_id.clone(),
                held: holder.id,
            };
            ui.error("Failed to unlock state", &e.to_string());
            return EXIT_ERROR;
        }
        Ok(None) => {
            let e = crate::state::StateError::NotLocked {
                location: b.location(),
            };
            ui.error("Failed to unlock state", &e.to_string());
            return EXIT_ERROR;
        }
        Err(e) => {
            ui.error("Failed to unlock state", &e.to_string());
            return EXIT_ERROR;
        }
    }
    if !a.force {
        ui.out(&format!(
            "Do you really want to force-unlock?\n  skyform will break the lock on the {}.\n  The process holding it is still running; it may still be writing this state.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ",
            b.describe()
        ));
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim() != "yes" {
            ui.err("\nforce-unlock cancelled.\n");
            return EXIT_ERROR;
        }
    }
    match b.force_unlock(&a.lock_id).await {
        Ok(_) => {
            ui.out(&format!("skyform state has been successfully unlocked!\n\nThe lock on the {} has been broken, and skyform commands should now be able to\nobtain a new lock.\n", b.describe()));
            EXIT_OK
        }
        Err(e) => {
            ui.error("Failed to unlock state", &e.to_string());
            EXIT_ERROR
        }
    }
}
/// `skyform version [-json]`, the JSON as Terraform's (`terraform_version`, `platform`,
/// `provider_selections`, `terraform_outdated`) plus `skyform_version`. Providers are built
/// in, so each is selected at skyform's own version.
pub fn version(ui: &Ui, a: &super::args::VersionArgs) -> i32 {
    let version = env!("CARGO_PKG_VERSION");
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    let platform = format!("{}_{arch}", std::env::consts::OS);
    if a.json {
        let providers: serde_json::Map<String, J> = crate::providers::builtin_registry()
            .names()
            .map(|n| {
                (
                    crate::plan::json::provider_address(n),
                    J::String(version.to_string()),
                )
            })
            .collect();
        ui.outln(
            &serde_json::to_string_pretty(&json!({
                "terraform_version": crate::plan::json::terraform_version(),
                "skyform_version": version,
                "platform": platform,
                "provider_selections": providers,
                "terraform_outdated": false,
            }))
            .unwrap_or_default(),
        );
    } else {
        ui.outln(&format!("skyform v{version}\non {platform}"));
    }
    EXIT_OK
}
