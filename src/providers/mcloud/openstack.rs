//! `mcloud_openstack_config`: the OpenStack connection settings, set with
//! `POST /v1/instance/openstack`. Setting them again is how they change; there is no read
//! or delete call, so refresh keeps the prior state and delete only forgets it.

use super::api::{BatchResult, OpenstackConfig};
use super::client::{Client, Request, Retry, PROVIDER};
use super::schema::OPENSTACK_CONFIG;
use super::values::{s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::ProviderError;
use crate::provider::{ApplyResult, DeleteResult, OperationContext};
use async_trait::async_trait;
use reqwest::Method;

/// The request body from a planned value.
pub fn body_from(planned: &Value) -> Result<OpenstackConfig, ProviderError> {
    let o = Obj::new(planned, OPENSTACK_CONFIG);
    Ok(OpenstackConfig {
        op_ip: o.req_str("ip")?,
        op_port: o.req_str("port")?,
        op_user_name: o.req_str("user_name")?,
        op_password: o.req_str("password")?,
    })
}

/// The seed answers a failed configuration with code 0 and a `{success, failed, errors}`
/// content; that is an error here.
pub fn check_result(operation: &str, content: &serde_json::Value) -> Result<(), ProviderError> {
    let looks_like_batch = content.get("failed").is_some() && content.get("errors").is_some();
    if !looks_like_batch {
        return Ok(());
    }
    let r: BatchResult = serde_json::from_value(content.clone()).unwrap_or_default();
    if r.failed > 0 {
        return Err(ProviderError::new(
            PROVIDER,
            operation,
            format!(
                "the server refused the configuration: {}",
                r.errors.join("; ")
            ),
        ));
    }
    Ok(())
}

/// Sets the configuration (create and update alike).
pub async fn apply(client: &Client, planned: &Value) -> Result<Value, ProviderError> {
    let cfg = body_from(planned)?;
    let body = serde_json::to_value(&cfg)
        .map_err(|e| ProviderError::new(PROVIDER, "POST /v1/instance/openstack", e.to_string()))?;
    // Setting the same configuration twice changes nothing, so a retry is safe.
    let req = Request::new(Method::POST, "/v1/instance/openstack", Retry::Idempotent).body(&body);
    let content = client.call(&req).await?;
    check_result(&req.operation(), &content)?;
    let o = Obj::new(planned, OPENSTACK_CONFIG);
    Ok(Value::object([
        ("ip", s(&cfg.op_ip)),
        ("port", s(&cfg.op_port)),
        ("user_name", s(&cfg.op_user_name)),
        (
            "password",
            o.get("password").cloned().unwrap_or(Value::Null),
        ),
        ("id", s(format!("{}:{}", cfg.op_ip, cfg.op_port))),
        ("result", Value::sensitive(s(content.to_string()))),
    ]))
}

/// `mcloud_openstack_config` as a registered resource type.
pub struct OpenstackConfigResource;

#[async_trait]
impl ResourceType<Client> for OpenstackConfigResource {
    fn name(&self) -> &'static str {
        OPENSTACK_CONFIG
    }

    fn schema(&self) -> Schema {
        super::schema::openstack_config()
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        // No read call: the prior state is all there is.
        let _ = client;
        Ok(priors.iter().cloned().map(Some).collect())
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let _ = op;
        Ok(apply(client, planned).await?)
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let _ = (prior, op);
        Ok(apply(client, planned).await?)
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        // No delete call: forgetting the settings is all a delete can do.
        let _ = (client, prior, op);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_batch_is_an_error() {
        let c = serde_json::json!({"success": 0, "failed": 1, "errors": ["Instance: 101.1.2.46 is already in DB"]});
        let err = check_result("POST /v1/instance/openstack", &c).unwrap_err();
        assert!(err.message.contains("already in DB"), "{err}");
        assert!(check_result("op", &serde_json::json!({"OpIP": "127.0.0.1"})).is_ok());
    }
}
