//! Tuple and object constructors: `[a, b]` and `{ key = value }`.

use super::marks::{mark_if, unmark};
use super::{error, evaluate, EvalResult, Scope};
use crate::diag::Diagnostics;
use crate::hcl::ast::{Expr, ExprKind};
use crate::lang::Value;
use std::collections::BTreeMap;

pub(crate) fn eval_tuple(items: &[Expr], scope: &Scope) -> EvalResult {
    let mut out = Vec::with_capacity(items.len());
    let mut diags = Diagnostics::new();
    for item in items {
        match evaluate(item, scope) {
            Ok(v) => out.push(v),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Value::Tuple(out))
}

/// Object constructor. A bare name as key (`{a = 1}`, also `{null = 1}`) is the literal
/// string; any other key expression is evaluated and must give a string (numbers and bools
/// are converted). A later duplicate key wins, as in Terraform. An unknown key makes the
/// whole object unknown; a sensitive key makes it sensitive.
pub(crate) fn eval_object(items: &[(Expr, Expr)], scope: &Scope) -> EvalResult {
    let mut out = BTreeMap::new();
    let mut diags = Diagnostics::new();
    let mut unknown = false;
    let mut sensitive = false;
    for (key_expr, value_expr) in items {
        let key = match object_key(key_expr, scope) {
            Ok(ObjectKey::Known(k, s)) => {
                sensitive |= s;
                Some(k)
            }
            Ok(ObjectKey::Unknown) => {
                unknown = true;
                None
            }
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        match evaluate(value_expr, scope) {
            Ok(v) => {
                if let Some(k) = key {
                    out.insert(k, v);
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let result = if unknown {
        Value::unknown()
    } else {
        Value::Object(out.into())
    };
    Ok(mark_if(result, sensitive))
}

enum ObjectKey {
    /// The key and whether it was sensitive.
    Known(String, bool),
    Unknown,
}

fn object_key(key: &Expr, scope: &Scope) -> Result<ObjectKey, Diagnostics> {
    match &key.kind {
        ExprKind::Variable(name) => return Ok(ObjectKey::Known(name.clone(), false)),
        ExprKind::Null => return Ok(ObjectKey::Known("null".into(), false)),
        ExprKind::Bool(b) => return Ok(ObjectKey::Known(b.to_string(), false)),
        _ => {}
    }
    let (v, sensitive) = unmark(evaluate(key, scope)?);
    match v {
        Value::String(s) => Ok(ObjectKey::Known(s, sensitive)),
        Value::Number(n) => Ok(ObjectKey::Known(n.to_string(), sensitive)),
        Value::Bool(b) => Ok(ObjectKey::Known(b.to_string(), sensitive)),
        Value::Unknown(_) => Ok(ObjectKey::Unknown),
        Value::Null => Err(error(
            "Null value as key",
            "Can't use a null value as a key.",
            &key.span,
        )),
        _ => Err(error(
            "Incorrect key type",
            "Can't use this value as a key: string required.",
            &key.span,
        )),
    }
}
