//! The expression evaluator: turns a syntax tree into a [`Value`] with Terraform's
//! semantics (unknown values propagate, sensitive marks stick, errors name the
//! sub-expression at fault with Terraform's wording).
//!
//! One file per concern: [`operators`], [`template`], [`for_expr`], [`access`]
//! (attributes, indexes, splats), [`call`] (functions and the special forms `try`, `can`,
//! [`templatefile`]), [`collections`] (tuple and object constructors), [`conditional`].
//!
//! Errors: like Terraform, operators, `for` and templates keep checking after an operand
//! fails (the failed operand stands in as an unknown of the type it would have had), all
//! diagnostics are returned, and [`eval`] sorts them into source order, so the first one
//! is the one Terraform would show first.

mod access;
mod call;
mod collections;
mod conditional;
mod for_expr;
mod marks;
mod operators;
mod suggest;
mod template;
mod templatefile;

#[cfg(test)]
mod tests;

use super::Value;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::hcl::ast::{Expr, ExprKind};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use operators::values_equal;
pub use suggest::closest_name;

/// What an expression can see: root names (`var`, `local`, `count`, `each`, `path`,
/// `module`, `data`, and one object per resource type) and the module directory that
/// file functions resolve against.
#[derive(Debug, Clone, Default)]
pub struct EvalContext {
    pub variables: BTreeMap<String, Value>,
    pub base_dir: PathBuf,
}

impl EvalContext {
    /// A context with the given root names and the current directory as base.
    pub fn with_variables(variables: BTreeMap<String, Value>) -> EvalContext {
        EvalContext {
            variables,
            base_dir: PathBuf::from("."),
        }
    }
}

/// Evaluates an expression. All errors carry the span of the offending sub-expression.
pub fn eval(expr: &Expr, ctx: &EvalContext) -> Result<Value, Diagnostics> {
    evaluate(expr, &Scope::root(ctx)).map_err(sorted)
}

/// Diagnostics in source order, as Terraform reports them (stable for equal ranges).
fn sorted(mut diags: Diagnostics) -> Diagnostics {
    diags.0.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.span
                .as_ref()
                .map(|s| (s.file.clone(), s.start.byte, s.end.byte))
        };
        key(a).cmp(&key(b))
    });
    diags
}

pub(crate) type EvalResult = Result<Value, Diagnostics>;

/// Names in scope while evaluating: the context's root names plus the iterator variables
/// of enclosing `for` expressions and the current element of an enclosing splat. Scopes
/// chain through references, so entering a `for` never copies the context.
pub(crate) struct Scope<'a> {
    ctx: &'a EvalContext,
    parent: Option<&'a Scope<'a>>,
    bindings: Vec<(String, Value)>,
    splat_item: Option<Value>,
    /// True inside a `templatefile` template, which may not call `templatefile` again.
    in_templatefile: bool,
}

impl<'a> Scope<'a> {
    pub(crate) fn root(ctx: &'a EvalContext) -> Scope<'a> {
        Scope {
            ctx,
            parent: None,
            bindings: Vec::new(),
            splat_item: None,
            in_templatefile: false,
        }
    }

    /// A child scope with extra named bindings (a `for` expression's key and value).
    pub(crate) fn with_bindings(&'a self, bindings: Vec<(String, Value)>) -> Scope<'a> {
        Scope {
            ctx: self.ctx,
            parent: Some(self),
            bindings,
            splat_item: None,
            in_templatefile: self.in_templatefile,
        }
    }

    /// A child scope in which `SplatItem` stands for `item`.
    pub(crate) fn with_splat_item(&'a self, item: Value) -> Scope<'a> {
        Scope {
            ctx: self.ctx,
            parent: Some(self),
            bindings: Vec::new(),
            splat_item: Some(item),
            in_templatefile: self.in_templatefile,
        }
    }

    pub(crate) fn context(&self) -> &EvalContext {
        self.ctx
    }

    pub(crate) fn in_templatefile(&self) -> bool {
        self.in_templatefile
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<&Value> {
        let mut scope = Some(self);
        while let Some(s) = scope {
            if let Some((_, v)) = s.bindings.iter().rev().find(|(n, _)| n == name) {
                return Some(v);
            }
            scope = s.parent;
        }
        self.ctx.variables.get(name)
    }

    fn current_splat_item(&self) -> Option<&Value> {
        let mut scope = Some(self);
        while let Some(s) = scope {
            if let Some(v) = &s.splat_item {
                return Some(v);
            }
            scope = s.parent;
        }
        None
    }
}

/// Stack that must remain before evaluating one more level of nesting; below it, a new
/// stack segment is allocated, so no nesting depth can overflow the caller's stack.
const STACK_RED_ZONE: usize = 64 * 1024;
const STACK_SEGMENT: usize = 1024 * 1024;

/// Evaluates one expression in a scope. Each kind of expression has its own function so
/// that this dispatcher's stack frame stays small: deeply nested expressions recurse
/// through here once per level.
pub(crate) fn evaluate(expr: &Expr, scope: &Scope) -> EvalResult {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || dispatch(expr, scope))
}

fn dispatch(expr: &Expr, scope: &Scope) -> EvalResult {
    match &expr.kind {
        ExprKind::Null => Ok(Value::Null),
        ExprKind::Bool(b) => Ok(Value::Bool(*b)),
        ExprKind::Number(n) => crate::lang::Number::from_literal(n)
            .map(Value::Number)
            .ok_or_else(|| {
                error(
                    "Invalid number literal",
                    "Failed to recognize the value of this number literal.",
                    &expr.span,
                )
            }),
        ExprKind::Template(parts) => template::eval_template(parts, scope),
        ExprKind::Variable(name) => eval_variable(name, expr, scope),
        ExprKind::Tuple(items) => collections::eval_tuple(items, scope),
        ExprKind::Object(items) => collections::eval_object(items, scope),
        ExprKind::FunctionCall {
            name,
            args,
            expand_final,
        } => call::eval_call(name, args, *expand_final, expr, scope),
        ExprKind::GetAttr(inner, name) => access::eval_get_attr(inner, name, expr, scope),
        ExprKind::Index(inner, key) => access::eval_index(inner, key, expr, scope),
        ExprKind::Splat {
            source,
            each,
            legacy,
        } => access::eval_splat(source, each, *legacy, scope),
        ExprKind::SplatItem => eval_splat_item(expr, scope),
        ExprKind::Unary(op, operand) => operators::eval_unary(*op, operand, expr, scope),
        ExprKind::Binary(op, lhs, rhs) => operators::eval_binary(*op, lhs, rhs, expr, scope),
        ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } => conditional::eval_conditional(cond, then, otherwise, scope),
        ExprKind::For(f) => for_expr::eval_for(f, scope),
        ExprKind::Parens(inner) => evaluate(inner, scope),
    }
}

fn eval_variable(name: &str, expr: &Expr, scope: &Scope) -> EvalResult {
    match scope.lookup(name) {
        Some(v) => Ok(v.clone()),
        None => Err(error(
            "Unknown variable",
            format!("There is no variable named \"{name}\"."),
            &expr.span,
        )),
    }
}

fn eval_splat_item(expr: &Expr, scope: &Scope) -> EvalResult {
    match scope.current_splat_item() {
        Some(v) => Ok(v.clone()),
        None => Err(error(
            "Invalid splat expression",
            "A splat element reference appeared outside of a splat expression.",
            &expr.span,
        )),
    }
}

/// Evaluates `expr`; on failure records its diagnostics and returns the stand-in value
/// Terraform's evaluator continues with, so that the enclosing expression can still
/// report its own problem (Terraform lists all of them, in source order).
pub(crate) fn eval_recovering(expr: &Expr, scope: &Scope, diags: &mut Diagnostics) -> Value {
    match evaluate(expr, scope) {
        Ok(v) => v,
        Err(d) => {
            diags.extend(d);
            recovered(expr)
        }
    }
}

/// What a failed expression stands for afterwards: an unknown of the type the operator
/// or template would have produced, otherwise an unknown of any type, which raises no
/// further errors.
pub(crate) fn recovered(expr: &Expr) -> Value {
    use crate::hcl::ast::{BinaryOp, TemplatePart, UnaryOp};
    use crate::lang::Type;
    match &expr.kind {
        ExprKind::Parens(inner) => recovered(inner),
        ExprKind::Unary(UnaryOp::Not, _) => Value::Unknown(Type::Bool),
        ExprKind::Unary(UnaryOp::Negate, _) => Value::Unknown(Type::Number),
        ExprKind::Binary(
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod,
            ..,
        ) => Value::Unknown(Type::Number),
        ExprKind::Binary(..) => Value::Unknown(Type::Bool),
        ExprKind::Template(parts)
            if !matches!(parts.as_slice(), [TemplatePart::Interpolation(_)]) =>
        {
            Value::Unknown(Type::String)
        }
        ExprKind::Conditional { .. } => Value::Unknown(static_type(expr)),
        _ => Value::unknown(),
    }
}

/// The type an expression has whatever the values it refers to, as far as its shape
/// tells (`Dynamic` when it does not): what a failed conditional stands in with.
fn static_type(expr: &Expr) -> crate::lang::Type {
    use crate::hcl::ast::{BinaryOp, TemplatePart, UnaryOp};
    use crate::lang::Type;
    match &expr.kind {
        ExprKind::Parens(inner) => static_type(inner),
        ExprKind::Bool(_) | ExprKind::Unary(UnaryOp::Not, _) => Type::Bool,
        ExprKind::Number(_) | ExprKind::Unary(UnaryOp::Negate, _) => Type::Number,
        ExprKind::Binary(
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod,
            ..,
        ) => Type::Number,
        ExprKind::Binary(..) => Type::Bool,
        ExprKind::Template(parts)
            if !matches!(parts.as_slice(), [TemplatePart::Interpolation(_)]) =>
        {
            Type::String
        }
        ExprKind::Tuple(items) => Type::Tuple(items.iter().map(static_type).collect()),
        ExprKind::Object(items) => {
            let mut attrs = BTreeMap::new();
            for (k, v) in items {
                match &k.kind {
                    ExprKind::Variable(name) => attrs.insert(name.clone(), static_type(v)),
                    _ => return Type::Dynamic,
                };
            }
            Type::Object(attrs)
        }
        ExprKind::Conditional {
            then, otherwise, ..
        } => {
            // Only when both shapes are known: a branch of unknown shape may be what
            // made the conditional fail, and then it stands for nothing in particular.
            // A literal `null` branch takes the other branch's type.
            if matches!(then.kind, ExprKind::Null) {
                return static_type(otherwise);
            }
            if matches!(otherwise.kind, ExprKind::Null) {
                return static_type(then);
            }
            let types = [static_type(then), static_type(otherwise)];
            if types.contains(&Type::Dynamic) {
                return Type::Dynamic;
            }
            crate::lang::convert::unify(&types).unwrap_or(Type::Dynamic)
        }
        _ => Type::Dynamic,
    }
}

/// `Ok(v)` when nothing went wrong, else every diagnostic collected.
pub(crate) fn finish(v: Value, diags: Diagnostics) -> EvalResult {
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(v)
    }
}

/// One error diagnostic at a span, as the `Diagnostics` every evaluation step returns.
pub(crate) fn error(
    summary: impl Into<String>,
    detail: impl Into<String>,
    span: &Span,
) -> Diagnostics {
    Diagnostic::error(summary, detail)
        .with_span(span.clone())
        .into()
}
