//! Logs by correlation id and instance id.
//!
//! Every mutating call that carries `X-CORRELATION-ID` records entries (one
//! per instance it touched, or one with an empty `InstanceId` for templates
//! and settings). As the seed shows, finding nothing is `code 0` with
//! `msg "result to json error"` and `content null`.

use super::envelope::{msg, Reply, SUCCESS};
use super::instances::required_param;
use super::model::LogEntry;
use super::simulator::Simulator;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde_json::json;
use std::sync::Arc;

fn answer(entries: Vec<LogEntry>) -> Reply {
    if entries.is_empty() {
        Reply::error(SUCCESS, msg::LOG_EMPTY)
    } else {
        Reply::ok(json!(entries))
    }
}

/// `GET /v1/instance/log/:correlationId/:instanceId`.
pub async fn by_correlation_and_instance(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Reply {
    let Ok(Path((correlation, instance))) = path else {
        return Reply::input_error();
    };
    let (correlation, instance) = (correlation.trim().to_string(), instance.trim().to_string());
    if correlation.is_empty() || instance.is_empty() {
        return Reply::input_error();
    }
    answer(sim.with_store(|store, _| {
        store
            .cloud
            .logs
            .iter()
            .filter(|e| e.correlation_id == correlation && e.instance_id == instance)
            .cloned()
            .collect()
    }))
}

/// `GET /v1/instance/log/:instanceId`.
pub async fn by_instance(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(instance) = required_param(path) else {
        return Reply::input_error();
    };
    answer(sim.with_store(|store, _| {
        store
            .cloud
            .logs
            .iter()
            .filter(|e| e.instance_id == instance)
            .cloned()
            .collect()
    }))
}
