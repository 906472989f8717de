//! Image operations. Private images are made from stopped instances (the
//! seed: createImage needs `stopped`) and go `pending` → `ready`.

use super::ctx::{check_description, check_image_name, require_state, Ctx};
use super::devices::start_task;
use super::errors::ApiError;
use super::model::{Image, ImageDisk, Transition, GONE, REGIONS};
use super::query::page;
use super::store::{new_id, status};
use super::wire;
use serde_json::{json, Value};

/// Most accounts one image can be shared with (seed).
pub const MAX_SHARES: usize = 20;

/// An image visible in the region (any source), or 404.
fn visible<'a>(ctx: &'a Ctx<'_>, id: &str) -> Result<&'a Image, ApiError> {
    ctx.cloud
        .images
        .get(id)
        .filter(|i| i.region.is_empty() || i.region == ctx.region)
        .ok_or_else(|| ApiError::not_found("image", id))
}

/// An own private image of the region, or 404 / 400 FAILED_PRECONDITION.
fn own<'a>(ctx: &'a Ctx<'_>, id: &str, op: &str) -> Result<&'a Image, ApiError> {
    let image = visible(ctx, id)?;
    if image.image_source != "private" {
        return Err(ApiError::precondition(format!(
            "image {id} is a {} image; {op} only operates on your private images",
            image.image_source
        )));
    }
    Ok(image)
}

fn private_count(ctx: &Ctx<'_>, region: &str) -> i64 {
    let n = ctx
        .cloud
        .images
        .values()
        .filter(|i| i.image_source == "private" && i.region == region)
        .count();
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn check_image_quota(ctx: &Ctx<'_>, region: &str, want: i64) -> Result<(), ApiError> {
    let limit = ctx.cloud.quotas.get("image").copied().unwrap_or(i64::MAX);
    let used = private_count(ctx, region);
    if used + want > limit {
        return Err(ApiError::quota(format!(
            "Quota exceeded: image quota is {limit}, {used} used, {want} requested"
        )));
    }
    Ok(())
}

fn new_image_id(ctx: &Ctx<'_>) -> String {
    loop {
        let id = uuid::Uuid::new_v4().to_string();
        if !ctx.cloud.images.contains_key(&id) {
            return id;
        }
    }
}

/// :createImage — the instance must be stopped with no task; the image is `pending`.
pub fn create(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let name = ctx.body.required_str("name")?;
    check_image_name(&name, 2)?;
    let desc = ctx.body.str("description")?.unwrap_or_default();
    check_description(&desc)?;
    let excluded: Vec<String> = ctx
        .body
        .objects("dataDisks")?
        .iter()
        .filter(|d| d.bool("noDevice").ok().flatten() == Some(true))
        .filter_map(|d| d.str("deviceName").ok().flatten())
        .collect();
    let instance = ctx.cloud.instance(&ctx.region, id)?.clone();
    require_state(&instance, "createImage", &[status::STOPPED])?;
    check_image_quota(ctx, &ctx.region.clone(), 1)?;
    let source = ctx
        .cloud
        .images
        .get(&instance.image_id)
        .cloned()
        .unwrap_or_default();
    let data_disks: Vec<ImageDisk> = instance
        .data_disks
        .iter()
        .filter(|d| d.status == "attached" && !excluded.contains(&d.device_name))
        .filter_map(|d| ctx.cloud.disks.get(&d.disk_id).map(|disk| (d, disk)))
        .map(|(d, disk)| ImageDisk {
            device_name: d.device_name.clone(),
            disk_type: disk.disk_type.clone(),
            disk_size_gb: disk.disk_size_gb,
            snapshot_id: new_id("snapshot-"),
        })
        .collect();
    let image_id = new_image_id(ctx);
    let image = Image {
        image_id: image_id.clone(),
        name,
        desc,
        region: ctx.region.clone(),
        status: "pending".into(),
        transition: ctx.after(status::READY),
        image_source: "private".into(),
        platform: source.platform,
        os_version: source.os_version,
        os_type: instance.os_type.clone(),
        architecture: if source.architecture.is_empty() {
            "x86_64".into()
        } else {
            source.architecture
        },
        root_device_type: if instance.system_disk.category == "local" {
            "localDisk".into()
        } else {
            "cloudDisk".into()
        },
        system_disk_size_gb: instance.system_disk.disk_size_gb,
        size_mb: instance.system_disk.disk_size_gb * 1024,
        create_ms: ctx.now,
        owner_pin: ctx.cloud.owner_pin.clone(),
        instance_id: id.to_string(),
        data_disks,
        ..Image::default()
    };
    ctx.cloud.images.insert(image_id.clone(), image);
    // Snapshotting is a task on the instance until the image is ready.
    start_task(ctx, id, "createImage");
    Ok(json!({"imageId": image_id}))
}

/// POST /images:copyImages — own (or shared-with-me) ready cloudDisk images to a region.
pub fn copy(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let ids = ctx.body.strings("sourceImageIds")?;
    if ids.is_empty() {
        return Err(ApiError::missing("sourceImageIds"));
    }
    if ids.len() > 10 {
        return Err(ApiError::invalid("sourceImageIds: at most 10 images"));
    }
    let destination = ctx.body.required_str("destinationRegion")?;
    if !REGIONS.contains(&destination.as_str()) {
        return Err(ApiError::invalid(format!(
            "invalid destinationRegion {destination:?}"
        )));
    }
    let name = ctx.body.str("name")?;
    if let Some(n) = &name {
        check_image_name(n, 1)?;
    }
    let desc = ctx.body.str("description")?;
    if let Some(d) = &desc {
        check_description(d)?;
    }
    let mut sources = Vec::new();
    for id in &ids {
        let image = visible(ctx, id)?;
        if image.image_source != "private" && image.image_source != "shared" {
            return Err(ApiError::precondition(format!(
                "image {id} is a {} image; copyImages only copies private images",
                image.image_source
            )));
        }
        if image.root_device_type != "cloudDisk" {
            return Err(ApiError::precondition(format!(
                "image {id} is a {} image; only cloudDisk images can be copied",
                image.root_device_type
            )));
        }
        if image.status != status::READY {
            return Err(ApiError::precondition(format!(
                "image {id} is {}; it must be ready",
                image.status
            )));
        }
        sources.push(image.clone());
    }
    let want = i64::try_from(sources.len()).unwrap_or(i64::MAX);
    check_image_quota(ctx, &destination, want)?;
    let mut out = Vec::new();
    for source in sources {
        let new_id = new_image_id(ctx);
        let image = Image {
            image_id: new_id.clone(),
            name: name.clone().unwrap_or_else(|| source.name.clone()),
            desc: desc.clone().unwrap_or_else(|| source.desc.clone()),
            region: destination.clone(),
            status: "pending".into(),
            transition: ctx.after(status::READY),
            image_source: "private".into(),
            create_ms: ctx.now,
            owner_pin: ctx.cloud.owner_pin.clone(),
            shared_pins: Vec::new(),
            excluded_types: Vec::new(),
            ..source.clone()
        };
        ctx.cloud.images.insert(new_id.clone(), image);
        out.push(json!({"sourceImageId": source.image_id, "destinationImageId": new_id}));
    }
    Ok(json!({"copyImages": out}))
}

/// DELETE /images/{id}: own, ready, unshared images → `deleting` → gone.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    ctx.query.bool("deleteSnapshot")?;
    let image = own(ctx, id, "deleteImage")?.clone();
    if image.status != status::READY && image.status != "error" {
        return Err(ApiError::precondition(format!(
            "image {id} is {}; it can be deleted when ready",
            image.status
        )));
    }
    if !image.shared_pins.is_empty() {
        return Err(ApiError::precondition(format!(
            "image {id} is shared with other accounts; unshare it before deleting it"
        )));
    }
    if image.root_device_type == "localDisk" {
        if let Some(user) = ctx.cloud.instances.values().find(|i| i.image_id == id) {
            return Err(ApiError::precondition(format!(
                "image {id} is a localDisk image used by instance {}; it cannot be deleted",
                user.instance_id
            )));
        }
    }
    let at = ctx.now + ctx.transition_ms;
    if let Some(image) = ctx.cloud.images.get_mut(id) {
        image.status = "deleting".into();
        image.transition = Some(Transition {
            to: GONE.into(),
            at_ms: at,
        });
    }
    Ok(json!({}))
}

/// GET /images/{id}: describeImage.
pub fn describe_one(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    Ok(json!({"image": wire::image(visible(ctx, id)?)}))
}

/// GET /images: describeImages.
pub fn describe_many(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let ids = ctx.query.list("ids");
    let source = ctx.query.get("imageSource").map(str::to_string);
    if ids.is_empty() && source.is_none() {
        return Err(ApiError::missing("imageSource"));
    }
    let check = |name: &str, value: &Option<String>, allowed: &[&str]| match value {
        Some(v) if !allowed.contains(&v.as_str()) => Err(ApiError::invalid(format!(
            "invalid {name} {v:?}; one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    };
    check(
        "imageSource",
        &source,
        &["public", "thirdparty", "private", "shared", "community"],
    )?;
    let root = ctx.query.get("rootDeviceType").map(str::to_string);
    check("rootDeviceType", &root, &["localDisk", "cloudDisk"])?;
    let permission = ctx.query.get("launchPermission").map(str::to_string);
    check(
        "launchPermission",
        &permission,
        &["all", "specifiedUsers", "ownerOnly"],
    )?;
    let platform = ctx.query.get("platform").map(str::to_string);
    let name = ctx.query.get("imageName").map(str::to_string);
    let status_filter = ctx.query.get("status").map(str::to_string);
    let architecture = ctx.query.get("architecture").map(str::to_string);
    let offline = ctx.query.bool("offline")?;
    let instance_ids = ctx.query.list("instanceIds");
    let mut images: Vec<&Image> = ctx
        .cloud
        .images
        .values()
        .filter(|i| i.region.is_empty() || i.region == ctx.region)
        .filter(|i| ids.is_empty() || ids.contains(&i.image_id))
        .filter(|i| source.as_ref().is_none_or(|s| *s == i.image_source))
        .filter(|i| root.as_ref().is_none_or(|r| *r == i.root_device_type))
        .filter(|i| platform.as_ref().is_none_or(|p| *p == i.platform))
        .filter(|i| name.as_ref().is_none_or(|n| i.name.contains(n.as_str())))
        .filter(|i| status_filter.as_ref().is_none_or(|s| *s == i.status))
        .filter(|i| architecture.as_ref().is_none_or(|a| *a == i.architecture))
        .filter(|i| offline.is_none_or(|o| o == i.offline))
        .filter(|i| instance_ids.is_empty() || instance_ids.contains(&i.instance_id))
        .filter(|i| {
            permission
                .as_ref()
                .is_none_or(|p| wire::image(i)["launchPermission"].as_str() == Some(p.as_str()))
        })
        .collect();
    images.sort_by(|a, b| (a.create_ms, &a.image_id).cmp(&(b.create_ms, &b.image_id)));
    let (items, total) = page(images, paging);
    let out: Vec<Value> = items.into_iter().map(wire::image).collect();
    Ok(json!({"images": out, "totalCount": total}))
}

/// GET /images/{id}/constraints.
pub fn constraints(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    Ok(json!({"imageConstraints": wire::image_constraint(visible(ctx, id)?)}))
}

/// GET /imageConstraints?ids.N=…: unknown ids are left out.
pub fn constraints_batch(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let ids = ctx.query.list("ids");
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|id| visible(ctx, id).ok())
        .map(wire::image_constraint)
        .collect();
    Ok(json!({"imageConstraints": out}))
}

/// GET /images/{id}/members.
pub fn members(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let image = own(ctx, id, "describeImageMembers")?;
    Ok(json!({"pins": image.shared_pins, "loginNames": image.shared_pins}))
}

/// :modifyImageAttribute — name, description of an own image.
pub fn modify(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let name = ctx.body.str("name")?;
    if let Some(n) = &name {
        check_image_name(n, 2)?;
    }
    let desc = ctx.body.str("description")?;
    if let Some(d) = &desc {
        check_description(d)?;
    }
    own(ctx, id, "modifyImageAttribute")?;
    if let Some(image) = ctx.cloud.images.get_mut(id) {
        if let Some(n) = name {
            image.name = n;
        }
        if let Some(d) = desc {
            image.desc = d;
        }
    }
    Ok(json!({}))
}

fn accounts(ctx: &Ctx<'_>) -> Result<Vec<String>, ApiError> {
    let mut all = ctx.body.strings("pins")?;
    all.extend(ctx.body.strings("loginNames")?);
    if all.is_empty() {
        return Err(ApiError::missing("pins"));
    }
    Ok(all)
}

/// :share — ready, not whole-machine, at most 20 accounts, never oneself.
pub fn share(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let who = accounts(ctx)?;
    let image = own(ctx, id, "shareImage")?.clone();
    if image.status != status::READY {
        return Err(ApiError::precondition(format!(
            "image {id} is {}; it must be ready",
            image.status
        )));
    }
    if !image.data_disks.is_empty() {
        return Err(ApiError::precondition(format!(
            "image {id} is a whole-machine image (with data disks); it cannot be shared"
        )));
    }
    let me = ctx.cloud.owner_pin.clone();
    if who.iter().any(|w| *w == me || *w == ctx.cloud.login_name) {
        return Err(ApiError::invalid(
            "an image cannot be shared with its own account",
        ));
    }
    let mut pins = image.shared_pins.clone();
    for w in who {
        if !pins.contains(&w) {
            pins.push(w);
        }
    }
    if pins.len() > MAX_SHARES {
        return Err(ApiError::quota(format!(
            "Quota exceeded: an image can be shared with at most {MAX_SHARES} accounts"
        )));
    }
    if let Some(image) = ctx.cloud.images.get_mut(id) {
        image.shared_pins = pins;
    }
    Ok(json!({}))
}

/// :unshare.
pub fn unshare(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let who = accounts(ctx)?;
    own(ctx, id, "unShareImage")?;
    if let Some(image) = ctx.cloud.images.get_mut(id) {
        image.shared_pins.retain(|p| !who.contains(p));
    }
    Ok(json!({}))
}
