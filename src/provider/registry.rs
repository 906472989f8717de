//! The provider types a run may configure, by name. The registry knows no concrete
//! provider: whoever starts a run fills it (`providers::builtin_registry`), so tests can
//! hand the engine a scripted provider instead.

use super::schema::Schema;
use super::ProviderType;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct ProviderRegistry {
    types: BTreeMap<String, Arc<dyn ProviderType>>,
}

impl ProviderRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a provider type under its own name.
    pub fn register(&mut self, provider: Arc<dyn ProviderType>) {
        self.types.insert(provider.name().to_string(), provider);
    }

    pub fn with(mut self, provider: Arc<dyn ProviderType>) -> Self {
        self.register(provider);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn ProviderType>> {
        self.types.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn ProviderType>> {
        self.types.values()
    }

    /// The schema of a managed resource type (`data`: of a data source) of provider `name`.
    pub fn schema_of(&self, name: &str, data: bool, type_name: &str) -> Option<&Schema> {
        let schema = self.types.get(name)?.schema();
        if data {
            schema.data_sources.get(type_name)
        } else {
            schema.resources.get(type_name)
        }
    }
}

impl std::fmt::Debug for ProviderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.types.keys()).finish()
    }
}
