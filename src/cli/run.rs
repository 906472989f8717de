//! `plan`, `apply`, `destroy` and `import`: flags become a [`RunContext`], the run layer
//! does the work, and this module renders what it reports.

use super::args::{ApplyArgs, PlanArgs};
use super::ui::{Reported, Ui};
use super::workspace::{backend, config_digest, load_config, Loaded};
use super::{flag_bool, EXIT_CHANGES, EXIT_ERROR, EXIT_OK};
use crate::addr::{parse_target, InstanceKey, Target};
use crate::config::loader::parse_duration;
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::engine::{Cancel, Event, EventSink, Operation, Options};
use crate::plan::PlanMode;
use crate::run::{Planned, RunContext, Session};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Everything a run needs that comes from flags, and how the state is locked.
pub(super) struct PlanSettings {
    pub(super) ctx: RunContext,
    /// The live status line, when this run shows one (`cli::live`).
    live: Option<super::live::Live>,
    /// None: `-lock=false`; otherwise how long to wait for another holder.
    lock: Option<Duration>,
}

pub(super) fn settings(
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
    // Machine-readable output never prompts (as Terraform's -json implies -input=false).
    let input = bool_flag(&a.input, "input", !a.json).unwrap_or_else(|d| {
        diags.extend(d);
        true
    }) && !a.json;
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
    if super::live::setting_is_invalid() {
        ui.diags(
            &Diagnostic::warning(
                "Invalid SKYFORM_PROGRESS value",
                "SKYFORM_PROGRESS must be \"live\" or \"plain\"; the progress display is chosen as if it were unset.",
            )
            .into(),
            &loaded.sources,
        );
    }
    let live = super::live::wanted(a.json, ui.no_color).then(super::live::Live::new);
    let lines = match (&live, a.json) {
        (_, true) => super::json_ui::event_sink(),
        (Some(live), false) => live.sink(progress_line),
        (None, false) => progress_lines(*ui),
    };
    Ok(PlanSettings {
        live,
        ctx: RunContext {
            config: loaded.config.clone(),
            config_digest: config_digest(&loaded.sources),
            registry: Arc::new(crate::providers::builtin_registry()),
            mode,
            options: Options {
                work_dir: dir.to_path_buf(),
                parallelism: a.parallelism.max(1),
                refresh,
                targets,
                replace,
                workspace: crate::state::selected_workspace(dir)
                    .unwrap_or_else(|_| "default".to_string()),
            },
            inputs,
            // Progress as lines for people (above a live status line on a terminal), or
            // as JSON messages. "Still creating..." every 10 s of an operation's real run
            // time.
            events: Some(super::progress::with_ticker(
                lines,
                super::progress::interval(),
            )),
            cancel: Cancel::new(),
            embedded: Some(Arc::new(crate::sim::embedded::Launcher)),
        },
        lock: lock.then_some(lock_timeout),
    })
}

/// How plan files are encrypted: like the state (no key configured: plain).
pub(super) fn plan_codec(dir: &Path) -> crate::state::encryption::Codec {
    crate::state::read_settings(dir)
        .map(|s| s.codec())
        .unwrap_or_default()
}

/// Opens the state for a command: the backend, the lock (released when the session is
/// dropped) and the loaded state, each failure shown to the user.
pub(super) async fn open_session(
    ui: &Ui,
    dir: &Path,
    sources: &Sources,
    op: &str,
    s: &PlanSettings,
) -> Result<Session, Reported> {
    let opened = match backend(dir) {
        Ok(b) => Session::open(b, op, s.lock).await,
        Err(d) => Err(d),
    };
    opened.map_err(|d| {
        ui.diags(&d, sources);
        Reported
    })
}

pub async fn plan(ui: &Ui, dir: &Path, a: PlanArgs) -> i32 {
    let ui = &ui.json_mode(a.json);
    if a.json {
        super::json_ui::version();
    }
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
    let Ok(mut s) = settings(ui, dir, &mut loaded, &a) else {
        return EXIT_ERROR;
    };
    let Ok(mut session) = open_session(ui, dir, &loaded.sources, "OperationTypePlan", &s).await
    else {
        return EXIT_ERROR;
    };
    let interrupts = Interrupts::install(ui, s.ctx.cancel.clone());
    interrupts.arm();
    let mut generated = None;
    if let Some(out) = &a.generate_config_out {
        let path = if out.is_absolute() {
            out.clone()
        } else {
            dir.join(out)
        };
        match crate::run::generate_config(&s.ctx, &session, &path).await {
            Ok(None) => {}
            Ok(Some(g)) => {
                // Plan with the generated file loaded like any other.
                let Ok(reloaded) = load_config(ui, dir) else {
                    return EXIT_ERROR;
                };
                loaded = reloaded;
                let Ok(again) = settings(ui, dir, &mut loaded, &a) else {
                    return EXIT_ERROR;
                };
                s = again;
                generated = Some((out.clone(), g));
            }
            Err(d) => {
                ui.diags(&d, &loaded.sources);
                return EXIT_ERROR;
            }
        }
    }
    // The plan command writes no state: the loaded document is consumed as it is decoded.
    // Never dropped: freeing every object of a large plan one by one cost 6% of a
    // 100,000-instance plan's CPU, and the process exits right after this command.
    let (mut plan, warnings) = match crate::run::plan_only(&s.ctx, &mut session).await {
        Ok(p) => (std::mem::ManuallyDrop::new(p.plan), p.warnings),
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    interrupts.disarm();
    if let Some((_, g)) = &generated {
        for i in plan.imports.iter_mut() {
            i.generated = g.addresses.contains(&i.addr);
        }
    }
    if a.json {
        super::json_ui::plan(&plan, "plan");
    } else {
        ui.out(&crate::plan::render::render_plan(&plan, ui.style()));
    }
    ui.diags(&warnings, &loaded.sources);
    if let Some(d) = possible_orphans(&plan) {
        ui.diags(&d, &loaded.sources);
        return EXIT_ERROR;
    }
    if !s.ctx.options.targets.is_empty() {
        ui.diags(&targeting_warning(false).into(), &loaded.sources);
    }
    if let (Some((out, _)), false) = (&generated, a.json) {
        ui.out(&format!(
            "\nskyform has generated configuration and written it to {}. Please review the\nconfiguration and edit it as necessary before adding it to version control.\n",
            out.display()
        ));
    }
    if let Some(out) = &a.out {
        let path = if out.is_absolute() {
            out.clone()
        } else {
            dir.join(out)
        };
        if let Err(d) = crate::plan::file::save_with(&plan, &path, &plan_codec(dir)) {
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

/// Interrupted creates the plan could not match one to one (see `docs/state.md`): an error
/// that stops plan and apply before anything changes, listing an import command per object.
fn possible_orphans(plan: &crate::plan::Plan) -> Option<crate::diag::Diagnostics> {
    if plan.possible_orphans.is_empty() {
        return None;
    }
    let mut diags = crate::diag::Diagnostics::new();
    for o in &plan.possible_orphans {
        diags.push(o.diagnostic());
    }
    Some(diags)
}

pub async fn apply(ui: &Ui, dir: &Path, a: ApplyArgs) -> i32 {
    let json = a.plan.json;
    let ui = &ui.json_mode(json);
    if json {
        super::json_ui::version();
        if a.plan_file.is_none() && !a.plan.auto_approve {
            ui.error(
                "Plan file or auto-approve required",
                "skyform cannot ask for interactive approval when -json is set. You can either apply a saved plan file, or enable the -auto-approve option.",
            );
            return EXIT_ERROR;
        }
    }
    let Ok(mut loaded) = load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    if a.plan_file.is_some() && !(a.plan.var.is_empty() && a.plan.var_file.is_empty()) {
        ui.error(
            "Can't set variables when applying a saved plan",
            "The -var and -var-file options cannot be used when applying a saved plan file, because a saved plan includes the variable values that were set when it was created.",
        );
        return EXIT_ERROR;
    }
    if a.plan.generate_config_out.is_some() {
        ui.error(
            "Invalid -generate-config-out option",
            "The -generate-config-out option is only for \"skyform plan\": generate the configuration with a plan, review it, then apply.",
        );
        return EXIT_ERROR;
    }
    let Ok(mut s) = settings(ui, dir, &mut loaded, &a.plan) else {
        return EXIT_ERROR;
    };
    let op = if s.ctx.mode == PlanMode::Destroy {
        "OperationTypeDestroy"
    } else {
        "OperationTypeApply"
    };
    let Ok(mut session) = open_session(ui, dir, &loaded.sources, op, &s).await else {
        return EXIT_ERROR;
    };
    let interrupts = Interrupts::install(ui, s.ctx.cancel.clone());
    let planned = match &a.plan_file {
        Some(file) => {
            let path = if file.is_absolute() {
                file.clone()
            } else {
                dir.join(file)
            };
            let plan = match crate::plan::file::load_with(&path, &plan_codec(dir)) {
                Ok(p) => p,
                Err(d) => {
                    ui.diags(&d.into(), &loaded.sources);
                    return EXIT_ERROR;
                }
            };
            if let Err(d) =
                crate::run::check_saved_plan(&plan, session.state.as_ref(), &s.ctx.config_digest)
            {
                ui.diags(&d, &loaded.sources);
                return EXIT_ERROR;
            }
            crate::run::adopt_saved_plan(&mut s.ctx, &plan);
            ui.out(&crate::plan::render::render_plan(&plan, ui.style()));
            if json {
                super::json_ui::plan(&plan, "plan");
            }
            Planned::saved(plan)
        }
        None => {
            if loaded.config.is_empty() && s.ctx.mode != PlanMode::Destroy {
                ui.error(
                    "No configuration files",
                    "Apply requires configuration to be present. Applying without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, run \"skyform destroy\". Otherwise, create a skyform configuration file (*.sky.hcl) and try again.",
                );
                return EXIT_ERROR;
            }
            interrupts.arm();
            let planned = crate::run::plan(&s.ctx, &session).await;
            interrupts.disarm();
            match planned {
                Ok(p) => {
                    ui.out(&crate::plan::render::render_plan(&p.plan, ui.style()));
                    if json {
                        super::json_ui::plan(&p.plan, "plan");
                    }
                    ui.diags(&p.warnings, &loaded.sources);
                    p
                }
                Err(d) => {
                    ui.diags(&d, &loaded.sources);
                    return EXIT_ERROR;
                }
            }
        }
    };
    let plan = &planned.plan;
    if let Some(d) = possible_orphans(plan) {
        ui.diags(&d, &loaded.sources);
        return EXIT_ERROR;
    }
    if !s.ctx.options.targets.is_empty() {
        ui.diags(&targeting_warning(false).into(), &loaded.sources);
    }
    if !plan.has_changes() && plan.drift.is_empty() && a.plan_file.is_none() {
        let summary = if s.ctx.mode == PlanMode::Destroy {
            "Destroy complete! Resources: 0 destroyed."
        } else {
            "Apply complete! Resources: 0 added, 0 changed, 0 destroyed."
        };
        ui.out(&format!("\n{}\n", ui.style().bold(summary)));
        if json {
            let op = if s.ctx.mode == PlanMode::Destroy {
                "destroy"
            } else {
                "apply"
            };
            super::json_ui::change_summary(summary, 0, 0, 0, op);
        }
        if s.ctx.mode != PlanMode::Destroy {
            print_outputs(ui, &planned.outputs());
        }
        return EXIT_OK;
    }
    if a.plan_file.is_none() && !a.plan.auto_approve && !confirm(ui, s.ctx.mode) {
        if s.ctx.mode == PlanMode::Destroy {
            ui.err("\nError: Destroy cancelled.\n");
        } else {
            ui.err("\nError: Apply cancelled.\n");
        }
        return EXIT_ERROR;
    }
    interrupts.arm();
    if let Some(live) = &s.live {
        live.begin(
            if s.ctx.mode == PlanMode::Destroy {
                "Destroying"
            } else {
                "Applying"
            },
            planned_operations(plan),
        );
    }
    let applied = crate::run::apply(&s.ctx, &mut session, planned).await;
    if let Some(live) = &s.live {
        live.end();
    }
    interrupts.disarm();
    let applied = match applied {
        Ok(a) => a,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    if let Err(d) = &applied.state_written {
        ui.diags(d, &loaded.sources);
    }
    if !s.ctx.options.targets.is_empty() {
        ui.diags(&targeting_warning(true).into(), &loaded.sources);
    }
    let report = &applied.report;
    if applied.is_complete() {
        let summary = if applied.mode == PlanMode::Destroy {
            format!(
                "Destroy complete! Resources: {} destroyed.",
                report.destroyed
            )
        } else {
            let imported = match report.imported {
                0 => String::new(),
                n => format!("{n} imported, "),
            };
            format!(
                "Apply complete! Resources: {imported}{} added, {} changed, {} destroyed.",
                report.added, report.changed, report.destroyed
            )
        };
        ui.out(&format!("\n{}\n", ui.style().bold(&summary)));
        if json {
            let op = if applied.mode == PlanMode::Destroy {
                "destroy"
            } else {
                "apply"
            };
            super::json_ui::change_summary(
                &summary,
                report.added,
                report.changed,
                report.destroyed,
                op,
            );
        }
        if applied.mode != PlanMode::Destroy {
            print_outputs(ui, &applied.outputs);
        }
        return EXIT_OK;
    }
    let (what, before) = if applied.cancelled {
        ("Apply cancelled", "the interrupt")
    } else {
        ("Apply failed", "the failure")
    };
    ui.out(&format!(
        "\n{what}. Completed before {before}: {} added, {} changed, {} destroyed (all recorded in state).\n",
        report.added, report.changed, report.destroyed
    ));
    if let Err(d) = &applied.result {
        ui.diags(d, &loaded.sources);
    }
    if applied.cancelled {
        ui.diags(
            &crate::run::cancelled_diagnostic("apply", &report.interrupted).into(),
            &loaded.sources,
        );
    }
    EXIT_ERROR
}

/// How many operations applying `plan` starts: one per create, update or delete, two per
/// replacement (its delete and its create). Data source reads report no progress.
fn planned_operations(plan: &crate::plan::Plan) -> u64 {
    use crate::plan::Action;
    plan.changes
        .iter()
        .map(|c| match c.action {
            Action::NoOp | Action::Read => 0,
            Action::DeleteThenCreate | Action::CreateThenDelete => 2,
            Action::Create | Action::Update | Action::Delete => 1,
        })
        .sum()
}

/// Terraform's warnings while `-target` limits a run.
fn targeting_warning(applied: bool) -> Diagnostic {
    if applied {
        Diagnostic::warning(
            "Applied changes may be incomplete",
            "The plan was created with the -target option in effect, so some changes requested in the configuration may have been ignored and the output values may not be fully updated. Run the following command to verify that no other changes are pending:\n    skyform plan\n\nNote that the -target option is not suitable for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when skyform specifically suggests to use it as part of an error message.",
        )
    } else {
        Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when skyform specifically suggests to use it as part of an error message.",
        )
    }
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

/// Ctrl-C and SIGTERM (what CI runners and `kill` send) for one command. While a run is
/// armed, the first signal cancels it: nothing new starts, running calls finish and state
/// is saved, and the command exits 1 with one message. A second signal exits at once
/// (every completed operation, open create intents included, is already in the durable
/// journal). Outside a run (at the approval prompt) the first signal exits at once.
struct Interrupts {
    armed: Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Interrupts {
    fn install(ui: &Ui, cancel: Cancel) -> Interrupts {
        use std::sync::atomic::Ordering;
        let ui = *ui;
        let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let is_armed = armed.clone();
        let task = tokio::spawn(async move {
            let Ok(mut signals) = Signals::new() else {
                return;
            };
            loop {
                signals.next().await;
                if !is_armed.load(Ordering::SeqCst) {
                    ui.err("\nInterrupted.\n");
                    std::process::exit(EXIT_ERROR);
                }
                if !cancel.is_cancelled() {
                    cancel.cancel();
                    ui.err("\nInterrupt received. Waiting for running operations to finish and saving state; interrupt again to stop now.\n");
                    continue;
                }
                ui.err("\nTwo interrupts received. Exiting immediately; completed operations are in the state journal.\n");
                std::process::exit(EXIT_ERROR);
            }
        });
        Interrupts { armed, task }
    }

    fn arm(&self) {
        self.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn disarm(&self) {
        self.armed.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// SIGINT and SIGTERM as one stream.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

pub fn print_outputs(ui: &Ui, outputs: &BTreeMap<String, crate::lang::Value>) {
    if ui.json {
        super::json_ui::outputs(outputs);
        return;
    }
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

/// Renders the engine's events as Terraform's progress lines, each whole.
fn progress_lines(ui: Ui) -> EventSink {
    Arc::new(move |event: Event| {
        if let Some(line) = progress_line(&event) {
            ui.outln(&line);
        }
    })
}

fn progress_line(event: &Event) -> Option<String> {
    let id = |id: &Option<String>| match id {
        Some(id) => format!(" [id={id}]"),
        None => String::new(),
    };
    Some(match event {
        Event::RefreshStarted { type_name, objects } => format!(
            "{type_name}: Refreshing state of {} object{} in one batched read...",
            objects.len(),
            if objects.len() == 1 { "" } else { "s" }
        ),
        Event::RefreshCompleted { .. } => return None,
        Event::Started {
            addr,
            op: Operation::Import,
            id: Some(imported),
        } => format!("{addr}: Importing from ID {imported:?}..."),
        Event::Started { addr, op, id: i } => {
            let what = match op {
                Operation::Create => "Creating...",
                Operation::Update => "Modifying...",
                Operation::Delete => "Destroying...",
                Operation::Read => "Reading...",
                Operation::Import => "Importing...",
            };
            format!("{addr}: {what}{}", id(i))
        }
        Event::Progress {
            addr,
            message,
            elapsed,
            ..
        } => format!("{addr}: {message} [{}s elapsed]", elapsed.as_secs()),
        Event::Completed {
            addr,
            op,
            id: i,
            elapsed,
        } => {
            let what = match op {
                Operation::Create => "Creation complete",
                Operation::Update => "Modifications complete",
                Operation::Delete => "Destruction complete",
                Operation::Read => "Read complete",
                Operation::Import => "Import complete",
            };
            format!("{addr}: {what} after {}s{}", elapsed.as_secs(), id(i))
        }
        Event::Failed { .. } => return None,
    })
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
    s.ctx.options.refresh = false;
    let Ok(session) = open_session(ui, dir, &loaded.sources, "OperationTypeImport", &s).await
    else {
        return EXIT_ERROR;
    };
    match crate::run::import(&s.ctx, &session, &addr, &a.id).await {
        Ok(imported) => {
            ui.out(&format!(
                "{}: Import prepared!\n\n{}\n\nThe resources that were imported are shown above. These resources are now in\nyour skyform state and will henceforth be managed by skyform.\n",
                imported.addr,
                ui.style().bold("Import successful!")
            ));
            EXIT_OK
        }
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            EXIT_ERROR
        }
    }
}
