//! `[for k, v in coll : expr if cond]` and `{for k, v in coll : key => value...}`.
//!
//! Lists and tuples iterate with their index as key, sets in set order with the element
//! as key, maps and objects in key order. An unknown collection (or an unknown condition)
//! gives an unknown result; a sensitive collection gives a sensitive result.

use super::marks::{mark_if, unmark};
use super::{error, evaluate, EvalResult, Scope};
use crate::diag::Diagnostics;
use crate::hcl::ast::{Expr, ForExpr};
use crate::lang::{Number, Type, Value};
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// The elements a `for` visits.
pub(crate) enum Iteration {
    Items {
        items: Vec<(Value, Value)>,
        sensitive: bool,
    },
    Unknown {
        sensitive: bool,
    },
}

/// Turns a collection value into (key, value) pairs, or explains why it cannot be
/// iterated, pointing at the collection expression.
pub(crate) fn iterate(collection: Value, expr: &Expr) -> Result<Iteration, Diagnostics> {
    let (v, sensitive) = unmark(collection);
    let items = match v {
        Value::Unknown(t) if t.is_primitive() => {
            return Err(error(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    crate::lang::convert::friendly_name(&t)
                ),
                &expr.span,
            ))
        }
        Value::Unknown(_) => return Ok(Iteration::Unknown { sensitive }),
        Value::Null => {
            return Err(error(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                &expr.span,
            ))
        }
        Value::List(xs) | Value::Tuple(xs) => xs
            .into_iter()
            .enumerate()
            .map(|(i, x)| (Value::Number(Number::from_i64(i as i64)), x))
            .collect(),
        Value::Set(xs) => xs.into_iter().map(|x| (x.clone(), x)).collect(),
        Value::Map(m) | Value::Object(m) => {
            m.into_iter().map(|(k, x)| (Value::String(k), x)).collect()
        }
        other => {
            return Err(error(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    type_name(&other)
                ),
                &expr.span,
            ))
        }
    };
    Ok(Iteration::Items { items, sensitive })
}

/// Terraform checks the `if` clause once with unknown iterator values before iterating,
/// so a condition that can never be a bool is reported even for an empty collection.
fn precheck_condition(f: &ForExpr, cond: &Expr, scope: &Scope) -> Result<(), Diagnostics> {
    let mut bindings = Vec::with_capacity(2);
    if let Some(k) = &f.key_var {
        bindings.push((k.clone(), Value::unknown()));
    }
    bindings.push((f.value_var.clone(), Value::unknown()));
    let inner = scope.with_bindings(bindings);
    let (c, _) = unmark(evaluate(cond, &inner)?);
    match c {
        Value::Null => Err(error(
            "Condition is null",
            "The value of the 'if' clause must not be null.",
            &cond.span,
        )),
        Value::String(s) if s != "true" && s != "false" => Err(error(
            "Invalid 'for' condition",
            "The 'if' clause value is invalid: a bool is required.",
            &cond.span,
        )),
        Value::Bool(_) | Value::String(_) => Ok(()),
        Value::Unknown(Type::Bool | Type::String | Type::Dynamic) => Ok(()),
        _ => Err(error(
            "Invalid 'for' condition",
            "The 'if' clause value is invalid: bool required.",
            &cond.span,
        )),
    }
}

/// Terraform's short name for a value's type in messages.
pub(crate) fn type_name(v: &Value) -> String {
    match v.unmarked() {
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::List(_) => "list".into(),
        Value::Set(_) => "set".into(),
        Value::Tuple(_) => "tuple".into(),
        Value::Map(_) => "map".into(),
        Value::Object(_) => "object".into(),
        Value::Null | Value::Unknown(_) | Value::Sensitive(_) => "dynamic".into(),
    }
}

pub(crate) fn eval_for(f: &ForExpr, scope: &Scope) -> EvalResult {
    let mut diags = Diagnostics::new();
    let collection = super::eval_recovering(&f.collection, scope, &mut diags);
    let iteration = iterate(collection, &f.collection);
    if diags.has_errors() {
        if let Err(own) = iteration {
            diags.extend(own);
        }
        return Err(diags);
    }
    let iteration = iteration?;
    if let Some(cond) = &f.cond {
        precheck_condition(f, cond, scope)?;
    }
    let (items, mut sensitive) = match iteration {
        Iteration::Unknown { sensitive } => {
            return Ok(mark_if(Value::unknown(), sensitive));
        }
        Iteration::Items { items, sensitive } => (items, sensitive),
    };
    let mut tuple = Vec::new();
    let mut object: BTreeMap<String, Value> = BTreeMap::new();
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut unknown = false;
    for (k, v) in items {
        let mut bindings = Vec::with_capacity(2);
        if let Some(kn) = &f.key_var {
            bindings.push((kn.clone(), k));
        }
        bindings.push((f.value_var.clone(), v));
        let inner = scope.with_bindings(bindings);
        if let Some(cond) = &f.cond {
            let (c, cs) = unmark(evaluate(cond, &inner)?);
            sensitive |= cs;
            match c {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                Value::Unknown(_) => {
                    unknown = true;
                    continue;
                }
                Value::String(s) if s == "true" => {}
                Value::String(s) if s == "false" => continue,
                Value::Null => {
                    return Err(error(
                        "Condition is null",
                        "The value of the 'if' clause must not be null.",
                        &cond.span,
                    ))
                }
                Value::String(_) => {
                    return Err(error(
                        "Invalid 'for' condition",
                        "The 'if' clause value is invalid: a bool is required.",
                        &cond.span,
                    ))
                }
                _ => {
                    return Err(error(
                        "Invalid 'for' condition",
                        "The 'if' clause value is invalid: bool required.",
                        &cond.span,
                    ))
                }
            }
        }
        let Some(key_expr) = &f.key else {
            tuple.push(evaluate(&f.value, &inner)?);
            continue;
        };
        let (key, ks) = unmark(evaluate(key_expr, &inner)?);
        sensitive |= ks;
        let key = match key {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Unknown(_) => {
                unknown = true;
                evaluate(&f.value, &inner)?;
                continue;
            }
            Value::Null => {
                return Err(error(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    &key_expr.span,
                ))
            }
            _ => {
                return Err(error(
                    "Invalid object key",
                    "The key expression produced an invalid result: string required.",
                    &key_expr.span,
                ))
            }
        };
        let value = evaluate(&f.value, &inner)?;
        if f.group {
            groups.entry(key).or_default().push(value);
            continue;
        }
        match object.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
            Entry::Occupied(taken) => {
                return Err(error(
                    "Duplicate object key",
                    format!(
                        "Two different items produced the key \"{}\" in this 'for' expression. \
                         If duplicates are expected, use the ellipsis (...) after the value \
                         expression to enable grouping by key.",
                        taken.key()
                    ),
                    &key_expr.span,
                ));
            }
        }
    }
    let result = if unknown {
        Value::unknown()
    } else if f.key.is_none() {
        Value::Tuple(tuple)
    } else if f.group {
        Value::Object(
            groups
                .into_iter()
                .map(|(k, vs)| (k, Value::Tuple(vs)))
                .collect(),
        )
    } else {
        Value::Object(object.into())
    };
    Ok(mark_if(result, sensitive))
}
