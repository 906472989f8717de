//! Data disks, network interfaces and elastic IPs on an instance.

use super::ctx::{require_state, Ctx};
use super::errors::ApiError;
use super::instances::{data_disk_limit, device_target, next_device};
use super::model::{DataDisk, Task};
use super::store::status;
use serde_json::{json, Value};

/// :attachDisk — the disk goes `attaching` → `attached` (an instance task meanwhile).
pub fn attach_disk(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let disk_id = ctx.body.required_str("diskId")?;
    let device = ctx.body.str("deviceName")?;
    let auto_delete = ctx.body.bool("autoDelete")?.unwrap_or(false);
    let until = ctx.now + ctx.transition_ms;
    let region = ctx.region.clone();
    let instance = device_target(ctx, id, "attachDisk")?.clone();
    let disk = ctx
        .cloud
        .disks
        .get(&disk_id)
        .filter(|d| d.region == region)
        .ok_or_else(|| ApiError::not_found("disk", &disk_id))?;
    if disk.instance_id == id {
        return Err(ApiError::precondition(format!(
            "disk {disk_id} already attached to instance {id}"
        )));
    }
    if !disk.instance_id.is_empty() || disk.status != "available" {
        return Err(ApiError::precondition(format!(
            "disk {disk_id} is {}; only an available disk can be attached",
            disk.status
        )));
    }
    if disk.az != instance.az {
        return Err(ApiError::precondition(format!(
            "disk {disk_id} is in {} and instance {id} in {}; they must be in the same az",
            disk.az, instance.az
        )));
    }
    let itype = ctx
        .cloud
        .instance_types
        .iter()
        .find(|t| t.instance_type == instance.instance_type);
    let limit = data_disk_limit(&instance.system_disk.category, itype);
    let live: Vec<String> = instance
        .data_disks
        .iter()
        .filter(|d| d.status != "detached")
        .map(|d| d.device_name.clone())
        .collect();
    if live.len() >= limit {
        return Err(ApiError::precondition(format!(
            "instance {id} already has {} data disks, the most it can have",
            live.len()
        )));
    }
    let device = match device {
        Some(d) if d == "vda" => {
            return Err(ApiError::invalid(
                "deviceName vda is the system disk; data disks use vdb to vdbm",
            ))
        }
        Some(d) if live.contains(&d) => {
            return Err(ApiError::precondition(format!(
                "device {d} of instance {id} is in use"
            )))
        }
        Some(d) if d.starts_with("vd") && d.len() >= 3 => d,
        Some(d) => return Err(ApiError::invalid(format!("invalid deviceName {d:?}"))),
        None => next_device(&live),
    };
    if let Some(disk) = ctx.cloud.disks.get_mut(&disk_id) {
        disk.status = "in-use".into();
        disk.instance_id = id.to_string();
    }
    let instance = ctx.cloud.instance_mut(&region, id)?;
    instance.data_disks.retain(|d| d.disk_id != disk_id);
    instance.data_disks.push(DataDisk {
        disk_id,
        device_name: device,
        auto_delete,
        status: "attaching".into(),
        until_ms: Some(until),
    });
    Ok(json!({}))
}

/// :detachDisk — `detaching` → `detached` (kept listed a while), then the disk is available.
pub fn detach_disk(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let disk_id = ctx.body.required_str("diskId")?;
    ctx.body.bool("force")?;
    let until = ctx.now + ctx.transition_ms;
    let instance = device_target(ctx, id, "detachDisk")?;
    if instance.system_disk.disk_id == disk_id {
        return Err(ApiError::precondition(format!(
            "disk {disk_id} is the system disk of instance {id}; the simulator only detaches data disks"
        )));
    }
    let attached = instance
        .data_disks
        .iter_mut()
        .find(|d| d.disk_id == disk_id && d.status == "attached")
        .ok_or_else(|| {
            ApiError::precondition(format!("disk {disk_id} is not attached to instance {id}"))
        })?;
    attached.status = "detaching".into();
    attached.until_ms = Some(until);
    Ok(json!({}))
}

/// :modifyInstanceDiskAttribute — `autoDelete` of attached data disks.
pub fn modify_disk_attribute(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let specs = ctx.body.objects("dataDisks")?;
    let mut changes = Vec::new();
    for s in &specs {
        let disk_id = s.required_str("diskId")?;
        let auto = s
            .bool("autoDelete")?
            .ok_or_else(|| ApiError::missing("dataDisks.autoDelete"))?;
        changes.push((disk_id, auto));
    }
    let instance = ctx.cloud.instance_mut(&ctx.region, id)?;
    if instance.status == status::DELETING {
        return Err(ApiError::precondition(format!(
            "instance {id} is deleting; modifyInstanceDiskAttribute needs it not to be deleting"
        )));
    }
    for (disk_id, _) in &changes {
        if !instance
            .data_disks
            .iter()
            .any(|d| &d.disk_id == disk_id && d.status != "detached")
        {
            return Err(ApiError::precondition(format!(
                "disk {disk_id} is not a data disk of instance {id}"
            )));
        }
    }
    for (disk_id, auto) in changes {
        for d in instance
            .data_disks
            .iter_mut()
            .filter(|d| d.disk_id == disk_id)
        {
            d.auto_delete = auto;
        }
    }
    Ok(json!({}))
}

/// :attachNetworkInterface — a spare secondary NIC in the instance's VPC, within `nicLimit`.
pub fn attach_nic(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let nic_id = ctx.body.required_str("networkInterfaceId")?;
    let auto_delete = ctx.body.bool("autoDelete")?.unwrap_or(false);
    let region = ctx.region.clone();
    let instance = device_target(ctx, id, "attachNetworkInterface")?.clone();
    let nic = ctx
        .cloud
        .network_interfaces
        .get(&nic_id)
        .filter(|n| n.region == region)
        .ok_or_else(|| ApiError::not_found("networkInterface", &nic_id))?;
    if nic.instance_id == id {
        return Err(ApiError::precondition(format!(
            "network interface {nic_id} already attached to instance {id}"
        )));
    }
    if !nic.instance_id.is_empty() {
        return Err(ApiError::precondition(format!(
            "network interface {nic_id} is already attached to instance {}",
            nic.instance_id
        )));
    }
    if nic.role == "Primary" {
        return Err(ApiError::precondition(format!(
            "network interface {nic_id} is a primary network interface; only secondary ones can be attached"
        )));
    }
    if nic.vpc_id != instance.vpc_id {
        return Err(ApiError::precondition(format!(
            "network interface {nic_id} is in {} and instance {id} in {}; they must be in the same vpc",
            nic.vpc_id, instance.vpc_id
        )));
    }
    if let Some(eip) = ctx.cloud.elastic_ips.get(&nic.elastic_ip_id) {
        if !eip.az.is_empty() && eip.az != instance.az {
            return Err(ApiError::precondition(format!(
                "elastic IP {} of network interface {nic_id} is in {}; the instance is in {}",
                eip.elastic_ip_id, eip.az, instance.az
            )));
        }
    }
    let limit = ctx
        .cloud
        .instance_types
        .iter()
        .find(|t| t.instance_type == instance.instance_type)
        .map(|t| t.nic_limit)
        .unwrap_or(1);
    if 1 + instance.secondary_nics.len() >= limit {
        return Err(ApiError::precondition(format!(
            "instance {id} already has {} network interfaces; instance type {} allows {limit}",
            1 + instance.secondary_nics.len(),
            instance.instance_type
        )));
    }
    let used: Vec<i64> = instance
        .secondary_nics
        .iter()
        .filter_map(|n| ctx.cloud.network_interfaces.get(n))
        .map(|n| n.device_index)
        .collect();
    let index = (2..).find(|i| !used.contains(i)).unwrap_or(2);
    if let Some(nic) = ctx.cloud.network_interfaces.get_mut(&nic_id) {
        nic.instance_id = id.to_string();
        nic.device_index = index;
        nic.auto_delete = auto_delete;
    }
    ctx.cloud
        .instance_mut(&region, id)?
        .secondary_nics
        .push(nic_id);
    Ok(json!({}))
}

/// :detachNetworkInterface — never the primary NIC.
pub fn detach_nic(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let nic_id = ctx.body.required_str("networkInterfaceId")?;
    let instance = device_target(ctx, id, "detachNetworkInterface")?;
    if instance.primary_nic == nic_id {
        return Err(ApiError::precondition(format!(
            "network interface {nic_id} is the primary network interface of instance {id}; it cannot be detached"
        )));
    }
    if !instance.secondary_nics.contains(&nic_id) {
        return Err(ApiError::precondition(format!(
            "network interface {nic_id} is not attached to instance {id}"
        )));
    }
    instance.secondary_nics.retain(|n| *n != nic_id);
    if let Some(nic) = ctx.cloud.network_interfaces.get_mut(&nic_id) {
        nic.instance_id.clear();
        nic.device_index = 0;
        nic.auto_delete = false;
    }
    Ok(json!({}))
}

/// :modifyInstanceNetworkAttribute — `autoDelete` of secondary NICs.
pub fn modify_nic_attribute(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let specs = ctx.body.objects("networks")?;
    if specs.is_empty() {
        return Err(ApiError::missing("networks"));
    }
    let mut changes = Vec::new();
    for s in &specs {
        let nic_id = s.required_str("networkInterfaceId")?;
        let auto = s
            .bool("autoDelete")?
            .ok_or_else(|| ApiError::missing("networks.autoDelete"))?;
        changes.push((nic_id, auto));
    }
    let instance = ctx.cloud.instance(&ctx.region, id)?;
    for (nic_id, _) in &changes {
        if *nic_id == instance.primary_nic {
            return Err(ApiError::precondition(format!(
                "network interface {nic_id} is the primary network interface of instance {id}; it cannot be modified"
            )));
        }
        if !instance.secondary_nics.contains(nic_id) {
            return Err(ApiError::precondition(format!(
                "network interface {nic_id} is not attached to instance {id}"
            )));
        }
    }
    for (nic_id, auto) in changes {
        if let Some(nic) = ctx.cloud.network_interfaces.get_mut(&nic_id) {
            nic.auto_delete = auto;
        }
    }
    Ok(json!({}))
}

/// :associateElasticIp — one EIP on the primary NIC's primary IP.
pub fn associate_eip(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let eip_id = ctx.body.required_str("elasticIpId")?;
    let instance = ctx.cloud.instance(&ctx.region, id)?.clone();
    require_state(
        &instance,
        "associateElasticIp",
        &[status::RUNNING, status::STOPPED],
    )?;
    let eip = ctx
        .cloud
        .elastic_ips
        .get(&eip_id)
        .filter(|e| e.region == ctx.region)
        .ok_or_else(|| ApiError::not_found("elasticIp", &eip_id))?;
    let nic = ctx
        .cloud
        .network_interfaces
        .get(&instance.primary_nic)
        .ok_or_else(|| ApiError::not_found("networkInterface", &instance.primary_nic))?;
    if !nic.elastic_ip_id.is_empty() {
        return Err(ApiError::precondition(format!(
            "instance {id} already has elastic IP {} bound; only one is allowed",
            nic.elastic_ip_id
        )));
    }
    if !eip.instance_id.is_empty() || !eip.network_interface_id.is_empty() {
        return Err(ApiError::precondition(format!(
            "elastic IP {eip_id} is already bound to {}",
            if eip.instance_id.is_empty() {
                &eip.network_interface_id
            } else {
                &eip.instance_id
            }
        )));
    }
    if !eip.az.is_empty() && eip.az != instance.az {
        return Err(ApiError::precondition(format!(
            "elastic IP {eip_id} is in {} and instance {id} in {}; they must be in the same az",
            eip.az, instance.az
        )));
    }
    let ip = nic.primary_ip.clone();
    let nic_id = nic.network_interface_id.clone();
    if let Some(eip) = ctx.cloud.elastic_ips.get_mut(&eip_id) {
        eip.instance_id = id.to_string();
        eip.network_interface_id = nic_id.clone();
        eip.private_ip_address = ip;
    }
    if let Some(nic) = ctx.cloud.network_interfaces.get_mut(&nic_id) {
        nic.elastic_ip_id = eip_id;
    }
    Ok(json!({}))
}

/// :disassociateElasticIp — the EIP bound to the primary NIC.
pub fn disassociate_eip(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let eip_id = ctx.body.required_str("elasticIpId")?;
    let instance = ctx.cloud.instance(&ctx.region, id)?.clone();
    if instance.status == status::DELETING {
        return Err(ApiError::precondition(format!(
            "instance {id} is deleting; disassociateElasticIp needs it not to be deleting"
        )));
    }
    if ctx
        .cloud
        .elastic_ips
        .get(&eip_id)
        .is_none_or(|e| e.region != ctx.region)
    {
        return Err(ApiError::not_found("elasticIp", &eip_id));
    }
    let bound = ctx
        .cloud
        .network_interfaces
        .get(&instance.primary_nic)
        .is_some_and(|n| n.elastic_ip_id == eip_id);
    if !bound {
        return Err(ApiError::precondition(format!(
            "elastic IP {eip_id} is not bound to instance {id}"
        )));
    }
    if let Some(nic) = ctx.cloud.network_interfaces.get_mut(&instance.primary_nic) {
        nic.elastic_ip_id.clear();
    }
    if let Some(eip) = ctx.cloud.elastic_ips.get_mut(&eip_id) {
        eip.instance_id.clear();
        eip.network_interface_id.clear();
        eip.private_ip_address.clear();
    }
    Ok(json!({}))
}

/// A task on an instance that ends with a transition (image creation).
pub fn start_task(ctx: &mut Ctx<'_>, id: &str, name: &str) {
    let until = ctx.now + ctx.transition_ms;
    if let Some(i) = ctx.cloud.instances.get_mut(id) {
        i.task = Some(Task {
            name: name.into(),
            until_ms: until,
        });
    }
}
