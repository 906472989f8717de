//! Saved plans (`plan -out FILE`, `apply FILE`).
//!
//! A plan file records the lineage and serial of the state it was made from and a digest of
//! the configuration, so applying it after either moved on is refused instead of acting on
//! stale decisions. It keeps sensitive values (apply needs them), like Terraform's: treat
//! plan files as secrets.

use super::json::{decode_full, encode_full};
use super::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};
use crate::addr::{parse_target, Target};
use crate::config::ProviderRef;
use crate::diag::Diagnostic;
use crate::lang::{Type, Value};
use crate::state::encryption::Codec;
use serde_json::{json, Value as J};
use std::path::Path;

const FORMAT: &str = "skyform-plan";
const FORMAT_VERSION: u64 = 1;

pub fn to_json(plan: &Plan) -> J {
    let value = |v: &Option<Value>| v.as_ref().map(encode_full).unwrap_or(J::Null);
    let shared =
        |v: &Option<std::sync::Arc<Value>>| v.as_deref().map(encode_full).unwrap_or(J::Null);
    json!({
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skyform_version": env!("CARGO_PKG_VERSION"),
        "mode": match plan.mode { PlanMode::Normal => "normal", PlanMode::Destroy => "destroy", PlanMode::RefreshOnly => "refresh-only" },
        "prior_lineage": plan.prior_lineage,
        "prior_serial": plan.prior_serial,
        "config_digest": plan.config_digest,
        "targets": plan.targets,
        "variables": plan.variables.iter().map(|(k, v)| (k.clone(), encode_full(v))).collect::<serde_json::Map<_, _>>(),
        "changes": plan.changes.iter().map(|c| json!({
            "address": c.addr.to_string(),
            "provider": c.provider.state_string(),
            "actions": c.action.json_actions(),
            "before": shared(&c.before),
            "after": shared(&c.after),
            "replace_paths": c.replace_paths,
            "reason": c.reason,
            "deposed": c.deposed,
        })).collect::<Vec<_>>(),
        "drift": plan.drift.iter().map(|d| json!({
            "address": d.addr.to_string(),
            "before": encode_full(&d.before),
            "after": value(&d.after),
        })).collect::<Vec<_>>(),
        "adopted": plan.adopted.iter().map(|a| json!({"address": a.addr.to_string(), "provider": a.provider.state_string(), "value": encode_full(&a.value)})).collect::<Vec<_>>(),
        "forgotten": plan.forgotten.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        "data_reads": plan.data_reads.iter().map(|d| json!({"address": d.addr.to_string(), "provider": d.provider.state_string(), "value": encode_full(&d.value)})).collect::<Vec<_>>(),
        "imports": plan.imports.iter().map(|i| json!({"address": i.addr.to_string(), "provider": i.provider.state_string(), "id": i.id, "value": encode_full(&i.value), "generated": i.generated})).collect::<Vec<_>>(),
        "moves": plan.moves.iter().map(|(f, t)| json!({"from": f.to_string(), "to": t.to_string()})).collect::<Vec<_>>(),
        "outputs": plan.outputs.iter().map(|(k, o)| (k.clone(), json!({
            "before": value(&o.before),
            "after": value(&o.after),
            "sensitive": o.sensitive,
        }))).collect::<serde_json::Map<_, _>>(),
    })
}

/// Writes a plan file atomically (a half-written plan must never be applied).
pub fn save(plan: &Plan, path: &Path) -> Result<(), Diagnostic> {
    save_with(plan, path, &Codec::plain())
}

/// [`save`], encrypted like the state when `codec` has a key (a plan holds the same secrets).
pub fn save_with(plan: &Plan, path: &Path, codec: &Codec) -> Result<(), Diagnostic> {
    let text = serde_json::to_string_pretty(&to_json(plan))
        .map_err(|e| Diagnostic::error("Failed to write plan file", e.to_string()))?;
    let text = codec
        .seal(text.as_bytes())
        .map_err(|e| Diagnostic::error("Failed to write plan file", e.to_string()))?;
    let tmp = path.with_extension("tmp-skyform");
    let fail = |e: std::io::Error| {
        Diagnostic::error(
            "Failed to write plan file",
            format!("Could not write {}: {e}.", path.display()),
        )
    };
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

pub fn load(path: &Path) -> Result<Plan, Diagnostic> {
    load_with(path, &Codec::plain())
}

/// [`load`] of a plan file that may be encrypted (decrypted with `codec`'s keys).
pub fn load_with(path: &Path, codec: &Codec) -> Result<Plan, Diagnostic> {
    let bad = |why: String| {
        Diagnostic::error(
            "Failed to load plan file",
            format!(
                "{} is not a skyform plan file: {why}. Create one with \"skyform plan -out FILE\".",
                path.display()
            ),
        )
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let bytes = codec
        .open(&bytes, &path.display().to_string())
        .map_err(|e| Diagnostic::error("Failed to load plan file", e.to_string()))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("it is not UTF-8 text".into()))?;
    let j: J = serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON ({e})")))?;
    if j.get("format").and_then(J::as_str) != Some(FORMAT) {
        return Err(bad("the format marker is missing".into()));
    }
    let version = j.get("format_version").and_then(J::as_u64).unwrap_or(0);
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {version} is not supported by this skyform"
        )));
    }
    let dynamic = Type::Dynamic;
    let opt_value = |v: Option<&J>| match v {
        Some(J::Null) | None => None,
        Some(x) => Some(decode_full(x, &dynamic)),
    };
    let mut plan = Plan {
        mode: match j.get("mode").and_then(J::as_str) {
            Some("destroy") => PlanMode::Destroy,
            Some("refresh-only") => PlanMode::RefreshOnly,
            _ => PlanMode::Normal,
        },
        prior_lineage: j
            .get("prior_lineage")
            .and_then(J::as_str)
            .map(str::to_string),
        prior_serial: j.get("prior_serial").and_then(J::as_u64).unwrap_or(0),
        config_digest: j
            .get("config_digest")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string(),
        targets: j
            .get("targets")
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        ..Plan::default()
    };
    if let Some(vars) = j.get("variables").and_then(J::as_object) {
        for (k, v) in vars {
            plan.variables.insert(k.clone(), decode_full(v, &dynamic));
        }
    }
    let instance = |s: &str| match parse_target(s) {
        Ok(Target::Instance(i)) => Ok(i),
        Ok(Target::Resource(r)) => Ok(r.instance(crate::addr::InstanceKey::None)),
        _ => Err(bad(format!("invalid address {s:?}"))),
    };
    for c in j.get("changes").and_then(J::as_array).into_iter().flatten() {
        let addr = instance(c.get("address").and_then(J::as_str).unwrap_or_default())?;
        let actions: Vec<String> = c
            .get("actions")
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let action = Action::from_json_actions(&actions)
            .ok_or_else(|| bad(format!("unknown actions {actions:?}")))?;
        let provider = c
            .get("provider")
            .and_then(J::as_str)
            .and_then(ProviderRef::parse_state_string)
            .ok_or_else(|| bad("a change names no provider".into()))?;
        plan.changes.push(ResourceChange {
            addr,
            provider,
            action,
            before: opt_value(c.get("before")).map(std::sync::Arc::new),
            after: opt_value(c.get("after")).map(std::sync::Arc::new),
            replace_paths: c
                .get("replace_paths")
                .and_then(J::as_array)
                .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            reason: c.get("reason").and_then(J::as_str).map(str::to_string),
            deposed: c.get("deposed").and_then(J::as_str).map(str::to_string),
        });
    }
    for d in j.get("drift").and_then(J::as_array).into_iter().flatten() {
        let addr = instance(d.get("address").and_then(J::as_str).unwrap_or_default())?;
        plan.drift.push(Drift {
            addr,
            before: d
                .get("before")
                .map(|b| decode_full(b, &dynamic))
                .unwrap_or(Value::Null),
            after: opt_value(d.get("after")),
        });
    }
    for a in j.get("adopted").and_then(J::as_array).into_iter().flatten() {
        let addr = instance(a.get("address").and_then(J::as_str).unwrap_or_default())?;
        let provider = a
            .get("provider")
            .and_then(J::as_str)
            .and_then(ProviderRef::parse_state_string)
            .ok_or_else(|| bad("an adopted object names no provider".into()))?;
        let value = a
            .get("value")
            .map(|v| decode_full(v, &dynamic))
            .unwrap_or(Value::Null);
        plan.adopted.push(super::Adopted {
            addr,
            provider,
            value,
        });
    }
    // Plan files written before data reads were recorded have none.
    for d in j
        .get("data_reads")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        let addr = instance(d.get("address").and_then(J::as_str).unwrap_or_default())?;
        let provider = d
            .get("provider")
            .and_then(J::as_str)
            .and_then(ProviderRef::parse_state_string)
            .ok_or_else(|| bad("a data source read names no provider".into()))?;
        let value = d
            .get("value")
            .map(|v| decode_full(v, &dynamic))
            .unwrap_or(Value::Null);
        plan.data_reads.push(super::DataRead {
            addr,
            provider,
            value,
        });
    }
    for i in j.get("imports").and_then(J::as_array).into_iter().flatten() {
        let addr = instance(i.get("address").and_then(J::as_str).unwrap_or_default())?;
        let provider = i
            .get("provider")
            .and_then(J::as_str)
            .and_then(ProviderRef::parse_state_string)
            .ok_or_else(|| bad("an imported object names no provider".into()))?;
        let id = i
            .get("id")
            .and_then(J::as_str)
            .ok_or_else(|| bad("an imported object has no id".into()))?;
        plan.imports.push(super::Imported {
            addr,
            provider,
            id: id.to_string(),
            value: i
                .get("value")
                .map(|v| decode_full(v, &dynamic))
                .unwrap_or(Value::Null),
            generated: i.get("generated").and_then(J::as_bool).unwrap_or(false),
        });
    }
    plan.imports.sort_by(|a, b| a.addr.cmp(&b.addr));
    for f in j
        .get("forgotten")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        plan.forgotten
            .push(instance(f.as_str().unwrap_or_default())?);
    }
    for m in j.get("moves").and_then(J::as_array).into_iter().flatten() {
        let from = instance(m.get("from").and_then(J::as_str).unwrap_or_default())?;
        let to = instance(m.get("to").and_then(J::as_str).unwrap_or_default())?;
        plan.moves.push((from, to));
    }
    if let Some(outs) = j.get("outputs").and_then(J::as_object) {
        for (k, o) in outs {
            plan.outputs.insert(
                k.clone(),
                OutputChange {
                    before: opt_value(o.get("before")),
                    after: opt_value(o.get("after")),
                    sensitive: o.get("sensitive").and_then(J::as_bool).unwrap_or(false),
                },
            );
        }
    }
    Ok(plan)
}
