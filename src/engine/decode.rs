//! Decoding a block body against a provider schema into a configuration value: every schema
//! attribute present (null where unset), nested blocks as objects or lists, values converted
//! to the schema's types. Unknown arguments get a "did you mean".

use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Span};
use crate::hcl::ast::{Block, Body, BodyItem, Expr};
use crate::lang::convert::convert;
use crate::lang::{eval, EvalContext, Value, ValueMap};
use crate::provider::schema::{Nesting, Schema};

/// Checks a body's structure against a schema without evaluating anything (for
/// `validate` and before planning): unknown arguments and blocks, missing required
/// arguments, computed-only attributes that were set, block counts.
pub fn check_body(body: &Body, schema: &Schema, header: &Span, diags: &mut Diagnostics) {
    for item in &body.items {
        match item {
            BodyItem::Attribute(a) => match schema.attributes.get(&a.name) {
                None => {
                    let mut detail = format!("An argument named {:?} is not expected here.", a.name);
                    if let Some(s) = did_you_mean(&a.name, schema.names()) {
                        detail.push_str(&format!(" Did you mean {s:?}?"));
                    }
                    diags.push(Diagnostic::error("Unsupported argument", detail).with_span(a.name_span.clone()));
                }
                Some(attr) if attr.computed && !attr.optional && !attr.required => diags.push(
                    Diagnostic::error(
                        "Value for unconfigurable attribute",
                        format!("Can't configure a value for {:?}: its value will be decided automatically based on the result of applying this configuration.", a.name),
                    )
                    .with_span(a.name_span.clone()),
                ),
                Some(_) => {}
            },
            BodyItem::Block(b) => {
                let kind = if b.kind == "dynamic" { b.labels.first().map(|l| l.value.as_str()).unwrap_or("") } else { b.kind.as_str() };
                match schema.blocks.get(kind) {
                    None => {
                        let mut detail = format!("Blocks of type {kind:?} are not expected here.");
                        if let Some(s) = did_you_mean(kind, schema.names()) {
                            detail.push_str(&format!(" Did you mean {s:?}?"));
                        }
                        diags.push(Diagnostic::error("Unsupported block type", detail).with_span(b.kind_span.clone()));
                    }
                    Some(nb) if b.kind != "dynamic" => check_body(&b.body, &nb.schema, &b.kind_span, diags),
                    Some(_) => {}
                }
            }
        }
    }
    for (name, attr) in &schema.attributes {
        if attr.required && body.attribute(name).is_none() {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!("The argument {name:?} is required, but no definition was found."),
                )
                .with_span(header.clone()),
            );
        }
    }
    for (name, nb) in &schema.blocks {
        let n = body.blocks().filter(|b| &b.kind == name).count();
        let dynamic = body
            .blocks()
            .any(|b| b.kind == "dynamic" && b.labels.first().is_some_and(|l| &l.value == name));
        if n < nb.min_items && !dynamic {
            diags.push(
                Diagnostic::error(
                    "Insufficient ".to_string() + name + " blocks",
                    format!("At least {} {name:?} block(s) are required.", nb.min_items),
                )
                .with_span(header.clone()),
            );
        }
        if nb.max_items > 0 && n > nb.max_items {
            let extra = body.blocks().filter(|b| &b.kind == name).nth(nb.max_items);
            let mut d = Diagnostic::error(
                format!("Too many {name} blocks"),
                format!(
                    "No more than {} {name:?} block(s) are allowed.",
                    nb.max_items
                ),
            );
            d.span = extra.map(|b| b.kind_span.clone()).or(Some(header.clone()));
            diags.push(d);
        }
    }
}

/// Evaluates a body into a value conforming to `schema`. The caller has run
/// [`check_body`]; `ctx` holds what the expressions may refer to.
pub fn decode_body(
    body: &Body,
    schema: &Schema,
    ctx: &EvalContext,
    diags: &mut Diagnostics,
) -> Value {
    let mut out = ValueMap::with_capacity(schema.attributes.len() + schema.blocks.len());
    for (name, attr) in &schema.attributes {
        let v = match body.attribute(name) {
            Some(a) => match eval(&a.expr, ctx) {
                Ok(v) => convert_attr(name, &v, &attr.ty, &a.expr, diags),
                Err(d) => {
                    diags.extend(d);
                    Value::Null
                }
            },
            None => Value::Null,
        };
        out.insert(name.clone(), v);
    }
    for (name, nb) in &schema.blocks {
        let mut items = Vec::new();
        for b in body.blocks() {
            if &b.kind == name {
                items.push(decode_body(&b.body, &nb.schema, ctx, diags));
            } else if b.kind == "dynamic" && b.labels.first().is_some_and(|l| &l.value == name) {
                items.extend(expand_dynamic(b, &nb.schema, ctx, diags));
            }
        }
        let v = match nb.nesting {
            Nesting::Single => items.into_iter().next().unwrap_or(Value::Null),
            Nesting::List => Value::List(items),
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

fn convert_attr(
    name: &str,
    v: &Value,
    ty: &crate::lang::Type,
    expr: &Expr,
    diags: &mut Diagnostics,
) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    match convert(v, ty) {
        Ok(v) => v,
        Err(e) => {
            let at = if e.path.is_empty() {
                String::new()
            } else {
                format!(" at {}", e.path)
            };
            diags.push(
                Diagnostic::error(
                    "Incorrect attribute value type",
                    format!(
                        "Inappropriate value for attribute {name:?}{at}: {}.",
                        e.message
                    ),
                )
                .with_span(expr.span.clone()),
            );
            Value::Null
        }
    }
}

/// `dynamic "network" { for_each = ...  iterator = n  content { ... } }`.
fn expand_dynamic(
    b: &Block,
    schema: &Schema,
    ctx: &EvalContext,
    diags: &mut Diagnostics,
) -> Vec<Value> {
    let label = b
        .labels
        .first()
        .map(|l| l.value.clone())
        .unwrap_or_default();
    let iterator = match b.body.attribute("iterator") {
        Some(a) => match a.expr.as_static_traversal() {
            Some(t) if t.steps.is_empty() => t.root,
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid dynamic iterator name",
                        "The iterator must be a single name.",
                    )
                    .with_span(a.expr.span.clone()),
                );
                return Vec::new();
            }
        },
        None => label.clone(),
    };
    let Some(for_each) = b.body.attribute("for_each") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"for_each\" is required, but no definition was found.",
            )
            .with_span(b.kind_span.clone()),
        );
        return Vec::new();
    };
    let Some(content) = b.body.blocks().find(|c| c.kind == "content") else {
        diags.push(
            Diagnostic::error(
                "Missing content block",
                "A dynamic block needs a \"content\" block describing each generated block.",
            )
            .with_span(b.kind_span.clone()),
        );
        return Vec::new();
    };
    let collection = match eval(&for_each.expr, ctx) {
        Ok(v) => v,
        Err(d) => {
            diags.extend(d);
            return Vec::new();
        }
    };
    let pairs: Vec<(Value, Value)> = match collection.unmarked() {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs
            .iter()
            .enumerate()
            .map(|(i, x)| (Value::number(i as i64), x.clone()))
            .collect(),
        Value::Map(m) | Value::Object(m) => m
            .iter()
            .map(|(k, x)| (Value::string(k.clone()), x.clone()))
            .collect(),
        Value::Null => {
            diags.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    "Cannot use a null value in for_each.",
                )
                .with_span(for_each.expr.span.clone()),
            );
            return Vec::new();
        }
        _ => {
            diags.push(
                Diagnostic::error("Invalid dynamic for_each value", "Cannot use a value of this type in for_each. A map, set, list or tuple is required.")
                    .with_span(for_each.expr.span.clone()),
            );
            return Vec::new();
        }
    };
    pairs
        .into_iter()
        .map(|(k, v)| {
            let mut inner = ctx.clone();
            inner
                .variables
                .insert(iterator.clone(), Value::object([("key", k), ("value", v)]));
            decode_body(&content.body, schema, &inner, diags)
        })
        .collect()
}
