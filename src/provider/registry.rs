//! Provider types by name. The registry knows no concrete provider: the built-in set is
//! assembled by `crate::providers::builtin_registry`.

use super::ProviderType;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct ProviderRegistry {
    types: BTreeMap<String, Arc<dyn ProviderType>>,
}

impl ProviderRegistry {
    pub fn new() -> Self {
        ProviderRegistry::default()
    }

    /// Adds `p` under its name, replacing any earlier type of that name.
    pub fn register(&mut self, p: Arc<dyn ProviderType>) -> &mut Self {
        self.types.insert(p.name().to_string(), p);
        self
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn ProviderType>> {
        self.types.get(name).cloned()
    }

    /// Every registered name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.types.keys().map(String::as_str).collect()
    }

    /// Every registered type, sorted by name.
    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn ProviderType>> {
        self.types.values()
    }
}

impl std::fmt::Debug for ProviderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.types.keys()).finish()
    }
}
