//! The configuration of one module: its blocks, with meta-arguments separated from the
//! provider-specific body that the schema decodes later.

use crate::addr::ResourceAddr;
use crate::diag::Span;
use crate::hcl::ast::{Body, Expr, Traversal};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Module {
    /// The directory holding the module's `*.sky.hcl` files.
    pub dir: PathBuf,
    pub providers: Vec<ProviderConfig>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, Output>,
    pub resources: BTreeMap<ResourceAddr, Resource>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    pub moved: Vec<Moved>,
    /// `import {}` blocks by target (root module only; the loader refuses them elsewhere).
    pub imports: BTreeMap<crate::addr::AbsInstance, Import>,
}

/// A `provider "mcloud" { ... }` block.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub span: Span,
}

impl ProviderConfig {
    pub fn key(&self) -> ProviderRef {
        ProviderRef {
            name: self.name.clone(),
            alias: self.alias.clone(),
        }
    }
}

/// Which provider configuration a resource uses: `mcloud` or `mcloud.other`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderRef {
    pub name: String,
    pub alias: Option<String>,
}

impl ProviderRef {
    /// How state records it: `provider["mcloud"]` or `provider["mcloud"].other`.
    pub fn state_string(&self) -> String {
        match &self.alias {
            Some(a) => format!("provider[\"{}\"].{a}", self.name),
            None => format!("provider[\"{}\"]", self.name),
        }
    }

    pub fn parse_state_string(s: &str) -> Option<ProviderRef> {
        let rest = s.strip_prefix("provider[\"")?;
        let (name, after) = rest.split_once("\"]")?;
        let alias = after.strip_prefix('.').map(str::to_string);
        Some(ProviderRef {
            name: name.to_string(),
            alias,
        })
    }
}

impl std::fmt::Display for ProviderRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.alias {
            Some(a) => write!(f, "{}.{a}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    /// The `type` expression (parsed into a constraint when values are checked).
    pub type_expr: Option<Expr>,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<Condition>,
    pub span: Span,
}

/// A `validation`, `precondition` or `postcondition` block.
#[derive(Debug, Clone)]
pub struct Condition {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub expr: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Traversal>,
    pub preconditions: Vec<Condition>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub addr: ResourceAddr,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub provider: ProviderRef,
    /// Where `provider = ...` was written, if it was.
    pub provider_span: Option<Span>,
    pub depends_on: Vec<Traversal>,
    pub lifecycle: Lifecycle,
    pub timeouts: Timeouts,
    /// The provider-specific arguments and blocks (meta-arguments removed).
    pub body: Body,
    /// The `resource "t" "n"` header, for messages.
    pub decl_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<Condition>,
    pub postconditions: Vec<Condition>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    /// Top-level attribute names.
    Attributes(Vec<String>),
}

impl IgnoreChanges {
    pub fn ignores(&self, attr: &str) -> bool {
        match self {
            IgnoreChanges::None => false,
            IgnoreChanges::All => true,
            IgnoreChanges::Attributes(a) => a.iter().any(|x| x == attr),
        }
    }
}

/// `timeouts { create = "10m" update = "5m" delete = "5m" }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeouts {
    pub create: Option<Duration>,
    pub update: Option<Duration>,
    pub delete: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Traversal>,
    /// Input variable values (every attribute other than the meta-arguments).
    pub inputs: BTreeMap<String, Expr>,
    /// `providers = { mcloud = mcloud.west }`: which of the caller's configurations the
    /// module's own provider names stand for.
    pub providers: Vec<PassedProvider>,
    pub span: Span,
}

/// One entry of a module call's `providers` map.
#[derive(Debug, Clone)]
pub struct PassedProvider {
    /// The name inside the called module (`mcloud`, or `mcloud.west` for a proxy alias).
    pub inside: ProviderRef,
    /// The caller's configuration it stands for.
    pub outside: ProviderRef,
    pub span: Span,
}

/// `moved { from = a.b  to = a.c }`.
#[derive(Debug, Clone)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub span: Span,
}

/// `import { to = mcloud_instance.web  id = "i-1" }`: adopt an object that already exists
/// into state at `to` (Terraform 1.5's import blocks). The plan reads it through the
/// provider; the apply records it without creating anything.
#[derive(Debug, Clone)]
pub struct Import {
    /// The resource instance to import into (`module.m.TYPE.NAME[KEY]` allowed).
    pub to: crate::addr::AbsInstance,
    /// The object's id in its cloud: any expression known at plan time (variables, locals).
    pub id: Expr,
    /// `provider = mcloud.west`: which configuration reads the object (the target
    /// resource's provider when absent).
    pub provider: Option<ProviderRef>,
    pub provider_span: Option<Span>,
    /// Where `to = ...` was written.
    pub to_span: Span,
    /// The `import` keyword, for messages about the block as a whole.
    pub span: Span,
}

impl Import {
    /// The provider configuration the object is read with: the block's `provider`, else the
    /// target resource's (given), else the one its type name implies.
    pub fn provider_or(&self, resource: Option<&ProviderRef>) -> ProviderRef {
        self.provider
            .clone()
            .or_else(|| resource.cloned())
            .unwrap_or_else(|| ProviderRef {
                name: self.to.resource.implied_provider().to_string(),
                alias: None,
            })
    }
}
