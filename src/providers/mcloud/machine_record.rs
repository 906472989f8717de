//! `mcloud_machine_record`: a machine described like a cloud instance and recorded with
//! `PUT /v1/instance/phydev` ("上传机器信息到数据库": upload machine information to the
//! database). Nothing can change in place; refresh is the one list call; delete is
//! `DELETE /v1/instance/:id`.

use super::api::{Instance, InstanceCreate};
use super::client::{decode_content, new_correlation_id, Client, Request, Retry, PROVIDER};
use super::instance::{delete_ids, get};
use super::schema::MACHINE_RECORD;
use super::values::{s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::ProviderError;
use crate::provider::{ApplyResult, DeleteResult, OperationContext};
use async_trait::async_trait;
use reqwest::Method;
use serde::Serialize;

/// The PUT body: the machine spec plus the identity fields the caller may fix.
#[derive(Debug, Clone, Serialize)]
pub struct MachineUpload {
    #[serde(flatten)]
    pub spec: InstanceCreate,
    #[serde(rename = "InstanceId")]
    pub instance_id: String,
    #[serde(rename = "PrivateIpAddress")]
    pub private_ip_address: String,
    #[serde(rename = "PublicIpAddress")]
    pub public_ip_address: String,
}

pub fn upload_body(planned: &Value) -> Result<MachineUpload, ProviderError> {
    let o = Obj::new(planned, MACHINE_RECORD);
    Ok(MachineUpload {
        spec: super::instance::create_body(planned)?,
        instance_id: o.str_or_empty("instance_id"),
        private_ip_address: o.str_or_empty("private_ip"),
        public_ip_address: o.str_or_empty("public_ip"),
    })
}

/// The state: the instance view of the machine, with `instance_id` instead of `running`.
pub(super) fn value_from(
    inst: &Instance,
    base: &Value,
    correlation_id: Option<&str>,
    client: &Client,
) -> Value {
    let mut v = super::instance::value_from(inst, base, correlation_id, client.status_table());
    if let Value::Object(m) = &mut v {
        m.remove("running");
        m.insert("instance_id".into(), s(&inst.instance_id));
    }
    v
}

pub async fn create(client: &Client, planned: &Value) -> Result<Value, ProviderError> {
    let body = serde_json::to_value(upload_body(planned)?)
        .map_err(|e| ProviderError::new(PROVIDER, "PUT /v1/instance/phydev", e.to_string()))?;
    let cid = new_correlation_id();
    // Each PUT records a machine: never repeated blindly.
    let req = Request::new(Method::PUT, "/v1/instance/phydev", Retry::Once)
        .body(&body)
        .correlation(&cid);
    let content = client.call(&req).await?;
    let inst: Instance = decode_content(&req.operation(), content)?;
    if inst.instance_id.is_empty() {
        return Err(ProviderError::new(
            PROVIDER,
            req.operation(),
            "the server recorded the machine but did not say its InstanceId",
        ));
    }
    Ok(value_from(&inst, planned, Some(&cid), client))
}

pub async fn delete(client: &Client, prior: &Value) -> Result<(), ProviderError> {
    let id = Obj::new(prior, MACHINE_RECORD).req_str("id")?;
    delete_ids(client, &[id]).await.map(|_| ())
}

/// Batched refresh: one `GET /v1/instance/list`.
pub async fn read_many(
    client: &Client,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    super::instance::read_listed(client, priors, MACHINE_RECORD, |i, p| {
        value_from(i, p, None, client)
    })
    .await
}

pub async fn import(client: &Client, id: &str) -> Result<Value, ProviderError> {
    let inst = get(client, id).await?;
    Ok(value_from(&inst, &Value::Null, None, client))
}

/// `mcloud_machine_record` as a registered resource type.
pub struct MachineRecordResource;

#[async_trait]
impl ResourceType<Client> for MachineRecordResource {
    fn name(&self) -> &'static str {
        MACHINE_RECORD
    }

    fn schema(&self) -> Schema {
        super::schema::machine_record()
    }

    fn validate(&self, config: &Value, diags: &mut crate::diag::Diagnostics) {
        super::spec::validate_machine_spec(config, diags)
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        read_many(client, priors).await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let _ = op;
        Ok(create(client, planned).await?)
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let _ = op;
        Ok(delete(client, prior).await?)
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        import(client, id).await
    }

    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        super::phydev_recovery::machine_record_fingerprint(planned)
    }

    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::phydev_recovery::recover_machine_records(client, intents, claimed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_body_flattens_the_spec() {
        let body = serde_json::to_value(MachineUpload {
            spec: InstanceCreate::default(),
            instance_id: "i-1".into(),
            private_ip_address: String::new(),
            public_ip_address: "1.2.3.4".into(),
        })
        .unwrap();
        assert_eq!(body["InstanceId"], "i-1");
        assert_eq!(body["PublicIpAddress"], "1.2.3.4");
        assert!(body.get("InstanceType").is_some());
        assert!(body.get("spec").is_none());
    }
}
