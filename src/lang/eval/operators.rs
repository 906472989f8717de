//! Unary and binary operators with Terraform's conversions: arithmetic and comparison
//! convert operands to numbers (`"5" + 1` is 6), logic converts to bools, equality never
//! converts. Both operands are always evaluated (no short-circuit), unknown operands give
//! unknown results and sensitive operands give sensitive results.

use super::marks::{mark_if, unmark};
use super::{error, eval_recovering, finish, EvalResult, Scope};
use crate::diag::{Diagnostics, Span};
use crate::hcl::ast::{BinaryOp, Expr, UnaryOp};
use crate::lang::number::ArithmeticError;
use crate::lang::{Number, Type, Value};

pub(crate) fn eval_unary(op: UnaryOp, operand: &Expr, whole: &Expr, scope: &Scope) -> EvalResult {
    let mut diags = Diagnostics::new();
    let (v, sensitive) = unmark(eval_recovering(operand, scope, &mut diags));
    if v.is_null() {
        diags.extend(null_operand(&whole.span));
        return Err(diags);
    }
    let result = match op {
        UnaryOp::Not => match to_bool(&v) {
            Operand::Known(b) => Value::Bool(!b),
            Operand::Unknown => Value::Unknown(Type::Bool),
            Operand::Unsuitable(why) => {
                diags.extend(unsuitable("unary", &why, &operand.span));
                Value::Unknown(Type::Bool)
            }
        },
        UnaryOp::Negate => match to_number(&v) {
            Operand::Known(n) => Value::Number(n.neg()),
            Operand::Unknown => Value::Unknown(Type::Number),
            Operand::Unsuitable(why) => {
                diags.extend(unsuitable("unary", &why, &operand.span));
                Value::Unknown(Type::Number)
            }
        },
    };
    finish(mark_if(result, sensitive), diags)
}

pub(crate) fn eval_binary(
    op: BinaryOp,
    lhs: &Expr,
    rhs: &Expr,
    whole: &Expr,
    scope: &Scope,
) -> EvalResult {
    // Both sides are evaluated, and checked, even when one of them fails: Terraform
    // reports every problem (no short-circuit).
    let mut diags = Diagnostics::new();
    let left = eval_recovering(lhs, scope, &mut diags);
    let right = eval_recovering(rhs, scope, &mut diags);
    // Equality looks inside collections, so a mark anywhere inside marks the result.
    let deep = matches!(op, BinaryOp::Eq | BinaryOp::NotEq)
        && (left.contains_sensitive() || right.contains_sensitive());
    let (left, ls) = unmark(left);
    let (right, rs) = unmark(right);
    let sensitive = ls || rs || deep;
    let result = match op {
        BinaryOp::Eq | BinaryOp::NotEq => {
            let want = op == BinaryOp::Eq;
            Ok(match values_equal(&left, &right) {
                Some(eq) => Value::Bool(eq == want),
                None => Value::Unknown(Type::Bool),
            })
        }
        BinaryOp::And | BinaryOp::Or => logic(op, &left, &right, lhs, rhs, &whole.span),
        _ => arithmetic(op, &left, &right, lhs, rhs, &whole.span),
    };
    match result {
        Ok(v) => finish(mark_if(v, sensitive), diags),
        Err(own) => {
            diags.extend(own);
            Err(diags)
        }
    }
}

/// An operand after conversion.
enum Operand<T> {
    Known(T),
    Unknown,
    /// Why it cannot be converted (the end of Terraform's "Unsuitable value" sentence).
    Unsuitable(String),
}

fn to_number(v: &Value) -> Operand<Number> {
    match v {
        Value::Number(n) => Operand::Known(n.clone()),
        Value::Unknown(Type::Number | Type::String | Type::Dynamic) => Operand::Unknown,
        Value::String(s) => match Number::parse_strict(s) {
            Some(n) => Operand::Known(n),
            None => Operand::Unsuitable("a number is required".into()),
        },
        _ => Operand::Unsuitable("number required".into()),
    }
}

fn to_bool(v: &Value) -> Operand<bool> {
    match v {
        Value::Bool(b) => Operand::Known(*b),
        Value::Unknown(Type::Bool | Type::String | Type::Dynamic) => Operand::Unknown,
        Value::String(s) if s == "true" => Operand::Known(true),
        Value::String(s) if s == "false" => Operand::Known(false),
        Value::String(_) => Operand::Unsuitable("a bool is required".into()),
        _ => Operand::Unsuitable("bool required".into()),
    }
}

fn unsuitable(side: &str, why: &str, span: &Span) -> Diagnostics {
    error(
        "Invalid operand",
        format!("Unsuitable value for {side} operand: {why}."),
        span,
    )
}

fn null_operand(span: &Span) -> Diagnostics {
    error(
        "Operation failed",
        "Error during operation: argument must not be null.",
        span,
    )
}

/// Converts both operands, collecting an error for each unsuitable one.
fn convert_both<T>(
    left: &Value,
    right: &Value,
    lhs: &Expr,
    rhs: &Expr,
    whole: &Span,
    conv: fn(&Value) -> Operand<T>,
) -> Result<Option<(T, T)>, Diagnostics> {
    if left.is_null() || right.is_null() {
        return Err(null_operand(whole));
    }
    let (l, r) = (conv(left), conv(right));
    let mut diags = Diagnostics::new();
    if let Operand::Unsuitable(why) = &l {
        diags.extend(unsuitable("left", why, &lhs.span));
    }
    if let Operand::Unsuitable(why) = &r {
        diags.extend(unsuitable("right", why, &rhs.span));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    match (l, r) {
        (Operand::Known(a), Operand::Known(b)) => Ok(Some((a, b))),
        _ => Ok(None),
    }
}

fn logic(
    op: BinaryOp,
    left: &Value,
    right: &Value,
    lhs: &Expr,
    rhs: &Expr,
    whole: &Span,
) -> EvalResult {
    Ok(match convert_both(left, right, lhs, rhs, whole, to_bool)? {
        Some((a, b)) if op == BinaryOp::And => Value::Bool(a && b),
        Some((a, b)) => Value::Bool(a || b),
        None => Value::Unknown(Type::Bool),
    })
}

fn arithmetic(
    op: BinaryOp,
    left: &Value,
    right: &Value,
    lhs: &Expr,
    rhs: &Expr,
    whole: &Span,
) -> EvalResult {
    let comparison = matches!(
        op,
        BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq
    );
    let Some((a, b)) = convert_both(left, right, lhs, rhs, whole, to_number)? else {
        let ty = if comparison { Type::Bool } else { Type::Number };
        return Ok(Value::Unknown(ty));
    };
    Ok(match op {
        BinaryOp::Lt => Value::Bool(a < b),
        BinaryOp::LtEq => Value::Bool(a <= b),
        BinaryOp::Gt => Value::Bool(a > b),
        BinaryOp::GtEq => Value::Bool(a >= b),
        BinaryOp::Add => Value::Number(a.add(&b)),
        BinaryOp::Sub => Value::Number(a.sub(&b)),
        BinaryOp::Mul => Value::Number(a.mul(&b)),
        BinaryOp::Mod => Value::Number(a.rem(&b)),
        BinaryOp::Div => {
            match a.div(&b) {
                Ok(n) => Value::Number(n),
                Err(ArithmeticError::DivisionByZero) => return Err(error(
                    "Division by zero",
                    "The right operand of \"/\" is zero, and a number cannot be divided by zero. \
                     Check the divisor, or guard the division with a conditional expression.",
                    &rhs.span,
                )),
            }
        }
        // Handled by the caller; listed so the match stays exhaustive.
        BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::And | BinaryOp::Or => Value::Null,
    })
}

/// Terraform's `==`: deep equality without any type conversion, so a list never equals a
/// tuple and a map never equals an object. `None` when unknown values make the answer
/// unknown. Sensitive marks are ignored.
pub fn values_equal(a: &Value, b: &Value) -> Option<bool> {
    let (a, b) = (a.unmarked(), b.unmarked());
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(xs), Value::List(ys))
        | (Value::Tuple(xs), Value::Tuple(ys))
        | (Value::Set(xs), Value::Set(ys)) => {
            if xs.len() != ys.len() {
                return Some(false);
            }
            for (x, y) in xs.iter().zip(ys) {
                match values_equal(x, y) {
                    Some(true) => {}
                    other => return other,
                }
            }
            Some(true)
        }
        (Value::Map(xs), Value::Map(ys)) | (Value::Object(xs), Value::Object(ys)) => {
            if xs.len() != ys.len() || !xs.keys().eq(ys.keys()) {
                return Some(false);
            }
            for (x, y) in xs.values().zip(ys.values()) {
                match values_equal(x, y) {
                    Some(true) => {}
                    other => return other,
                }
            }
            Some(true)
        }
        _ => Some(false),
    }
}
