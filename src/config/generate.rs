//! Configuration written by skyform itself: `resource` blocks for objects read from a cloud
//! (`plan -generate-config-out`, `inventory -generate-config-out`) and the `import` blocks
//! that adopt them. Like Terraform's generated config: a header comment, one block per
//! object with its non-computed arguments in schema order, sensitive values left for the
//! user to fill (`null # sensitive`), then run through our formatter by the caller.

use super::ProviderRef;
use crate::addr::AbsInstance;
use crate::lang::Value;
use crate::provider::schema::{Nesting, Schema};
use std::fmt::Write;

/// The comment every generated file starts with.
pub const FILE_HEADER: &str = "# __generated__ by skyform\n# Please review these resources and move them into your main configuration files.\n";

/// `import { to = ADDR  id = "ID" }` (with `provider` when it is not the default one).
pub fn import_block(to: &AbsInstance, id: &str, provider: Option<&ProviderRef>) -> String {
    let mut out = format!("import {{\n  to = {to}\n  id = {}\n", string_literal(id));
    if let Some(p) = provider.filter(|p| p.alias.is_some()) {
        let _ = writeln!(out, "  provider = {p}");
    }
    out.push_str("}\n");
    out
}

/// A `resource` block holding the arguments of `value` (an object of `schema`), with the
/// `# __generated__ ... from "ID"` comment above it.
pub fn resource_block(
    to: &AbsInstance,
    id: &str,
    provider: Option<&ProviderRef>,
    schema: &Schema,
    value: &Value,
) -> String {
    let mut out = format!(
        "# __generated__ by skyform from {}\nresource \"{}\" \"{}\" {{\n",
        string_literal(id),
        to.resource.type_name,
        to.resource.name
    );
    if let Some(p) = provider.filter(|p| p.alias.is_some()) {
        let _ = writeln!(out, "  provider = {p}");
    }
    body(&mut out, schema, value, 1);
    out.push_str("}\n");
    out
}

/// The arguments and nested blocks of one object at `depth` (two spaces each).
fn body(out: &mut String, schema: &Schema, value: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    for (name, attr) in &schema.attributes {
        if attr.computed && !attr.optional {
            continue;
        }
        let v = value.get_attr(name).cloned().unwrap_or(Value::Null);
        if attr.sensitive || v.is_sensitive() {
            let _ = writeln!(out, "{pad}{name} = null # sensitive");
            continue;
        }
        if v.is_null() || !v.is_wholly_known() {
            continue;
        }
        let _ = writeln!(out, "{pad}{name} = {}", literal(&v.deep_unmarked()));
    }
    for (name, block) in &schema.blocks {
        let v = value.get_attr(name).cloned().unwrap_or(Value::Null);
        let items: Vec<Value> = match (block.nesting, v.unmarked()) {
            (_, Value::Null) => Vec::new(),
            (Nesting::Single, one) => vec![one.clone()],
            (Nesting::List, Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => xs.clone(),
            (Nesting::List, _) => Vec::new(),
        };
        for item in items {
            let _ = writeln!(out, "\n{pad}{name} {{");
            body(out, &block.schema, &item, depth + 1);
            let _ = writeln!(out, "{pad}}}");
        }
    }
}

/// A value as an HCL literal.
fn literal(v: &Value) -> String {
    match v {
        Value::Null | Value::Unknown(_) => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_literal(s),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            let items: Vec<String> = xs.iter().map(literal).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(m) | Value::Object(m) => {
            if m.is_empty() {
                return "{}".to_string();
            }
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{} = {}", string_literal(k), literal(x)))
                .collect();
            format!("{{\n{}\n}}", items.join("\n"))
        }
        Value::Sensitive(inner) => literal(inner),
    }
}

/// A quoted HCL string: JSON escapes, and `${` / `%{` doubled so they stay literal text.
pub fn string_literal(s: &str) -> String {
    serde_json::Value::String(s.to_string())
        .to_string()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// A resource name made from a machine's name (or id): lower case, letters, digits and
/// underscores, starting with a letter; `taken` says which names are already used (a
/// numeric suffix makes it unique).
pub fn resource_name(from: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut base: String = from
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while base.contains("__") {
        base = base.replace("__", "_");
    }
    let base = base.trim_matches('_').to_string();
    let base = match base.chars().next() {
        None => "machine".to_string(),
        Some(c) if c.is_ascii_digit() => format!("m_{base}"),
        Some(_) => base,
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_identifiers_and_unique() {
        assert_eq!(resource_name("Web Server-01", |_| false), "web_server_01");
        assert_eq!(resource_name("", |_| false), "machine");
        assert_eq!(resource_name("9lives", |_| false), "m_9lives");
        assert_eq!(resource_name("数据库", |_| false), "machine");
        let taken = ["web", "web_2"];
        assert_eq!(resource_name("web", |n| taken.contains(&n)), "web_3");
    }

    #[test]
    fn strings_stay_literal() {
        assert_eq!(string_literal("a\"b${x}%{y}\n"), r#""a\"b$${x}%%{y}\n""#);
    }
}
