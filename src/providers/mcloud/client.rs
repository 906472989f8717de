//! The HTTP client for the mcloud API (seed 003): envelopes, error kinds and correlation
//! ids, over the shared retry loop of [`crate::provider::http`].
//!
//! Every mcloud answer is an envelope `{"code": int, "msg": string|null, "content": any,
//! "ext": any}`. Code 0 means success, except that the log endpoints answer failures with
//! code 0, a `msg` and no `content`; every other code is an error (10999 service error,
//! 11996/12996 bad input, 12997 missing parameter). Errors become [`ProviderError`]s that
//! name the operation (`POST /v1/instance`), quote the API's code and message, and carry a
//! kind (see [`error_kind`]).
//!
//! Only idempotent calls are retried on transient failures (GET, DELETE of ids, status
//! reads): a create that timed out may have happened, so repeating it blindly could make a
//! second machine. Throttled calls (HTTP 429) are retried always: they were not processed.

use super::status::StatusTable;
use crate::provider::http::{self, HttpClient};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

pub use crate::provider::http::RetryPolicy;

/// The provider name used in every error.
pub const PROVIDER: &str = "mcloud";

/// The header the seed names for correlating a request with the server's log records.
pub const CORRELATION_HEADER: &str = "X-CORRELATION-ID";

/// The service-error code: transient (the seed uses it for back-end failures such as
/// "get all instances error").
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

/// The envelope without its content: enough to tell success from failure. Reading it skips
/// over `content` without building anything (a list of a thousand machines is not decoded
/// just to read `code`).
#[derive(Debug, Deserialize)]
struct EnvelopeHead {
    code: i64,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    content: Presence,
}

/// Whether a JSON value is there and not null, read without keeping it.
#[derive(Debug, Default)]
struct Presence(bool);

impl<'de> Deserialize<'de> for Presence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: Option<serde::de::IgnoredAny> = Option::deserialize(d)?;
        Ok(Presence(v.is_some()))
    }
}

/// A success envelope whose content is decoded straight into `T` (one pass over the body).
#[derive(Deserialize)]
struct TypedEnvelope<T> {
    #[serde(default = "none")]
    content: Option<T>,
}

fn none<T>() -> Option<T> {
    None
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
    /// Stops retries when it fires (the operation's token; none for refresh reads).
    pub cancel: Option<&'a CancelToken>,
}

impl<'a> Request<'a> {
    pub fn get(path: impl Into<String>) -> Request<'a> {
        Request {
            method: Method::GET,
            path: path.into(),
            body: None,
            correlation_id: None,
            retry: Retry::Idempotent,
            cancel: None,
        }
    }

    pub fn new(method: Method, path: impl Into<String>, retry: Retry) -> Request<'a> {
        Request {
            method,
            path: path.into(),
            body: None,
            correlation_id: None,
            retry,
            cancel: None,
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

    pub fn cancel(mut self, token: &'a CancelToken) -> Request<'a> {
        self.cancel = Some(token);
        self
    }

    /// `METHOD /path`, as errors name the operation.
    pub fn operation(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A configured connection to one mcloud endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    base_url: String,
    http: HttpClient,
    status: Arc<StatusTable>,
    /// Shares instance list calls between concurrent creates.
    pub(super) instance_lists: std::sync::Arc<super::list_flight::ListFlight>,
    /// Shares instance delete calls between concurrent deletes.
    pub(super) instance_deletes: std::sync::Arc<super::delete_batch::DeleteBatch>,
    /// Creates in flight, and the machines they made: finds a lost create's machine.
    pub(super) instance_creates: std::sync::Arc<super::lost_create::CreateGate>,
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
            )
            .kind(ErrorKind::Invalid));
        }
        let http = HttpClient::new(PROVIDER, timeout, retry, Arc::new(decode_error))?;
        Ok(Client {
            base_url,
            http,
            status: Arc::new(StatusTable::default()),
            instance_lists: Default::default(),
            instance_deletes: Default::default(),
            instance_creates: Default::default(),
        })
    }

    /// Reads status codes through `table` instead of the defaults.
    pub fn with_status_table(mut self, table: StatusTable) -> Client {
        self.status = Arc::new(table);
        self
    }

    pub fn status_table(&self) -> &StatusTable {
        &self.status
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends the request (retrying as allowed) and returns the envelope's `content`.
    pub async fn call(&self, req: &Request<'_>) -> Result<serde_json::Value, ProviderError> {
        let resp = self.send(req).await?;
        let env = parse_envelope(&req.operation(), resp.status, &resp.body)?;
        Ok(env.content)
    }

    /// Like [`Client::call`], and decodes the content into `T`, straight from the body.
    pub async fn call_typed<T: DeserializeOwned>(
        &self,
        req: &Request<'_>,
    ) -> Result<T, ProviderError> {
        let resp = self.send(req).await?;
        parse_typed(&req.operation(), resp.status, &resp.body)
    }

    /// Like [`Client::call`] but returns the whole envelope (for `ext`).
    pub async fn call_envelope(&self, req: &Request<'_>) -> Result<Envelope, ProviderError> {
        let resp = self.send(req).await?;
        parse_envelope(&req.operation(), resp.status, &resp.body)
    }

    /// For endpoints that answer success with a raw body (the ssh key download) and
    /// failure with an envelope: the body as text, or the envelope's error.
    pub async fn call_raw(&self, req: &Request<'_>) -> Result<String, ProviderError> {
        let resp = self.send(req).await?;
        parse_raw_or_envelope(&req.operation(), resp.status, &resp.body)
    }

    async fn send(&self, req: &Request<'_>) -> Result<http::Response, ProviderError> {
        let url = format!("{}{}", self.base_url, req.path);
        let mut r = http::Request::new(req.method.clone(), url, req.operation())
            .idempotent(req.retry == Retry::Idempotent)
            .header("content-type", "application/json")?;
        if let Some(id) = req.correlation_id {
            r = r.header(CORRELATION_HEADER, id)?;
        }
        if let Some(body) = req.body {
            r = r.body(body.to_string().into_bytes());
        }
        let never = CancelToken::new();
        self.http.send(&r, req.cancel.unwrap_or(&never)).await
    }
}

/// The error hook of the shared HTTP client: an error envelope, or an HTTP error status;
/// `None` lets the caller read the answer (raw bodies such as key downloads included).
fn decode_error(operation: &str, resp: &http::Response) -> Option<ProviderError> {
    match serde_json::from_slice::<EnvelopeHead>(&resp.body) {
        Ok(env) => head_error(
            operation,
            resp.status,
            env.code,
            env.msg.as_deref(),
            env.content.0,
        )
        .or_else(|| {
            (resp.status >= 400).then(|| {
                status_error(
                    operation,
                    resp.status,
                    format!("HTTP {} with a success envelope", resp.status),
                )
            })
        }),
        Err(_) if resp.status >= 400 => {
            Some(status_error(operation, resp.status, snippet(&resp.body)))
        }
        Err(_) => None,
    }
}

fn status_error(operation: &str, status: u16, message: String) -> ProviderError {
    ProviderError::new(PROVIDER, operation, message)
        .status(status)
        .kind(http::kind_for_status(status))
}

/// The kind of an mcloud error: the HTTP status decides first (429 throttled, 5xx
/// transient, ...); on 2xx answers the envelope code does: 10999 is a transient service
/// error (the seed answers even a failed list with "QuerySeter no row found" under it, so
/// its message cannot mean "not found"), 11996/12996/12997 are bad input.
pub fn error_kind(status: u16, code: i64) -> ErrorKind {
    if status >= 400 {
        return http::kind_for_status(status);
    }
    match code {
        CODE_SERVICE_ERROR => ErrorKind::Transient,
        11996 | 12996 | 12997 => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    }
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
            let kind = if status >= 400 {
                http::kind_for_status(status)
            } else {
                ErrorKind::Other
            };
            return Err(ProviderError::new(
                PROVIDER,
                operation,
                format!(
                    "the server's answer is not an mcloud envelope ({e}): {}",
                    snippet(body)
                ),
            )
            .status(status)
            .kind(kind));
        }
    };
    if let Some(err) = envelope_error(operation, status, &env) {
        return Err(err);
    }
    if status >= 400 {
        return Err(status_error(
            operation,
            status,
            format!("HTTP {status} with a success envelope"),
        ));
    }
    Ok(env)
}

/// The error an envelope reports, if any: a non-zero code, or code 0 with a message and
/// no content (how the log endpoints fail).
pub fn envelope_error(operation: &str, status: u16, env: &Envelope) -> Option<ProviderError> {
    head_error(
        operation,
        status,
        env.code,
        env.msg.as_deref(),
        !env.content.is_null(),
    )
}

fn head_error(
    operation: &str,
    status: u16,
    code: i64,
    msg: Option<&str>,
    has_content: bool,
) -> Option<ProviderError> {
    let msg = msg.unwrap_or_default();
    let failed = code != 0 || (!msg.is_empty() && !has_content);
    if !failed {
        return None;
    }
    Some(ProviderError {
        provider: PROVIDER.to_string(),
        operation: operation.to_string(),
        http_status: Some(status),
        code: Some(code.to_string()),
        kind: kind_of_answer(operation, status, code, msg),
        message: msg.to_string(),
    })
}

/// The message the seed's server gives when a row it looked for does not exist (beego's ORM
/// `ErrNoRows`). The seed shows it for failed lists and expands too, so only a delete reads it
/// as "not found".
pub const NO_ROW: &str = "QuerySeter no row found";

/// [`error_kind`], except that "no row" answering a `DELETE` means the object is gone: nothing
/// to retry (a delete sent again after its answer was lost finds the row gone).
pub fn kind_of_answer(operation: &str, status: u16, code: i64, msg: &str) -> ErrorKind {
    if status < 400 && operation.starts_with("DELETE ") && msg.trim() == NO_ROW {
        return ErrorKind::NotFound;
    }
    error_kind(status, code)
}

/// One answer decoded in one pass: the envelope's head says success or failure (skipping the
/// content), then the content goes straight into `T` (`null` or absent content as JSON null).
pub fn parse_typed<T: DeserializeOwned>(
    operation: &str,
    status: u16,
    body: &[u8],
) -> Result<T, ProviderError> {
    let head: EnvelopeHead = match serde_json::from_slice(body) {
        Ok(h) => h,
        // Not an envelope: the full parser words the error.
        Err(e) => {
            return Err(match parse_envelope(operation, status, body) {
                Err(err) => err,
                Ok(_) => ProviderError::new(
                    PROVIDER,
                    operation,
                    format!("the server's answer is not an mcloud envelope ({e})"),
                ),
            })
        }
    };
    if let Some(err) = head_error(
        operation,
        status,
        head.code,
        head.msg.as_deref(),
        head.content.0,
    ) {
        return Err(err);
    }
    if status >= 400 {
        return Err(status_error(
            operation,
            status,
            format!("HTTP {status} with a success envelope"),
        ));
    }
    let unexpected = |e: serde_json::Error| {
        ProviderError::new(
            PROVIDER,
            operation,
            format!("unexpected content in the server's answer: {e}"),
        )
    };
    match serde_json::from_slice::<TypedEnvelope<T>>(body).map_err(unexpected)? {
        TypedEnvelope { content: Some(t) } => Ok(t),
        TypedEnvelope { content: None } => decode_content(operation, serde_json::Value::Null),
    }
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
        return Err(status_error(operation, status, snippet(body)));
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
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(!err.retryable());
    }

    #[test]
    fn service_error_is_retryable() {
        let body =
            br#"{"code": 10999, "msg": "get all instances error ", "content": null, "ext": null}"#;
        let err = parse_envelope("GET /v1/instance/list", 200, body).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Transient);
        assert!(err.retryable());
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
        assert_eq!(err.kind, ErrorKind::Transient);
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
    fn error_kinds_follow_status_then_code() {
        assert_eq!(error_kind(429, 10999), ErrorKind::Throttled);
        assert_eq!(error_kind(503, 0), ErrorKind::Transient);
        assert_eq!(error_kind(404, 0), ErrorKind::NotFound);
        assert_eq!(error_kind(200, 10999), ErrorKind::Transient);
        assert_eq!(error_kind(200, 12996), ErrorKind::Invalid);
        assert_eq!(error_kind(200, 11996), ErrorKind::Invalid);
        assert_eq!(error_kind(200, 12997), ErrorKind::Invalid);
        assert_eq!(error_kind(200, 4242), ErrorKind::Other);
    }

    #[test]
    fn no_row_answering_a_delete_is_not_found() {
        let del = "DELETE /v1/instance/i-1";
        assert_eq!(
            kind_of_answer(del, 200, 10999, "QuerySeter no row found"),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_of_answer("GET /v1/cluster", 200, 10999, "QuerySeter no row found"),
            ErrorKind::Transient,
            "the seed's failed list"
        );
        assert_eq!(
            kind_of_answer(del, 200, 10999, "Delete cluster err"),
            ErrorKind::Transient
        );
        assert_eq!(
            kind_of_answer(del, 429, 10999, "QuerySeter no row found"),
            ErrorKind::Throttled
        );
    }

    #[test]
    fn the_error_hook_passes_raw_bodies_and_flags_errors() {
        let resp = |status: u16, body: &[u8]| http::Response {
            status,
            headers: Default::default(),
            body: body.to_vec(),
        };
        assert!(decode_error("op", &resp(200, b"-----BEGIN KEY-----")).is_none());
        assert!(decode_error(
            "op",
            &resp(200, br#"{"code": 0, "msg": null, "content": 1}"#)
        )
        .is_none());
        let e = decode_error(
            "op",
            &resp(429, br#"{"code": 10999, "msg": "slow", "content": null}"#),
        )
        .expect("error");
        assert_eq!(e.kind, ErrorKind::Throttled);
        let e = decode_error("op", &resp(404, b"not found")).expect("error");
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = decode_error(
            "op",
            &resp(
                200,
                br#"{"code": 12996, "msg": "Input error!", "content": null}"#,
            ),
        )
        .expect("error");
        assert_eq!(e.code.as_deref(), Some("12996"));
    }

    #[test]
    fn non_http_endpoint_is_refused() {
        let err =
            Client::new("ftp://x", Duration::from_secs(1), RetryPolicy::default()).unwrap_err();
        assert!(err.message.contains("http://"), "{err}");
    }
}
