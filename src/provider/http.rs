//! The HTTP toolkit every provider shares: one retry loop with exponential backoff and
//! jitter, `Retry-After` (seconds or an HTTP date), cancellation between attempts, error
//! decoding through a per-provider hook, and a signing hook called on every attempt.
//!
//! Retries: a failure is retried when its kind is retryable and the request is idempotent,
//! and a [`ErrorKind::Throttled`] one always (a throttled request was never processed).
//! A create that timed out may have happened, so it is not repeated blindly.
//!
//! Throttling: every attempt holds a permit of the client's [`adaptive::AdaptiveLimit`], which
//! halves the calls allowed at once on HTTP 429 and grows them by one per round of successes,
//! so a throttled cloud is called at the rate it allows instead of in a storm of retries.

pub mod adaptive;

use super::{CancelToken, ErrorKind, ProviderError};
use futures::future::BoxFuture;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Waits between attempts; tests inject one that records and returns at once.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()>;
}

/// Real time.
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// How transient failures are retried.
#[derive(Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// The first back-off delay; doubled on every retry, with up to 50% random jitter.
    pub base_delay: Duration,
    /// No back-off waits longer than this (before jitter).
    pub max_delay: Duration,
    /// A server's `Retry-After` is honoured up to this long.
    pub max_retry_after: Duration,
    /// The most requests of one client on the wire at once, and where its adaptive limit
    /// starts ([`adaptive`]): the run's `-parallelism`.
    pub max_in_flight: usize,
    pub sleeper: Arc<dyn Sleeper>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
            max_in_flight: 10,
            sleeper: Arc::new(TokioSleeper),
        }
    }
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_retry_after", &self.max_retry_after)
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

impl RetryPolicy {
    /// The back-off before retry number `attempt` (0-based): exponential with jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
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

    /// The wait before retry `attempt`: the back-off, or longer if the server asked.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let asked = retry_after.unwrap_or_default().min(self.max_retry_after);
        self.backoff(attempt).max(asked)
    }
}

/// One request, described once and sent (and signed) on every attempt.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The full URL, already percent-encoded.
    pub url: String,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    /// Repeating it cannot act twice (reads, deletes by id, setting a value).
    pub idempotent: bool,
    /// How errors name the call: `POST /v1/instance`.
    pub operation: String,
}

impl Request {
    /// GET, HEAD, PUT, DELETE and OPTIONS start idempotent; POST and PATCH do not.
    pub fn new(method: Method, url: impl Into<String>, operation: impl Into<String>) -> Self {
        let idempotent = !matches!(method, Method::POST | Method::PATCH);
        Request {
            method,
            url: url.into(),
            headers: HeaderMap::new(),
            body: None,
            idempotent,
            operation: operation.into(),
        }
    }

    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Adds a header; a name or value that is not valid HTTP is an error naming it.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, ProviderError> {
        let n = HeaderName::from_bytes(name.as_bytes());
        let v = HeaderValue::from_str(value);
        match (n, v) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
                Ok(self)
            }
            _ => Err(ProviderError::new(
                "http",
                self.operation.clone(),
                format!("header {name}: {value:?} is not valid in HTTP"),
            )
            .kind(ErrorKind::Invalid)),
        }
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }
}

/// What one attempt is about to send; a [`Signer`] may add headers.
pub struct Attempt<'a> {
    /// 0 for the first attempt.
    pub number: u32,
    pub method: &'a Method,
    pub url: &'a str,
    pub headers: &'a mut HeaderMap,
    pub body: &'a [u8],
}

/// Signs each attempt afresh (a new date and nonce every time, as JD Cloud's
/// JDCLOUD2-HMAC-SHA256 requires); called once per attempt, right before sending.
pub trait Signer: Send + Sync {
    fn sign(&self, attempt: &mut Attempt<'_>) -> Result<(), ProviderError>;
}

impl<F> Signer for F
where
    F: Fn(&mut Attempt<'_>) -> Result<(), ProviderError> + Send + Sync,
{
    fn sign(&self, attempt: &mut Attempt<'_>) -> Result<(), ProviderError> {
        self(attempt)
    }
}

/// An answer, before the provider interprets its body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The provider's reading of an answer: `None` for success, or the error with its kind.
pub trait ErrorDecoder: Send + Sync {
    fn decode(&self, operation: &str, response: &Response) -> Option<ProviderError>;
}

impl<F> ErrorDecoder for F
where
    F: Fn(&str, &Response) -> Option<ProviderError> + Send + Sync,
{
    fn decode(&self, operation: &str, response: &Response) -> Option<ProviderError> {
        self(operation, response)
    }
}

/// The kind an HTTP status suggests, for decoders with nothing more specific.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        429 => ErrorKind::Throttled,
        401 | 403 => ErrorKind::Auth,
        404 | 410 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        412 | 428 => ErrorKind::PreconditionFailed,
        408 | 500..=599 => ErrorKind::Transient,
        400..=499 => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    }
}

/// `Retry-After` as a wait: delta-seconds, or an HTTP date (a date in the past is 0).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// A configured HTTP client for one provider.
#[derive(Clone)]
pub struct HttpClient {
    provider: &'static str,
    http: reqwest::Client,
    retry: RetryPolicy,
    decoder: Arc<dyn ErrorDecoder>,
    signer: Option<Arc<dyn Signer>>,
    /// Shared by every clone: one limit per configured provider.
    limit: Arc<adaptive::AdaptiveLimit>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("provider", &self.provider)
            .field("retry", &self.retry)
            .field("signed", &self.signer.is_some())
            .finish()
    }
}

impl HttpClient {
    /// `timeout` bounds each attempt (connecting takes at most 10 s of it).
    pub fn new(
        provider: &'static str,
        timeout: Duration,
        retry: RetryPolicy,
        decoder: Arc<dyn ErrorDecoder>,
    ) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .build()
            .map_err(|e| {
                ProviderError::new(
                    provider,
                    "configure",
                    format!("cannot build HTTP client: {e}"),
                )
            })?;
        Ok(HttpClient {
            provider,
            http,
            limit: Arc::new(adaptive::AdaptiveLimit::new(retry.max_in_flight)),
            retry,
            decoder,
            signer: None,
        })
    }

    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The requests allowed on the wire at once now (lowered while the cloud throttles).
    pub fn concurrency_limit(&self) -> usize {
        self.limit.current()
    }

    /// Sends `req`, retrying as the module describes, until success, a final error or
    /// cancellation. An attempt in flight is not abandoned on cancel: its answer may be
    /// the only record of what the server did.
    pub async fn send(
        &self,
        req: &Request,
        cancel: &CancelToken,
    ) -> Result<Response, ProviderError> {
        let mut attempt: u32 = 0;
        // Until when this call has already waited (its back-off covers a `Retry-After`).
        let mut served: Option<std::time::Instant> = None;
        loop {
            if cancel.is_cancelled() {
                return Err(ProviderError::cancelled(self.provider, &req.operation));
            }
            let sleeper = &self.retry.sleeper;
            let permit = tokio::select! {
                p = self.limit.acquire(served, |d| sleeper.sleep(d)) => p,
                _ = cancel.cancelled() => {
                    return Err(ProviderError::cancelled(self.provider, &req.operation));
                }
            };
            let (err, asked) = match self.send_once(req, attempt).await? {
                Ok(resp) => match self.decoder.decode(&req.operation, &resp) {
                    None => {
                        permit.succeeded();
                        return Ok(resp);
                    }
                    Some(e) => {
                        let asked = retry_after(&resp.headers);
                        if e.kind == ErrorKind::Throttled {
                            permit.throttled(asked.map(|a| a.min(self.retry.max_retry_after)));
                        } else {
                            // Answered, if with an error: the cloud is not pushing back.
                            permit.succeeded();
                        }
                        (e, asked)
                    }
                },
                Err(e) => (e, None),
            };
            let may_retry = err.kind == ErrorKind::Throttled || (err.retryable() && req.idempotent);
            if !may_retry || attempt >= self.retry.max_retries {
                return Err(err);
            }
            let wait = self.retry.wait(attempt, asked);
            served = Some(std::time::Instant::now() + wait);
            tokio::select! {
                _ = self.retry.sleeper.sleep(wait) => {}
                _ = cancel.cancelled() => {
                    let mut e = ProviderError::cancelled(self.provider, &req.operation);
                    e.message = format!("cancelled while waiting to retry after: {err}");
                    return Err(e);
                }
            }
            attempt += 1;
        }
    }

    /// One attempt. Outer error: the request could not even be prepared (signing failed);
    /// inner error: a transport failure worth judging for retry.
    async fn send_once(
        &self,
        req: &Request,
        number: u32,
    ) -> Result<Result<Response, ProviderError>, ProviderError> {
        let mut headers = req.headers.clone();
        let body = req.body.as_deref().unwrap_or_default();
        if let Some(signer) = &self.signer {
            signer.sign(&mut Attempt {
                number,
                method: &req.method,
                url: &req.url,
                headers: &mut headers,
                body,
            })?;
        }
        let mut builder = self
            .http
            .request(req.method.clone(), &req.url)
            .headers(headers);
        if let Some(b) = &req.body {
            builder = builder.body(b.clone());
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Ok(Err(self.transport_error(&req.operation, &e))),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match response.bytes().await {
            Ok(body) => Ok(Ok(Response {
                status,
                headers,
                body: body.to_vec(),
            })),
            Err(e) => Ok(Err(self.transport_error(&req.operation, &e))),
        }
    }

    fn transport_error(&self, operation: &str, e: &reqwest::Error) -> ProviderError {
        let what = if e.is_timeout() {
            "request timed out"
        } else if e.is_connect() {
            "cannot connect"
        } else {
            "request failed"
        };
        let kind = if e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() {
            ErrorKind::Transient
        } else {
            ErrorKind::Other
        };
        ProviderError::new(
            self.provider,
            operation,
            format!("{what}: {e}; check that the endpoint is reachable"),
        )
        .kind(kind)
    }
}

#[cfg(test)]
mod tests;
