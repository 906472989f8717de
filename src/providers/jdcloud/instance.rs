//! `jdcloud_instance`: one VM (createInstances with maxCount 1).
//!
//! - create: a `clientToken` made for this create and recorded durably (through
//!   `report_created`) **before** createInstances, so a retry after a lost answer, or the next
//!   run after a crash, gets the same instance instead of a second one; the token also goes in
//!   a `skyform-client-token` user tag so `recover_creates` finds every interrupted create
//!   with one describeInstances filtered by that tag (`recovery`). Then wait pending → running (and stop it if `running = false`).
//! - refresh: describeInstances with `instanceId` filters, 100 ids per page.
//! - update in place: name/description (modifyInstanceAttribute), password
//!   (modifyInstancePassword; effective after a reboot, so a running instance is rebooted),
//!   `data_disk_auto_delete` (modifyInstanceDiskAttribute), `instance_type` (stop → wait
//!   stopped → resizeInstance → wait → start → wait running), `image_id` (the same with
//!   rebuildInstance), `running` (start/stop), `reboot_trigger` (rebootInstance → wait).
//! - delete: deleteInstance, wait until describeInstance says 404; a 404 is gone already.

use super::checks;
use super::client::{Call, Client, PROVIDER};
use super::ops::{
    act, at_step, deadline, describe_instance, describe_many, instance_path, reporting,
    wait_status, RUNNING, STOPPED,
};
use super::values::{
    blocks, get, id_of, n, opt_bool, opt_i64, opt_str, req_str, s, s_or_null, str_list,
    str_or_empty, strs,
};
use super::wire::{CreateInstancesResult, Instance};
use crate::diag::Diagnostics;
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, NestedBlock, Nesting, Schema};
use crate::provider::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, ProviderError,
};
use async_trait::async_trait;
use serde_json::json;
use std::time::Instant;

pub const TYPE: &str = "jdcloud_instance";
/// The user tag that carries the create's client token.
pub const TOKEN_TAG: &str = "skyform-client-token";

pub struct InstanceResource;

pub fn schema() -> Schema {
    let data_disk = Schema::new("A data disk created with the instance (cloud disk).")
        .attr(
            "disk_type",
            Attribute::required(Type::String)
                .force_new()
                .describe("ssd, premium-hdd, ssd.gp1, ssd.io1, hdd.std1, ssd.io2, ssd.gp2"),
        )
        .attr(
            "disk_size_gb",
            Attribute::required(Type::Number)
                .force_new()
                .describe("ssd 20–1000, premium-hdd 20–3000, in 10 GB steps"),
        )
        .attr("disk_name", Attribute::optional(Type::String).force_new())
        .attr("disk_id", Attribute::computed(Type::String))
        .attr("device_name", Attribute::computed(Type::String));
    Schema::new("A JD Cloud virtual machine.")
        .attr("id", Attribute::computed(Type::String))
        .attr("az", Attribute::required(Type::String).force_new())
        .attr("instance_name", Attribute::required(Type::String))
        .attr("description", Attribute::optional(Type::String))
        .attr(
            "instance_type",
            Attribute::required(Type::String)
                .describe("changed in place: stop, resizeInstance, start"),
        )
        .attr(
            "image_id",
            Attribute::required(Type::String)
                .describe("changed in place: stop, rebuildInstance, start"),
        )
        .attr("subnet_id", Attribute::required(Type::String).force_new())
        .attr(
            "security_group_ids",
            Attribute::optional(Type::list(Type::String)).force_new(),
        )
        .attr("key_names", Attribute::optional(Type::list(Type::String)).force_new())
        .attr(
            "password",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("modifyInstancePassword; takes effect after a reboot (a running instance is rebooted)"),
        )
        .attr("hostname", Attribute::optional_computed(Type::String).force_new())
        .attr("primary_ip", Attribute::optional_computed(Type::String).force_new())
        .attr(
            "system_disk_size_gb",
            Attribute::optional_computed(Type::Number).force_new(),
        )
        .attr("system_disk_category", Attribute::computed(Type::String))
        .attr(
            "data_disk_auto_delete",
            Attribute::optional_computed(Type::Bool)
                .describe("whether the data disks go with the instance (modifyInstanceDiskAttribute)"),
        )
        .attr(
            "running",
            Attribute::optional(Type::Bool).describe("start/stop; unset means running"),
        )
        .attr(
            "reboot_trigger",
            Attribute::optional(Type::String)
                .describe("any change reboots the instance (rebootInstance) in place"),
        )
        .attr("status", Attribute::computed(Type::String))
        .attr("private_ip", Attribute::computed(Type::String))
        .attr("elastic_ip_address", Attribute::computed(Type::String))
        .attr("primary_network_interface_id", Attribute::computed(Type::String))
        .block(
            "data_disk",
            NestedBlock {
                nesting: Nesting::List,
                schema: data_disk,
                min_items: 0,
                max_items: 8,
                force_new: true,
            },
        )
}

/// The state from what the API reports, with what it does not report (password, trigger,
/// security groups, key names, disk names) from `base`.
pub fn value_from(i: &Instance, base: &Value) -> Value {
    let base_disks = blocks(base, "data_disk");
    let live: Vec<&super::wire::DiskAttachment> = i
        .data_disks
        .iter()
        .filter(|d| d.status != "detached" && d.status != "detaching")
        .collect();
    // The block's own disks: by id once known, by position before; an import shows all.
    let mine: Vec<(&super::wire::DiskAttachment, Option<&Value>)> = if base.is_null() {
        live.iter().map(|d| (*d, None)).collect()
    } else {
        base_disks
            .iter()
            .enumerate()
            .filter_map(|(k, b)| {
                let id = str_or_empty(b, "disk_id");
                let found = if id.is_empty() {
                    live.get(k).copied()
                } else {
                    live.iter()
                        .find(|d| d.cloud_disk.as_ref().is_some_and(|c| c.disk_id == id))
                        .copied()
                };
                found.map(|d| (d, Some(*b)))
            })
            .collect()
    };
    let disks: Vec<Value> = mine
        .iter()
        .map(|(d, b)| {
            let c = d.cloud_disk.clone().unwrap_or_default();
            Value::object([
                ("disk_type", s(&c.disk_type)),
                ("disk_size_gb", n(c.disk_size_gb)),
                (
                    "disk_name",
                    b.and_then(|b| get(b, "disk_name").cloned())
                        .unwrap_or(Value::Null),
                ),
                ("disk_id", s(&c.disk_id)),
                ("device_name", s(&d.device_name)),
            ])
        })
        .collect();
    let auto_delete = mine
        .first()
        .map(|(d, _)| Value::Bool(d.auto_delete))
        .unwrap_or_else(|| {
            // No data disks: what was asked, else the API's default (deleted with it).
            get(base, "data_disk_auto_delete")
                .cloned()
                .unwrap_or(Value::Bool(true))
        });
    // `running` unset means running: state keeps null while it runs, and says false when
    // it is stopped, so a stopped instance plans a start.
    let running = match i.status.as_str() {
        RUNNING => match get(base, "running") {
            None => Value::Null,
            Some(_) => Value::Bool(true),
        },
        STOPPED => Value::Bool(false),
        _ => get(base, "running").cloned().unwrap_or(Value::Null),
    };
    let sys = i.system_disk.clone().unwrap_or_default();
    let sys_size = sys
        .cloud_disk
        .as_ref()
        .map(|c| c.disk_size_gb)
        .or(sys.local_disk.as_ref().map(|l| l.disk_size_gb))
        .unwrap_or(0);
    let pick = |v: &str, name: &str| {
        if v.is_empty() {
            get(base, name).cloned().unwrap_or(Value::Null)
        } else {
            s(v)
        }
    };
    let keep = |name: &str| get(base, name).cloned().unwrap_or(Value::Null);
    let nic_id = i
        .primary_network_interface
        .as_ref()
        .and_then(|p| p.network_interface.as_ref())
        .map(|n| n.network_interface_id.clone())
        .unwrap_or_default();
    Value::object([
        ("id", s(&i.instance_id)),
        ("az", pick(&i.az, "az")),
        ("instance_name", pick(&i.instance_name, "instance_name")),
        (
            "description",
            if i.description.is_empty() {
                match keep("description").as_str() {
                    Some("") => s(""),
                    _ => Value::Null,
                }
            } else {
                s(&i.description)
            },
        ),
        ("instance_type", pick(&i.instance_type, "instance_type")),
        ("image_id", pick(&i.image_id, "image_id")),
        ("subnet_id", pick(&i.subnet_id, "subnet_id")),
        ("security_group_ids", keep("security_group_ids")),
        (
            "key_names",
            if i.key_names.is_empty() {
                keep("key_names")
            } else {
                strs(i.key_names.clone())
            },
        ),
        ("password", keep("password")),
        ("hostname", pick(&i.hostname, "hostname")),
        ("primary_ip", pick(&i.private_ip_address, "primary_ip")),
        (
            "system_disk_size_gb",
            if sys_size > 0 {
                n(sys_size)
            } else {
                keep("system_disk_size_gb")
            },
        ),
        ("system_disk_category", s_or_null(&sys.disk_category)),
        ("data_disk_auto_delete", auto_delete),
        ("running", running),
        ("reboot_trigger", keep("reboot_trigger")),
        ("status", s(&i.status)),
        ("private_ip", s(&i.private_ip_address)),
        ("elastic_ip_address", s(&i.elastic_ip_address)),
        ("primary_network_interface_id", s(nic_id)),
        ("data_disk", Value::List(disks)),
    ])
}

/// The createInstances body (maxCount 1) for a planned value.
pub fn create_body(
    planned: &Value,
    token: &str,
    address: &str,
) -> Result<serde_json::Value, ProviderError> {
    let mut nic = json!({ "subnetId": req_str(planned, "subnet_id", address)? });
    let sgs = str_list(planned, "security_group_ids");
    if !sgs.is_empty() {
        nic["securityGroups"] = json!(sgs);
    }
    if let Some(ip) = opt_str(planned, "primary_ip") {
        nic["primaryIpAddress"] = json!(ip);
    }
    let auto_delete = opt_bool(planned, "data_disk_auto_delete").unwrap_or(true);
    let disks: Vec<serde_json::Value> = blocks(planned, "data_disk")
        .iter()
        .map(|d| {
            let mut spec = json!({
                "diskType": str_or_empty(d, "disk_type"),
                "diskSizeGB": opt_i64(d, "disk_size_gb").unwrap_or(0),
            });
            if let Some(name) = opt_str(d, "disk_name") {
                spec["name"] = json!(name);
            }
            json!({ "diskCategory": "cloud", "autoDelete": auto_delete, "cloudDiskSpec": spec })
        })
        .collect();
    let mut spec = json!({
        "az": req_str(planned, "az", address)?,
        "instanceType": req_str(planned, "instance_type", address)?,
        "imageId": req_str(planned, "image_id", address)?,
        "name": req_str(planned, "instance_name", address)?,
        "primaryNetworkInterface": { "networkInterface": nic },
        "userTags": [{ "key": TOKEN_TAG, "value": token }],
    });
    if let Some(d) = opt_str(planned, "description") {
        spec["description"] = json!(d);
    }
    if let Some(p) = opt_str(planned, "password") {
        spec["password"] = json!(p);
    }
    if let Some(h) = opt_str(planned, "hostname") {
        spec["hostname"] = json!(h);
    }
    let keys = str_list(planned, "key_names");
    if !keys.is_empty() {
        spec["keyNames"] = json!(keys);
    }
    if let Some(size) = opt_i64(planned, "system_disk_size_gb") {
        spec["systemDisk"] =
            json!({ "diskCategory": "cloud", "cloudDiskSpec": { "diskSizeGB": size } });
    }
    if !disks.is_empty() {
        spec["dataDisks"] = json!(disks);
    }
    Ok(json!({ "instanceSpec": spec, "maxCount": 1, "clientToken": token }))
}

/// A fresh client token for one create (at most 64 characters).
pub fn new_token() -> String {
    format!("sky-{}", uuid::Uuid::new_v4().simple())
}

/// Reads the instance for a partial state after a failed step; `fallback` if unreadable.
async fn partial(
    client: &Client,
    id: &str,
    base: &Value,
    fallback: Option<Instance>,
) -> Option<Value> {
    match describe_instance(client, id).await {
        Ok(Some(i)) => Some(value_from(&i, base)),
        _ => fallback.map(|i| value_from(&i, base)),
    }
}

pub async fn create(client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
    let address = op.address.as_str();
    let until = deadline(op);
    let token = new_token();
    // Durable before the call: a lost answer or a crash finds the instance by this token.
    op.report_created(&token).await.map_err(|e| {
        ProviderError::new(
            PROVIDER,
            format!("{address}: createInstances"),
            format!("recording the create intent (client token {token}) failed, nothing was created: {e}"),
        )
    })?;
    let body = create_body(planned, &token, address)?;
    // The client token makes the call idempotent: a retry answers the same instanceIds.
    let call = Call::post("createInstances", "/instances", body)
        .idempotent(true)
        .cancel(&op.cancel);
    let created: CreateInstancesResult = client
        .call_typed(&call)
        .await
        .map_err(|e| at_step(e, address, "step 1/2 (createInstances)"))?;
    let Some(id) = created.instance_ids.first().cloned() else {
        return Err(ProviderError::new(
            PROVIDER,
            format!("{address}: createInstances"),
            "the API answered no instanceIds",
        )
        .into());
    };
    finish_create(client, &id, planned, until, op).await
}

/// After createInstances: wait running, stop if asked, read the state.
async fn finish_create(
    client: &Client,
    id: &str,
    planned: &Value,
    until: Instant,
    op: &OperationContext,
) -> ApplyResult {
    let address = op.address.as_str();
    let inst = match wait_status(client, id, &["pending", "starting"], &[RUNNING], until, op).await
    {
        Ok(i) => i,
        Err((last, e)) => {
            let state = partial(client, id, planned, last).await;
            return Err(PartialFailure {
                state,
                error: at_step(e, address, "step 2/2 (wait for running)"),
            });
        }
    };
    let mut inst = inst;
    if opt_bool(planned, "running") == Some(false) {
        inst = stop(client, id, planned, until, op, "stop after create").await?;
    }
    Ok(value_from(&inst, planned))
}

async fn stop(
    client: &Client,
    id: &str,
    base: &Value,
    until: Instant,
    op: &OperationContext,
    step: &str,
) -> Result<Instance, PartialFailure> {
    power(
        client,
        id,
        base,
        until,
        op,
        step,
        "stopInstance",
        &["stopping", RUNNING],
        STOPPED,
    )
    .await
}

async fn start(
    client: &Client,
    id: &str,
    base: &Value,
    until: Instant,
    op: &OperationContext,
    step: &str,
) -> Result<Instance, PartialFailure> {
    power(
        client,
        id,
        base,
        until,
        op,
        step,
        "startInstance",
        &["starting", STOPPED],
        RUNNING,
    )
    .await
}

/// Sends `operation` (stopInstance or startInstance) and waits from `pending` to `target`;
/// a failure carries the instance as it is now.
#[allow(clippy::too_many_arguments)]
async fn power(
    client: &Client,
    id: &str,
    base: &Value,
    until: Instant,
    op: &OperationContext,
    step: &str,
    operation: &'static str,
    pending: &[&str],
    target: &str,
) -> Result<Instance, PartialFailure> {
    let address = op.address.as_str();
    let call = Call::post(
        operation,
        format!("{}:{operation}", instance_path(id)),
        json!({}),
    )
    .cancel(&op.cancel);
    if let Err(e) = act(client, id, call, until, op).await {
        return Err(PartialFailure {
            state: partial(client, id, base, None).await,
            error: at_step(e, address, &format!("{step} ({operation})")),
        });
    }
    wait_status(client, id, pending, &[target], until, op)
        .await
        .map_err(|(last, e)| PartialFailure {
            state: last.map(|i| value_from(&i, base)),
            error: at_step(e, address, &format!("{step} (wait for {target})")),
        })
}

fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    let a = get(prior, name).map(Value::deep_unmarked);
    let b = get(planned, name).map(Value::deep_unmarked);
    a != b
}

pub async fn update(
    client: &Client,
    prior: &Value,
    planned: &Value,
    op: &OperationContext,
) -> ApplyResult {
    let address = op.address.as_str();
    let id = id_of(prior);
    let until = deadline(op);
    // What is true so far: the prior, with each finished step's arguments taken from
    // `planned`. A failure reports the instance as read now, over this base, so the
    // arguments the API does not report (password, reboot_trigger) keep their old values.
    let mut base = prior.clone();
    let fail = |e: ProviderError, step: &str| at_step(e, address, step);

    if changed(prior, planned, "instance_name") || changed(prior, planned, "description") {
        let body = json!({
            "name": str_or_empty(planned, "instance_name"),
            "description": str_or_empty(planned, "description"),
        });
        let call = Call::post(
            "modifyInstanceAttribute",
            format!("{}:modifyInstanceAttribute", instance_path(&id)),
            body,
        )
        .idempotent(true)
        .cancel(&op.cancel);
        if let Err(e) = act(client, &id, call, until, op).await {
            return Err(PartialFailure {
                state: partial(client, &id, &base, None).await,
                error: fail(e, "modifyInstanceAttribute"),
            });
        }
    }
    if changed(prior, planned, "data_disk_auto_delete") {
        if let Some(flag) = opt_bool(planned, "data_disk_auto_delete") {
            // Only the block's own disks (not those of jdcloud_disk_attachment).
            let disks: Vec<serde_json::Value> = blocks(prior, "data_disk")
                .iter()
                .map(|d| str_or_empty(d, "disk_id"))
                .filter(|d| !d.is_empty())
                .map(|d| json!({ "diskId": d, "autoDelete": flag }))
                .collect();
            if !disks.is_empty() {
                let call = Call::post(
                    "modifyInstanceDiskAttribute",
                    format!("{}:modifyInstanceDiskAttribute", instance_path(&id)),
                    json!({ "dataDisks": disks }),
                )
                .idempotent(true)
                .cancel(&op.cancel);
                if let Err(e) = act(client, &id, call, until, op).await {
                    return Err(PartialFailure {
                        state: partial(client, &id, &base, None).await,
                        error: fail(e, "modifyInstanceDiskAttribute"),
                    });
                }
            }
        }
    }
    let mut need_reboot = changed(prior, planned, "reboot_trigger");
    if changed(prior, planned, "password") {
        if let Some(pw) = opt_str(planned, "password") {
            let call = Call::post(
                "modifyInstancePassword",
                format!("{}:modifyInstancePassword", instance_path(&id)),
                json!({ "password": pw }),
            )
            .idempotent(true)
            .cancel(&op.cancel);
            if let Err(e) = act(client, &id, call, until, op).await {
                return Err(PartialFailure {
                    state: partial(client, &id, &base, None).await,
                    error: fail(e, "modifyInstancePassword"),
                });
            }
            // Takes effect at the next boot.
            need_reboot = true;
        }
        base = super::values::with(
            &base,
            "password",
            get(planned, "password").cloned().unwrap_or(Value::Null),
        );
    }
    let resize = changed(prior, planned, "instance_type");
    let rebuild = changed(prior, planned, "image_id");
    let want_running = opt_bool(planned, "running").unwrap_or(true);
    let mut inst = describe_instance(client, &id)
        .await
        .map_err(|e| fail(e, "describeInstance"))?
        .ok_or_else(|| {
            ProviderError::new(
                PROVIDER,
                format!("{address}: describeInstance"),
                format!("instance {id} no longer exists"),
            )
            .kind(ErrorKind::NotFound)
        })?;
    // A resize that already happened (a run that failed later) is not repeated.
    let resize = resize && inst.instance_type != str_or_empty(planned, "instance_type");
    if resize || rebuild {
        let total =
            2 + usize::from(resize) * 2 + usize::from(rebuild) * 2 + usize::from(want_running) * 2;
        let mut k = 0;
        let mut step = |what: &str| {
            k += 1;
            format!("step {k}/{total} ({what})")
        };
        if inst.status != STOPPED {
            let s1 = step("stopInstance");
            let _ = step("wait for stopped");
            inst = stop(client, &id, &base, until, op, &s1).await?;
        } else {
            let _ = step("");
            let _ = step("");
        }
        if resize {
            let s1 = step("resizeInstance");
            let call = Call::post(
                "resizeInstance",
                format!("{}:resizeInstance", instance_path(&id)),
                json!({ "instanceType": str_or_empty(planned, "instance_type") }),
            )
            .cancel(&op.cancel);
            if let Err(e) = act(client, &id, call, until, op).await {
                return Err(PartialFailure {
                    state: partial(client, &id, &base, Some(inst)).await,
                    error: fail(e, &s1),
                });
            }
            let s2 = step("wait for stopped after resize");
            inst = wait_status(client, &id, &["resizing"], &[STOPPED], until, op)
                .await
                .map_err(|(last, e)| PartialFailure {
                    state: last.map(|i| value_from(&i, &base)),
                    error: fail(e, &s2),
                })?;
        }
        if rebuild {
            let s1 = step("rebuildInstance");
            let mut body = json!({ "imageId": str_or_empty(planned, "image_id") });
            if let Some(pw) = opt_str(planned, "password") {
                body["password"] = json!(pw);
            }
            let call = Call::post(
                "rebuildInstance",
                format!("{}:rebuildInstance", instance_path(&id)),
                body,
            )
            .cancel(&op.cancel);
            if let Err(e) = act(client, &id, call, until, op).await {
                return Err(PartialFailure {
                    state: partial(client, &id, &base, Some(inst)).await,
                    error: fail(e, &s1),
                });
            }
            let s2 = step("wait for rebuilt");
            inst = wait_status(client, &id, &["rebuilding"], &[STOPPED, RUNNING], until, op)
                .await
                .map_err(|(last, e)| PartialFailure {
                    state: last.map(|i| value_from(&i, &base)),
                    error: fail(e, &s2),
                })?;
        }
        // Booted afresh below: the new password is in effect, no reboot needed.
        need_reboot = false;
        if want_running && inst.status != RUNNING {
            let s1 = step("startInstance");
            inst = start(client, &id, &base, until, op, &s1).await?;
        } else if !want_running && inst.status == RUNNING {
            inst = stop(client, &id, &base, until, op, "stop").await?;
        }
    } else if want_running && inst.status != RUNNING {
        inst = start(client, &id, &base, until, op, "start").await?;
        need_reboot = false;
    } else if !want_running && inst.status == RUNNING {
        inst = stop(client, &id, &base, until, op, "stop").await?;
        need_reboot = false;
    }
    if need_reboot && inst.status == RUNNING {
        let call = Call::post(
            "rebootInstance",
            format!("{}:rebootInstance", instance_path(&id)),
            json!({}),
        )
        .cancel(&op.cancel);
        if let Err(e) = act(client, &id, call, until, op).await {
            return Err(PartialFailure {
                state: partial(client, &id, &base, Some(inst)).await,
                error: fail(e, "rebootInstance"),
            });
        }
        inst = wait_status(client, &id, &["rebooting"], &[RUNNING], until, op)
            .await
            .map_err(|(last, e)| PartialFailure {
                state: last.map(|i| value_from(&i, &base)),
                error: fail(e, "wait for running after reboot"),
            })?;
    }
    let _ = inst;
    // Read once more so the state holds every change (names, flags) as the API reports it.
    let fresh = describe_instance(client, &id)
        .await
        .map_err(|e| fail(e, "describeInstance"))?
        .unwrap_or_default();
    Ok(value_from(&fresh, planned))
}

pub async fn delete(client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
    let address = op.address.as_str();
    let id = id_of(prior);
    let until = deadline(op);
    let call = Call::delete("deleteInstance", instance_path(&id)).cancel(&op.cancel);
    match act(client, &id, call, until, op).await {
        Ok(_) => {}
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(PartialFailure {
                state: partial(client, &id, prior, None).await,
                error: at_step(e, address, "step 1/2 (deleteInstance)"),
            })
        }
    }
    match wait_status(
        client,
        &id,
        &["deleting", RUNNING, STOPPED, "error"],
        &[""],
        until,
        op,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err((last, e)) => Err(PartialFailure {
            state: last.map(|i| value_from(&i, prior)),
            error: at_step(e, address, "step 2/2 (wait until gone)"),
        }),
    }
}

#[async_trait]
impl ResourceType<Client> for InstanceResource {
    fn name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        checks::instance(config, diags);
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let ids: Vec<String> = priors.iter().map(id_of).filter(|i| !i.is_empty()).collect();
        let live = describe_many(client, &ids).await?;
        Ok(priors
            .iter()
            .map(|p| {
                let id = id_of(p);
                live.iter()
                    .find(|i| i.instance_id == id && i.status != "deleting")
                    .map(|i| value_from(i, p))
            })
            .collect())
    }

    async fn check_plan(
        &self,
        client: &Client,
        changes: &[crate::provider::PlannedChange<'_>],
    ) -> Vec<(usize, crate::diag::Diagnostic)> {
        super::plan_checks::instances(client, changes).await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        create(client, planned, &reporting(op, "creating")).await
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        update(client, prior, planned, &reporting(op, "modifying")).await
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        delete(client, prior, &reporting(op, "destroying")).await
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        match describe_instance(client, id).await? {
            Some(i) => Ok(value_from(&i, &Value::Null)),
            None => Err(ProviderError::new(
                PROVIDER,
                format!("import {TYPE}"),
                format!("instance {id} not found"),
            )
            .kind(ErrorKind::NotFound)),
        }
    }

    /// The planned attributes, as the base of a recovered instance; the instance itself is
    /// found by its clientToken, recorded before createInstances.
    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        Some(crate::provider::recovery::planned_fingerprint(planned))
    }

    /// One describeInstances filtered by the client-token tag for every open intent
    /// (`recovery::recover_instances`).
    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::recovery::recover_instances(client, intents, claimed).await
    }
}
