//! The engine's [`StateRecorder`] over the state journal: every completed operation is one
//! durable journal record before the engine goes on.

use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::diag::Diagnostic;
use crate::engine::StateRecorder;
use crate::lang::Value;
use crate::plan::prior::{index_key, resource_key, sensitive_paths};
use async_trait::async_trait;

/// The summary of an error writing one change to the state journal.
pub const PERSIST_FAILED: &str = "Failed to persist state";

/// Records completed operations into the state journal.
pub struct JournalRecorder {
    pub writer: crate::state::StateWriter,
    /// For the schema version each object is written under.
    pub registry: std::sync::Arc<crate::provider::registry::ProviderRegistry>,
    /// Notes every failed write; the first stops the run (see `backend_failure`).
    pub failure: std::sync::Arc<super::BackendFailure>,
}

/// Whether a change being recorded was already made in the cloud.
#[derive(Clone, Copy)]
enum Made {
    InCloud,
    NotYet,
}

impl JournalRecorder {
    /// Appends `change`; a failure is noted (stopping the run) and explained as `what`
    /// failed (`what` names whether the cloud was changed).
    async fn record(
        &self,
        change: crate::state::Change,
        addr: &AbsInstance,
        made: Made,
        what: impl FnOnce(&crate::state::StateError) -> String,
    ) -> Result<(), Diagnostic> {
        self.writer.record(change).await.map_err(|e| {
            self.failure
                .note(addr, matches!(made, Made::InCloud), &e.to_string());
            Diagnostic::error(PERSIST_FAILED, what(&e))
        })
    }
}

#[async_trait]
impl StateRecorder for JournalRecorder {
    async fn upsert(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        value: &Value,
        dependencies: &[String],
    ) -> Result<(), Diagnostic> {
        let mut instance = crate::state::InstanceState::new(value.to_json());
        instance.index_key = index_key(addr);
        instance.sensitive_attributes = sensitive_paths(value);
        instance.dependencies = dependencies.to_vec();
        instance.schema_version = self
            .registry
            .schema_of(
                &provider.name,
                addr.resource.mode == crate::addr::Mode::Data,
                &addr.resource.type_name,
            )
            .map_or(0, |s| s.version);
        self.record(
            crate::state::Change::Upsert {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                instance,
            },
            addr,
            Made::InCloud,
            |e| format!("{addr} was applied, but recording it failed: {e}"),
        )
        .await
    }

    async fn intent(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        token: &str,
    ) -> Result<(), Diagnostic> {
        self.record(
            crate::state::Change::Intent {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                create_token: token.to_string(),
                fingerprint: None,
                started_at: None,
            },
            addr,
            Made::InCloud,
            |e| format!("{addr}: recording the create in progress failed: {e}"),
        )
        .await
    }

    async fn intent_ahead(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        fingerprint: &serde_json::Value,
        started_at: &str,
    ) -> Result<(), Diagnostic> {
        self.record(
            crate::state::Change::Intent {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                create_token: String::new(),
                fingerprint: Some(fingerprint.clone()),
                started_at: Some(started_at.to_string()),
            },
            addr,
            Made::NotYet,
            |e| format!("{addr}: recording the create about to be sent (nothing was created) failed: {e}"),
        )
        .await
    }

    async fn depose(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        key: &str,
    ) -> Result<(), Diagnostic> {
        self.record(
            crate::state::Change::Depose {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                deposed: key.to_string(),
            },
            addr,
            Made::NotYet,
            |e| format!("{addr}: keeping the replaced object as deposed failed: {e}"),
        )
        .await
    }

    async fn restore_deposed(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        key: &str,
    ) -> Result<(), Diagnostic> {
        self.record(
            crate::state::Change::RestoreDeposed {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                deposed: key.to_string(),
            },
            addr,
            Made::NotYet,
            |e| format!("{addr}: restoring the object whose replacement failed failed: {e}"),
        )
        .await
    }

    async fn remove_deposed(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        key: &str,
    ) -> Result<(), Diagnostic> {
        self.record(
            crate::state::Change::RemoveDeposed {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                deposed: key.to_string(),
            },
            addr,
            Made::InCloud,
            |e| format!("{addr}: forgetting the deleted deposed object failed: {e}"),
        )
        .await
    }

    async fn moved(
        &self,
        from: &AbsInstance,
        to: &AbsInstance,
        provider: &ProviderRef,
    ) -> Result<(), Diagnostic> {
        self.record(
            crate::state::Change::Move {
                from: resource_key(from, provider),
                from_index: index_key(from),
                to: resource_key(to, provider),
                to_index: index_key(to),
            },
            to,
            Made::NotYet,
            |e| format!("{to}: recording the move failed: {e}"),
        )
        .await
    }

    async fn remove(&self, addr: &AbsInstance) -> Result<(), Diagnostic> {
        // The provider part of the key does not matter for removal; find the resource by
        // its address.
        let provider = ProviderRef {
            name: addr.resource.implied_provider().to_string(),
            alias: None,
        };
        self.record(
            crate::state::Change::Remove {
                resource: resource_key(addr, &provider),
                index_key: index_key(addr),
            },
            addr,
            Made::InCloud,
            |e| format!("{addr} was deleted, but recording it failed: {e}"),
        )
        .await
    }
}
