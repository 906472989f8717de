//! The simulator's own endpoints under `/_sim/` (not part of the API): request counts
//! and log, knobs, and the clock.

use super::knobs::Knobs;
use super::simulator::Simulator;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    let bad =
        |reason: String| (StatusCode::BAD_REQUEST, Json(json!({"error": reason}))).into_response();
    let patch = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(patch)) => patch,
        Ok(_) => return bad("the body must be a JSON object of knobs".into()),
        Err(e) => return bad(format!("the body is not JSON: {e}")),
    };
    let mut merged = match serde_json::to_value(sim.knobs()) {
        Ok(Value::Object(current)) => current,
        _ => serde_json::Map::new(),
    };
    merged.extend(patch);
    let knobs: Knobs = match serde_json::from_value(Value::Object(merged)) {
        Ok(knobs) => knobs,
        Err(e) => return bad(format!("bad knobs: {e}")),
    };
    if let Err(reason) = knobs.validate() {
        return bad(reason);
    }
    sim.set_knobs(knobs.clone());
    Json(knobs).into_response()
}

/// `POST /_sim/clock/advance/:seconds`: moves the clock forward (tokens expire).
pub async fn advance_clock(
    State(sim): State<Arc<Simulator>>,
    Path(seconds): Path<u64>,
) -> StatusCode {
    sim.advance_clock(std::time::Duration::from_secs(seconds));
    StatusCode::NO_CONTENT
}
