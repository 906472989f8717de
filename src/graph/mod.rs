//! The dependency graph of a configuration: one node per variable, local, output, module
//! call, provider configuration and resource, with edges from references and `depends_on`.
//! Undeclared references and cycles are reported here, before anything is evaluated.

pub mod dag;

pub use dag::{Dag, Outcome};

use crate::addr::ResourceAddr;
use crate::config::{Config, ModuleNode, ProviderRef, Resource};
use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Span};
use crate::hcl::ast::{Body, BodyItem, Expr, Step, Traversal};
use std::collections::BTreeMap;
use std::fmt;

/// What a node stands for, within its module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Provider(ProviderRef),
    Variable(String),
    Local(String),
    ModuleCall(String),
    Resource(ResourceAddr),
    Output(String),
}

/// A node: a configuration object in a module (by call path, not yet expanded by
/// count/for_each: expansion happens while walking).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    pub module: Vec<String>,
    pub kind: NodeKind,
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.module {
            write!(f, "module.{m}.")?;
        }
        match &self.kind {
            NodeKind::Provider(p) => write!(f, "{}", p.state_string()),
            NodeKind::Variable(v) => write!(f, "var.{v}"),
            NodeKind::Local(l) => write!(f, "local.{l}"),
            NodeKind::ModuleCall(m) => write!(f, "module.{m}"),
            NodeKind::Resource(r) => write!(f, "{r}"),
            NodeKind::Output(o) => write!(f, "output.{o}"),
        }
    }
}

/// Whether `count.index` or `each.key` may be used where an expression stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counting {
    None,
    Count,
    ForEach,
}

impl Counting {
    fn of(count: Option<&Expr>, for_each: Option<&Expr>) -> Counting {
        match (count, for_each) {
            (Some(_), _) => Counting::Count,
            (None, Some(_)) => Counting::ForEach,
            _ => Counting::None,
        }
    }
}

/// Root names that are not references to configuration objects.
const BUILTIN_ROOTS: &[&str] = &["count", "each", "path", "self", "terraform", "skyform"];

/// The graph of a configuration and where each node is declared.
pub struct ConfigGraph {
    pub dag: Dag<Node>,
    pub spans: BTreeMap<Node, Span>,
}

/// Builds the graph; every undeclared reference and every cycle is an error.
pub fn build(config: &Config) -> Result<ConfigGraph, Diagnostics> {
    let mut b = Builder {
        dag: Dag::new(),
        spans: BTreeMap::new(),
        diags: Diagnostics::new(),
        root: &config.root,
    };
    for node in config.root.all() {
        b.add_module(node);
    }
    let Builder {
        dag,
        spans,
        mut diags,
        ..
    } = b;
    for cycle in dag.cycles() {
        let names: Vec<String> = cycle.iter().map(Node::to_string).collect();
        let span = cycle.iter().find_map(|n| spans.get(n).cloned());
        let mut d = Diagnostic::error(
            format!("Cycle: {}", names.join(", ")),
            format!(
                "These objects refer to each other in a cycle: {}. Remove one of the references (or depends_on entries) to break it.",
                names.join(" → ")
            ),
        );
        d.span = span;
        diags.push(d);
    }
    diags.into_result()?;
    Ok(ConfigGraph { dag, spans })
}

struct Builder<'a> {
    dag: Dag<Node>,
    spans: BTreeMap<Node, Span>,
    diags: Diagnostics,
    root: &'a ModuleNode,
}

impl<'a> Builder<'a> {
    fn node(&mut self, module: &[String], kind: NodeKind, span: &Span) -> Node {
        let n = Node {
            module: module.to_vec(),
            kind,
        };
        self.dag.add_node(n.clone());
        self.spans.entry(n.clone()).or_insert_with(|| span.clone());
        // Nothing in a child module can be evaluated before its call is expanded.
        if let Some((call, parent)) = module.split_last() {
            let call_node = Node {
                module: parent.to_vec(),
                kind: NodeKind::ModuleCall(call.clone()),
            };
            self.dag.add_edge(&n, &call_node);
        }
        n
    }

    fn add_module(&mut self, mn: &'a ModuleNode) {
        let m = &mn.module;
        let path = &mn.path;
        // Providers live in the root module; child modules use the root's configurations.
        if path.is_empty() {
            for p in &m.providers {
                let n = self.node(path, NodeKind::Provider(p.key()), &p.span);
                self.body_refs(mn, &n, &p.body, Counting::None);
            }
        }
        for v in m.variables.values() {
            let n = self.node(path, NodeKind::Variable(v.name.clone()), &v.span);
            for c in &v.validations {
                // Validation rules may refer only to the variable itself.
                for t in c
                    .condition
                    .traversals()
                    .into_iter()
                    .chain(c.error_message.traversals())
                {
                    let ok = t.root == "var"
                        && matches!(t.steps.first(), Some(Step::Attr(a)) if *a == v.name);
                    if !ok && !BUILTIN_ROOTS.contains(&t.root.as_str()) {
                        self.diags.push(
                            Diagnostic::error(
                                "Invalid reference in variable validation",
                                format!("The condition for variable {:?} can only refer to the variable itself, using var.{}.", v.name, v.name),
                            )
                            .with_span(t.span.clone()),
                        );
                    }
                }
            }
            // A child module's variable is set by the calling module's input expression.
            if let Some((call_name, parent_path)) = path.split_last() {
                if let Some(parent) = self.root.descendant(parent_path) {
                    if let Some(call) = parent.module.module_calls.get(call_name) {
                        let call_node = Node {
                            module: parent_path.to_vec(),
                            kind: NodeKind::ModuleCall(call_name.clone()),
                        };
                        self.dag.add_edge(&n, &call_node);
                        if let Some(expr) = call.inputs.get(&v.name) {
                            let counted = Counting::of(call.count.as_ref(), call.for_each.as_ref());
                            self.expr_refs(parent, &n, expr, counted);
                        }
                    }
                }
            }
        }
        for l in m.locals.values() {
            let n = self.node(path, NodeKind::Local(l.name.clone()), &l.span);
            self.expr_refs(mn, &n, &l.expr, Counting::None);
        }
        for o in m.outputs.values() {
            let n = self.node(path, NodeKind::Output(o.name.clone()), &o.span);
            self.expr_refs(mn, &n, &o.expr, Counting::None);
            for t in &o.depends_on {
                self.traversal_ref(mn, &n, t, Counting::None);
            }
            for c in &o.preconditions {
                self.expr_refs(mn, &n, &c.condition, Counting::None);
                self.expr_refs(mn, &n, &c.error_message, Counting::None);
            }
        }
        for call in m.module_calls.values() {
            let n = self.node(path, NodeKind::ModuleCall(call.name.clone()), &call.span);
            for e in call.count.iter().chain(call.for_each.iter()) {
                self.expr_refs(mn, &n, e, Counting::None);
            }
            for t in &call.depends_on {
                self.traversal_ref(mn, &n, t, Counting::None);
            }
            // Inputs naming variables the module does not declare.
            if let Some(child) = mn.children.get(&call.name) {
                for (name, expr) in &call.inputs {
                    if !child.module.variables.contains_key(name) {
                        let mut detail =
                            format!("An argument named {name:?} is not expected here.");
                        if let Some(s) =
                            did_you_mean(name, child.module.variables.keys().map(String::as_str))
                        {
                            detail.push_str(&format!(" Did you mean {s:?}?"));
                        }
                        self.diags.push(
                            Diagnostic::error("Unsupported argument", detail)
                                .with_span(expr.span.clone()),
                        );
                    }
                }
                for v in child.module.variables.values() {
                    if v.default.is_none() && !call.inputs.contains_key(&v.name) {
                        self.diags.push(
                            Diagnostic::error(
                                "Missing required argument",
                                format!(
                                    "The argument {:?} is required, but no definition was found.",
                                    v.name
                                ),
                            )
                            .with_span(call.span.clone()),
                        );
                    }
                }
            }
        }
        for r in m.resources.values() {
            self.add_resource(mn, r);
        }
        for i in m.imports.values() {
            self.add_import(mn, i);
        }
    }

    /// An import block's `id` is evaluated when its target resource is planned, so the
    /// target depends on what the id refers to. A target no block declares has no node
    /// (the plan reports it, or `-generate-config-out` declares it first).
    fn add_import(&mut self, mn: &'a ModuleNode, i: &crate::config::Import) {
        let module: Vec<String> = i.to.module.0.iter().map(|(n, _)| n.clone()).collect();
        let declared = self
            .root
            .descendant(&module)
            .is_some_and(|t| t.module.resources.contains_key(&i.to.resource));
        if !declared {
            return;
        }
        let n = Node {
            module,
            kind: NodeKind::Resource(i.to.resource.clone()),
        };
        self.expr_refs(mn, &n, &i.id, Counting::None);
    }

    fn add_resource(&mut self, mn: &'a ModuleNode, r: &Resource) {
        let path = &mn.path;
        let n = self.node(path, NodeKind::Resource(r.addr.clone()), &r.decl_span);
        let counted = Counting::of(r.count.as_ref(), r.for_each.as_ref());
        for e in r.count.iter().chain(r.for_each.iter()) {
            self.expr_refs(mn, &n, e, Counting::None);
        }
        self.body_refs(mn, &n, &r.body, counted);
        for t in &r.depends_on {
            self.traversal_ref(mn, &n, t, counted);
        }
        for e in &r.lifecycle.replace_triggered_by {
            self.expr_refs(mn, &n, e, counted);
        }
        for c in r
            .lifecycle
            .preconditions
            .iter()
            .chain(r.lifecycle.postconditions.iter())
        {
            self.expr_refs(mn, &n, &c.condition, counted);
            self.expr_refs(mn, &n, &c.error_message, counted);
        }
        // The provider configuration, which must exist unless it is the default one
        // (a default provider without a block is configured with no arguments).
        let declared = self
            .root
            .module
            .providers
            .iter()
            .any(|p| p.key() == r.provider);
        if r.provider.alias.is_some() && !declared {
            self.diags.push(
                Diagnostic::error(
                    "Provider configuration not present",
                    format!("There is no provider \"{}\" block with alias {:?}. Add one to the root module, or remove the provider argument.", r.provider.name, r.provider.alias.clone().unwrap_or_default()),
                )
                .at(r.provider_span.as_ref().or(Some(&r.decl_span))),
            );
            return;
        }
        let p = Node {
            module: Vec::new(),
            kind: NodeKind::Provider(r.provider.clone()),
        };
        self.dag.add_edge(&n, &p);
        self.spans.entry(p).or_insert_with(|| r.decl_span.clone());
    }

    fn body_refs(&mut self, mn: &'a ModuleNode, from: &Node, body: &Body, counted: Counting) {
        self.body_refs_bound(mn, from, body, counted, &[]);
    }

    /// `bound` holds names of `dynamic` block iterators in scope, which are not references.
    fn body_refs_bound(
        &mut self,
        mn: &'a ModuleNode,
        from: &Node,
        body: &Body,
        counted: Counting,
        bound: &[String],
    ) {
        for item in &body.items {
            match item {
                BodyItem::Attribute(a) => {
                    for t in a.expr.traversals() {
                        if !bound.contains(&t.root) {
                            self.traversal_ref(mn, from, &t, counted);
                        }
                    }
                }
                BodyItem::Block(b) if b.kind == "dynamic" => {
                    let iterator = b
                        .body
                        .attribute("iterator")
                        .and_then(|a| a.expr.as_static_traversal())
                        .map(|t| t.root)
                        .or_else(|| b.labels.first().map(|l| l.value.clone()))
                        .unwrap_or_default();
                    let mut inner = bound.to_vec();
                    inner.push(iterator);
                    if let Some(fe) = b.body.attribute("for_each") {
                        for t in fe.expr.traversals() {
                            if !bound.contains(&t.root) {
                                self.traversal_ref(mn, from, &t, counted);
                            }
                        }
                    }
                    for c in b.body.blocks() {
                        self.body_refs_bound(mn, from, &c.body, counted, &inner);
                    }
                }
                BodyItem::Block(b) => self.body_refs_bound(mn, from, &b.body, counted, bound),
            }
        }
    }

    fn expr_refs(&mut self, mn: &'a ModuleNode, from: &Node, expr: &Expr, counted: Counting) {
        for t in expr.traversals() {
            self.traversal_ref(mn, from, &t, counted);
        }
    }

    /// Adds the edge for one reference, or reports it as undeclared.
    fn traversal_ref(&mut self, mn: &'a ModuleNode, from: &Node, t: &Traversal, counted: Counting) {
        let m = &mn.module;
        let path = &mn.path;
        let attr = |i: usize| match t.steps.get(i) {
            Some(Step::Attr(a)) => Some(a.clone()),
            _ => None,
        };
        let in_module = if path.is_empty() {
            "the root module".to_string()
        } else {
            format!("module.{}", path.join(".module."))
        };
        let target = match t.root.as_str() {
            "count" | "each" => {
                let ok = match counted {
                    Counting::Count => t.root == "count",
                    Counting::ForEach => t.root == "each",
                    Counting::None => false,
                };
                if !ok {
                    let detail = if t.root == "count" {
                        "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set."
                    } else {
                        "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set."
                    };
                    self.diags.push(
                        Diagnostic::error(
                            format!("Reference to {:?} in non-counted context", t.root),
                            detail,
                        )
                        .with_span(t.span.clone()),
                    );
                }
                return;
            }
            root if BUILTIN_ROOTS.contains(&root) => return,
            "var" => {
                let Some(name) = attr(0) else {
                    return self.invalid_ref(t, "var.NAME");
                };
                if !m.variables.contains_key(&name) {
                    return self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared input variable",
                            format!(
                                "An input variable with the name {name:?} has not been declared.{} This variable can be declared with a variable {name:?} {{}} block.",
                                suggest(&name, m.variables.keys())
                            ),
                        )
                        .with_span(t.span.clone()),
                    );
                }
                NodeKind::Variable(name)
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return self.invalid_ref(t, "local.NAME");
                };
                if !m.locals.contains_key(&name) {
                    return self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared local value",
                            format!(
                                "A local value with the name {name:?} has not been declared.{}",
                                suggest(&name, m.locals.keys())
                            ),
                        )
                        .with_span(t.span.clone()),
                    );
                }
                NodeKind::Local(name)
            }
            "module" => {
                let Some(name) = attr(0) else {
                    return self.invalid_ref(t, "module.NAME");
                };
                if !m.module_calls.contains_key(&name) {
                    return self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared module",
                            format!(
                                "No module call named {name:?} is declared in {in_module}.{}",
                                suggest(&name, m.module_calls.keys())
                            ),
                        )
                        .with_span(t.span.clone()),
                    );
                }
                let Some(child) = mn.children.get(&name) else {
                    return;
                };
                let mut child_path = path.clone();
                child_path.push(name.clone());
                // `module.x.out` depends on that output; `module.x[0].out` too; bare
                // `module.x` on all of them.
                let out = match (t.steps.get(1), t.steps.get(2)) {
                    (Some(Step::Attr(o)), _) => Some(o.clone()),
                    (Some(Step::Index(_)) | Some(Step::Dynamic), Some(Step::Attr(o))) => {
                        Some(o.clone())
                    }
                    _ => None,
                };
                match out {
                    Some(o) => {
                        if !child.module.outputs.contains_key(&o) {
                            return self.diags.push(
                                Diagnostic::error(
                                    "Unsupported attribute",
                                    format!(
                                        "This object does not have an attribute named {o:?}.{}",
                                        suggest(&o, child.module.outputs.keys())
                                    ),
                                )
                                .with_span(t.span.clone()),
                            );
                        }
                        self.dag.add_edge(
                            from,
                            &Node {
                                module: child_path,
                                kind: NodeKind::Output(o),
                            },
                        );
                    }
                    None => {
                        for o in child.module.outputs.keys() {
                            self.dag.add_edge(
                                from,
                                &Node {
                                    module: child_path.clone(),
                                    kind: NodeKind::Output(o.clone()),
                                },
                            );
                        }
                    }
                }
                NodeKind::ModuleCall(name)
            }
            "data" => {
                let (Some(ty), Some(name)) = (attr(0), attr(1)) else {
                    return self.invalid_ref(t, "data.TYPE.NAME");
                };
                let addr = ResourceAddr::data(&ty, &name);
                if !m.resources.contains_key(&addr) {
                    return self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared resource",
                            format!("A data resource {ty:?} {name:?} has not been declared in {in_module}."),
                        )
                        .with_span(t.span.clone()),
                    );
                }
                NodeKind::Resource(addr)
            }
            ty => {
                let Some(name) = attr(0) else {
                    return self.invalid_ref(t, "TYPE.NAME");
                };
                let addr = ResourceAddr::managed(ty, &name);
                if !m.resources.contains_key(&addr) {
                    let candidates: Vec<String> = m
                        .resources
                        .keys()
                        .filter(|a| a.mode == crate::addr::Mode::Managed)
                        .map(|a| a.to_string())
                        .collect();
                    return self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared resource",
                            format!(
                                "A managed resource {ty:?} {name:?} has not been declared in {in_module}.{}",
                                suggest(&format!("{ty}.{name}"), candidates.iter())
                            ),
                        )
                        .with_span(t.span.clone()),
                    );
                }
                NodeKind::Resource(addr)
            }
        };
        let to = Node {
            module: path.clone(),
            kind: target,
        };
        self.dag.add_edge(from, &to);
    }

    fn invalid_ref(&mut self, t: &Traversal, form: &str) {
        self.diags.push(
            Diagnostic::error(
                "Invalid reference",
                format!(
                    "A reference to {:?} must be followed by an attribute name, as in {form}.",
                    t.root
                ),
            )
            .with_span(t.span.clone()),
        );
    }
}

fn suggest<'b>(name: &str, candidates: impl Iterator<Item = &'b String>) -> String {
    let c: Vec<&str> = candidates.map(String::as_str).collect();
    match did_you_mean(name, c) {
        Some(s) => format!(" Did you mean {s:?}?"),
        None => String::new(),
    }
}
