//! `jdcloud_image_share`: the accounts a private image is shared with (shareImage /
//! unShareImage / describeImageMembers).
//!
//! A create whose answer was lost needs no recovery: shareImage adds the pins to the
//! image's members, so sending it again for pins already shared is accepted and changes
//! nothing, and the retry (the call is marked idempotent) or the next apply converges.

use super::checks;
use super::client::{Call, Client, PROVIDER};
use super::image::image_path;
use super::ops::at_step;
use super::values::{id_of, req_str, s, str_list, strs};
use super::wire::ImageMembers;
use crate::diag::Diagnostics;
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, ProviderError,
};
use async_trait::async_trait;
use serde_json::json;

pub struct ImageShareResource;

async fn members(client: &Client, id: &str) -> Result<Option<ImageMembers>, ProviderError> {
    match client
        .call_typed::<ImageMembers>(&Call::get(
            "describeImageMembers",
            format!("{}/members", image_path(id)),
        ))
        .await
    {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn share_value(id: &str, m: &ImageMembers) -> Value {
    let mut pins = m.pins.clone();
    pins.sort();
    Value::object([("id", s(id)), ("image_id", s(id)), ("pins", strs(pins))])
}

async fn share_call(
    client: &Client,
    id: &str,
    share: bool,
    pins: &[String],
    op: &OperationContext,
) -> Result<(), ProviderError> {
    if pins.is_empty() {
        return Ok(());
    }
    let (name, verb) = if share {
        ("shareImage", "share")
    } else {
        ("unShareImage", "unshare")
    };
    let call = Call::post(
        name,
        format!("{}:{verb}", image_path(id)),
        json!({ "pins": pins }),
    )
    .idempotent(true)
    .cancel(&op.cancel);
    client
        .call(&call)
        .await
        .map(|_| ())
        .map_err(|e| at_step(e, &op.address, name))
}

#[async_trait]
impl ResourceType<Client> for ImageShareResource {
    fn name(&self) -> &'static str {
        "jdcloud_image_share"
    }

    fn schema(&self) -> Schema {
        Schema::new("The accounts a private image is shared with (at most 20).")
            .attr("id", Attribute::computed(Type::String))
            .attr("image_id", Attribute::required(Type::String).force_new())
            .attr("pins", Attribute::required(Type::list(Type::String)))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        checks::image_share(config, diags);
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::new();
        for p in priors {
            let id = id_of(p);
            out.push(members(client, &id).await?.map(|m| share_value(&id, &m)));
        }
        Ok(out)
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let id = req_str(planned, "image_id", &op.address)?;
        let mut pins = str_list(planned, "pins");
        pins.sort();
        share_call(client, &id, true, &pins, op).await?;
        Ok(share_value(
            &id,
            &ImageMembers {
                pins,
                login_names: Vec::new(),
            },
        ))
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let id = id_of(prior);
        let old = str_list(prior, "pins");
        let mut new = str_list(planned, "pins");
        new.sort();
        let add: Vec<String> = new.iter().filter(|p| !old.contains(p)).cloned().collect();
        let remove: Vec<String> = old.iter().filter(|p| !new.contains(p)).cloned().collect();
        share_call(client, &id, false, &remove, op).await?;
        if let Err(e) = share_call(client, &id, true, &add, op).await {
            let now = members(client, &id).await.ok().flatten();
            return Err(PartialFailure {
                state: now.map(|m| share_value(&id, &m)),
                error: e,
            });
        }
        Ok(share_value(
            &id,
            &ImageMembers {
                pins: new,
                login_names: Vec::new(),
            },
        ))
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let id = id_of(prior);
        let Some(m) = members(client, &id)
            .await
            .map_err(|e| at_step(e, &op.address, "describeImageMembers"))?
        else {
            return Ok(());
        };
        match share_call(client, &id, false, &m.pins, op).await {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            r => r.map_err(PartialFailure::from),
        }
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        members(client, id)
            .await?
            .map(|m| share_value(id, &m))
            .ok_or_else(|| {
                ProviderError::new(
                    PROVIDER,
                    "import jdcloud_image_share",
                    format!("image {id} not found"),
                )
                .kind(ErrorKind::NotFound)
            })
    }
}
