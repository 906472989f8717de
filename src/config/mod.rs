//! Loading configuration: every `*.sky.hcl` of a directory, and of each local module it
//! calls, into a tree of [`Module`]s.

pub mod generate;
pub mod loader;
pub mod module;

pub use module::*;

use crate::diag::{Diagnostic, Diagnostics, Sources};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Modules may call modules; a chain longer than this is almost certainly a loop.
const MAX_MODULE_DEPTH: usize = 32;

/// A module and the modules it calls, by call name.
#[derive(Debug, Clone, Default)]
pub struct ModuleNode {
    pub module: Module,
    /// Call names from the root (`["net", "subnets"]` for module.net.module.subnets).
    pub path: Vec<String>,
    pub children: BTreeMap<String, ModuleNode>,
}

impl ModuleNode {
    /// The node at a path of call names below this one.
    pub fn descendant(&self, path: &[String]) -> Option<&ModuleNode> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => self.children.get(first)?.descendant(rest),
        }
    }

    /// Every module in the tree, parents before children.
    pub fn all(&self) -> Vec<&ModuleNode> {
        let mut out = vec![self];
        for c in self.children.values() {
            out.extend(c.all());
        }
        out
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub root: ModuleNode,
    /// The working directory the configuration was loaded from.
    pub dir: PathBuf,
}

impl Config {
    /// True when the directory holds no configuration at all.
    pub fn is_empty(&self) -> bool {
        let m = &self.root.module;
        m.resources.is_empty()
            && m.providers.is_empty()
            && m.variables.is_empty()
            && m.locals.is_empty()
            && m.outputs.is_empty()
            && m.module_calls.is_empty()
    }
}

/// Loads the configuration rooted at `dir`.
pub fn load(dir: &Path, sources: &mut Sources) -> Result<Config, Diagnostics> {
    let root = load_tree(dir, "", Vec::new(), sources)?;
    Ok(Config {
        root,
        dir: dir.to_path_buf(),
    })
}

fn load_tree(
    dir: &Path,
    prefix: &str,
    path: Vec<String>,
    sources: &mut Sources,
) -> Result<ModuleNode, Diagnostics> {
    let module = loader::load_module(dir, prefix, sources)?;
    let mut diags = Diagnostics::new();
    if let (false, Some(import)) = (path.is_empty(), module.imports.values().next()) {
        diags.push(
            Diagnostic::error(
                "Invalid import configuration",
                format!("An import block was detected in module.{}. Import blocks are only allowed in the root module.", path.join(".module.")),
            )
            .with_span(import.span.clone()),
        );
    }
    if !path.is_empty() {
        check_child_providers(&module, &path, &mut diags);
    }
    let mut children = BTreeMap::new();
    for call in module.module_calls.values() {
        if !(call.source.starts_with("./") || call.source.starts_with("../")) {
            diags.push(
                Diagnostic::error(
                    "Unsupported module source",
                    format!(
                        "Module source {:?} is not a local path. skyform loads modules from local directories; write the path starting with \"./\" or \"../\".",
                        call.source
                    ),
                )
                .with_span(call.span.clone()),
            );
            continue;
        }
        if path.len() >= MAX_MODULE_DEPTH {
            diags.push(
                Diagnostic::error(
                    "Module nesting too deep",
                    format!("Modules are nested more than {MAX_MODULE_DEPTH} levels deep; does a module call itself?"),
                )
                .with_span(call.span.clone()),
            );
            continue;
        }
        let child_dir = dir.join(&call.source);
        if !child_dir.is_dir() {
            diags.push(
                Diagnostic::error(
                    "Unreadable module directory",
                    format!(
                        "The directory {} does not exist or cannot be read.",
                        display_join(prefix, &call.source)
                    ),
                )
                .with_span(call.span.clone()),
            );
            continue;
        }
        let child_prefix = display_join(prefix, &call.source);
        let child_prefix = format!("{}/", child_prefix.trim_end_matches('/'));
        let mut child_path = path.clone();
        child_path.push(call.name.clone());
        match load_tree(&child_dir, &child_prefix, child_path, sources) {
            Ok(mut node) => {
                pass_providers(&module, path.is_empty(), call, &mut node, &mut diags);
                children.insert(call.name.clone(), node);
            }
            Err(d) => diags.extend(d),
        }
    }
    diags.into_result()?;
    Ok(ModuleNode {
        module,
        path,
        children,
    })
}

/// skyform configures providers in the root module only, so that one configuration serves
/// every module instance (Terraform's legacy provider blocks in child modules cannot be
/// used with `count` or `for_each` either). A child module may still declare an empty
/// block, `provider "mcloud" { alias = "west" }`, naming a configuration its caller passes.
fn check_child_providers(module: &Module, path: &[String], diags: &mut Diagnostics) {
    for p in &module.providers {
        if p.body.items.is_empty() {
            continue;
        }
        diags.push(
            Diagnostic::error(
                "Provider configuration in a child module",
                format!(
                    "module.{} configures provider {:?}; skyform takes provider configurations from the root module only. Move this block to the root module (with an alias if it differs from the root's), and pass it to the module call with providers = {{ {} = {}.{} }}.",
                    path.join(".module."),
                    p.key().to_string(),
                    p.key(),
                    p.name,
                    p.alias.as_deref().unwrap_or("ALIAS"),
                ),
            )
            .with_span(p.span.clone()),
        );
    }
}

/// Applies a module call's `providers` map to everything the called module (and the
/// modules it calls) declares: each resource then names the caller's configuration, so
/// after the root call every resource names a root configuration. A name the call does not
/// pass is the caller's configuration of the same name, as Terraform inherits default
/// providers; an alias the module declares as a proxy block must be passed.
fn pass_providers(
    caller: &Module,
    caller_is_root: bool,
    call: &ModuleCall,
    child: &mut ModuleNode,
    diags: &mut Diagnostics,
) {
    for p in &call.providers {
        let declared = caller.providers.iter().any(|c| c.key() == p.outside);
        if caller_is_root && p.outside.alias.is_some() && !declared {
            diags.push(
                Diagnostic::error(
                    "Provider configuration not present",
                    format!(
                        "The module call passes {} as {}, but there is no provider {:?} block with alias {:?} in this module. Add one, or pass a configuration that exists.",
                        p.outside,
                        p.inside,
                        p.outside.name,
                        p.outside.alias.clone().unwrap_or_default()
                    ),
                )
                .with_span(p.span.clone()),
            );
        }
    }
    for proxy in &child.module.providers {
        let key = proxy.key();
        if key.alias.is_some() && !call.providers.iter().any(|p| p.inside == key) {
            diags.push(
                Diagnostic::error(
                    "Missing provider configuration for module",
                    format!(
                        "module.{} expects provider {} to be passed (declared at {}), but this call does not pass it. Add providers = {{ {} = {}.ALIAS }} naming one of this module's configurations.",
                        child.path.join(".module."),
                        key,
                        proxy.span,
                        key,
                        key.name
                    ),
                )
                .with_span(call.span.clone()),
            );
        }
    }
    if call.providers.is_empty() {
        return;
    }
    rename_providers(child, &call.providers);
}

fn rename_providers(node: &mut ModuleNode, passed: &[PassedProvider]) {
    for r in node.module.resources.values_mut() {
        if let Some(p) = passed.iter().find(|p| p.inside == r.provider) {
            r.provider = p.outside.clone();
        }
    }
    for c in node.children.values_mut() {
        rename_providers(c, passed);
    }
}

/// `prefix` + a relative source path, normalised for messages (`modules/net`).
fn display_join(prefix: &str, source: &str) -> String {
    let mut parts: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
    for p in source.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}
