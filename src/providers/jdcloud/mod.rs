//! The JD Cloud provider (seed 004): VM instances, images, attachments and reads.
//!
//! `provider "jdcloud" { region = "cn-north-1", access_key = "...", secret_key = "...",
//! endpoint = "https://vm.jdcloud-api.com" | "http://HOST:PORT" | "embedded" }`; missing
//! credentials and region come from `JDCLOUD_ACCESS_KEY`, `JDCLOUD_SECRET_KEY`,
//! `JDCLOUD_REGION`. `"embedded"` runs the jdcloud simulator in this process (state under
//! `<work_dir>/state/sim`) and, when no keys are given, uses its default key pair.
//!
//! Every request is signed (JDCLOUD2-HMAC-SHA256, [`sign`]) on every attempt. See
//! `docs/providers/jdcloud.md` for what each resource and data source calls.

pub mod attachment;
pub mod checks;
pub mod client;
pub mod data_sources;
pub mod disk_attachment;
pub mod eip_association;
pub mod image;
pub mod image_copy;
pub mod image_share;
pub mod instance;
pub mod inventory;
pub mod nic_attachment;
pub mod ops;
pub mod plan_checks;
pub mod recovery;
pub mod sign;
pub mod values;
pub mod wire;

use crate::lang::{Type, Value};
use crate::provider::http::RetryPolicy;
use crate::provider::resource::{ProviderClient, Registered, TypedProviderType, Types};
use crate::provider::schema::{Attribute, ProviderSchema, Schema};
use crate::provider::{ConfigureContext, ErrorKind, ProviderError};
use async_trait::async_trait;
use client::{Client, PROVIDER};
use std::sync::Arc;
use std::time::Duration;

pub const ACCESS_KEY_ENV: &str = "JDCLOUD_ACCESS_KEY";
pub const SECRET_KEY_ENV: &str = "JDCLOUD_SECRET_KEY";
pub const REGION_ENV: &str = "JDCLOUD_REGION";
/// The public endpoint when none is given.
pub const DEFAULT_ENDPOINT: &str = "https://vm.jdcloud-api.com";
/// The embedded simulator's key pair (its documented defaults).
pub const EMBEDDED_ACCESS_KEY: &str = "skyform-jdcloud-ak";
pub const EMBEDDED_SECRET_KEY: &str = "skyform-jdcloud-sk";
/// The regions the API (and Terraform's provider) accepts.
pub const REGIONS: &[&str] = &["cn-north-1", "cn-south-1", "cn-east-1", "cn-east-2"];

fn provider_block() -> Schema {
    Schema::new("JD Cloud (Virtual Machines API v1).")
        .attr(
            "region",
            Attribute::optional(Type::String)
                .describe("cn-north-1, cn-south-1, cn-east-1 or cn-east-2; JDCLOUD_REGION"),
        )
        .attr(
            "access_key",
            Attribute::optional(Type::String).describe("JDCLOUD_ACCESS_KEY"),
        )
        .attr(
            "secret_key",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("JDCLOUD_SECRET_KEY"),
        )
        .attr(
            "endpoint",
            Attribute::optional(Type::String).describe(
                "https://vm.jdcloud-api.com (default), http://HOST:PORT, or \"embedded\"",
            ),
        )
        .attr(
            "max_retries",
            Attribute::optional(Type::Number)
                .describe("retries of throttled and failed calls (default 3)"),
        )
}

/// Every resource type and data source of jdcloud.
pub fn types() -> Types<Client> {
    let mut t = Types::new(PROVIDER, provider_block())
        .resource(instance::InstanceResource)
        .resource(image::ImageResource)
        .resource(image_copy::ImageCopyResource)
        .resource(image_share::ImageShareResource)
        .resource(disk_attachment::DiskAttachmentResource)
        .resource(eip_association::EipAssociationResource)
        .resource(nic_attachment::NicAttachmentResource)
        .inventory(inventory::JdcloudInventory);
    for d in data_sources::all() {
        t = t.data_source(d);
    }
    t
}

pub fn provider_schema() -> ProviderSchema {
    types().schema().clone()
}

/// The evaluated provider block.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    pub endpoint: String,
    pub max_retries: u32,
}

/// Reads the provider block, then the environment (`env` looks a variable up).
pub fn settings_from(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, ProviderError> {
    let pick = |name: &str, var: &str| {
        values::opt_str(config, name)
            .or_else(|| env(var).filter(|v| !v.trim().is_empty()))
            .map(|v| v.trim().to_string())
    };
    let endpoint = values::opt_str(config, "endpoint")
        .map(|e| e.trim().to_string())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let embedded = endpoint == "embedded";
    let region = pick("region", REGION_ENV).unwrap_or_else(|| {
        if embedded {
            "cn-north-1".to_string()
        } else {
            String::new()
        }
    });
    let bad = |m: String| ProviderError::new(PROVIDER, "configure", m).kind(ErrorKind::Invalid);
    if region.is_empty() {
        return Err(bad(format!(
            "no region: set region = \"cn-north-1\" in the provider block or {REGION_ENV}"
        )));
    }
    if !REGIONS.contains(&region.as_str()) {
        return Err(bad(format!(
            "region {region:?} is not one of {}",
            REGIONS.join(", ")
        )));
    }
    let (default_ak, default_sk) = if embedded {
        (
            Some(EMBEDDED_ACCESS_KEY.to_string()),
            Some(EMBEDDED_SECRET_KEY.to_string()),
        )
    } else {
        (None, None)
    };
    let access_key = pick("access_key", ACCESS_KEY_ENV)
        .or(default_ak)
        .ok_or_else(|| {
            bad(format!(
                "no access key: set access_key in the provider block or {ACCESS_KEY_ENV}"
            ))
        })?;
    let secret_key = pick("secret_key", SECRET_KEY_ENV)
        .or(default_sk)
        .ok_or_else(|| {
            bad(format!(
                "no secret key: set secret_key in the provider block or {SECRET_KEY_ENV}"
            ))
        })?;
    let max_retries = match values::opt_i64(config, "max_retries") {
        None => 3,
        Some(r) if (0..=100).contains(&r) => r as u32,
        Some(r) => {
            return Err(bad(format!(
                "max_retries must be between 0 and 100; got {r}"
            )))
        }
    };
    Ok(Settings {
        region,
        access_key,
        secret_key,
        endpoint,
        max_retries,
    })
}

/// The provider type: its schema and configuration come from [`ProviderClient`] below.
pub type JdCloudProviderType = TypedProviderType<Client>;

/// A configured client from settings and a base URL.
pub fn client_for(settings: &Settings, base_url: &str) -> Result<Client, ProviderError> {
    client_with_parallelism(settings, base_url, RetryPolicy::default().max_in_flight)
}

/// [`client_for`], with at most `parallelism` calls on the wire at once (the run's
/// `-parallelism`, lowered while the cloud throttles).
pub fn client_with_parallelism(
    settings: &Settings,
    base_url: &str,
    parallelism: usize,
) -> Result<Client, ProviderError> {
    Client::new(
        base_url,
        &settings.region,
        sign::Credentials {
            access_key: settings.access_key.clone(),
            secret_key: settings.secret_key.clone(),
        },
        Duration::from_secs(30),
        RetryPolicy {
            max_retries: settings.max_retries,
            max_in_flight: parallelism,
            ..RetryPolicy::default()
        },
    )
}

/// A configured provider over `client` (for tests driving the library).
pub fn provider_with(client: Client) -> Registered<Client> {
    Registered::new(Arc::new(types()), client)
}

#[async_trait]
impl ProviderClient for Client {
    const NAME: &'static str = PROVIDER;

    fn types() -> Types<Client> {
        types()
    }

    async fn configure(config: &Value, ctx: &ConfigureContext) -> Result<Client, ProviderError> {
        let settings = settings_from(config, |v| std::env::var(v).ok())?;
        let base_url = if settings.endpoint == "embedded" {
            ctx.start_embedded(PROVIDER).await?
        } else {
            settings.endpoint.clone()
        };
        let client = client_with_parallelism(&settings, &base_url, ctx.parallelism)?;
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_the_block_then_the_environment() {
        let cfg = Value::object([("endpoint", Value::string("http://127.0.0.1:9"))]);
        let env = |v: &str| match v {
            REGION_ENV => Some("cn-south-1".to_string()),
            ACCESS_KEY_ENV => Some("ak".to_string()),
            SECRET_KEY_ENV => Some("sk-secret".to_string()),
            _ => None,
        };
        let s = settings_from(&cfg, env).expect("settings");
        assert_eq!(s.region, "cn-south-1");
        assert_eq!(s.access_key, "ak");
        let err = settings_from(&cfg, |_| None).expect_err("no region");
        assert!(err.message.contains(REGION_ENV), "{err}");
        let cfg = Value::object([
            ("region", Value::string("cn-north-1")),
            ("access_key", Value::string("ak")),
            ("secret_key", Value::string("very-secret")),
            ("endpoint", Value::string("http://x")),
            ("max_retries", Value::number(500)),
        ]);
        let err = settings_from(&cfg, |_| None).expect_err("bad retries");
        assert!(!err.to_string().contains("very-secret"));
        let cfg = Value::object([("region", Value::string("mars-1"))]);
        assert!(settings_from(&cfg, env).is_err());
    }
}
