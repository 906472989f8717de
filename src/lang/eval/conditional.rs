//! `cond ? a : b`: the condition must be a bool; both results are unified to one type
//! (`true ? 1 : "a"` is `"1"`), and an unknown condition gives an unknown of that type.
//! An error in the branch that is not taken is ignored, as Terraform does.

use super::marks::{mark_if, unmark};
use super::{error, evaluate, EvalResult, Scope};
use crate::diag::Diagnostics;
use crate::hcl::ast::Expr;
use crate::lang::{convert, Type, Value};

pub(crate) fn eval_conditional(
    cond: &Expr,
    then: &Expr,
    otherwise: &Expr,
    scope: &Scope,
) -> EvalResult {
    // Terraform's order: both results first, and their types must agree before the
    // condition is even looked at. A failed branch stands in with what it would have
    // been (an unknown of its operator's type, or of any type).
    let then_v = evaluate(then, scope);
    let other_v = evaluate(otherwise, scope);
    let (stand_a, stand_b);
    let a = match &then_v {
        Ok(v) => v,
        Err(_) => {
            stand_a = super::recovered(then);
            &stand_a
        }
    };
    let b = match &other_v {
        Ok(v) => v,
        Err(_) => {
            stand_b = super::recovered(otherwise);
            &stand_b
        }
    };
    let ty = match result_type(a, b, then, otherwise) {
        Ok(t) => Some(t),
        Err(mut d) => {
            for failed in [&then_v, &other_v]
                .into_iter()
                .filter_map(|r| r.as_ref().err())
            {
                d.extend(failed.clone());
            }
            return Err(d);
        }
    };
    // A condition that failed is not checked further (Terraform reports only its errors).
    let (choice, sensitive) = condition_value(evaluate(cond, scope)?, cond)?;
    let result = match (choice, then_v, other_v) {
        (Some(true), Ok(a), Ok(b)) => unify_chosen(a, &b, ty.unwrap_or(Type::Dynamic), then)?,
        (Some(false), Ok(a), Ok(b)) => unify_chosen(b, &a, ty.unwrap_or(Type::Dynamic), otherwise)?,
        // An error in the branch not taken is ignored.
        (Some(true), Ok(a), Err(_)) => a,
        (Some(false), Err(_), Ok(b)) => b,
        (None, Ok(_), Ok(_)) => Value::Unknown(ty.unwrap_or(Type::Dynamic)),
        (_, Err(e), _) | (_, _, Err(e)) => return Err(e),
    };
    Ok(mark_if(result, sensitive))
}

/// Reads a condition: `Some(bool)` when known, `None` when unknown, plus whether it was
/// sensitive. `"true"`/`"false"` strings convert, as in Terraform.
pub(crate) fn condition_value(v: Value, cond: &Expr) -> Result<(Option<bool>, bool), Diagnostics> {
    let (v, sensitive) = unmark(v);
    let known = match v {
        Value::Bool(b) => Some(b),
        Value::Unknown(Type::Bool | Type::String | Type::Dynamic) => None,
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        Value::Null => {
            return Err(error(
                "Null condition",
                "The condition value is null. Conditions must either be true or false.",
                &cond.span,
            ))
        }
        _ => {
            return Err(error(
                "Incorrect condition type",
                "The condition expression must be of type bool.",
                &cond.span,
            ))
        }
    };
    Ok((known, sensitive))
}

/// Converts the chosen result to the type both branches share. A bare `null` on either
/// side takes the other side's type, so the chosen value is returned as it is.
fn unify_chosen(chosen: Value, other: &Value, ty: Type, chosen_expr: &Expr) -> EvalResult {
    if chosen.is_null() || other.is_null() || ty == Type::Dynamic {
        return Ok(chosen);
    }
    let (inner, sensitive) = unmark(chosen);
    match convert::convert(&inner, &ty) {
        Ok(v) => Ok(mark_if(v, sensitive)),
        Err(e) => Err(error(
            "Inconsistent conditional result types",
            format!(
                "The result value cannot be converted to {ty}: {}.",
                e.message
            ),
            &chosen_expr.span,
        )),
    }
}

fn result_type(a: &Value, b: &Value, a_expr: &Expr, b_expr: &Expr) -> Result<Type, Diagnostics> {
    if a.is_null() {
        return Ok(b.type_of());
    }
    if b.is_null() {
        return Ok(a.type_of());
    }
    match convert::unify(&[a.type_of(), b.type_of()]) {
        Some(t) => Ok(t),
        None => Err(error(
            "Inconsistent conditional result types",
            format!(
                "The true and false result expressions must have consistent types. The \
                 given expressions are {} and {}, respectively.",
                convert::friendly_name(&a.type_of()),
                convert::friendly_name(&b.type_of())
            ),
            &a_expr.span.to(&b_expr.span),
        )),
    }
}
