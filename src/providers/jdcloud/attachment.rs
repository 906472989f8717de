//! What the three attachment resources (`jdcloud_disk_attachment`,
//! `jdcloud_elastic_ip_association`, `jdcloud_network_interface_attachment`) share: each is
//! a pair `INSTANCE_ID:OBJECT_ID`, acted on through an instance action, and read back from
//! the instance's own description, so a refresh costs describeInstances pages of the
//! instances involved, not a call per attachment.
//!
//! Their creates need no create intent: they name objects that exist already, so a create
//! whose answer was lost orphans nothing. What it does leave is the association made, so
//! sending the create again (the next apply) is refused ("already attached", "already has
//! elastic IP … bound"). [`attach_or_adopt`] makes that converge: when the attach call fails
//! for any reason (a lost answer included), the instance is read, and an association that is
//! there exactly as planned is adopted as the create's outcome.

use super::client::{Call, Client, PROVIDER};
use super::ops::{act, at_step, deadline, describe_instance, describe_many, instance_path};
use super::values::str_or_empty;
use super::wire::Instance;
use crate::lang::Value;
use crate::provider::{ErrorKind, OperationContext, PartialFailure, ProviderError};

/// A POST of instance action `operation` (`attachDisk`) on `instance`.
pub fn instance_action<'a>(
    operation: &'static str,
    instance: &str,
    body: serde_json::Value,
) -> Call<'a> {
    Call::post(
        operation,
        format!("{}:{operation}", instance_path(instance)),
        body,
    )
}

/// Splits an import id `INSTANCE_ID:OBJECT_ID`; `form` names the second part for the message.
pub fn split_id<'a>(
    type_name: &str,
    id: &'a str,
    form: &str,
) -> Result<(&'a str, &'a str), ProviderError> {
    id.split_once(':').ok_or_else(|| {
        ProviderError::new(
            PROVIDER,
            format!("import {type_name}"),
            format!("id {id:?} must be INSTANCE_ID:{form}"),
        )
        .kind(ErrorKind::Invalid)
    })
}

/// An import of a pair that the instance does not show.
pub fn not_attached(type_name: &str, what: String) -> ProviderError {
    ProviderError::new(PROVIDER, format!("import {type_name}"), what).kind(ErrorKind::NotFound)
}

/// Refresh: one describeInstances per 100 of the priors' instances; `read` finds each
/// prior's attachment on its instance (`object_attr` names the attached object's id).
pub async fn read_batch(
    client: &Client,
    priors: &[Value],
    object_attr: &str,
    read: impl Fn(&Instance, &str, &Value) -> Option<Value>,
) -> Result<Vec<Option<Value>>, ProviderError> {
    let mut ids: Vec<String> = priors
        .iter()
        .map(|p| str_or_empty(p, "instance_id"))
        .collect();
    ids.sort();
    ids.dedup();
    let live = describe_many(client, &ids).await?;
    Ok(priors
        .iter()
        .map(|p| {
            let inst = str_or_empty(p, "instance_id");
            let i = live.iter().find(|i| i.instance_id == inst)?;
            read(i, &str_or_empty(p, object_attr), p)
        })
        .collect())
}

/// Sends a detach-like `call` (`step` names it in errors); an instance or attachment that
/// is gone already counts as detached.
pub async fn detach(
    client: &Client,
    instance: &str,
    call: Call<'_>,
    step: &str,
    op: &OperationContext,
) -> Result<(), PartialFailure> {
    let call = call.idempotent(true).cancel(&op.cancel);
    match act(client, instance, call, deadline(op), op).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(at_step(e, &op.address, step).into()),
    }
}

/// Sends an attach-like `call` (`step` names it in errors) on `instance`. When it fails,
/// the instance is read: if `present` finds the association on it and `matches` accepts it
/// (the association exactly as planned), an earlier attempt made it and only its answer was
/// lost, so it is adopted: `Ok(Some(found))`. `Ok(None)`: the call succeeded. Otherwise the
/// call's error, or, for an association made differently from the plan, an error saying
/// how it differs and how to import it.
pub async fn attach_or_adopt<T>(
    client: &Client,
    instance: &str,
    call: Call<'_>,
    step: &str,
    op: &OperationContext,
    present: impl Fn(&Instance) -> Option<T>,
    matches: impl Fn(&T) -> Result<(), String>,
) -> Result<Option<T>, ProviderError> {
    let call = call.cancel(&op.cancel);
    let err = match act(client, instance, call, deadline(op), op).await {
        Ok(_) => return Ok(None),
        Err(e) if e.kind == ErrorKind::Cancelled => return Err(at_step(e, &op.address, step)),
        Err(e) => e,
    };
    let now = describe_instance(client, instance)
        .await
        .map_err(|e| at_step(e, &op.address, "describeInstance"))?;
    let Some(found) = now.as_ref().and_then(&present) else {
        return Err(at_step(err, &op.address, step));
    };
    match matches(&found) {
        Ok(()) => Ok(Some(found)),
        Err(how) => Err(ProviderError::new(
            PROVIDER,
            format!("{}: {step}", op.address),
            format!(
                "the association exists already on instance {instance}, but {how}; \
                 `skyform import` it to manage it as it is, or change the configuration"
            ),
        )
        .kind(ErrorKind::Conflict)),
    }
}

/// `Ok` when `planned` leaves the flag open or asks for what the cloud has; else how they
/// differ, for [`attach_or_adopt`]'s message.
pub fn same_flag(name: &str, planned: Option<bool>, actual: bool) -> Result<(), String> {
    match planned {
        Some(p) if p != actual => Err(format!("its {name} is {actual}, not {p} as planned")),
        _ => Ok(()),
    }
}
