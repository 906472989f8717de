//! State: the model of what skyform manages, the [`Backend`] trait that stores it, and the local
//! backend (JSON file, crash-safe journal of completed operations, kernel-held lock). See
//! `docs/state.md`.
//!
//! - [`model`]: `State` and [`Change`], the only way state is mutated.
//! - [`backend`]: the [`Backend`] trait and [`local_backend`], the constructor the CLI uses.
//! - [`writer`]: [`StateWriter`], group-committed recording of changes during a run, over any
//!   backend.
//! - [`lock`]: [`LockInfo`] and the [`StateLock`] guard every backend hands out.
//! - [`local`]: [`LocalBackend`], built from [`file`] (reading/validating and atomically writing
//!   documents), [`journal`] (the append-only journal file) and [`local_lock`] (the `.lock` file).

pub mod attributes;
pub mod backend;
pub mod encryption;
pub mod error;
pub mod file;
pub mod journal;
pub mod local;
pub mod local_lock;
pub mod lock;
pub mod migrate;
pub mod model;
pub mod pg;
pub mod pretty;
pub mod select;
pub mod writer;

pub use attributes::Attributes;
pub use backend::{local_backend, Backend, JournalBase, Loaded, Stored, Written};
pub use error::{Result, StateError};
pub use local::{LocalBackend, DEFAULT_WORKSPACE, STATE_DIR};
pub use lock::{LockInfo, StateLock};
pub use model::{
    Change, IndexKey, InstanceState, Mode, OutputState, ResourceKey, ResourceState, State,
    STATE_FORMAT_VERSION, STATUS_PENDING_CREATE, STATUS_TAINTED,
};
pub use select::{backend_for_dir, read_settings, selected_workspace, StateSettings};
pub use writer::{CompactionPolicy, StateWriter, WriterStats};
