//! Online machine counts over time: `GET /v1/cluster/number/:hour` and
//! `GET /v1/cluster/oldnumber/:time`.
//!
//! A sample is recorded whenever the number of machines of some provider
//! changes (and one, all zero, when the cloud is first created). Every
//! existing instance counts as online, whatever its status.

use super::clock;
use super::envelope::{msg, Reply, SERVICE_ERROR};
use super::instances::required_param;
use super::model::CountSample;
use super::simulator::Simulator;
use super::spec;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde_json::{json, Value};
use std::sync::Arc;

/// The longest window `number/:hour` accepts (ten years).
pub const MAX_HOURS: u64 = 87_600;

/// `GET /v1/cluster/number/:hour`: the counts as of the start of the last
/// `hour` hours (stamped with that moment), then every change since.
pub async fn within_hours(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(hours) = required_param(path).as_deref().and_then(spec::path_int) else {
        return Reply::input_error();
    };
    if !(1..=MAX_HOURS).contains(&hours) {
        return Reply::input_error()
            .with_ext(json!(format!("hour must be between 1 and {MAX_HOURS}")));
    }
    sim.with_store(|store, now| {
        let span = i64::try_from(hours * 3_600_000).unwrap_or(i64::MAX);
        let start = now.saturating_sub(span);
        let samples = &store.cloud.count_samples;
        let mut out: Vec<Value> = Vec::new();
        if let Some(before) = samples.iter().rev().find(|s| s.at_ms < start) {
            out.push(
                CountSample {
                    at_ms: start,
                    counts: before.counts.clone(),
                }
                .to_wire(),
            );
        }
        out.extend(
            samples
                .iter()
                .filter(|s| s.at_ms >= start)
                .map(CountSample::to_wire),
        );
        if out.is_empty() {
            return Reply::error(SERVICE_ERROR, msg::GET_COUNTS);
        }
        Reply::ok(Value::Array(out))
    })
}

/// `GET /v1/cluster/oldnumber/:time`: the counts in force at `time`
/// (`2017-08-02 17:52:29` in +08:00, RFC 3339 or Unix seconds), stamped with
/// the moment they took that value.
pub async fn at_time(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(text) = required_param(path) else {
        return Reply::input_error();
    };
    let Some(at) = clock::parse_point(&text) else {
        return Reply::input_error();
    };
    // A time written to the second (as the seed writes it) names that whole second: a
    // sample taken within it is in force "at" that time.
    let at = if text.contains('.') {
        at
    } else {
        at.saturating_add(999)
    };
    sim.with_store(|store, _| {
        match store
            .cloud
            .count_samples
            .iter()
            .rev()
            .find(|s| s.at_ms <= at)
        {
            Some(sample) => Reply::ok(sample.to_wire()),
            None => Reply::error(SERVICE_ERROR, msg::GET_COUNTS_AT)
                .with_ext(json!("the simulated cloud did not exist yet at that time")),
        }
    })
}
