//! Reads every `*.sky.hcl` file of a directory into a [`Module`].
//!
//! Only the block structure is checked here (block types, labels, duplicates, meta-argument
//! shapes); provider-specific bodies are checked against their schemas later, when the
//! schemas are at hand.

use super::module::*;
use crate::addr::ResourceAddr;
use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Sources, Span};
use crate::hcl::ast::{Attribute, Block, Body, BodyItem, Expr, ExprKind, TemplatePart, Traversal};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The file extension of configuration files.
pub const CONFIG_SUFFIX: &str = ".sky.hcl";

const TOP_LEVEL_BLOCKS: &[&str] = &[
    "skyform", "provider", "variable", "locals", "output", "resource", "data", "module", "moved",
    "import",
];

/// Lists the configuration files of a directory, sorted by name. Anything named like a
/// configuration file that is not a readable regular file (a dangling or looping symlink, a
/// directory, a FIFO, a name that is not UTF-8) is an error naming it: skipping it would
/// plan to destroy everything it declares.
pub fn config_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Failed to read configuration directory",
            format!("Could not read {}: {e}.", dir.display()),
        ))
    })?;
    let mut files = Vec::new();
    let mut diags = Diagnostics::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read configuration directory",
                    format!("Could not list {}: {e}.", dir.display()),
                ));
                continue;
            }
        };
        let path = entry.path();
        let raw_name = entry.file_name();
        let Some(name) = raw_name.to_str() else {
            if raw_name.to_string_lossy().ends_with(CONFIG_SUFFIX) {
                diags.push(Diagnostic::error(
                    "Invalid configuration file name",
                    format!(
                        "The name of {} is not valid UTF-8; rename the file.",
                        path.display()
                    ),
                ));
            }
            continue;
        };
        if !name.ends_with(CONFIG_SUFFIX) || name.starts_with('.') {
            continue;
        }
        match unreadable_reason(&path) {
            None => files.push(path),
            Some(why) => diags.push(Diagnostic::error(
                "Failed to read configuration file",
                format!("{} cannot be read: {why}.", path.display()),
            )),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    files.sort();
    Ok(files)
}

/// Why `path` is not a regular file that can be read, without opening it (opening a FIFO
/// would wait for a writer forever).
fn unreadable_reason(path: &Path) -> Option<String> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(e.to_string()),
    };
    let meta = if link.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let target = std::fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_else(|_| "?".into());
                return Some(format!(
                    "it is a symbolic link to {target}, which cannot be followed ({e})"
                ));
            }
        }
    } else {
        link
    };
    if meta.is_dir() {
        return Some("it is a directory".into());
    }
    if !meta.is_file() {
        return Some("it is not a regular file (a FIFO, socket or device)".into());
    }
    None
}

/// `line:column` (1-based) of byte `offset` in `bytes`, for messages about raw bytes.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    // Columns count characters: the valid UTF-8 before the bad byte.
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Loads one module directory. `display_prefix` is how file names appear in messages
/// (relative to the working directory, e.g. `modules/net/`).
pub fn load_module(
    dir: &Path,
    display_prefix: &str,
    sources: &mut Sources,
) -> Result<Module, Diagnostics> {
    let files = config_files(dir)?;
    let mut diags = Diagnostics::new();
    let mut module = Module {
        dir: dir.to_path_buf(),
        ..Module::default()
    };
    for path in files {
        let name = format!(
            "{display_prefix}{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        );
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let (line, column) = line_column(e.as_bytes(), e.utf8_error().valid_up_to());
                    diags.push(Diagnostic::error(
                        "Invalid UTF-8 in configuration file",
                        format!("{name}:{line}:{column}: the file is not valid UTF-8 text from here on. Save it as UTF-8."),
                    ));
                    continue;
                }
            },
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read file",
                    format!("Could not read {name}: {e}."),
                ));
                continue;
            }
        };
        let name: Arc<str> = Arc::from(name.as_str());
        sources.add(name.clone(), Arc::from(text.as_str()));
        match crate::hcl::parse_file(&text, &name) {
            Ok(body) => add_file(&mut module, &body, &mut diags),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(module)
    }
}

fn add_file(module: &mut Module, body: &Body, diags: &mut Diagnostics) {
    for item in &body.items {
        match item {
            BodyItem::Attribute(a) => diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!("An argument named {:?} is not expected here.", a.name),
                )
                .with_span(a.name_span.clone()),
            ),
            BodyItem::Block(b) => add_block(module, b, diags),
        }
    }
}

fn add_block(module: &mut Module, b: &Block, diags: &mut Diagnostics) {
    match b.kind.as_str() {
        "skyform" | "terraform" => {}
        "import" => {
            check_no_labels(b, diags);
            if let Some(import) = decode_import(b, diags) {
                match module.imports.get(&import.to) {
                    Some(prev) => diags.push(
                        Diagnostic::error(
                            format!("Duplicate import configuration for \"{}\"", import.to),
                            format!("An import block for the resource \"{}\" was already declared at {}. A resource can have only one import block.", import.to, prev.span),
                        )
                        .with_span(import.to_span.clone()),
                    ),
                    None => {
                        module.imports.insert(import.to.clone(), import);
                    }
                }
            }
        }
        "provider" => {
            if let Some([name]) = labels::<1>(b, &["name"], diags) {
                let alias = b
                    .body
                    .attribute("alias")
                    .and_then(|a| literal_string(&a.expr, diags));
                let cfg = ProviderConfig {
                    name: name.clone(),
                    alias,
                    body: without(&b.body, &["alias", "version"]),
                    span: b.span.clone(),
                };
                if module.providers.iter().any(|p| p.key() == cfg.key()) {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate provider configuration",
                            format!("A default (non-aliased) provider configuration for {:?} was already given. Each configuration for the same provider must have a distinct alias.", cfg.key().to_string()),
                        )
                        .with_span(b.kind_span.to_span_of(&b.labels)),
                    );
                } else {
                    module.providers.push(cfg);
                }
            }
        }
        "variable" => {
            if let Some([name]) = labels::<1>(b, &["name"], diags) {
                let v = decode_variable(&name, b, diags);
                if let Some(prev) = module.variables.get(&name) {
                    diags.push(duplicate("Duplicate variable declaration", &format!("A variable named {name:?} was already declared at {}. Variable names must be unique within a module.", prev.span), b));
                } else {
                    module.variables.insert(name, v);
                }
            }
        }
        "locals" => {
            check_no_labels(b, diags);
            for item in &b.body.items {
                match item {
                    BodyItem::Attribute(a) => {
                        if let Some(prev) = module.locals.get(&a.name) {
                            diags.push(
                                Diagnostic::error(
                                    "Duplicate local value definition",
                                    format!("A local value named {:?} was already defined at {}. Local value names must be unique within a module.", a.name, prev.span),
                                )
                                .with_span(a.name_span.clone()),
                            );
                        } else {
                            module.locals.insert(
                                a.name.clone(),
                                Local {
                                    name: a.name.clone(),
                                    expr: a.expr.clone(),
                                    span: a.span.clone(),
                                },
                            );
                        }
                    }
                    BodyItem::Block(inner) => diags.push(unsupported_block(inner, &[])),
                }
            }
        }
        "output" => {
            if let Some([name]) = labels::<1>(b, &["name"], diags) {
                if let Some(o) = decode_output(&name, b, diags) {
                    if let Some(prev) = module.outputs.get(&name) {
                        diags.push(duplicate("Duplicate output definition", &format!("An output named {name:?} was already defined at {}. Output names must be unique within a module.", prev.span), b));
                    } else {
                        module.outputs.insert(name, o);
                    }
                }
            }
        }
        "resource" | "data" => {
            if let Some([type_name, name]) = labels::<2>(b, &["type", "name"], diags) {
                let addr = if b.kind == "data" {
                    ResourceAddr::data(&type_name, &name)
                } else {
                    ResourceAddr::managed(&type_name, &name)
                };
                let r = decode_resource(addr.clone(), b, diags);
                if let Some(prev) = module.resources.get(&addr) {
                    let what = if b.kind == "data" { "data" } else { "resource" };
                    diags.push(duplicate(
                        &format!("Duplicate {what} {type_name:?} configuration"),
                        &format!("A {type_name} {what} named {name:?} was already declared at {}. Resource names must be unique per type in each module.", prev.decl_span),
                        b,
                    ));
                } else {
                    module.resources.insert(addr, r);
                }
            }
        }
        "module" => {
            if let Some([name]) = labels::<1>(b, &["name"], diags) {
                if let Some(call) = decode_module_call(&name, b, diags) {
                    if let Some(prev) = module.module_calls.get(&name) {
                        diags.push(duplicate("Duplicate module call", &format!("A module call named {name:?} was already defined at {}. Module calls must have unique names within a module.", prev.span), b));
                    } else {
                        module.module_calls.insert(name, call);
                    }
                }
            }
        }
        "moved" => {
            check_no_labels(b, diags);
            let from = b
                .body
                .attribute("from")
                .and_then(|a| static_address(&a.expr, diags));
            let to = b
                .body
                .attribute("to")
                .and_then(|a| static_address(&a.expr, diags));
            match (from, to) {
                (Some(from), Some(to)) => module.moved.push(Moved {
                    from,
                    to,
                    span: b.span.clone(),
                }),
                _ => diags.push(
                    Diagnostic::error(
                        "Invalid moved block",
                        "A moved block needs both \"from\" and \"to\" addresses.",
                    )
                    .with_span(b.kind_span.clone()),
                ),
            }
        }
        _ => diags.push(unsupported_block(b, TOP_LEVEL_BLOCKS)),
    }
}

trait SpanOfLabels {
    fn to_span_of(&self, labels: &[crate::hcl::ast::Label]) -> Span;
}

impl SpanOfLabels for Span {
    fn to_span_of(&self, labels: &[crate::hcl::ast::Label]) -> Span {
        labels
            .last()
            .map(|l| self.to(&l.span))
            .unwrap_or_else(|| self.clone())
    }
}

fn duplicate(summary: &str, detail: &str, b: &Block) -> Diagnostic {
    Diagnostic::error(summary, detail).with_span(b.kind_span.to_span_of(&b.labels))
}

fn unsupported_block(b: &Block, expected: &[&str]) -> Diagnostic {
    let mut detail = format!("Blocks of type {:?} are not expected here.", b.kind);
    if let Some(s) = did_you_mean(&b.kind, expected.iter().copied()) {
        detail.push_str(&format!(" Did you mean {s:?}?"));
    }
    Diagnostic::error("Unsupported block type", detail).with_span(b.kind_span.clone())
}

fn check_no_labels(b: &Block, diags: &mut Diagnostics) {
    if let Some(l) = b.labels.first() {
        diags.push(
            Diagnostic::error(
                "Extraneous label for ".to_string() + &b.kind,
                format!("No labels are expected for {} blocks.", b.kind),
            )
            .with_span(l.span.clone()),
        );
    }
}

/// Checks a block has exactly N labels and returns them.
fn labels<const N: usize>(
    b: &Block,
    names: &[&str; N],
    diags: &mut Diagnostics,
) -> Option<[String; N]> {
    if b.labels.len() < N {
        let missing = names[b.labels.len()];
        diags.push(
            Diagnostic::error(
                format!("Missing {missing} for {}", b.kind),
                format!(
                    "All {} blocks must have {N} labels ({}).",
                    b.kind,
                    names.join(", ")
                ),
            )
            .with_span(b.kind_span.to_span_of(&b.labels)),
        );
        return None;
    }
    if b.labels.len() > N {
        diags.push(
            Diagnostic::error(
                format!("Extraneous label for {}", b.kind),
                format!(
                    "Only {N} labels ({}) are expected for {} blocks.",
                    names.join(", "),
                    b.kind
                ),
            )
            .with_span(b.labels[N].span.clone()),
        );
        return None;
    }
    for l in &b.labels {
        if !is_identifier(&l.value) {
            diags.push(
                Diagnostic::error(
                    format!("Invalid {} name", b.kind),
                    "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
                )
                .with_span(l.span.clone()),
            );
            return None;
        }
    }
    let v: Vec<String> = b.labels.iter().map(|l| l.value.clone()).collect();
    v.try_into().ok()
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The body minus the named attributes and blocks.
fn without(body: &Body, names: &[&str]) -> Body {
    Body {
        items: body
            .items
            .iter()
            .filter(|i| match i {
                BodyItem::Attribute(a) => !names.contains(&a.name.as_str()),
                BodyItem::Block(b) => !names.contains(&b.kind.as_str()),
            })
            .cloned()
            .collect(),
        span: body.span.clone(),
    }
}

/// A string written as a literal (`"text"`), as Terraform requires for descriptions, aliases.
pub fn literal_string(expr: &Expr, diags: &mut Diagnostics) -> Option<String> {
    match &expr.kind {
        ExprKind::Template(parts) => {
            let mut s = String::new();
            for p in parts {
                match p {
                    TemplatePart::Literal(l) => s.push_str(l),
                    _ => {
                        diags.push(literal_required(expr, "a string"));
                        return None;
                    }
                }
            }
            Some(s)
        }
        ExprKind::Variable(name) => Some(name.clone()),
        _ => {
            diags.push(literal_required(expr, "a string"));
            None
        }
    }
}

fn literal_bool(expr: &Expr, diags: &mut Diagnostics) -> Option<bool> {
    match &expr.kind {
        ExprKind::Bool(b) => Some(*b),
        _ => {
            diags.push(literal_required(expr, "true or false"));
            None
        }
    }
}

fn literal_required(expr: &Expr, what: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid value",
        format!("A static value is required here: {what}, written literally."),
    )
    .with_span(expr.span.clone())
}

fn static_address(expr: &Expr, diags: &mut Diagnostics) -> Option<String> {
    match expr.as_static_traversal() {
        Some(t) => Some(traversal_string(&t)),
        None => {
            diags.push(
                Diagnostic::error(
                    "Invalid address",
                    "An address such as mcloud_instance.web is required here.",
                )
                .with_span(expr.span.clone()),
            );
            None
        }
    }
}

/// `a.b[0]["x"]` as text.
pub fn traversal_string(t: &Traversal) -> String {
    use crate::hcl::ast::{Literal, Step};
    use crate::lang::Number;
    let mut s = t.root.clone();
    for step in &t.steps {
        match step {
            Step::Attr(a) => {
                s.push('.');
                s.push_str(a);
            }
            Step::Index(Literal::String(k)) => {
                s.push_str(&format!("[{}]", serde_json::Value::String(k.to_string())))
            }
            Step::Index(Literal::Number(n)) => s.push_str(&format!(
                "[{}]",
                Number::from_literal(n)
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            )),
            Step::Dynamic => s.push_str("[*]"),
        }
    }
    s
}

fn depends_on(attr: Option<&Attribute>, diags: &mut Diagnostics) -> Vec<Traversal> {
    let Some(attr) = attr else { return Vec::new() };
    match &attr.expr.kind {
        ExprKind::Tuple(items) => items
            .iter()
            .filter_map(|e| match e.as_static_traversal() {
                Some(t) => Some(t),
                None => {
                    diags.push(
                        Diagnostic::error(
                            "Invalid depends_on reference",
                            "References in depends_on must be to a whole object (a resource, data source, module, variable or local), without further operations.",
                        )
                        .with_span(e.span.clone()),
                    );
                    None
                }
            })
            .collect(),
        _ => {
            diags.push(
                Diagnostic::error("Invalid depends_on", "The depends_on argument must be a list of references.")
                    .with_span(attr.expr.span.clone()),
            );
            Vec::new()
        }
    }
}

fn decode_conditions(body: &Body, kind: &str, diags: &mut Diagnostics) -> Vec<Condition> {
    body.blocks()
        .filter(|b| b.kind == kind)
        .filter_map(|b| {
            let cond = b.body.attribute("condition");
            let msg = b.body.attribute("error_message");
            match (cond, msg) {
                (Some(c), Some(m)) => Some(Condition {
                    condition: c.expr.clone(),
                    error_message: m.expr.clone(),
                    span: b.span.clone(),
                }),
                _ => {
                    diags.push(
                        Diagnostic::error(
                            format!("Missing required argument in {kind}"),
                            format!(
                                "A {kind} block needs both \"condition\" and \"error_message\"."
                            ),
                        )
                        .with_span(b.kind_span.clone()),
                    );
                    None
                }
            }
        })
        .collect()
}

fn check_allowed(body: &Body, attrs: &[&str], blocks: &[&str], diags: &mut Diagnostics) {
    for item in &body.items {
        match item {
            BodyItem::Attribute(a) if !attrs.contains(&a.name.as_str()) => {
                let mut detail = format!("An argument named {:?} is not expected here.", a.name);
                if let Some(s) = did_you_mean(&a.name, attrs.iter().copied()) {
                    detail.push_str(&format!(" Did you mean {s:?}?"));
                }
                diags.push(
                    Diagnostic::error("Unsupported argument", detail)
                        .with_span(a.name_span.clone()),
                );
            }
            BodyItem::Block(b) if !blocks.contains(&b.kind.as_str()) => {
                diags.push(unsupported_block(b, blocks))
            }
            _ => {}
        }
    }
}

fn decode_variable(name: &str, b: &Block, diags: &mut Diagnostics) -> Variable {
    check_allowed(
        &b.body,
        &["type", "default", "description", "sensitive", "nullable"],
        &["validation"],
        diags,
    );
    let body = &b.body;
    Variable {
        name: name.to_string(),
        type_expr: body.attribute("type").map(|a| a.expr.clone()),
        default: body.attribute("default").map(|a| a.expr.clone()),
        description: body
            .attribute("description")
            .and_then(|a| literal_string(&a.expr, diags)),
        sensitive: body
            .attribute("sensitive")
            .and_then(|a| literal_bool(&a.expr, diags))
            .unwrap_or(false),
        nullable: body
            .attribute("nullable")
            .and_then(|a| literal_bool(&a.expr, diags))
            .unwrap_or(true),
        validations: decode_conditions(body, "validation", diags),
        span: b.kind_span.to_span_of(&b.labels),
    }
}

fn decode_output(name: &str, b: &Block, diags: &mut Diagnostics) -> Option<Output> {
    check_allowed(
        &b.body,
        &["value", "description", "sensitive", "depends_on"],
        &["precondition"],
        diags,
    );
    let body = &b.body;
    let Some(value) = body.attribute("value") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"value\" is required, but no definition was found.",
            )
            .with_span(b.kind_span.to_span_of(&b.labels)),
        );
        return None;
    };
    Some(Output {
        name: name.to_string(),
        expr: value.expr.clone(),
        description: body
            .attribute("description")
            .and_then(|a| literal_string(&a.expr, diags)),
        sensitive: body
            .attribute("sensitive")
            .and_then(|a| literal_bool(&a.expr, diags))
            .unwrap_or(false),
        depends_on: depends_on(body.attribute("depends_on"), diags),
        preconditions: decode_conditions(body, "precondition", diags),
        span: b.kind_span.to_span_of(&b.labels),
    })
}

const RESOURCE_META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "timeouts",
];

fn decode_resource(addr: ResourceAddr, b: &Block, diags: &mut Diagnostics) -> Resource {
    let body = &b.body;
    let count = body.attribute("count").map(|a| a.expr.clone());
    let for_each = body.attribute("for_each").map(|a| a.expr.clone());
    if let (Some(_), Some(fe)) = (&count, &for_each) {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            )
            .with_span(fe.span.clone()),
        );
    }
    let implied = || ProviderRef {
        name: addr.implied_provider().to_string(),
        alias: None,
    };
    let (provider, provider_span) = match body.attribute("provider") {
        Some(a) => match provider_argument(a, diags) {
            Some(p) => (p, Some(a.expr.span.clone())),
            None => (implied(), None),
        },
        None => (implied(), None),
    };
    let mut lifecycle = Lifecycle::default();
    let mut timeouts = Timeouts::default();
    for blk in body.blocks() {
        match blk.kind.as_str() {
            "lifecycle" => lifecycle = decode_lifecycle(blk, diags),
            "timeouts" => timeouts = decode_timeouts(blk, diags),
            "provisioner" | "connection" => diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!("skyform does not run {} blocks: declare what machines should run through the provider's arguments (post_script, images) instead.", blk.kind),
                )
                .with_span(blk.kind_span.clone()),
            ),
            _ => {}
        }
    }
    Resource {
        addr,
        count,
        for_each,
        provider,
        provider_span,
        depends_on: depends_on(body.attribute("depends_on"), diags),
        lifecycle,
        timeouts,
        body: without(body, RESOURCE_META),
        decl_span: b.kind_span.to_span_of(&b.labels),
        span: b.span.clone(),
    }
}

fn decode_lifecycle(b: &Block, diags: &mut Diagnostics) -> Lifecycle {
    check_allowed(
        &b.body,
        &[
            "create_before_destroy",
            "prevent_destroy",
            "ignore_changes",
            "replace_triggered_by",
        ],
        &["precondition", "postcondition"],
        diags,
    );
    let body = &b.body;
    let ignore_changes = match body.attribute("ignore_changes") {
        None => IgnoreChanges::None,
        Some(a) => match &a.expr.kind {
            ExprKind::Variable(v) if v == "all" => IgnoreChanges::All,
            ExprKind::Template(parts) if matches!(parts.as_slice(), [TemplatePart::Literal(s)] if s == "all") => {
                IgnoreChanges::All
            }
            ExprKind::Tuple(items) => IgnoreChanges::Attributes(
                items
                    .iter()
                    .filter_map(|e| match e.as_static_traversal() {
                        Some(t) => Some(t.root),
                        None => {
                            diags.push(
                                Diagnostic::error(
                                    "Invalid ignore_changes",
                                    "Each item must be an attribute name, such as image_id.",
                                )
                                .with_span(e.span.clone()),
                            );
                            None
                        }
                    })
                    .collect(),
            ),
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid ignore_changes",
                        "ignore_changes must be a list of attribute names, or all.",
                    )
                    .with_span(a.expr.span.clone()),
                );
                IgnoreChanges::None
            }
        },
    };
    let replace_triggered_by = match body.attribute("replace_triggered_by") {
        Some(a) => match &a.expr.kind {
            ExprKind::Tuple(items) => items.clone(),
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid replace_triggered_by",
                        "replace_triggered_by must be a list of references.",
                    )
                    .with_span(a.expr.span.clone()),
                );
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    Lifecycle {
        create_before_destroy: body
            .attribute("create_before_destroy")
            .and_then(|a| literal_bool(&a.expr, diags))
            .unwrap_or(false),
        prevent_destroy: body
            .attribute("prevent_destroy")
            .and_then(|a| literal_bool(&a.expr, diags))
            .unwrap_or(false),
        ignore_changes,
        replace_triggered_by,
        preconditions: decode_conditions(body, "precondition", diags),
        postconditions: decode_conditions(body, "postcondition", diags),
    }
}

fn decode_timeouts(b: &Block, diags: &mut Diagnostics) -> Timeouts {
    check_allowed(&b.body, &["create", "update", "delete", "read"], &[], diags);
    let mut t = Timeouts::default();
    for a in b.body.attributes() {
        let Some(text) = literal_string(&a.expr, diags) else {
            continue;
        };
        match parse_duration(&text) {
            Some(d) => match a.name.as_str() {
                "create" => t.create = Some(d),
                "update" => t.update = Some(d),
                "delete" => t.delete = Some(d),
                _ => {}
            },
            None => diags.push(
                Diagnostic::error(
                    "Invalid duration",
                    format!(
                        "{text:?} is not a duration; write it like \"30s\", \"10m\" or \"1h30m\"."
                    ),
                )
                .with_span(a.expr.span.clone()),
            ),
        }
    }
    t
}

/// Parses Go-style durations: `30s`, `10m`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * factor;
    }
    if total.is_finite() && total < 1e9 {
        Some(Duration::from_secs_f64(total))
    } else {
        None
    }
}

fn decode_module_call(name: &str, b: &Block, diags: &mut Diagnostics) -> Option<ModuleCall> {
    let body = &b.body;
    let Some(source) = body.attribute("source") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"source\" is required, but no definition was found.",
            )
            .with_span(b.kind_span.to_span_of(&b.labels)),
        );
        return None;
    };
    let source = literal_string(&source.expr, diags)?;
    let meta = [
        "source",
        "version",
        "count",
        "for_each",
        "depends_on",
        "providers",
    ];
    for blk in body.blocks() {
        diags.push(unsupported_block(blk, &[]));
    }
    Some(ModuleCall {
        name: name.to_string(),
        source,
        count: body.attribute("count").map(|a| a.expr.clone()),
        for_each: body.attribute("for_each").map(|a| a.expr.clone()),
        depends_on: depends_on(body.attribute("depends_on"), diags),
        inputs: body
            .attributes()
            .filter(|a| !meta.contains(&a.name.as_str()))
            .map(|a| (a.name.clone(), a.expr.clone()))
            .collect(),
        providers: body
            .attribute("providers")
            .map(|a| passed_providers(a, diags))
            .unwrap_or_default(),
        span: b.kind_span.to_span_of(&b.labels),
    })
}

/// `providers = { mcloud = mcloud.west, mcloud.east = mcloud }`: a static map from the
/// called module's provider names to the caller's configurations.
fn passed_providers(a: &Attribute, diags: &mut Diagnostics) -> Vec<PassedProvider> {
    let ExprKind::Object(items) = &a.expr.kind else {
        diags.push(
            Diagnostic::error(
                "Invalid providers argument",
                "The providers argument requires a map from the module's provider names to this module's provider configurations, such as { mcloud = mcloud.west }.",
            )
            .with_span(a.expr.span.clone()),
        );
        return Vec::new();
    };
    let mut out: Vec<PassedProvider> = Vec::new();
    for (key, value) in items {
        let (Some(inside), Some(outside)) = (
            provider_reference(key, "key", diags),
            provider_reference(value, "value", diags),
        ) else {
            continue;
        };
        if let Some(prev) = out.iter().find(|p| p.inside == inside) {
            diags.push(
                Diagnostic::error(
                    "Duplicate provider in providers argument",
                    format!(
                        "The module's provider {inside} is already passed at {}; pass each one once.",
                        prev.span
                    ),
                )
                .with_span(key.span.clone()),
            );
            continue;
        }
        out.push(PassedProvider {
            inside,
            outside,
            span: key.span.to(&value.span),
        });
    }
    out
}

/// A provider name with an optional alias written as a traversal: `mcloud` or `mcloud.west`.
fn provider_reference(expr: &Expr, role: &str, diags: &mut Diagnostics) -> Option<ProviderRef> {
    match expr.as_static_traversal() {
        Some(t) if t.steps.len() <= 1 => {
            let alias = match t.steps.first() {
                Some(crate::hcl::ast::Step::Attr(a)) => Some(a.clone()),
                Some(_) => return invalid_provider_reference(expr, role, diags),
                None => None,
            };
            Some(ProviderRef {
                name: t.root.clone(),
                alias,
            })
        }
        _ => invalid_provider_reference(expr, role, diags),
    }
}

fn invalid_provider_reference(
    expr: &Expr,
    role: &str,
    diags: &mut Diagnostics,
) -> Option<ProviderRef> {
    diags.push(
        Diagnostic::error(
            "Invalid provider configuration reference",
            format!("Each {role} of the providers argument must be a provider name, optionally followed by a period and an alias, such as mcloud.west."),
        )
        .with_span(expr.span.clone()),
    );
    None
}

/// `provider = mcloud` or `provider = mcloud.west`, as resources and import blocks take it.
fn provider_argument(a: &Attribute, diags: &mut Diagnostics) -> Option<ProviderRef> {
    match a.expr.as_static_traversal() {
        Some(t)
            if t.steps.len() <= 1
                && t.steps
                    .iter()
                    .all(|s| matches!(s, crate::hcl::ast::Step::Attr(_))) =>
        {
            let alias = match t.steps.first() {
                Some(crate::hcl::ast::Step::Attr(a)) => Some(a.clone()),
                _ => None,
            };
            Some(ProviderRef {
                name: t.root.clone(),
                alias,
            })
        }
        _ => {
            diags.push(
                Diagnostic::error(
                    "Invalid provider reference",
                    "The provider argument requires a provider name, optionally followed by a period and an alias, such as mcloud.other.",
                )
                .with_span(a.expr.span.clone()),
            );
            None
        }
    }
}

/// An `import` block: `to` (a managed resource instance address, written statically), `id`
/// (any expression; evaluated at plan time), optional `provider`.
fn decode_import(b: &Block, diags: &mut Diagnostics) -> Option<Import> {
    let before = diags.0.len();
    check_allowed(&b.body, &["to", "id", "provider"], &[], diags);
    let missing = |name: &str| {
        Diagnostic::error(
            "Missing required argument",
            format!("The argument {name:?} is required, but no definition was found."),
        )
        .with_span(b.kind_span.clone())
    };
    let to = match b.body.attribute("to") {
        None => {
            diags.push(missing("to"));
            None
        }
        Some(a) => {
            let invalid = |why: String| {
                Diagnostic::error("Invalid import address", why).with_span(a.expr.span.clone())
            };
            match a.expr.as_static_traversal() {
                None => {
                    diags.push(invalid("The \"to\" argument takes a resource instance address written directly, such as mcloud_instance.web or mcloud_instance.web[0].".into()));
                    None
                }
                Some(t) => match crate::addr::parse_target(&traversal_string(&t)) {
                    Ok(crate::addr::Target::Instance(i)) => Some((i, a.expr.span.clone())),
                    Ok(crate::addr::Target::Resource(r)) => Some((
                        r.instance(crate::addr::InstanceKey::None),
                        a.expr.span.clone(),
                    )),
                    Ok(crate::addr::Target::Module(m)) => {
                        diags.push(invalid(format!("{m} is a module; an import block imports one resource instance, such as mcloud_instance.web.")));
                        None
                    }
                    Err(e) => {
                        diags.push(invalid(format!(
                            "The \"to\" argument must be a resource instance address: {e}."
                        )));
                        None
                    }
                },
            }
        }
    };
    if let Some((to, span)) = &to {
        if to.resource.mode == crate::addr::Mode::Data {
            diags.push(
                Diagnostic::error(
                    "Invalid import address",
                    format!("{to} is a data source; only managed resources can be imported."),
                )
                .with_span(span.clone()),
            );
        }
    }
    let id = b.body.attribute("id").map(|a| a.expr.clone());
    if id.is_none() {
        diags.push(missing("id"));
    }
    let (provider, provider_span) = match b.body.attribute("provider") {
        Some(a) => (provider_argument(a, diags), Some(a.expr.span.clone())),
        None => (None, None),
    };
    if diags.0.len() > before {
        return None;
    }
    let (to, to_span) = to?;
    Some(Import {
        to,
        id: id?,
        provider,
        provider_span,
        to_span,
        span: b.kind_span.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5 minutes"), None);
        assert_eq!(parse_duration("99999999999h"), None);
    }
}
