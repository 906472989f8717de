//! What the three attachment resources (`jdcloud_disk_attachment`,
//! `jdcloud_elastic_ip_association`, `jdcloud_network_interface_attachment`) share: each is
//! a pair `INSTANCE_ID:OBJECT_ID`, acted on through an instance action, and read back from
//! the instance's own description, so a refresh costs describeInstances pages of the
//! instances involved, not a call per attachment.

use super::client::{Call, Client, PROVIDER};
use super::ops::{act, at_step, deadline, describe_many, instance_path};
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
