//! The TwoCloud provider (seed 001): a list-only cloud with one call, `GET
//! /twocloud/servers`, read through the data source `twocloud_servers` and the inventory.
//!
//! `provider "twocloud" { endpoint = "http://tcapi.twocloud.cn" | "http://HOST:PORT" |
//! "embedded", token = "...", password = "...", tenant_id = "123", region = "gz",
//! party = "qcloud" }`; each falls back to `TWOCLOUD_ENDPOINT`, `TWOCLOUD_TOKEN`,
//! `TWOCLOUD_PASSWORD`, `TWOCLOUD_TENANT_ID`, `TWOCLOUD_REGION`, `TWOCLOUD_PARTY`.
//! `"embedded"` runs the twocloud simulator in this process and, when no token is given,
//! uses its default one. See `docs/providers/twocloud.md`.

pub mod client;
pub mod inventory;
pub mod paging;
pub mod servers;
pub mod wire;

use crate::lang::{Type, Value};
use crate::provider::http::RetryPolicy;
use crate::provider::resource::{ProviderClient, Registered, TypedProviderType, Types};
use crate::provider::schema::{Attribute, ProviderSchema, Schema};
use crate::provider::{ConfigureContext, ErrorKind, ProviderError};
use async_trait::async_trait;
use client::{Client, Credentials, Defaults, PageSettings, PROVIDER};
use std::sync::Arc;
use std::time::Duration;

pub const ENDPOINT_ENV: &str = "TWOCLOUD_ENDPOINT";
pub const TOKEN_ENV: &str = "TWOCLOUD_TOKEN";
pub const PASSWORD_ENV: &str = "TWOCLOUD_PASSWORD";
pub const TENANT_ID_ENV: &str = "TWOCLOUD_TENANT_ID";
pub const REGION_ENV: &str = "TWOCLOUD_REGION";
pub const PARTY_ENV: &str = "TWOCLOUD_PARTY";
/// The API entry the seed names.
pub const DEFAULT_ENDPOINT: &str = "http://tcapi.twocloud.cn";
/// The embedded simulator's token (its documented default).
pub const EMBEDDED_TOKEN: &str = "skyform-twocloud-token";
/// Servers asked for per window when `page_size` is not set.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// Windows in flight at once when `parallel_pages` is not set.
pub const DEFAULT_PARALLEL_PAGES: usize = 4;

fn provider_block() -> Schema {
    Schema::new("TwoCloud (GET /twocloud/servers): a list-only cloud.")
        .attr(
            "endpoint",
            Attribute::optional(Type::String).describe(
                "http://tcapi.twocloud.cn (default), http://HOST:PORT, or \"embedded\"; TWOCLOUD_ENDPOINT",
            ),
        )
        .attr(
            "token",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("the basic-auth user; TWOCLOUD_TOKEN"),
        )
        .attr(
            "password",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("the basic-auth password (the seed: any string); TWOCLOUD_PASSWORD"),
        )
        .attr(
            "tenant_id",
            Attribute::optional(Type::String)
                .describe("default tenant of data sources and the inventory; TWOCLOUD_TENANT_ID"),
        )
        .attr(
            "region",
            Attribute::optional(Type::String)
                .describe("default region (gz, ...); TWOCLOUD_REGION"),
        )
        .attr(
            "party",
            Attribute::optional(Type::String)
                .describe("default access party (qcloud, ...); TWOCLOUD_PARTY"),
        )
        .attr(
            "page_size",
            Attribute::optional(Type::Number)
                .describe("servers per f/t window, 1 to 10000 (default 100)"),
        )
        .attr(
            "parallel_pages",
            Attribute::optional(Type::Number)
                .describe("windows fetched at once, 1 to 32 (default 4)"),
        )
        .attr(
            "max_retries",
            Attribute::optional(Type::Number)
                .describe("retries of throttled and failed calls, 0 to 100 (default 3)"),
        )
}

/// The data source and the inventory of twocloud.
pub fn types() -> Types<Client> {
    Types::new(PROVIDER, provider_block())
        .data_source(servers::ServersDataSource)
        .inventory(inventory::ServersInventory)
}

pub fn provider_schema() -> ProviderSchema {
    types().schema().clone()
}

/// The evaluated provider block. `Debug` hides the credentials.
#[derive(Clone, PartialEq)]
pub struct Settings {
    pub endpoint: String,
    pub credentials: Credentials,
    pub defaults: Defaults,
    pub pages: PageSettings,
    pub max_retries: u32,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("defaults", &self.defaults)
            .field("pages", &self.pages)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

fn block_str(config: &Value, name: &str) -> Option<String> {
    config
        .get_attr(name)
        .map(Value::unmarked)
        .filter(|v| !v.is_null() && !v.is_unknown())
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn block_int(config: &Value, name: &str) -> Option<i64> {
    config
        .get_attr(name)
        .map(Value::unmarked)
        .filter(|v| !v.is_null() && !v.is_unknown())
        .and_then(Value::as_i64)
}

/// Reads the provider block, then the environment (`env` looks a variable up).
pub fn settings_from(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, ProviderError> {
    let pick = |name: &str, var: &str| {
        block_str(config, name).or_else(|| {
            env(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        })
    };
    let bad = |m: String| ProviderError::new(PROVIDER, "configure", m).kind(ErrorKind::Invalid);
    let endpoint = pick("endpoint", ENDPOINT_ENV).unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let embedded = endpoint == "embedded";
    let token = match pick("token", TOKEN_ENV) {
        Some(t) => t,
        None if embedded => EMBEDDED_TOKEN.to_string(),
        None => {
            return Err(bad(format!(
                "no token: set token in the provider block or {TOKEN_ENV}"
            )))
        }
    };
    if token.contains(':') {
        return Err(bad(format!(
            "the token contains ':', which HTTP basic auth cannot carry in its user part; check token in the provider block or {TOKEN_ENV}"
        )));
    }
    let password = pick("password", PASSWORD_ENV).unwrap_or_default();
    let ranged = |name: &str, default: i64, lo: i64, hi: i64| match block_int(config, name) {
        None => Ok(default),
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        Some(n) => Err(bad(format!(
            "{name} must be between {lo} and {hi}; got {n}"
        ))),
    };
    let page_size = ranged("page_size", DEFAULT_PAGE_SIZE as i64, 1, 10_000)? as u64;
    let parallel_pages = ranged("parallel_pages", DEFAULT_PARALLEL_PAGES as i64, 1, 32)? as usize;
    let max_retries = ranged("max_retries", 3, 0, 100)? as u32;
    Ok(Settings {
        endpoint,
        credentials: Credentials { token, password },
        defaults: Defaults {
            tenant_id: pick("tenant_id", TENANT_ID_ENV),
            region: pick("region", REGION_ENV),
            party: pick("party", PARTY_ENV),
        },
        pages: PageSettings {
            page_size,
            parallel_pages,
        },
        max_retries,
    })
}

/// A configured client from settings and a base URL.
pub fn client_for(settings: &Settings, base_url: &str) -> Result<Client, ProviderError> {
    Client::new(
        base_url,
        &settings.credentials,
        settings.defaults.clone(),
        settings.pages,
        Duration::from_secs(30),
        RetryPolicy {
            max_retries: settings.max_retries,
            ..RetryPolicy::default()
        },
    )
}

/// A configured provider over `client` (for tests driving the library).
pub fn provider_with(client: Client) -> Registered<Client> {
    Registered::new(Arc::new(types()), client)
}

/// The provider type: its schema and configuration come from [`ProviderClient`] below.
pub type TwoCloudProviderType = TypedProviderType<Client>;

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
        let client = client_for(&settings, &base_url)?;
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_the_block_then_the_environment() {
        let cfg = Value::object([
            ("endpoint", Value::string("http://127.0.0.1:9")),
            ("region", Value::string("gz")),
        ]);
        let env = |v: &str| match v {
            TOKEN_ENV => Some("tok-from-env".to_string()),
            PASSWORD_ENV => Some("pw-from-env".to_string()),
            TENANT_ID_ENV => Some("123".to_string()),
            REGION_ENV => Some("bj".to_string()),
            _ => None,
        };
        let s = settings_from(&cfg, env).expect("settings");
        assert_eq!(s.credentials.token, "tok-from-env");
        assert_eq!(s.credentials.password, "pw-from-env");
        assert_eq!(s.defaults.tenant_id.as_deref(), Some("123"));
        assert_eq!(s.defaults.region.as_deref(), Some("gz"), "the block wins");
        assert_eq!(s.defaults.party, None);
        assert_eq!(s.pages.page_size, DEFAULT_PAGE_SIZE);
        assert!(!format!("{s:?}").contains("tok-from-env"));

        let err = settings_from(&cfg, |_| None).expect_err("no token");
        assert!(err.message.contains(TOKEN_ENV), "{err}");
        let embedded = Value::object([("endpoint", Value::string("embedded"))]);
        let s = settings_from(&embedded, |_| None).expect("embedded");
        assert_eq!(s.credentials.token, EMBEDDED_TOKEN);

        let cfg = Value::object([
            ("token", Value::string("very-secret")),
            ("page_size", Value::number(0)),
        ]);
        let err = settings_from(&cfg, |_| None).expect_err("bad page size");
        assert!(err.message.contains("page_size"), "{err}");
        assert!(!err.to_string().contains("very-secret"));
        let cfg = Value::object([("token", Value::string("a:b"))]);
        let err = settings_from(&cfg, |_| None).expect_err("colon");
        assert!(!err.to_string().contains("a:b"), "{err}");
    }
}
