//! The [`Backend`] trait: where a state lives and how it is loaded, locked, journalled and
//! written. The CLI and the apply engine only see `Arc<dyn Backend>`; [`local_backend`] picks the
//! implementation (the configured backend type will choose here).
//!
//! Every implementation must pass the contract suite in `tests/it/backend_contract.rs`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::error::{Result, StateError};
use super::local::LocalBackend;
use super::lock::{LockInfo, StateLock};
use super::model::{Change, State};

/// A loaded state plus what recovery did to produce it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub state: State,
    /// Journal records from an interrupted run that were replayed on top of the document.
    pub replayed: usize,
    /// Bytes of an unfinished (never acknowledged) journal record that were ignored.
    pub torn_tail_bytes: usize,
}

/// What a full write stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The document as written (serial + 1).
    pub state: State,
    /// Its size in bytes; the journal writer sizes compaction by it.
    pub bytes: u64,
}

/// What a full write of a shared document stored: the header it was written with (the
/// document itself stayed with the caller, so nothing is copied back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The serial written (the given one + 1).
    pub serial: u64,
    /// The version of skyform recorded in the document.
    pub skyform_version: String,
    /// The document's size in bytes.
    pub bytes: u64,
}

/// The full document a batch of journal records applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalBase {
    pub lineage: String,
    pub serial: u64,
}

impl JournalBase {
    pub fn of(state: &State) -> Self {
        JournalBase {
            lineage: state.lineage.clone(),
            serial: state.serial,
        }
    }
}

/// Storage for one workspace's state.
#[async_trait]
pub trait Backend: Send + Sync {
    /// For messages, e.g. `local state file state/default.json`.
    fn describe(&self) -> String;

    /// Where the state is, as errors name it (for a file, its path).
    fn location(&self) -> String;

    /// A fresh, empty state (new lineage, serial 0); nothing is stored.
    fn new_state(&self) -> State {
        State::new()
    }

    /// The current state with any journal left by an interrupted run replayed on top (in memory
    /// only); `None` if there is no state. Refuses anything it cannot fully read.
    async fn load(&self) -> Result<Option<Loaded>>;

    /// [`Backend::load`] without the recovery report.
    async fn load_state(&self) -> Result<Option<State>> {
        Ok(self.load().await?.map(|loaded| loaded.state))
    }

    /// Take the state lock for `operation`, retrying until `timeout` (zero: one try). Held until
    /// the guard is dropped, or until the holder dies: the OS or the server frees it then.
    async fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock>;

    /// Who holds the lock, if anyone.
    async fn lock_holder(&self) -> Result<Option<LockInfo>>;

    /// Break the lock if its ID is `id` (its holder is alive but stuck); returns what the holder
    /// said. Refuses another ID, and says so when nobody holds the lock.
    async fn force_unlock(&self, id: &str) -> Result<LockInfo>;

    /// Durably append `changes`, in order, to the journal of the document `base` (the last one
    /// [`Backend::write_full`] wrote through this backend); returns once they survive a crash.
    /// An empty batch starts the journal. Returns the bytes stored, for statistics.
    async fn append(&self, base: &JournalBase, changes: &[Change]) -> Result<u64>;

    /// Write `state` as the whole document (serial + 1), folding in and ending its journal.
    /// Refuses a state of another lineage, or an older one than stored (someone wrote since it
    /// was loaded), and never overwrites a document it cannot read. Hold the lock.
    async fn write_full(&self, state: &State) -> Result<Written>;

    /// [`Backend::write_full`] of a document the caller shares instead of lending, in
    /// canonical order ([`State::canonicalize`]): a backend that writes on another thread
    /// takes it as it is, without a copy of the whole document, and returns only the header
    /// it wrote. The caller applies that header to its own copy.
    async fn write_full_shared(&self, state: Arc<State>) -> Result<Stored> {
        let Written { state, bytes } = self.write_full(&state).await?;
        Ok(Stored {
            serial: state.serial,
            skyform_version: state.skyform_version,
            bytes,
        })
    }

    /// Write `state` whatever is stored now (`state push -force`); its serial ends above both.
    /// Hold the lock.
    async fn replace_full(&self, state: &State) -> Result<State>;

    /// The workspaces that have a stored state next to this one (sorted; `default` may be
    /// missing when it has no state yet).
    async fn list_workspaces(&self) -> Result<Vec<String>>;

    /// Remove this workspace's stored state (document, journal, lock details). The caller
    /// checks it is empty (or was told `-force`) and holds its lock.
    async fn delete_workspace(&self) -> Result<()>;

    /// Refuse `state` unless it has `lineage`.
    fn check_lineage(&self, state: &State, lineage: &str) -> Result<()> {
        check_lineage(&self.location(), state, lineage)
    }

    /// Refuse `state` unless it is exactly the one a saved plan was made from.
    fn check_plan_base(&self, state: &State, lineage: &str, serial: u64) -> Result<()> {
        check_plan_base(&self.location(), state, lineage, serial)
    }
}

/// The local backend for `workspace` under `work_dir` (`state/<workspace>.json`).
pub fn local_backend(work_dir: impl AsRef<Path>, workspace: &str) -> Result<Arc<dyn Backend>> {
    Ok(Arc::new(LocalBackend::new(work_dir, workspace)?))
}

pub(crate) fn check_lineage(location: &str, state: &State, lineage: &str) -> Result<()> {
    if state.lineage != lineage {
        return Err(StateError::LineageMismatch {
            location: location.to_string(),
            expected: lineage.to_string(),
            found: state.lineage.clone(),
        });
    }
    Ok(())
}

pub(crate) fn check_plan_base(
    location: &str,
    state: &State,
    lineage: &str,
    serial: u64,
) -> Result<()> {
    check_lineage(location, state, lineage)?;
    if state.serial != serial {
        return Err(StateError::SerialMismatch {
            location: location.to_string(),
            expected: serial,
            found: state.serial,
        });
    }
    Ok(())
}
