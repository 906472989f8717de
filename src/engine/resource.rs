//! Helpers shared by the plan and apply walks for resource nodes.

use super::decode::{check_body, decode_body};
use super::values::Binding;
use super::Engine;
use crate::addr::{InstanceKey, Mode, ModulePath, ResourceAddr};
use crate::config::Resource;
use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::hcl::ast::{Body, BodyItem, Expr};
use crate::lang::Value;
use crate::provider::schema::Schema;
use crate::provider::Provider;
use std::sync::Arc;

/// A resource's configuration, schema and provider, looked up once per node.
pub struct ResourceSetup {
    pub rcfg: Resource,
    pub schema: Schema,
    pub provider: Arc<dyn Provider>,
}

impl Engine {
    pub(crate) fn resource_setup(
        &self,
        module: &[String],
        addr: &ResourceAddr,
    ) -> Result<ResourceSetup, Diagnostics> {
        let mn = self.module_config(module)?;
        let rcfg = mn.module.resources.get(addr).cloned().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Resource not found",
                format!("{addr} is not in the configuration."),
            ))
        })?;
        let provider = self.provider(&rcfg.provider)?;
        let schema = lookup_schema(provider.schema(), addr, &rcfg)?;
        let mut diags = Diagnostics::new();
        check_body(&rcfg.body, &schema, &rcfg.decl_span, &mut diags);
        diags.into_result()?;
        Ok(ResourceSetup {
            rcfg,
            schema,
            provider,
        })
    }

    /// The instance keys of a resource in module instance `m`.
    pub(crate) fn resource_bindings(
        &self,
        m: &ModulePath,
        rcfg: &Resource,
    ) -> Result<Vec<Binding>, Diagnostics> {
        let exprs: Vec<&Expr> = rcfg.count.iter().chain(rcfg.for_each.iter()).collect();
        let ctx = self.context(m, &Binding::None, &exprs);
        super::expand::expand(rcfg.count.as_ref(), rcfg.for_each.as_ref(), &ctx)
    }

    /// Evaluates one instance's configuration and runs the provider's plan-time checks.
    pub(crate) fn instance_config(
        &self,
        m: &ModulePath,
        binding: &Binding,
        setup: &ResourceSetup,
    ) -> Result<Value, Diagnostics> {
        let exprs = body_exprs(&setup.rcfg.body);
        let ctx = self.context(m, binding, &exprs);
        let mut diags = Diagnostics::new();
        let v = decode_body(&setup.rcfg.body, &setup.schema, &ctx, &mut diags);
        diags.clone().into_result()?;
        if setup.rcfg.addr.mode == Mode::Managed {
            let mut checks = setup
                .provider
                .validate_resource(&setup.rcfg.addr.type_name, &v);
            for d in checks.0.iter_mut() {
                if d.span.is_none() {
                    // A detail starting `attribute PATH:` points at that attribute.
                    let at = d
                        .detail
                        .strip_prefix("attribute ")
                        .and_then(|rest| rest.split_once(':'))
                        .and_then(|(path, _)| attribute_span(&setup.rcfg.body, path));
                    d.span = Some(at.unwrap_or_else(|| setup.rcfg.decl_span.clone()));
                }
            }
            checks.into_result()?;
        }
        for c in &setup.rcfg.lifecycle.preconditions {
            self.check_condition(m, binding, c, "Resource precondition failed")?;
        }
        Ok(v)
    }

    /// Addresses of the resources a resource depends on (recorded in state, so a later
    /// destroy deletes dependents first even when the configuration is gone).
    pub fn resource_dependencies(&self, module: &[String], addr: &ResourceAddr) -> Vec<String> {
        let node = crate::graph::Node {
            module: module.to_vec(),
            kind: crate::graph::NodeKind::Resource(addr.clone()),
        };
        let mut deps: Vec<String> = self
            .graph
            .dag
            .ancestors(&node)
            .into_iter()
            .filter_map(|n| match n.kind {
                crate::graph::NodeKind::Resource(r)
                    if n.module == module && r.mode == Mode::Managed =>
                {
                    Some(r.to_string())
                }
                _ => None,
            })
            .collect();
        deps.sort();
        deps
    }
}

fn lookup_schema(
    ps: &crate::provider::schema::ProviderSchema,
    addr: &ResourceAddr,
    rcfg: &Resource,
) -> Result<Schema, Diagnostics> {
    let (map, what) = match addr.mode {
        Mode::Managed => (&ps.resources, "resource"),
        Mode::Data => (&ps.data_sources, "data source"),
    };
    match map.get(&addr.type_name) {
        Some(s) => Ok(s.clone()),
        None => {
            let mut detail = format!(
                "The provider {} does not support {what} type {:?}.",
                rcfg.provider.name, addr.type_name
            );
            if let Some(s) = did_you_mean(&addr.type_name, map.keys().map(String::as_str)) {
                detail.push_str(&format!(" Did you mean {s:?}?"));
            }
            Err(Diagnostic::error(format!("Invalid {what} type"), detail)
                .with_span(rcfg.decl_span.clone())
                .into())
        }
    }
}

/// Every expression in a body, blocks included, for building contexts.
/// Where `path` (`password`, `data_disk[1].disk_size_gb`) is written in `body`.
pub(super) fn attribute_span(body: &Body, path: &str) -> Option<crate::diag::Span> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let (name, index) = match head.split_once('[') {
        Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
        None => (head, None),
    };
    let mut blocks = 0usize;
    for item in &body.items {
        match item {
            BodyItem::Attribute(a) if a.name == name && rest.is_none() => {
                return Some(a.span.clone())
            }
            BodyItem::Block(b) if b.kind == name => {
                if index.unwrap_or(0) == blocks {
                    return match rest {
                        Some(r) => attribute_span(&b.body, r).or(Some(b.span.clone())),
                        None => Some(b.span.clone()),
                    };
                }
                blocks += 1;
            }
            _ => {}
        }
    }
    None
}

pub fn body_exprs(body: &Body) -> Vec<&Expr> {
    let mut out = Vec::new();
    for item in &body.items {
        match item {
            BodyItem::Attribute(a) => out.push(&a.expr),
            BodyItem::Block(b) => out.extend(body_exprs(&b.body)),
        }
    }
    out
}

/// How expressions see a resource: one object, a tuple (count) or an object keyed by
/// for_each key.
pub fn aggregate(rcfg: &Resource, instances: Vec<(InstanceKey, Value)>) -> Value {
    if rcfg.count.is_some() {
        let mut v = instances;
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Tuple(v.into_iter().map(|(_, x)| x).collect())
    } else if rcfg.for_each.is_some() {
        Value::Object(
            instances
                .into_iter()
                .map(|(k, x)| match k {
                    InstanceKey::Str(s) => (s, x),
                    other => (other.to_string(), x),
                })
                .collect(),
        )
    } else {
        instances
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or(Value::Null)
    }
}
