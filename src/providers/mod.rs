//! The cloud providers, one folder each.

pub mod mcloud;

use crate::provider::registry::ProviderRegistry;
use std::sync::Arc;

/// Every provider built into skyform.
pub fn builtin_registry() -> ProviderRegistry {
    let mut r = ProviderRegistry::new();
    r.register(Arc::new(mcloud::MCloudProviderType::new()));
    r
}
