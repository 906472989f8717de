//! Expanding `count` and `for_each` into instance keys.

use super::values::Binding;
use crate::diag::{Diagnostic, Diagnostics};
use crate::hcl::ast::Expr;
use crate::lang::{eval, EvalContext, Value};

/// The largest `count` accepted: far beyond any real fleet, small enough that a typo like
/// `count = 1e12` fails fast instead of exhausting memory.
const MAX_COUNT: i64 = 100_000;

/// The bindings for each instance: one `Binding::None` when neither argument is set.
pub fn expand(
    count: Option<&Expr>,
    for_each: Option<&Expr>,
    ctx: &EvalContext,
) -> Result<Vec<Binding>, Diagnostics> {
    if let Some(expr) = count {
        let v = eval(expr, ctx)?;
        if v.is_unknown() || !v.is_wholly_known() {
            return Err(Diagnostic::error(
                "Invalid count argument",
                "The \"count\" value depends on resource attributes that cannot be determined until apply, so skyform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.",
            )
            .with_span(expr.span.clone())
            .into());
        }
        let n = match v.unmarked() {
            Value::Number(n) => n.clone(),
            Value::String(s) => match crate::lang::Number::parse(s) {
                Some(n) => n,
                None => return Err(count_error(expr, "a number is required")),
            },
            Value::Null => {
                return Err(count_error(
                    expr,
                    "the given \"count\" argument value is null. An integer is required",
                ))
            }
            _ => return Err(count_error(expr, "a number is required")),
        };
        let Some(n) = n.to_i64() else {
            return Err(count_error(expr, "a whole number is required"));
        };
        if n < 0 {
            return Err(count_error(expr, "must be greater than or equal to zero"));
        }
        if n > MAX_COUNT {
            return Err(count_error(expr, &format!("the given \"count\" argument value {n} is larger than skyform's limit of {MAX_COUNT}")));
        }
        return Ok((0..n).map(Binding::Count).collect());
    }
    if let Some(expr) = for_each {
        let v = eval(expr, ctx)?;
        if v.contains_sensitive() {
            return Err(Diagnostic::error(
                "Invalid for_each argument",
                "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.",
            )
            .with_span(expr.span.clone())
            .into());
        }
        let unknown_keys = || -> Diagnostics {
            Diagnostic::error(
                "Invalid for_each argument",
                "The \"for_each\" map includes keys derived from resource attributes that cannot be determined until apply, and so skyform cannot determine the full set of keys that will identify the instances of this resource.\n\nWhen working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values.",
            )
            .with_span(expr.span.clone())
            .into()
        };
        if v.is_unknown() {
            return Err(unknown_keys());
        }
        return match &v {
            Value::Map(m) | Value::Object(m) => {
                Ok(m.iter().map(|(k, x)| Binding::Each { key: k.clone(), value: x.clone() }).collect())
            }
            Value::Set(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    match x.unmarked() {
                        Value::String(s) => out.push(Binding::Each { key: s.clone(), value: x.clone() }),
                        Value::Unknown(_) => return Err(unknown_keys()),
                        _ => {
                            return Err(Diagnostic::error(
                                "Invalid for_each set argument",
                                "The given \"for_each\" argument value is unsuitable: \"for_each\" supports sets of strings only.",
                            )
                            .with_span(expr.span.clone())
                            .into())
                        }
                    }
                }
                Ok(out)
            }
            Value::Null => Err(Diagnostic::error(
                "Invalid for_each argument",
                "The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.",
            )
            .with_span(expr.span.clone())
            .into()),
            Value::List(_) | Value::Tuple(_) => Err(Diagnostic::error(
                "Invalid for_each argument",
                "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type tuple. Convert it with toset() if its elements are unique strings.",
            )
            .with_span(expr.span.clone())
            .into()),
            _ => Err(Diagnostic::error(
                "Invalid for_each argument",
                "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings.",
            )
            .with_span(expr.span.clone())
            .into()),
        };
    }
    Ok(vec![Binding::None])
}

fn count_error(expr: &Expr, why: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid count argument",
        format!("The given \"count\" argument value is unsuitable: {why}."),
    )
    .with_span(expr.span.clone())
    .into()
}
