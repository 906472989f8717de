//! `jdcloud_disk_attachment`: attachDisk / detachDisk, `auto_delete` in place through
//! modifyInstanceDiskAttribute. Refresh: describeInstances for all the priors' instances
//! (100 per page). Id: `INSTANCE_ID:DISK_ID`. A create whose answer was lost converges:
//! the disk found attached as planned is adopted (`attachment::attach_or_adopt`).

use super::attachment::{self, instance_action};
use super::client::{Client, PROVIDER};
use super::ops::{act, at_step, deadline, describe_instance, reporting};
use super::values::{opt_bool, req_str, s, str_or_empty};
use super::wire::Instance;
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::wait::Wait;
use crate::provider::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, ProviderError,
};
use async_trait::async_trait;
use serde_json::json;
use std::time::{Duration, Instant};

pub struct DiskAttachmentResource;

/// The attachment's status on the instance (`""`: not listed).
fn disk_status(i: &Instance, disk: &str) -> (String, Option<(bool, String)>) {
    i.data_disks
        .iter()
        .find(|d| d.cloud_disk.as_ref().is_some_and(|c| c.disk_id == disk))
        .map(|d| {
            (
                d.status.clone(),
                Some((d.auto_delete, d.device_name.clone())),
            )
        })
        .unwrap_or_default()
}

fn value(instance: &str, disk: &str, auto_delete: bool, device: &str, base: &Value) -> Value {
    Value::object([
        ("id", s(format!("{instance}:{disk}"))),
        ("instance_id", s(instance)),
        ("disk_id", s(disk)),
        ("auto_delete", Value::Bool(auto_delete)),
        ("device_name", s(device)),
        (
            "force_detach",
            super::values::get(base, "force_detach")
                .cloned()
                .unwrap_or(Value::Null),
        ),
    ])
}

async fn wait_disk(
    client: &Client,
    instance: &str,
    disk: &str,
    pending: &[&str],
    target: &[&str],
    until: Instant,
    op: &OperationContext,
) -> Result<Option<(bool, String)>, ProviderError> {
    Wait::new(
        PROVIDER,
        format!(
            "disk {disk} on instance {instance} to become {}",
            target.join(" or ")
        ),
        pending,
        target,
    )
    .timeout(until.saturating_duration_since(Instant::now()))
    .poll(Duration::from_millis(300), Duration::from_secs(3))
    .until(op, || async {
        let i = describe_instance(client, instance)
            .await?
            .unwrap_or_default();
        let (st, info) = disk_status(&i, disk);
        Ok((info, st))
    })
    .await
    .map_err(|f| f.error)
}

#[async_trait]
impl ResourceType<Client> for DiskAttachmentResource {
    fn name(&self) -> &'static str {
        "jdcloud_disk_attachment"
    }

    fn schema(&self) -> Schema {
        Schema::new("A cloud disk attached to an instance as a data disk.")
            .attr("id", Attribute::computed(Type::String))
            .attr("instance_id", Attribute::required(Type::String).force_new())
            .attr("disk_id", Attribute::required(Type::String).force_new())
            .attr("auto_delete", Attribute::optional_computed(Type::Bool))
            .attr(
                "device_name",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("force_detach", Attribute::optional(Type::Bool))
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        attachment::read_batch(client, priors, "disk_id", |i, disk, p| {
            match disk_status(i, disk) {
                (st, Some((ad, dev))) if st == "attached" || st == "attaching" => {
                    Some(value(&i.instance_id, disk, ad, &dev, p))
                }
                _ => None,
            }
        })
        .await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let op = &reporting(op, "creating");
        let address = op.address.as_str();
        let until = deadline(op);
        let inst = req_str(planned, "instance_id", address)?;
        let disk = req_str(planned, "disk_id", address)?;
        let mut body = json!({ "diskId": disk });
        if let Some(ad) = opt_bool(planned, "auto_delete") {
            body["autoDelete"] = json!(ad);
        }
        if let Some(dev) = super::values::opt_str(planned, "device_name") {
            body["deviceName"] = json!(dev);
        }
        let call = instance_action("attachDisk", &inst, body);
        let planned_device = super::values::opt_str(planned, "device_name");
        // Attached already by an earlier attempt whose answer was lost: adopted.
        attachment::attach_or_adopt(
            client,
            &inst,
            call,
            "step 1/2 (attachDisk)",
            op,
            |i| match disk_status(i, &disk) {
                (st, Some(info)) if st == "attached" || st == "attaching" => Some(info),
                _ => None,
            },
            |(ad, dev)| {
                attachment::same_flag("autoDelete", opt_bool(planned, "auto_delete"), *ad)?;
                match &planned_device {
                    Some(want) if want != dev => {
                        Err(format!("it is device {dev}, not {want} as planned"))
                    }
                    _ => Ok(()),
                }
            },
        )
        .await?;
        match wait_disk(
            client,
            &inst,
            &disk,
            &["attaching", ""],
            &["attached"],
            until,
            op,
        )
        .await
        {
            Ok(Some((ad, dev))) => Ok(value(&inst, &disk, ad, &dev, planned)),
            Ok(None) => Ok(value(&inst, &disk, false, "", planned)),
            Err(e) => Err(PartialFailure {
                state: Some(value(&inst, &disk, false, "", planned)),
                error: at_step(e, address, "step 2/2 (wait for attached)"),
            }),
        }
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let (inst, disk) = (
            str_or_empty(prior, "instance_id"),
            str_or_empty(prior, "disk_id"),
        );
        let ad = opt_bool(planned, "auto_delete").unwrap_or(false);
        let call = instance_action(
            "modifyInstanceDiskAttribute",
            &inst,
            json!({ "dataDisks": [{ "diskId": disk, "autoDelete": ad }] }),
        )
        .idempotent(true)
        .cancel(&op.cancel);
        act(client, &inst, call, deadline(op), op)
            .await
            .map_err(|e| at_step(e, &op.address, "modifyInstanceDiskAttribute"))?;
        Ok(value(
            &inst,
            &disk,
            ad,
            &str_or_empty(prior, "device_name"),
            planned,
        ))
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let op = &reporting(op, "destroying");
        let address = op.address.as_str();
        let until = deadline(op);
        let (inst, disk) = (
            str_or_empty(prior, "instance_id"),
            str_or_empty(prior, "disk_id"),
        );
        let mut body = json!({ "diskId": disk });
        if opt_bool(prior, "force_detach") == Some(true) {
            body["force"] = json!(true);
        }
        let call = instance_action("detachDisk", &inst, body)
            .idempotent(true)
            .cancel(&op.cancel);
        match act(client, &inst, call, until, op).await {
            Ok(_) => {}
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(at_step(e, address, "step 1/2 (detachDisk)").into()),
        }
        wait_disk(
            client,
            &inst,
            &disk,
            &["detaching", "attached"],
            &["detached", ""],
            until,
            op,
        )
        .await
        .map(|_| ())
        .map_err(|e| at_step(e, address, "step 2/2 (wait for detached)").into())
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        let (inst, disk) = attachment::split_id(self.name(), id, "DISK_ID")?;
        let i = describe_instance(client, inst).await?.unwrap_or_default();
        match disk_status(&i, disk) {
            (st, Some((ad, dev))) if st == "attached" => {
                Ok(value(inst, disk, ad, &dev, &Value::Null))
            }
            _ => Err(attachment::not_attached(
                self.name(),
                format!("disk {disk} is not attached to instance {inst}"),
            )),
        }
    }
}
