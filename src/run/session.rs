//! A session on the state: the backend, its lock (held until the session is dropped) and
//! the state as loaded, with any journal left by a crash replayed.

use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::prior::{prior_from_owned_state, prior_from_state, PriorState};
use crate::provider::registry::ProviderRegistry;
use crate::state::{Backend, State, StateLock};
use std::sync::Arc;
use std::time::Duration;

pub struct Session {
    pub backend: Arc<dyn Backend>,
    _lock: Option<StateLock>,
    pub state: Option<State>,
}

impl Session {
    /// Takes the lock for `operation` (unless `lock` is None: `-lock=false`), waiting up to
    /// the given timeout for another holder, then loads the state.
    pub async fn open(
        backend: Arc<dyn Backend>,
        operation: &str,
        lock: Option<Duration>,
    ) -> Result<Session, Diagnostics> {
        let lock = match lock {
            None => None,
            Some(timeout) => Some(backend.lock(operation, timeout).await.map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Error acquiring the state lock",
                    e.to_string(),
                ))
            })?),
        };
        let state = backend.load_state().await.map_err(|e| {
            Diagnostics::from(Diagnostic::error("Failed to load state", e.to_string()))
        })?;
        Ok(Session {
            backend,
            _lock: lock,
            state,
        })
    }

    /// The state decoded for the engine (empty when there is no state yet), with objects
    /// of older schema versions upgraded. A state with an object that cannot be read or
    /// upgraded is refused.
    pub fn prior(&self, registry: &ProviderRegistry) -> Result<PriorState, Diagnostics> {
        let prior = self
            .state
            .as_ref()
            .map(|s| prior_from_state(s, registry))
            .unwrap_or_default();
        refuse_decode_errors(prior)
    }

    /// Like [`Session::prior`], for a run that writes no state afterwards (`plan`): the
    /// loaded document is given up and each instance's JSON is dropped once decoded, so the
    /// run never holds the document and its decoded values whole at once. The lock stays
    /// held; [`Session::base_state`] would now see no state.
    pub fn take_prior(&mut self, registry: &ProviderRegistry) -> Result<PriorState, Diagnostics> {
        let prior = self
            .state
            .take()
            .map(|s| prior_from_owned_state(s, registry))
            .unwrap_or_default();
        refuse_decode_errors(prior)
    }

    /// The state to build on: the loaded one, or a new one (new lineage, serial 0).
    pub fn base_state(&self) -> State {
        self.state
            .clone()
            .unwrap_or_else(|| self.backend.new_state())
    }

    /// [`Session::base_state`] handed over instead of copied: an apply gives it to its state
    /// writer, so the run holds one copy of the document, not two. The session keeps its
    /// backend and lock; its `state` is empty afterwards.
    pub fn take_base_state(&mut self) -> State {
        self.state
            .take()
            .unwrap_or_else(|| self.backend.new_state())
    }
}

/// A prior state some of whose objects could not be read or upgraded is refused whole.
fn refuse_decode_errors(prior: PriorState) -> Result<PriorState, Diagnostics> {
    if prior.decode_errors.is_empty() {
        return Ok(prior);
    }
    let mut d = Diagnostics::new();
    for e in &prior.decode_errors {
        d.push(e.clone());
    }
    Err(d)
}
