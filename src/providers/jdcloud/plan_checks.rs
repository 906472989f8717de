//! Plan checks of `jdcloud_instance` that read the cloud (see `Provider::check_plan`):
//! the seed's rules that the API would otherwise enforce half-way through an apply.
//!
//! - createInstances: "选择的镜像必须支持选择的实例规格" and "不能使用已下线、或已售馨的规格ID";
//!   resizeInstance and rebuildInstance: the image must support the instance type;
//!   one describeImageConstraintsBatch and one describeInstanceTypes for the whole plan.
//! - The instance quota (describeQuotas): every create of the plan counted together.
//! - A new password on a running instance takes effect only after a reboot, which the
//!   diff does not show: a warning says the apply reboots it.
//!
//! A check whose read fails is skipped with a warning: the apply still meets the API's own
//! check, so the plan is not refused for a rule it could not read.

use super::client::{Call, Client, Filter, Query};
use super::values::{get, opt_bool, opt_str};
use super::wire::{ImageConstraint, InstanceType, Quota};
use crate::diag::Diagnostic;
use crate::lang::Value;
use crate::provider::PlannedChange;
use std::collections::{BTreeMap, BTreeSet};

const IMAGE_RULE: &str = "选择的镜像必须支持选择的实例规格 (the image must support the instance type; describeImageConstraints lists the types it excludes or includes)";
const TYPE_RULE: &str =
    "不能使用已下线、或已售馨的规格ID (an instance type that is retired or sold out cannot be used)";
const QUOTA_RULE: &str = "describeQuotas: the region's instance quota";

/// The checks of a plan's `jdcloud_instance` creates and updates; indexes into `changes`.
pub async fn instances(client: &Client, changes: &[PlannedChange<'_>]) -> Vec<(usize, Diagnostic)> {
    let mut out = Vec::new();
    reboot_notes(changes, &mut out);
    // (index, image, type) wherever the pair is new: a create, a resize or a rebuild.
    let pairs: Vec<(usize, String, String)> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| match c.prior {
            None => true,
            Some(p) => changed(p, c.planned, "image_id") || changed(p, c.planned, "instance_type"),
        })
        .filter_map(|(i, c)| {
            Some((
                i,
                opt_str(c.planned, "image_id")?,
                opt_str(c.planned, "instance_type")?,
            ))
        })
        .collect();
    if !pairs.is_empty() {
        check_types(client, &pairs, &mut out).await;
        check_images(client, &pairs, &mut out).await;
    }
    let creates: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].prior.is_none())
        .collect();
    if !creates.is_empty() {
        check_quota(client, &creates, &mut out).await;
    }
    out
}

fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    let a = get(prior, name).map(Value::deep_unmarked);
    let b = get(planned, name).map(Value::deep_unmarked);
    // Unknown in the plan: the apply decides; nothing to say now.
    b.is_some() && a != b
}

fn reboot_notes(changes: &[PlannedChange<'_>], out: &mut Vec<(usize, Diagnostic)>) {
    for (i, c) in changes.iter().enumerate() {
        let Some(prior) = c.prior else { continue };
        let running = opt_str(prior, "status").as_deref() == Some(super::ops::RUNNING)
            && opt_bool(c.planned, "running").unwrap_or(true);
        // A resize or rebuild boots the instance afresh anyway.
        let restarts =
            changed(prior, c.planned, "instance_type") || changed(prior, c.planned, "image_id");
        if running && !restarts && changed(prior, c.planned, "password") {
            out.push((
                i,
                Diagnostic::warning(
                    format!("{} will be rebooted", c.address),
                    "attribute password: a new password takes effect after a reboot (modifyInstancePassword); the instance is running, so apply reboots it (rebootInstance).",
                ),
            ));
        }
    }
}

async fn check_types(
    client: &Client,
    pairs: &[(usize, String, String)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let wanted: Vec<String> = pairs
        .iter()
        .map(|(_, _, t)| t.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct R {
        instance_types: Vec<InstanceType>,
    }
    let call = Call::get("describeInstanceTypes", "/instanceTypes")
        .query(Query::new().filters(&[Filter::new("instanceTypes", wanted)]));
    let known: BTreeMap<String, InstanceType> = match client.call_typed::<R>(&call).await {
        Ok(r) => r
            .instance_types
            .into_iter()
            .map(|t| (t.instance_type.clone(), t))
            .collect(),
        Err(e) => return skipped(pairs[0].0, "instance types", &e.to_string(), out),
    };
    for (i, _, t) in pairs {
        let usable = known
            .get(t)
            .is_some_and(|k| k.state.is_empty() || k.state.iter().any(|s| s.in_stock));
        if !usable {
            let why = if known.contains_key(t) {
                "is sold out in every zone"
            } else {
                "is not offered in this region"
            };
            out.push((
                *i,
                Diagnostic::error(
                    format!("Instance type {t:?} {why}"),
                    format!("attribute instance_type: the API's rule: {TYPE_RULE}"),
                ),
            ));
        }
    }
}

async fn check_images(
    client: &Client,
    pairs: &[(usize, String, String)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let ids: Vec<String> = pairs
        .iter()
        .map(|(_, image, _)| image.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Many {
        image_constraints: Vec<ImageConstraint>,
    }
    let call = Call::get("describeImageConstraintsBatch", "/imageConstraints")
        .query(Query::new().list("ids", &ids));
    let constraints: BTreeMap<String, ImageConstraint> =
        match client.call_typed::<Many>(&call).await {
            Ok(r) => r
                .image_constraints
                .into_iter()
                .map(|c| (c.image_id.clone(), c))
                .collect(),
            Err(e) => return skipped(pairs[0].0, "image constraints", &e.to_string(), out),
        };
    for (i, image, t) in pairs {
        if constraints.get(image).is_some_and(|c| !c.allows(t)) {
            out.push((
                *i,
                Diagnostic::error(
                    format!("Image {image} does not support instance type {t:?}"),
                    format!("attribute instance_type: the API's rule: {IMAGE_RULE}"),
                ),
            ));
        }
    }
}

async fn check_quota(client: &Client, creates: &[usize], out: &mut Vec<(usize, Diagnostic)>) {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct R {
        quotas: Vec<Quota>,
    }
    let call = Call::get("describeQuotas", "/quotas")
        .query(Query::new().filters(&[Filter::new("resourceTypes", ["instance".to_string()])]));
    let quota = match client.call_typed::<R>(&call).await {
        Ok(r) => r.quotas.into_iter().find(|q| q.resource_type == "instance"),
        Err(e) => return skipped(creates[0], "the instance quota", &e.to_string(), out),
    };
    let Some(q) = quota else { return };
    let room = (q.limit - q.used).max(0);
    let wanted = creates.len() as i64;
    if wanted > room {
        // Reported at the first create beyond the quota.
        let at = creates[room as usize];
        out.push((
            at,
            Diagnostic::error(
                "Instance quota exceeded",
                format!(
                    "The plan creates {wanted} instances, but the quota allows {} ({} of {} in use). Raise the quota or create fewer; the API's rule: {QUOTA_RULE}.",
                    room, q.used, q.limit
                ),
            ),
        ));
    }
}

fn skipped(at: usize, what: &str, why: &str, out: &mut Vec<(usize, Diagnostic)>) {
    out.push((
        at,
        Diagnostic::warning(
            format!("Could not check {what} before apply"),
            format!("{why}. The API checks it again when the apply calls it."),
        ),
    ));
}
