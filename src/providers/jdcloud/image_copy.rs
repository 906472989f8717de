//! `jdcloud_image_copy`: a copy of a private image in another (or the same) region
//! (copyImages), waited for and deleted in the destination region.

use super::client::{Call, Client, PROVIDER};
use super::image::{delete_image, describe_image, wait_image};
use super::ops::{at_step, deadline};
use super::values::{get, id_of, opt_str, req_str, s, str_or_empty};
use super::wire::{CopyImage, Image};
use crate::lang::{Type, Value};
use crate::provider::resource::ResourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, ProviderError,
};
use async_trait::async_trait;
use serde_json::json;

pub struct ImageCopyResource;

/// The state of a copy from describeImage(s) in its region, the arguments from `base` (the
/// plan, the prior state, or for an import just the region).
pub fn copy_value(img: &Image, base: &Value) -> Value {
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
        // Unset in the configuration (`null` in `base`), the name stays unset in state,
        // though copyImages gave the copy the source's; only an import (no `name` in
        // `base`) takes the cloud's.
        (
            "name",
            base.get_attr("name")
                .cloned()
                .unwrap_or_else(|| s(&img.name)),
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

    /// The planned attributes: the copy's id comes only in copyImages' answer, so recovery
    /// finds it by name, description and source (see `recovery`).
    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        super::recovery::planned(planned)
    }

    /// One describeImages per destination region for every open intent
    /// (`recovery::recover_copies`).
    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::recovery::recover_copies(client, intents, claimed).await
    }
}
