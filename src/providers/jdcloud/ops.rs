//! Instance calls and waits shared by the resources: describe, act with retries on a
//! transition still running, wait for a status, and errors that name the step.
//!
//! Status names are the provider's own (reference 1.5): transient `pending`, `starting`,
//! `stopping`, `rebooting`, `rebuilding`, `resizing`, `deleting`; stable `running`,
//! `stopped`, `error`.

use super::client::{Call, Client, Filter, Query, PROVIDER};
use super::wire::{Instance, OneInstance};
use crate::provider::wait::Wait;
use crate::provider::{ErrorKind, OperationContext, Progress, ProgressHook, ProviderError};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const RUNNING: &str = "running";
pub const STOPPED: &str = "stopped";
/// States an instance passes through while a task runs.
pub const TRANSIENT: &[&str] = &[
    "pending",
    "starting",
    "stopping",
    "rebooting",
    "rebuilding",
    "resizing",
    "deleting",
];

/// Waits and retries end after this long when the resource sets no timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The error with the resource address and the step in its operation:
/// `jdcloud_instance.web: step 3/5 (resizeInstance): resizeInstance POST /v1/…`.
pub fn at_step(mut e: ProviderError, address: &str, step: &str) -> ProviderError {
    if !e.operation.starts_with(address) || address.is_empty() {
        e.operation = format!("{address}: {step}: {}", e.operation);
    }
    e
}

pub fn instance_path(id: &str) -> String {
    format!("/instances/{}", super::client::enc(id))
}

/// `describeInstance`: `None` when the API says 404.
pub async fn describe_instance(
    client: &Client,
    id: &str,
) -> Result<Option<Instance>, ProviderError> {
    match client
        .call_typed::<OneInstance>(&Call::get("describeInstance", instance_path(id)))
        .await
    {
        Ok(r) => Ok(Some(r.instance)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `describeInstances` with instanceId filters, 100 ids (one page) per call.
pub async fn describe_many(
    client: &Client,
    ids: &[String],
) -> Result<Vec<Instance>, ProviderError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(super::client::PAGE_SIZE) {
        let call = Call::get("describeInstances", "/instances")
            .query(Query::new().filters(&[Filter::new("instanceId", chunk.to_vec())]));
        out.extend(client.all_pages::<Instance>(&call, "instances").await?);
    }
    Ok(out)
}

/// Runs an action; a 400 FAILED_PRECONDITION while the instance is in a transient state
/// (a transition still under way) is retried until the deadline.
pub async fn act(
    client: &Client,
    id: &str,
    call: Call<'_>,
    deadline: Instant,
    op: &OperationContext,
) -> Result<serde_json::Value, ProviderError> {
    loop {
        match client.call(&call).await {
            Ok(v) => return Ok(v),
            Err(e) if e.kind == ErrorKind::PreconditionFailed && Instant::now() < deadline => {
                let transient = describe_instance(client, id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|i| TRANSIENT.contains(&i.status.as_str()));
                if !transient || op.is_cancelled() {
                    return Err(e);
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    _ = op.cancel.cancelled() => return Err(ProviderError::cancelled(PROVIDER, client.describe(&call))),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Waits until the instance reaches one of `target`, passing through `pending`; returns
/// what it read last (on failure too, in [`crate::provider::wait::WaitFailure`]).
pub async fn wait_status(
    client: &Client,
    id: &str,
    pending: &[&str],
    target: &[&str],
    deadline: Instant,
    op: &OperationContext,
) -> Result<Instance, (Option<Instance>, ProviderError)> {
    let what = format!("instance {id} to become {}", target.join(" or "));
    Wait::new(PROVIDER, what, pending, target)
        .operation(format!(
            "describeInstance GET /v1/regions/{}/instances/{id}",
            client.region()
        ))
        .timeout(deadline.saturating_duration_since(Instant::now()))
        .poll(Duration::from_millis(300), Duration::from_secs(3))
        .until(op, || async {
            match describe_instance(client, id).await? {
                Some(i) => {
                    let st = i.status.clone();
                    Ok((Some(i), st))
                }
                None => Ok((None, String::new())),
            }
        })
        .await
        .map(|i| i.unwrap_or_default())
        .map_err(|f| (f.last.flatten(), f.error))
}

/// The deadline for an operation: its `timeouts {}` or the default.
pub fn deadline(op: &OperationContext) -> Instant {
    Instant::now() + op.timeout.unwrap_or(DEFAULT_TIMEOUT)
}

/// The operation's context with waits reported as `Still modifying... (what; status s)`
/// (`verb`: creating, modifying, destroying), the engine adding the time since the
/// operation began: `jdcloud_instance.web: Still modifying... (…) [10s elapsed]`.
pub fn reporting(op: &OperationContext, verb: &'static str) -> OperationContext {
    let mut o = op.clone();
    if let Some(hook) = op.progress.clone() {
        o.progress = Some(ProgressHook(Arc::new(move |p| match p {
            Progress::Waiting { what, status, .. } => (hook.0)(Progress::Message(format!(
                "Still {verb}... ({what}; status {status})"
            ))),
            other => (hook.0)(other),
        })));
    }
    o
}
