//! `skyform validate`: every check that needs no provider call. Root variables are unknown
//! values of their declared type (their defaults are still checked), `count` and `for_each`
//! that are unknown stand for one instance, and every resource is an unknown object after
//! its body was decoded against its schema, as Terraform's validate does.

use super::expand::expand;
use super::values::Binding;
use super::Engine;
use crate::addr::{Mode, ResourceAddr};
use crate::config::Variable;
use crate::diag::Diagnostics;
use crate::hcl::ast::Expr;
use crate::lang::{eval, EvalContext, Value};

/// A root variable during validate: unknown, of its declared type; a default is checked
/// against the type and the validation rules all the same.
pub(super) fn root_variable(decl: &Variable) -> Result<Value, Diagnostics> {
    if decl.default.is_some() {
        super::nodes::finalize_variable(decl, None, true)?;
    }
    let ty = match &decl.type_expr {
        Some(e) => {
            crate::lang::types::parse_type_constraint(e)
                .map_err(Diagnostics::from)?
                .0
        }
        None => crate::lang::Type::Dynamic,
    };
    let v = Value::Unknown(ty);
    Ok(if decl.sensitive {
        Value::sensitive(v)
    } else {
        v
    })
}

/// The instances of a `count`/`for_each`: known values are expanded and checked as in a
/// plan; an unknown one stands for a single instance.
pub(super) fn bindings(
    count: Option<&Expr>,
    for_each: Option<&Expr>,
    ctx: &EvalContext,
) -> Result<Vec<Binding>, Diagnostics> {
    if let Some(e) = count {
        if eval(e, ctx)?.is_unknown() {
            return Ok(vec![Binding::UnknownCount]);
        }
    }
    if let Some(e) = for_each {
        if eval(e, ctx)?.is_unknown() {
            return Ok(vec![Binding::UnknownEach]);
        }
    }
    expand(count, for_each, ctx)
}

impl Engine {
    /// Decodes every instance's body against the resource's schema (types, required and
    /// unknown arguments, function calls), then stands the resource in as an unknown value.
    pub(super) fn validate_resource(
        &self,
        module: &[String],
        addr: &ResourceAddr,
    ) -> Result<(), Diagnostics> {
        let mn = self.module_config(module)?;
        let Some(rcfg) = mn.module.resources.get(addr).cloned() else {
            return Ok(());
        };
        let schema = self
            .registry
            .schema_of(
                &rcfg.provider.name,
                addr.mode == Mode::Data,
                &addr.type_name,
            )
            .cloned();
        let mut diags = Diagnostics::new();
        // Collected first: the values lock must not be held while contexts are built.
        let instances = self.values().instances_of(module);
        for m in instances {
            let exprs: Vec<&Expr> = rcfg.count.iter().chain(rcfg.for_each.iter()).collect();
            let ctx = self.context(&m, &Binding::None, &exprs);
            let bindings = match bindings(rcfg.count.as_ref(), rcfg.for_each.as_ref(), &ctx) {
                Ok(b) => b,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            if let Some(schema) = &schema {
                for binding in &bindings {
                    let exprs = super::resource::body_exprs(&rcfg.body);
                    let ctx = self.context(&m, binding, &exprs);
                    super::decode::decode_body(&rcfg.body, schema, &ctx, &mut diags);
                }
            }
            self.values()
                .module_mut(&m)
                .resources
                .insert(addr.clone(), Value::unknown());
        }
        diags.into_result()
    }
}
