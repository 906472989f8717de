//! The mcloud provider (seed 003): a multi-cloud machine API with templates ("clusters"),
//! instances, physical machines, ssh keys and catalog reads.
//!
//! `provider "mcloud" { endpoint = "http://127.0.0.1:PORT" | "embedded", timeout = "30s",
//! max_retries = 3, status_codes = { running = [3], starting = [1], stopped = [7] } }`;
//! `MCLOUD_ENDPOINT` is used when `endpoint` is unset. `"embedded"` asks the configure
//! context's embedded-cloud launcher for a simulator inside this process (state under
//! `<work_dir>/state/sim`) and talks to it over loopback HTTP like any other server.
//!
//! Each resource type and data source is registered in [`types`]; the configured provider
//! is a [`Registered`] client, so nothing here dispatches on type names.

pub mod api;
pub mod client;
pub mod data_sources;
pub mod delete_batch;
pub mod group_import;
pub mod instance;
pub mod instance_group;
pub mod inventory;
pub mod list_flight;
pub mod lost_create;
pub mod machine_record;
pub mod openstack;
pub mod phydev;
pub mod phydev_recovery;
pub mod recovery;
pub mod schema;
pub mod spec;
pub mod ssh_key;
pub mod status;
pub mod template;
pub mod values;

use crate::lang::Value;
use crate::provider::resource::{ProviderClient, Registered, TypedProviderType, Types};
use crate::provider::schema::ProviderSchema;
use crate::provider::{ConfigureContext, ErrorKind, ProviderError};
use async_trait::async_trait;
use client::{Client, RetryPolicy, PROVIDER};
use status::StatusTable;
use std::time::Duration;
use values::Obj;

/// The environment variable read when the provider block sets no endpoint.
pub const ENDPOINT_ENV: &str = "MCLOUD_ENDPOINT";
/// Per-request timeout when the provider block sets none.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every resource type and data source of mcloud.
pub fn types() -> Types<Client> {
    let mut t = Types::new(PROVIDER, schema::provider_block())
        .resource(template::TemplateResource)
        .resource(instance::InstanceResource)
        .resource(instance_group::InstanceGroupResource)
        .resource(phydev::PhysicalMachineResource)
        .resource(machine_record::MachineRecordResource)
        .resource(ssh_key::SshKeyResource)
        .resource(openstack::OpenstackConfigResource)
        .inventory(inventory::McloudInventory);
    for d in data_sources::all() {
        t = t.data_source(d);
    }
    t
}

/// Everything the provider offers.
pub fn provider_schema() -> ProviderSchema {
    types().schema().clone()
}

/// A configured mcloud provider.
pub type MCloudProvider = Registered<Client>;

/// The provider type: its schema and configuration come from [`ProviderClient`] below.
pub type MCloudProviderType = TypedProviderType<Client>;

/// The evaluated provider block.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub endpoint: String,
    pub timeout: Duration,
    pub max_retries: u32,
    pub status_codes: StatusTable,
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
            .kind(ErrorKind::Invalid)
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
            )
            .kind(ErrorKind::Invalid))
        }
    };
    let status_codes = StatusTable::from_config(o.get("status_codes"))?;
    Ok(Settings {
        endpoint: endpoint.trim().to_string(),
        timeout,
        max_retries,
        status_codes,
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
impl ProviderClient for Client {
    const NAME: &'static str = PROVIDER;

    fn types() -> Types<Client> {
        types()
    }

    async fn configure(config: &Value, ctx: &ConfigureContext) -> Result<Client, ProviderError> {
        let settings = settings_from(config, std::env::var(ENDPOINT_ENV).ok())?;
        let retry = RetryPolicy {
            max_retries: settings.max_retries,
            max_in_flight: ctx.parallelism,
            ..RetryPolicy::default()
        };
        let base_url = if settings.endpoint == "embedded" {
            ctx.start_embedded(PROVIDER).await?
        } else {
            settings.endpoint.clone()
        };
        let client = Client::new(&base_url, settings.timeout, retry)?
            .with_status_table(settings.status_codes);
        Ok(client)
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
