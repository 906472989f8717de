//! The HTTP client for the JD Cloud VM API (reference Part 1): every request signed with
//! JDCLOUD2-HMAC-SHA256 afresh on each attempt (new date and nonce, inside the shared retry
//! loop of [`crate::provider::http`]), action paths' colons percent-encoded as the SDKs
//! send them, the `{requestId, result | error{code,status,message}}` envelope decoded, and
//! the API's errors turned into [`ProviderError`]s with a kind:
//!
//! - 400 FAILED_PRECONDITION: [`ErrorKind::PreconditionFailed`] (wrong state, task running);
//!   callers retry it while a transition they started is still under way;
//! - 404 NOT_FOUND: [`ErrorKind::NotFound`] (a delete treats it as gone);
//! - 429 (RATE_LIMIT, QUOTA_EXCEEDED): RATE_LIMIT is [`ErrorKind::Throttled`] (retried with
//!   back-off and `Retry-After`); QUOTA_EXCEEDED is [`ErrorKind::Invalid`] (waiting cannot
//!   raise a quota);
//! - 5xx: [`ErrorKind::Transient`] (retried for idempotent calls);
//! - the rest: reported at once.
//!
//! Messages carry the API's `code`, `status` and `message`, never the secret key.

use super::sign::{self, Credentials};
use crate::provider::http::{self, Attempt, HttpClient, RetryPolicy};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The provider name used in every error.
pub const PROVIDER: &str = "jdcloud";

/// Items per page for every paged list (the API's maximum).
pub const PAGE_SIZE: usize = 100;

/// The error object of a failed answer.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct ApiError {
    pub code: i64,
    pub status: String,
    pub message: String,
}

/// The response envelope.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Envelope {
    pub request_id: String,
    pub result: Option<serde_json::Value>,
    pub error: Option<ApiError>,
}

/// The kind of an API error: from the status name first, the HTTP code otherwise.
pub fn error_kind(http_status: u16, status: &str) -> ErrorKind {
    match status {
        "FAILED_PRECONDITION" => ErrorKind::PreconditionFailed,
        "NOT_FOUND" => ErrorKind::NotFound,
        "RATE_LIMIT" => ErrorKind::Throttled,
        "QUOTA_EXCEEDED" | "INVALID_ARGUMENT" | "OUT_OF_RANGE" => ErrorKind::Invalid,
        "UNAUTHENTICATED" | "HTTP_FORBIDDEN" | "PERMISSION_DENIED" => ErrorKind::Auth,
        "ALREADY_EXISTS" | "ABORTED" => ErrorKind::Conflict,
        "CANCELLED" => ErrorKind::Cancelled,
        _ => http::kind_for_status(http_status),
    }
}

/// Reads an answer: `None` for success, or the API's error with its kind.
pub fn decode_error(operation: &str, resp: &http::Response) -> Option<ProviderError> {
    let env: Option<Envelope> = serde_json::from_slice(&resp.body).ok();
    let api_error = env.as_ref().and_then(|e| e.error.clone());
    if resp.status < 400 && api_error.is_none() {
        return None;
    }
    let e = api_error.unwrap_or_else(|| ApiError {
        code: i64::from(resp.status),
        status: String::new(),
        message: String::from_utf8_lossy(&resp.body)
            .chars()
            .take(300)
            .collect(),
    });
    let status = if e.status.is_empty() {
        "UNKNOWN".to_string()
    } else {
        e.status.clone()
    };
    let http_status = if resp.status >= 400 {
        resp.status
    } else {
        u16::try_from(e.code).unwrap_or(500)
    };
    Some(
        ProviderError::new(PROVIDER, operation, e.message.clone())
            .status(http_status)
            .code(format!("{} {status}", e.code))
            .kind(error_kind(http_status, &status)),
    )
}

/// One filter of a describe call: `filters.N.name`, `filters.N.values.M`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

impl Filter {
    pub fn new(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
        Filter {
            name: name.to_string(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }
}

/// A query string builder (values percent-encoded, spaces as `%20`).
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    pub fn add(mut self, name: &str, value: impl Into<String>) -> Query {
        self.0.push((name.to_string(), value.into()));
        self
    }

    pub fn list(mut self, name: &str, values: &[String]) -> Query {
        for (i, v) in values.iter().enumerate() {
            self.0.push((format!("{name}.{}", i + 1), v.clone()));
        }
        self
    }

    pub fn filters(mut self, filters: &[Filter]) -> Query {
        for (i, f) in filters.iter().enumerate() {
            self.0
                .push((format!("filters.{}.name", i + 1), f.name.clone()));
            for (j, v) in f.values.iter().enumerate() {
                self.0
                    .push((format!("filters.{}.values.{}", i + 1, j + 1), v.clone()));
            }
        }
        self
    }

    pub fn render(&self) -> String {
        let mut pairs = self.0.clone();
        pairs.sort();
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one query item or path segment.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// A configured connection to one JD Cloud endpoint and region.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    region: String,
    http: HttpClient,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// The service a path belongs to, for the signature's scope.
fn service_of(path: &str) -> &'static str {
    let rest = path.split('?').next().unwrap_or(path);
    if rest.contains("/subnets")
        || rest.contains("/networkInterfaces")
        || rest.contains("/elasticIps")
        || rest.contains("/vpcs")
        || rest.contains("/networkSecurityGroups")
    {
        "vpc"
    } else if rest.contains("/disks") {
        "disk"
    } else {
        "vm"
    }
}

/// Signs one attempt: a fresh date and nonce every time.
fn sign_attempt(creds: &Credentials, attempt: &mut Attempt<'_>) -> Result<(), ProviderError> {
    let host = sign::host_header(attempt.url).map_err(|e| {
        ProviderError::new(PROVIDER, attempt.url.to_string(), e.to_string())
            .kind(ErrorKind::Invalid)
    })?;
    let mut to_sign: Vec<(String, String)> = vec![("host".into(), host)];
    for (name, value) in attempt.headers.iter() {
        if let Ok(v) = value.to_str() {
            to_sign.push((name.as_str().to_string(), v.to_string()));
        }
    }
    let path = reqwest::Url::parse(attempt.url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let req = sign::Request {
        method: attempt.method.as_str(),
        url: attempt.url,
        headers: &to_sign,
        body: attempt.body,
        service: service_of(&path),
    };
    let nonce = uuid::Uuid::new_v4().to_string();
    let added = sign::sign(&req, creds, chrono::Utc::now(), &nonce).map_err(|e| {
        ProviderError::new(PROVIDER, attempt.url.to_string(), e.to_string())
            .kind(ErrorKind::Invalid)
    })?;
    for (name, value) in added {
        let (Ok(n), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_str(&value),
        ) else {
            return Err(ProviderError::new(
                PROVIDER,
                attempt.url.to_string(),
                format!("signature header {name} is not valid HTTP"),
            ));
        };
        attempt.headers.insert(n, v);
    }
    Ok(())
}

/// One call: the operation name (for messages), method, path after `/v1/regions/{r}`.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The API operation name: `stopInstance`.
    pub name: &'static str,
    pub method: Method,
    /// After `/v1/regions/{regionId}`: `/instances/i-1:stopInstance` (raw; encoded here).
    pub path: String,
    pub query: Query,
    pub body: Option<serde_json::Value>,
    /// Repeating it cannot act twice.
    pub idempotent: bool,
    pub cancel: Option<&'a CancelToken>,
}

impl<'a> Call<'a> {
    pub fn get(name: &'static str, path: impl Into<String>) -> Call<'a> {
        Call {
            name,
            method: Method::GET,
            path: path.into(),
            query: Query::new(),
            body: None,
            idempotent: true,
            cancel: None,
        }
    }

    pub fn post(name: &'static str, path: impl Into<String>, body: serde_json::Value) -> Call<'a> {
        Call {
            name,
            method: Method::POST,
            path: path.into(),
            query: Query::new(),
            body: Some(body),
            idempotent: false,
            cancel: None,
        }
    }

    pub fn delete(name: &'static str, path: impl Into<String>) -> Call<'a> {
        Call {
            name,
            method: Method::DELETE,
            path: path.into(),
            query: Query::new(),
            body: None,
            idempotent: true,
            cancel: None,
        }
    }

    pub fn query(mut self, q: Query) -> Call<'a> {
        self.query = q;
        self
    }

    pub fn idempotent(mut self, yes: bool) -> Call<'a> {
        self.idempotent = yes;
        self
    }

    pub fn cancel(mut self, token: &'a CancelToken) -> Call<'a> {
        self.cancel = Some(token);
        self
    }
}

impl Client {
    pub fn new(
        base_url: &str,
        region: &str,
        credentials: Credentials,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Client, ProviderError> {
        let base_url = base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ProviderError::new(
                PROVIDER,
                "configure",
                format!(
                    "endpoint {base_url:?} is not an http:// or https:// URL; set endpoint = \"https://vm.jdcloud-api.com\", \"http://HOST:PORT\" or \"embedded\""
                ),
            )
            .kind(ErrorKind::Invalid));
        }
        let creds = Arc::new(credentials);
        let signer = move |a: &mut Attempt<'_>| sign_attempt(&creds, a);
        let http = HttpClient::new(PROVIDER, timeout, retry, Arc::new(decode_error))?
            .with_signer(Arc::new(signer));
        Ok(Client {
            base_url,
            region: region.to_string(),
            http,
        })
    }

    /// The same client for another region (`""`: this one).
    pub fn in_region(&self, region: &str) -> Client {
        let mut c = self.clone();
        if !region.is_empty() {
            c.region = region.to_string();
        }
        c
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `createInstances POST /v1/regions/r/instances` as messages name a call.
    pub fn describe(&self, call: &Call<'_>) -> String {
        format!(
            "{} {} /v1/regions/{}{}",
            call.name, call.method, self.region, call.path
        )
    }

    /// Sends the call and returns the envelope's `result` (`{}` when absent).
    pub async fn call(&self, call: &Call<'_>) -> Result<serde_json::Value, ProviderError> {
        let raw_path = format!("/v1/regions/{}{}", enc(&self.region), call.path);
        let path = sign::encode_path(&raw_path);
        let q = call.query.render();
        let url = if q.is_empty() {
            format!("{}{path}", self.base_url)
        } else {
            format!("{}{path}?{q}", self.base_url)
        };
        let operation = self.describe(call);
        let mut req = http::Request::new(call.method.clone(), url, operation.clone())
            .idempotent(call.idempotent)
            .header("content-type", "application/json")?
            .header("user-agent", "skyform-jdcloud/1 vm/1.6.1")?;
        if let Some(body) = &call.body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                ProviderError::new(
                    PROVIDER,
                    operation.clone(),
                    format!("cannot encode body: {e}"),
                )
            })?;
            req = req.body(bytes);
        }
        let never = CancelToken::new();
        let resp = self.http.send(&req, call.cancel.unwrap_or(&never)).await?;
        let env: Envelope = serde_json::from_slice(&resp.body).map_err(|e| {
            ProviderError::new(
                PROVIDER,
                operation.clone(),
                format!("the answer is not the API's JSON envelope: {e}"),
            )
            .kind(ErrorKind::Transient)
        })?;
        Ok(env
            .result
            .unwrap_or_else(|| serde_json::Value::Object(Default::default())))
    }

    /// Like [`Client::call`], decoding `result` into `T`.
    pub async fn call_typed<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<T, ProviderError> {
        let result = self.call(call).await?;
        decode(&self.describe(call), result)
    }

    /// Every page of a paged list (`pageNumber`, `pageSize` 100): items under `key`.
    pub async fn all_pages<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        key: &str,
    ) -> Result<Vec<T>, ProviderError> {
        let mut out = Vec::new();
        let mut page = 1usize;
        loop {
            let c = call.clone().query(
                call.query
                    .clone()
                    .add("pageNumber", page.to_string())
                    .add("pageSize", PAGE_SIZE.to_string()),
            );
            let result = self.call(&c).await?;
            let total = result
                .get("totalCount")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0) as usize;
            let items = result
                .get(key)
                .cloned()
                .unwrap_or(serde_json::Value::Array(Vec::new()));
            let items: Vec<T> = decode(&self.describe(&c), items)?;
            let n = items.len();
            out.extend(items);
            if n == 0 || out.len() >= total || n < PAGE_SIZE {
                return Ok(out);
            }
            page += 1;
        }
    }
}

/// Decodes a `result` (or part of one) into `T`; errors name the call.
pub fn decode<T: DeserializeOwned>(
    operation: &str,
    value: serde_json::Value,
) -> Result<T, ProviderError> {
    let value = if value.is_null() {
        serde_json::Value::Object(Default::default())
    } else {
        strip_nulls(value)
    };
    serde_json::from_value(value).map_err(|e| {
        ProviderError::new(PROVIDER, operation, format!("cannot read the answer: {e}"))
    })
}

/// Drops `null` members (the API may send `null` for any absent field; the wire structs
/// default absent ones).
pub fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        serde_json::Value::Array(xs) => {
            serde_json::Value::Array(xs.into_iter().map(strip_nulls).collect())
        }
        other => other,
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
    fn api_errors_keep_code_status_and_message() {
        let e = decode_error(
            "resizeInstance POST /x",
            &response(
                400,
                r#"{"requestId":"r","error":{"code":400,"status":"FAILED_PRECONDITION","message":"instance i-1 is running"}}"#,
            ),
        )
        .expect("error");
        assert_eq!(e.kind, ErrorKind::PreconditionFailed);
        let text = e.to_string();
        assert!(text.contains("400 FAILED_PRECONDITION"), "{text}");
        assert!(text.contains("instance i-1 is running"), "{text}");
        let e = decode_error(
            "x",
            &response(
                429,
                r#"{"requestId":"r","error":{"code":429,"status":"RATE_LIMIT","message":"slow"}}"#,
            ),
        )
        .expect("error");
        assert_eq!(e.kind, ErrorKind::Throttled);
        let e = decode_error(
            "x",
            &response(
                429,
                r#"{"requestId":"r","error":{"code":429,"status":"QUOTA_EXCEEDED","message":"Quota exceeded"}}"#,
            ),
        )
        .expect("error");
        assert_eq!(e.kind, ErrorKind::Invalid);
        let e = decode_error("x", &response(503, "gateway down")).expect("error");
        assert_eq!(e.kind, ErrorKind::Transient);
        assert!(decode_error("x", &response(200, r#"{"requestId":"r","result":{}}"#)).is_none());
    }

    #[test]
    fn queries_encode_filters_one_based() {
        let q = Query::new()
            .filters(&[Filter::new("instanceId", ["i-a", "i-b"])])
            .add("pageNumber", "1");
        assert_eq!(
            q.render(),
            "filters.1.name=instanceId&filters.1.values.1=i-a&filters.1.values.2=i-b&pageNumber=1"
        );
        assert_eq!(Query::new().add("name", "a b/c").render(), "name=a%20b%2Fc");
    }

    #[test]
    fn services_follow_the_path() {
        assert_eq!(service_of("/v1/regions/r/instances/i-1:stopInstance"), "vm");
        assert_eq!(service_of("/v1/regions/r/elasticIps/fip-1"), "vpc");
        assert_eq!(service_of("/v1/regions/r/disks"), "disk");
    }
}
