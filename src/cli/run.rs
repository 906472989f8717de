//! `plan`, `apply` and `destroy`.

use super::args::{ApplyArgs, PlanArgs};
use super::ui::{Reported, Ui};
use super::workspace::{backend, config_digest, load_config, load_state, Loaded};
use super::{flag_bool, EXIT_CHANGES, EXIT_ERROR, EXIT_OK};
use crate::addr::{parse_target, InstanceKey, Target};
use crate::config::loader::parse_duration;
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::engine::prior::{prior_from_state, JournalRecorder};
use crate::engine::{Engine, InputValue, Options, PriorState, WalkMode};
use crate::plan::{Plan, PlanMode};
use crate::state::{Backend, OutputState, State, StateLock, StateWriter};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Everything a plan needs that comes from flags.
struct PlanSettings {
    mode: PlanMode,
    options: Options,
    inputs: BTreeMap<String, InputValue>,
    lock: bool,
    lock_timeout: Duration,
    /// Progress lines go to stdout unless the output is JSON.
    progress: Option<crate::engine::ProgressSink>,
}

fn settings(
    ui: &Ui,
    dir: &Path,
    loaded: &mut Loaded,
    a: &PlanArgs,
) -> Result<PlanSettings, Reported> {
    let fail = |d: Diagnostics, sources: &Sources| {
        ui.diags(&d, sources);
    };
    let bool_flag = |v: &Option<String>, name: &str, default: bool| {
        flag_bool(v, default)
            .map_err(|e| Diagnostics::from(Diagnostic::error(format!("Invalid -{name} option"), e)))
    };
    let mut diags = Diagnostics::new();
    let refresh = bool_flag(&a.refresh, "refresh", true).unwrap_or_else(|d| {
        diags.extend(d);
        true
    });
    let lock = bool_flag(&a.lock, "lock", true).unwrap_or_else(|d| {
        diags.extend(d);
        true
    });
    let input = bool_flag(&a.input, "input", true).unwrap_or_else(|d| {
        diags.extend(d);
        true
    });
    let lock_timeout = match &a.lock_timeout {
        None => Duration::ZERO,
        Some(s) => parse_duration(s).unwrap_or_else(|| {
            diags.push(Diagnostic::error(
                "Invalid -lock-timeout option",
                format!("{s:?} is not a duration; write it like \"30s\" or \"5m\"."),
            ));
            Duration::ZERO
        }),
    };
    if a.parallelism == 0 {
        diags.push(Diagnostic::error(
            "Invalid -parallelism option",
            "The parallelism must be at least 1.",
        ));
    }
    if a.destroy && a.refresh_only {
        diags.push(Diagnostic::error(
            "Incompatible plan options",
            "The -destroy and -refresh-only options are mutually exclusive.",
        ));
    }
    let mut targets = Vec::new();
    for t in &a.target {
        match parse_target(t) {
            Ok(t) => targets.push(t),
            Err(e) => diags.push(Diagnostic::error("Invalid target address", e)),
        }
    }
    let mut replace = Vec::new();
    for r in &a.replace {
        match parse_target(r) {
            Ok(Target::Instance(i)) => replace.push(i),
            Ok(Target::Resource(res)) => replace.push(res.instance(InstanceKey::None)),
            Ok(Target::Module(_)) => diags.push(Diagnostic::error(
                "Invalid replace address",
                format!("{r:?} names a module; -replace takes a resource instance address."),
            )),
            Err(e) => diags.push(Diagnostic::error("Invalid replace address", e)),
        }
    }
    if diags.has_errors() {
        fail(diags, &loaded.sources);
        return Err(Reported);
    }
    let mut inputs = match super::vars::collect(
        &loaded.config,
        &super::args::var_args(&a.var_order, &a.var_file, &a.var),
        &mut loaded.sources,
    ) {
        Ok(i) => i,
        Err(d) => {
            fail(d, &loaded.sources);
            return Err(Reported);
        }
    };
    super::vars::prompt_missing(&loaded.config, &mut inputs, input);
    let mode = if a.destroy {
        PlanMode::Destroy
    } else if a.refresh_only {
        PlanMode::RefreshOnly
    } else {
        PlanMode::Normal
    };
    Ok(PlanSettings {
        mode,
        options: Options {
            work_dir: dir.to_path_buf(),
            parallelism: a.parallelism.max(1),
            refresh,
            targets,
            replace,
        },
        inputs,
        lock,
        lock_timeout,
        progress: if a.json {
            None
        } else {
            Some(progress_sink(*ui))
        },
    })
}

async fn take_lock(
    ui: &Ui,
    backend: &dyn Backend,
    op: &str,
    s: &PlanSettings,
) -> Result<Option<StateLock>, Reported> {
    if !s.lock {
        return Ok(None);
    }
    match backend.lock(op, s.lock_timeout).await {
        Ok(l) => Ok(Some(l)),
        Err(e) => {
            ui.error("Error acquiring the state lock", &e.to_string());
            Err(Reported)
        }
    }
}

/// Opens the state for a command that may write it: the backend, the lock (released when
/// dropped) and the loaded state, each failure shown to the user.
async fn open_state(
    ui: &Ui,
    dir: &Path,
    sources: &Sources,
    op: &str,
    s: &PlanSettings,
) -> Result<(Arc<dyn Backend>, Option<StateLock>, Option<State>), Reported> {
    let backend = backend(dir).map_err(|d| {
        ui.diags(&d, sources);
        Reported
    })?;
    let lock = take_lock(ui, &*backend, op, s).await?;
    let state = load_state(&*backend).await.map_err(|d| {
        ui.diags(&d, sources);
        Reported
    })?;
    Ok((backend, lock, state))
}

/// Makes a plan: walk in plan mode (refreshing as it goes), then the orphans.
async fn make_plan(
    loaded: &Loaded,
    s: &PlanSettings,
    mut prior: PriorState,
) -> Result<(Plan, Arc<Engine>), Diagnostics> {
    let graph = crate::graph::build(&loaded.config)?;
    let moves = crate::engine::moves::apply_moves(&loaded.config, &mut prior)?;
    let mut engine = Engine::new(
        loaded.config.clone(),
        graph,
        WalkMode::Plan(s.mode),
        s.options.clone(),
        s.inputs.clone(),
        prior,
    );
    engine.select_targets();
    engine.progress = s.progress.clone();
    let engine = Arc::new(engine);
    engine.walk().await?;
    crate::plan::walk::plan_orphans(&engine).await?;
    crate::plan::walk::settle_pending(&engine).await?;
    let mut plan = crate::plan::walk::finish(&engine, s.mode, config_digest(&loaded.sources));
    plan.moves = moves.into_iter().map(|m| (m.from, m.to)).collect();
    Ok((plan, engine))
}

pub async fn plan(ui: &Ui, dir: &Path, a: PlanArgs) -> i32 {
    let Ok(mut loaded) = load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    if loaded.config.is_empty() && !a.destroy {
        ui.error(
            "No configuration files",
            "Plan requires configuration to be present. Planning without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, run plan with the -destroy option. Otherwise, create a skyform configuration file (*.sky.hcl) and try again.",
        );
        return EXIT_ERROR;
    }
    let Ok(s) = settings(ui, dir, &mut loaded, &a) else {
        return EXIT_ERROR;
    };
    let Ok((_backend, _lock, state)) =
        open_state(ui, dir, &loaded.sources, "OperationTypePlan", &s).await
    else {
        return EXIT_ERROR;
    };
    let prior = state.as_ref().map(prior_from_state).unwrap_or_default();
    let (plan, _engine) = match make_plan(&loaded, &s, prior).await {
        Ok(p) => p,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    if a.json {
        let j = crate::plan::json::plan_document(&plan, state.as_ref());
        ui.outln(&j.to_string());
    } else {
        ui.out(&crate::plan::render::render_plan(&plan, ui.style()));
    }
    if let Some(out) = &a.out {
        let path = if out.is_absolute() {
            out.clone()
        } else {
            dir.join(out)
        };
        if let Err(d) = crate::plan::file::save(&plan, &path) {
            ui.diags(&d.into(), &loaded.sources);
            return EXIT_ERROR;
        }
        if !a.json {
            ui.out(&format!(
                "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    skyform apply {:?}\n",
                out.display(),
                out.display().to_string()
            ));
        }
    } else if !a.json && plan.has_changes() {
        ui.out("\nNote: You didn't use the -out option to save this plan, so skyform can't\nguarantee to take exactly these actions if you run \"skyform apply\" now.\n");
    }
    if a.detailed_exitcode && plan.has_changes() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    }
}

pub async fn apply(ui: &Ui, dir: &Path, a: ApplyArgs) -> i32 {
    let Ok(mut loaded) = load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    let Ok(mut s) = settings(ui, dir, &mut loaded, &a.plan) else {
        return EXIT_ERROR;
    };
    let op = if s.mode == PlanMode::Destroy {
        "OperationTypeDestroy"
    } else {
        "OperationTypeApply"
    };
    let Ok((backend, _lock, state)) = open_state(ui, dir, &loaded.sources, op, &s).await else {
        return EXIT_ERROR;
    };
    let prior = state.as_ref().map(prior_from_state).unwrap_or_default();
    let (plan, plan_engine) = match &a.plan_file {
        Some(file) => {
            let path = if file.is_absolute() {
                file.clone()
            } else {
                dir.join(file)
            };
            let plan = match crate::plan::file::load(&path) {
                Ok(p) => p,
                Err(d) => {
                    ui.diags(&d.into(), &loaded.sources);
                    return EXIT_ERROR;
                }
            };
            if let Err(d) = check_saved_plan(&plan, state.as_ref(), &loaded) {
                ui.diags(&d, &loaded.sources);
                return EXIT_ERROR;
            }
            s.mode = plan.mode;
            s.inputs = plan
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), InputValue::Value(v.clone())))
                .collect();
            s.options.refresh = false;
            s.options.targets = plan
                .targets
                .iter()
                .filter_map(|t| parse_target(t).ok())
                .collect();
            ui.out(&crate::plan::render::render_plan(&plan, ui.style()));
            (plan, None)
        }
        None => {
            if loaded.config.is_empty() && s.mode != PlanMode::Destroy {
                ui.error(
                    "No configuration files",
                    "Apply requires configuration to be present. Applying without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, run \"skyform destroy\". Otherwise, create a skyform configuration file (*.sky.hcl) and try again.",
                );
                return EXIT_ERROR;
            }
            match make_plan(&loaded, &s, prior.clone()).await {
                Ok((p, e)) => {
                    ui.out(&crate::plan::render::render_plan(&p, ui.style()));
                    (p, Some(e))
                }
                Err(d) => {
                    ui.diags(&d, &loaded.sources);
                    return EXIT_ERROR;
                }
            }
        }
    };
    if !plan.has_changes() && plan.drift.is_empty() && a.plan_file.is_none() {
        let summary = if s.mode == PlanMode::Destroy {
            "Destroy complete! Resources: 0 destroyed."
        } else {
            "Apply complete! Resources: 0 added, 0 changed, 0 destroyed."
        };
        ui.out(&format!("\n{}\n", ui.style().bold(summary)));
        print_outputs(ui, &plan_engine_outputs(plan_engine.as_deref()));
        return EXIT_OK;
    }
    if a.plan_file.is_none() && !a.plan.auto_approve && !confirm(ui, s.mode) {
        ui.err("\nError: Apply cancelled.\n");
        return EXIT_ERROR;
    }
    run_apply(ui, &loaded, &backend, state, prior, plan, plan_engine, &s).await
}

fn plan_engine_outputs(engine: Option<&Engine>) -> BTreeMap<String, crate::lang::Value> {
    engine
        .map(|e| {
            e.values()
                .modules
                .get(&crate::addr::ModulePath::root())
                .map(|m| m.outputs.clone())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Refuses a saved plan whose state or configuration moved on since it was made.
fn check_saved_plan(
    plan: &Plan,
    state: Option<&State>,
    loaded: &Loaded,
) -> Result<(), Diagnostics> {
    let (lineage, serial) = match state {
        Some(s) => (Some(s.lineage.clone()), s.serial),
        None => (None, 0),
    };
    if plan.prior_lineage != lineage || plan.prior_serial != serial {
        return Err(Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The given plan file can no longer be applied because the state was changed by another operation after the plan was created (plan made from serial {} of lineage {}, state is now serial {serial} of lineage {}). Run \"skyform plan\" again.",
                plan.prior_serial,
                plan.prior_lineage.as_deref().unwrap_or("(none)"),
                lineage.as_deref().unwrap_or("(none)")
            ),
        )
        .into());
    }
    if plan.config_digest != config_digest(&loaded.sources) {
        return Err(Diagnostic::error(
            "Saved plan does not match the configuration",
            "The configuration files changed after this plan was created. Run \"skyform plan\" again.",
        )
        .into());
    }
    Ok(())
}

fn confirm(ui: &Ui, mode: PlanMode) -> bool {
    let what = if mode == PlanMode::Destroy {
        "\nDo you really want to destroy all resources?\n  skyform will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
    } else {
        "\nDo you want to perform these actions?\n  skyform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    };
    ui.out(what);
    let mut line = String::new();
    let stdin = std::io::stdin();
    if stdin.lock().read_line(&mut line).is_err() {
        return false;
    }
    if !stdin.is_terminal() {
        ui.out("\n");
    }
    line.trim() == "yes"
}

#[allow(clippy::too_many_arguments)]
async fn run_apply(
    ui: &Ui,
    loaded: &Loaded,
    backend: &Arc<dyn Backend>,
    state: Option<State>,
    prior: PriorState,
    plan: Plan,
    plan_engine: Option<Arc<Engine>>,
    s: &PlanSettings,
) -> i32 {
    let base = state.unwrap_or_else(|| backend.new_state());
    let writer = match StateWriter::open(backend.clone(), base).await {
        Ok(w) => w,
        Err(e) => {
            ui.error("Failed to open the state journal", &e.to_string());
            return EXIT_ERROR;
        }
    };
    let graph = match crate::graph::build(&loaded.config) {
        Ok(g) => g,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    let mut engine = Engine::new(
        loaded.config.clone(),
        graph,
        WalkMode::Apply,
        s.options.clone(),
        s.inputs.clone(),
        prior,
    );
    engine.select_targets();
    engine.progress = s.progress.clone();
    if let Some(pe) = &plan_engine {
        // Reuse the configured providers (and their connections) from planning.
        let configured = pe
            .providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        *engine.providers.lock().unwrap_or_else(|e| e.into_inner()) = configured;
    }
    let mode = plan.mode;
    engine.plan = Some(plan);
    let recorder = Arc::new(JournalRecorder {
        writer: writer.clone(),
    });
    engine.recorder = Some(recorder);
    let engine = Arc::new(engine);
    spawn_interrupt_handler(ui, engine.clone());
    let result = crate::apply::run(engine.clone()).await;
    let outputs: BTreeMap<String, OutputState> = if mode == PlanMode::Destroy {
        BTreeMap::new()
    } else {
        plan_engine_outputs(Some(&engine))
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    OutputState {
                        value: v.to_json(),
                        sensitive: v.is_sensitive(),
                    },
                )
            })
            .collect()
    };
    let finished = writer.finish(outputs).await;
    if let Err(e) = &finished {
        ui.error("Failed to write the state", &format!("{e}. Completed operations are kept in the journal beside the state and will be replayed by the next run."));
    }
    let report = engine
        .report
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    match result {
        Ok(_) if finished.is_ok() => {
            let summary = if mode == PlanMode::Destroy {
                format!(
                    "Destroy complete! Resources: {} destroyed.",
                    report.destroyed
                )
            } else {
                format!(
                    "Apply complete! Resources: {} added, {} changed, {} destroyed.",
                    report.added, report.changed, report.destroyed
                )
            };
            ui.out(&format!("\n{}\n", ui.style().bold(&summary)));
            if mode != PlanMode::Destroy {
                print_outputs(ui, &plan_engine_outputs(Some(&engine)));
            }
            EXIT_OK
        }
        Ok(_) => EXIT_ERROR,
        Err(d) => {
            ui.out(&format!(
                "\nApply failed. Completed before the failure: {} added, {} changed, {} destroyed (all recorded in state).\n",
                report.added, report.changed, report.destroyed
            ));
            ui.diags(&d, &loaded.sources);
            EXIT_ERROR
        }
    }
}

/// First Ctrl-C: start nothing new, let running calls finish and save state. Second: stop
/// at once (state already holds every completed operation: the journal is durable).
fn spawn_interrupt_handler(ui: &Ui, engine: Arc<Engine>) {
    let ui = *ui;
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            engine
                .cancel
                .store(true, std::sync::atomic::Ordering::SeqCst);
            engine.io.close();
            ui.err("\nInterrupt received. Waiting for running operations to finish and saving state; press Ctrl-C again to stop now.\n");
            if tokio::signal::ctrl_c().await.is_ok() {
                ui.err("\nTwo interrupts received. Exiting immediately; completed operations are in the state journal.\n");
                std::process::exit(EXIT_ERROR);
            }
        }
    });
}

pub fn print_outputs(ui: &Ui, outputs: &BTreeMap<String, crate::lang::Value>) {
    if outputs.is_empty() {
        return;
    }
    let mut s = "\nOutputs:\n\n".to_string();
    for (name, v) in outputs {
        let shown = if v.is_sensitive() {
            "<sensitive>".to_string()
        } else {
            crate::lang::display::console_notation(v)
        };
        s.push_str(&format!("{name} = {shown}\n"));
    }
    ui.out(&s);
}

/// Prints progress lines as they come, each whole.
fn progress_sink(ui: Ui) -> crate::engine::ProgressSink {
    Arc::new(move |line: String| ui.outln(&line))
}

/// `skyform import ADDRESS ID`: reads the object through its provider and records it in
/// state at ADDRESS, which must be declared in the configuration and not yet in state.
pub async fn import(ui: &Ui, dir: &Path, a: super::args::ImportArgs) -> i32 {
    let Ok(mut loaded) = load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    let addr = match parse_target(&a.address) {
        Ok(Target::Instance(i)) => i,
        Ok(Target::Resource(r)) => r.instance(InstanceKey::None),
        _ => {
            ui.error(
                "Invalid address",
                &format!(
                    "{:?} is not a resource instance address such as mcloud_instance.web[0].",
                    a.address
                ),
            );
            return EXIT_ERROR;
        }
    };
    let names: Vec<String> = addr.module.0.iter().map(|(n, _)| n.clone()).collect();
    let declared = loaded
        .config
        .root
        .descendant(&names)
        .and_then(|mn| mn.module.resources.get(&addr.resource))
        .cloned();
    let Some(rcfg) = declared.filter(|r| r.addr.mode == crate::addr::Mode::Managed) else {
        ui.error(
            "Configuration for import target does not exist",
            &format!("The configuration does not declare {}. Add a resource block for it before importing, so skyform knows how to manage it.", addr.abs_resource()),
        );
        return EXIT_ERROR;
    };
    let args = PlanArgs {
        var: a.var.clone(),
        var_file: a.var_file.clone(),
        lock_timeout: a.lock_timeout.clone(),
        target: vec![a.address.clone()],
        parallelism: 10,
        ..PlanArgs::default()
    };
    let Ok(mut s) = settings(ui, dir, &mut loaded, &args) else {
        return EXIT_ERROR;
    };
    s.options.refresh = false;
    let Ok((backend, _lock, state)) =
        open_state(ui, dir, &loaded.sources, "OperationTypeImport", &s).await
    else {
        return EXIT_ERROR;
    };
    let prior = state.as_ref().map(prior_from_state).unwrap_or_default();
    if prior.instances.contains_key(&addr) {
        ui.error(
            "Resource already managed by skyform",
            &format!("skyform is already managing a remote object for {addr}. To import to this address you must first remove the existing object from the state (skyform state rm {addr})."),
        );
        return EXIT_ERROR;
    }
    // Plan the target so its provider is configured with the configuration's values.
    let (plan, engine) = match make_plan(&loaded, &s, prior).await {
        Ok(p) => p,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    let provider = match engine.provider(&rcfg.provider) {
        Ok(p) => p,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    ui.outln(&format!("{addr}: Importing from ID {:?}...", a.id));
    let value = match provider.import(&addr.resource.type_name, &a.id).await {
        Ok(v) => v,
        Err(e) => {
            ui.error(&format!("Failed to import {addr}"), &e.to_string());
            return EXIT_ERROR;
        }
    };
    let schema = provider
        .resource_schema(&addr.resource.type_name)
        .cloned()
        .unwrap_or_default();
    // What the API does not report is taken from the configuration for this address.
    let configured = plan.change(&addr).and_then(|c| c.after.clone());
    let value = match &configured {
        Some(cfg) => fill_unreported(value, cfg),
        None => value,
    };
    let value = crate::plan::diff::mark_sensitive(&schema, value);
    let base = state.unwrap_or_else(|| backend.new_state());
    let writer = match StateWriter::open(backend.clone(), base).await {
        Ok(w) => w,
        Err(e) => {
            ui.error("Failed to open the state journal", &e.to_string());
            return EXIT_ERROR;
        }
    };
    let recorder = JournalRecorder {
        writer: writer.clone(),
    };
    let deps = engine.resource_dependencies(&names, &addr.resource);
    use crate::engine::StateRecorder;
    if let Err(d) = recorder.upsert(&addr, &rcfg.provider, &value, &deps).await {
        ui.diags(&d.into(), &loaded.sources);
        return EXIT_ERROR;
    }
    let outputs = prior_outputs(&engine);
    if let Err(e) = writer.finish(outputs).await {
        ui.error("Failed to write the state", &e.to_string());
        return EXIT_ERROR;
    }
    ui.out(&format!(
        "{addr}: Import prepared!\n\n{}\n\nThe resources that were imported are shown above. These resources are now in\nyour skyform state and will henceforth be managed by skyform.\n",
        ui.style().bold("Import successful!")
    ));
    EXIT_OK
}

/// The root outputs as state has them, kept unchanged by commands that only add objects.
fn prior_outputs(engine: &Engine) -> BTreeMap<String, OutputState> {
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .outputs
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                OutputState {
                    value: v.to_json(),
                    sensitive: v.is_sensitive(),
                },
            )
        })
        .collect()
}

/// Fills the attributes an API leaves empty (`""`, `0`, null: many read endpoints do not
/// report everything a create takes, e.g. mcloud's network charge type) from the configured
/// value, so a freshly imported object is not planned for replacement over fields the cloud
/// never told us.
fn fill_unreported(
    imported: crate::lang::Value,
    configured: &crate::lang::Value,
) -> crate::lang::Value {
    use crate::lang::Value;
    let unreported = |v: &Value| match v.unmarked() {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.is_zero(),
        _ => false,
    };
    match (imported, configured.unmarked()) {
        (Value::Object(mut m), Value::Object(cfg)) => {
            for (k, c) in cfg {
                if let Some(v) = m.remove(k) {
                    let v = if unreported(&v) && c.is_wholly_known() && !c.is_null() {
                        c.clone()
                    } else {
                        fill_unreported(v, c)
                    };
                    m.insert(k.clone(), v);
                }
            }
            Value::Object(m)
        }
        (v, _) => v,
    }
}
