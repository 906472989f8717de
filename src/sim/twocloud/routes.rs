//! The route table and the one API call, `GET /twocloud/servers`, exactly as seed 001
//! describes it: basic auth `{token}:password`, required `tenant_id`, `region` and `party`,
//! and an optional window `f`..`t` (1-based, both ends included: the seed's example asks
//! `f=1&t=10` for the first ten). Plus the `/_sim/` inspection endpoints.

use super::answer::{self, msg};
use super::knobs::Knobs;
use super::simulator::Simulator;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use rand::Rng;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The route key requests are counted under.
pub const SERVERS_ROUTE: &str = "GET /twocloud/servers";

/// The TwoCloud API plus the simulator's `/_sim/` endpoints.
pub fn router(sim: Arc<Simulator>) -> Router {
    let api = Router::new()
        .route("/twocloud/servers", get(list))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            apply_knobs,
        ));
    let inspection = Router::new()
        .route("/_sim/requests", get(requests).delete(reset_requests))
        .route("/_sim/log", get(log))
        .route("/_sim/state", get(state))
        .route("/_sim/knobs", get(knobs).put(set_knobs));
    api.merge(inspection).fallback(not_found).with_state(sim)
}

/// Counts and logs the request, then applies throttling, latency, injected failures,
/// late answers and lost answers around the handler.
async fn apply_knobs(State(sim): State<Arc<Simulator>>, request: Request, next: Next) -> Response {
    sim.record(
        SERVERS_ROUTE,
        format!("{} {}", request.method(), request.uri()),
    );
    let knobs = sim.knobs();
    let admitted = knobs.throttle == 0
        || sim
            .throttle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .admit(knobs.throttle, Instant::now());
    if !admitted || chance(knobs.throttle_rate) {
        return answer::throttled();
    }
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if chance(knobs.error_rate) {
        return answer::error(StatusCode::INTERNAL_SERVER_ERROR, msg::INTERNAL);
    }
    let response = next.run(request).await;
    if knobs.answer_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.answer_delay_ms)).await;
    }
    if chance(knobs.lose_answers) {
        return lost(response);
    }
    response
}

fn chance(p: f64) -> bool {
    p > 0.0 && rand::thread_rng().gen_bool(p.clamp(0.0, 1.0))
}

/// The answer's head, then a connection that breaks before the body.
fn lost(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    let broken = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "answer lost (simulator knob lose_answers)",
        ))
    });
    Response::from_parts(parts, axum::body::Body::from_stream(broken))
}

/// The basic-auth pair of a request, `None` when there is no readable one.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (token, password) = text.split_once(':').unwrap_or((text.as_str(), ""));
    Some((token.to_string(), password.to_string()))
}

/// The first value of a query parameter.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `f` or `t`: absent, or a whole number from 1.
fn position(pairs: &[(String, String)], name: &str) -> Result<Option<u64>, String> {
    match param(pairs, name) {
        None => Ok(None),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(format!(
                "{name} must be an integer of at least 1, got {v:?}"
            )),
        },
    }
}

/// `GET /twocloud/servers`.
async fn list(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let bad = |m: String| answer::error(StatusCode::BAD_REQUEST, &m);
    match basic_auth(&headers) {
        None if headers.contains_key(header::AUTHORIZATION) => {
            return answer::unauthorized(msg::BAD_CREDENTIALS)
        }
        None => return answer::unauthorized(msg::AUTH_REQUIRED),
        Some((token, password)) if !sim.accepts(&token, &password) => {
            return answer::unauthorized(msg::BAD_CREDENTIALS)
        }
        Some(_) => {}
    }
    let pairs = match query {
        Ok(Query(pairs)) => pairs,
        Err(e) => return bad(format!("malformed query string: {e}")),
    };
    let mut scope = Vec::new();
    for name in ["tenant_id", "region", "party"] {
        match param(&pairs, name).map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => scope.push(v),
            None => return bad(format!("{name} is required")),
        }
    }
    let (f, t) = match (position(&pairs, "f"), position(&pairs, "t")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return bad(e),
    };
    if let (Some(f), Some(t)) = (f, t) {
        if f > t {
            return bad(format!("f must not be greater than t (f={f}, t={t})"));
        }
    }
    let knobs = sim.knobs();
    let first = f.unwrap_or(1);
    let skip = usize::try_from(first - 1).unwrap_or(usize::MAX);
    let mut take = match t {
        Some(t) => usize::try_from(t - first + 1).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    if knobs.max_window > 0 {
        take = take.min(usize::try_from(knobs.max_window).unwrap_or(usize::MAX));
    }
    let mut window: Vec<Value> = sim
        .inventory()
        .window((scope[0], scope[1], scope[2]), skip, take)
        .into_iter()
        .map(|s| s.wire())
        .collect();
    if knobs.short_windows.contains(&first) {
        window.pop();
    }
    answer::servers(window)
}

/// Paths the API lacks: HTTP 404 in the API's envelope.
async fn not_found(method: Method, uri: Uri) -> Response {
    answer::error(
        StatusCode::NOT_FOUND,
        &format!("no such endpoint: {method} {}", uri.path()),
    )
}

/// The servers path with another method: HTTP 405 in the API's envelope.
async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    answer::error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method not allowed: {method} {}", uri.path()),
    )
}

/// `GET /_sim/requests`: `{"GET /twocloud/servers": count}`.
async fn requests(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.request_counts()))
}

/// `DELETE /_sim/requests`: resets the counts and the log.
async fn reset_requests(State(sim): State<Arc<Simulator>>) -> StatusCode {
    sim.reset_requests();
    StatusCode::NO_CONTENT
}

/// `GET /_sim/log`: `["GET /twocloud/servers?...", ...]` in arrival order.
async fn log(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.request_log()))
}

/// `GET /_sim/state`: the inventory, in the inventory file's format.
async fn state(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(sim.inventory().to_json())
}

/// `GET /_sim/knobs`.
async fn knobs(State(sim): State<Arc<Simulator>>) -> Json<Knobs> {
    Json(sim.knobs())
}

/// `PUT /_sim/knobs`: sets the knobs named in the body (others keep their values);
/// answers with the knobs in force, or 400 with the reason.
async fn set_knobs(State(sim): State<Arc<Simulator>>, bytes: Bytes) -> Response {
    crate::sim::knob_patch::answer(
        crate::sim::knob_patch::patched(&sim.knobs(), &bytes).and_then(|knobs| {
            knobs.validate()?;
            sim.set_knobs(knobs.clone());
            Ok(knobs)
        }),
    )
}
