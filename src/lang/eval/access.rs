//! Reading inside values: `x.attr`, `x[key]` and splats (`x[*].a`, legacy `x.*.a`).
//!
//! Indexing an unknown value gives an unknown; a sensitive container gives sensitive
//! results. Errors use Terraform's summaries ("Unsupported attribute", "Invalid index",
//! "Missing map element", ...) and point at the expression being accessed.

use super::for_expr::type_name;
use super::marks::{mark_if, unmark};
use super::{error, evaluate, EvalResult, Scope};
use crate::diag::{Diagnostics, Span};
use crate::hcl::ast::{Expr, ExprKind, TemplatePart};
use crate::lang::{Number, Value};

pub(crate) fn eval_get_attr(inner: &Expr, name: &str, whole: &Expr, scope: &Scope) -> EvalResult {
    if let Some(v) = borrow_path(whole, scope) {
        return Ok(v.clone());
    }
    let v = evaluate(inner, scope)?;
    get_attr(v, name, &whole.span)
}

/// `v.name` on an already evaluated value.
pub(crate) fn get_attr(v: Value, name: &str, span: &Span) -> EvalResult {
    let (v, sensitive) = unmark(v);
    let result = match v {
        Value::Unknown(_) => Value::unknown(),
        Value::Null => {
            return Err(error(
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
                span,
            ))
        }
        Value::Object(mut m) => match m.remove(name) {
            Some(x) => x,
            None => {
                return Err(error(
                    "Unsupported attribute",
                    format!("This object does not have an attribute named \"{name}\"."),
                    span,
                ))
            }
        },
        Value::Map(mut m) => match m.remove(name) {
            Some(x) => x,
            None => {
                return Err(error(
                    "Missing map element",
                    format!("This map does not have an element with the key \"{name}\"."),
                    span,
                ))
            }
        },
        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
            return Err(error(
                "Unsupported attribute",
                format!(
                    "Can't access attributes on a primitive-typed value ({}).",
                    type_name(&v)
                ),
                span,
            ))
        }
        _ => {
            return Err(error(
                "Unsupported attribute",
                "This value does not have any attributes.",
                span,
            ))
        }
    };
    Ok(mark_if(result, sensitive))
}

pub(crate) fn eval_index(inner: &Expr, key: &Expr, whole: &Expr, scope: &Scope) -> EvalResult {
    if let Some(v) = borrow_path(whole, scope) {
        return Ok(v.clone());
    }
    let collection = evaluate(inner, scope);
    let key_v = evaluate(key, scope);
    let (collection, key_v) = match (collection, key_v) {
        (Ok(c), Ok(k)) => (c, k),
        (Err(mut a), Err(b)) => {
            a.extend(b);
            return Err(a);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    index(collection, key_v, &whole.span)
}

/// The fast path for references such as `mcloud_instance.web[count.index].id`: walks
/// the root value by reference and clones only what the reference selects, instead of
/// cloning a whole resource type's object at the root. Keys may be literals or other such
/// references. `None` whenever anything is unusual (a missing key, a sensitive or unknown
/// step, a key that needs evaluating), and the general path then produces the value or
/// the error.
fn borrow_path<'s>(expr: &Expr, scope: &'s Scope<'_>) -> Option<&'s Value> {
    match &expr.kind {
        ExprKind::Variable(name) => scope.lookup(name),
        ExprKind::Parens(inner) => borrow_path(inner, scope),
        ExprKind::GetAttr(inner, name) => match borrow_path(inner, scope)? {
            Value::Object(m) | Value::Map(m) => m.get(name),
            _ => None,
        },
        ExprKind::Index(inner, key) => {
            let base = borrow_path(inner, scope)?;
            let literal;
            let key = match &key.kind {
                ExprKind::Number(n) => {
                    literal = Value::Number(crate::lang::Number::from_literal(n)?);
                    &literal
                }
                ExprKind::Template(parts) => match parts.as_slice() {
                    [TemplatePart::Literal(text)] => {
                        literal = Value::String(text.clone());
                        &literal
                    }
                    _ => return None,
                },
                _ => borrow_path(key, scope)?,
            };
            match (base, key) {
                (Value::List(xs) | Value::Tuple(xs), Value::Number(n)) => {
                    xs.get(usize::try_from(n.to_i64()?).ok()?)
                }
                (Value::Map(m) | Value::Object(m), Value::String(k)) => m.get(k),
                _ => None,
            }
        }
        _ => None,
    }
}

fn invalid_index(detail: &str, span: &Span) -> Diagnostics {
    error("Invalid index", detail, span)
}

const NOT_IN_COLLECTION: &str =
    "The given key does not identify an element in this collection value.";

/// `collection[key]` on evaluated values.
pub(crate) fn index(collection: Value, key: Value, span: &Span) -> EvalResult {
    let (collection, cs) = unmark(collection);
    let (key, ks) = unmark(key);
    let sensitive = cs || ks;
    if collection.is_null() {
        return Err(error(
            "Attempt to index null value",
            "This value is null, so it does not have any indices.",
            span,
        ));
    }
    if key.is_null() {
        return Err(invalid_index(
            "Can't use a null value as an indexing key.",
            span,
        ));
    }
    if collection.is_unknown() || key.is_unknown() {
        return Ok(mark_if(Value::unknown(), sensitive));
    }
    let is_object = matches!(collection, Value::Object(_));
    let result = match collection {
        Value::List(mut xs) | Value::Tuple(mut xs) => {
            let i = sequence_index(&key, span)?;
            if i >= xs.len() {
                return Err(invalid_index(NOT_IN_COLLECTION, span));
            }
            xs.swap_remove(i)
        }
        Value::Map(mut m) | Value::Object(mut m) => {
            let numeric_key_on_object = is_object && matches!(key, Value::Number(_));
            let k = match key {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(invalid_index(
                        "The given key does not identify an element in this collection value: \
                         string required.",
                        span,
                    ))
                }
            };
            match m.remove(&k) {
                Some(x) => x,
                None if numeric_key_on_object => {
                    return Err(invalid_index(
                        "The given key does not identify an element in this collection value. \
                         An object only supports looking up attributes by name, not by numeric \
                         index.",
                        span,
                    ))
                }
                None => return Err(invalid_index(NOT_IN_COLLECTION, span)),
            }
        }
        Value::Set(_) => {
            return Err(invalid_index(
                "Elements of a set are identified only by their value and don't have any \
                 separate index or key to select with, so it's only possible to perform \
                 operations across all elements of the set.",
                span,
            ))
        }
        _ => return Err(invalid_index("This value does not have any indices.", span)),
    };
    Ok(mark_if(result, sensitive))
}

/// A list or tuple index: a whole, non-negative number (or a string holding one).
fn sequence_index(key: &Value, span: &Span) -> Result<usize, Diagnostics> {
    let n = match key {
        Value::Number(n) => n.clone(),
        Value::String(s) => match Number::parse_strict(s) {
            Some(n) => n,
            None => {
                return Err(invalid_index(
                    "The given key does not identify an element in this collection value: \
                     a number is required.",
                    span,
                ))
            }
        },
        _ => {
            return Err(invalid_index(
                "The given key does not identify an element in this collection value: \
                 number required.",
                span,
            ))
        }
    };
    if !n.is_integer() {
        return Err(invalid_index(
            "The given key does not identify an element in this collection value: indexing a \
             sequence requires a whole number, but the given index has a fractional part.",
            span,
        ));
    }
    if n < Number::from_i64(0) {
        return Err(invalid_index(
            "The given key does not identify an element in this collection value: a negative \
             number is not a valid index for a sequence.",
            span,
        ));
    }
    // Indexes beyond usize are out of range of any collection.
    Ok(n.to_i64().map(|i| i as usize).unwrap_or(usize::MAX))
}

/// `source[*].each`: applies `each` to every element of a list, tuple or set; a single
/// non-null value is treated as a one-element tuple, `null` as an empty one.
///
/// In `a[*].b[*].c` the second splat belongs to the first one's per-element traversal
/// (`[[1]]` for `[{b = [{c = 1}]}]`), but the syntax tree nests it the other way round
/// (the second splat's source is the first splat). Such a chain is unwound here and
/// applied element by element; a parenthesised source is a separate value and is not.
pub(crate) fn eval_splat(source: &Expr, each: &Expr, legacy: bool, scope: &Scope) -> EvalResult {
    let mut steps = vec![each];
    let mut base = source;
    if !legacy {
        while let ExprKind::Splat {
            source: inner,
            each: inner_each,
            legacy: false,
        } = &base.kind
        {
            steps.push(inner_each);
            base = inner;
        }
    }
    steps.reverse();
    let v = evaluate(base, scope)?;
    splat_chain(v, &steps, scope)
}

/// Splats `v` with the first step, feeding each element's result to the next steps.
fn splat_chain(v: Value, steps: &[&Expr], scope: &Scope) -> EvalResult {
    let Some((each, rest)) = steps.split_first() else {
        return Ok(v);
    };
    let (v, sensitive) = unmark(v);
    let (elements, as_list) = match v {
        Value::Unknown(_) => return Ok(mark_if(Value::unknown(), sensitive)),
        Value::Null => return Ok(mark_if(Value::Tuple(Vec::new()), sensitive)),
        Value::List(xs) | Value::Set(xs) => (xs, true),
        Value::Tuple(xs) => (xs, false),
        other => (vec![other], false),
    };
    let mut out = Vec::with_capacity(elements.len());
    for element in elements {
        let inner = scope.with_splat_item(element);
        let r = evaluate(each, &inner)?;
        out.push(if rest.is_empty() {
            r
        } else {
            splat_chain(r, rest, scope)?
        });
    }
    let result = if as_list {
        Value::List(out)
    } else {
        Value::Tuple(out)
    };
    Ok(mark_if(result, sensitive))
}
