//! Evaluation of the nodes that behave the same in every mode: providers, variables,
//! locals, outputs and module calls.

use super::decode::{check_body, decode_body};
use super::expand::expand;
use super::values::{Binding, CallKind};
use super::{Engine, InputValue, WalkMode};
use crate::addr::{InstanceKey, ModulePath};
use crate::config::{Condition, ModuleNode, ProviderRef, Variable};
use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::lang::{EvalContext, Value};
use crate::provider::ConfigureContext;

impl Engine {
    pub(crate) fn module_config(&self, path: &[String]) -> Result<&ModuleNode, Diagnostics> {
        self.config.root.descendant(path).ok_or_else(|| {
            Diagnostic::error(
                "Module not found",
                format!("No module at {}.", path.join(".")),
            )
            .into()
        })
    }

    pub(crate) async fn visit_provider(&self, p: &ProviderRef) -> Result<(), Diagnostics> {
        if matches!(self.mode, WalkMode::Eval | WalkMode::Validate) {
            return Ok(());
        }
        self.configure_provider(p).await
    }

    /// Configures provider `p` from its block once (reused afterwards), in any walk mode.
    pub(crate) async fn configure_provider(&self, p: &ProviderRef) -> Result<(), Diagnostics> {
        if self
            .providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(p)
        {
            return Ok(());
        }
        let span = self
            .graph
            .spans
            .get(&crate::graph::Node {
                module: Vec::new(),
                kind: crate::graph::NodeKind::Provider(p.clone()),
            })
            .cloned();
        let Some(ptype) = self.registry.get(&p.name).cloned() else {
            let names: Vec<&str> = self.registry.names().collect();
            let mut detail = format!(
                "skyform has no provider named {:?}. The available providers are: {}.",
                p.name,
                names.join(", ")
            );
            if let Some(s) = did_you_mean(&p.name, names.iter().copied()) {
                detail.push_str(&format!(" Did you mean {s:?}?"));
            }
            let mut d = Diagnostic::error("Unknown provider", detail);
            d.span = span;
            return Err(d.into());
        };
        let schema = &ptype.schema().provider;
        let block = self
            .config
            .root
            .module
            .providers
            .iter()
            .find(|b| b.key() == *p);
        let config_value = match block {
            Some(b) => {
                let mut diags = Diagnostics::new();
                check_body(&b.body, schema, &b.span, &mut diags);
                diags.clone().into_result()?;
                let exprs: Vec<&crate::hcl::ast::Expr> =
                    b.body.attributes().map(|a| &a.expr).collect();
                let ctx = self.context(&ModulePath::root(), &Binding::None, &exprs);
                let v = decode_body(&b.body, schema, &ctx, &mut diags);
                diags.into_result()?;
                v
            }
            None => decode_body(
                &crate::hcl::ast::Body {
                    items: Vec::new(),
                    span: Default::default(),
                },
                schema,
                &EvalContext::default(),
                &mut Diagnostics::new(),
            ),
        };
        let mut ctx = ConfigureContext::new(self.options.work_dir.clone())
            .with_parallelism(self.options.parallelism);
        if let Some(embedded) = &self.embedded {
            ctx = ctx.with_embedded(embedded.clone());
        }
        let provider = ptype.configure(&config_value, &ctx).await.map_err(|e| {
            let mut d =
                Diagnostic::error(format!("Failed to configure provider {p}"), e.to_string());
            d.span = span.clone();
            Diagnostics::from(d)
        })?;
        self.providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p.clone(), provider);
        Ok(())
    }

    pub(crate) fn visit_variable(&self, module: &[String], name: &str) -> Result<(), Diagnostics> {
        let mn = self.module_config(module)?;
        let Some(decl) = mn.module.variables.get(name) else {
            return Ok(());
        };
        let instances = self.values().instances_of(module);
        for m in instances {
            let raw = if module.is_empty() {
                self.inputs.get(name).cloned()
            } else {
                let (call, parent_path) = module
                    .split_last()
                    .map(|(c, p)| (c.clone(), p.to_vec()))
                    .unwrap_or_default();
                let parent = self.module_config(&parent_path)?;
                match parent
                    .module
                    .module_calls
                    .get(&call)
                    .and_then(|c| c.inputs.get(name))
                {
                    Some(expr) => {
                        let parent_instance = ModulePath(m.0[..m.0.len() - 1].to_vec());
                        let binding = self
                            .values()
                            .modules
                            .get(&m)
                            .map(|mv| mv.binding.clone())
                            .unwrap_or_default();
                        Some(InputValue::Value(self.eval_in(
                            &parent_instance,
                            &binding,
                            expr,
                        )?))
                    }
                    None => None,
                }
            };
            let v = if module.is_empty() && self.mode == WalkMode::Validate {
                super::validate::root_variable(decl)?
            } else {
                finalize_variable(decl, raw, module.is_empty())?
            };
            if module.is_empty() {
                self.root_variables
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(name.to_string(), v.clone());
            }
            self.values()
                .module_mut(&m)
                .vars
                .insert(name.to_string(), v);
        }
        Ok(())
    }

    pub(crate) fn visit_local(&self, module: &[String], name: &str) -> Result<(), Diagnostics> {
        let mn = self.module_config(module)?;
        let Some(local) = mn.module.locals.get(name) else {
            return Ok(());
        };
        let instances = self.values().instances_of(module);
        for m in instances {
            let v = self.eval_in(&m, &Binding::None, &local.expr)?;
            self.values()
                .module_mut(&m)
                .locals
                .insert(name.to_string(), v);
        }
        Ok(())
    }

    pub(crate) fn visit_output(&self, module: &[String], name: &str) -> Result<(), Diagnostics> {
        let mn = self.module_config(module)?;
        let Some(out) = mn.module.outputs.get(name) else {
            return Ok(());
        };
        let instances = self.values().instances_of(module);
        for m in instances {
            for c in &out.preconditions {
                self.check_condition(&m, &Binding::None, c, "Output precondition failed")?;
            }
            let mut v = self.eval_in(&m, &Binding::None, &out.expr)?;
            if v.contains_sensitive() && !out.sensitive && module.is_empty() {
                return Err(Diagnostic::error(
                    "Output refers to sensitive values",
                    "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, skyform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
                )
                .with_span(out.span.clone())
                .into());
            }
            if out.sensitive {
                v = Value::sensitive(v);
            }
            self.values()
                .module_mut(&m)
                .outputs
                .insert(name.to_string(), v);
        }
        Ok(())
    }

    pub(crate) fn visit_module_call(
        &self,
        module: &[String],
        name: &str,
    ) -> Result<(), Diagnostics> {
        let mn = self.module_config(module)?;
        let Some(call) = mn.module.module_calls.get(name) else {
            return Ok(());
        };
        let mut child_path = module.to_vec();
        child_path.push(name.to_string());
        let kind = match (&call.count, &call.for_each) {
            (Some(_), _) => CallKind::Count,
            (None, Some(_)) => CallKind::ForEach,
            _ => CallKind::Single,
        };
        let mut children = Vec::new();
        let instances = self.values().instances_of(module);
        for m in instances {
            let exprs: Vec<&crate::hcl::ast::Expr> =
                call.count.iter().chain(call.for_each.iter()).collect();
            let ctx = self.context(&m, &Binding::None, &exprs);
            let bindings = if self.mode == WalkMode::Validate {
                super::validate::bindings(call.count.as_ref(), call.for_each.as_ref(), &ctx)?
            } else {
                expand(call.count.as_ref(), call.for_each.as_ref(), &ctx)?
            };
            for binding in bindings {
                let key = binding.key();
                let child = m.child(name, key);
                let mut values = self.values();
                let mv = values.module_mut(&child);
                mv.binding = binding;
                children.push(child);
            }
        }
        let mut values = self.values();
        values.call_kinds.insert(child_path.clone(), kind);
        values.instances.insert(child_path, children);
        Ok(())
    }

    /// Evaluates a precondition/postcondition/validation; false → an error with the user's
    /// message.
    pub(crate) fn check_condition(
        &self,
        m: &ModulePath,
        binding: &Binding,
        c: &Condition,
        summary: &str,
    ) -> Result<(), Diagnostics> {
        let ctx = self.context(m, binding, &[&c.condition, &c.error_message]);
        check_condition_in(&ctx, c, summary)
    }

    /// A resource's value taken from prior state (console, untargeted resources).
    pub(crate) fn resource_from_state(
        &self,
        module: &[String],
        addr: &crate::addr::ResourceAddr,
    ) -> Result<(), Diagnostics> {
        let mn = self.module_config(module)?;
        let Some(rcfg) = mn.module.resources.get(addr) else {
            return Ok(());
        };
        let instances = self.values().instances_of(module);
        for m in instances {
            let insts: Vec<(InstanceKey, Value)> = self
                .prior
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .instances_of(&m, addr)
                .map(|(a, p)| (a.key.clone(), p.value.clone()))
                .collect();
            let v = super::resource::aggregate(rcfg, insts);
            self.values()
                .module_mut(&m)
                .resources
                .insert(addr.clone(), v);
        }
        Ok(())
    }
}

pub(crate) fn check_condition_in(
    ctx: &EvalContext,
    c: &Condition,
    summary: &str,
) -> Result<(), Diagnostics> {
    let ok = crate::lang::eval(&c.condition, ctx)?;
    if ok.is_unknown() {
        return Ok(());
    }
    match ok.as_bool() {
        Some(true) => Ok(()),
        Some(false) => {
            let msg = crate::lang::eval(&c.error_message, ctx)?;
            let text = match msg.unmarked() {
                Value::String(s) => s.clone(),
                _ if msg.is_sensitive() => "(sensitive value)".to_string(),
                other => other.to_json().to_string(),
            };
            Err(Diagnostic::error(
                summary,
                format!("{text}\n\nThis was checked by the rule at {}.", c.span),
            )
            .with_span(c.condition.span.clone())
            .into())
        }
        None => Err(Diagnostic::error(
            "Invalid condition result",
            "The condition expression must return either true or false.",
        )
        .with_span(c.condition.span.clone())
        .into()),
    }
}

/// Turns the given (or default) value of a variable into its final value: converted to the
/// declared type, null handling, validation rules, sensitive mark.
pub fn finalize_variable(
    decl: &Variable,
    raw: Option<InputValue>,
    root: bool,
) -> Result<Value, Diagnostics> {
    let (ty, defaults) = match &decl.type_expr {
        Some(e) => crate::lang::types::parse_type_constraint(e).map_err(Diagnostics::from)?,
        None => (crate::lang::Type::Dynamic, Default::default()),
    };
    let value = match raw {
        Some(InputValue::Value(v)) => Some(v),
        Some(InputValue::Text { text, source }) => {
            if ty == crate::lang::Type::String || decl.type_expr.is_none() {
                Some(Value::string(text))
            } else {
                let parsed = crate::hcl::parse_expr(&text, &source)
                    .and_then(|expr| crate::lang::eval(&expr, &EvalContext::default()));
                match parsed {
                    Ok(v) => Some(v),
                    // The diagnostics would quote the text (and its snippet): never for a
                    // sensitive variable.
                    Err(_) if decl.sensitive => {
                        return Err(Diagnostic::error(
                            "Invalid value for input variable",
                            format!(
                                "The value given for var.{} is not a valid value of its type; it is sensitive, so it is not shown.",
                                decl.name
                            ),
                        )
                        .with_span(decl.span.clone())
                        .into())
                    }
                    Err(d) => return Err(d),
                }
            }
        }
        None => None,
    };
    let value = match value {
        Some(v) if v.is_null() && !decl.nullable => {
            if decl.default.is_none() {
                return Err(Diagnostic::error(
                    "Required variable not set",
                    format!(
                        "Unsuitable value for var.{}: required variable may not be set to null.",
                        decl.name
                    ),
                )
                .with_span(decl.span.clone())
                .into());
            }
            None
        }
        other => other,
    };
    let value = match value {
        Some(v) => v,
        None => match &decl.default {
            Some(d) => crate::lang::eval(d, &EvalContext::default())?,
            None => {
                let detail = if root {
                    format!("The root module input variable {:?} is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", decl.name)
                } else {
                    format!(
                        "The module input variable {:?} is not set, and has no default value.",
                        decl.name
                    )
                };
                return Err(Diagnostic::error("No value for required variable", detail)
                    .with_span(decl.span.clone())
                    .into());
            }
        },
    };
    let mut value = if value.is_null() {
        value
    } else {
        match crate::lang::convert::convert(&value, &ty) {
            Ok(v) => crate::lang::types::apply_defaults(v, &defaults),
            Err(e) => {
                let at = if e.path.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", e.path)
                };
                return Err(Diagnostic::error(
                    "Invalid value for input variable",
                    format!(
                        "The given value is not suitable for var.{} declared at {}: {}{at}.",
                        decl.name, decl.span, e.message
                    ),
                )
                .with_span(decl.span.clone())
                .into());
            }
        }
    };
    if !decl.validations.is_empty() {
        let ctx = EvalContext {
            variables: [(
                "var".to_string(),
                Value::object([(decl.name.clone(), value.clone())]),
            )]
            .into_iter()
            .collect(),
            ..EvalContext::default()
        };
        for c in &decl.validations {
            check_condition_in(&ctx, c, "Invalid value for variable")?;
        }
    }
    if decl.sensitive {
        value = Value::sensitive(value);
    }
    Ok(value)
}
