//! Everything that can go wrong reading, writing or locking a state, each with a message that
//! says what happened and what to do. Files involved in an error are never overwritten.

use std::path::PathBuf;

use super::lock::LockInfo;

/// A state error. `Clone` so one journal failure can be reported to every waiting caller.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    #[error("cannot {action} {}: {message}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        message: String,
    },

    #[error(
        "{} is not valid JSON (line {line}, column {column}: {message}); it was left untouched. \
         Fix it by hand or restore the previous version from {}.backup",
        path.display(),
        path.display()
    )]
    InvalidJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(
        "{} has state format version {found}, but this skyform ({}) only reads version {supported}; \
         upgrade skyform to use this state (the file was left untouched)",
        path.display(),
        env!("CARGO_PKG_VERSION")
    )]
    NewerVersion {
        path: PathBuf,
        found: u64,
        supported: u32,
    },

    #[error(
        "{} has state format version {found}, which skyform does not read (it reads version {supported}); \
         the file was left untouched",
        path.display()
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: String,
        supported: u32,
    },

    #[error(
        "{} is not a valid skyform state: {message}; it was left untouched. \
         Fix it by hand or restore the previous version from {}.backup",
        path.display(),
        path.display()
    )]
    Invalid { path: PathBuf, message: String },

    #[error(
        "{} belongs to a different state (lineage {found}, expected {expected}); \
         refusing to use it. Check that you are in the right directory and workspace",
        path.display()
    )]
    LineageMismatch {
        path: PathBuf,
        expected: String,
        found: String,
    },

    #[error(
        "refusing to overwrite {}: it holds a different state (lineage {on_disk}) than the one being \
         written (lineage {writing}). To replace it deliberately, use `skyform state push -force`",
        path.display()
    )]
    LineageOverwrite {
        path: PathBuf,
        on_disk: String,
        writing: String,
    },

    #[error(
        "{} has changed since the plan was made (serial {found}, plan was made at serial {expected}); \
         run plan again",
        path.display()
    )]
    SerialMismatch {
        path: PathBuf,
        expected: u64,
        found: u64,
    },

    #[error(
        "{} was written by someone else since it was loaded (serial {on_disk} on disk, {loaded} loaded); \
         refusing to overwrite it. Load the state again and retry",
        path.display()
    )]
    StaleWrite {
        path: PathBuf,
        loaded: u64,
        on_disk: u64,
    },

    #[error(
        "journal {} does not belong to {} (journal is for lineage {journal_lineage} serial {journal_serial}, \
         state has lineage {state_lineage} serial {state_serial}); both files were left untouched. \
         If the state was restored by hand, move the journal away to discard its changes",
        path.display(),
        state_path.display()
    )]
    JournalMismatch {
        path: PathBuf,
        state_path: PathBuf,
        journal_lineage: String,
        journal_serial: u64,
        state_lineage: String,
        state_serial: u64,
    },

    #[error(
        "journal {} is corrupt at line {line}: {message}; it was left untouched. \
         Records before line {line} are intact; to recover them, cut the file before that line and run again",
        path.display()
    )]
    JournalCorrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error(
        "found journal {} but no state file {}; refusing to guess. Restore the state file \
         (e.g. from {}.backup) or move the journal away to start from scratch",
        path.display(),
        state_path.display(),
        state_path.display()
    )]
    JournalWithoutState { path: PathBuf, state_path: PathBuf },

    #[error(
        "state {} is locked (waited {waited_secs}s).\n  ID:        {}\n  Operation: {}\n  Who:       {}\n  Version:   {}\n  Created:   {}\n\
         {}",
        path.display(),
        holder.id,
        holder.operation,
        holder.who,
        holder.version,
        holder.created,
        lock_advice(holder)
    )]
    Locked {
        path: PathBuf,
        holder: Box<LockInfo>,
        waited_secs: u64,
    },

    #[error(
        "lock file {} exists but cannot be read ({message}). If no skyform process is running, delete it by hand",
        path.display()
    )]
    LockUnreadable { path: PathBuf, message: String },

    #[error(
        "lock ID {given:?} does not match the lock on the state (ID {held:?}); nothing was unlocked. \
         Use the ID shown in the lock error message",
        given = given,
        held = held
    )]
    LockIdMismatch {
        path: PathBuf,
        given: String,
        held: String,
    },

    #[error("state {} is not locked; nothing to unlock", path.display())]
    NotLocked { path: PathBuf },

    #[error(
        "invalid workspace name {name:?}: use letters, digits, '-' and '_' (at most 90 characters)"
    )]
    InvalidWorkspace { name: String },

    #[error(
        "the state writer stopped after an earlier error ({cause}); changes acknowledged before it \
         are safe in the journal and will be replayed on the next load"
    )]
    WriterStopped { cause: String },
}

impl StateError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, err: std::io::Error) -> Self {
        StateError::Io {
            action,
            path: path.to_path_buf(),
            message: err.to_string(),
        }
    }
}

/// Result alias for the state module.
pub type Result<T, E = StateError> = std::result::Result<T, E>;

/// What to do about a held lock: wait, unless its holder is known to be dead.
fn lock_advice(holder: &super::lock::LockInfo) -> String {
    if holder.holder_is_gone() {
        format!(
            "The process that took this lock (pid {}) is no longer running on this machine, so the lock is stale \
             (a run was killed). Check that no apply is running, then remove it with: skyform force-unlock {}",
            holder.pid.unwrap_or_default(),
            holder.id
        )
    } else {
        format!(
            "Another skyform process is probably using this state; wait for it, or retry with a longer -lock-timeout. \
             If that process is gone (e.g. it was killed), remove the lock with: skyform force-unlock {}",
            holder.id
        )
    }
}
