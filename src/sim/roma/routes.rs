//! The route table: ROMA's instance list, IAM's token endpoint and `/_sim/`.

use super::knobs::{apply_knobs, not_found};
use super::simulator::Simulator;
use super::{iam, inspect, instances};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The API routes (counted, with knobs applied) plus the simulator's `/_sim/` endpoints.
pub fn router(sim: Arc<Simulator>) -> Router {
    let api = Router::new()
        .route("/v2/:project_id/instances", get(instances::list))
        .route("/v3/auth/tokens", post(iam::issue_token))
        .route_layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            apply_knobs,
        ));
    let inspection = Router::new()
        .route(
            "/_sim/requests",
            get(inspect::requests).delete(inspect::reset_requests),
        )
        .route("/_sim/log", get(inspect::log))
        .route("/_sim/knobs", get(inspect::knobs).put(inspect::set_knobs))
        .route("/_sim/clock/advance/:seconds", post(inspect::advance_clock));
    api.merge(inspection).fallback(not_found).with_state(sim)
}
