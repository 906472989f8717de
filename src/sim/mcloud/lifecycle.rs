//! Starting instances and reading or setting their status.

use super::body;
use super::envelope::{msg, Reply, INPUT_ERROR, MISSING_PARAMETER, SERVICE_ERROR};
use super::instances::{committed, required_param, starting_status};
use super::simulator::Simulator;
use super::status::InstanceStatus;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /v1/start/:instanceId`: a stopped instance goes through `starting`
/// (for `transition_ms`) to `running`; starting a running one is a no-op.
pub async fn start(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(id) = required_param(path) else {
        return Reply::error(MISSING_PARAMETER, msg::MISSING_PARAMETER);
    };
    let correlation = body::correlation_id(&headers);
    let transition = sim.knobs().transition_ms;
    let started = sim.with_store(|store, now| {
        let Some(instance) = store.instance_mut(&id) else {
            return false;
        };
        if instance.status == InstanceStatus::Stopped {
            let (status, ready) = starting_status(transition, now);
            instance.status = status;
            instance.ready_at_ms = ready;
            store.log(
                correlation.as_deref(),
                &id,
                "start",
                format!("started instance {id}"),
                now,
            );
            store.touch();
        }
        true
    });
    if !started {
        return Reply::error(SERVICE_ERROR, msg::START).with_content(json!(false));
    }
    committed(&sim, Reply::ok(json!(true)), msg::START).await
}

/// `GET /v1/status/:instanceId`: `[{instance_id, status, ip_address}]`.
/// Several comma-separated ids give several entries (the failure message,
/// "get multi instance err:", suggests the real server accepts that).
pub async fn status(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(raw) = required_param(path) else {
        return Reply::error(MISSING_PARAMETER, msg::MISSING_PARAMETER);
    };
    let ids: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Reply::error(MISSING_PARAMETER, msg::MISSING_PARAMETER);
    }
    sim.with_store(|store, now| {
        let mut entries = Vec::with_capacity(ids.len());
        for id in &ids {
            let Some(instance) = store.instance(id) else {
                return Reply::error(SERVICE_ERROR, msg::GET_STATUS)
                    .with_content(json!(false))
                    .with_ext(json!(format!("no instance {id}")));
            };
            entries.push(json!({
                "instance_id": instance.instance_id,
                "status": instance.status_at(now).code(),
                "ip_address": instance.private_ip,
            }));
        }
        Reply::ok(Value::Array(entries))
    })
}

/// `POST /v1/status` with `{"InstanceId", "Status"}`: sets the status as
/// given (no automatic transition); content echoes the status.
pub async fn set_status(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    let input_error =
        |reason: &str| Reply::error(INPUT_ERROR, msg::INPUT_ERROR).with_ext(json!(reason));
    let Some(object) = body::object(&bytes) else {
        return input_error("the body must be a JSON object");
    };
    let id = match body::req_string(&object, "InstanceId") {
        Ok(id) => id,
        Err(reason) => return input_error(&reason),
    };
    let code = match body::req_integer(&object, "Status") {
        Ok(code) => code,
        Err(reason) => return input_error(&reason),
    };
    let Some(status) = InstanceStatus::from_code(code) else {
        return input_error(&format!(
            "Status {code} is not one of 1 (starting), 3 (running), 7 (stopped)"
        ));
    };
    let correlation = body::correlation_id(&headers);
    let updated = sim.with_store(|store, now| {
        let Some(instance) = store.instance_mut(&id) else {
            return false;
        };
        instance.status = status;
        instance.ready_at_ms = None;
        store.log(
            correlation.as_deref(),
            &id,
            "status",
            format!(
                "set status of {id} to {} ({})",
                status.code(),
                status.name()
            ),
            now,
        );
        store.touch();
        true
    });
    if !updated {
        return Reply::error(SERVICE_ERROR, msg::UPDATE_STATUS).with_content(json!(false));
    }
    committed(&sim, Reply::ok(json!(status.code())), msg::UPDATE_STATUS).await
}
