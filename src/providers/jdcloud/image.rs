//! Private images: `jdcloud_image` (createImage from a stopped instance,
//! modifyImageAttribute, deleteImage), `jdcloud_image_copy` (copyImages) and
//! `jdcloud_image_share` (shareImage / unShareImage / describeImageMembers).

use super::checks;
use super::client::{enc, Call, Client, Query, PAGE_SIZE, PROVIDER};
use super::ops::{act, at_step, deadline, instance_path, reporting};
use super::values::{get, id_of, n, opt_str, req_str, s, str_list, str_or_empty, strs};
use super::wire::{CopyImage, CreateImageResult, Image, ImageMembers, OneImage};
use crate::diag::Diagnostics;
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
async fn wait_image(
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

fn image_value(img: &Image, base: &Value) -> Value {
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

async fn delete_image(
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

    /// The planned attributes, as the base of a recovered image (the intent's token is the
    /// image id, recorded once createImage answered).
    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        Some(crate::provider::recovery::planned_fingerprint(planned))
    }

    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        _claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        use crate::provider::recovery::{base_of, Recovered};
        let mut out = Vec::with_capacity(intents.len());
        for intent in intents {
            let found = match &intent.token {
                Some(id) => describe_image(client, id).await?,
                None => None,
            };
            out.push(match found {
                Some(i) => Recovered::Found(image_value(&i, &base_of(intent))),
                None => Recovered::NotCreated,
            });
        }
        Ok(out)
    }
}

pub struct ImageCopyResource;

fn copy_value(img: &Image, base: &Value) -> Value {
    Value::object([
        ("id", s(&img.image_id)),
        (
            "source_image_id",
            get(base, "source_image_id").cloned().unwrap_or(Value::Null),
        ),
        (
            "destination_region",
            get(base, "destination_region")
                .cloned()
                .unwrap_or(Value::Null),
        ),
        (
            "name",
            get(base, "name").cloned().unwrap_or_else(|| s(&img.name)),
        ),
        (
            "description",
            get(base, "description").cloned().unwrap_or(Value::Null),
        ),
        ("status", s(&img.status)),
    ])
}

#[async_trait]
impl ResourceType<Client> for ImageCopyResource {
    fn name(&self) -> &'static str {
        "jdcloud_image_copy"
    }

    fn schema(&self) -> Schema {
        Schema::new("A copy of a private image in another (or the same) region (copyImages).")
            .attr("id", Attribute::computed(Type::String))
            .attr(
                "source_image_id",
                Attribute::required(Type::String).force_new(),
            )
            .attr(
                "destination_region",
                Attribute::required(Type::String).force_new(),
            )
            .attr("name", Attribute::optional(Type::String).force_new())
            .attr("description", Attribute::optional(Type::String).force_new())
            .attr("status", Attribute::computed(Type::String))
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::new();
        for p in priors {
            let region = str_or_empty(p, "destination_region");
            let c = client.in_region(&region);
            out.push(
                describe_image(&c, &id_of(p))
                    .await?
                    .map(|i| copy_value(&i, p)),
            );
        }
        Ok(out)
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        let address = op.address.as_str();
        let until = deadline(op);
        let region = req_str(planned, "destination_region", address)?;
        let mut body = json!({
            "sourceImageIds": [req_str(planned, "source_image_id", address)?],
            "destinationRegion": region,
        });
        if let Some(nm) = opt_str(planned, "name") {
            body["name"] = json!(nm);
        }
        if let Some(d) = opt_str(planned, "description") {
            body["description"] = json!(d);
        }
        let call = Call::post("copyImages", "/images:copyImages", body).cancel(&op.cancel);
        #[derive(serde::Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct Copied {
            copy_images: Vec<CopyImage>,
        }
        let copied: Copied = client
            .call_typed(&call)
            .await
            .map_err(|e| at_step(e, address, "step 1/2 (copyImages)"))?;
        let Some(id) = copied
            .copy_images
            .first()
            .map(|c| c.destination_image_id.clone())
        else {
            return Err(
                ProviderError::new(PROVIDER, address, "copyImages answered no copy").into(),
            );
        };
        op.report_created(&id)
            .await
            .map_err(|e| ProviderError::new(PROVIDER, address, e))?;
        let dest = client.in_region(&region);
        match wait_image(&dest, &id, &["pending", "copying"], &["ready"], until, op).await {
            Ok(Some(img)) => Ok(copy_value(&img, planned)),
            Ok(None) => {
                Err(ProviderError::new(PROVIDER, address, format!("image {id} vanished")).into())
            }
            Err((last, e)) => Err(PartialFailure {
                state: Some(
                    last.map(|i| copy_value(&i, planned))
                        .unwrap_or_else(|| super::values::with(planned, "id", s(&id))),
                ),
                error: at_step(e, address, "step 2/2 (wait for ready)"),
            }),
        }
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        let c = client.in_region(&str_or_empty(prior, "destination_region"));
        delete_image(&c, &id_of(prior), op, prior).await
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        // `REGION/IMAGE_ID`, or an image of the provider's region.
        let (region, image) = id.split_once('/').unwrap_or((client.region(), id));
        let c = client.in_region(region);
        let base = Value::object([("destination_region", s(region))]);
        describe_image(&c, image)
            .await?
            .map(|i| copy_value(&i, &base))
            .ok_or_else(|| {
                ProviderError::new(
                    PROVIDER,
                    "import jdcloud_image_copy",
                    format!("image {id} not found"),
                )
                .kind(ErrorKind::NotFound)
            })
    }
}

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
