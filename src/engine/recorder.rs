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

    /// Records that a create was acknowledged by the cloud and can be found by `token`,
    /// before the object is fully up (see `OperationContext::created`).
    async fn intent(
        &self,
        addr: &AbsInstance,
        provider: &ProviderRef,
        token: &str,
    ) -> Result<(), Diagnostic>;
}
