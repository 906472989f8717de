//! The mcloud provider (seed 003): a multi-cloud machine API with templates ("clusters"),
//! instances, physical machines, ssh keys and catalog reads.
//!
//! `provider "mcloud" { endpoint = "http://127.0.0.1:PORT" | "embedded", timeout = "30s",
//! max_retries = 3 }`; `MCLOUD_ENDPOINT` is used when `endpoint` is unset. `"embedded"`
//! starts the simulator inside this process (state under `<work_dir>/state/sim`) and talks
//! to it over loopback HTTP like any other server.

pub mod api;
pub mod client;
pub mod data_sources;
pub mod delete_batch;
pub mod instance;
pub mod instance_group;
pub mod list_flight;
pub mod machine_record;
pub mod openstack;
pub mod phydev;
pub mod schema;
pub mod spec;
pub mod ssh_key;
pub mod status;
pub mod template;
pub mod values;

use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::schema::ProviderSchema;
use crate::provider::{ConfigureContext, OperationContext, Provider, ProviderError, ProviderType};
use async_trait::async_trait;
use client::{Client, RetryPolicy, PROVIDER};
use schema::{
    INSTANCE, INSTANCE_GROUP, MACHINE_RECORD, OPENSTACK_CONFIG, PHYSICAL_MACHINE, SSH_KEY, TEMPLATE,
};
use std::sync::Arc;
use std::time::Duration;
use values::Obj;

/// The environment variable read when the provider block sets no endpoint.
pub const ENDPOINT_ENV: &str = "MCLOUD_ENDPOINT";
/// Per-request timeout when the provider block sets none.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct MCloudProviderType {
    schema: Arc<ProviderSchema>,
}

impl MCloudProviderType {
    pub fn new() -> Self {
        MCloudProviderType {
            schema: Arc::new(schema::provider_schema()),
        }
    }
}

impl Default for MCloudProviderType {
    fn default() -> Self {
        Self::new()
    }
}

/// The evaluated provider block.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub endpoint: String,
    pub timeout: Duration,
    pub max_retries: u32,
}

/// Reads the provider block (and `MCLOUD_ENDPOINT` for a missing endpoint).
pub fn settings_from(
    config: &Value,
    env_endpoint: Option<String>,
) -> Result<Settings, ProviderError> {
    let o = Obj::new(config, "provider \"mcloud\"");
    let endpoint = o
        .opt_str("endpoint")
        .filter(|e| !e.trim().is_empty())
        .or(env_endpoint.filter(|e| !e.trim().is_empty()))
        .ok_or_else(|| {
            ProviderError::new(
                PROVIDER,
                "configure",
                format!(
                    "no endpoint: set endpoint = \"http://HOST:PORT\" (or \"embedded\") in the provider block, or the {ENDPOINT_ENV} environment variable"
                ),
            )
        })?;
    let timeout = match o.opt_str("timeout") {
        None => DEFAULT_REQUEST_TIMEOUT,
        Some(t) => parse_duration(&t).filter(|d| !d.is_zero()).ok_or_else(|| {
            ProviderError::new(
                PROVIDER,
                "configure",
                format!("timeout {t:?} is not a duration such as \"30s\", \"2m\" or \"1m30s\""),
            )
        })?,
    };
    let max_retries = match o.opt_i64("max_retries")? {
        None => RetryPolicy::default().max_retries,
        Some(r) if (0..=100).contains(&r) => r as u32,
        Some(r) => {
            return Err(ProviderError::new(
                PROVIDER,
                "configure",
                format!("max_retries must be between 0 and 100; got {r}"),
            ))
        }
    };
    Ok(Settings {
        endpoint: endpoint.trim().to_string(),
        timeout,
        max_retries,
    })
}

/// Parses Go-style durations: `500ms`, `30s`, `10m`, `1h`, `1m30s`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let amount: f64 = rest.get(..digits)?.parse().ok()?;
        rest = rest.get(digits..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest.get(..unit_len)?;
        rest = rest.get(unit_len..)?;
        let secs = match unit {
            "ms" => amount / 1000.0,
            "s" => amount,
            "m" => amount * 60.0,
            "h" => amount * 3600.0,
            _ => return None,
        };
        total = total.checked_add(Duration::try_from_secs_f64(secs).ok()?)?;
    }
    Some(total)
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
        config: &Value,
        ctx: &ConfigureContext,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        let settings = settings_from(config, std::env::var(ENDPOINT_ENV).ok())?;
        let retry = RetryPolicy {
            max_retries: settings.max_retries,
            ..RetryPolicy::default()
        };
        let base_url = if settings.endpoint == "embedded" {
            embedded::start(ctx).await?
        } else {
            settings.endpoint.clone()
        };
        let client = Client::new(&base_url, settings.timeout, retry)?;
        Ok(Arc::new(MCloudProvider {
            schema: self.schema.clone(),
            client,
        }))
    }
}

mod embedded;

/// A configured mcloud provider.
pub struct MCloudProvider {
    schema: Arc<ProviderSchema>,
    client: Client,
}

impl MCloudProvider {
    /// A provider talking to `client` (tests build one directly).
    pub fn with_client(client: Client) -> MCloudProvider {
        MCloudProvider {
            schema: Arc::new(schema::provider_schema()),
            client,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn op_timeout(op: &OperationContext) -> Duration {
    op.timeout.unwrap_or(instance::DEFAULT_TIMEOUT)
}

fn unknown_type(type_name: &str, what: &str) -> ProviderError {
    ProviderError::new(
        PROVIDER,
        format!("{what} {type_name}"),
        format!("mcloud has no resource type {type_name:?}"),
    )
}

#[async_trait]
impl Provider for MCloudProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match type_name {
            TEMPLATE | INSTANCE | MACHINE_RECORD => spec::validate_machine_spec(config, &mut diags),
            INSTANCE_GROUP => {
                let o = Obj::new(config, type_name);
                spec::check_range(&o, "instance_count", 0, 1000, "expand number", &mut diags);
            }
            PHYSICAL_MACHINE => {
                let o = Obj::new(config, type_name);
                spec::check_range(&o, "port", 0, 65535, "Port", &mut diags);
            }
            SSH_KEY | OPENSTACK_CONFIG => {}
            other => diags.push(Diagnostic::error(
                format!("Unknown resource type {other:?}"),
                "the mcloud provider has mcloud_template, mcloud_instance, mcloud_instance_group, mcloud_physical_machine, mcloud_machine_record, mcloud_ssh_key and mcloud_openstack_config",
            )),
        }
        diags
    }

    async fn read_resources(
        &self,
        type_name: &str,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let c = &self.client;
        match type_name {
            TEMPLATE => template::read_many(c, priors).await,
            INSTANCE => instance::read_many(c, priors).await,
            INSTANCE_GROUP => instance_group::read_many(c, priors).await,
            PHYSICAL_MACHINE => phydev::read_many(c, priors).await,
            MACHINE_RECORD => machine_record::read_many(c, priors).await,
            SSH_KEY => ssh_key::read_many(c, priors).await,
            OPENSTACK_CONFIG => Ok(priors.iter().cloned().map(Some).collect()),
            other => Err(unknown_type(other, "read")),
        }
    }

    async fn create(
        &self,
        type_name: &str,
        planned: &Value,
        op: &OperationContext,
    ) -> Result<Value, ProviderError> {
        let c = &self.client;
        match type_name {
            TEMPLATE => template::create(c, planned).await,
            INSTANCE => instance::create(c, planned, op).await,
            INSTANCE_GROUP => instance_group::create(c, planned, op_timeout(op), &op.address).await,
            PHYSICAL_MACHINE => phydev::create(c, planned, &op.address).await,
            MACHINE_RECORD => machine_record::create(c, planned).await,
            SSH_KEY => ssh_key::create(c, planned).await,
            OPENSTACK_CONFIG => openstack::apply(c, planned).await,
            other => Err(unknown_type(other, "create")),
        }
    }

    async fn update(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> Result<Value, ProviderError> {
        let c = &self.client;
        match type_name {
            INSTANCE => instance::update(c, prior, planned, op_timeout(op), &op.address).await,
            INSTANCE_GROUP => {
                instance_group::update(c, prior, planned, op_timeout(op), &op.address).await
            }
            OPENSTACK_CONFIG => openstack::apply(c, planned).await,
            TEMPLATE | SSH_KEY | PHYSICAL_MACHINE | MACHINE_RECORD => Err(ProviderError::new(
                PROVIDER,
                format!("update {type_name}"),
                format!("{type_name} cannot change in place (every argument forces replacement)"),
            )),
            other => Err(unknown_type(other, "update")),
        }
    }

    async fn delete(
        &self,
        type_name: &str,
        prior: &Value,
        _op: &OperationContext,
    ) -> Result<(), ProviderError> {
        let c = &self.client;
        match type_name {
            TEMPLATE => template::delete(c, prior).await,
            INSTANCE => instance::delete(c, prior).await,
            INSTANCE_GROUP => instance_group::delete(c, prior).await,
            PHYSICAL_MACHINE => phydev::delete(c, prior).await,
            MACHINE_RECORD => machine_record::delete(c, prior).await,
            // The API has no call to remove a key or the OpenStack settings: forgetting
            // them is all a delete can do.
            SSH_KEY | OPENSTACK_CONFIG => Ok(()),
            other => Err(unknown_type(other, "delete")),
        }
    }

    async fn read_data(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        data_sources::read(&self.client, type_name, config).await
    }

    async fn find_created(
        &self,
        type_name: &str,
        token: &str,
        planned: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        match type_name {
            INSTANCE => instance::find_created(&self.client, token, planned).await,
            _ => Ok(None),
        }
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let c = &self.client;
        match type_name {
            TEMPLATE => template::import(c, id).await,
            INSTANCE => instance::import(c, id).await,
            INSTANCE_GROUP => instance_group::import(c, id).await,
            PHYSICAL_MACHINE => phydev::import(c, id).await,
            MACHINE_RECORD => machine_record::import(c, id).await,
            other => Err(ProviderError::new(
                PROVIDER,
                format!("import {other}"),
                format!("import of {other} by id {id:?} is not supported"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("1x"), None);
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }

    #[test]
    fn endpoint_falls_back_to_environment() {
        let cfg = Value::object([
            ("endpoint", Value::Null),
            ("timeout", Value::Null),
            ("max_retries", Value::Null),
        ]);
        let s = settings_from(&cfg, Some("http://127.0.0.1:9".into())).unwrap();
        assert_eq!(s.endpoint, "http://127.0.0.1:9");
        assert_eq!(s.timeout, DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(s.max_retries, 3);
        let err = settings_from(&cfg, None).unwrap_err();
        assert!(err.message.contains(ENDPOINT_ENV), "{err}");
    }

    #[test]
    fn bad_settings_are_explained() {
        let cfg = Value::object([
            ("endpoint", Value::string("http://x")),
            ("timeout", Value::string("soon")),
        ]);
        assert!(settings_from(&cfg, None)
            .unwrap_err()
            .message
            .contains("soon"));
        let cfg = Value::object([
            ("endpoint", Value::string("http://x")),
            ("max_retries", Value::number(-1)),
        ]);
        assert!(settings_from(&cfg, None)
            .unwrap_err()
            .message
            .contains("max_retries"));
    }
}
