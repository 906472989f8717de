//! `show`, `state ...` and `output`: reading (and carefully editing) the state.

use super::args::{OutputArgs, ShowArgs, StateCommand};
use super::prior_from_state;
use super::ui::{Reported, Ui};
use super::workspace::{backend, load_state};
use super::{EXIT_ERROR, EXIT_OK};
use crate::addr::{parse_target, AbsInstance, Target};
use crate::diag::Sources;
use crate::lang::Value;
use crate::plan::prior::PriorState;
use crate::state::{Backend, State, StateLock};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The backend and its state (journal replayed), failures shown to the user.
async fn open(ui: &Ui, dir: &Path) -> Result<(Arc<dyn Backend>, Option<State>), Reported> {
    let b = open_backend(ui, dir)?;
    let s = load_state(&*b).await.map_err(|d| {
        ui.diags(&d, &Sources::default());
        Reported
    })?;
    Ok((b, s))
}

fn open_backend(ui: &Ui, dir: &Path) -> Result<Arc<dyn Backend>, Reported> {
    backend(dir).map_err(|d| {
        ui.diags(&d, &Sources::default());
        Reported
    })
}

/// The lock for a state edit (no waiting), or the error shown to the user.
async fn lock(ui: &Ui, b: &dyn Backend, op: &str) -> Result<StateLock, Reported> {
    b.lock(op, Duration::ZERO).await.map_err(|e| {
        ui.error("Error acquiring the state lock", &e.to_string());
        Reported
    })
}

pub async fn show(ui: &Ui, dir: &Path, a: &ShowArgs) -> i32 {
    if let Some(file) = &a.plan_file {
        let path = if file.is_absolute() {
            file.clone()
        } else {
            dir.join(file)
        };
        let plan = match crate::plan::file::load_with(&path, &super::run::plan_codec(dir)) {
            Ok(p) => p,
            Err(d) => {
                ui.diags(&d.into(), &Sources::default());
                return EXIT_ERROR;
            }
        };
        if a.json {
            let state = open(ui, dir).await.ok().and_then(|(_, s)| s);
            // The configuration beside the plan fills in `configuration`, as Terraform's
            // plan file carries it; without one the section is left out.
            let mut sources = Sources::default();
            let config = crate::config::load(dir, &mut sources).ok();
            ui.outln(
                &crate::plan::json::plan_document(
                    &plan,
                    state.as_ref(),
                    &crate::providers::builtin_registry(),
                    config.as_ref(),
                )
                .to_string(),
            );
        } else {
            ui.out(&crate::plan::render::render_plan(&plan, ui.style()));
        }
        return EXIT_OK;
    }
    let Ok((_, state)) = open(ui, dir).await else {
        return EXIT_ERROR;
    };
    let Some(state) = state else {
        if a.json {
            ui.outln(r#"{"format_version":"1.0"}"#);
        } else {
            ui.outln("No state.");
        }
        return EXIT_OK;
    };
    if a.json {
        ui.outln(
            &crate::plan::json::state_document(&state, &crate::providers::builtin_registry())
                .to_string(),
        );
        return EXIT_OK;
    }
    let prior = prior_from_state(&state);
    let mut out = String::new();
    for (addr, p) in &prior.instances {
        out.push_str(&render_instance(addr, &p.value));
        out.push('\n');
    }
    if !prior.outputs.is_empty() {
        out.push_str("\nOutputs:\n\n");
        for (k, v) in &prior.outputs {
            let shown = if v.is_sensitive() {
                "(sensitive value)".to_string()
            } else {
                crate::lang::display::console_notation(v)
            };
            out.push_str(&format!("{k} = {shown}\n"));
        }
    }
    ui.out(&out);
    EXIT_OK
}

/// `# addr:` then the resource block with its attributes, as `terraform show` prints state.
fn render_instance(addr: &AbsInstance, v: &Value) -> String {
    let data = addr.resource.mode == crate::addr::Mode::Data;
    let kw = if data { "data" } else { "resource" };
    let registry = crate::providers::builtin_registry();
    let schema = registry.schema_of(
        addr.resource.implied_provider(),
        data,
        &addr.resource.type_name,
    );
    let mut out = format!(
        "# {addr}:\n{kw} \"{}\" \"{}\" {{\n",
        addr.resource.type_name, addr.resource.name
    );
    render_body(&mut out, v, schema, 1);
    out.push_str("}\n");
    out
}

/// A body as Terraform's `show` prints it: attributes aligned, then nested blocks as
/// blocks (`network { ... }`), not as quoted maps.
fn render_body(
    out: &mut String,
    v: &Value,
    schema: Option<&crate::provider::schema::Schema>,
    depth: usize,
) {
    let Some(m) = v.as_map() else {
        return;
    };
    let pad = "    ".repeat(depth);
    let is_block = |k: &str| schema.is_some_and(|s| s.blocks.contains_key(k));
    let attrs: Vec<(&String, &Value)> = m
        .iter()
        .filter(|(k, x)| !x.is_null() && !is_block(k))
        .collect();
    let width = attrs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, x) in attrs {
        let sensitive = schema
            .and_then(|s| s.attributes.get(k.as_str()))
            .is_some_and(|a| a.sensitive);
        out.push_str(&format!(
            "{pad}{k:<width$} = {}\n",
            crate::plan::render::value_inline(x, sensitive, depth * 2)
        ));
    }
    for (k, x) in m.iter().filter(|(k, _)| is_block(k)) {
        let inner = schema
            .and_then(|s| s.blocks.get(k.as_str()))
            .map(|b| &b.schema);
        let items: Vec<&Value> = match x.unmarked() {
            Value::Null => Vec::new(),
            Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => xs.iter().collect(),
            _ => vec![x],
        };
        for item in items {
            out.push_str(&format!("\n{pad}{k} {{\n"));
            render_body(out, item, inner, depth + 1);
            out.push_str(&format!("{pad}}}\n"));
        }
    }
}

fn matching(prior: &PriorState, targets: &[Target]) -> Vec<AbsInstance> {
    prior
        .instances
        .keys()
        .filter(|a| targets.is_empty() || targets.iter().any(|t| t.matches(a)))
        .cloned()
        .collect()
}

fn parse_targets(ui: &Ui, addrs: &[String]) -> Result<Vec<Target>, Reported> {
    let mut out = Vec::new();
    for a in addrs {
        match parse_target(a) {
            Ok(t) => out.push(t),
            Err(e) => {
                ui.error("Invalid address", &e);
                return Err(Reported);
            }
        }
    }
    Ok(out)
}

pub async fn state(ui: &Ui, dir: &Path, cmd: StateCommand) -> i32 {
    match cmd {
        StateCommand::List { addresses } => {
            let Ok(targets) = parse_targets(ui, &addresses) else {
                return EXIT_ERROR;
            };
            let Ok((_, state)) = open(ui, dir).await else {
                return EXIT_ERROR;
            };
            let prior = state.as_ref().map(prior_from_state).unwrap_or_default();
            for a in matching(&prior, &targets) {
                ui.outln(&a.to_string());
            }
            EXIT_OK
        }
        StateCommand::Show { address } => {
            let Ok(targets) = parse_targets(ui, std::slice::from_ref(&address)) else {
                return EXIT_ERROR;
            };
            let Ok((_, state)) = open(ui, dir).await else {
                return EXIT_ERROR;
            };
            let prior = state.as_ref().map(prior_from_state).unwrap_or_default();
            let found = matching(&prior, &targets);
            let [one] = found.as_slice() else {
                ui.error(
                    "No instance found for the given address",
                    &format!("{address:?} matches {} instances in state; give exactly one instance address (see \"skyform state list\").", found.len()),
                );
                return EXIT_ERROR;
            };
            if let Some(p) = prior.instances.get(one) {
                ui.out(&render_instance(one, &p.value));
            }
            EXIT_OK
        }
        StateCommand::Pull => {
            // Loaded through the backend, so records a crashed run left in the journal show.
            let Ok((_, state)) = open(ui, dir).await else {
                return EXIT_ERROR;
            };
            match state {
                Some(state) => ui.out(&String::from_utf8_lossy(
                    &crate::state::file::render_state(&state),
                )),
                None => ui.outln("{}"),
            }
            EXIT_OK
        }
        StateCommand::Rm { addresses, dry_run } => {
            edit_state(ui, dir, "OperationTypeStateRm", |state, prior| {
                let targets = parse_targets(ui, &addresses)?;
                let found = matching(prior, &targets);
                if found.is_empty() {
                    ui.error("Invalid target address", "No matching objects found. To view the available instances, use \"skyform state list\".");
                    return Err(Reported);
                }
                for a in &found {
                    ui.outln(&format!(
                        "{} {a}",
                        if dry_run { "Would remove" } else { "Removed" }
                    ));
                    if !dry_run {
                        state.apply_change(&crate::state::Change::Remove {
                            resource: crate::plan::prior::resource_key(
                                a,
                                &prior.instances[a].provider,
                            ),
                            index_key: crate::plan::prior::index_key(a),
                        });
                    }
                }
                if !dry_run {
                    ui.outln(&format!(
                        "Successfully removed {} resource instance(s).",
                        found.len()
                    ));
                }
                Ok(!dry_run)
            })
            .await
        }
        StateCommand::Mv {
            source,
            destination,
        } => edit_state(ui, dir, "OperationTypeStateMv", |state, prior| {
            let Some(from) = instance_address(&source) else {
                ui.error(
                    "Invalid source address",
                    &format!("{source:?} is not a resource instance address."),
                );
                return Err(Reported);
            };
            let Some(to) = instance_address(&destination) else {
                ui.error(
                    "Invalid destination address",
                    &format!("{destination:?} is not a resource instance address."),
                );
                return Err(Reported);
            };
            let Some(p) = prior.instances.get(&from) else {
                ui.error(
                    "Invalid source address",
                    &format!("Cannot move {source}: it does not exist in the state."),
                );
                return Err(Reported);
            };
            if prior.instances.contains_key(&to) {
                ui.error("Invalid destination address", &format!("Cannot move to {destination}: there is already an instance at that address."));
                return Err(Reported);
            }
            if from.resource.type_name != to.resource.type_name
                || from.resource.mode != to.resource.mode
            {
                ui.error(
                    "Invalid state move request",
                    "Cannot move an instance to an address of a different resource type.",
                );
                return Err(Reported);
            }
            let mut inst = crate::state::InstanceState::new(p.value.to_json());
            inst.index_key = crate::plan::prior::index_key(&to);
            inst.sensitive_attributes = crate::plan::prior::sensitive_paths(&p.value);
            inst.dependencies = p.dependencies.clone();
            state.apply_change(&crate::state::Change::Remove {
                resource: crate::plan::prior::resource_key(&from, &p.provider),
                index_key: crate::plan::prior::index_key(&from),
            });
            state.apply_change(&crate::state::Change::Upsert {
                resource: crate::plan::prior::resource_key(&to, &p.provider),
                index_key: crate::plan::prior::index_key(&to),
                instance: inst,
            });
            ui.outln(&format!(
                "Move \"{from}\" to \"{to}\"\nSuccessfully moved 1 object(s)."
            ));
            Ok(true)
        })
        .await,
        StateCommand::Push { path, force } => push(ui, dir, &path, force).await,
    }
}

/// `state push FILE`: replace the state with a file's, refusing an older serial or another
/// lineage unless forced.
async fn push(ui: &Ui, dir: &Path, path: &Path, force: bool) -> i32 {
    let src = if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    };
    let incoming = match crate::state::file::read_state(&src) {
        Ok(Some(s)) => s,
        Ok(None) => {
            ui.error(
                "Failed to read state file",
                &format!("{} does not exist.", src.display()),
            );
            return EXIT_ERROR;
        }
        Err(e) => {
            ui.error("Failed to read state file", &e.to_string());
            return EXIT_ERROR;
        }
    };
    let Ok(b) = open_backend(ui, dir) else {
        return EXIT_ERROR;
    };
    let Ok(_lock) = lock(ui, &*b, "OperationTypeStatePush").await else {
        return EXIT_ERROR;
    };
    // Compared under the lock, so nobody writes in between.
    let Ok(current) = load_state(&*b).await.map_err(|d| {
        ui.diags(&d, &Sources::default());
    }) else {
        return EXIT_ERROR;
    };
    match (&current, force) {
        (Some(cur), false) if cur.lineage != incoming.lineage => {
            ui.error(
                "Failed to push state",
                &format!("The pushed state has lineage {} but the current state has lineage {}; they are different states. Use -force to replace it anyway.", incoming.lineage, cur.lineage),
            );
            return EXIT_ERROR;
        }
        (Some(cur), false) if cur.serial > incoming.serial => {
            ui.error(
                "Failed to push state",
                &format!("The pushed state (serial {}) is older than the current state (serial {}). Use -force to replace it anyway.", incoming.serial, cur.serial),
            );
            return EXIT_ERROR;
        }
        _ => {}
    }
    match b.replace_full(&incoming).await {
        Ok(_) => EXIT_OK,
        Err(e) => {
            ui.error("Failed to write state", &e.to_string());
            EXIT_ERROR
        }
    }
}

/// `a.b` or `a.b[1]` as an instance address (a whole resource means its only instance).
fn instance_address(s: &str) -> Option<AbsInstance> {
    match parse_target(s) {
        Ok(Target::Instance(i)) => Some(i),
        Ok(Target::Resource(r)) => Some(r.instance(crate::addr::InstanceKey::None)),
        _ => None,
    }
}

/// Runs an edit under the lock and writes the whole state if the edit asks to.
async fn edit_state(
    ui: &Ui,
    dir: &Path,
    op: &str,
    f: impl FnOnce(&mut State, &PriorState) -> Result<bool, Reported>,
) -> i32 {
    let Ok(b) = open_backend(ui, dir) else {
        return EXIT_ERROR;
    };
    let Ok(_lock) = lock(ui, &*b, op).await else {
        return EXIT_ERROR;
    };
    let Ok(state) = load_state(&*b).await.map_err(|d| {
        ui.diags(&d, &Sources::default());
        Reported
    }) else {
        return EXIT_ERROR;
    };
    let Some(mut state) = state else {
        ui.error(
            "No state file was found!",
            "State management commands require a state file. Run \"skyform apply\" first.",
        );
        return EXIT_ERROR;
    };
    let prior = prior_from_state(&state);
    match f(&mut state, &prior) {
        Ok(true) => match b.write_full(&state).await {
            Ok(_) => EXIT_OK,
            Err(e) => {
                ui.error("Failed to write state", &e.to_string());
                EXIT_ERROR
            }
        },
        Ok(false) => EXIT_OK,
        Err(Reported) => EXIT_ERROR,
    }
}

pub async fn output(ui: &Ui, dir: &Path, a: &OutputArgs) -> i32 {
    let Ok((_, state)) = open(ui, dir).await else {
        return EXIT_ERROR;
    };
    let outputs = state
        .as_ref()
        .map(|s| prior_from_state(s).outputs)
        .unwrap_or_default();
    match &a.name {
        Some(name) => {
            let Some(v) = outputs.get(name) else {
                ui.error(
                    "Output not found",
                    &format!("The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run \"skyform apply\", since the state won't be updated with new output variables until that command is run. (Asked for {name:?}.)"),
                );
                return EXIT_ERROR;
            };
            if a.json {
                ui.outln(&v.to_json().to_string());
            } else if a.raw {
                match v.unmarked() {
                    Value::String(s) => ui.out(s),
                    Value::Number(n) => ui.out(&n.to_string()),
                    Value::Bool(b) => ui.out(&b.to_string()),
                    _ => {
                        ui.error("Unsupported value for raw output", "The -raw option only supports strings, numbers, and boolean values. Use -json for complex values.");
                        return EXIT_ERROR;
                    }
                }
            } else if v.is_sensitive() {
                ui.outln("<sensitive>");
            } else {
                ui.outln(&crate::lang::display::console_notation(v));
            }
        }
        None => {
            if a.json {
                let doc: serde_json::Map<String, serde_json::Value> = outputs
                    .iter()
                    .map(|(k, v)| {
                        let value = if v.is_sensitive() {
                            serde_json::Value::Null
                        } else {
                            v.to_json()
                        };
                        (
                            k.clone(),
                            serde_json::json!({
                                "sensitive": v.is_sensitive(),
                                "type": crate::plan::json::type_json(&v.unmarked().type_of()),
                                "value": value,
                            }),
                        )
                    })
                    .collect();
                ui.outln(&serde_json::Value::Object(doc).to_string());
            } else {
                for (k, v) in &outputs {
                    let shown = if v.is_sensitive() {
                        "<sensitive>".to_string()
                    } else {
                        crate::lang::display::console_notation(v)
                    };
                    ui.outln(&format!("{k} = {shown}"));
                }
            }
        }
    }
    EXIT_OK
}
