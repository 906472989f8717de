//! The engine's [`StateRecorder`] over the state journal: every completed operation is one
//! durable journal record before the engine goes on.

use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::diag::Diagnostic;
use crate::engine::StateRecorder;
use crate::lang::Value;
use crate::plan::prior::{index_key, resource_key, sensitive_paths};
use async_trait::async_trait;

/// Records completed operations into the state journal.
pub struct JournalRecorder {
    pub writer: crate::state::StateWriter,
    /// For the schema version each object is written under.
    pub registry: std::sync::Arc<crate::provider::registry::ProviderRegistry>,
}

impl JournalRecorder {
    async fn record(
        &self,
        change: crate::state::Change,
        addr: &AbsInstance,
        what: &str,
    ) -> Result<(), Diagnostic> {
        self.writer.record(change).await.map_err(|e| {
            Diagnostic::error(
                "Failed to persist state",
                format!("{addr}: {what} failed: {e}"),
            )
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
        self.writer
            .record(crate::state::Change::Upsert {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                instance,
            })
            .await
            .map_err(|e| {
                Diagnostic::error(
                    "Failed to persist state",
                    format!("{addr} was applied, but recording it failed: {e}"),
                )
            })
    }

    async fn intent(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        token: &str,
    ) -> Result<(), Diagnostic> {
        self.writer
            .record(crate::state::Change::Intent {
                resource: resource_key(addr, provider),
                index_key: index_key(addr),
                create_token: token.to_string(),
                fingerprint: None,
                started_at: None,
            })
            .await
            .map_err(|e| {
                Diagnostic::error(
                    "Failed to persist state",
                    format!("{addr}: recording the create in progress failed: {e}"),
                )
            })
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
            "recording the create about to be sent (nothing was created)",
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
            "keeping the replaced object as deposed",
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
            "restoring the object whose replacement failed",
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
            "forgetting the deleted deposed object",
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
            "recording the move",
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
        self.writer
            .record(crate::state::Change::Remove {
                resource: resource_key(addr, &provider),
                index_key: index_key(addr),
            })
            .await
            .map_err(|e| {
                Diagnostic::error(
                    "Failed to persist state",
                    format!("{addr} was deleted, but recording it failed: {e}"),
                )
            })
    }
}
