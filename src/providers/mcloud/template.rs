//! `mcloud_template`: a machine template (the API's "cluster"): POST/GET/DELETE
//! `/v1/cluster`. There is no update call, so every argument is force-new.

use super::api::{segment, Cluster};
use super::client::{Client, Request, Retry, PROVIDER};
use super::schema::TEMPLATE;
use super::spec::{network_from, network_value, zone_from, zone_value};
use super::values::{n, s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::ProviderError;
use crate::provider::{ApplyResult, DeleteResult, OperationContext};
use async_trait::async_trait;
use reqwest::Method;
use std::collections::HashMap;

/// The template's API body from a planned value.
pub fn cluster_from(planned: &Value) -> Result<Cluster, ProviderError> {
    let o = Obj::new(planned, TEMPLATE);
    Ok(Cluster {
        name: o.req_str("name")?,
        provider: o.req_str("cloud")?,
        cpu: o.i64_or_zero("cpu")?,
        ram: o.i64_or_zero("ram")?,
        instance_type: o.req_str("instance_type")?,
        image_id: o.str_or_empty("image_id"),
        post_script: o.str_or_empty("post_script"),
        key_name: o.str_or_empty("key_name"),
        network: network_from(planned, TEMPLATE)?,
        zone: zone_from(planned, TEMPLATE)?,
        system_disk_category: o.req_str("system_disk_category")?,
        data_disk_size: o.req_i64("data_disk_size")?,
        data_disk_num: o.req_i64("data_disk_num")?,
        data_disk_category: o.req_str("data_disk_category")?,
        flavor_id: o.str_or_empty("flavor_id"),
        desc: o.str_or_empty("desc"),
        ..Cluster::default()
    })
}

/// The resource's state from the API's description of it.
pub fn value_from(c: &Cluster) -> Value {
    Value::object([
        ("id", s(c.id.to_string())),
        ("name", s(&c.name)),
        ("cloud", s(&c.provider)),
        ("cpu", n(c.cpu)),
        ("ram", n(c.ram)),
        ("instance_type", s(&c.instance_type)),
        ("image_id", s(&c.image_id)),
        ("post_script", s(&c.post_script)),
        ("key_name", s(&c.key_name)),
        ("network", network_value(&c.network)),
        ("zone", zone_value(&c.zone)),
        ("system_disk_category", s(&c.system_disk_category)),
        ("data_disk_size", n(c.data_disk_size)),
        ("data_disk_num", n(c.data_disk_num)),
        ("data_disk_category", s(&c.data_disk_category)),
        ("flavor_id", s(&c.flavor_id)),
        ("desc", s(&c.desc)),
        ("create_time", s(&c.create_time)),
    ])
}

/// The numeric template id from a state's `id`.
pub fn id_of(v: &Value) -> Result<i64, ProviderError> {
    let id = Obj::new(v, TEMPLATE).req_str("id")?;
    parse_id(&id)
}

/// A template id as the API numbers it.
pub fn parse_id(id: &str) -> Result<i64, ProviderError> {
    id.trim().parse::<i64>().map_err(|_| {
        ProviderError::new(
            PROVIDER,
            TEMPLATE,
            format!("template id {id:?} is not a number (mcloud template ids are numeric)"),
        )
    })
}

/// The id in `POST /v1/cluster`'s content (a number; a numeric string is accepted).
pub fn created_id(operation: &str, content: &serde_json::Value) -> Result<i64, ProviderError> {
    let id = match content {
        serde_json::Value::Number(x) => x.as_i64(),
        serde_json::Value::String(x) => x.trim().parse().ok(),
        _ => None,
    };
    id.ok_or_else(|| {
        ProviderError::new(
            PROVIDER,
            operation,
            format!("expected the new template's id as content, got {content}"),
        )
    })
}

pub async fn create(
    client: &Client,
    planned: &Value,
    op: &OperationContext,
) -> Result<Value, ProviderError> {
    let body = serde_json::to_value(cluster_from(planned)?).map_err(|e| {
        ProviderError::new(
            PROVIDER,
            "POST /v1/cluster",
            format!("cannot encode body: {e}"),
        )
    })?;
    let req = Request::new(Method::POST, "/v1/cluster", Retry::Once).body(&body);
    let spec = cluster_from(planned)?;
    let mut sends = 0;
    let id = loop {
        sends += 1;
        let sent_at = std::time::SystemTime::now();
        match client.call(&req).await {
            Ok(content) => break created_id(&req.operation(), &content)?,
            Err(e) if sends < CREATE_SENDS && super::lost_create::answer_may_be_lost(&e) => {
                if let Some(id) = find_lost(client, &spec, sent_at).await? {
                    break id;
                }
            }
            Err(e) => return Err(e),
        }
    };
    // The template exists from here on; its intent gets the id the server answered with.
    op.report_created(&id.to_string()).await.map_err(|e| {
        ProviderError::new(
            PROVIDER,
            req.operation(),
            format!("template {id} was created, but recording it in state failed: {e}"),
        )
    })?;
    match get(client, id).await {
        Ok(cluster) => Ok(value_from(&cluster)),
        // The template exists; keep it in state even if the read-back failed, so it is
        // not orphaned. The next refresh fills in what the server knows.
        Err(_) => {
            let mut c = cluster_from(planned)?;
            c.id = id;
            Ok(value_from(&c))
        }
    }
}

/// How many times a template create is sent when its answers are lost and nothing came of it.
const CREATE_SENDS: usize = 3;

/// The template a `POST /v1/cluster` whose answer was lost made, if any: templates carry
/// their name, so it is the newest one with the create's name and spec created since the
/// request went out (see `lost_create` for why answers are lost and what that costs).
async fn find_lost(
    client: &Client,
    spec: &Cluster,
    sent_at: std::time::SystemTime,
) -> Result<Option<i64>, ProviderError> {
    let since = sent_at
        .checked_sub(std::time::Duration::from_secs(2))
        .unwrap_or(sent_at);
    Ok(list(client)
        .await?
        .into_iter()
        .filter(|c| {
            c.name == spec.name
                && c.provider == spec.provider
                && c.instance_type == spec.instance_type
                && c.data_disk_num == spec.data_disk_num
                && c.data_disk_size == spec.data_disk_size
                && c.zone.zone_name == spec.zone.zone_name
        })
        .filter(|c| {
            chrono::DateTime::parse_from_rfc3339(&c.create_time)
                .is_ok_and(|t| std::time::SystemTime::from(t) >= since)
        })
        .map(|c| c.id)
        .max())
}

pub async fn get(client: &Client, id: i64) -> Result<Cluster, ProviderError> {
    client
        .call_typed(&Request::get(format!("/v1/cluster/{id}")))
        .await
}

pub async fn list(client: &Client) -> Result<Vec<Cluster>, ProviderError> {
    let content = client.call(&Request::get("/v1/cluster")).await?;
    if content.is_null() {
        return Ok(Vec::new());
    }
    super::client::decode_content("GET /v1/cluster", content)
}

/// Batched refresh: one `GET /v1/cluster` for every prior.
pub async fn read_many(
    client: &Client,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    if priors.is_empty() {
        return Ok(Vec::new());
    }
    let live: HashMap<i64, Cluster> = list(client).await?.into_iter().map(|c| (c.id, c)).collect();
    priors
        .iter()
        .map(|p| {
            // A prior without an id never finished creating: nothing to find.
            if Obj::new(p, TEMPLATE).opt_str("id").is_none() {
                return Ok(None);
            }
            Ok(live.get(&id_of(p)?).map(value_from))
        })
        .collect()
}

pub async fn delete(client: &Client, prior: &Value) -> Result<(), ProviderError> {
    let id = id_of(prior)?;
    // Sent once per attempt and checked by a list after a failure: a delete sent again after
    // its answer was lost answers "Delete cluster err" (the seed's only failure), which is
    // success if the template is gone; retrying that answer blindly would take many back-offs.
    let req = Request::new(
        Method::DELETE,
        format!("/v1/cluster/{}", segment(&id.to_string())),
        Retry::Once,
    );
    let mut sends = 0u32;
    loop {
        sends += 1;
        let Err(e) = client.call(&req).await else {
            return Ok(());
        };
        if let Ok(all) = list(client).await {
            if all.iter().all(|c| c.id != id) {
                return Ok(());
            }
        }
        if !e.kind.is_retryable() || sends >= DELETE_SENDS {
            return Err(e);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200 << sends.min(4))).await;
    }
}

/// How many times a template delete is sent while it fails and the template is still listed.
const DELETE_SENDS: u32 = 5;

pub async fn import(client: &Client, id: &str) -> Result<Value, ProviderError> {
    Ok(value_from(&get(client, parse_id(id)?).await?))
}

/// `mcloud_template` as a registered resource type.
pub struct TemplateResource;

#[async_trait]
impl ResourceType<Client> for TemplateResource {
    fn name(&self) -> &'static str {
        TEMPLATE
    }

    fn schema(&self) -> Schema {
        super::schema::template()
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
        super::recovery::template_fingerprint(planned)
    }

    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::recovery::recover_templates(client, intents, claimed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_id_accepts_number_or_numeric_string() {
        assert_eq!(created_id("op", &serde_json::json!(19)).unwrap(), 19);
        assert_eq!(created_id("op", &serde_json::json!("19")).unwrap(), 19);
        assert!(created_id("op", &serde_json::json!(null)).is_err());
    }

    #[test]
    fn state_round_trips_through_the_api_body() {
        let c = Cluster {
            id: 7,
            name: "web".into(),
            provider: "aliyun".into(),
            instance_type: "ecs.n1.tiny".into(),
            system_disk_category: "cloud_efficiency".into(),
            data_disk_category: "cloud_efficiency".into(),
            data_disk_size: 100,
            data_disk_num: 1,
            ..Cluster::default()
        };
        let v = value_from(&c);
        assert_eq!(v.get_attr("id"), Some(&s("7")));
        let back = cluster_from(&v).unwrap();
        assert_eq!(back.name, "web");
        assert_eq!(back.data_disk_num, 1);
        assert_eq!(back.id, 0, "the create body never carries an id");
    }
}
