//! The prior state as the walk sees it: decoded values per resource instance.
//!
//! The `state` module owns the file format; this view decodes its JSON attributes with the
//! provider schemas (so sets are sets and sensitive attributes are marked), and the
//! [`StateRecorder`] trait is how the apply walk persists each completed operation.

use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::diag::Diagnostic;
use crate::lang::Value;
use async_trait::async_trait;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct PriorInstance {
    pub provider: ProviderRef,
    pub value: Value,
    /// Addresses of the resources this one depended on when it was last applied.
    pub dependencies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorState {
    pub lineage: Option<String>,
    pub serial: u64,
    pub instances: BTreeMap<AbsInstance, PriorInstance>,
    pub outputs: BTreeMap<String, Value>,
}

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
}
