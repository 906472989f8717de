//! The HTTP client for the mcloud API (seed 003): envelopes, error mapping, retries and
//! correlation ids.
//!
//! Every mcloud answer is an envelope `{"code": int, "msg": string|null, "content": any,
//! "ext": any}`. Code 0 means success, except that the log endpoints answer failures with
//! code 0, a `msg` and no `content`; every other code is an error (10999 service error,
//! 11996/12996 bad input, 12997 missing parameter). Errors become [`ProviderError`]s that
//! name the operation (`POST /v1/instance`) and quote the API's code and message.
//!
//! Only idempotent calls are retried (GET, DELETE of ids, status reads): a create that
//! timed out may have happened, so repeating it blindly could make a second machine.

use crate::provider::ProviderError;
use rand::Rng;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::time::Duration;

/// The provider name used in every error.
pub const PROVIDER: &str = "mcloud";

/// The header the seed names for correlating a request with the server's log records.
pub const CORRELATION_HEADER: &str = "X-CORRELATION-ID";

/// The service-error code: retried on idempotent calls (the seed uses it for transient
/// back-end failures such as "get all instances error").
pub const CODE_SERVICE_ERROR: i64 = 10999;

/// The response envelope shared by every endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Envelope {
    pub code: i64,
    #[serde(default)]
    pub msg: Option<String>,
    #[serde(default)]
    pub content: serde_json::Value,
    #[serde(default)]
    pub ext: serde_json::Value,
}

/// Whether a call may be repeated after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads, deletes of ids, status reads: repeating them changes nothing.
    Idempotent,
    /// Creates and other calls that could act twice: sent once.
    Once,
}

/// One request to the API.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: Method,
    /// The path after the host, starting with `/v1/`, already percent-encoded.
    pub path: String,
    pub body: Option<&'a serde_json::Value>,
    pub correlation_id: Option<&'a str>,
    pub retry: Retry,
}

impl<'a> Request<'a> {
    pub fn get(path: impl Into<String>) -> Request<'a> {
        Request {
            method: Method::GET,
            path: path.into(),
            body: None,
            correlation_id: None,
            retry: Retry::Idempotent,
        }
    }

    pub fn new(method: Method, path: impl Into<String>, retry: Retry) -> Request<'a> {
        Request {
            method,
            path: path.into(),
            body: None,
            correlation_id: None,
            retry,
        }
    }

    pub fn body(mut self, body: &'a serde_json::Value) -> Request<'a> {
        self.body = Some(body);
        self
    }

    pub fn correlation(mut self, id: &'a str) -> Request<'a> {
        self.correlation_id = Some(id);
        self
    }

    /// `METHOD /path`, as errors name the operation.
    pub fn operation(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// How the client retries transient failures.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// The first back-off delay; doubled on every retry, with up to 50% random jitter.
    pub base_delay: Duration,
    /// No single back-off waits longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): exponential with jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        let base = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let jitter_ms = (base.as_millis() as u64) / 2;
        let jitter = if jitter_ms == 0 {
            0
        } else {
            rand::thread_rng().gen_range(0..=jitter_ms)
        };
        base + Duration::from_millis(jitter)
    }
}

/// A configured connection to one mcloud endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    base_url: String,
    http: reqwest::Client,
    retry: RetryPolicy,
    /// Shares instance list calls between concurrent creates.
    pub(super) instance_lists: std::sync::Arc<super::list_flight::ListFlight>,
    /// Shares instance delete calls between concurrent deletes.
    pub(super) instance_deletes: std::sync::Arc<super::delete_batch::DeleteBatch>,
}

impl Client {
    /// A client for `base_url` (`http://127.0.0.1:8080`); `timeout` bounds each request.
    pub fn new(
        base_url: &str,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Client, ProviderError> {
        let base_url = base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ProviderError::new(
                PROVIDER,
                "configure",
                format!(
                    "endpoint {base_url:?} is not an http:// or https:// URL; set endpoint = \"http://HOST:PORT\" or \"embedded\""
                ),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .build()
            .map_err(|e| {
                ProviderError::new(
                    PROVIDER,
                    "configure",
                    format!("cannot build HTTP client: {e}"),
                )
            })?;
        Ok(Client {
            base_url,
            http,
            retry,
            instance_lists: Default::default(),
            instance_deletes: Default::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends the request (retrying idempotent ones) and returns the envelope's `content`.
    pub async fn call(&self, req: &Request<'_>) -> Result<serde_json::Value, ProviderError> {
        let bytes = self.send_with_retries(req).await?;
        let env = parse_envelope(&req.operation(), bytes.status, &bytes.body)?;
        Ok(env.content)
    }

    /// Like [`Client::call`], and decodes the content into `T`.
    pub async fn call_typed<T: DeserializeOwned>(
        &self,
        req: &Request<'_>,
    ) -> Result<T, ProviderError> {
        let content = self.call(req).await?;
        decode_content(&req.operation(), content)
    }

    /// Like [`Client::call`] but returns the whole envelope (for `ext`).
    pub async fn call_envelope(&self, req: &Request<'_>) -> Result<Envelope, ProviderError> {
        let bytes = self.send_with_retries(req).await?;
        parse_envelope(&req.operation(), bytes.status, &bytes.body)
    }

    /// For endpoints that answer success with a raw body (the ssh key download) and
    /// failure with an envelope: the body as text, or the envelope's error.
    pub async fn call_raw(&self, req: &Request<'_>) -> Result<String, ProviderError> {
        let bytes = self.send_with_retries(req).await?;
        parse_raw_or_envelope(&req.operation(), bytes.status, &bytes.body)
    }

    async fn send_with_retries(&self, req: &Request<'_>) -> Result<RawResponse, ProviderError> {
        let mut attempt: u32 = 0;
        loop {
            let result = self.send_once(req).await;
            let (retryable, asked_wait) = match &result {
                Ok(raw) => (raw.is_transient(), raw.retry_after),
                Err(e) => (e.retryable, None),
            };
            if !retryable || req.retry == Retry::Once || attempt >= self.retry.max_retries {
                return result;
            }
            // A throttling server's Retry-After is honoured, within the back-off cap.
            let wait = self
                .retry
                .delay(attempt)
                .max(asked_wait.unwrap_or_default().min(self.retry.max_delay));
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn send_once(&self, req: &Request<'_>) -> Result<RawResponse, ProviderError> {
        let url = format!("{}{}", self.base_url, req.path);
        let mut builder = self
            .http
            .request(req.method.clone(), &url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(id) = req.correlation_id {
            builder = builder.header(CORRELATION_HEADER, id);
        }
        if let Some(body) = req.body {
            builder = builder.body(body.to_string());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(&req.operation(), &e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&req.operation(), &e))?;
        Ok(RawResponse {
            status,
            body: body.to_vec(),
            retry_after,
        })
    }
}

/// What came back before any interpretation.
struct RawResponse {
    status: u16,
    body: Vec<u8>,
    /// The `Retry-After` header in seconds, when the server sent one.
    retry_after: Option<Duration>,
}

impl RawResponse {
    /// 5xx, 429 and the service-error envelope are worth another try.
    fn is_transient(&self) -> bool {
        if self.status >= 500 || self.status == 429 {
            return true;
        }
        matches!(
            serde_json::from_slice::<Envelope>(&self.body),
            Ok(env) if env.code == CODE_SERVICE_ERROR
        )
    }
}

fn transport_error(operation: &str, e: &reqwest::Error) -> ProviderError {
    let what = if e.is_timeout() {
        "request timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut err = ProviderError::new(
        PROVIDER,
        operation,
        format!("{what}: {e}; check that the endpoint is reachable"),
    );
    err.retryable = e.is_timeout() || e.is_connect() || e.is_request();
    err
}

/// A new correlation id for `X-CORRELATION-ID` (the server stores log records under it).
pub fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Interprets one HTTP answer as an envelope; errors for anything but success.
pub fn parse_envelope(
    operation: &str,
    status: u16,
    body: &[u8],
) -> Result<Envelope, ProviderError> {
    let env: Envelope = match serde_json::from_slice(body) {
        Ok(env) => env,
        Err(e) => {
            let mut err = ProviderError::new(
                PROVIDER,
                operation,
                format!(
                    "the server's answer is not an mcloud envelope ({e}): {}",
                    snippet(body)
                ),
            );
            err.http_status = Some(status);
            err.retryable = status >= 500 || status == 429;
            return Err(err);
        }
    };
    if let Some(err) = envelope_error(operation, status, &env) {
        return Err(err);
    }
    if status >= 400 {
        let mut err = ProviderError::new(
            PROVIDER,
            operation,
            format!("HTTP {status} with a success envelope"),
        );
        err.http_status = Some(status);
        err.retryable = status >= 500 || status == 429;
        return Err(err);
    }
    Ok(env)
}

/// The error an envelope reports, if any: a non-zero code, or code 0 with a message and
/// no content (how the log endpoints fail).
pub fn envelope_error(operation: &str, status: u16, env: &Envelope) -> Option<ProviderError> {
    let msg = env.msg.clone().unwrap_or_default();
    let failed = env.code != 0 || (!msg.is_empty() && env.content.is_null());
    if !failed {
        return None;
    }
    Some(ProviderError {
        provider: PROVIDER.to_string(),
        operation: operation.to_string(),
        http_status: Some(status),
        code: Some(env.code.to_string()),
        message: msg,
        retryable: env.code == CODE_SERVICE_ERROR || status >= 500 || status == 429,
    })
}

/// For the ssh key download: a raw body is the key; an envelope is an error (or, if it
/// is a success envelope, its content as text).
pub fn parse_raw_or_envelope(
    operation: &str,
    status: u16,
    body: &[u8],
) -> Result<String, ProviderError> {
    if let Ok(env) = serde_json::from_slice::<Envelope>(body) {
        if let Some(err) = envelope_error(operation, status, &env) {
            return Err(err);
        }
        return Ok(match env.content {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
    }
    if status >= 400 {
        let mut err = ProviderError::new(PROVIDER, operation, snippet(body));
        err.http_status = Some(status);
        err.retryable = status >= 500 || status == 429;
        return Err(err);
    }
    Ok(String::from_utf8_lossy(body).into_owned())
}

/// Decodes an envelope's content into the typed API struct.
pub fn decode_content<T: DeserializeOwned>(
    operation: &str,
    content: serde_json::Value,
) -> Result<T, ProviderError> {
    serde_json::from_value(content).map_err(|e| {
        ProviderError::new(
            PROVIDER,
            operation,
            format!("unexpected content in the server's answer: {e}"),
        )
    })
}

/// The start of a body for error messages (bodies can be large or binary).
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_displays_code_and_message() {
        let body = br#"{"code": 12996, "msg": "Input error!", "content": null, "ext": null}"#;
        let err = parse_envelope("POST /v1/instance", 200, body).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"mcloud: POST /v1/instance: code 12996 "Input error!""#
        );
        assert!(!err.retryable);
    }

    #[test]
    fn service_error_is_retryable() {
        let body =
            br#"{"code": 10999, "msg": "get all instances error ", "content": null, "ext": null}"#;
        let err = parse_envelope("GET /v1/instance/list", 200, body).unwrap_err();
        assert!(err.retryable);
        assert_eq!(err.code.as_deref(), Some("10999"));
    }

    #[test]
    fn code_zero_with_message_and_no_content_is_an_error() {
        let body = br#"{"code": 0, "msg": "result to json error", "content": null, "ext": null}"#;
        let err = parse_envelope("GET /v1/instance/log/i-1", 200, body).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"mcloud: GET /v1/instance/log/i-1: code 0 "result to json error""#
        );
    }

    #[test]
    fn success_with_null_content_is_ok() {
        let body = br#"{"code": 0, "msg": null, "content": null, "ext": null}"#;
        assert!(parse_envelope("DELETE /v1/instance/i-1", 200, body).is_ok());
    }

    #[test]
    fn non_json_body_is_a_clear_error() {
        let err = parse_envelope("GET /v1/cluster", 502, b"<html>bad gateway</html>").unwrap_err();
        assert!(err.retryable);
        assert!(err.to_string().contains("HTTP 502"), "{err}");
        assert!(err.to_string().contains("not an mcloud envelope"), "{err}");
    }

    #[test]
    fn raw_download_passes_body_through() {
        let key = parse_raw_or_envelope(
            "GET /v1/instance/sshkey/1.2.3.4",
            200,
            b"-----BEGIN KEY-----",
        )
        .unwrap();
        assert_eq!(key, "-----BEGIN KEY-----");
        let err = parse_raw_or_envelope(
            "GET /v1/instance/sshkey/1.2.3.4",
            200,
            br#"{"code": 12997, "msg": "QuerySeter no row found", "content": null, "ext": null}"#,
        )
        .unwrap_err();
        assert_eq!(err.code.as_deref(), Some("12997"));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
        };
        assert!(p.delay(0) >= Duration::from_millis(100));
        assert!(p.delay(0) <= Duration::from_millis(150));
        assert!(p.delay(1) >= Duration::from_millis(200));
        assert!(p.delay(10) <= Duration::from_millis(600));
        assert!(p.delay(u32::MAX) <= Duration::from_millis(600));
    }

    #[test]
    fn transient_answers_are_recognised() {
        let raw = |status: u16, body: &[u8]| RawResponse {
            status,
            body: body.to_vec(),
            retry_after: None,
        };
        assert!(raw(503, b"").is_transient());
        assert!(raw(429, b"{}").is_transient());
        assert!(raw(200, br#"{"code": 10999, "msg": "x", "content": null}"#).is_transient());
        assert!(!raw(
            200,
            br#"{"code": 12996, "msg": "Input error!", "content": null}"#
        )
        .is_transient());
        assert!(!raw(200, br#"{"code": 0, "msg": null, "content": 1}"#).is_transient());
        assert!(!raw(404, b"not found").is_transient());
    }

    #[test]
    fn non_http_endpoint_is_refused() {
        let err =
            Client::new("ftp://x", Duration::from_secs(1), RetryPolicy::default()).unwrap_err();
        assert!(err.message.contains("http://"), "{err}");
    }
}
