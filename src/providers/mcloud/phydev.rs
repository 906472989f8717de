//! `mcloud_physical_machine`: a machine of your own, registered with
//! `POST /v1/instance/phydev` (`instancelist` of one, a fresh `X-CORRELATION-ID`). The POST
//! answers per machine (`success`/`failed`/`errors`); a failed machine is an error that
//! names it. (A machine described like a cloud instance, `PUT /v1/instance/phydev`, is
//! `mcloud_machine_record`.)

use super::api::{BatchResult, Instance, PhysicalMachine, PhysicalMachineList};
use super::client::{decode_content, new_correlation_id, Client, Request, Retry, PROVIDER};
use super::instance::{delete_ids, find_by_ip, get};
use super::schema::PHYSICAL_MACHINE;
use super::values::{n, s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::ProviderError;
use crate::provider::{ApplyResult, DeleteResult, OperationContext};
use async_trait::async_trait;
use reqwest::Method;
use std::time::{Duration, Instant};

/// How long to wait for a registered machine to be listed.
const LIST_WAIT: Duration = Duration::from_secs(60);

/// The POST body for one machine.
pub fn register_body(planned: &Value) -> Result<PhysicalMachineList, ProviderError> {
    let o = Obj::new(planned, PHYSICAL_MACHINE);
    Ok(PhysicalMachineList {
        instancelist: vec![PhysicalMachine {
            public_ip: o.req_str("public_ip")?,
            private_ip: o.req_str("private_ip")?,
            password: o.req_str("password")?,
            port: o.i64_or_zero("port")?,
        }],
    })
}

/// Turns the per-machine outcome into an error naming the machine when it failed.
pub fn check_registered(operation: &str, ip: &str, r: &BatchResult) -> Result<(), ProviderError> {
    if r.failed == 0 && r.success > 0 {
        return Ok(());
    }
    let why = if r.errors.is_empty() {
        format!("success {}, failed {}", r.success, r.failed)
    } else {
        r.errors.join("; ")
    };
    Err(ProviderError::new(
        PROVIDER,
        operation,
        format!("machine {ip} was not registered: {why}"),
    ))
}

/// The state: configuration as given, id and status from the server.
pub(super) fn value_from(
    inst: &Instance,
    base: &Value,
    correlation_id: &str,
    client: &Client,
) -> Value {
    let o = Obj::new(base, PHYSICAL_MACHINE);
    let keep = |k: &str| o.get(k).cloned().unwrap_or(Value::Null);
    let pick = |live: &str, k: &str| {
        if live.is_empty() {
            s(o.str_or_empty(k))
        } else {
            s(live)
        }
    };
    let mut m = std::collections::BTreeMap::new();
    m.insert(
        "public_ip".into(),
        pick(&inst.public_ip_address, "public_ip"),
    );
    m.insert(
        "private_ip".into(),
        pick(&inst.private_ip_address, "private_ip"),
    );
    m.insert("password".into(), keep("password"));
    m.insert("port".into(), n(o.i64_or_zero("port").unwrap_or(0)));
    m.insert("id".into(), s(&inst.instance_id));
    m.insert("status".into(), s(client.status_table().name(inst.status)));
    m.insert("last_correlation_id".into(), s(correlation_id));
    Value::Object(m.into())
}

pub async fn create(
    client: &Client,
    planned: &Value,
    op: &OperationContext,
) -> Result<Value, ProviderError> {
    let list_body = register_body(planned)?;
    let ip = list_body
        .instancelist
        .first()
        .map(|m| m.public_ip.clone())
        .unwrap_or_default();
    let body = serde_json::to_value(&list_body)
        .map_err(|e| ProviderError::new(PROVIDER, "POST /v1/instance/phydev", e.to_string()))?;
    let cid = new_correlation_id();
    let req = Request::new(Method::POST, "/v1/instance/phydev", Retry::Once)
        .body(&body)
        .correlation(&cid);
    let content = client.call(&req).await?;
    let result: BatchResult = decode_content(&req.operation(), content)?;
    check_registered(&req.operation(), &ip, &result)?;
    // Acknowledged: a run that dies before the machine is listed and recorded finds it
    // again by this IP (`phydev_recovery`).
    op.report_created(&ip).await.map_err(|e| {
        ProviderError::new(
            PROVIDER,
            req.operation(),
            format!("machine {ip} was registered, but recording it in state failed: {e}"),
        )
    })?;
    let inst = find_by_ip(client, &ip, Instant::now() + LIST_WAIT, op).await?;
    Ok(value_from(&inst, planned, &cid, client))
}

pub async fn delete(client: &Client, prior: &Value) -> Result<(), ProviderError> {
    let id = Obj::new(prior, PHYSICAL_MACHINE).req_str("id")?;
    delete_ids(client, &[id]).await.map(|_| ())
}

/// Batched refresh: one `GET /v1/instance/list`.
pub async fn read_many(
    client: &Client,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    super::instance::read_listed(client, priors, PHYSICAL_MACHINE, |i, p| {
        let cid = Obj::new(p, PHYSICAL_MACHINE).str_or_empty("last_correlation_id");
        value_from(i, p, &cid, client)
    })
    .await
}

/// Imports by instance id; the password is not readable, so it stays null until set.
pub async fn import(client: &Client, id: &str) -> Result<Value, ProviderError> {
    let inst = get(client, id).await?;
    Ok(value_from(&inst, &Value::Null, "", client))
}

/// `mcloud_physical_machine` as a registered resource type.
pub struct PhysicalMachineResource;

#[async_trait]
impl ResourceType<Client> for PhysicalMachineResource {
    fn name(&self) -> &'static str {
        PHYSICAL_MACHINE
    }

    fn schema(&self) -> Schema {
        super::schema::physical_machine()
    }

    fn validate(&self, config: &Value, diags: &mut crate::diag::Diagnostics) {
        let o = super::values::Obj::new(config, PHYSICAL_MACHINE);
        super::spec::check_range(&o, "port", 0, 65535, "Port", diags);
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        read_many(client, priors).await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        Ok(create(client, planned, op).await?)
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let _ = op;
        Ok(delete(client, prior).await?)
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        import(client, id).await
    }

    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        super::phydev_recovery::physical_machine_fingerprint(planned)
    }

    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::phydev_recovery::recover_physical_machines(client, intents, claimed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_machine_is_named() {
        let r = BatchResult {
            success: 0,
            failed: 1,
            errors: vec!["Instance: 101.1.2.46 is already in DB".into()],
        };
        let err = check_registered("POST /v1/instance/phydev", "101.1.2.46", &r).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mcloud: POST /v1/instance/phydev: machine 101.1.2.46 was not registered: Instance: 101.1.2.46 is already in DB"
        );
        let ok = BatchResult {
            success: 1,
            failed: 0,
            errors: vec![],
        };
        assert!(check_registered("op", "ip", &ok).is_ok());
    }

    #[test]
    fn register_body_uses_the_example_spelling() {
        let planned = Value::object([
            ("public_ip", s("101.1.2.146")),
            ("private_ip", s("1.11.1.123")),
            ("password", Value::sensitive(s("adminpadd"))),
            ("port", Value::Null),
        ]);
        let body = serde_json::to_value(register_body(&planned).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"instancelist": [{"PublicIp": "101.1.2.146", "PrivateIp": "1.11.1.123", "Password": "adminpadd", "Port": 0}]})
        );
    }
}
