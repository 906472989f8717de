//! The provider contract: how skyform's core talks to a cloud.
//!
//! The core never speaks HTTP. It asks a [`Provider`] for batched reads (refresh), plans
//! through the schema, and calls create/update/delete during apply. The contract is shaped
//! for all four seed APIs: mcloud (replace-only templates, instances found by IP after
//! create), jdcloud (in-place updates through several calls and state transitions, signed
//! requests), twocloud and roma (paged, list-only inventories: data sources only).

pub mod registry;
pub mod schema;

use crate::diag::Diagnostics;
use crate::lang::Value;
use async_trait::async_trait;
use schema::{ProviderSchema, Schema};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// An error from a provider, naming the provider, the operation, the HTTP status and the
/// API's own code and message: `mcloud: POST /v1/instance: code 12996 "Input error!"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderError {
    pub provider: String,
    /// What was attempted, usually `METHOD /path`.
    pub operation: String,
    pub http_status: Option<u16>,
    /// The API's own error code, as text (`12996`, `InvalidParameter`).
    pub code: Option<String>,
    pub message: String,
    /// Worth trying again later (throttling, 5xx, connection errors).
    pub retryable: bool,
}

impl ProviderError {
    pub fn new(provider: &str, operation: impl Into<String>, message: impl Into<String>) -> Self {
        ProviderError {
            provider: provider.to_string(),
            operation: operation.into(),
            http_status: None,
            code: None,
            message: message.into(),
            retryable: false,
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.provider, self.operation)?;
        if let Some(status) = self.http_status {
            if status >= 400 {
                write!(f, "HTTP {status}, ")?;
            }
        }
        match &self.code {
            Some(code) => write!(f, "code {code} {:?}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ProviderError {}

/// What a provider is told when it is configured.
#[derive(Debug, Clone)]
pub struct ConfigureContext {
    /// The working directory; `endpoint = "embedded"` keeps simulator state under
    /// `<work_dir>/state/sim/`.
    pub work_dir: PathBuf,
}

/// Per-operation settings from the resource's configuration.
#[derive(Debug, Clone, Default)]
pub struct OperationContext {
    /// The resource instance address, for messages (`mcloud_instance.web[2]`).
    pub address: String,
    /// From `timeouts { create = "10m" }` and friends; the provider's default otherwise.
    pub timeout: Option<Duration>,
    /// For creates: call as soon as the cloud has acknowledged the new object, with a token
    /// [`Provider::find_created`] can find it by. skyform records it durably, so a run that
    /// dies while the object is still coming up adopts it next time instead of creating a
    /// duplicate.
    pub created: Option<CreatedHook>,
}

/// The hook behind [`OperationContext::created`]; returns once the token is durable.
#[derive(Clone)]
pub struct CreatedHook(
    pub Arc<dyn Fn(String) -> futures::future::BoxFuture<'static, Result<(), String>> + Send + Sync>,
);

impl fmt::Debug for CreatedHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CreatedHook")
    }
}

impl OperationContext {
    /// Reports the token of an object the cloud has just acknowledged (see `created`).
    pub async fn report_created(&self, token: &str) -> Result<(), String> {
        match &self.created {
            Some(hook) => (hook.0)(token.to_string()).await,
            None => Ok(()),
        }
    }
}

/// A provider kind in the registry: knows its schema and builds configured clients.
#[async_trait]
pub trait ProviderType: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> &ProviderSchema;
    /// Builds a client from the evaluated `provider` block (null attributes where unset;
    /// the provider reads its environment variables for missing credentials).
    async fn configure(
        &self,
        config: &Value,
        ctx: &ConfigureContext,
    ) -> Result<Arc<dyn Provider>, ProviderError>;
}

/// A configured provider: one per `provider` block (or alias).
#[async_trait]
pub trait Provider: Send + Sync {
    fn schema(&self) -> &ProviderSchema;

    fn resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.schema().resources.get(type_name)
    }

    /// Plan-time checks of a resource configuration that need no API call (documented
    /// limits such as mcloud's DataDiskNum 1..4). Errors carry no span; the caller adds it.
    fn validate_resource(&self, _type_name: &str, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Batched refresh: the live state of each prior object of one resource type, in the
    /// same order, `None` where the object no longer exists. Implementations use one list
    /// call where the API can list, never one call per object.
    async fn read_resources(
        &self,
        type_name: &str,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError>;

    /// Creates the object; returns its full state (every computed attribute known).
    async fn create(
        &self,
        type_name: &str,
        planned: &Value,
        op: &OperationContext,
    ) -> Result<Value, ProviderError>;

    /// Changes the object in place; only called when no changed attribute is force-new.
    async fn update(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> Result<Value, ProviderError>;

    async fn delete(
        &self,
        type_name: &str,
        prior: &Value,
        op: &OperationContext,
    ) -> Result<(), ProviderError>;

    /// Finds an object that a create interrupted by a crash left behind, by the token the
    /// provider reported through [`OperationContext::report_created`]. `planned` is the
    /// configuration now, to fill what the API does not report. `None`: no such object.
    async fn find_created(
        &self,
        _type_name: &str,
        _token: &str,
        _planned: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        Ok(None)
    }

    /// Reads a data source from its evaluated configuration.
    async fn read_data(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError>;

    /// Reads an existing object by its id for `skyform import`.
    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        Err(ProviderError::new(
            "provider",
            format!("import {type_name}"),
            format!("import of {type_name} by id {id:?} is not supported"),
        ))
    }
}
