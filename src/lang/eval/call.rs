//! Function calls. `try`, `can` and `templatefile` are evaluated here because they need
//! unevaluated expressions or the parser; everything else goes to the function library.
//!
//! The evaluator takes care of what is common to every function: expanding `f(xs...)`,
//! unknown arguments (the result is unknown), sensitive arguments (the result is
//! sensitive), "Call to unknown function" with a suggestion, and pointing errors at the
//! argument at fault.

use super::marks::{mark_if, unmark};
use super::suggest::closest_name;
use super::{error, evaluate, EvalContext, EvalResult, Scope};
use crate::diag::{Diagnostics, Span};
use crate::hcl::ast::{Expr, ExprKind, TemplatePart};
use crate::lang::functions::{self, FunctionContext};
use crate::lang::Value;
use std::path::Path;

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
        return templatefile(values, args, whole, scope).map(|v| mark_if(v, sensitive));
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

fn invalid_argument(param: &str, why: &str, span: &Span) -> Diagnostics {
    error(
        "Invalid function argument",
        format!("Invalid value for \"{param}\" parameter: {why}."),
        span,
    )
}

/// `templatefile(path, vars)`: reads `path` (relative to the module directory), parses it
/// as a template and evaluates it with only `vars` in scope.
fn templatefile(values: Vec<Value>, args: &[Expr], whole: &Expr, scope: &Scope) -> EvalResult {
    let arg_span = |i: usize| args.get(i).map(|a| &a.span).unwrap_or(&whole.span);
    let (path, vars) = match <[Value; 2]>::try_from(values) {
        Ok([p, v]) => (p, v),
        Err(values) if values.len() < 2 => {
            let missing = if values.is_empty() { "path" } else { "vars" };
            return Err(error(
                "Not enough function arguments",
                format!(
                    "Function \"templatefile\" expects 2 argument(s). Missing value for \
                     \"{missing}\"."
                ),
                &whole.span,
            ));
        }
        Err(_) => {
            return Err(error(
                "Too many function arguments",
                "Function \"templatefile\" expects only 2 argument(s).",
                arg_span(2),
            ))
        }
    };
    if scope.in_templatefile() {
        return Err(error(
            "Error in function call",
            "Call to function \"templatefile\" failed: cannot recursively call templatefile \
             from inside templatefile call.",
            &whole.span,
        ));
    }
    let (path, path_sensitive) = unmark(path);
    let (vars, vars_sensitive) = unmark(vars);
    let sensitive = path_sensitive || vars_sensitive;
    let path = match path {
        Value::String(s) => s,
        Value::Unknown(_) => return Ok(mark_if(Value::unknown(), sensitive)),
        Value::Null => {
            return Err(invalid_argument(
                "path",
                "argument must not be null",
                arg_span(0),
            ))
        }
        _ => return Err(invalid_argument("path", "string required", arg_span(0))),
    };
    let vars = match vars {
        Value::Map(m) | Value::Object(m) => m,
        Value::Unknown(_) => return Ok(mark_if(Value::unknown(), sensitive)),
        Value::Null => {
            return Err(invalid_argument(
                "vars",
                "argument must not be null",
                arg_span(1),
            ))
        }
        _ => {
            return Err(invalid_argument(
                "vars",
                "object or map required",
                arg_span(1),
            ))
        }
    };
    for name in vars.keys() {
        if !is_identifier(name) {
            return Err(invalid_argument(
                "vars",
                &format!(
                    "invalid template variable name {name:?}: must start with a letter, \
                     followed by zero or more letters, digits, and underscores"
                ),
                arg_span(1),
            ));
        }
    }
    let base = &scope.context().base_dir;
    let full = if Path::new(&path).is_absolute() {
        Path::new(&path).to_path_buf()
    } else {
        base.join(&path)
    };
    let text = match std::fs::read(&full) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return Err(invalid_argument(
                    "path",
                    &format!(
                        "contents of {path} are not valid UTF-8; use the filebase64 function \
                         to obtain the Base64 encoded contents or the other file functions \
                         (e.g. filemd5, filesha256) to obtain file hashing results instead"
                    ),
                    arg_span(0),
                ))
            }
        },
        Err(_) => {
            return Err(invalid_argument(
                "path",
                &format!(
                    "no file exists at {path}; this function works only with files that are \
                     distributed as part of the configuration source code, so if this file \
                     will be created by a resource in this configuration you must instead \
                     obtain this result from an attribute of that resource"
                ),
                arg_span(0),
            ))
        }
    };
    let template =
        parse_template(&text, &path).map_err(|d| template_failure(d, whole, arg_span(1)))?;
    let ctx = EvalContext {
        variables: vars,
        base_dir: base.clone(),
    };
    let mut inner = Scope::root(&ctx);
    inner.in_templatefile = true;
    match evaluate(&template, &inner) {
        Ok(v) => Ok(mark_if(v, sensitive)),
        Err(diags) => Err(template_failure(diags, whole, arg_span(1))),
    }
}

/// Rewords errors from inside a template: a missing variable is the caller's `vars`
/// argument's fault; anything else is reported as the call failing, with the location
/// inside the template file.
fn template_failure(diags: Diagnostics, whole: &Expr, vars_span: &Span) -> Diagnostics {
    let mut out = Diagnostics::new();
    for d in diags.iter() {
        let at = d.span.as_ref().map(template_range).unwrap_or_default();
        if d.summary == "Unknown variable" {
            let name = d.detail.split('"').nth(1).unwrap_or_default();
            out.extend(invalid_argument(
                "vars",
                &format!("vars map does not contain key \"{name}\", referenced at {at}"),
                vars_span,
            ));
        } else {
            out.extend(error(
                "Error in function call",
                format!(
                    "Call to function \"templatefile\" failed: {at}: {}; {}.",
                    d.summary, d.detail
                ),
                &whole.span,
            ));
        }
    }
    out
}

/// A range inside a template file as Terraform writes it (`x.tpl:1,6-13`). The template
/// was parsed inside a heredoc whose opening line comes first, hence the line shift.
fn template_range(s: &Span) -> String {
    let (l1, l2) = (s.start.line.saturating_sub(1), s.end.line.saturating_sub(1));
    if l1 == l2 {
        format!("{}:{l1},{}-{}", s.file, s.start.col, s.end.col)
    } else {
        format!("{}:{l1},{}-{l2},{}", s.file, s.start.col, s.end.col)
    }
}

/// Parses a whole file as a template. The parser's public entry points take expressions,
/// so the text is wrapped in a heredoc with a delimiter it does not contain. An end marker
/// (which no strip marker `~` can remove) goes after the text, so that the newline the
/// heredoc adds can be told apart from the file's own text and removed with the marker.
fn parse_template(text: &str, file: &str) -> Result<Expr, Diagnostics> {
    let mut delimiter = String::from("SKYFORM_TEMPLATE_END");
    while text.contains(&delimiter) {
        delimiter.push('_');
    }
    let mut marker = String::from("\u{E000}");
    while text.contains(&marker) {
        marker.push('\u{E000}');
    }
    let source = format!("<<{delimiter}\n{text}{marker}\n{delimiter}\n");
    let mut expr = crate::hcl::parse_expr(&source, file)?;
    let tail = format!("{marker}\n");
    if let ExprKind::Template(parts) = &mut expr.kind {
        if let Some(TemplatePart::Literal(last)) = parts.last_mut() {
            if last.ends_with(&tail) {
                last.truncate(last.len() - tail.len());
                if last.is_empty() {
                    parts.pop();
                }
            }
        }
    }
    Ok(expr)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}
