//! The retry loop against a tiny scripted axum server on loopback; waits are recorded by
//! a fake sleeper, never slept.

use super::*;
use crate::provider::CancelToken;
use axum::extract::State;
use axum::http::{HeaderMap as AxHeaders, StatusCode};
use axum::response::{IntoResponse, Response as AxResponse};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Status, headers and body of one scripted answer.
type Answer = (u16, Vec<(&'static str, String)>, &'static str);

#[derive(Default)]
struct Script {
    /// Answers in order; the last one repeats.
    answers: Mutex<VecDeque<Answer>>,
    /// The `x-sig` header of every request received.
    seen: Mutex<Vec<Option<String>>>,
}

async fn answer(State(s): State<Arc<Script>>, headers: AxHeaders) -> AxResponse {
    s.seen.lock().unwrap_or_else(|e| e.into_inner()).push(
        headers
            .get("x-sig")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    );
    let (status, hdrs, body) = {
        let mut a = s.answers.lock().unwrap_or_else(|e| e.into_inner());
        if a.len() > 1 {
            a.pop_front().unwrap_or((500, vec![], "empty script"))
        } else {
            a.front().cloned().unwrap_or((500, vec![], "empty script"))
        }
    };
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response();
    for (k, v) in hdrs {
        if let Ok(v) = v.parse() {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

async fn server(answers: Vec<Answer>) -> (String, Arc<Script>) {
    let script = Arc::new(Script {
        answers: Mutex::new(answers.into()),
        seen: Mutex::new(Vec::new()),
    });
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/x"), script)
}

/// Records every wait and returns at once.
#[derive(Default)]
struct Recorder(Mutex<Vec<Duration>>);

impl Sleeper for Recorder {
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(d);
        Box::pin(async {})
    }
}

impl Recorder {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Status ≥ 400 is an error of the status's kind.
fn by_status(op: &str, r: &Response) -> Option<ProviderError> {
    (r.status >= 400).then(|| {
        ProviderError::new("t", op, String::from_utf8_lossy(&r.body))
            .status(r.status)
            .kind(kind_for_status(r.status))
    })
}

fn client(sleeper: Arc<dyn Sleeper>, max_retries: u32) -> HttpClient {
    let retry = RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
        sleeper,
        ..RetryPolicy::default()
    };
    HttpClient::new("t", Duration::from_secs(5), retry, Arc::new(by_status)).expect("client")
}

fn seen(s: &Script) -> Vec<Option<String>> {
    s.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[tokio::test]
async fn throttled_get_waits_as_retry_after_says() {
    let (url, script) = server(vec![
        (429, vec![("retry-after", "2".into())], "slow down"),
        (200, vec![], "ok"),
    ])
    .await;
    let rec = Arc::new(Recorder::default());
    let c = client(rec.clone(), 3);
    let r = c
        .send(
            &Request::new(Method::GET, &url, "GET /x"),
            &CancelToken::new(),
        )
        .await
        .expect("second attempt succeeds");
    assert_eq!(r.body, b"ok");
    assert_eq!(seen(&script).len(), 2);
    assert_eq!(rec.waits(), vec![Duration::from_secs(2)]);
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    let at = SystemTime::now() + Duration::from_secs(30);
    let (url, _script) = server(vec![
        (
            429,
            vec![("retry-after", httpdate::fmt_http_date(at))],
            "later",
        ),
        (200, vec![], "ok"),
    ])
    .await;
    let rec = Arc::new(Recorder::default());
    client(rec.clone(), 3)
        .send(
            &Request::new(Method::GET, &url, "GET /x"),
            &CancelToken::new(),
        )
        .await
        .expect("ok");
    let w = rec.waits();
    assert_eq!(w.len(), 1);
    // Whole seconds in the header: between 28 and 30 s from now.
    assert!(
        w[0] >= Duration::from_secs(28) && w[0] <= Duration::from_secs(30),
        "{w:?}"
    );
}

#[tokio::test]
async fn a_create_is_not_repeated_on_5xx_but_is_on_429() {
    let (url, script) = server(vec![(503, vec![], "busy")]).await;
    let rec = Arc::new(Recorder::default());
    let err = client(rec.clone(), 3)
        .send(
            &Request::new(Method::POST, &url, "POST /x"),
            &CancelToken::new(),
        )
        .await
        .expect_err("503");
    assert_eq!(err.kind, ErrorKind::Transient);
    assert_eq!(err.http_status, Some(503));
    assert_eq!(seen(&script).len(), 1, "a POST is sent once");

    let (url, script) = server(vec![(429, vec![], "slow"), (201, vec![], "made")]).await;
    let r = client(rec.clone(), 3)
        .send(
            &Request::new(Method::POST, &url, "POST /x"),
            &CancelToken::new(),
        )
        .await
        .expect("throttled POST retried");
    assert_eq!(r.status, 201);
    assert_eq!(seen(&script).len(), 2);
}

#[tokio::test]
async fn idempotent_calls_retry_transient_failures_up_to_the_limit() {
    let (url, script) = server(vec![(502, vec![], "bad gateway")]).await;
    let rec = Arc::new(Recorder::default());
    let err = client(rec.clone(), 2)
        .send(
            &Request::new(Method::GET, &url, "GET /x"),
            &CancelToken::new(),
        )
        .await
        .expect_err("always 502");
    assert_eq!(err.kind, ErrorKind::Transient);
    assert_eq!(seen(&script).len(), 3, "first attempt + 2 retries");
    assert_eq!(rec.waits().len(), 2);
    // Not retryable at all: one attempt even for a GET.
    let (url, script) = server(vec![(404, vec![], "no such thing")]).await;
    let err = client(rec, 2)
        .send(
            &Request::new(Method::GET, &url, "GET /x"),
            &CancelToken::new(),
        )
        .await
        .expect_err("404");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(seen(&script).len(), 1);
}

#[tokio::test]
async fn every_attempt_is_signed_afresh() {
    let (url, script) = server(vec![
        (503, vec![], "busy"),
        (429, vec![], "slow"),
        (200, vec![], "ok"),
    ])
    .await;
    let calls = Arc::new(AtomicU32::new(0));
    let signer = {
        let calls = calls.clone();
        move |a: &mut Attempt<'_>| -> Result<(), ProviderError> {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            assert_eq!(n, a.number, "called once per attempt, in order");
            let nonce = format!("{}-{}", a.number, uuid::Uuid::new_v4());
            if let Ok(v) = HeaderValue::from_str(&nonce) {
                a.headers.insert("x-sig", v);
            }
            Ok(())
        }
    };
    let c = client(Arc::new(Recorder::default()), 3).with_signer(Arc::new(signer));
    c.send(
        &Request::new(Method::GET, &url, "GET /x"),
        &CancelToken::new(),
    )
    .await
    .expect("third attempt");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let sigs: Vec<String> = seen(&script).into_iter().flatten().collect();
    assert_eq!(sigs.len(), 3, "each request carried its signature");
    let mut unique = sigs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "fresh values every attempt: {sigs:?}");
    assert!(sigs[0].starts_with("0-") && sigs[2].starts_with("2-"));
}

#[tokio::test]
async fn a_signing_failure_stops_before_sending() {
    let (url, script) = server(vec![(200, vec![], "ok")]).await;
    let signer = |_: &mut Attempt<'_>| -> Result<(), ProviderError> {
        Err(ProviderError::new("t", "sign", "no key").kind(ErrorKind::Auth))
    };
    let err = client(Arc::new(Recorder::default()), 3)
        .with_signer(Arc::new(signer))
        .send(
            &Request::new(Method::GET, &url, "GET /x"),
            &CancelToken::new(),
        )
        .await
        .expect_err("unsigned");
    assert_eq!(err.kind, ErrorKind::Auth);
    assert!(seen(&script).is_empty());
}

#[tokio::test]
async fn cancellation_stops_the_retry_loop() {
    let (url, script) = server(vec![(503, vec![], "busy")]).await;
    // Real sleeps of an hour: only cancellation can end this promptly.
    let retry = RetryPolicy {
        max_retries: 5,
        base_delay: Duration::from_secs(3600),
        max_delay: Duration::from_secs(3600),
        ..RetryPolicy::default()
    };
    let c =
        HttpClient::new("t", Duration::from_secs(5), retry, Arc::new(by_status)).expect("client");
    let token = CancelToken::new();
    let task = tokio::spawn({
        let token = token.clone();
        async move {
            c.send(&Request::new(Method::GET, &url, "GET /x"), &token)
                .await
        }
    });
    while seen(&script).is_empty() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    token.cancel();
    let err = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("ended promptly")
        .expect("joined")
        .expect_err("cancelled");
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(err.message.contains("HTTP 503"), "{err}");
    assert_eq!(seen(&script).len(), 1);
    // Already cancelled: nothing is sent.
    let (url, script) = server(vec![(200, vec![], "ok")]).await;
    let err = client(Arc::new(Recorder::default()), 1)
        .send(&Request::new(Method::GET, &url, "GET /x"), &token)
        .await
        .expect_err("cancelled");
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(seen(&script).is_empty());
}

#[test]
fn backoff_grows_and_is_capped() {
    let p = RetryPolicy {
        max_retries: 5,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(400),
        ..RetryPolicy::default()
    };
    assert!(p.backoff(0) >= Duration::from_millis(100));
    assert!(p.backoff(0) <= Duration::from_millis(150));
    assert!(p.backoff(1) >= Duration::from_millis(200));
    assert!(p.backoff(10) <= Duration::from_millis(600));
    assert!(p.backoff(u32::MAX) <= Duration::from_millis(600));
    // A server's Retry-After wins over a shorter back-off, up to max_retry_after.
    assert_eq!(
        p.wait(0, Some(Duration::from_secs(3))),
        Duration::from_secs(3)
    );
    assert_eq!(
        p.wait(0, Some(Duration::from_secs(3600))),
        Duration::from_secs(60)
    );
}

#[test]
fn statuses_map_to_kinds() {
    assert_eq!(kind_for_status(429), ErrorKind::Throttled);
    assert_eq!(kind_for_status(503), ErrorKind::Transient);
    assert_eq!(kind_for_status(401), ErrorKind::Auth);
    assert_eq!(kind_for_status(404), ErrorKind::NotFound);
    assert_eq!(kind_for_status(409), ErrorKind::Conflict);
    assert_eq!(kind_for_status(412), ErrorKind::PreconditionFailed);
    assert_eq!(kind_for_status(400), ErrorKind::Invalid);
}
