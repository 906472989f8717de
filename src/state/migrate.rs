//! Moving state between backends (`skyform init -migrate-state`): every workspace of the
//! previous backend is loaded (journal replayed, i.e. folded) and written to the new one with
//! its lineage and serial kept. A target that already holds another lineage is refused unless
//! `force_copy`; a target that already holds exactly this state is left alone.
//!
//! Which backend was used last is remembered in `.skyform/backend.json` (type and settings; a
//! `conn_str` taken from the environment is not written there, only that it came from there).

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::backend::Backend;
use super::error::{Result, StateError};
use super::select::StateSettings;

/// File (under the working directory) naming the backend the state was last used with.
pub const BACKEND_FILE: &str = ".skyform/backend.json";

/// What `.skyform/backend.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRecord {
    #[serde(rename = "type")]
    pub kind: String,
    /// The pg connection string as written in the configuration (`None`: from the environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn_str: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default)]
    pub skip_schema_creation: bool,
}

impl BackendRecord {
    /// The identity of a backend (what must match for two records to be the same storage).
    pub fn same_storage(&self, other: &BackendRecord) -> bool {
        self.kind == other.kind
            && self.server == other.server
            && self.schema_name == other.schema_name
    }

    pub fn describe(&self) -> String {
        match (&self.server, &self.schema_name) {
            (Some(server), Some(schema)) => {
                format!("{} backend ({server}, schema {schema})", self.kind)
            }
            _ => format!("{} backend", self.kind),
        }
    }
}

/// The backend recorded by the last `init`, if any.
pub fn recorded(dir: &Path) -> Result<Option<BackendRecord>> {
    let path = dir.join(BACKEND_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StateError::Config {
                message: format!(
                    "{} is not valid ({e}); remove it and run skyform init again",
                    path.display()
                ),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io("read", &path, e)),
    }
}

/// Remember `record` as the working directory's backend (file mode 0600: it may hold a
/// connection string with a password, as the configuration itself does).
pub fn record(dir: &Path, record: &BackendRecord) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(BACKEND_FILE);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| StateError::io("create", parent, e))?;
    }
    let mut bytes = serde_json::to_vec_pretty(record).unwrap_or_default();
    bytes.push(b'\n');
    super::file::write_atomic(&path, &bytes)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| StateError::io("protect", &path, e))
}

/// What happened to one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// Copied, with this serial.
    Copied { workspace: String, serial: u64 },
    /// The target already held exactly this state.
    AlreadyThere { workspace: String },
}

/// Copy every workspace of `from` (in `dir`) to `to`. Both use `to`'s encryption settings
/// for writing; reading tries the same keys (give the old one as a fallback when changing it).
pub async fn migrate(
    dir: &Path,
    from: &StateSettings,
    to: &StateSettings,
    force_copy: bool,
    lock_timeout: Duration,
) -> Result<Vec<Moved>> {
    let probe = from.open(dir, super::local::DEFAULT_WORKSPACE)?;
    let mut workspaces = probe.list_workspaces().await?;
    if workspaces.is_empty() {
        return Ok(Vec::new());
    }
    workspaces.sort();
    // Check every workspace before writing any, so a refusal changes nothing.
    let mut plan = Vec::new();
    for workspace in &workspaces {
        let source = from.open(dir, workspace)?;
        let target = to.open(dir, workspace)?;
        let source_lock = source.lock("OperationTypeMigrate", lock_timeout).await?;
        let target_lock = target.lock("OperationTypeMigrate", lock_timeout).await?;
        let Some(state) = source.load_state().await? else {
            continue;
        };
        let existing = target.load_state().await?;
        if let Some(existing) = &existing {
            if existing.lineage != state.lineage && !force_copy {
                return Err(StateError::Config {
                    message: format!(
                        "workspace {workspace:?}: the new backend already holds a different state (lineage {}) than the one being moved (lineage {}); nothing was migrated. Use -force-copy to overwrite it",
                        existing.lineage, state.lineage
                    ),
                });
            }
        }
        plan.push((
            workspace.clone(),
            source_lock,
            target_lock,
            target,
            state,
            existing,
        ));
    }
    let mut moved = Vec::new();
    for (workspace, _source_lock, _target_lock, target, state, existing) in plan {
        if existing.as_ref() == Some(&state) {
            moved.push(Moved::AlreadyThere { workspace });
            continue;
        }
        // Written with the serial it has (a full write adds one).
        let mut to_write = state.clone();
        to_write.serial = state.serial.saturating_sub(1);
        let written = match &existing {
            Some(e) if e.lineage == state.lineage && e.serial < state.serial => {
                target.write_full(&to_write).await?.state
            }
            None => target.write_full(&to_write).await?.state,
            Some(_) => target.replace_full(&to_write).await?,
        };
        moved.push(Moved::Copied {
            workspace,
            serial: written.serial,
        });
    }
    Ok(moved)
}

/// Used by callers that only need to know whether a backend holds any state.
pub async fn holds_state(backend: &dyn Backend) -> Result<bool> {
    Ok(!backend.list_workspaces().await?.is_empty())
}
