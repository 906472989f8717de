//! How the engine persists each completed operation during apply. The run layer supplies
//! the implementation (the state backend's journal); engine tests may supply their own.

use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::diag::Diagnostic;
use crate::lang::Value;
use async_trait::async_trait;

/// Persists completed operations during apply: each call returns once the change is
/// durable, before anything that depends on it starts.
#[async_trait]
pub trait StateRecorder: Send + Sync {
    async fn upsert(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        value: &Value,
        dependencies: &[String],
    ) -> Result<(), Diagnostic>;

    async fn remove(&self, addr: &AbsInstance) -> Result<(), Diagnostic>;

    /// Records, before a create is sent, that it is about to be: `fingerprint` identifies
    /// the object it will make (`Provider::create_fingerprint`), `started_at` is now
    /// (RFC 3339, UTC). Durable before the call, so no object can exist that state does
    /// not know may exist.
    async fn intent_ahead(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        fingerprint: &serde_json::Value,
        started_at: &str,
    ) -> Result<(), Diagnostic>;

    /// Records that a create was acknowledged by the cloud and can be found by `token`,
    /// before the object is fully up (see `OperationContext::created`).
    async fn intent(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        token: &str,
    ) -> Result<(), Diagnostic>;

    /// Keeps the current object at `addr` aside as deposed `key` (create_before_destroy,
    /// before the replacement is created).
    async fn depose(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        key: &str,
    ) -> Result<(), Diagnostic>;

    /// Puts deposed object `key` back as the current object at `addr` (its replacement
    /// was never created).
    async fn restore_deposed(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        key: &str,
    ) -> Result<(), Diagnostic>;

    /// Forgets deposed object `key` at `addr` once its delete succeeded.
    async fn remove_deposed(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        key: &str,
    ) -> Result<(), Diagnostic>;

    /// Moves the object at `from` to `to` in one durable record (`moved` blocks).
    async fn moved(
        &self,
        from: &AbsInstance,
        to: &AbsInstance,
        provider: &ProviderRef,
    ) -> Result<(), Diagnostic>;
}
