//! Loading what most commands need: the configuration (with its sources, for rendering
//! diagnostics), its graph, and the state.

use super::ui::{Reported, Ui};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::graph::ConfigGraph;
use crate::state::{Backend, State};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

pub struct Loaded {
    pub config: Arc<Config>,
    pub graph: ConfigGraph,
    pub sources: Sources,
}

/// Loads and checks the configuration; on failure prints the diagnostics.
pub fn load_config(ui: &Ui, dir: &Path) -> Result<Loaded, Reported> {
    let mut sources = Sources::default();
    let config = match crate::config::load(dir, &mut sources) {
        Ok(c) => c,
        Err(d) => {
            ui.diags(&d, &sources);
            return Err(Reported);
        }
    };
    let graph = match crate::graph::build(&config) {
        Ok(g) => g,
        Err(d) => {
            ui.diags(&d, &sources);
            return Err(Reported);
        }
    };
    Ok(Loaded {
        config: Arc::new(config),
        graph,
        sources,
    })
}

/// A digest of every configuration file, so a saved plan is refused after they change.
pub fn config_digest(sources: &Sources) -> String {
    let mut files: Vec<(&str, &str)> = sources
        .files()
        .filter(|(n, _)| n.ends_with(crate::config::loader::CONFIG_SUFFIX))
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// The state backend of the working directory: the configured backend type (`skyform {
/// backend ... }`, local by default) for the selected workspace.
pub fn backend(dir: &Path) -> Result<Arc<dyn Backend>, Diagnostics> {
    crate::state::backend_for_dir(dir).map_err(|e| match e {
        crate::state::StateError::Config { message } => {
            Diagnostic::error("Invalid state configuration", message).into()
        }
        other => state_error(&other),
    })
}

/// Loads the state (replaying a journal left by a crash), or `None` when there is none.
pub async fn load_state(backend: &dyn Backend) -> Result<Option<State>, Diagnostics> {
    backend.load_state().await.map_err(|e| state_error(&e))
}

pub fn state_error(e: &crate::state::StateError) -> Diagnostics {
    Diagnostic::error("Failed to load state", e.to_string()).into()
}

fn report(ui: &Ui, summary: &str, e: &crate::state::StateError) -> Reported {
    ui.error(summary, &e.to_string());
    Reported
}

/// `init`'s part for state: check the configured backend (type, settings, connection, key),
/// and move state from the previously used backend when asked (`-migrate-state`).
pub async fn init_backend(ui: &Ui, dir: &Path, a: &super::args::InitArgs) -> Result<(), Reported> {
    use crate::state::migrate;
    let lock_timeout = crate::config::loader::parse_duration(&a.lock_timeout).ok_or_else(|| {
        ui.error(
            "Invalid -lock-timeout option",
            &format!(
                "{:?} is not a duration; write it like \"30s\" or \"5m\".",
                a.lock_timeout
            ),
        );
        Reported
    })?;
    let settings = crate::state::read_settings(dir)
        .map_err(|e| report(ui, "Invalid state configuration", &e))?;
    let current = settings.record();
    let previous = migrate::recorded(dir).map_err(|e| report(ui, "Invalid backend record", &e))?;
    // Without a record, the state was local (skyform's default).
    let previous_settings = match &previous {
        Some(p) => crate::state::StateSettings::from_record(p, settings.encryption.clone())
            .map_err(|e| report(ui, "Cannot open the previous backend", &e))?,
        None => crate::state::StateSettings {
            backend: crate::state::select::BackendKind::Local,
            encryption: settings.encryption.clone(),
        },
    };
    let previous_record = previous_settings.record();
    if !previous_record.same_storage(&current) && !a.reconfigure {
        let old = previous_settings
            .open(dir, crate::state::DEFAULT_WORKSPACE)
            .map_err(|e| report(ui, "Cannot open the previous backend", &e))?;
        let has_state = crate::state::migrate::holds_state(&*old)
            .await
            .map_err(|e| report(ui, "Cannot read the previous backend", &e))?;
        if has_state && !a.migrate_state {
            ui.error(
                "Backend configuration changed",
                &format!(
                    "The state is in the {}, but the configuration now uses the {}. Run \"skyform init -migrate-state\" to copy every workspace's state to it, or \"skyform init -reconfigure\" to use it without moving anything. Nothing was changed.",
                    previous_record.describe(),
                    current.describe()
                ),
            );
            return Err(Reported);
        }
        if has_state {
            let moved = migrate::migrate(
                dir,
                &previous_settings,
                &settings,
                a.force_copy,
                lock_timeout,
            )
            .await
            .map_err(|e| report(ui, "Failed to migrate state", &e))?;
            for m in moved {
                match m {
                    migrate::Moved::Copied { workspace, serial } => ui.outln(&format!(
                        "Copied the state of workspace {workspace:?} (serial {serial}) from the {} to the {}.",
                        previous_record.describe(),
                        current.describe()
                    )),
                    migrate::Moved::AlreadyThere { workspace } => ui.outln(&format!(
                        "Workspace {workspace:?}: the {} already holds this state.",
                        current.describe()
                    )),
                }
            }
        }
    }
    // Reach the configured backend now: a bad connection or key fails here, not mid-apply.
    let b = settings
        .open(
            dir,
            &crate::state::selected_workspace(dir)
                .map_err(|e| report(ui, "Invalid workspace", &e))?,
        )
        .map_err(|e| report(ui, "Invalid state configuration", &e))?;
    b.load()
        .await
        .map_err(|e| report(ui, "Failed to load state", &e))?;
    migrate::record(dir, &current).map_err(|e| report(ui, "Failed to record the backend", &e))?;
    ui.outln(&format!("Using the {}.", current.describe()));
    Ok(())
}

/// `skyform workspace new|select|list|show|delete`.
pub async fn command(ui: &Ui, dir: &Path, c: super::args::WorkspaceCommand) -> i32 {
    match workspace_command(ui, dir, c).await {
        Ok(()) => super::EXIT_OK,
        Err(Reported) => super::EXIT_ERROR,
    }
}

async fn workspace_command(
    ui: &Ui,
    dir: &Path,
    c: super::args::WorkspaceCommand,
) -> Result<(), Reported> {
    use super::args::WorkspaceCommand as W;
    use crate::state::select::{check_workspace_name, select_workspace};
    use crate::state::DEFAULT_WORKSPACE;
    let settings = crate::state::read_settings(dir)
        .map_err(|e| report(ui, "Invalid state configuration", &e))?;
    let current =
        crate::state::selected_workspace(dir).map_err(|e| report(ui, "Invalid workspace", &e))?;
    let open = |name: &str| {
        settings
            .open(dir, name)
            .map_err(|e| report(ui, "Invalid workspace", &e))
    };
    let existing = |b: Arc<dyn Backend>| async move {
        let mut names = b
            .list_workspaces()
            .await
            .map_err(|e| report(ui, "Failed to list workspaces", &e))?;
        if !names.iter().any(|n| n == DEFAULT_WORKSPACE) {
            names.push(DEFAULT_WORKSPACE.to_string());
        }
        names.sort();
        Ok::<_, Reported>(names)
    };
    match c {
        W::Show => ui.outln(&current),
        W::List => {
            for name in existing(open(&current)?).await? {
                let mark = if name == current { "*" } else { " " };
                ui.outln(&format!("{mark} {name}"));
            }
        }
        W::New { name } => {
            check_workspace_name(&name).map_err(|e| report(ui, "Invalid workspace name", &e))?;
            let b = open(&name)?;
            if existing(b.clone()).await?.contains(&name) {
                let e = crate::state::StateError::WorkspaceExists {
                    name: name.clone(),
                    location: b.describe(),
                };
                return Err(report(ui, "Workspace already exists", &e));
            }
            let _lock = b
                .lock("OperationTypeWorkspaceNew", std::time::Duration::ZERO)
                .await
                .map_err(|e| report(ui, "Error acquiring the state lock", &e))?;
            b.write_full(&b.new_state())
                .await
                .map_err(|e| report(ui, "Failed to create the workspace", &e))?;
            select_workspace(dir, &name).map_err(|e| report(ui, "Failed to select", &e))?;
            ui.outln(&format!(
                "Created and switched to workspace {name:?}!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"skyform plan\" skyform will not see any existing state\nfor this configuration."
            ));
        }
        W::Select { name } => {
            check_workspace_name(&name).map_err(|e| report(ui, "Invalid workspace name", &e))?;
            let b = open(&name)?;
            if !existing(b.clone()).await?.contains(&name) {
                let e = crate::state::StateError::NoSuchWorkspace {
                    name,
                    location: b.describe(),
                };
                return Err(report(ui, "Workspace doesn't exist", &e));
            }
            select_workspace(dir, &name).map_err(|e| report(ui, "Failed to select", &e))?;
            ui.outln(&format!("Switched to workspace {name:?}."));
        }
        W::Delete { name, force } => {
            check_workspace_name(&name).map_err(|e| report(ui, "Invalid workspace name", &e))?;
            let refuse = |reason: &str| {
                let e = crate::state::StateError::CannotDeleteWorkspace {
                    name: name.clone(),
                    reason: reason.to_string(),
                };
                report(ui, "Cannot delete the workspace", &e)
            };
            if name == DEFAULT_WORKSPACE {
                return Err(refuse("the default workspace cannot be deleted"));
            }
            if name == current {
                return Err(refuse(
                    "it is the selected workspace; select another one first (skyform workspace select default)",
                ));
            }
            let b = open(&name)?;
            if !existing(b.clone()).await?.contains(&name) {
                let e = crate::state::StateError::NoSuchWorkspace {
                    name,
                    location: b.describe(),
                };
                return Err(report(ui, "Workspace doesn't exist", &e));
            }
            let _lock = b
                .lock("OperationTypeWorkspaceDelete", std::time::Duration::ZERO)
                .await
                .map_err(|e| report(ui, "Error acquiring the state lock", &e))?;
            let state = b
                .load_state()
                .await
                .map_err(|e| report(ui, "Failed to load state", &e))?;
            let resources = state.as_ref().map_or(0, |s| s.resources.len());
            if resources > 0 && !force {
                let e = crate::state::StateError::WorkspaceNotEmpty {
                    name: name.clone(),
                    resources,
                };
                return Err(report(ui, "Workspace is not empty", &e));
            }
            b.delete_workspace()
                .await
                .map_err(|e| report(ui, "Failed to delete the workspace", &e))?;
            ui.outln(&format!("Deleted workspace {name:?}!"));
        }
    }
    Ok(())
}
