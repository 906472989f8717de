//! `mcloud_ssh_key`: uploads a machine's SSH key with `PUT /v1/instance/sshkey/:instanceId`
//! (the given `key`, or none so that the server generates one; the answer is the key).
//! The API has no call to read or remove it, so refresh only checks that the machine still
//! exists and delete only forgets the key.

use super::api::segment;
use super::client::{Client, Request, Retry};
use super::schema::SSH_KEY;
use super::values::{s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::ProviderError;
use crate::provider::{ApplyResult, DeleteResult, OperationContext};
use async_trait::async_trait;
use reqwest::Method;
use std::collections::HashSet;

pub async fn create(client: &Client, planned: &Value) -> Result<Value, ProviderError> {
    let o = Obj::new(planned, SSH_KEY);
    let instance_id = o.req_str("instance_id")?;
    // The seed shows no body; a given key is sent as a JSON string, otherwise the body is
    // empty and the server makes one.
    let body = o.opt_str("key").map(serde_json::Value::String);
    // Not repeated: each upload without a key may produce a new one.
    let mut req = Request::new(
        Method::PUT,
        format!("/v1/instance/sshkey/{}", segment(&instance_id)),
        Retry::Once,
    );
    if let Some(b) = &body {
        req = req.body(b);
    }
    let content = client.call(&req).await?;
    let key = match content {
        serde_json::Value::String(k) => k,
        other => other.to_string(),
    };
    Ok(Value::object([
        ("instance_id", s(&instance_id)),
        ("id", s(&instance_id)),
        ("key", Value::sensitive(s(key))),
    ]))
}

/// One `GET /v1/instance/list`: a key whose machine is gone is gone.
pub async fn read_many(
    client: &Client,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    if priors.is_empty() {
        return Ok(Vec::new());
    }
    let live: HashSet<String> = super::instance::list(client)
        .await?
        .into_iter()
        .map(|i| i.instance_id)
        .collect();
    priors
        .iter()
        .map(|p| {
            let Some(id) = Obj::new(p, SSH_KEY).opt_str("instance_id") else {
                return Ok(None);
            };
            Ok(live.contains(&id).then(|| p.clone()))
        })
        .collect()
}

/// `mcloud_ssh_key` as a registered resource type.
pub struct SshKeyResource;

#[async_trait]
impl ResourceType<Client> for SshKeyResource {
    fn name(&self) -> &'static str {
        SSH_KEY
    }

    fn schema(&self) -> Schema {
        super::schema::ssh_key()
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
        // The API has no call to remove a key: forgetting it is all a delete can do.
        let _ = (client, prior, op);
        Ok(())
    }
}
