//! Test knobs (latency, late and lost answers, throttling, injected 500s, a misreported
//! `total`, token lifetime) and the middleware that applies them and counts requests.

use super::errors::{throttled, RomaError};
use super::simulator::Simulator;
use crate::sim::throttle::check_probabilities;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// A day: IAM tokens' lifetime (reference 2.3).
pub const DEFAULT_TOKEN_TTL_S: u64 = 86_400;

/// Knobs that make the simulator slow, flaky or busy. The default is a fast,
/// deterministic cloud whose tokens live a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// Delay before each API request is acted on.
    pub latency_ms: u64,
    /// Delay after a request was acted on before its answer is sent.
    pub answer_delay_ms: u64,
    /// Fraction (0..=1) of API requests answered HTTP 429 (the API gateway's
    /// `APIGW.0308`) without being processed.
    pub throttle_fraction: f64,
    /// Fraction (0..=1) of API requests answered HTTP 500 `ROMA.00011000` "System error".
    pub error_rate: f64,
    /// Fraction (0..=1) of successful answers lost: the connection breaks before the body.
    pub lose_answers: f64,
    /// Added to `total` in instance-list answers (a count that disagrees with the
    /// instances, to test clients' checks); 0 reports the truth.
    pub misreport_total: i64,
    /// Lifetime of newly issued tokens, in seconds.
    pub token_ttl_s: u64,
    /// Pages hold at most this many instances whatever `limit` asks (a service that caps
    /// `limit` silently); 0 = no cap beyond `limit`.
    pub page_cap: u64,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency_ms: 0,
            answer_delay_ms: 0,
            throttle_fraction: 0.0,
            error_rate: 0.0,
            lose_answers: 0.0,
            misreport_total: 0,
            token_ttl_s: DEFAULT_TOKEN_TTL_S,
            page_cap: 0,
        }
    }
}

impl Knobs {
    /// Checks the ranges; the error names the knob.
    pub fn validate(&self) -> Result<(), String> {
        check_probabilities(&[
            ("throttle_fraction", self.throttle_fraction),
            ("error_rate", self.error_rate),
            ("lose_answers", self.lose_answers),
        ])?;
        if self.token_ttl_s == 0 {
            return Err("token_ttl_s must be at least 1 second".into());
        }
        Ok(())
    }
}

/// `GET /v2/:project_id/instances` → `GET /v2/{project_id}/instances`, as the seed writes it.
pub fn route_key(method: &str, axum_pattern: &str) -> String {
    let seed: Vec<String> = axum_pattern
        .split('/')
        .map(|seg| match seg.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => seg.to_string(),
        })
        .collect();
    format!("{method} {}", seed.join("/"))
}

fn chance(p: f64) -> bool {
    p > 0.0 && rand::thread_rng().gen_bool(p.clamp(0.0, 1.0))
}

/// Counts and logs the request, then applies the knobs around the handler.
pub async fn apply_knobs(
    State(sim): State<Arc<Simulator>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let key = matched
        .map(|m| route_key(request.method().as_str(), m.as_str()))
        .unwrap_or_else(|| format!("{} {}", request.method(), request.uri().path()));
    sim.record_request(&key, format!("{} {}", request.method(), request.uri()));
    let knobs = sim.knobs();
    if chance(knobs.throttle_fraction) {
        return throttled();
    }
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if chance(knobs.error_rate) {
        return axum::response::IntoResponse::into_response(RomaError::system(
            "injected failure (simulator knob error_rate)",
        ));
    }
    let response = next.run(request).await;
    if knobs.answer_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.answer_delay_ms)).await;
    }
    if response.status().is_success() && chance(knobs.lose_answers) {
        let (parts, _) = response.into_parts();
        let broken = futures::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "answer lost (simulator knob lose_answers)",
            ))
        });
        return Response::from_parts(parts, axum::body::Body::from_stream(broken));
    }
    response
}

/// A path the simulated services lack: 404 in ROMA's error shape.
pub async fn not_found(request: Request) -> Response {
    let e = RomaError {
        status: StatusCode::NOT_FOUND,
        code: "APIGW.0101",
        msg: "The API does not exist or has not been published in the environment".into(),
        details: format!(
            "no such endpoint: {} {}",
            request.method(),
            request.uri().path()
        ),
    };
    axum::response::IntoResponse::into_response(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_use_the_seed_spelling_and_knobs_are_checked() {
        assert_eq!(
            route_key("GET", "/v2/:project_id/instances"),
            "GET /v2/{project_id}/instances"
        );
        let k = Knobs {
            throttle_fraction: 1.5,
            ..Knobs::default()
        };
        assert!(k.validate().unwrap_err().contains("throttle_fraction"));
        let k = Knobs {
            token_ttl_s: 0,
            ..Knobs::default()
        };
        assert!(k.validate().is_err());
    }
}
