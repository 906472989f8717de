//! The ROMA Connect client: `GET /v2/{project_id}/instances` with `X-Auth-Token`, through
//! the shared retry loop (429 and 5xx retried with back-off), and one token renewal when
//! the API refuses a token with 401.

use super::errors::decode_roma;
use super::token::{Token, TokenSource};
use super::wire::Page;
use super::PROVIDER;
use crate::provider::http::{HttpClient, Request, RetryPolicy};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use reqwest::Method;
use std::sync::Arc;
use std::time::Duration;

/// One page request: the seed's query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    pub offset: u64,
    pub limit: u64,
    pub status: Option<String>,
}

impl PageQuery {
    fn render(&self) -> String {
        let mut q = format!("offset={}&limit={}", self.offset, self.limit);
        if let Some(s) = &self.status {
            q.push_str("&status=");
            q.push_str(
                &percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            );
        }
        q
    }
}

/// A configured connection to one ROMA endpoint and project.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    /// The configured project; `None`: the token's.
    project_id: Option<String>,
    http: HttpClient,
    tokens: Arc<TokenSource>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

/// Checks that `url` is an http(s) base URL; `what` names the setting.
pub fn check_url(url: &str, what: &str) -> Result<String, ProviderError> {
    let url = url.trim_end_matches('/').to_string();
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url)
    } else {
        Err(ProviderError::new(
            PROVIDER,
            "configure",
            format!("{what} {url:?} is not an http:// or https:// URL (or \"embedded\")"),
        )
        .kind(ErrorKind::Invalid))
    }
}

impl Client {
    pub fn new(
        base_url: &str,
        project_id: Option<String>,
        tokens: Arc<TokenSource>,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Client, ProviderError> {
        let base_url = check_url(base_url, "endpoint")?;
        let credentials = tokens.credentials().clone();
        let decoder = move |op: &str, r: &crate::provider::http::Response| {
            decode_roma(op, r, Some(&credentials))
        };
        Ok(Client {
            base_url,
            project_id,
            http: HttpClient::new(PROVIDER, timeout, retry, Arc::new(decoder))?,
            tokens,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The project whose instances are listed: configured, or the token's.
    fn project_for(&self, token: &Token) -> Result<String, ProviderError> {
        match (&self.project_id, &token.project_id) {
            (Some(p), Some(t)) if p != t => Err(ProviderError::new(
                PROVIDER,
                "token",
                format!("the IAM token is scoped to project {t}, not the configured project_id {p}; fix project_id or project_name"),
            )
            .kind(ErrorKind::Invalid)),
            (Some(p), _) => Ok(p.clone()),
            (None, Some(t)) => Ok(t.clone()),
            (None, None) => Err(ProviderError::new(
                PROVIDER,
                "token",
                "the IAM token names no project; set project_id (or ROMA_PROJECT_ID)",
            )
            .kind(ErrorKind::Invalid)),
        }
    }

    async fn send_with(
        &self,
        token: &Token,
        q: &PageQuery,
        cancel: &CancelToken,
    ) -> Result<Page, ProviderError> {
        let project = self.project_for(token)?;
        let path = format!(
            "/v2/{}/instances",
            percent_encoding::utf8_percent_encode(&project, percent_encoding::NON_ALPHANUMERIC)
        );
        let operation = format!("GET {path}?{}", q.render());
        let req = Request::new(
            Method::GET,
            format!("{}{path}?{}", self.base_url, q.render()),
            operation.clone(),
        )
        .header("x-auth-token", &token.value)
        .map_err(|_| {
            ProviderError::new(
                PROVIDER,
                &operation,
                "the token is not valid in an HTTP header",
            )
            .kind(ErrorKind::Invalid)
        })?;
        let resp = self.http.send(&req, cancel).await?;
        serde_json::from_slice(&resp.body).map_err(|e| {
            ProviderError::new(
                PROVIDER,
                operation,
                format!("cannot read the instance list: {e}"),
            )
            .kind(ErrorKind::Transient)
        })
    }

    /// One page of CheckRomaInstanceListV2. A 401 with a token skyform requested renews
    /// the token (once, shared with concurrent calls) and repeats the call once.
    pub async fn list_page(
        &self,
        q: &PageQuery,
        cancel: &CancelToken,
    ) -> Result<Page, ProviderError> {
        let token = self.tokens.current(cancel).await?;
        match self.send_with(&token, q, cancel).await {
            Err(e) if e.http_status == Some(401) && self.tokens.renewable() => {
                let renewed = self
                    .tokens
                    .renew_after_rejection(&token.value, cancel)
                    .await?;
                self.send_with(&renewed, q, cancel).await
            }
            other => other,
        }
    }
}
