//! `jdcloud_network_interface_attachment`: attachNetworkInterface /
//! detachNetworkInterface, `auto_delete` in place through modifyInstanceNetworkAttribute.
//! Refresh: describeInstances of the priors' instances (100 per page), matching the
//! secondary NICs. Id: `INSTANCE_ID:NETWORK_INTERFACE_ID`. A create whose answer was lost
//! converges: the NIC found attached as planned is adopted (`attachment::attach_or_adopt`).

use super::attachment::{self, instance_action};
use super::client::{Client, PROVIDER};
use super::ops::{act, at_step, deadline, describe_instance};
use super::values::{opt_bool, req_str, s, str_or_empty};
use super::wire::Instance;
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::{ApplyResult, DeleteResult, OperationContext, ProviderError};
use async_trait::async_trait;
use serde_json::json;

pub struct NicAttachmentResource;

fn find(i: &Instance, nic: &str) -> Option<(bool, i64)> {
    i.secondary_network_interfaces
        .iter()
        .find(|a| {
            a.network_interface
                .as_ref()
                .is_some_and(|n| n.network_interface_id == nic)
        })
        .map(|a| (a.auto_delete, a.device_index))
}

fn value(inst: &str, nic: &str, auto_delete: bool, index: i64) -> Value {
    Value::object([
        ("id", s(format!("{inst}:{nic}"))),
        ("instance_id", s(inst)),
        ("network_interface_id", s(nic)),
        ("auto_delete", Value::Bool(auto_delete)),
        ("device_index", Value::number(index)),
    ])
}

#[async_trait]
impl ResourceType<Client> for NicAttachmentResource {
    fn name(&self) -> &'static str {
        "jdcloud_network_interface_attachment"
    }

    fn schema(&self) -> Schema {
        Schema::new("A secondary elastic network interface attached to an instance.")
            .attr("id", Attribute::computed(Type::String))
            .attr("instance_id", Attribute::required(Type::String).force_new())
            .attr(
                "network_interface_id",
                Attribute::required(Type::String).force_new(),
            )
            .attr("auto_delete", Attribute::optional_computed(Type::Bool))
            .attr("device_index", Attribute::computed(Type::Number))
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        attachment::read_batch(client, priors, "network_interface_id", |i, nic, _| {
            find(i, nic).map(|(ad, idx)| value(&i.instance_id, nic, ad, idx))
        })
        .await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let address = op.address.as_str();
        let inst = req_str(planned, "instance_id", address)?;
        let nic = req_str(planned, "network_interface_id", address)?;
        let mut body = json!({ "networkInterfaceId": nic });
        if let Some(ad) = opt_bool(planned, "auto_delete") {
            body["autoDelete"] = json!(ad);
        }
        let call = instance_action("attachNetworkInterface", &inst, body);
        let present = |i: &Instance| find(i, &nic);
        // Attached already by an earlier attempt whose answer was lost: adopted.
        let adopted = attachment::attach_or_adopt(
            client,
            &inst,
            call,
            "attachNetworkInterface",
            op,
            present,
            |(ad, _)| attachment::same_flag("autoDelete", opt_bool(planned, "auto_delete"), *ad),
        )
        .await?;
        let found = match adopted {
            Some(f) => Some(f),
            None => describe_instance(client, &inst)
                .await
                .map_err(|e| at_step(e, address, "describeInstance"))?
                .and_then(|i| find(&i, &nic)),
        };
        match found {
            Some((ad, idx)) => Ok(value(&inst, &nic, ad, idx)),
            None => Err(ProviderError::new(
                PROVIDER,
                format!("{address}: describeInstance"),
                format!("network interface {nic} is not listed on instance {inst} after attachNetworkInterface"),
            )
            .into()),
        }
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let (inst, nic) = (
            str_or_empty(prior, "instance_id"),
            str_or_empty(prior, "network_interface_id"),
        );
        let ad = opt_bool(planned, "auto_delete").unwrap_or(false);
        let call = instance_action(
            "modifyInstanceNetworkAttribute",
            &inst,
            json!({ "networks": [{ "networkInterfaceId": nic, "autoDelete": ad }] }),
        )
        .idempotent(true)
        .cancel(&op.cancel);
        act(client, &inst, call, deadline(op), op)
            .await
            .map_err(|e| at_step(e, &op.address, "modifyInstanceNetworkAttribute"))?;
        let idx = super::values::opt_i64(prior, "device_index").unwrap_or(0);
        Ok(value(&inst, &nic, ad, idx))
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let (inst, nic) = (
            str_or_empty(prior, "instance_id"),
            str_or_empty(prior, "network_interface_id"),
        );
        let call = instance_action(
            "detachNetworkInterface",
            &inst,
            json!({ "networkInterfaceId": nic }),
        );
        attachment::detach(client, &inst, call, "detachNetworkInterface", op).await
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        let (inst, nic) = attachment::split_id(self.name(), id, "NETWORK_INTERFACE_ID")?;
        let i = describe_instance(client, inst).await?.unwrap_or_default();
        find(&i, nic)
            .map(|(ad, idx)| value(inst, nic, ad, idx))
            .ok_or_else(|| {
                attachment::not_attached(
                    self.name(),
                    format!("network interface {nic} is not attached to instance {inst}"),
                )
            })
    }
}
