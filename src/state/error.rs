//! Everything that can go wrong reading, writing or locking a state, each with a message that
//! says what happened and what to do. Files involved in an error are never overwritten.
//!
//! Every variant names a `location`: where the state (or the file concerned) lives, as the
//! backend describes it. For the local backend that is the file's path.

use super::lock::LockInfo;

/// A state error. `Clone` so one journal failure can be reported to every waiting caller.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    #[error("cannot {action} {location}: {message}")]
    Io {
        action: &'static str,
        location: String,
        message: String,
    },

    #[error(
        "{location} is not valid JSON (line {line}, column {column}: {message}); it was left untouched. \
         Fix it by hand or restore the previous version from {location}.backup"
    )]
    InvalidJson {
        location: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(
        "{location} has state format version {found}, but this skyform ({}) only reads version {supported}; \
         upgrade skyform to use this state (the file was left untouched)",
        env!("CARGO_PKG_VERSION")
    )]
    NewerVersion {
        location: String,
        found: u64,
        supported: u32,
    },

    #[error(
        "{location} has state format version {found}, which skyform does not read (it reads version {supported}); \
         the file was left untouched"
    )]
    UnsupportedVersion {
        location: String,
        found: String,
        supported: u32,
    },

    #[error(
        "{location} is not a valid skyform state: {message}; it was left untouched. \
         Fix it by hand or restore the previous version from {location}.backup"
    )]
    Invalid { location: String, message: String },

    #[error(
        "{location} belongs to a different state (lineage {found}, expected {expected}); \
         refusing to use it. Check that you are in the right directory and workspace"
    )]
    LineageMismatch {
        location: String,
        expected: String,
        found: String,
    },

    #[error(
        "refusing to overwrite {location}: it holds a different state (lineage {on_disk}) than the one being \
         written (lineage {writing}). To replace it deliberately, use `skyform state push -force`"
    )]
    LineageOverwrite {
        location: String,
        on_disk: String,
        writing: String,
    },

    #[error(
        "{location} has changed since the plan was made (serial {found}, plan was made at serial {expected}); \
         run plan again"
    )]
    SerialMismatch {
        location: String,
        expected: u64,
        found: u64,
    },

    #[error(
        "{location} was written by someone else since it was loaded (serial {on_disk} on disk, {loaded} loaded); \
         refusing to overwrite it. Load the state again and retry"
    )]
    StaleWrite {
        location: String,
        loaded: u64,
        on_disk: u64,
    },

    #[error(
        "journal {journal} does not belong to {location} (journal is for lineage {journal_lineage} serial {journal_serial}, \
         state has lineage {state_lineage} serial {state_serial}); both files were left untouched. \
         If the state was restored by hand, move the journal away to discard its changes"
    )]
    JournalMismatch {
        journal: String,
        location: String,
        journal_lineage: String,
        journal_serial: u64,
        state_lineage: String,
        state_serial: u64,
    },

    #[error(
        "journal {journal} is corrupt at line {line}: {message}; it was left untouched. \
         Records before line {line} are intact; to recover them, cut the file before that line and run again"
    )]
    JournalCorrupt {
        journal: String,
        line: usize,
        message: String,
    },

    #[error(
        "found journal {journal} but no state file {location}; refusing to guess. Restore the state file \
         (e.g. from {location}.backup) or move the journal away to start from scratch"
    )]
    JournalWithoutState { journal: String, location: String },

    #[error(
        "state {location} is locked (waited {waited_secs}s).\n  ID:        {}\n  Operation: {}\n  Who:       {}\n  Version:   {}\n  Created:   {}\n\
         Another skyform process is using this state; wait for it, or retry with a longer -lock-timeout. \
         The lock is released automatically when that process exits, even if it is killed. \
         Only if it is stuck, stop it or break its lock with: skyform force-unlock {}",
        holder.id,
        holder.operation,
        holder.who,
        holder.version,
        holder.created,
        holder.id
    )]
    Locked {
        location: String,
        holder: Box<LockInfo>,
        waited_secs: u64,
    },

    #[error(
        "the lock on {location} is held, but what its holder wrote cannot be read ({message}). \
         Wait for that process to finish; the lock is released when it exits"
    )]
    LockUnreadable { location: String, message: String },

    #[error(
        "lock ID {given:?} does not match the lock on the state (ID {held:?}); nothing was unlocked. \
         Use the ID shown in the lock error message"
    )]
    LockIdMismatch {
        location: String,
        given: String,
        held: String,
    },

    #[error(
        "state {location} is not locked; nothing to unlock. A lock is released automatically when the \
         process holding it exits (even if it was killed), so force-unlock is not needed"
    )]
    NotLocked { location: String },

    #[error(
        "invalid workspace name {name:?}: use letters, digits, '-' and '_' (at most 90 characters)"
    )]
    InvalidWorkspace { name: String },

    #[error("state encryption: {message}")]
    Encryption { message: String },

    #[error(
        "cannot decrypt {location}: {message}. Check the state passphrase (skyform {{ encryption {{ ... }} }} \
         or SKYFORM_STATE_KEY); after a key change, give the previous one as a fallback. Nothing was changed"
    )]
    Decrypt { location: String, message: String },

    #[error(
        "{location} is encrypted, but no state key is configured; set SKYFORM_STATE_KEY or add \
         skyform {{ encryption {{ key_provider \"pbkdf2\" {{ passphrase = ... }} }} }}. Nothing was changed"
    )]
    EncryptedWithoutKey { location: String },

    #[error("{message}")]
    Config { message: String },

    #[error("PostgreSQL state {location}: {message}")]
    Database { location: String, message: String },

    #[error(
        "the state lock on {location} was lost: its database session ended ({cause}); stopping so that \
         nobody else's changes are overwritten. Everything completed before is in the journal; run again"
    )]
    LockLost { location: String, cause: String },

    #[error("workspace {name:?} does not exist in {location}; create it with: skyform workspace new {name}")]
    NoSuchWorkspace { name: String, location: String },

    #[error("workspace {name:?} already exists in {location}")]
    WorkspaceExists { name: String, location: String },

    #[error(
        "workspace {name:?} is not empty ({resources} resource(s) in its state); refusing to delete it. \
         Destroy its resources first, or use -force to forget them"
    )]
    WorkspaceNotEmpty { name: String, resources: usize },

    #[error("cannot delete the workspace {name:?}: {reason}")]
    CannotDeleteWorkspace { name: String, reason: String },

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
            location: path.display().to_string(),
            message: err.to_string(),
        }
    }
}

/// Result alias for the state module.
pub type Result<T, E = StateError> = std::result::Result<T, E>;
