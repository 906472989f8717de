//! The cloud providers, one folder each.

pub mod jdcloud;
pub mod mcloud;
pub mod roma;
pub mod twocloud;

use crate::provider::registry::ProviderRegistry;
use std::sync::Arc;

/// Every provider skyform ships, for runs started from the command line.
pub fn builtin_registry() -> ProviderRegistry {
    ProviderRegistry::new()
        .with(Arc::new(mcloud::MCloudProviderType::new()))
        .with(Arc::new(jdcloud::JdCloudProviderType::new()))
        .with(Arc::new(twocloud::TwoCloudProviderType::new()))
        .with(Arc::new(roma::RomaProviderType::new()))
}
