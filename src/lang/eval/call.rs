//! Function calls. `try`, `can` and `templatefile` are evaluated here because they need
//! unevaluated expressions or the parser; everything else goes to the function library.
//!
//! The evaluator takes care of what is common to every function: expanding `f(xs...)`,
//! unknown arguments (the result is unknown), sensitive arguments (the result is
//! sensitive), "Call to unknown function" with a suggestion, and pointing errors at the
//! argument at fault.

use super::marks::{mark_if, unmark};
use super::suggest::closest_name;
use super::{error, evaluate, EvalResult, Scope};
use crate::diag::{Diagnostics, Span};
use crate::hcl::ast::Expr;
use crate::lang::functions::{self, FunctionContext};
use crate::lang::Value;

/// Functions the evaluator implements itself.
const SPECIAL_FORMS: [&str; 3] = ["try", "can", "templatefile"];

/// Functions that look at sensitive marks themselves, so arguments reach them marked.
const MARK_AWARE: [&str; 3] = ["sensitive", "nonsensitive", "issensitive"];

pub(crate) fn eval_call(
    name: &str,
    args: &[Expr],
    expand_final: bool,
    whole: &Expr,
    scope: &Scope,
) -> EvalResult {
    match name {
        "try" if !expand_final => return eval_try(args, whole, scope),
        "can" if !expand_final => return eval_can(args, whole, scope),
        "list" | "map" => return Err(removed_function(name, &whole.span)),
        _ => {}
    }
    let known = function_names();
    if !SPECIAL_FORMS.contains(&name) && !known.contains(&name) {
        return Err(unknown_function(name, known, &whole.span));
    }
    let mut values = Vec::with_capacity(args.len());
    let mut diags = Diagnostics::new();
    for arg in args {
        match evaluate(arg, scope) {
            Ok(v) => values.push(v),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let mut sensitive = false;
    if expand_final {
        if let (Some(last), Some(last_expr)) = (values.pop(), args.last()) {
            let (last, s) = unmark(last);
            sensitive |= s;
            match last {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => values.extend(xs),
                Value::Unknown(_) => return Ok(mark_if(Value::unknown(), sensitive)),
                Value::Null => {
                    return Err(error(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must not be null.",
                        &last_expr.span,
                    ))
                }
                _ => {
                    return Err(error(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, \
                         or set type.",
                        &last_expr.span,
                    ))
                }
            }
        }
    }
    if name == "templatefile" {
        return super::templatefile::templatefile(values, args, whole, scope)
            .map(|v| mark_if(v, sensitive));
    }
    let mark_aware = MARK_AWARE.contains(&name);
    if !mark_aware {
        sensitive |= values.iter().any(Value::contains_sensitive);
        if sensitive {
            values = values.iter().map(Value::deep_unmarked).collect();
        }
    }
    let ctx = FunctionContext {
        base_dir: scope.context().base_dir.clone(),
    };
    match functions::call(name, values, &ctx) {
        None => Err(unknown_function(name, known, &whole.span)),
        Some(Ok(v)) => Ok(mark_if(v, sensitive)),
        Some(Err(e)) => {
            let span = e
                .arg
                .and_then(|i| args.get(i.min(args.len().saturating_sub(1))))
                .map(|a| &a.span)
                .unwrap_or(&whole.span);
            Err(error(e.summary, e.detail, span))
        }
    }
}

/// `list()` and `map()` were removed in Terraform 0.12; Terraform still recognises them
/// to say what to write instead.
fn removed_function(name: &str, span: &Span) -> Diagnostics {
    let (conv, literal) = if name == "list" {
        ("tolist([ ... ])", "list")
    } else {
        ("tomap({ ... })", "map")
    };
    error(
        "Error in function call",
        format!(
            "Call to function \"{name}\" failed: the \"{name}\" function was deprecated in \
             Terraform v0.12 and is no longer available; use {conv} syntax to write a literal \
             {literal}."
        ),
        span,
    )
}

/// The library's function names, read once (every call checks them).
fn function_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(functions::names)
}

fn unknown_function(name: &str, known: &[&str], span: &Span) -> Diagnostics {
    let candidates = known.iter().copied().chain(SPECIAL_FORMS);
    let hint = match closest_name(name, candidates) {
        Some(s) => format!(" Did you mean \"{s}\"?"),
        None => String::new(),
    };
    error(
        "Call to unknown function",
        format!("There is no function named \"{name}\".{hint}"),
        span,
    )
}

/// `try(a, b, ...)`: the first argument that evaluates without error. An argument whose
/// value is not yet wholly known makes the result unknown, because it might still fail.
fn eval_try(args: &[Expr], whole: &Expr, scope: &Scope) -> EvalResult {
    if args.is_empty() {
        return Err(error(
            "Error in function call",
            "Call to function \"try\" failed: at least one argument is required.",
            &whole.span,
        ));
    }
    let mut failures = Diagnostics::new();
    for arg in args {
        match evaluate(arg, scope) {
            Ok(v) if !v.is_wholly_known() => return Ok(Value::unknown()),
            Ok(v) => return Ok(v),
            Err(d) => failures.extend(d),
        }
    }
    let mut detail = String::from("Call to function \"try\" failed: no expression succeeded:\n");
    for d in failures.iter() {
        match &d.span {
            Some(s) => detail.push_str(&format!("- {} (at {s})\n  {}\n", d.summary, d.detail)),
            None => detail.push_str(&format!("- {}\n  {}\n", d.summary, d.detail)),
        }
    }
    detail.push_str("\nAt least one expression must produce a successful result.");
    Err(error("Error in function call", detail, &whole.span))
}

/// `can(expr)`: whether `expr` evaluates without error (unknown while it is not known).
fn eval_can(args: &[Expr], whole: &Expr, scope: &Scope) -> EvalResult {
    match args {
        [] => Err(error(
            "Not enough function arguments",
            "Function \"can\" expects 1 argument(s). Missing value for \"expression\".",
            &whole.span,
        )),
        [arg] => Ok(match evaluate(arg, scope) {
            Ok(v) if !v.is_wholly_known() => Value::Unknown(crate::lang::Type::Bool),
            Ok(_) => Value::Bool(true),
            Err(_) => Value::Bool(false),
        }),
        [_, extra, ..] => Err(error(
            "Too many function arguments",
            "Function \"can\" expects only 1 argument(s).",
            &extra.span,
        )),
    }
}
