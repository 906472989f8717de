//! What the engine tells whoever runs it while it works. The engine only emits events; the
//! command line renders them as text (and later as Terraform's `-json` UI lines).

use crate::addr::AbsInstance;
use std::sync::Arc;
use std::time::Duration;

/// An operation on one resource instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Read,
    /// Reading an existing object into state by its id (`skyform import`).
    Import,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// One batched read starts refreshing every object of a resource type (under one
    /// provider configuration), each named with the id it has in state.
    RefreshStarted {
        type_name: String,
        objects: Vec<RefreshedObject>,
    },
    /// That batched read answered: each object with its id now (None: it no longer
    /// exists). Terraform reports refreshes per instance; the batch keeps one event per
    /// read so a sink can show either.
    RefreshCompleted {
        type_name: String,
        objects: Vec<RefreshedObject>,
    },
    /// The operation actually started (it holds a `-parallelism` slot).
    Started {
        addr: AbsInstance,
        op: Operation,
        id: Option<String>,
    },
    /// The provider reported progress from inside the operation (a wait, a step).
    Progress {
        addr: AbsInstance,
        op: Operation,
        message: String,
        elapsed: Duration,
    },
    Completed {
        addr: AbsInstance,
        op: Operation,
        id: Option<String>,
        elapsed: Duration,
    },
    Failed {
        addr: AbsInstance,
        op: Operation,
        elapsed: Duration,
    },
}

/// One object of a batched refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshedObject {
    pub addr: AbsInstance,
    /// The object's `id` attribute, when it has one.
    pub id: Option<String>,
}

/// Receives events from any task; must not block.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;
