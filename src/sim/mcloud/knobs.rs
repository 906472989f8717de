//! Test knobs (latency, late and lost answers, injected errors, throttling, transition
//! time) and the middleware that applies them and counts requests.

use super::envelope::{Reply, SERVICE_ERROR};
use super::routes::{failure_message, seed_route_key};
use super::simulator::Simulator;
use crate::sim::throttle::check_probabilities;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Knobs that make the simulator behave like a slow, flaky or busy cloud.
/// All zero (the default) is a fast, deterministic cloud.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// Delay added before answering each API request.
    pub latency_ms: u64,
    /// Probability (0..=1) that an API request fails with code 10999 and its
    /// endpoint's failure message, before it changes anything.
    pub error_rate: f64,
    /// Requests per second answered; further ones in the same second get HTTP
    /// 429. 0 = unlimited.
    pub throttle: u32,
    /// How long a new or started instance stays `starting` (1) before it is
    /// `running` (3). 0 = immediately running.
    pub transition_ms: u64,
    /// Delay after a request was acted on before its answer is sent: a real cloud makes
    /// the change at once and answers late (unlike `latency_ms`, which delays before).
    pub answer_delay_ms: u64,
    /// Probability (0..=1) that the answer to a successful POST, PUT or DELETE is lost: the
    /// change was made, then the connection breaks before the answer arrives. PUT counts
    /// because some PUTs make things (`PUT /v1/instance/phydev` records a machine).
    pub lose_answers: f64,
}

impl Knobs {
    /// Checks the ranges; the error says which knob is wrong.
    pub fn validate(&self) -> Result<(), String> {
        check_probabilities(&[
            ("error_rate", self.error_rate),
            ("lose_answers", self.lose_answers),
        ])
    }
}

/// The message of a throttled answer (HTTP 429).
pub const THROTTLED_MSG: &str = "Too many requests, please retry later";

/// Ends the request log's line of a request answered with HTTP 429.
pub const THROTTLED_LOG_MARK: &str = "-> 429";

/// Counts the request under its seed route, then applies throttle, latency
/// and error injection before the handler runs.
pub async fn apply_knobs(
    State(sim): State<Arc<Simulator>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let key = matched
        .map(|m| seed_route_key(request.method().as_str(), m.as_str()))
        .unwrap_or_else(|| format!("{} {}", request.method(), request.uri().path()));
    sim.count_request(&key);
    let line = format!("{} {}", request.method(), request.uri());
    let knobs = sim.knobs();
    if knobs.throttle > 0 {
        let admitted = {
            let mut throttle = sim.throttle.lock().unwrap_or_else(|p| p.into_inner());
            throttle.admit(knobs.throttle, Instant::now())
        };
        if !admitted {
            // Marked in the log, so a test can count how often a client was refused.
            sim.log_request(format!("{line} {THROTTLED_LOG_MARK}"));
            let mut response = Reply::error(SERVICE_ERROR, THROTTLED_MSG)
                .with_status(StatusCode::TOO_MANY_REQUESTS)
                .into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            return response;
        }
    }
    sim.log_request(line);
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if knobs.error_rate > 0.0 && rand::thread_rng().gen_bool(knobs.error_rate.clamp(0.0, 1.0)) {
        return Reply::error(SERVICE_ERROR, failure_message(&key)).into_response();
    }
    let may_lose =
        knobs.lose_answers > 0.0 && matches!(request.method().as_str(), "POST" | "PUT" | "DELETE");
    let response = next.run(request).await;
    if knobs.answer_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.answer_delay_ms)).await;
    }
    if may_lose {
        return maybe_lose(response, knobs.lose_answers).await;
    }
    response
}

/// With probability `p`, replaces a successful answer (HTTP 200, envelope code 0) by a
/// connection that breaks before the body arrives. The change it answers stays made.
async fn maybe_lose(response: Response, p: f64) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Envelopes are small; an unreadable one is passed on as an empty body.
    let bytes = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    let succeeded = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("code").and_then(serde_json::Value::as_i64))
        == Some(0);
    if succeeded && rand::thread_rng().gen_bool(p.clamp(0.0, 1.0)) {
        let broken = futures::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "answer lost (simulator knob lose_answers)",
            ))
        });
        return Response::from_parts(parts, axum::body::Body::from_stream(broken));
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_validate_error_rate() {
        let mut k = Knobs::default();
        assert!(k.validate().is_ok());
        k.error_rate = 1.5;
        assert!(k.validate().is_err());
    }
}
