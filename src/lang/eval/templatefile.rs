//! `templatefile(path, vars)`: a file rendered as a template with only `vars` in scope.
//! It lives in the evaluator because it needs the parser and the evaluator itself.

use super::marks::{mark_if, unmark};
use super::{error, evaluate, EvalContext, EvalResult, Scope};
use crate::diag::{Diagnostics, Span};
use crate::hcl::ast::{Expr, ExprKind, TemplatePart};
use crate::lang::Value;
use std::path::Path;

fn invalid_argument(param: &str, why: &str, span: &Span) -> Diagnostics {
    error(
        "Invalid function argument",
        format!("Invalid value for \"{param}\" parameter: {why}."),
        span,
    )
}

/// `templatefile(path, vars)`: reads `path` (relative to the module directory), parses it
/// as a template and evaluates it with only `vars` in scope.
pub(crate) fn templatefile(
    values: Vec<Value>,
    args: &[Expr],
    whole: &Expr,
    scope: &Scope,
) -> EvalResult {
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
        variables: vars.into(),
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
