//! State: the model of what skyform manages, its JSON file, the crash-safe journal of completed
//! operations, and the lock that serialises writers. See `docs/state.md`.
//!
//! - [`model`]: `State` and [`Change`], the only way state is mutated.
//! - [`file`]: reading/validating and atomically writing documents.
//! - [`journal`]: append-only, group-committed record of changes during a run ([`StateWriter`]).
//! - [`lock`]: the `.lock` file.
//! - [`backend`]: [`LocalBackend`], tying them together for the CLI and apply engine.

pub mod backend;
pub mod error;
pub mod file;
pub mod journal;
pub mod lock;
pub mod model;

pub use backend::{Loaded, LocalBackend, DEFAULT_WORKSPACE, STATE_DIR};
pub use error::{Result, StateError};
pub use journal::{CompactionPolicy, StateWriter, WriterStats};
pub use lock::{release_held_locks, LockInfo, StateLock};
pub use model::{
    Change, IndexKey, InstanceState, Mode, OutputState, ResourceKey, ResourceState, State,
    STATE_FORMAT_VERSION, STATUS_PENDING_CREATE, STATUS_TAINTED,
};
