//! Instance operations: create, describe (one, many, status, private IPs),
//! start, stop, reboot, rebuild, resize, delete, rename, password, VNC.

use super::ctx::{
    check_description, check_hostname, check_instance_name, check_password, require_no_task,
    require_state, Ctx,
};
use super::errors::ApiError;
use super::model::{
    DataDisk, Disk, ElasticIp, Image, Instance, InstanceType, NetworkInterface, SystemDisk, GONE,
};
use super::query::{page, Body, Filter};
use super::store::{in_cidr, new_id, new_mac, status};
use super::wire;
use rand::Rng;
use serde_json::{json, Value};

/// The filters describeInstances accepts (reference 1.7).
const INSTANCE_FILTERS: &[&str] = &[
    "instanceId",
    "az",
    "vpcId",
    "status",
    "imageId",
    "networkInterfaceId",
    "subnetId",
    "dedicatedHostId",
    "dedicatedPoolId",
    "instanceType",
    "privateIpAddress",
    "name",
    "agId",
    "faultDomain",
    "elasticIpAddress",
];

/// describeInstanceStatus / describeInstancePrivateIpAddress: the same minus a few.
const STATUS_FILTERS: &[&str] = &[
    "instanceId",
    "vpcId",
    "status",
    "imageId",
    "networkInterfaceId",
    "subnetId",
    "privateIpAddress",
    "name",
    "agId",
    "faultDomain",
];

/// Data disk limits by system disk category (seed: local 8, cloud 7).
pub fn data_disk_limit(category: &str, itype: Option<&InstanceType>) -> usize {
    let seed = if category == "local" { 8 } else { 7 };
    let by_type = itype
        .map(|t| t.cloud_disk_count_limit - usize::from(category == "cloud"))
        .unwrap_or(seed);
    seed.min(by_type)
}

/// The image, if the caller may use it in `region` (public, own private, shared with it).
pub fn usable_image<'a>(ctx: &'a Ctx<'_>, id: &str) -> Result<&'a Image, ApiError> {
    let image = ctx
        .cloud
        .images
        .get(id)
        .filter(|i| i.region.is_empty() || i.region == ctx.region)
        .ok_or_else(|| ApiError::not_found("image", id))?;
    if image.status != status::READY {
        return Err(ApiError::precondition(format!(
            "image {id} is {}; it must be ready",
            image.status
        )));
    }
    Ok(image)
}

/// The instance type, if it exists and is in stock.
pub fn usable_type<'a>(ctx: &'a Ctx<'_>, name: &str) -> Result<&'a InstanceType, ApiError> {
    let t = ctx
        .cloud
        .instance_types
        .iter()
        .find(|t| t.instance_type == name)
        .ok_or_else(|| ApiError::not_found("instanceType", name))?;
    if t.sold_out {
        return Err(ApiError::precondition(format!(
            "instance type {name} is sold out"
        )));
    }
    Ok(t)
}

/// Whether an image may run on an instance type (its constraints).
pub fn check_constraint(image: &Image, itype: &str) -> Result<(), ApiError> {
    if image.excluded_types.iter().any(|t| t == itype) {
        return Err(ApiError::precondition(format!(
            "image {} does not support instance type {itype}",
            image.image_id
        )));
    }
    Ok(())
}

const DATA_DISK_TYPES: &[&str] = &[
    "ssd",
    "premium-hdd",
    "ssd.gp1",
    "ssd.io1",
    "hdd.std1",
    "ssd.io2",
    "ssd.gp2",
];

/// A data disk to make with an instance.
struct DataDiskSpec {
    disk_type: String,
    size: i64,
    auto_delete: bool,
    device: String,
    name: String,
    snapshot_id: String,
}

/// A data disk's type and size, checked against the seed's ranges.
fn check_data_disk(spec: &Body) -> Result<DataDiskSpec, ApiError> {
    if let Some(category) = spec.str("diskCategory")? {
        if category != "cloud" {
            return Err(ApiError::invalid(format!(
                "invalid dataDisks.diskCategory {category:?}: data disks must be cloud"
            )));
        }
    }
    let auto_delete = spec.bool("autoDelete")?.unwrap_or(true);
    let device = spec.str("deviceName")?.unwrap_or_default();
    let cloud = spec
        .object("cloudDiskSpec")?
        .ok_or_else(|| ApiError::missing("dataDisks.cloudDiskSpec"))?;
    let disk_type = cloud.required_str("diskType")?;
    if !DATA_DISK_TYPES.contains(&disk_type.as_str()) {
        return Err(ApiError::invalid(format!("invalid diskType {disk_type:?}")));
    }
    let size = cloud
        .int("diskSizeGB")?
        .ok_or_else(|| ApiError::missing("dataDisks.cloudDiskSpec.diskSizeGB"))?;
    let (min, max, step) = match disk_type.as_str() {
        "premium-hdd" => (20, 3000, 10),
        "ssd" => (20, 1000, 10),
        _ => (20, 16000, 1),
    };
    if !(min..=max).contains(&size) || size % step != 0 {
        return Err(ApiError::invalid(format!(
            "invalid diskSizeGB {size} for {disk_type}: {min}-{max} GB in steps of {step} GB"
        )));
    }
    Ok(DataDiskSpec {
        disk_type,
        size,
        auto_delete,
        device,
        name: cloud.str("name")?.unwrap_or_default(),
        snapshot_id: cloud.str("snapshotId")?.unwrap_or_default(),
    })
}

/// `vdb`, `vdc`, … : the first data-disk device name not in use.
pub fn next_device(used: &[String]) -> String {
    for c in b'b'..=b'z' {
        let name = format!("vd{}", char::from(c));
        if !used.contains(&name) {
            return name;
        }
    }
    "vdz".into()
}

/// POST /instances: createInstances.
pub fn create(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let spec = ctx
        .body
        .object("instanceSpec")?
        .ok_or_else(|| ApiError::missing("instanceSpec"))?;
    let max_count = ctx.body.int("maxCount")?.unwrap_or(1);
    if !(1..=100).contains(&max_count) {
        return Err(ApiError::invalid(format!(
            "invalid maxCount {max_count}: must be between 1 and 100"
        )));
    }
    let token = ctx.body.str("clientToken")?.unwrap_or_default();
    if token.chars().count() > 64 {
        return Err(ApiError::invalid(
            "invalid clientToken: at most 64 characters",
        ));
    }
    if !token.is_empty() {
        if let Some(ids) = ctx.cloud.client_tokens.get(&token) {
            return Ok(json!({"instanceIds": ids}));
        }
    }
    if spec.value("instanceTemplateId").is_some() || spec.value("agId").is_some() {
        return Err(ApiError::invalid(
            "instanceTemplateId and agId are not supported by the simulator; give a plain instanceSpec",
        ));
    }
    let az = spec.required_str("az")?;
    if !super::model::azs(&ctx.region).contains(&az) {
        return Err(ApiError::invalid(format!(
            "invalid az {az:?} for region {}",
            ctx.region
        )));
    }
    let type_name = spec.required_str("instanceType")?;
    let itype = usable_type(ctx, &type_name)?.clone();
    let image_id = spec.required_str("imageId")?;
    let image = usable_image(ctx, &image_id)?.clone();
    check_constraint(&image, &type_name)?;
    let windows = image.os_type == "windows";
    let name = spec.required_str("name")?;
    check_instance_name(&name)?;
    let description = spec.str("description")?.unwrap_or_default();
    check_description(&description)?;
    let hostname = spec.str("hostname")?.unwrap_or_default();
    if !hostname.is_empty() {
        check_hostname(&hostname, windows)?;
    }
    if let Some(password) = spec.str("password")? {
        check_password(&password)?;
    }
    let key_names = spec.strings("keyNames")?;
    if key_names.len() > 1 {
        return Err(ApiError::invalid("keyNames: at most one key"));
    }
    if !key_names.is_empty() && windows {
        return Err(ApiError::invalid(
            "keyNames: only Linux instances can use a key",
        ));
    }
    for k in &key_names {
        if !ctx.cloud.keypairs.contains(k) {
            return Err(ApiError::not_found("keypair", k));
        }
    }
    let tags: Vec<(String, String)> = spec
        .objects("userTags")?
        .iter()
        .map(|t| Ok((t.required_str("key")?, t.str("value")?.unwrap_or_default())))
        .collect::<Result<_, ApiError>>()?;
    if tags.len() > 10 {
        return Err(ApiError::invalid("userTags: at most 10 tags"));
    }
    let charge_on_stopped = spec
        .str("chargeOnStopped")?
        .unwrap_or_else(|| "keepCharging".into());

    // Network: the primary NIC's subnet, address and security groups.
    let nic_spec = spec
        .object("primaryNetworkInterface")?
        .and_then(|p| p.object("networkInterface").ok().flatten())
        .ok_or_else(|| ApiError::missing("primaryNetworkInterface.networkInterface.subnetId"))?;
    let subnet_id = nic_spec
        .str("subnetId")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing("primaryNetworkInterface.networkInterface.subnetId"))?;
    let subnet = ctx
        .cloud
        .subnets
        .iter()
        .find(|s| s.subnet_id == subnet_id && s.region == ctx.region)
        .cloned()
        .ok_or_else(|| ApiError::not_found("subnet", &subnet_id))?;
    let primary_ip = nic_spec.str("primaryIpAddress")?;
    if let Some(ip) = &primary_ip {
        if max_count != 1 {
            return Err(ApiError::invalid(
                "maxCount must be 1 when primaryIpAddress is given",
            ));
        }
        if !in_cidr(ip, &subnet.address_prefix) {
            return Err(ApiError::invalid(format!(
                "invalid primaryIpAddress {ip}: not in subnet {subnet_id} ({})",
                subnet.address_prefix
            )));
        }
        if ctx.cloud.used_ips().contains(ip) {
            return Err(ApiError::precondition(format!(
                "primaryIpAddress {ip} is already in use"
            )));
        }
    }
    let mut groups = nic_spec.strings("securityGroups")?;
    if groups.len() > 5 {
        return Err(ApiError::invalid("securityGroups: at most 5"));
    }
    for g in &groups {
        let group = ctx
            .cloud
            .security_groups
            .iter()
            .find(|s| &s.group_id == g && s.region == ctx.region)
            .ok_or_else(|| ApiError::not_found("securityGroup", g))?;
        if group.vpc_id != subnet.vpc_id {
            return Err(ApiError::invalid(format!(
                "security group {g} is not in the subnet's VPC {}",
                subnet.vpc_id
            )));
        }
    }
    if groups.is_empty() {
        groups.extend(
            ctx.cloud
                .security_groups
                .iter()
                .find(|s| s.vpc_id == subnet.vpc_id && s.is_default)
                .map(|s| s.group_id.clone()),
        );
    }
    let nic_name = nic_spec.str("networkInterfaceName")?.unwrap_or_default();
    let sanity_check = nic_spec.int("sanityCheck")?.unwrap_or(1);

    // Elastic IP spec.
    let eip_spec = match spec.object("elasticIp")? {
        Some(e) => {
            let bw = e
                .int("bandwidthMbps")?
                .ok_or_else(|| ApiError::missing("elasticIp.bandwidthMbps"))?;
            if !(1..=100).contains(&bw) {
                return Err(ApiError::invalid(format!(
                    "invalid elasticIp.bandwidthMbps {bw}: must be between 1 and 100"
                )));
            }
            let provider = e.required_str("provider")?;
            if provider != "bgp" && provider != "no_bgp" {
                return Err(ApiError::invalid(format!(
                    "invalid elasticIp.provider {provider:?}: bgp or no_bgp"
                )));
            }
            Some((bw, provider))
        }
        None => None,
    };

    // System disk: category follows the image.
    let image_category = if image.root_device_type == "localDisk" {
        "local"
    } else {
        "cloud"
    };
    let sys = spec.object("systemDisk")?.unwrap_or_default();
    if let Some(category) = sys.str("diskCategory")? {
        if category != image_category {
            return Err(ApiError::invalid(format!(
                "invalid systemDisk.diskCategory {category:?}: image {image_id} needs {image_category}"
            )));
        }
    }
    let sys_cloud = sys.object("cloudDiskSpec")?;
    let (sys_type, sys_size) = if image_category == "local" {
        if sys_cloud
            .as_ref()
            .and_then(|c| c.value("diskSizeGB"))
            .is_some()
        {
            return Err(ApiError::invalid(
                "a local system disk cannot be given a size",
            ));
        }
        ("local".to_string(), 40)
    } else {
        let size = sys_cloud
            .as_ref()
            .map(|c| c.int("diskSizeGB"))
            .transpose()?
            .flatten()
            .unwrap_or(image.system_disk_size_gb.max(40));
        if !(40..=500).contains(&size) || size < image.system_disk_size_gb {
            return Err(ApiError::invalid(format!(
                "invalid systemDisk diskSizeGB {size}: 40-500 GB and at least the image's {} GB",
                image.system_disk_size_gb
            )));
        }
        let t = sys_cloud
            .as_ref()
            .map(|c| c.str("diskType"))
            .transpose()?
            .flatten()
            .unwrap_or_else(|| "ssd".into());
        (t, size)
    };
    let sys_auto_delete = sys.bool("autoDelete")?.unwrap_or(true);
    if !sys_auto_delete && image_category == "local" {
        return Err(ApiError::invalid(
            "a local system disk is always deleted with the instance; autoDelete cannot be false",
        ));
    }

    let data_specs = spec
        .objects("dataDisks")?
        .iter()
        .map(check_data_disk)
        .collect::<Result<Vec<_>, _>>()?;
    let limit = data_disk_limit(image_category, Some(&itype));
    if data_specs.len() > limit {
        return Err(ApiError::invalid(format!(
            "dataDisks: an instance with a {image_category} system disk of type {type_name} can have at most {limit} data disks"
        )));
    }

    // Quotas (per region): instances, vCPUs, memory (GB), local system disks.
    let existing: Vec<&Instance> = ctx
        .cloud
        .instances
        .values()
        .filter(|i| i.region == ctx.region)
        .collect();
    let used_cpu: i64 = existing
        .iter()
        .filter_map(|i| {
            ctx.cloud
                .instance_types
                .iter()
                .find(|t| t.instance_type == i.instance_type)
        })
        .map(|t| t.cpu)
        .sum();
    let used_mem: i64 = existing
        .iter()
        .filter_map(|i| {
            ctx.cloud
                .instance_types
                .iter()
                .find(|t| t.instance_type == i.instance_type)
        })
        .map(|t| t.memory_mb / 1024)
        .sum();
    let quota = |name: &str| ctx.cloud.quotas.get(name).copied().unwrap_or(i64::MAX);
    let used_count = i64::try_from(existing.len()).unwrap_or(i64::MAX);
    let used_local = existing
        .iter()
        .filter(|i| i.system_disk.category == "local")
        .count();
    let used_local = i64::try_from(used_local).unwrap_or(i64::MAX);
    let want_local = if image_category == "local" {
        max_count
    } else {
        0
    };
    for (name, used, want) in [
        ("instance", used_count, max_count),
        ("instance_local_disk", used_local, want_local),
        ("instance_cpu", used_cpu, itype.cpu * max_count),
        (
            "instance_memory",
            used_mem,
            itype.memory_mb / 1024 * max_count,
        ),
    ] {
        if want > 0 && used + want > quota(name) {
            return Err(ApiError::quota(format!(
                "Quota exceeded: {name} quota is {}, {used} used, {want} requested",
                quota(name)
            )));
        }
    }

    // Every address first, so a batch is made whole or not at all.
    let ips = match &primary_ip {
        Some(ip) => vec![ip.clone()],
        None => ctx
            .cloud
            .free_ips(
                &subnet.address_prefix,
                usize::try_from(max_count).unwrap_or(0),
            )
            .ok_or_else(|| {
                ApiError::precondition(format!(
                    "subnet {subnet_id} has fewer than {max_count} free addresses"
                ))
            })?,
    };
    let mut ids = Vec::new();
    for _ in 0..max_count {
        let id = loop {
            let id = new_id("i-");
            if !ctx.cloud.instances.contains_key(&id) {
                break id;
            }
        };
        let ip = ips.get(ids.len()).cloned().unwrap_or_default();
        let nic_id = new_id("port-");
        let mut nic = NetworkInterface {
            network_interface_id: nic_id.clone(),
            network_interface_name: nic_name.clone(),
            region: ctx.region.clone(),
            az: az.clone(),
            vpc_id: subnet.vpc_id.clone(),
            subnet_id: subnet_id.clone(),
            mac_address: new_mac(),
            primary_ip: ip.clone(),
            security_groups: groups.clone(),
            sanity_check,
            role: "Primary".into(),
            instance_id: id.clone(),
            device_index: 1,
            auto_delete: true,
            create_ms: ctx.now,
            ..NetworkInterface::default()
        };
        if let Some((bw, provider)) = &eip_spec {
            let eip_id = new_id("fip-");
            let address = ctx.cloud.free_public_ip();
            ctx.cloud.elastic_ips.insert(
                eip_id.clone(),
                ElasticIp {
                    elastic_ip_id: eip_id.clone(),
                    elastic_ip_address: address,
                    region: ctx.region.clone(),
                    az: az.clone(),
                    bandwidth_mbps: *bw,
                    provider: provider.clone(),
                    instance_id: id.clone(),
                    network_interface_id: nic_id.clone(),
                    private_ip_address: ip.clone(),
                    create_ms: ctx.now,
                },
            );
            nic.elastic_ip_id = eip_id;
        }
        ctx.cloud.network_interfaces.insert(nic_id.clone(), nic);
        let mut system_disk = SystemDisk {
            category: image_category.into(),
            disk_type: sys_type.clone(),
            disk_size_gb: sys_size,
            auto_delete: sys_auto_delete,
            ..SystemDisk::default()
        };
        if image_category == "cloud" {
            let disk_id = new_id("vol-");
            ctx.cloud.disks.insert(
                disk_id.clone(),
                Disk {
                    disk_id: disk_id.clone(),
                    name: format!("{name}-system"),
                    region: ctx.region.clone(),
                    az: az.clone(),
                    disk_type: sys_type.clone(),
                    disk_size_gb: sys_size,
                    status: "in-use".into(),
                    instance_id: id.clone(),
                    create_ms: ctx.now,
                    ..Disk::default()
                },
            );
            system_disk.disk_id = disk_id;
        }
        let mut data_disks = Vec::new();
        for d in &data_specs {
            let disk_id = new_id("vol-");
            ctx.cloud.disks.insert(
                disk_id.clone(),
                Disk {
                    disk_id: disk_id.clone(),
                    name: d.name.clone(),
                    region: ctx.region.clone(),
                    az: az.clone(),
                    disk_type: d.disk_type.clone(),
                    disk_size_gb: d.size,
                    status: "in-use".into(),
                    instance_id: id.clone(),
                    snapshot_id: d.snapshot_id.clone(),
                    create_ms: ctx.now,
                    ..Disk::default()
                },
            );
            let used: Vec<String> = data_disks
                .iter()
                .map(|d: &DataDisk| d.device_name.clone())
                .collect();
            data_disks.push(DataDisk {
                disk_id,
                device_name: if d.device.is_empty() {
                    next_device(&used)
                } else {
                    d.device.clone()
                },
                auto_delete: d.auto_delete,
                status: "attached".into(),
                until_ms: None,
            });
        }
        let fails = ctx.create_failure_rate > 0.0
            && rand::thread_rng().gen_bool(ctx.create_failure_rate.clamp(0.0, 1.0));
        let seq = ctx.cloud.next_seq();
        let instance = Instance {
            instance_id: id.clone(),
            seq,
            region: ctx.region.clone(),
            az: az.clone(),
            instance_name: name.clone(),
            hostname: if hostname.is_empty() {
                id.clone()
            } else {
                hostname.clone()
            },
            description: description.clone(),
            instance_type: type_name.clone(),
            image_id: image_id.clone(),
            status: status::PENDING.into(),
            transition: ctx.after(if fails {
                status::ERROR
            } else {
                status::RUNNING
            }),
            task: None,
            launch_ms: ctx.now,
            vpc_id: subnet.vpc_id.clone(),
            subnet_id: subnet_id.clone(),
            primary_nic: nic_id,
            secondary_nics: Vec::new(),
            system_disk,
            data_disks,
            key_names: key_names.clone(),
            os_type: image.os_type.clone(),
            charge_on_stopped: charge_on_stopped.clone(),
            password_changed_pending_reboot: false,
            tags: tags.clone(),
            metadata: Vec::new(),
            delete_elastic_ip: fails,
            failed_remove_at_ms: fails.then_some(ctx.now + 2 * ctx.transition_ms),
        };
        ctx.cloud.instances.insert(id.clone(), instance);
        ids.push(id);
    }
    if !token.is_empty() {
        ctx.cloud.client_tokens.insert(token, ids.clone());
    }
    Ok(json!({"instanceIds": ids}))
}

/// Instances of the region matching the filters (and tags), in creation order.
fn select<'a>(ctx: &'a Ctx<'_>, filters: &[Filter], tags: &[Filter]) -> Vec<&'a Instance> {
    let cloud = &*ctx.cloud;
    let mut out: Vec<&Instance> = cloud
        .instances
        .values()
        .filter(|i| i.region == ctx.region)
        .filter(|i| {
            let nic = cloud.network_interfaces.get(&i.primary_nic);
            let ip = nic.map(|n| n.primary_ip.clone()).unwrap_or_default();
            let eip = nic
                .and_then(|n| cloud.elastic_ips.get(&n.elastic_ip_id))
                .map(|e| e.elastic_ip_address.clone())
                .unwrap_or_default();
            let mut nic_ids = vec![i.primary_nic.clone()];
            nic_ids.extend(i.secondary_nics.iter().cloned());
            filters.iter().all(|f| match f.name.as_str() {
                "instanceId" => f.values.contains(&i.instance_id),
                "az" => f.values.contains(&i.az),
                "vpcId" => f.values.contains(&i.vpc_id),
                "status" => f.values.contains(&i.status),
                "imageId" => f.values.contains(&i.image_id),
                "subnetId" => f.values.contains(&i.subnet_id),
                "instanceType" => f.values.contains(&i.instance_type),
                "networkInterfaceId" => nic_ids.iter().any(|n| f.values.contains(n)),
                "privateIpAddress" => f.values.iter().any(|v| ip.contains(v.as_str())),
                "name" => f
                    .values
                    .iter()
                    .any(|v| i.instance_name.contains(v.as_str())),
                "elasticIpAddress" => f.values.contains(&eip),
                // No instance has an AG, a dedicated host or pool, or a fault domain.
                _ => false,
            })
        })
        .filter(|i| {
            tags.iter().all(|t| {
                i.tags
                    .iter()
                    .any(|(k, v)| *k == t.name && (t.values.is_empty() || t.values.contains(v)))
            })
        })
        .collect();
    out.sort_by_key(|i| i.seq);
    out
}

/// GET /instances: describeInstances.
pub fn describe_many(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(INSTANCE_FILTERS)?;
    let tags = tags_filter(ctx)?;
    let (items, total) = page(select(ctx, &filters, &tags), paging);
    let instances: Vec<Value> = items.iter().map(|i| wire::instance(ctx.cloud, i)).collect();
    Ok(json!({"instances": instances, "totalCount": total}))
}

fn tags_filter(ctx: &Ctx<'_>) -> Result<Vec<Filter>, ApiError> {
    // TagFilter values are optional (a key alone matches any value).
    let mut out = Vec::new();
    let mut i = 1;
    while let Some(key) = ctx.query.get(&format!("tags.{i}.key")) {
        out.push(Filter {
            name: key.to_string(),
            values: ctx.query.list(&format!("tags.{i}.values")),
        });
        i += 1;
    }
    Ok(out)
}

/// GET /instanceStatus: describeInstanceStatus.
pub fn describe_status(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(STATUS_FILTERS)?;
    let (items, total) = page(select(ctx, &filters, &[]), paging);
    let statuses: Vec<Value> = items
        .iter()
        .map(|i| json!({"instanceId": i.instance_id, "status": i.status}))
        .collect();
    Ok(json!({"instanceStatuses": statuses, "totalCount": total}))
}

/// GET /instancePrivateIpAddress: describeInstancePrivateIpAddress.
pub fn describe_private_ips(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(STATUS_FILTERS)?;
    let (items, total) = page(select(ctx, &filters, &[]), paging);
    let ips: Vec<Value> = items
        .iter()
        .map(|i| {
            let ip = ctx
                .cloud
                .network_interfaces
                .get(&i.primary_nic)
                .map(|n| n.primary_ip.clone())
                .unwrap_or_default();
            json!({"instanceId": i.instance_id, "privateIpAddress": ip})
        })
        .collect();
    Ok(json!({"instancePrivateIpAddress": ips, "totalCount": total}))
}

/// GET /instances/{id}: describeInstance.
pub fn describe_one(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let instance = ctx.cloud.instance(&ctx.region, id)?;
    Ok(json!({"instance": wire::instance(ctx.cloud, instance)}))
}

/// Moves an instance from one of `allowed` through `transient` to `end`.
fn lifecycle(
    ctx: &mut Ctx<'_>,
    id: &str,
    op: &str,
    allowed: &[&str],
    transient: &str,
    end: &str,
) -> Result<Value, ApiError> {
    let transition = ctx.after(end);
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    require_state(instance, op, allowed)?;
    instance.status = transient.into();
    instance.transition = transition;
    Ok(json!({}))
}

/// :startInstance — stopped → starting → running.
pub fn start(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    lifecycle(
        ctx,
        id,
        "startInstance",
        &[status::STOPPED],
        status::STARTING,
        status::RUNNING,
    )?;
    if let Some(i) = ctx.cloud.instances.get_mut(id) {
        i.password_changed_pending_reboot = false;
    }
    Ok(json!({}))
}

/// :stopInstance — running → stopping → stopped.
pub fn stop(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let charge = ctx.body.str("chargeOnStopped")?;
    if let Some(c) = &charge {
        if c != "keepCharging" && c != "stopCharging" {
            return Err(ApiError::invalid(format!(
                "invalid chargeOnStopped {c:?}: keepCharging or stopCharging"
            )));
        }
    }
    lifecycle(
        ctx,
        id,
        "stopInstance",
        &[status::RUNNING],
        status::STOPPING,
        status::STOPPED,
    )?;
    if let (Some(c), Some(i)) = (charge, ctx.cloud.instances.get_mut(id)) {
        i.charge_on_stopped = c;
    }
    Ok(json!({}))
}

/// :rebootInstance — running → rebooting → running.
pub fn reboot(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    lifecycle(
        ctx,
        id,
        "rebootInstance",
        &[status::RUNNING],
        status::REBOOTING,
        status::RUNNING,
    )?;
    if let Some(i) = ctx.cloud.instances.get_mut(id) {
        i.password_changed_pending_reboot = false;
    }
    Ok(json!({}))
}

/// :rebuildInstance — stopped → rebuilding → stopped, optionally with another image.
pub fn rebuild(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let current = ctx.cloud.instance(&ctx.region, id)?.clone();
    require_state(&current, "rebuildInstance", &[status::STOPPED])?;
    let image_id = ctx.body.str("imageId")?.unwrap_or(current.image_id.clone());
    let image = usable_image(ctx, &image_id)?.clone();
    let wanted = if current.system_disk.category == "local" {
        "localDisk"
    } else {
        "cloudDisk"
    };
    if image.root_device_type != wanted {
        return Err(ApiError::precondition(format!(
            "image {image_id} is a {} image; an instance with a {} system disk needs a {wanted} image",
            image.root_device_type, current.system_disk.category
        )));
    }
    check_constraint(&image, &current.instance_type)?;
    if let Some(p) = ctx.body.str("password")? {
        check_password(&p)?;
    }
    let keys = ctx.body.strings("keyNames")?;
    if keys.len() > 1 || (!keys.is_empty() && image.os_type == "windows") {
        return Err(ApiError::invalid("keyNames: one key, Linux only"));
    }
    for k in &keys {
        if !ctx.cloud.keypairs.contains(k) {
            return Err(ApiError::not_found("keypair", k));
        }
    }
    if let Some(h) = ctx.body.str("hostname")? {
        check_hostname(&h, image.os_type == "windows")?;
    }
    for (name, allowed) in [
        ("passWordAuth", ["yes", "no"]),
        ("imageInherit", ["yes", "no"]),
    ] {
        if let Some(v) = ctx.body.str(name)? {
            if !allowed.contains(&v.as_str()) {
                return Err(ApiError::invalid(format!(
                    "invalid {name} {v:?}: yes or no"
                )));
            }
        }
    }
    let hostname = ctx.body.str("hostname")?;
    let transition = ctx.after(status::STOPPED);
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    instance.status = status::REBUILDING.into();
    instance.transition = transition;
    instance.image_id = image_id;
    instance.os_type = image.os_type;
    if !keys.is_empty() {
        instance.key_names = keys;
    }
    if let Some(h) = hostname {
        instance.hostname = h;
    }
    Ok(json!({}))
}

/// :resizeInstance — stopped → resizing → stopped with the new type.
pub fn resize(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let type_name = ctx.body.required_str("instanceType")?;
    let current = ctx.cloud.instance(&ctx.region, id)?.clone();
    require_state(&current, "resizeInstance", &[status::STOPPED])?;
    if type_name == current.instance_type {
        return Err(ApiError::invalid(format!(
            "instance {id} is already of type {type_name}"
        )));
    }
    let new = usable_type(ctx, &type_name)?.clone();
    let old_generation = ctx
        .cloud
        .instance_types
        .iter()
        .find(|t| t.instance_type == current.instance_type)
        .map(|t| t.generation)
        .unwrap_or(new.generation);
    if current.system_disk.category == "local" && old_generation != new.generation {
        return Err(ApiError::precondition(format!(
            "an instance with a local system disk cannot change between generation {old_generation} and generation {} instance types",
            new.generation
        )));
    }
    let nics = 1 + current.secondary_nics.len();
    if nics > new.nic_limit {
        return Err(ApiError::precondition(format!(
            "instance {id} has {nics} network interfaces; instance type {type_name} allows {}",
            new.nic_limit
        )));
    }
    let disks = current
        .data_disks
        .iter()
        .filter(|d| d.status != "detached")
        .count();
    let limit = data_disk_limit(&current.system_disk.category, Some(&new));
    if disks > limit {
        return Err(ApiError::precondition(format!(
            "instance {id} has {disks} data disks; instance type {type_name} allows {limit}"
        )));
    }
    if let Some(image) = ctx.cloud.images.get(&current.image_id) {
        check_constraint(image, &type_name)?;
    }
    let transition = ctx.after(status::STOPPED);
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    instance.status = status::RESIZING.into();
    instance.transition = transition;
    instance.instance_type = type_name;
    Ok(json!({}))
}

/// DELETE /instances/{id}: running, stopped or error → deleting → gone.
pub fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let delete_eip = ctx
        .query
        .bool("deletePrimaryNetworkInterfaceAllElasticIp")?
        .unwrap_or(false);
    let transition = ctx.after(GONE);
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    require_state(
        instance,
        "deleteInstance",
        &[status::RUNNING, status::STOPPED, status::ERROR],
    )?;
    instance.status = status::DELETING.into();
    instance.transition = transition;
    instance.delete_elastic_ip = delete_eip;
    Ok(json!({}))
}

/// :modifyInstanceAttribute — name, description, hostname.
pub fn modify_attribute(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let name = ctx.body.str("name")?;
    let description = ctx.body.str("description")?;
    let hostname = ctx.body.str("hostname")?;
    if let Some(n) = &name {
        check_instance_name(n)?;
    }
    if let Some(d) = &description {
        check_description(d)?;
    }
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    if instance.status == status::DELETING {
        return Err(ApiError::precondition(format!(
            "instance {id} is deleting; modifyInstanceAttribute needs it not to be deleting"
        )));
    }
    if let Some(h) = &hostname {
        check_hostname(h, instance.os_type == "windows")?;
    }
    if let Some(n) = name {
        instance.instance_name = n;
    }
    if let Some(d) = description {
        instance.description = d;
    }
    if let Some(h) = hostname {
        instance.hostname = h;
    }
    Ok(json!({}))
}

/// :modifyInstancePassword — no task in progress; effective after a reboot.
pub fn modify_password(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let password = ctx.body.required_str("password")?;
    check_password(&password)?;
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    require_state(
        instance,
        "modifyInstancePassword",
        &[status::RUNNING, status::STOPPED],
    )?;
    instance.password_changed_pending_reboot = true;
    Ok(json!({}))
}

/// GET /instances/{id}/vnc: running instances only.
pub fn vnc(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let instance = ctx.cloud.instance(&ctx.region, id)?;
    require_state(instance, "describeInstanceVncUrl", &[status::RUNNING])?;
    let token = new_id("");
    Ok(json!({
        "vncUrl": format!("https://vnc.jdcloud-api.com/vnc?instanceId={id}&token={token}")
    }))
}

/// Checks a disk/NIC operation's instance: running or stopped, no task.
pub fn device_target<'a>(
    ctx: &'a mut Ctx<'_>,
    id: &str,
    op: &str,
) -> Result<&'a mut Instance, ApiError> {
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    require_state(instance, op, &[status::RUNNING, status::STOPPED])?;
    require_no_task(instance)?;
    Ok(instance)
}
