//! Terraform's machine-readable UI (`plan -json`, `apply -json`, `destroy -json`): one JSON
//! object per line on stdout, each with `@level`, `@message`, `@module`, `@timestamp` and a
//! `type` (`version`, `planned_change`, `resource_drift`, `change_summary`, `apply_start`,
//! `apply_progress`, `apply_complete`, `apply_errored`, `refresh_start`, `refresh_complete`,
//! `outputs`, `diagnostic`). Every line is written whole, so events from parallel operations
//! never interleave. Diagnostics carry their `range` and a `snippet`, as in `validate -json`.

use crate::addr::AbsInstance;
use crate::diag::{Diagnostic, Diagnostics, Severity, Sources};
use crate::engine::{Event, EventSink, Operation, RefreshedObject};
use crate::lang::Value;
use crate::plan::{Action, Plan, ResourceChange};
use serde_json::{json, Map, Value as J};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

/// The version of this message format (Terraform's `ui` field).
pub const UI_VERSION: &str = "1.0";

/// Writes one message line to stdout.
pub fn emit(level: &str, message: &str, kind: &str, fields: J) {
    let mut m = Map::new();
    m.insert("@level".into(), J::String(level.into()));
    m.insert("@message".into(), J::String(message.into()));
    m.insert("@module".into(), J::String("skyform.ui".into()));
    m.insert(
        "@timestamp".into(),
        J::String(
            chrono::Local::now()
                .format("%Y-%m-%dT%H:%M:%S%.6f%:z")
                .to_string(),
        ),
    );
    if let J::Object(f) = fields {
        m.extend(f);
    }
    m.insert("type".into(), J::String(kind.into()));
    let mut line = J::Object(m).to_string();
    line.push('\n');
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

/// The first message of every stream.
pub fn version() {
    emit(
        "info",
        &format!("skyform {}", env!("CARGO_PKG_VERSION")),
        "version",
        json!({
            "terraform": crate::plan::json::terraform_version(),
            "skyform": env!("CARGO_PKG_VERSION"),
            "ui": UI_VERSION,
        }),
    );
}

/// Terraform's `resource` object naming an instance.
pub fn resource(addr: &AbsInstance) -> J {
    let module = if addr.module.is_root() {
        String::new()
    } else {
        addr.module.to_string()
    };
    let resource = addr.to_string();
    let resource = match module.is_empty() {
        true => resource,
        false => resource
            .strip_prefix(&format!("{module}."))
            .map(str::to_string)
            .unwrap_or(resource),
    };
    json!({
        "addr": addr.to_string(),
        "module": module,
        "resource": resource,
        "implied_provider": addr.resource.implied_provider(),
        "resource_type": addr.resource.type_name,
        "resource_name": addr.resource.name,
        "resource_key": addr.key.to_json().unwrap_or(J::Null),
    })
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
        Action::Read => "read",
    }
}

fn action_message(a: Action) -> &'static str {
    match a {
        Action::NoOp => "No changes",
        Action::Create => "Plan to create",
        Action::Update => "Plan to update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "Plan to replace",
        Action::Delete => "Plan to delete",
        Action::Read => "Plan to read",
    }
}

pub fn planned_change(c: &ResourceChange, import: Option<&crate::plan::Imported>) {
    let mut change = json!({ "resource": resource(&c.addr), "action": action_name(c.action) });
    // As Terraform 1.5: an import with nothing to change is the action "import"; any
    // import says what it imports.
    if let Some(i) = import {
        if c.action == Action::NoOp {
            change["action"] = J::String("import".into());
        }
        change["importing"] = json!({ "id": i.id });
    }
    if let Some(r) = crate::plan::json::action_reason(c) {
        // The UI's reason names differ from the plan's for replacements.
        let r = match r {
            "replace_because_tainted" => "tainted",
            "replace_by_request" => "requested",
            "replace_because_cannot_update" => "cannot_update",
            other => other,
        };
        change["reason"] = J::String(r.to_string());
    }
    let message = match (import, c.action) {
        (Some(_), Action::NoOp) => "Plan to import",
        _ => action_message(c.action),
    };
    emit(
        "info",
        &format!("{}: {message}", c.addr),
        "planned_change",
        json!({ "change": change }),
    );
}

/// Everything a plan shows: drift, each change, and the summary.
pub fn plan(plan: &Plan, operation: &str) {
    for d in &plan.drift {
        let action = if d.after.is_some() {
            "update"
        } else {
            "delete"
        };
        emit(
            "info",
            &format!("{}: Drift detected ({action})", d.addr),
            "resource_drift",
            json!({ "change": { "resource": resource(&d.addr), "action": action } }),
        );
    }
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || plan.import_of(&c.addr).is_some())
    {
        planned_change(c, plan.import_of(&c.addr));
    }
    let (add, change, remove) = plan.counts();
    let message = if !plan.imports.is_empty() {
        format!(
            "Plan: {} to import, {add} to add, {change} to change, {remove} to destroy.",
            plan.imports.len()
        )
    } else if plan.has_changes() {
        format!("Plan: {add} to add, {change} to change, {remove} to destroy.")
    } else {
        "No changes.".to_string()
    };
    if plan.imports.is_empty() {
        change_summary(&message, add, change, remove, operation);
    } else {
        emit(
            "info",
            &message,
            "change_summary",
            json!({ "changes": { "add": add, "change": change, "import": plan.imports.len(), "remove": remove, "operation": operation } }),
        );
    }
}

pub fn change_summary(message: &str, add: usize, change: usize, remove: usize, operation: &str) {
    emit(
        "info",
        message,
        "change_summary",
        json!({ "changes": { "add": add, "change": change, "remove": remove, "operation": operation } }),
    );
}

/// Root outputs with their types; sensitive values are left out.
pub fn outputs(outputs: &BTreeMap<String, Value>) {
    let map: Map<String, J> = outputs
        .iter()
        .map(|(name, v)| {
            let mut o = json!({
                "sensitive": v.is_sensitive(),
                "type": crate::plan::json::type_json(&v.unmarked().type_of()),
            });
            if !v.is_sensitive() {
                o["value"] = crate::plan::json::encode_tf(v).0;
            }
            (name.clone(), o)
        })
        .collect();
    emit(
        "info",
        &format!("Outputs: {}", map.len()),
        "outputs",
        json!({ "outputs": map }),
    );
}

fn op_words(op: Operation) -> (&'static str, &'static str, &'static str, &'static str) {
    // (action, present participle, completion noun, past participle for errors)
    match op {
        Operation::Create => ("create", "Creating", "Creation", "Creation"),
        Operation::Update => ("update", "Modifying", "Modifications", "Modifications"),
        Operation::Delete => ("delete", "Destroying", "Destruction", "Destruction"),
        Operation::Read => ("read", "Reading", "Read", "Read"),
        Operation::Import => ("import", "Importing", "Import", "Import"),
    }
}

/// The engine's events as `apply_*` and `refresh_*` messages.
pub fn event_sink() -> EventSink {
    Arc::new(|event: Event| match event {
        // Terraform reports each instance's refresh; skyform reads them in one batch, so
        // every object of the batch starts, and completes, together.
        Event::RefreshStarted { objects, .. } => {
            for o in objects {
                let (suffix, hook) = refresh_hook(&o);
                emit(
                    "info",
                    &format!("{}: Refreshing state...{suffix}", o.addr),
                    "refresh_start",
                    json!({ "hook": hook }),
                );
            }
        }
        Event::RefreshCompleted { objects, .. } => {
            for o in objects {
                let (suffix, hook) = refresh_hook(&o);
                emit(
                    "info",
                    &format!("{}: Refresh complete{suffix}", o.addr),
                    "refresh_complete",
                    json!({ "hook": hook }),
                );
            }
        }
        Event::Started { addr, op, id } => {
            let (action, ing, _, _) = op_words(op);
            let mut hook = json!({ "resource": resource(&addr), "action": action });
            let mut message = format!("{addr}: {ing}...");
            if let Some(id) = id {
                message.push_str(&format!(" [id={id}]"));
                hook["id_key"] = J::String("id".into());
                hook["id_value"] = J::String(id);
            }
            emit("info", &message, "apply_start", json!({ "hook": hook }));
        }
        Event::Progress {
            addr,
            op,
            message: _,
            elapsed,
        } => {
            let (action, ing, _, _) = op_words(op);
            let secs = elapsed.as_secs();
            emit(
                "info",
                &format!("{addr}: Still {}... [{secs}s elapsed]", ing.to_lowercase()),
                "apply_progress",
                json!({ "hook": { "resource": resource(&addr), "action": action, "elapsed_seconds": secs } }),
            );
        }
        Event::Completed {
            addr,
            op,
            id,
            elapsed,
        } => {
            let (action, _, done, _) = op_words(op);
            let secs = elapsed.as_secs();
            let mut hook =
                json!({ "resource": resource(&addr), "action": action, "elapsed_seconds": secs });
            let mut message = format!("{addr}: {done} complete after {secs}s");
            if let Some(id) = id {
                message.push_str(&format!(" [id={id}]"));
                hook["id_key"] = J::String("id".into());
                hook["id_value"] = J::String(id);
            }
            emit("info", &message, "apply_complete", json!({ "hook": hook }));
        }
        Event::Failed { addr, op, elapsed } => {
            let (action, _, _, what) = op_words(op);
            let secs = elapsed.as_secs();
            emit(
                "error",
                &format!("{addr}: {what} errored after {secs}s"),
                "apply_errored",
                json!({ "hook": { "resource": resource(&addr), "action": action, "elapsed_seconds": secs } }),
            );
        }
    })
}

/// A refresh hook (`resource`, and `id_key`/`id_value` when the object has an id; an object
/// found deleted has none) and the message's ` [id=…]` suffix.
fn refresh_hook(o: &RefreshedObject) -> (String, J) {
    let mut hook = json!({ "resource": resource(&o.addr) });
    match &o.id {
        Some(id) => {
            hook["id_key"] = J::String("id".into());
            hook["id_value"] = J::String(id.clone());
            (format!(" [id={id}]"), hook)
        }
        None => (String::new(), hook),
    }
}

/// One diagnostic as Terraform's JSON diagnostic object (also used by `validate -json`).
pub fn diagnostic_json(d: &Diagnostic, sources: &Sources) -> J {
    let mut j = json!({
        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
        "summary": d.summary,
        "detail": d.detail,
    });
    if let Some(s) = &d.span {
        j["range"] = json!({
            "filename": &*s.file,
            "start": {"line": s.start.line, "column": s.start.col, "byte": s.start.byte},
            "end": {"line": s.end.line, "column": s.end.col, "byte": s.end.byte},
        });
        if let Some(text) = sources.get(&s.file) {
            if let Some(snippet) = snippet(text, s) {
                j["snippet"] = snippet;
            }
        }
    }
    j
}

/// The source lines a range covers, with the highlighted part as byte offsets into them.
fn snippet(text: &str, s: &crate::diag::Span) -> Option<J> {
    let start = s.start.byte.min(text.len());
    let end = s.end.byte.clamp(start, text.len());
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[end..]
        .find('\n')
        .map(|i| end + i)
        .unwrap_or(text.len());
    let code = text.get(line_start..line_end)?;
    Some(json!({
        "context": J::Null,
        "code": code,
        "start_line": s.start.line,
        "highlight_start_offset": start - line_start,
        "highlight_end_offset": end - line_start,
        "values": [],
    }))
}

/// Each diagnostic as a `diagnostic` message.
pub fn diagnostics(diags: &Diagnostics, sources: &Sources) {
    for d in diags.iter() {
        let level = if d.severity == Severity::Error {
            "error"
        } else {
            "warn"
        };
        let prefix = if d.severity == Severity::Error {
            "Error"
        } else {
            "Warning"
        };
        emit(
            level,
            &format!("{prefix}: {}", d.summary),
            "diagnostic",
            json!({ "diagnostic": diagnostic_json(d, sources) }),
        );
    }
}
