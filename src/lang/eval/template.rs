//! String templates: `"a ${x} b"`, heredocs, `%{if}` and `%{for}` directives.
//!
//! A template made of a single interpolation (`"${x}"`) returns `x` itself, not a string.
//! Otherwise every interpolated value is converted to a string (bools as `true`/`false`,
//! numbers in canonical form); null and collections are errors; any unknown part makes
//! the whole result an unknown string; any sensitive part makes it sensitive.

use super::for_expr::{iterate, Iteration};
use super::marks::unmark;
use super::{error, evaluate, EvalResult, Scope};
use crate::diag::Diagnostics;
use crate::hcl::ast::{Expr, TemplatePart};
use crate::lang::{Type, Value};

pub(crate) fn eval_template(parts: &[TemplatePart], scope: &Scope) -> EvalResult {
    if let [TemplatePart::Interpolation(inner)] = parts {
        return evaluate(inner, scope);
    }
    let mut out = Rendered::default();
    render(parts, scope, &mut out);
    out.finish()
}

/// The text produced so far and what was learned about it.
#[derive(Default)]
struct Rendered {
    text: String,
    unknown: bool,
    sensitive: bool,
    diags: Diagnostics,
}

impl Rendered {
    fn finish(self) -> EvalResult {
        if self.diags.has_errors() {
            return Err(self.diags);
        }
        let v = if self.unknown {
            Value::Unknown(Type::String)
        } else {
            Value::String(self.text)
        };
        Ok(super::marks::mark_if(v, self.sensitive))
    }

    fn fail(&mut self, diags: Diagnostics) {
        self.diags.extend(diags);
    }
}

fn render(parts: &[TemplatePart], scope: &Scope, out: &mut Rendered) {
    for part in parts {
        match part {
            TemplatePart::Literal(s) => out.text.push_str(s),
            TemplatePart::Interpolation(e) => interpolate(e, scope, out),
            TemplatePart::If {
                cond,
                then,
                otherwise,
            } => render_if(cond, then, otherwise, scope, out),
            TemplatePart::For {
                key_var,
                value_var,
                collection,
                body,
            } => render_for(key_var.as_deref(), value_var, collection, body, scope, out),
        }
    }
}

fn interpolate(e: &Expr, scope: &Scope, out: &mut Rendered) {
    let v = match evaluate(e, scope) {
        Ok(v) => v,
        Err(d) => return out.fail(d),
    };
    let (v, sensitive) = unmark(v);
    out.sensitive |= sensitive;
    match v {
        Value::String(s) => out.text.push_str(&s),
        Value::Number(n) => out.text.push_str(&n.to_string()),
        Value::Bool(b) => out.text.push_str(if b { "true" } else { "false" }),
        Value::Unknown(_) => out.unknown = true,
        Value::Null => out.fail(error(
            "Invalid template interpolation value",
            "The expression result is null. Cannot include a null value in a string template.",
            &e.span,
        )),
        _ => out.fail(error(
            "Invalid template interpolation value",
            "Cannot include the given value in a string template: string required.",
            &e.span,
        )),
    }
}

fn render_if(
    cond: &Expr,
    then: &[TemplatePart],
    otherwise: &[TemplatePart],
    scope: &Scope,
    out: &mut Rendered,
) {
    let v = match evaluate(cond, scope) {
        Ok(v) => v,
        Err(d) => return out.fail(d),
    };
    match super::conditional::condition_value(v, cond) {
        Ok((Some(true), sensitive)) => {
            out.sensitive |= sensitive;
            render(then, scope, out);
        }
        Ok((Some(false), sensitive)) => {
            out.sensitive |= sensitive;
            render(otherwise, scope, out);
        }
        Ok((None, sensitive)) => {
            // Still render both branches to report their errors.
            out.sensitive |= sensitive;
            out.unknown = true;
            render(then, scope, out);
            render(otherwise, scope, out);
        }
        Err(d) => out.fail(d),
    }
}

fn render_for(
    key_var: Option<&str>,
    value_var: &str,
    collection: &Expr,
    body: &[TemplatePart],
    scope: &Scope,
    out: &mut Rendered,
) {
    let mut failed = Diagnostics::new();
    let v = super::eval_recovering(collection, scope, &mut failed);
    let iteration = iterate(v, collection);
    if failed.has_errors() {
        out.fail(failed);
        if let Err(d) = iteration {
            out.fail(d);
        }
        return;
    }
    match iteration {
        Ok(Iteration::Unknown { sensitive }) => {
            out.unknown = true;
            out.sensitive |= sensitive;
        }
        Ok(Iteration::Items { items, sensitive }) => {
            out.sensitive |= sensitive;
            for (k, v) in items {
                let mut bindings = Vec::with_capacity(2);
                if let Some(kn) = key_var {
                    bindings.push((kn.to_string(), k));
                }
                bindings.push((value_var.to_string(), v));
                let inner = scope.with_bindings(bindings);
                render(body, &inner, out);
                if out.diags.has_errors() {
                    return;
                }
            }
        }
        Err(d) => out.fail(d),
    }
}
