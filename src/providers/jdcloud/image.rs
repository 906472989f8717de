//! `jdcloud_image`: a private image made from a stopped instance (createImage,
//! modifyImageAttribute, deleteImage), and the image calls `jdcloud_image_copy` and
//! `jdcloud_image_share` share with it (describe, wait, delete).

use super::client::{enc, Call, Client, Query, PAGE_SIZE, PROVIDER};
use super::ops::{act, at_step, deadline, instance_path, reporting};
use super::values::{get, id_of, n, opt_str, req_str, s, str_or_empty};
use super::wire::{CreateImageResult, Image, OneImage};
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::wait::Wait;
use crate::provider::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, ProviderError,
};
use async_trait::async_trait;
use serde_json::json;
use std::time::{Duration, Instant};

pub fn image_path(id: &str) -> String {
    format!("/images/{}", enc(id))
}

/// `describeImage`: `None` on 404.
pub async fn describe_image(client: &Client, id: &str) -> Result<Option<Image>, ProviderError> {
    match client
        .call_typed::<OneImage>(&Call::get("describeImage", image_path(id)))
        .await
    {
        Ok(r) => Ok(Some(r.image)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `describeImages` by ids, 100 per page.
pub async fn describe_images(client: &Client, ids: &[String]) -> Result<Vec<Image>, ProviderError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(PAGE_SIZE) {
        let call = Call::get("describeImages", "/images").query(Query::new().list("ids", chunk));
        out.extend(client.all_pages::<Image>(&call, "images").await?);
    }
    Ok(out)
}

/// Waits for an image to become `target` (`ready`, or `""` for gone).
pub(super) async fn wait_image(
    client: &Client,
    id: &str,
    pending: &[&str],
    target: &[&str],
    until: Instant,
    op: &OperationContext,
) -> Result<Option<Image>, (Option<Image>, ProviderError)> {
    Wait::new(
        PROVIDER,
        format!("image {id} to become {}", target.join(" or ")),
        pending,
        target,
    )
    .operation(format!(
        "describeImage GET /v1/regions/{}/images/{id}",
        client.region()
    ))
    .timeout(until.saturating_duration_since(Instant::now()))
    .poll(Duration::from_millis(300), Duration::from_secs(3))
    .until(op, || async {
        let img = describe_image(client, id).await?;
        let st = img.as_ref().map(|i| i.status.clone()).unwrap_or_default();
        Ok((img, st))
    })
    .await
    .map_err(|f| (f.last.flatten(), f.error))
}

/// The state of an image from describeImage(s), with what the API does not say from `base`.
pub fn image_value(img: &Image, base: &Value) -> Value {
    Value::object([
        ("id", s(&img.image_id)),
        (
            "instance_id",
            get(base, "instance_id")
                .cloned()
                .unwrap_or_else(|| s(&img.instance_id)),
        ),
        ("name", s(&img.name)),
        (
            "description",
            if img.desc.is_empty() {
                get(base, "description").cloned().unwrap_or(Value::Null)
            } else {
                s(&img.desc)
            },
        ),
        ("status", s(&img.status)),
        ("size_mb", n(img.size_mb)),
        ("root_device_type", s(&img.root_device_type)),
        ("platform", s(&img.platform)),
    ])
}

pub(super) async fn delete_image(
    client: &Client,
    id: &str,
    op: &OperationContext,
    prior: &Value,
) -> DeleteResult {
    let address = op.address.as_str();
    let until = deadline(op);
    let call = Call::delete("deleteImage", image_path(id)).cancel(&op.cancel);
    match client.call(&call).await {
        Ok(_) => {}
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
        // A shared image: the API's rule ("unshare it before deleting it") says what to do.
        Err(e) => return Err(at_step(e, address, "deleteImage").into()),
    }
    match wait_image(
        client,
        id,
        &["deleting", "ready", "error"],
        &[""],
        until,
        op,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err((last, e)) => Err(PartialFailure {
            state: last.map(|i| image_value(&i, prior)),
            error: at_step(e, address, "wait until the image is gone"),
        }),
    }
}

pub struct ImageResource;

#[async_trait]
impl ResourceType<Client> for ImageResource {
    fn name(&self) -> &'static str {
        "jdcloud_image"
    }

    fn schema(&self) -> Schema {
        Schema::new("A private image made from a stopped instance (createImage).")
            .attr("id", Attribute::computed(Type::String))
            .attr("instance_id", Attribute::required(Type::String).force_new())
            .attr("name", Attribute::required(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .attr("status", Attribute::computed(Type::String))
            .attr("size_mb", Attribute::computed(Type::Number))
            .attr("root_device_type", Attribute::computed(Type::String))
            .attr("platform", Attribute::computed(Type::String))
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let ids: Vec<String> = priors.iter().map(id_of).filter(|i| !i.is_empty()).collect();
        let live = describe_images(client, &ids).await?;
        Ok(priors
            .iter()
            .map(|p| {
                let id = id_of(p);
                live.iter()
                    .find(|i| i.image_id == id && i.status != "deleting")
                    .map(|i| image_value(i, p))
            })
            .collect())
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let op = &reporting(op, "creating");
        let address = op.address.as_str();
        let until = deadline(op);
        let instance = req_str(planned, "instance_id", address)?;
        let mut body = json!({ "name": req_str(planned, "name", address)? });
        if let Some(d) = opt_str(planned, "description") {
            body["description"] = json!(d);
        }
        let call = Call::post(
            "createImage",
            format!("{}:createImage", instance_path(&instance)),
            body,
        )
        .cancel(&op.cancel);
        let made: CreateImageResult = match act(client, &instance, call.clone(), until, op).await {
            Ok(v) => super::client::decode(&client.describe(&call), v)?,
            Err(e) => return Err(at_step(e, address, "step 1/2 (createImage)").into()),
        };
        let id = made.image_id;
        op.report_created(&id).await.map_err(|e| {
            ProviderError::new(
                PROVIDER,
                format!("{address}: createImage"),
                format!("image {id} was made, but recording it failed: {e}"),
            )
        })?;
        match wait_image(client, &id, &["pending"], &["ready"], until, op).await {
            Ok(Some(img)) => Ok(image_value(&img, planned)),
            Ok(None) => {
                Err(ProviderError::new(PROVIDER, address, format!("image {id} vanished")).into())
            }
            Err((last, e)) => Err(PartialFailure {
                state: Some(
                    last.map(|i| image_value(&i, planned))
                        .unwrap_or_else(|| super::values::with(planned, "id", s(&id))),
                ),
                error: at_step(e, address, "step 2/2 (wait for ready)"),
            }),
        }
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let address = op.address.as_str();
        let id = id_of(prior);
        let call = Call::post(
            "modifyImageAttribute",
            format!("{}:modifyImageAttribute", image_path(&id)),
            json!({ "name": str_or_empty(planned, "name"), "description": str_or_empty(planned, "description") }),
        )
        .idempotent(true)
        .cancel(&op.cancel);
        client
            .call(&call)
            .await
            .map_err(|e| at_step(e, address, "modifyImageAttribute"))?;
        match describe_image(client, &id)
            .await
            .map_err(|e| at_step(e, address, "describeImage"))?
        {
            Some(img) => Ok(image_value(&img, planned)),
            None => Err(
                ProviderError::new(PROVIDER, address, format!("image {id} not found"))
                    .kind(ErrorKind::NotFound)
                    .into(),
            ),
        }
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        delete_image(client, &id_of(prior), &reporting(op, "destroying"), prior).await
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        describe_image(client, id)
            .await?
            .map(|i| image_value(&i, &Value::Null))
            .ok_or_else(|| {
                ProviderError::new(
                    PROVIDER,
                    "import jdcloud_image",
                    format!("image {id} not found"),
                )
                .kind(ErrorKind::NotFound)
            })
    }

    /// The planned attributes: name, source instance and description identify the image
    /// before createImage's answer names it (see `recovery`).
    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        super::recovery::planned(planned)
    }

    /// One describeImages for every open intent (`recovery::recover_images`).
    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::recovery::recover_images(client, intents, claimed).await
    }
}
