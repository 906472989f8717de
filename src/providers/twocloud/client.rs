//! The HTTP client for TwoCloud's one call, `GET /twocloud/servers` (seed 001): HTTP basic
//! auth with `{token}:{password}`, the query `tenant_id`, `region`, `party` and a window
//! `f`..`t`, over the shared retry loop of [`crate::provider::http`].
//!
//! Errors name the call with its query (never the credentials, which travel only in the
//! `Authorization` header) and the API's own `code` and `msg`:
//! - `code` other than 200 (or an HTTP status of 400 and above) is an error; its kind comes
//!   from the code when it is an HTTP-like one (401/403 auth, 429 throttled, 5xx transient),
//!   else from the HTTP status;
//! - auth failures say which settings to check (`token`/`password` or `TWOCLOUD_TOKEN`/
//!   `TWOCLOUD_PASSWORD`) without printing them;
//! - throttling and 5xx are retried by the toolkit (the call is a read).

use super::wire::{Head, ServersAnswer, VmServer, CODE_OK};
use crate::provider::http::{self, HttpClient, RetryPolicy};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use base64::Engine as _;
use reqwest::Method;
use std::sync::Arc;
use std::time::Duration;

/// The provider name used in every error.
pub const PROVIDER: &str = "twocloud";

/// The one path of the API.
pub const SERVERS_PATH: &str = "/twocloud/servers";

/// What to tell a user whose credentials were refused.
pub const AUTH_HINT: &str =
    "check token and password in the provider block (or TWOCLOUD_TOKEN and TWOCLOUD_PASSWORD)";

/// The credentials of basic auth. `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub token: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { token: <sensitive>, password: <sensitive> }")
    }
}

impl Credentials {
    /// The `Authorization` header value.
    fn header(&self) -> String {
        let pair = format!("{}:{}", self.token, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

/// Whose servers a list call reads: the three required query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub tenant_id: String,
    pub region: String,
    pub party: String,
}

/// One window of the list: servers number `f` to `t`, both included, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub f: u64,
    pub t: u64,
}

impl Window {
    /// The `k`-th window (from 1) of `size` servers.
    pub fn nth(k: u64, size: u64) -> Window {
        Window {
            f: (k - 1) * size + 1,
            t: k * size,
        }
    }

    /// How many servers the window asks for.
    pub fn len(&self) -> u64 {
        self.t + 1 - self.f
    }

    pub fn is_empty(&self) -> bool {
        self.t < self.f
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "f={} t={}", self.f, self.t)
    }
}

/// The kind an API code or HTTP status stands for.
pub fn error_kind(code: Option<i64>, http_status: u16) -> ErrorKind {
    let from_code = code
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..=599).contains(c))
        .map(http::kind_for_status);
    match from_code {
        Some(kind) => kind,
        None if http_status >= 400 => http::kind_for_status(http_status),
        None => ErrorKind::Other,
    }
}

/// Reads an answer: `None` for success (HTTP below 400 and code 200, or a body that is no
/// envelope at all, which the caller reports), or the API's error with its kind.
pub fn decode_error(operation: &str, resp: &http::Response) -> Option<ProviderError> {
    let head = Head::parse(&resp.body);
    if resp.status < 400 && head.as_ref().is_none_or(|h| h.code == CODE_OK) {
        return None;
    }
    let kind = error_kind(head.as_ref().map(|h| h.code), resp.status);
    let mut message = match &head {
        Some(h) if !h.msg.is_empty() => h.msg.clone(),
        Some(_) => "(no msg)".to_string(),
        None => {
            let shown: String = String::from_utf8_lossy(&resp.body)
                .chars()
                .take(200)
                .collect();
            format!("the answer is not the API's envelope: {shown:?}")
        }
    };
    if kind == ErrorKind::Auth {
        message = format!("{message}; {AUTH_HINT}");
    }
    let mut e = ProviderError::new(PROVIDER, operation, message)
        .status(resp.status)
        .kind(kind);
    if let Some(h) = head {
        e = e.code(h.code.to_string());
    }
    Some(e)
}

const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// A configured connection to one TwoCloud endpoint.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    authorization: Arc<str>,
    http: HttpClient,
    /// The provider block's `tenant_id`, `region` and `party` (or their variables).
    defaults: Defaults,
    /// Servers per window.
    page_size: u64,
    /// Windows in flight at once.
    parallel_pages: usize,
}

/// The provider's default scope, each part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    pub tenant_id: Option<String>,
    pub region: Option<String>,
    pub party: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("defaults", &self.defaults)
            .field("page_size", &self.page_size)
            .field("parallel_pages", &self.parallel_pages)
            .finish_non_exhaustive()
    }
}

/// How a client pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSettings {
    pub page_size: u64,
    pub parallel_pages: usize,
}

impl Client {
    pub fn new(
        base_url: &str,
        credentials: &Credentials,
        defaults: Defaults,
        pages: PageSettings,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Client, ProviderError> {
        let base_url = base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ProviderError::new(
                PROVIDER,
                "configure",
                format!(
                    "endpoint {base_url:?} is not an http:// or https:// URL; set endpoint = \"http://tcapi.twocloud.cn\", \"http://HOST:PORT\" or \"embedded\""
                ),
            )
            .kind(ErrorKind::Invalid));
        }
        let http = HttpClient::new(PROVIDER, timeout, retry, Arc::new(decode_error))?;
        Ok(Client {
            base_url,
            authorization: credentials.header().into(),
            http,
            defaults,
            page_size: pages.page_size.max(1),
            parallel_pages: pages.parallel_pages.max(1),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn defaults(&self) -> &Defaults {
        &self.defaults
    }

    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    pub fn parallel_pages(&self) -> usize {
        self.parallel_pages
    }

    /// `GET /twocloud/servers?party=..&tenant_id=..&region=..&f=..&t=..` (the seed's order):
    /// how messages name one window's call.
    pub fn describe(&self, scope: &Scope, window: Window) -> String {
        format!(
            "GET {SERVERS_PATH}?party={}&tenant_id={}&region={}&f={}&t={}",
            enc(&scope.party),
            enc(&scope.tenant_id),
            enc(&scope.region),
            window.f,
            window.t
        )
    }

    /// One window of servers, in the API's order.
    pub async fn window(
        &self,
        scope: &Scope,
        window: Window,
        cancel: &CancelToken,
    ) -> Result<Vec<VmServer>, ProviderError> {
        let operation = self.describe(scope, window);
        let path_and_query = operation.trim_start_matches("GET ");
        let url = format!("{}{path_and_query}", self.base_url);
        let req = http::Request::new(Method::GET, url, operation.clone())
            .header("authorization", &self.authorization)?
            .header("accept", "application/json")?
            .header("user-agent", "skyform-twocloud/1")?;
        let resp = self.http.send(&req, cancel).await?;
        let answer = ServersAnswer::parse(&resp.body).map_err(|e| {
            ProviderError::new(
                PROVIDER,
                operation.clone(),
                format!("cannot read the answer: {e}"),
            )
            .status(resp.status)
        })?;
        Ok(answer.vm_servers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> http::Response {
        http::Response {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn codes_and_statuses_become_kinds() {
        let op = "GET /twocloud/servers";
        assert!(decode_error(
            op,
            &response(200, r#"{"code":200,"msg":"","vm_servers":[]}"#)
        )
        .is_none());
        let e = decode_error(
            op,
            &response(401, r#"{"code":401,"msg":"Invalid token or password"}"#),
        )
        .expect("auth");
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.to_string().contains("TWOCLOUD_TOKEN"), "{e}");
        let e = decode_error(op, &response(200, r#"{"code":500,"msg":"db down"}"#)).expect("500");
        assert_eq!(e.kind, ErrorKind::Transient);
        assert_eq!(e.code.as_deref(), Some("500"));
        let e = decode_error(op, &response(429, "slow down")).expect("429");
        assert_eq!(e.kind, ErrorKind::Throttled);
        let e = decode_error(op, &response(200, r#"{"code":1001,"msg":"odd"}"#)).expect("1001");
        assert_eq!(e.kind, ErrorKind::Other);
        assert_eq!(
            e.to_string(),
            r#"twocloud: GET /twocloud/servers: code 1001 "odd""#
        );
    }

    #[test]
    fn windows_are_one_based_and_inclusive() {
        assert_eq!(Window::nth(1, 10), Window { f: 1, t: 10 });
        assert_eq!(Window::nth(3, 10), Window { f: 21, t: 30 });
        assert_eq!(Window::nth(3, 10).len(), 10);
    }

    #[test]
    fn the_header_is_basic_auth_and_debug_hides_it() {
        let c = Credentials {
            token: "tok".into(),
            password: "pw".into(),
        };
        assert_eq!(c.header(), "Basic dG9rOnB3");
        let secret = Credentials {
            token: "t0-s3cr3t".into(),
            password: "p4-s3cr3t".into(),
        };
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }
}
