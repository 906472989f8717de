//! The Huawei ROMA Connect provider (seed 002): list-only. Data source
//! `roma_instances` (CheckRomaInstanceListV2, `GET /v2/{project_id}/instances`, every
//! page) and the inventory contract; no managed resources.
//!
//! `provider "roma" { endpoint = "https://roma.cn-north-4.myhuaweicloud.com" |
//! "embedded", project_id = "...", token = "..." }`, or with `user_name`, `password`,
//! `domain_name` (and `project_name`) instead of `token` to have skyform request IAM
//! tokens (`POST /v3/auth/tokens` on `iam_endpoint`) and renew them ([`token`]). Missing
//! settings come from `ROMA_*` variables ([`settings`]). See `docs/providers/roma.md`.

pub mod client;
pub mod errors;
pub mod instances;
pub mod inventory;
pub mod paging;
pub mod settings;
pub mod token;
pub mod wire;

use crate::lang::{Type, Value};
use crate::provider::http::RetryPolicy;
use crate::provider::resource::{ProviderClient, Registered, TypedProviderType, Types};
use crate::provider::schema::{Attribute, ProviderSchema, Schema};
use crate::provider::{ConfigureContext, ProviderError};
use async_trait::async_trait;
use client::{check_url, Client};
use settings::{Credentials, EmbeddedDefaults, Settings, DEFAULT_IAM_ENDPOINT};
use std::sync::Arc;
use std::time::Duration;
use token::{Scope, TokenSource};

/// The provider name used in every error.
pub const PROVIDER: &str = "roma";

/// The embedded simulator's account (its documented defaults; `skyform sim -cloud roma`).
pub const EMBEDDED: EmbeddedDefaults<'static> = EmbeddedDefaults {
    user_name: "skyform",
    password: "skyform-roma-password",
    domain_name: "skyform",
};
/// The embedded simulator's project name (its region).
pub const EMBEDDED_PROJECT_NAME: &str = "cn-north-4";

fn provider_block() -> Schema {
    let opt = |d: &'static str| Attribute::optional(Type::String).describe(d);
    Schema::new("Huawei Cloud ROMA Connect (instance list), with IAM token authentication.")
        .attr("endpoint", opt("https://roma.{region}.myhuaweicloud.com, http://HOST:PORT, or \"embedded\"; ROMA_ENDPOINT"))
        .attr("iam_endpoint", opt("IAM base URL or \"embedded\"; default https://iam.myhuaweicloud.com (the embedded simulator when endpoint is embedded); ROMA_IAM_ENDPOINT"))
        .attr("project_id", opt("the project whose instances are listed; default the token's project; ROMA_PROJECT_ID"))
        .attr("project_name", opt("the project (region, e.g. cn-north-4) a password token is scoped to; ROMA_PROJECT_NAME"))
        .attr("token", opt("an IAM token (X-Subject-Token), used as is; ROMA_TOKEN").sensitive())
        .attr("user_name", opt("IAM user name for password authentication; ROMA_USER_NAME"))
        .attr("password", opt("IAM user's password; ROMA_PASSWORD").sensitive())
        .attr("domain_name", opt("the account (IAM domain) name; ROMA_DOMAIN_NAME"))
        .attr(
            "max_retries",
            Attribute::optional(Type::Number)
                .describe("retries of throttled (429) and failed (5xx) calls (default 3)"),
        )
}

/// The data source and the inventory of roma.
pub fn types() -> Types<Client> {
    Types::new(PROVIDER, provider_block())
        .data_source(instances::InstancesDataSource)
        .inventory(inventory::RomaInventory)
}

pub fn provider_schema() -> ProviderSchema {
    types().schema().clone()
}

/// Reads the block and the environment (`env` looks a variable up).
pub fn settings_from(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, ProviderError> {
    let mut s = settings::settings_from(config, env, &EMBEDDED)?;
    if s.endpoint == "embedded" && s.project_id.is_none() && s.project_name.is_none() {
        s.project_name = Some(EMBEDDED_PROJECT_NAME.to_string());
    }
    Ok(s)
}

/// A configured client from settings and resolved base URLs (no `embedded` left).
pub fn client_for(
    settings: &Settings,
    base_url: &str,
    iam_url: &str,
) -> Result<Client, ProviderError> {
    let timeout = Duration::from_secs(30);
    let retry = RetryPolicy {
        max_retries: settings.max_retries,
        ..RetryPolicy::default()
    };
    let scope = match (&settings.project_name, &settings.project_id) {
        (Some(n), _) => Some(Scope::ProjectName(n.clone())),
        (None, Some(i)) => Some(Scope::ProjectId(i.clone())),
        (None, None) => None,
    };
    let iam_url = match settings.credentials {
        Credentials::Password(_) => check_url(iam_url, "iam_endpoint")?,
        Credentials::Token(_) => iam_url.to_string(),
    };
    let tokens = TokenSource::new(
        settings.credentials.clone(),
        &iam_url,
        scope,
        timeout,
        retry.clone(),
    )?;
    Client::new(
        base_url,
        settings.project_id.clone(),
        tokens,
        timeout,
        retry,
    )
}

/// A configured provider over `client` (for tests driving the library).
pub fn provider_with(client: Client) -> Registered<Client> {
    Registered::new(Arc::new(types()), client)
}

/// The provider type: its schema and configuration come from [`ProviderClient`] below.
pub type RomaProviderType = TypedProviderType<Client>;

#[async_trait]
impl ProviderClient for Client {
    const NAME: &'static str = PROVIDER;

    fn types() -> Types<Client> {
        types()
    }

    async fn configure(config: &Value, ctx: &ConfigureContext) -> Result<Client, ProviderError> {
        let settings = settings_from(config, |v| std::env::var(v).ok())?;
        let needs_sim =
            settings.endpoint == "embedded" || settings.iam_endpoint.as_deref() == Some("embedded");
        let sim = if needs_sim {
            Some(ctx.start_embedded(PROVIDER).await?)
        } else {
            None
        };
        let resolve = |url: &str| match (url, &sim) {
            ("embedded", Some(base)) => base.clone(),
            _ => url.to_string(),
        };
        let base_url = resolve(&settings.endpoint);
        let iam_url = match &settings.iam_endpoint {
            Some(u) => resolve(u),
            None if settings.endpoint == "embedded" => base_url.clone(),
            None => DEFAULT_IAM_ENDPOINT.to_string(),
        };
        let client = client_for(&settings, &base_url, &iam_url)?;
        Ok(client)
    }
}
