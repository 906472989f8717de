//! The local backend: `state/<workspace>.json` under the working directory, with its backup,
//! journal and lock beside it. Ties the file format, journal and lock together for the CLI and
//! the apply engine.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{Result, StateError};
use super::file::{
    backup_path, parent_dir, parse_state, read_bytes, read_state, sync_dir, with_suffix,
    write_state,
};
use super::journal::{journal_path_for, read_journal};
use super::lock::{self, LockInfo, StateLock};
use super::model::State;

/// The workspace used when none is selected.
pub const DEFAULT_WORKSPACE: &str = "default";
/// Folder (under the working directory) that holds local state files.
pub const STATE_DIR: &str = "state";

/// Local state storage for one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBackend {
    path: PathBuf,
}

/// A loaded state plus what recovery did to produce it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub state: State,
    /// Journal records from an interrupted run that were replayed on top of the file.
    pub replayed: usize,
    /// Bytes of an unfinished (never acknowledged) journal line that were ignored.
    pub torn_tail_bytes: usize,
}

impl LocalBackend {
    /// The backend for `workspace` under `work_dir` (`state/<workspace>.json`).
    pub fn new(work_dir: impl AsRef<Path>, workspace: &str) -> Result<Self> {
        let valid = !workspace.is_empty()
            && workspace.len() <= 90
            && workspace
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(StateError::InvalidWorkspace {
                name: workspace.to_string(),
            });
        }
        Ok(LocalBackend {
            path: work_dir
                .as_ref()
                .join(STATE_DIR)
                .join(format!("{workspace}.json")),
        })
    }

    /// A backend for an explicit state file path (e.g. `-state=FILE`).
    pub fn at_path(path: impl Into<PathBuf>) -> Self {
        LocalBackend { path: path.into() }
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn backup_path(&self) -> PathBuf {
        backup_path(&self.path)
    }

    pub fn journal_path(&self) -> PathBuf {
        journal_path_for(&self.path)
    }

    pub fn lock_path(&self) -> PathBuf {
        with_suffix(&self.path, ".lock")
    }

    /// A fresh, empty state (new lineage, serial 0); nothing is written.
    pub fn new_state(&self) -> State {
        State::new()
    }

    /// The current state with any journal from an interrupted run replayed; `None` if there is
    /// no state file. Read-only: files are left as they are (the next write folds the journal).
    pub fn load(&self) -> Result<Option<State>> {
        Ok(self.load_with_report()?.map(|loaded| loaded.state))
    }

    /// [`LocalBackend::load`], also saying what was recovered from the journal.
    pub fn load_with_report(&self) -> Result<Option<Loaded>> {
        // A reader without the lock can race a running apply's compaction (state file replaced,
        // then the journal restarted) and see the old file with the new journal; the journal's
        // serial is then ahead of the file's. Reading again resolves it.
        let mut attempts = 0;
        loop {
            match self.load_once() {
                Err(StateError::JournalMismatch {
                    journal_lineage,
                    journal_serial,
                    state_lineage,
                    state_serial,
                    ..
                }) if attempts < 3
                    && journal_lineage == state_lineage
                    && journal_serial > state_serial =>
                {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn load_once(&self) -> Result<Option<Loaded>> {
        let journal = self.journal_path();
        let Some(mut state) = read_state(&self.path)? else {
            return match fs::metadata(&journal) {
                Ok(_) => Err(StateError::JournalWithoutState {
                    path: journal,
                    state_path: self.path.clone(),
                }),
                Err(_) => Ok(None),
            };
        };
        let (mut replayed, mut torn_tail_bytes) = (0, 0);
        if let Some(replay) = read_journal(&journal, &self.path, &state)? {
            for change in &replay.changes {
                state.apply_change(change);
            }
            replayed = replay.changes.len();
            torn_tail_bytes = replay.torn_tail_bytes;
        }
        Ok(Some(Loaded {
            state,
            replayed,
            torn_tail_bytes,
        }))
    }

    /// Like [`LocalBackend::load`], refusing a state whose lineage is not `lineage` (e.g. the
    /// state a saved plan was made from).
    pub fn load_expecting(&self, lineage: &str) -> Result<Option<State>> {
        let state = self.load()?;
        if let Some(state) = &state {
            self.check_lineage(state, lineage)?;
        }
        Ok(state)
    }

    /// Refuse `state` unless it has `lineage`.
    pub fn check_lineage(&self, state: &State, lineage: &str) -> Result<()> {
        if state.lineage != lineage {
            return Err(StateError::LineageMismatch {
                path: self.path.clone(),
                expected: lineage.to_string(),
                found: state.lineage.clone(),
            });
        }
        Ok(())
    }

    /// Refuse `state` unless it is exactly the one a saved plan was made from.
    pub fn check_plan_base(&self, state: &State, lineage: &str, serial: u64) -> Result<()> {
        self.check_lineage(state, lineage)?;
        if state.serial != serial {
            return Err(StateError::SerialMismatch {
                path: self.path.clone(),
                expected: serial,
                found: state.serial,
            });
        }
        Ok(())
    }

    /// Take the state lock for `operation`, waiting up to `timeout` for another holder.
    pub fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock> {
        lock::acquire(&self.lock_path(), &self.path, operation, timeout)
    }

    /// [`LocalBackend::lock`] without blocking an async runtime's worker while it waits.
    pub async fn lock_async(&self, operation: &str, timeout: Duration) -> Result<StateLock> {
        let (lock_path, path, operation) =
            (self.lock_path(), self.path.clone(), operation.to_string());
        tokio::task::spawn_blocking(move || lock::acquire(&lock_path, &path, &operation, timeout))
            .await
            .map_err(|e| StateError::Io {
                action: "wait for the lock on",
                path: self.path.clone(),
                message: e.to_string(),
            })?
    }

    /// Who holds the lock, if anyone.
    pub fn lock_holder(&self) -> Result<Option<LockInfo>> {
        lock::read_lock(&self.lock_path())
    }

    /// Remove a lock left behind, only if its ID is `id`; returns what the lock said.
    pub fn force_unlock(&self, id: &str) -> Result<LockInfo> {
        lock::force_unlock(&self.lock_path(), &self.path, id)
    }

    /// Write `state` as the whole document (serial + 1) and return what was written. Refuses a
    /// state of another lineage, or one older than the file (someone wrote since it was loaded),
    /// and never overwrites a file it cannot read. Any journal is removed: `state` came from
    /// [`LocalBackend::load`], which replayed it. Hold the lock while calling this.
    pub fn write_full(&self, state: &State) -> Result<State> {
        self.write_full_sized(state).map(|(written, _)| written)
    }

    /// [`LocalBackend::write_full`], also returning the written document's size in bytes.
    pub fn write_full_sized(&self, state: &State) -> Result<(State, u64)> {
        let previous = read_bytes(&self.path)?;
        if let Some(bytes) = &previous {
            let on_disk = parse_state(bytes, &self.path)?;
            if on_disk.lineage != state.lineage {
                return Err(StateError::LineageOverwrite {
                    path: self.path.clone(),
                    on_disk: on_disk.lineage,
                    writing: state.lineage.clone(),
                });
            }
            if on_disk.serial > state.serial {
                return Err(StateError::StaleWrite {
                    path: self.path.clone(),
                    loaded: state.serial,
                    on_disk: on_disk.serial,
                });
            }
        }
        self.write_unchecked(state, previous)
    }

    /// Write `state` (serial + 1) whatever is on disk now, keeping the current file as the
    /// backup; for `state push -force`. Hold the lock while calling this.
    pub fn replace_full(&self, state: &State) -> Result<State> {
        let previous = read_bytes(&self.path)?;
        let current_serial = match previous.as_deref().map(|b| parse_state(b, &self.path)) {
            Some(Ok(current)) if current.lineage == state.lineage => current.serial,
            _ => 0,
        };
        let mut state = state.clone();
        state.serial = state.serial.max(current_serial);
        self.write_unchecked(&state, previous)
            .map(|(written, _)| written)
    }

    fn write_unchecked(&self, state: &State, previous: Option<Vec<u8>>) -> Result<(State, u64)> {
        let mut written = state.clone();
        written.serial = state.serial.saturating_add(1);
        written.skyform_version = env!("CARGO_PKG_VERSION").to_string();
        written.canonicalize();
        let size = write_state(&self.path, previous.as_deref(), &written)?;
        let journal = self.journal_path();
        match fs::remove_file(&journal) {
            Ok(()) => sync_dir(&parent_dir(&journal))?,
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(StateError::io("remove", &journal, e)),
        }
        Ok((written, size))
    }
}
