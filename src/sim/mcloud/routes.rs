//! The route table: every seed endpoint, the `/_sim/` endpoints, and the
//! names requests are counted under.
//!
//! axum cannot register two parameter names at one path position, so a few
//! routes use another name than the seed; [`seed_route_key`] maps them back.

use super::envelope::{msg, Reply, SERVICE_ERROR};
use super::knobs::apply_knobs;
use super::simulator::Simulator;
use super::{
    catalog_api, counts, inspect, instances, lifecycle, logs, openstack, phydev, sshkey, templates,
};
use axum::http::{Method, StatusCode, Uri};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use std::sync::Arc;

/// (method, axum pattern, seed pattern) where the two differ.
const RENAMED: &[(&str, &str, &str)] = &[
    (
        "DELETE",
        "/v1/instance/:instanceId",
        "/v1/instance/:instanceIds",
    ),
    (
        "PUT",
        "/v1/instance/sshkey/:ip",
        "/v1/instance/sshkey/:instanceId",
    ),
    (
        "GET",
        "/v1/instance/log/:correlationId",
        "/v1/instance/log/:instanceId",
    ),
];

/// `"METHOD /seed/pattern"` for a matched axum route.
pub fn seed_route_key(method: &str, axum_pattern: &str) -> String {
    let pattern = RENAMED
        .iter()
        .find(|(m, p, _)| *m == method && *p == axum_pattern)
        .map(|(_, _, seed)| *seed)
        .unwrap_or(axum_pattern);
    format!("{method} {pattern}")
}

/// The message an injected failure (knob `error_rate`) carries: the
/// endpoint's own 10999 message from the seed.
pub fn failure_message(route_key: &str) -> &'static str {
    match route_key {
        "GET /v1/cluster" | "GET /v1/cluster/:clusterId" => msg::NO_ROW,
        "POST /v1/cluster" => msg::CREATE_CLUSTER,
        "DELETE /v1/cluster/:clusterId" => msg::DELETE_CLUSTER,
        "POST /v1/cluster/:clusterId/expand/:number" => msg::NO_ROW,
        "GET /v1/cluster/number/:hour" => msg::GET_COUNTS,
        "GET /v1/cluster/oldnumber/:time" => msg::GET_COUNTS_AT,
        "GET /v1/instance/:instanceId" => msg::GET_ONE_INSTANCE,
        "GET /v1/start/:instanceId" => msg::START,
        "GET /v1/status/:instanceId" => msg::GET_STATUS,
        "POST /v1/status" => msg::UPDATE_STATUS,
        "GET /v1/instance/list" | "GET /v1/instance/cluster/:clusterId" => msg::LIST_INSTANCES,
        "POST /v1/instance" => "Create instance err",
        "DELETE /v1/instance/:instanceIds" => "Delete instance err",
        key if key.starts_with("GET /v1/instance/log/") => msg::LOG_EMPTY,
        "GET /v1/instance/provider" => msg::NO_ROW,
        key if key.contains(":provider") => "Get backend provider info err",
        _ => "Internal server error",
    }
}

/// The mcloud API plus the simulator's `/_sim/` endpoints.
pub fn router(sim: Arc<Simulator>) -> Router {
    let api = Router::new()
        .route("/v1/cluster", get(templates::list).post(templates::create))
        .route(
            "/v1/cluster/:clusterId",
            get(templates::get).delete(templates::delete),
        )
        .route(
            "/v1/cluster/:clusterId/expand/:number",
            post(templates::expand),
        )
        .route("/v1/cluster/number/:hour", get(counts::within_hours))
        .route("/v1/cluster/oldnumber/:time", get(counts::at_time))
        .route("/v1/instance", post(instances::create))
        .route(
            "/v1/instance/:instanceId",
            get(instances::get).delete(instances::delete),
        )
        .route("/v1/start/:instanceId", get(lifecycle::start))
        .route("/v1/status/:instanceId", get(lifecycle::status))
        .route("/v1/status", post(lifecycle::set_status))
        .route(
            "/v1/instance/sshkey/:ip",
            get(sshkey::download).put(sshkey::upload),
        )
        .route("/v1/instance/provider", get(catalog_api::providers))
        .route("/v1/instance/regions/:provider", get(catalog_api::regions))
        .route(
            "/v1/instance/zones/:provider/:regionId",
            get(catalog_api::zones),
        )
        .route(
            "/v1/instance/vpc/:provider/:regionId",
            get(catalog_api::vpcs),
        )
        .route(
            "/v1/instance/subnet/:provider/:zoneId/:vpcId",
            get(catalog_api::subnets),
        )
        .route(
            "/v1/instance/type/:provider",
            get(catalog_api::instance_types),
        )
        .route(
            "/v1/instance/charge/:provider",
            get(catalog_api::charge_types),
        )
        .route(
            "/v1/instance/disk_category/:provider",
            get(catalog_api::disk_categories),
        )
        .route(
            "/v1/instance/image/:provider/:regionId",
            get(catalog_api::images),
        )
        .route(
            "/v1/instance/security_group/:provider/:regionId",
            get(catalog_api::security_groups),
        )
        .route("/v1/instance/list", get(instances::list))
        .route(
            "/v1/instance/cluster/:clusterId",
            get(instances::list_by_template),
        )
        .route(
            "/v1/instance/log/:correlationId/:instanceId",
            get(logs::by_correlation_and_instance),
        )
        .route("/v1/instance/log/:correlationId", get(logs::by_instance))
        .route(
            "/v1/instance/phydev",
            post(phydev::enter).put(phydev::upload),
        )
        .route("/v1/instance/openstack", post(openstack::configure))
        .method_not_allowed_fallback(method_not_allowed)
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
        .route("/_sim/state", get(inspect::state))
        .route("/_sim/knobs", get(inspect::knobs).put(inspect::set_knobs));
    api.merge(inspection).fallback(not_found).with_state(sim)
}

/// Paths the API lacks: HTTP 404 with an envelope naming the path.
async fn not_found(method: Method, uri: Uri) -> Reply {
    Reply::error(
        SERVICE_ERROR,
        format!("no such endpoint: {method} {}", uri.path()),
    )
    .with_status(StatusCode::NOT_FOUND)
    .with_ext(json!(
        "see docs/simulators.md for the endpoints the simulator serves"
    ))
}

/// A known path with a method it lacks: HTTP 405 with an envelope.
async fn method_not_allowed(method: Method, uri: Uri) -> Reply {
    Reply::error(
        SERVICE_ERROR,
        format!("method not allowed: {method} {}", uri.path()),
    )
    .with_status(StatusCode::METHOD_NOT_ALLOWED)
}
