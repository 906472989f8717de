//! Values as JSON with their marks split out, the way Terraform's JSON plan does it:
//! the value (`after`), a mirror marking unknowns (`after_unknown`) and a mirror marking
//! sensitive parts (`after_sensitive`).
//!
//! Unlike Terraform, the JSON plan skyform prints never contains sensitive values: they are
//! written as `null` and flagged in the sensitive mirror, so a plan posted to a pull request
//! or a policy tool cannot leak a secret. Saved plan files keep them (`Redact::Keep`).

use crate::addr::InstanceKey;
use crate::lang::{Type, Value};
use serde_json::{json, Map, Value as J};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redact {
    /// Sensitive values become null (what people and tools see).
    Hide,
    /// Sensitive values are kept (saved plan files, which apply reads back).
    Keep,
}

/// Splits a value into (json, unknown mirror, sensitive mirror).
pub fn encode(v: &Value, redact: Redact) -> (J, J, J) {
    encode_inner(v, redact, false)
}

fn encode_inner(v: &Value, redact: Redact, in_sensitive: bool) -> (J, J, J) {
    match v {
        Value::Unknown(_) => (J::Null, J::Bool(true), J::Bool(in_sensitive)),
        Value::Sensitive(inner) => {
            let (j, u, _) = encode_inner(inner, redact, true);
            let j = if redact == Redact::Hide { J::Null } else { j };
            (j, u, J::Bool(true))
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            let mut js = Vec::with_capacity(xs.len());
            let mut us = Vec::with_capacity(xs.len());
            let mut ss = Vec::with_capacity(xs.len());
            for x in xs {
                let (j, u, s) = encode_inner(x, redact, in_sensitive);
                js.push(j);
                us.push(u);
                ss.push(s);
            }
            (J::Array(js), J::Array(us), J::Array(ss))
        }
        Value::Map(m) | Value::Object(m) => {
            let mut js = Map::new();
            let mut us = Map::new();
            let mut ss = Map::new();
            for (k, x) in m {
                let (j, u, s) = encode_inner(x, redact, in_sensitive);
                js.insert(k.clone(), j);
                if u != J::Bool(false) {
                    us.insert(k.clone(), u);
                }
                if s != J::Bool(false) {
                    ss.insert(k.clone(), s);
                }
            }
            (J::Object(js), J::Object(us), J::Object(ss))
        }
        other => (other.to_json(), J::Bool(false), J::Bool(in_sensitive)),
    }
}

/// Rebuilds a value from its JSON and mirrors, typed by `ty`.
pub fn decode(j: &J, unknown: &J, sensitive: &J, ty: &Type) -> Value {
    if unknown == &J::Bool(true) {
        let v = Value::Unknown(ty.clone());
        return if sensitive == &J::Bool(true) {
            Value::sensitive(v)
        } else {
            v
        };
    }
    if sensitive == &J::Bool(true) {
        return Value::sensitive(decode(j, unknown, &J::Bool(false), ty));
    }
    let elem_ty = |i: usize| match ty {
        Type::List(t) | Type::Set(t) | Type::Map(t) => (**t).clone(),
        Type::Tuple(ts) => ts.get(i).cloned().unwrap_or(Type::Dynamic),
        _ => Type::Dynamic,
    };
    match j {
        J::Array(xs) if unknown.is_array() || sensitive.is_array() => {
            let items: Vec<Value> = xs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    decode(
                        x,
                        unknown.get(i).unwrap_or(&J::Bool(false)),
                        sensitive.get(i).unwrap_or(&J::Bool(false)),
                        &elem_ty(i),
                    )
                })
                .collect();
            match ty {
                Type::List(_) => Value::List(items),
                Type::Set(_) => Value::set_from(items),
                _ => Value::Tuple(items),
            }
        }
        J::Object(m) if unknown.is_object() || sensitive.is_object() => {
            let items = m
                .iter()
                .map(|(k, x)| {
                    let t = match ty {
                        Type::Object(attrs) => attrs.get(k).cloned().unwrap_or(Type::Dynamic),
                        Type::Map(t) => (**t).clone(),
                        _ => Type::Dynamic,
                    };
                    (
                        k.clone(),
                        decode(
                            x,
                            unknown.get(k).unwrap_or(&J::Bool(false)),
                            sensitive.get(k).unwrap_or(&J::Bool(false)),
                            &t,
                        ),
                    )
                })
                .collect();
            match ty {
                Type::Map(_) => Value::Map(items),
                _ => Value::Object(items),
            }
        }
        _ => Value::from_json_typed(j, ty),
    }
}

/// A value in one JSON document (`{"value":…, "unknown":…, "sensitive":…}`), for plan files.
pub fn encode_full(v: &Value) -> J {
    let (value, unknown, sensitive) = encode(v, Redact::Keep);
    json!({ "value": value, "unknown": unknown, "sensitive": sensitive })
}

pub fn decode_full(j: &J, ty: &Type) -> Value {
    let f = J::Bool(false);
    decode(
        j.get("value").unwrap_or(&J::Null),
        j.get("unknown").unwrap_or(&f),
        j.get("sensitive").unwrap_or(&f),
        ty,
    )
}

/// A type as Terraform writes it in JSON (`"string"`, `["list","number"]`,
/// `["object",{"a":"bool"}]`).
pub fn type_json(t: &Type) -> J {
    match t {
        Type::Dynamic => J::String("dynamic".into()),
        Type::Bool => J::String("bool".into()),
        Type::Number => J::String("number".into()),
        Type::String => J::String("string".into()),
        Type::List(e) => json!(["list", type_json(e)]),
        Type::Set(e) => json!(["set", type_json(e)]),
        Type::Map(e) => json!(["map", type_json(e)]),
        Type::Tuple(ts) => json!(["tuple", ts.iter().map(type_json).collect::<Vec<_>>()]),
        Type::Object(attrs) => json!([
            "object",
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), type_json(v)))
                .collect::<Map<_, _>>()
        ]),
        Type::Optional(t) => type_json(t),
    }
}

/// The `index` field of Terraform's JSON resource entries.
pub fn index_json(key: &InstanceKey) -> Option<J> {
    key.to_json()
}

/// The provider's full address, as Terraform writes `provider_name`
/// (`registry.terraform.io/hashicorp/aws`). skyform's providers are built in, so they live
/// under `skyform.io/builtin/`, the way Terraform names its own `terraform.io/builtin/terraform`.
pub fn provider_address(name: &str) -> String {
    format!("skyform.io/builtin/{name}")
}

/// Terraform's rendering of values in a plan or state document: unknown attributes are left
/// out of objects (and are `null` in sequences); sensitive values are never present (`null`,
/// flagged in the `*_sensitive` mirror).
pub fn encode_tf(v: &Value) -> (J, J, J) {
    let (mut j, u, s) = encode(v, Redact::Hide);
    omit_unknowns(&mut j, &u);
    (j, u, s)
}

fn omit_unknowns(j: &mut J, unknown: &J) {
    match (j, unknown) {
        (J::Object(m), J::Object(u)) => {
            m.retain(|k, _| u.get(k) != Some(&J::Bool(true)));
            for (k, x) in m.iter_mut() {
                if let Some(uk) = u.get(k) {
                    omit_unknowns(x, uk);
                }
            }
        }
        (J::Array(xs), J::Array(us)) => {
            for (x, ux) in xs.iter_mut().zip(us) {
                if ux == &J::Bool(true) {
                    *x = J::Null;
                } else {
                    omit_unknowns(x, ux);
                }
            }
        }
        _ => {}
    }
}

/// One resource instance as Terraform's JSON `values` representation shows it.
fn resource_entry(
    addr: &crate::addr::AbsInstance,
    provider: &str,
    v: &Value,
    registry: &crate::provider::registry::ProviderRegistry,
) -> J {
    let (values, _, sensitive) = encode_tf(v);
    let data = addr.resource.mode == crate::addr::Mode::Data;
    let schema_version = registry
        .schema_of(provider, data, &addr.resource.type_name)
        .map(|s| s.version)
        .unwrap_or(0);
    let mut e = json!({
        "address": addr.to_string(),
        "mode": addr.resource.mode.as_str(),
        "type": addr.resource.type_name,
        "name": addr.resource.name,
        "provider_name": provider_address(provider),
        "schema_version": schema_version,
        "values": values,
        "sensitive_values": sensitive,
    });
    if let Some(i) = index_json(&addr.key) {
        e["index"] = i;
    }
    e
}

/// Groups resource entries into Terraform's `root_module` / `child_modules` tree: each
/// module instance is a child of its parent (`module.a[0].module.b` sits inside
/// `module.a[0]`), with its `address`, its `resources` and its own `child_modules`. A module
/// with no resources of its own still appears when a descendant has some.
fn module_tree(entries: Vec<(crate::addr::ModulePath, J)>) -> J {
    use crate::addr::ModulePath;
    use std::collections::BTreeMap;
    let mut resources: BTreeMap<ModulePath, Vec<J>> = BTreeMap::new();
    for (m, e) in entries {
        // Every ancestor exists in the tree, even without resources.
        let mut ancestor = ModulePath::root();
        for (name, key) in &m.0 {
            resources.entry(ancestor.clone()).or_default();
            ancestor = ancestor.child(name, key.clone());
        }
        resources.entry(m).or_default().push(e);
    }
    fn build(path: &ModulePath, resources: &BTreeMap<ModulePath, Vec<J>>) -> J {
        let mut m = json!({ "resources": resources.get(path).cloned().unwrap_or_default() });
        if !path.is_root() {
            m["address"] = J::String(path.to_string());
        }
        let children: Vec<J> = resources
            .keys()
            .filter(|c| c.0.len() == path.0.len() + 1 && c.0.starts_with(&path.0))
            .map(|c| build(c, resources))
            .collect();
        if !children.is_empty() {
            m["child_modules"] = J::Array(children);
        }
        m
    }
    build(&ModulePath::root(), &resources)
}

/// The Terraform release whose JSON formats skyform writes (plan format 1.1, with
/// `relevant_attributes`, arrived in Terraform 1.2).
pub const TERRAFORM_COMPAT: &str = "1.2.0";

/// `terraform_version` as skyform writes it: the Terraform release whose format the document
/// follows, with skyform's own version as semver build metadata (`1.2.0+skyform.0.1.0`).
/// Tools key on it: checkov reads no plan without it, and terraform-compliance refuses a
/// version that does not start with a Terraform release it knows (skyform's bare `0.1.0`).
pub fn terraform_version() -> String {
    format!("{TERRAFORM_COMPAT}+skyform.{}", env!("CARGO_PKG_VERSION"))
}

/// The version fields every document carries (`terraform_version`, and `skyform_version`
/// for tools that know skyform).
fn versions(doc: &mut J, format: &str) {
    doc["format_version"] = J::String(format.to_string());
    doc["terraform_version"] = J::String(terraform_version());
    doc["skyform_version"] = J::String(env!("CARGO_PKG_VERSION").to_string());
}

/// The `values` of a state: outputs and the module tree, sensitive values redacted.
/// `data_reads` (a plan's fresh reads of data sources) replace what the state holds for
/// the same data source, as in Terraform's refreshed prior state.
fn state_values(
    state: Option<&crate::state::State>,
    data_reads: &[super::DataRead],
    registry: &crate::provider::registry::ProviderRegistry,
) -> J {
    let mut by_addr = std::collections::BTreeMap::new();
    if let Some(state) = state {
        let prior = super::prior::prior_from_state(state, registry);
        for (a, p) in &prior.instances {
            by_addr.insert(
                a.clone(),
                resource_entry(a, &p.provider.name, &p.value, registry),
            );
        }
    }
    for d in data_reads {
        by_addr.insert(
            d.addr.clone(),
            resource_entry(&d.addr, &d.provider.name, &d.value, registry),
        );
    }
    let entries = by_addr
        .into_iter()
        .map(|(a, e)| (a.module.clone(), e))
        .collect();
    let outputs: serde_json::Map<String, J> = state
        .map(|s| {
            s.outputs
                .iter()
                .map(|(k, o)| {
                    let value = if o.sensitive {
                        J::Null
                    } else {
                        o.value.clone()
                    };
                    (k.clone(), json!({"sensitive": o.sensitive, "value": value}))
                })
                .collect()
        })
        .unwrap_or_default();
    json!({ "outputs": outputs, "root_module": module_tree(entries) })
}

/// The state in Terraform's JSON values format (`show -json`, `prior_state`), with
/// sensitive values redacted.
pub fn state_document(
    state: &crate::state::State,
    registry: &crate::provider::registry::ProviderRegistry,
) -> J {
    let mut doc = json!({ "values": state_values(Some(state), &[], registry) });
    versions(&mut doc, "1.0");
    doc
}

/// Terraform's `action_reason` for a change, from the engine's reason sentence and the
/// action (`replace_because_cannot_update` when a force-new attribute changed).
pub fn action_reason(c: &super::ResourceChange) -> Option<&'static str> {
    let r = c.reason.as_deref().unwrap_or("");
    Some(match r {
        r if r.contains("-replace") => "replace_by_request",
        r if r.starts_with("replace_triggered_by") => "replace_by_triggers",
        r if r.contains("out of range for count") => "delete_because_count_index",
        r if r.contains("not in for_each") => "delete_because_each_key",
        r if r.contains("now uses count or for_each") => "delete_because_wrong_repetition",
        r if r.starts_with("because module.") => "delete_because_no_module",
        r if r.contains("not in configuration") || r.contains("no longer in configuration") => {
            "delete_because_no_resource_config"
        }
        r if r.contains("not yet known") => "read_because_config_unknown",
        "" if c.action.is_replace() && !c.replace_paths.is_empty() => {
            "replace_because_cannot_update"
        }
        _ => return None,
    })
}

/// A change's `before`/`after` pair with its mirrors.
fn change_body(actions: &[&str], before: Option<&Value>, after: Option<&Value>) -> J {
    let none = || (J::Null, J::Bool(false), J::Bool(false));
    let (before, _, before_sensitive) = before.map(encode_tf).unwrap_or_else(none);
    let (after, after_unknown, after_sensitive) = after.map(encode_tf).unwrap_or_else(none);
    json!({
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": after_unknown,
        "before_sensitive": before_sensitive,
        "after_sensitive": after_sensitive,
    })
}

fn address_fields(addr: &crate::addr::AbsInstance, provider: &str) -> J {
    let mut e = json!({
        "address": addr.to_string(),
        "mode": addr.resource.mode.as_str(),
        "type": addr.resource.type_name,
        "name": addr.resource.name,
        "provider_name": provider_address(provider),
    });
    if !addr.module.is_root() {
        e["module_address"] = J::String(addr.module.to_string());
    }
    if let Some(i) = index_json(&addr.key) {
        e["index"] = i;
    }
    e
}

/// The plan in Terraform's JSON plan format (`plan -json`, `show -json PLANFILE`), so
/// policy and review tools read it unchanged. Sensitive values are never included. The
/// `configuration` section is written when the configuration is given.
pub fn plan_document(
    plan: &super::Plan,
    prior_state: Option<&crate::state::State>,
    registry: &crate::provider::registry::ProviderRegistry,
    config: Option<&crate::config::Config>,
) -> J {
    use super::Action;
    let change_json = |c: &super::ResourceChange| {
        let mut e = address_fields(&c.addr, &c.provider.name);
        e["change"] = change_body(
            c.action.json_actions(),
            c.before.as_deref(),
            c.after.as_deref(),
        );
        if !c.replace_paths.is_empty() {
            e["change"]["replace_paths"] = J::Array(
                c.replace_paths
                    .iter()
                    .map(|p| J::Array(p.split('.').map(path_step).collect()))
                    .collect(),
            );
        }
        if let Some(r) = action_reason(c) {
            e["action_reason"] = J::String(r.to_string());
        }
        if let Some(d) = &c.deposed {
            e["deposed"] = J::String(d.clone());
        }
        if let Some(i) = plan.import_of(&c.addr).filter(|_| c.deposed.is_none()) {
            e["change"]["importing"] = serde_json::json!({ "id": i.id });
        }
        e
    };
    // Every object as the plan leaves it, data sources read while planning included (mode
    // "data"), in address order.
    let mut planned: Vec<(crate::addr::AbsInstance, J)> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Delete))
        .filter_map(|c| {
            c.after.as_deref().map(|v| {
                (
                    c.addr.clone(),
                    resource_entry(&c.addr, &c.provider.name, v, registry),
                )
            })
        })
        .collect();
    planned.extend(plan.data_reads.iter().map(|d| {
        (
            d.addr.clone(),
            resource_entry(&d.addr, &d.provider.name, &d.value, registry),
        )
    }));
    planned.sort_by(|a, b| a.0.cmp(&b.0));
    let planned: Vec<(crate::addr::ModulePath, J)> =
        planned.into_iter().map(|(a, e)| (a.module, e)).collect();
    let mut planned_outputs = serde_json::Map::new();
    let mut output_changes = serde_json::Map::new();
    for (name, o) in &plan.outputs {
        if let Some(a) = &o.after {
            let mut entry = json!({"sensitive": o.sensitive});
            if a.is_wholly_known() && !o.sensitive {
                entry["value"] = encode_tf(a).0;
            } else if !o.sensitive {
                // Terraform leaves an unknown output's value out of planned_values.
            }
            planned_outputs.insert(name.clone(), entry);
        }
        let actions: &[&str] = match (&o.before, &o.after) {
            (None, Some(_)) => &["create"],
            (Some(_), None) => &["delete"],
            _ if o.is_change() => &["update"],
            _ => &["no-op"],
        };
        // Output marks are single booleans in Terraform's format.
        let enc = |v: &Option<Value>| match v {
            Some(v) if !o.sensitive && !v.is_sensitive() => encode_tf(v).0,
            _ => J::Null,
        };
        let after_unknown = match &o.after {
            Some(v) if v.is_wholly_known() => J::Bool(false),
            Some(Value::Unknown(_)) => J::Bool(true),
            Some(v) => encode_tf(v).1,
            None => J::Bool(false),
        };
        let sens =
            |v: &Option<Value>| J::Bool(o.sensitive || v.as_ref().is_some_and(Value::is_sensitive));
        output_changes.insert(
            name.clone(),
            json!({"actions": actions, "before": enc(&o.before), "after": enc(&o.after),
                   "after_unknown": after_unknown,
                   "before_sensitive": sens(&o.before), "after_sensitive": sens(&o.after)}),
        );
    }
    let sensitive_vars: std::collections::BTreeSet<&str> = config
        .map(|c| {
            c.root
                .module
                .variables
                .values()
                .filter(|v| v.sensitive)
                .map(|v| v.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let variables: serde_json::Map<String, J> = plan
        .variables
        .iter()
        .map(|(k, v)| {
            let j = if sensitive_vars.contains(k.as_str()) {
                J::Null
            } else {
                encode_tf(v).0
            };
            (k.clone(), json!({"value": j}))
        })
        .collect();
    let mut doc = json!({
        "variables": variables,
        "planned_values": { "outputs": planned_outputs, "root_module": module_tree(planned) },
        "resource_drift": plan.drift.iter().map(|d| {
            let provider = plan.changes.iter().find(|c| c.addr == d.addr)
                .map(|c| c.provider.name.clone())
                .unwrap_or_else(|| d.addr.resource.implied_provider().to_string());
            let mut e = address_fields(&d.addr, &provider);
            e["change"] = change_body(if d.after.is_some() { &["update"] } else { &["delete"] }, Some(&d.before), d.after.as_ref());
            e
        }).collect::<Vec<_>>(),
        "resource_changes": plan.changes.iter().map(change_json).collect::<Vec<_>>(),
        "output_changes": output_changes,
    });
    versions(&mut doc, "1.1");
    if prior_state.is_some() || !plan.data_reads.is_empty() {
        let mut prior = json!({ "values": state_values(prior_state, &plan.data_reads, registry) });
        versions(&mut prior, "1.0");
        doc["prior_state"] = prior;
    }
    if let Some(c) = config {
        doc["configuration"] = configuration::configuration(c, registry);
        doc["relevant_attributes"] = configuration::relevant_attributes(c);
    }
    doc
}

/// A step of a `replace_paths` path: a number for an index, a string for a name.
fn path_step(s: &str) -> J {
    match s.parse::<u64>() {
        Ok(n) => J::from(n),
        Err(_) => J::String(s.to_string()),
    }
}

/// Terraform's `configuration` section: provider configurations, and each module's
/// variables, outputs, resources and module calls with their expressions shown as a
/// `constant_value` (a literal) or the `references` they make. Sensitive attributes (by
/// schema) never show their constant.
pub mod configuration {
    use super::provider_address;
    use crate::config::{Config, ModuleNode, Resource};
    use crate::hcl::ast::{Body, Expr, Literal, Step, Traversal};
    use crate::provider::registry::ProviderRegistry;
    use crate::provider::schema::Schema;
    use serde_json::{json, Map, Value as J};

    pub fn configuration(config: &Config, registry: &ProviderRegistry) -> J {
        let mut provider_config = Map::new();
        for node in config.root.all() {
            for p in &node.module.providers {
                // Terraform's opaque key: the configuration's key within its module
                // (`mcloud`, `mcloud.east`), prefixed with the module's path and a colon
                // outside the root (`module.net:mcloud`, `module.a.module.b:mcloud.east`).
                let module_address: String = node
                    .path
                    .iter()
                    .map(|n| format!("module.{n}"))
                    .collect::<Vec<_>>()
                    .join(".");
                let key = if module_address.is_empty() {
                    p.key().to_string()
                } else {
                    format!("{module_address}:{}", p.key())
                };
                let schema = registry.get(&p.name).map(|t| t.schema().provider.clone());
                let mut e = json!({
                    "name": p.name,
                    "full_name": provider_address(&p.name),
                    "expressions": expressions(&p.body, schema.as_ref()),
                });
                if let Some(a) = &p.alias {
                    e["alias"] = J::String(a.clone());
                }
                if !module_address.is_empty() {
                    e["module_address"] = J::String(module_address);
                }
                provider_config.insert(key, e);
            }
        }
        json!({
            "provider_config": provider_config,
            "root_module": module(&config.root, registry),
        })
    }

    fn module(node: &ModuleNode, registry: &ProviderRegistry) -> J {
        let m = &node.module;
        let mut out = Map::new();
        if !m.outputs.is_empty() {
            let outputs: Map<String, J> = m
                .outputs
                .values()
                .map(|o| {
                    let mut e = json!({ "expression": expression(&o.expr, o.sensitive) });
                    if o.sensitive {
                        e["sensitive"] = J::Bool(true);
                    }
                    if let Some(d) = &o.description {
                        e["description"] = J::String(d.clone());
                    }
                    if !o.depends_on.is_empty() {
                        e["depends_on"] = o.depends_on.iter().map(traversal_string).collect();
                    }
                    (o.name.clone(), e)
                })
                .collect();
            out.insert("outputs".into(), J::Object(outputs));
        }
        out.insert(
            "resources".into(),
            m.resources
                .values()
                .map(|r| resource(r, registry))
                .collect(),
        );
        if !m.module_calls.is_empty() {
            let calls: Map<String, J> = m
                .module_calls
                .values()
                .map(|c| {
                    let expressions: Map<String, J> = c
                        .inputs
                        .iter()
                        .map(|(k, e)| (k.clone(), expression(e, false)))
                        .collect();
                    let mut e = json!({
                        "source": c.source,
                        "expressions": expressions,
                        "module": node.children.get(&c.name).map(|n| module(n, registry)).unwrap_or_else(|| json!({})),
                    });
                    if let Some(x) = &c.count {
                        e["count_expression"] = expression(x, false);
                    }
                    if let Some(x) = &c.for_each {
                        e["for_each_expression"] = expression(x, false);
                    }
                    if !c.depends_on.is_empty() {
                        e["depends_on"] = c.depends_on.iter().map(traversal_string).collect();
                    }
                    (c.name.clone(), e)
                })
                .collect();
            out.insert("module_calls".into(), J::Object(calls));
        }
        if !m.variables.is_empty() {
            let vars: Map<String, J> = m
                .variables
                .values()
                .map(|v| {
                    let mut e = json!({});
                    if let (Some(d), false) = (&v.default, v.sensitive) {
                        if let Some(c) = constant(d) {
                            e["default"] = c;
                        }
                    }
                    if let Some(d) = &v.description {
                        e["description"] = J::String(d.clone());
                    }
                    if v.sensitive {
                        e["sensitive"] = J::Bool(true);
                    }
                    (v.name.clone(), e)
                })
                .collect();
            out.insert("variables".into(), J::Object(vars));
        }
        J::Object(out)
    }

    fn resource(r: &Resource, registry: &ProviderRegistry) -> J {
        let data = r.addr.mode == crate::addr::Mode::Data;
        let schema = registry.schema_of(&r.provider.name, data, &r.addr.type_name);
        let mut e = json!({
            "address": r.addr.to_string(),
            "mode": r.addr.mode.as_str(),
            "type": r.addr.type_name,
            "name": r.addr.name,
            // skyform configures providers in the root module only (module calls' `providers`
            // maps are resolved when the configuration is loaded), so the key names the root's
            // `mcloud` or `mcloud.east` for resources at any depth: the configuration the
            // resource really uses.
            "provider_config_key": r.provider.to_string(),
            "expressions": expressions(&r.body, schema),
            "schema_version": schema.map(|s| s.version).unwrap_or(0),
        });
        if let Some(x) = &r.count {
            e["count_expression"] = expression(x, false);
        }
        if let Some(x) = &r.for_each {
            e["for_each_expression"] = expression(x, false);
        }
        if !r.depends_on.is_empty() {
            e["depends_on"] = r.depends_on.iter().map(traversal_string).collect();
        }
        e
    }

    /// A body's attributes and blocks (a block is a list of expression objects).
    fn expressions(body: &Body, schema: Option<&Schema>) -> J {
        let mut out = Map::new();
        for a in body.attributes() {
            let sensitive = schema
                .and_then(|s| s.attributes.get(&a.name))
                .is_some_and(|at| at.sensitive);
            out.insert(a.name.clone(), expression(&a.expr, sensitive));
        }
        for b in body.blocks() {
            let inner = schema
                .and_then(|s| s.blocks.get(&b.kind))
                .map(|nb| &nb.schema);
            let entry = out
                .entry(b.kind.clone())
                .or_insert_with(|| J::Array(Vec::new()));
            if let J::Array(xs) = entry {
                xs.push(expressions(&b.body, inner));
            }
        }
        J::Object(out)
    }

    /// `{"constant_value": …}` for an expression that refers to nothing (left out when the
    /// attribute is sensitive), otherwise `{"references": […]}`.
    pub fn expression(e: &Expr, sensitive: bool) -> J {
        let refs = references(e);
        if refs.is_empty() {
            if sensitive {
                return json!({});
            }
            return match constant(e) {
                Some(c) => json!({ "constant_value": c }),
                None => json!({}),
            };
        }
        json!({ "references": refs })
    }

    fn constant(e: &Expr) -> Option<J> {
        let v = crate::lang::eval(e, &crate::lang::EvalContext::default()).ok()?;
        (v.is_wholly_known() && !v.is_sensitive()).then(|| v.to_json())
    }

    /// Terraform's reference list: each reference as written, then the objects containing
    /// it (`mcloud_template.web.cloud`, `mcloud_template.web`).
    pub fn references(e: &Expr) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in e.traversals() {
            for r in reference_forms(&t) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out
    }

    fn reference_forms(t: &Traversal) -> Vec<String> {
        // How many leading steps name the object: `var.x` 1, `data.t.n` 2, `t.n` 1.
        let subject_steps = match t.root.as_str() {
            "var" | "local" | "module" | "count" | "each" | "path" | "terraform" | "self" => 1,
            "data" => 2,
            _ => 1,
        };
        let mut forms = Vec::new();
        let mut s = t.root.clone();
        let mut prefixes = Vec::new();
        for (i, step) in t.steps.iter().enumerate() {
            match step {
                Step::Attr(n) => s.push_str(&format!(".{n}")),
                Step::Index(Literal::String(k)) => s.push_str(&format!("[{k:?}]")),
                Step::Index(Literal::Number(n)) => s.push_str(&format!("[{}]", n.as_str())),
                Step::Dynamic => break,
            }
            if i + 1 >= subject_steps {
                prefixes.push(s.clone());
            }
        }
        if prefixes.is_empty() {
            return vec![s];
        }
        // The full reference, then its subject and (for indexed resources and modules)
        // the instance: Terraform lists these, not every intermediate attribute.
        let full = prefixes.last().cloned().unwrap_or_default();
        forms.push(full);
        let subject = prefixes[0].clone();
        if let Some(instance) = prefixes.get(1) {
            if matches!(t.steps.get(subject_steps), Some(Step::Index(_))) {
                forms.push(instance.clone());
            }
        }
        forms.push(subject);
        forms.dedup();
        let mut seen = Vec::new();
        forms.retain(|f| {
            let new = !seen.contains(f);
            seen.push(f.clone());
            new
        });
        // `count.index`, `each.key`, `var.x`, `local.x`: one form only.
        if matches!(
            t.root.as_str(),
            "count" | "each" | "path" | "terraform" | "self"
        ) {
            forms.truncate(1);
        }
        forms
    }

    fn traversal_string(t: &Traversal) -> J {
        J::String(reference_forms(t).into_iter().next().unwrap_or_default())
    }

    /// `relevant_attributes`: the resource attributes the configuration reads, which is
    /// what makes a drift of them relevant to the plan.
    pub fn relevant_attributes(config: &Config) -> J {
        let mut out: Vec<J> = Vec::new();
        for node in config.root.all() {
            let m = &node.module;
            let module_prefix: String = node.path.iter().map(|n| format!("module.{n}.")).collect();
            let mut exprs: Vec<&Expr> = m.outputs.values().map(|o| &o.expr).collect();
            exprs.extend(m.locals.values().map(|l| &l.expr));
            for r in m.resources.values() {
                collect_body_exprs(&r.body, &mut exprs);
                exprs.extend(r.count.iter());
                exprs.extend(r.for_each.iter());
            }
            for c in m.module_calls.values() {
                exprs.extend(c.inputs.values());
            }
            for e in exprs {
                for t in e.traversals() {
                    let (resource, rest) = match t.root.as_str() {
                        "var" | "local" | "module" | "count" | "each" | "path" | "terraform"
                        | "self" => continue,
                        "data" => match (t.steps.first(), t.steps.get(1)) {
                            (Some(Step::Attr(ty)), Some(Step::Attr(n))) => {
                                (format!("data.{ty}.{n}"), &t.steps[2..])
                            }
                            _ => continue,
                        },
                        ty => match t.steps.first() {
                            Some(Step::Attr(n)) => (format!("{ty}.{n}"), &t.steps[1..]),
                            _ => continue,
                        },
                    };
                    let (resource, rest) = match rest.first() {
                        Some(Step::Index(Literal::Number(n))) => {
                            (format!("{resource}[{}]", n.as_str()), &rest[1..])
                        }
                        Some(Step::Index(Literal::String(k))) => {
                            (format!("{resource}[{k:?}]"), &rest[1..])
                        }
                        Some(Step::Dynamic) => (resource, &rest[1..]),
                        _ => (resource, rest),
                    };
                    let attribute: Vec<J> = rest
                        .iter()
                        .map_while(|s| match s {
                            Step::Attr(n) => Some(J::String(n.clone())),
                            Step::Index(Literal::String(k)) => Some(J::String(k.clone())),
                            Step::Index(Literal::Number(n)) => {
                                n.as_str().parse::<u64>().ok().map(J::from)
                            }
                            Step::Dynamic => None,
                        })
                        .collect();
                    if attribute.is_empty() {
                        continue;
                    }
                    let entry = json!({
                        "resource": format!("{module_prefix}{resource}"),
                        "attribute": attribute,
                    });
                    if !out.contains(&entry) {
                        out.push(entry);
                    }
                }
            }
        }
        J::Array(out)
    }

    fn collect_body_exprs<'a>(body: &'a Body, out: &mut Vec<&'a Expr>) {
        for a in body.attributes() {
            out.push(&a.expr);
        }
        for b in body.blocks() {
            collect_body_exprs(&b.body, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_sensitive_round_trip() {
        let v = Value::object([
            ("id", Value::Unknown(Type::String)),
            ("name", Value::string("web")),
            ("password", Value::sensitive(Value::string("hunter2"))),
            (
                "tags",
                Value::List(vec![Value::string("a"), Value::Unknown(Type::String)]),
            ),
        ]);
        let (j, u, s) = encode(&v, Redact::Hide);
        assert_eq!(j["password"], J::Null);
        assert_eq!(u["id"], J::Bool(true));
        assert_eq!(u["tags"], json!([false, true]));
        assert_eq!(s["password"], J::Bool(true));
        assert!(!j.to_string().contains("hunter2"));
        let ty = Type::Object(
            [
                ("id".to_string(), Type::String),
                ("name".to_string(), Type::String),
                ("password".to_string(), Type::String),
                ("tags".to_string(), Type::list(Type::String)),
            ]
            .into_iter()
            .collect(),
        );
        let back = decode_full(&encode_full(&v), &ty);
        assert_eq!(back, v);
    }
}
