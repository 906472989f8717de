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

/// The `index` field of Terraform's JSON resource entries.
pub fn index_json(key: &InstanceKey) -> Option<J> {
    key.to_json()
}

/// One resource instance as Terraform's JSON `values` representation shows it.
fn resource_entry(addr: &crate::addr::AbsInstance, provider: &str, v: &Value) -> J {
    let (values, _, sensitive) = encode(v, Redact::Hide);
    let mut e = json!({
        "address": addr.to_string(),
        "mode": addr.resource.mode.as_str(),
        "type": addr.resource.type_name,
        "name": addr.resource.name,
        "provider_name": provider,
        "schema_version": 0,
        "values": values,
        "sensitive_values": sensitive,
    });
    if let Some(i) = index_json(&addr.key) {
        e["index"] = i;
    }
    e
}

/// Groups resource entries into Terraform's `root_module` / `child_modules` tree.
fn module_tree(entries: Vec<(crate::addr::ModulePath, J)>) -> J {
    let mut root = Vec::new();
    let mut children: std::collections::BTreeMap<String, Vec<J>> =
        std::collections::BTreeMap::new();
    for (m, e) in entries {
        if m.is_root() {
            root.push(e);
        } else {
            children.entry(m.to_string()).or_default().push(e);
        }
    }
    let child_modules: Vec<J> = children
        .into_iter()
        .map(|(addr, resources)| json!({"address": addr, "resources": resources}))
        .collect();
    let mut rm = json!({ "resources": root });
    if !child_modules.is_empty() {
        rm["child_modules"] = J::Array(child_modules);
    }
    rm
}

/// The state in Terraform's JSON values format (`show -json`, `prior_state`), with
/// sensitive values redacted.
pub fn state_document(
    state: &crate::state::State,
    registry: &crate::provider::registry::ProviderRegistry,
) -> J {
    let prior = super::prior::prior_from_state(state, registry);
    let entries = prior
        .instances
        .iter()
        .map(|(a, p)| {
            (
                a.module.clone(),
                resource_entry(a, &p.provider.state_string(), &p.value),
            )
        })
        .collect();
    let outputs: serde_json::Map<String, J> = state
        .outputs
        .iter()
        .map(|(k, o)| {
            let value = if o.sensitive {
                J::Null
            } else {
                o.value.clone()
            };
            (k.clone(), json!({"sensitive": o.sensitive, "value": value}))
        })
        .collect();
    json!({
        "format_version": "1.0",
        "skyform_version": env!("CARGO_PKG_VERSION"),
        "values": { "outputs": outputs, "root_module": module_tree(entries) },
    })
}

/// The plan in Terraform's JSON plan format (`plan -json`, `show -json PLANFILE`), so
/// policy and review tools read it unchanged. Sensitive values are never included.
pub fn plan_document(
    plan: &super::Plan,
    prior_state: Option<&crate::state::State>,
    registry: &crate::provider::registry::ProviderRegistry,
) -> J {
    use super::Action;
    let change_json = |c: &super::ResourceChange| {
        let (before, _, before_sensitive) = c
            .before
            .as_ref()
            .map(|v| encode(v, Redact::Hide))
            .unwrap_or((J::Null, J::Bool(false), J::Bool(false)));
        let (after, after_unknown, after_sensitive) = c
            .after
            .as_ref()
            .map(|v| encode(v, Redact::Hide))
            .unwrap_or((J::Null, J::Bool(false), J::Bool(false)));
        let mut e = json!({
            "address": c.addr.to_string(),
            "mode": c.addr.resource.mode.as_str(),
            "type": c.addr.resource.type_name,
            "name": c.addr.resource.name,
            "provider_name": c.provider.state_string(),
            "change": {
                "actions": c.action.json_actions(),
                "before": before,
                "after": after,
                "after_unknown": after_unknown,
                "before_sensitive": before_sensitive,
                "after_sensitive": after_sensitive,
            },
        });
        if !c.addr.module.is_root() {
            e["module_address"] = J::String(c.addr.module.to_string());
        }
        if let Some(i) = index_json(&c.addr.key) {
            e["index"] = i;
        }
        if !c.replace_paths.is_empty() {
            e["change"]["replace_paths"] =
                J::Array(c.replace_paths.iter().map(|p| json!([p])).collect());
        }
        if let Some(r) = &c.reason {
            e["action_reason"] = J::String(r.clone());
        }
        if let Some(d) = &c.deposed {
            e["deposed"] = J::String(d.clone());
        }
        e
    };
    let planned: Vec<(crate::addr::ModulePath, J)> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Delete))
        .filter_map(|c| {
            c.after.as_ref().map(|v| {
                (
                    c.addr.module.clone(),
                    resource_entry(&c.addr, &c.provider.state_string(), v),
                )
            })
        })
        .collect();
    let mut planned_outputs = serde_json::Map::new();
    let mut output_changes = serde_json::Map::new();
    for (name, o) in &plan.outputs {
        if let Some(a) = &o.after {
            let (v, _, _) = encode(a, Redact::Hide);
            let value = if o.sensitive { J::Null } else { v };
            planned_outputs.insert(
                name.clone(),
                json!({"sensitive": o.sensitive, "value": value}),
            );
        }
        let actions: &[&str] = match (&o.before, &o.after) {
            (None, Some(_)) => &["create"],
            (Some(_), None) => &["delete"],
            _ if o.is_change() => &["update"],
            _ => &["no-op"],
        };
        let enc = |v: &Option<Value>| match v {
            Some(v) if !o.sensitive => encode(v, Redact::Hide),
            Some(_) => (J::Null, J::Bool(false), J::Bool(true)),
            None => (J::Null, J::Bool(false), J::Bool(false)),
        };
        let (before, _, before_sensitive) = enc(&o.before);
        let (after, after_unknown, after_sensitive) = enc(&o.after);
        output_changes.insert(
            name.clone(),
            json!({"actions": actions, "before": before, "after": after, "after_unknown": after_unknown,
                   "before_sensitive": before_sensitive, "after_sensitive": after_sensitive}),
        );
    }
    let variables: serde_json::Map<String, J> = plan
        .variables
        .iter()
        .map(|(k, v)| {
            let (j, _, _) = encode(v, Redact::Hide);
            (k.clone(), json!({"value": j}))
        })
        .collect();
    let mut doc = json!({
        "format_version": "1.0",
        "skyform_version": env!("CARGO_PKG_VERSION"),
        "variables": variables,
        "planned_values": { "outputs": planned_outputs, "root_module": module_tree(planned) },
        "resource_drift": plan.drift.iter().map(|d| {
            let (before, _, before_sensitive) = encode(&d.before, Redact::Hide);
            let (after, after_unknown, after_sensitive) = d.after.as_ref().map(|v| encode(v, Redact::Hide)).unwrap_or((J::Null, J::Bool(false), J::Bool(false)));
            json!({
                "address": d.addr.to_string(),
                "mode": d.addr.resource.mode.as_str(),
                "type": d.addr.resource.type_name,
                "name": d.addr.resource.name,
                "change": {"actions": if d.after.is_some() { ["update"] } else { ["delete"] }, "before": before, "after": after,
                           "after_unknown": after_unknown, "before_sensitive": before_sensitive, "after_sensitive": after_sensitive},
            })
        }).collect::<Vec<_>>(),
        "resource_changes": plan.changes.iter().map(change_json).collect::<Vec<_>>(),
        "output_changes": output_changes,
    });
    if let Some(s) = prior_state {
        doc["prior_state"] = state_document(s, registry);
    }
    doc
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
