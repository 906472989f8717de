//! The providers skyform knows, by name.

use super::ProviderType;
use std::sync::Arc;

/// Every built-in provider type.
pub fn builtin() -> Vec<Arc<dyn ProviderType>> {
    vec![Arc::new(crate::providers::mcloud::MCloudProviderType::new())]
}

/// Looks a provider type up by name (`mcloud`).
pub fn find(name: &str) -> Option<Arc<dyn ProviderType>> {
    builtin().into_iter().find(|p| p.name() == name)
}
