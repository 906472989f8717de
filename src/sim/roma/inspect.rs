//! The simulator's own endpoints under `/_sim/` (not part of the API): request counts
//! and log, knobs, and the clock.

use super::knobs::Knobs;
use super::simulator::Simulator;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /_sim/requests`: `{"METHOD /route": count}`.
pub async fn requests(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.request_counts()))
}

/// `GET /_sim/log`: `["METHOD /path?query", ...]` in arrival order.
pub async fn log(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.request_log()))
}

/// `DELETE /_sim/requests`: resets the counts and the log.
pub async fn reset_requests(State(sim): State<Arc<Simulator>>) -> StatusCode {
    sim.reset_request_counts();
    StatusCode::NO_CONTENT
}

/// `GET /_sim/knobs`.
pub async fn knobs(State(sim): State<Arc<Simulator>>) -> Json<Knobs> {
    Json(sim.knobs())
}

/// `PUT /_sim/knobs`: sets the knobs named in the body (others keep their values);
/// answers with the knobs now in force, or 400 with the reason.
pub async fn set_knobs(State(sim): State<Arc<Simulator>>, bytes: Bytes) -> Response {
    crate::sim::knob_patch::answer(
        crate::sim::knob_patch::patched(&sim.knobs(), &bytes).and_then(|knobs| {
            knobs.validate()?;
            sim.set_knobs(knobs.clone());
            Ok(knobs)
        }),
    )
}

/// `POST /_sim/clock/advance/:seconds`: moves the clock forward (tokens expire).
pub async fn advance_clock(
    State(sim): State<Arc<Simulator>>,
    Path(seconds): Path<u64>,
) -> StatusCode {
    sim.advance_clock(std::time::Duration::from_secs(seconds));
    StatusCode::NO_CONTENT
}
