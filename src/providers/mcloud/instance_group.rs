//! `mcloud_instance_group`: N machines from one template.
//!
//! - scale out: one `POST /v1/cluster/:clusterId/expand/:number` (the body is the template,
//!   as in the seed's example) with a fresh `X-CORRELATION-ID`, then wait until usable;
//! - scale in: the newest surplus machines go in one `DELETE /v1/instance/:ids`;
//! - refresh: `GET /v1/instance/cluster/:clusterId`, one call per distinct template;
//! - import: `TEMPLATE` or `TEMPLATE:ID,ID,…` (`group_import`).
//!
//! The group owns the machines it created (their ids are in state); machines of the same
//! template made by anything else are never touched, and unchanged machines are left alone
//! on resize.

use super::api::{segment, Instance};
use super::client::{decode_content, new_correlation_id, Client, Request, Retry, PROVIDER};
use super::instance::{delete_ids, wait_usable};
use super::schema::INSTANCE_GROUP;
use super::status::StatusTable;
use super::template;
use super::values::{n, s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::{ApplyResult, DeleteResult, OperationContext, PartialFailure, ProviderError};
use async_trait::async_trait;
use reqwest::Method;
use std::collections::HashMap;
use std::time::Instant;

/// The ids of the machines a group state owns, oldest first.
pub fn owned_ids(v: &Value) -> Vec<String> {
    let Some(list) = v.get_attr("instances").and_then(Value::as_seq) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|m| m.get_attr("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}

fn member_value(i: &Instance, table: &StatusTable) -> Value {
    Value::object([
        ("id", s(&i.instance_id)),
        ("private_ip", s(&i.private_ip_address)),
        ("public_ip", s(&i.public_ip_address)),
        ("status", s(table.name(i.status))),
    ])
}

/// The group's state: the owned machines that still exist, in `owned` order.
pub fn value_from(
    table: &StatusTable,
    template_id: &str,
    owned: &[String],
    live: &[Instance],
    correlation_id: &str,
) -> Value {
    let by_id: HashMap<&str, &Instance> =
        live.iter().map(|i| (i.instance_id.as_str(), i)).collect();
    let members: Vec<Value> = owned
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).map(|i| member_value(i, table)))
        .collect();
    Value::object([
        ("id", s(template_id)),
        ("template_id", s(template_id)),
        ("instance_count", n(members.len() as i64)),
        ("instances", Value::List(members)),
        ("last_correlation_id", s(correlation_id)),
    ])
}

/// `GET /v1/instance/cluster/:clusterId`.
pub async fn members(client: &Client, template_id: &str) -> Result<Vec<Instance>, ProviderError> {
    let path = format!("/v1/instance/cluster/{}", segment(template_id));
    let op = format!("GET {path}");
    let content = client.call(&Request::get(path)).await?;
    if content.is_null() {
        return Ok(Vec::new());
    }
    decode_content(&op, content)
}

/// Adds `number` machines to the template with one expand call and waits until they run;
/// returns their ids. Machines made before a failure come back with the error.
async fn expand(
    client: &Client,
    template_id: &str,
    number: i64,
    correlation_id: &str,
    op: &OperationContext,
) -> Result<Vec<String>, (Vec<String>, ProviderError)> {
    let deadline = Instant::now() + op.timeout.unwrap_or(super::instance::DEFAULT_TIMEOUT);
    let address = op.address.as_str();
    let none = |e: ProviderError| (Vec::new(), e);
    let id = template::parse_id(template_id).map_err(none)?;
    let tpl = template::get(client, id).await.map_err(none)?;
    let body = serde_json::to_value(&tpl)
        .map_err(|e| ProviderError::new(PROVIDER, "expand", format!("cannot encode body: {e}")))
        .map_err(none)?;
    let req = Request::new(
        Method::POST,
        format!("/v1/cluster/{id}/expand/{number}"),
        Retry::Once,
    )
    .body(&body)
    .correlation(correlation_id)
    .cancel(&op.cancel);
    let content = client.call(&req).await.map_err(none)?;
    let ids: Vec<String> = decode_content(&req.operation(), content).map_err(none)?;
    if ids.len() as i64 != number {
        let e = ProviderError::new(
            PROVIDER,
            req.operation(),
            format!(
                "{address}: asked for {number} machines, the server created {} ({})",
                ids.len(),
                ids.join(", ")
            ),
        );
        return Err((ids, e));
    }
    if let Err(mut e) = wait_usable(client, &ids, &[super::status::STARTING], deadline, op).await {
        e.message = format!(
            "{}; the machines {} exist and are kept in state",
            e.message,
            ids.join(", ")
        );
        return Err((ids, e));
    }
    Ok(ids)
}

/// The group as it is after a failure part-way: what it owns now, as listed.
async fn partial(
    client: &Client,
    template_id: &str,
    owned: &[String],
    cid: &str,
    e: ProviderError,
) -> PartialFailure {
    match members(client, template_id).await {
        Ok(live) => PartialFailure::with_state(
            value_from(client.status_table(), template_id, owned, &live, cid),
            e,
        ),
        Err(_) => e.into(),
    }
}

fn wanted_count(planned: &Value) -> Result<i64, ProviderError> {
    let count = Obj::new(planned, INSTANCE_GROUP).req_i64("instance_count")?;
    if count < 0 {
        return Err(ProviderError::new(
            PROVIDER,
            INSTANCE_GROUP,
            format!("\"instance_count\" must be 0 or more; got {count}"),
        ));
    }
    Ok(count)
}

pub async fn create(client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
    let template_id = Obj::new(planned, INSTANCE_GROUP).req_str("template_id")?;
    let count = wanted_count(planned)?;
    let cid = new_correlation_id();
    let owned = if count > 0 {
        match expand(client, &template_id, count, &cid, op).await {
            Ok(ids) => ids,
            Err((ids, e)) if ids.is_empty() => return Err(e.into()),
            Err((ids, e)) => return Err(partial(client, &template_id, &ids, &cid, e).await),
        }
    } else {
        Vec::new()
    };
    let live = members(client, &template_id).await?;
    Ok(value_from(
        client.status_table(),
        &template_id,
        &owned,
        &live,
        &cid,
    ))
}

/// Resizes: expands by the shortfall or deletes the newest surplus; others stay untouched.
pub async fn update(
    client: &Client,
    prior: &Value,
    planned: &Value,
    op: &OperationContext,
) -> ApplyResult {
    let template_id = Obj::new(prior, INSTANCE_GROUP).req_str("template_id")?;
    let count = wanted_count(planned)?;
    let live = members(client, &template_id).await?;
    let mut owned: Vec<String> = owned_ids(prior)
        .into_iter()
        .filter(|id| live.iter().any(|i| &i.instance_id == id))
        .collect();
    let have = owned.len() as i64;
    let mut cid = Obj::new(prior, INSTANCE_GROUP).str_or_empty("last_correlation_id");
    if count > have {
        cid = new_correlation_id();
        match expand(client, &template_id, count - have, &cid, op).await {
            Ok(added) => owned.extend(added),
            Err((added, e)) => {
                owned.extend(added);
                return Err(partial(client, &template_id, &owned, &cid, e).await);
            }
        }
    } else if count < have {
        let keep = usize::try_from(count).unwrap_or(0);
        let surplus = owned.split_off(keep);
        cid = match delete_ids(client, &surplus).await {
            Ok(cid) => cid,
            Err(e) => {
                // Some of the surplus may be gone: the list says which remain.
                owned.extend(surplus);
                return Err(partial(client, &template_id, &owned, &cid, e).await);
            }
        };
    }
    let live = members(client, &template_id).await?;
    Ok(value_from(
        client.status_table(),
        &template_id,
        &owned,
        &live,
        &cid,
    ))
}

pub async fn delete(client: &Client, prior: &Value) -> Result<(), ProviderError> {
    delete_ids(client, &owned_ids(prior)).await.map(|_| ())
}

/// Batched refresh: one members call per distinct template (groups of one template share it).
pub async fn read_many(
    client: &Client,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let mut by_template: HashMap<String, Vec<Instance>> = HashMap::new();
    let mut out = Vec::with_capacity(priors.len());
    for p in priors {
        let o = Obj::new(p, INSTANCE_GROUP);
        let template_id = o.req_str("template_id")?;
        if !by_template.contains_key(&template_id) {
            let live = match members(client, &template_id).await {
                Ok(live) => live,
                // The template itself may be gone (an API error, not a transport one):
                // the machines may still exist, so look for them in the full list.
                Err(e) if e.code.is_some() => super::instance::list(client).await?,
                Err(e) => return Err(e),
            };
            by_template.insert(template_id.clone(), live);
        }
        let live = by_template
            .get(&template_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let owned = owned_ids(p);
        let v = value_from(
            client.status_table(),
            &template_id,
            &owned,
            live,
            &o.str_or_empty("last_correlation_id"),
        );
        out.push(Some(v));
    }
    Ok(out)
}

/// `mcloud_instance_group` as a registered resource type.
pub struct InstanceGroupResource;

#[async_trait]
impl ResourceType<Client> for InstanceGroupResource {
    fn name(&self) -> &'static str {
        INSTANCE_GROUP
    }

    fn schema(&self) -> Schema {
        super::schema::instance_group()
    }

    fn validate(&self, config: &Value, diags: &mut crate::diag::Diagnostics) {
        let o = Obj::new(config, INSTANCE_GROUP);
        super::spec::check_range(&o, "instance_count", 0, 1000, "expand number", diags);
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        read_many(client, priors).await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        create(client, planned, op).await
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        update(client, prior, planned, op).await
    }

    async fn delete(&self, client: &Client, prior: &Value, _op: &OperationContext) -> DeleteResult {
        Ok(delete(client, prior).await?)
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        super::group_import::import(client, id).await
    }

    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        super::recovery::group_fingerprint(planned)
    }

    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::recovery::recover_groups(client, intents, claimed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_keeps_owned_order_and_drops_gone_machines() {
        let live = vec![
            Instance {
                instance_id: "i-b".into(),
                status: 3,
                ..Instance::default()
            },
            Instance {
                instance_id: "i-a".into(),
                ..Instance::default()
            },
            Instance {
                instance_id: "i-other".into(),
                ..Instance::default()
            },
        ];
        let owned = vec!["i-a".to_string(), "i-gone".to_string(), "i-b".to_string()];
        let v = value_from(&StatusTable::default(), "3", &owned, &live, "c");
        assert_eq!(owned_ids(&v), vec!["i-a", "i-b"]);
        assert_eq!(v.get_attr("instance_count"), Some(&n(2)));
    }
}
