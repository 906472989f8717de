//! The mcloud provider (seed 003).

use crate::lang::Value;
use crate::provider::schema::ProviderSchema;
use crate::provider::{ConfigureContext, Provider, ProviderError, ProviderType};
use async_trait::async_trait;
use std::sync::Arc;

pub struct MCloudProviderType {
    schema: ProviderSchema,
}

impl MCloudProviderType {
    pub fn new() -> Self {
        MCloudProviderType {
            schema: ProviderSchema::default(),
        }
    }
}

impl Default for MCloudProviderType {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl ProviderType for MCloudProviderType {
    fn name(&self) -> &'static str {
        "mcloud"
    }
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }
    async fn configure(
        &self,
        _config: &Value,
        _ctx: &ConfigureContext,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        Err(ProviderError::new(
            "mcloud",
            "configure",
            "not implemented yet",
        ))
    }
}
