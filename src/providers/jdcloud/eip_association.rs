//! `jdcloud_elastic_ip_association`: associateElasticIp / disassociateElasticIp on the
//! primary NIC's primary IP. Refresh: describeInstances of the priors' instances (100 per
//! page), matching `elasticIpId`. Id: `INSTANCE_ID:ELASTIC_IP_ID`. A create whose answer was
//! lost converges: the EIP found bound to the instance is adopted
//! (`attachment::attach_or_adopt`).

use super::attachment::{self, instance_action};
use super::client::Client;
use super::ops::{at_step, describe_instance};
use super::values::{req_str, s, str_or_empty};
use super::wire::Instance;
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::{ApplyResult, DeleteResult, OperationContext, ProviderError};
use async_trait::async_trait;
use serde_json::json;

pub struct EipAssociationResource;

fn value(i: &Instance, eip: &str) -> Value {
    Value::object([
        ("id", s(format!("{}:{eip}", i.instance_id))),
        ("instance_id", s(&i.instance_id)),
        ("elastic_ip_id", s(eip)),
        ("elastic_ip_address", s(&i.elastic_ip_address)),
    ])
}

#[async_trait]
impl ResourceType<Client> for EipAssociationResource {
    fn name(&self) -> &'static str {
        "jdcloud_elastic_ip_association"
    }

    fn schema(&self) -> Schema {
        Schema::new("An elastic IP bound to an instance's primary IP.")
            .attr("id", Attribute::computed(Type::String))
            .attr("instance_id", Attribute::required(Type::String).force_new())
            .attr(
                "elastic_ip_id",
                Attribute::required(Type::String).force_new(),
            )
            .attr("elastic_ip_address", Attribute::computed(Type::String))
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        attachment::read_batch(client, priors, "elastic_ip_id", |i, eip, _| {
            (i.elastic_ip_id == eip).then(|| value(i, eip))
        })
        .await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let address = op.address.as_str();
        let inst = req_str(planned, "instance_id", address)?;
        let eip = req_str(planned, "elastic_ip_id", address)?;
        let call = instance_action("associateElasticIp", &inst, json!({ "elasticIpId": eip }));
        // Bound already by an earlier attempt whose answer was lost: adopted.
        let adopted = attachment::attach_or_adopt(
            client,
            &inst,
            call,
            "associateElasticIp",
            op,
            |i| (i.elastic_ip_id == eip).then(|| i.clone()),
            |_| Ok(()),
        )
        .await?;
        let now = match adopted {
            Some(i) => i,
            None => describe_instance(client, &inst)
                .await
                .map_err(|e| at_step(e, address, "describeInstance"))?
                .unwrap_or_default(),
        };
        Ok(value(&now, &eip))
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let (inst, eip) = (
            str_or_empty(prior, "instance_id"),
            str_or_empty(prior, "elastic_ip_id"),
        );
        let call = instance_action(
            "disassociateElasticIp",
            &inst,
            json!({ "elasticIpId": eip }),
        );
        attachment::detach(client, &inst, call, "disassociateElasticIp", op).await
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        let (inst, eip) = attachment::split_id(self.name(), id, "ELASTIC_IP_ID")?;
        match describe_instance(client, inst).await? {
            Some(i) if i.elastic_ip_id == eip => Ok(value(&i, eip)),
            _ => Err(attachment::not_attached(
                self.name(),
                format!("elastic IP {eip} is not bound to instance {inst}"),
            )),
        }
    }
}
