//! Objects as the API shows them (reference 1.8; VPC objects as the VPC
//! service's list calls return them).

use super::model::{
    Cloud, Disk, ElasticIp, Image, Instance, InstanceType, NetworkInterface, Subnet,
};
use super::store::iso;
use serde_json::{json, Value};

pub fn disk(disk: Option<&Disk>, fallback_id: &str) -> Value {
    match disk {
        Some(d) => json!({
            "diskId": d.disk_id,
            "az": d.az,
            "name": d.name,
            "description": d.description,
            "diskType": d.disk_type,
            "diskSizeGB": d.disk_size_gb,
            "iops": 0,
            "throughput": 0,
            "status": d.status,
            "attachments": if d.instance_id.is_empty() { json!([]) } else { json!([{"instanceId": d.instance_id}]) },
            "snapshotId": d.snapshot_id,
            "multiAttachable": false,
            "encrypted": false,
            "enabled": true,
            "createTime": iso(d.create_ms),
            "charge": charge(d.create_ms),
            "tags": [],
        }),
        None => json!({"diskId": fallback_id}),
    }
}

fn charge(ms: i64) -> Value {
    json!({
        "chargeMode": "postpaid_by_duration",
        "chargeStatus": "normal",
        "chargeStartTime": iso(ms),
        "chargeExpiredTime": "",
        "chargeRetireTime": "",
    })
}

pub fn nic_attachment(cloud: &Cloud, nic_id: &str) -> Value {
    let Some(nic) = cloud.network_interfaces.get(nic_id) else {
        return Value::Null;
    };
    let eip = cloud.elastic_ips.get(&nic.elastic_ip_id);
    let groups: Vec<Value> = nic
        .security_groups
        .iter()
        .map(|g| {
            let name = cloud
                .security_groups
                .iter()
                .find(|s| &s.group_id == g)
                .map(|s| s.group_name.clone())
                .unwrap_or_default();
            json!({"groupId": g, "groupName": name})
        })
        .collect();
    json!({
        "deviceIndex": nic.device_index,
        "autoDelete": nic.auto_delete,
        "networkInterface": {
            "networkInterfaceId": nic.network_interface_id,
            "macAddress": nic.mac_address,
            "vpcId": nic.vpc_id,
            "subnetId": nic.subnet_id,
            "securityGroups": groups,
            "sanityCheck": nic.sanity_check,
            "primaryIp": {
                "privateIpAddress": nic.primary_ip,
                "elasticIpId": eip.map(|e| e.elastic_ip_id.clone()).unwrap_or_default(),
                "elasticIpAddress": eip.map(|e| e.elastic_ip_address.clone()).unwrap_or_default(),
            },
            "secondaryIps": nic.secondary_ips.iter().map(|ip| json!({"privateIpAddress": ip, "elasticIpId": "", "elasticIpAddress": ""})).collect::<Vec<_>>(),
            "ipv6Addresses": [],
        },
    })
}

pub fn instance(cloud: &Cloud, i: &Instance) -> Value {
    let primary = cloud.network_interfaces.get(&i.primary_nic);
    let eip = primary.and_then(|n| cloud.elastic_ips.get(&n.elastic_ip_id));
    let image = cloud.images.get(&i.image_id);
    let system_disk = if i.system_disk.category == "local" {
        json!({
            "diskCategory": "local",
            "autoDelete": true,
            "localDisk": {"diskType": i.system_disk.disk_type, "diskSizeGB": i.system_disk.disk_size_gb},
            "cloudDisk": null,
            "deviceName": "vda",
            "status": "attached",
        })
    } else {
        json!({
            "diskCategory": "cloud",
            "autoDelete": i.system_disk.auto_delete,
            "cloudDisk": disk(cloud.disks.get(&i.system_disk.disk_id), &i.system_disk.disk_id),
            "deviceName": "vda",
            "status": "attached",
        })
    };
    let data_disks: Vec<Value> = i
        .data_disks
        .iter()
        .map(|d| {
            json!({
                "diskCategory": "cloud",
                "autoDelete": d.auto_delete,
                "cloudDisk": disk(cloud.disks.get(&d.disk_id), &d.disk_id),
                "deviceName": d.device_name,
                "status": d.status,
            })
        })
        .collect();
    json!({
        "instanceId": i.instance_id,
        "instanceName": i.instance_name,
        "hostname": i.hostname,
        "instanceType": i.instance_type,
        "vpcId": i.vpc_id,
        "subnetId": i.subnet_id,
        "privateIpAddress": primary.map(|n| n.primary_ip.clone()).unwrap_or_default(),
        "elasticIpId": eip.map(|e| e.elastic_ip_id.clone()).unwrap_or_default(),
        "elasticIpAddress": eip.map(|e| e.elastic_ip_address.clone()).unwrap_or_default(),
        "status": i.status,
        "description": i.description,
        "imageId": i.image_id,
        "systemDisk": system_disk,
        "dataDisks": data_disks,
        "primaryNetworkInterface": nic_attachment(cloud, &i.primary_nic),
        "secondaryNetworkInterfaces": i.secondary_nics.iter().map(|n| nic_attachment(cloud, n)).collect::<Vec<_>>(),
        "launchTime": iso(i.launch_ms),
        "az": i.az,
        "keyNames": i.key_names,
        "charge": charge(i.launch_ms),
        "ag": {"name": "", "id": ""},
        "faultDomain": "",
        "tags": i.tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
        "chargeOnStopped": i.charge_on_stopped,
        "spotStatus": "",
        "dedicatedPoolId": "",
        "dedicatedHostId": "",
        "resourceGroupId": "",
        "osType": i.os_type,
        "osVersion": image.map(|m| m.os_version.clone()).unwrap_or_default(),
        "platform": image.map(|m| m.platform.clone()).unwrap_or_default(),
        "architecture": image.map(|m| m.architecture.clone()).unwrap_or_else(|| "x86_64".into()),
        "bootMode": "bios",
        "autoReleaseTime": "",
    })
}

pub fn image(i: &Image) -> Value {
    let launch_permission = match i.image_source.as_str() {
        "private" if i.shared_pins.is_empty() => "ownerOnly",
        "private" | "shared" => "specifiedUsers",
        _ => "all",
    };
    let system_disk = if i.root_device_type == "localDisk" {
        json!({"diskCategory": "local", "autoDelete": true, "localDisk": {"diskType": "NVMe SSD", "diskSizeGB": i.system_disk_size_gb}, "deviceName": "vda"})
    } else {
        json!({"diskCategory": "cloud", "autoDelete": true, "cloudDisk": {"diskType": "ssd", "diskSizeGB": i.system_disk_size_gb}, "deviceName": "vda"})
    };
    json!({
        "imageId": i.image_id,
        "name": i.name,
        "platform": i.platform,
        "osVersion": i.os_version,
        "architecture": i.architecture,
        "systemDiskSizeGB": i.system_disk_size_gb,
        "imageSource": i.image_source,
        "osType": i.os_type,
        "status": i.status,
        "createTime": iso(i.create_ms),
        "sizeMB": i.size_mb,
        "desc": i.desc,
        "systemDisk": system_disk,
        "dataDisks": i.data_disks.iter().map(|d| json!({
            "diskCategory": "cloud",
            "autoDelete": true,
            "cloudDisk": {"diskType": d.disk_type, "diskSizeGB": d.disk_size_gb, "snapshotId": d.snapshot_id},
            "deviceName": d.device_name,
        })).collect::<Vec<_>>(),
        "snapshotId": "",
        "rootDeviceType": i.root_device_type,
        "progress": if i.status == "ready" { "100" } else { "0" },
        "launchPermission": launch_permission,
        "ownerPin": i.owner_pin,
        "offline": i.offline,
        "serviceCode": "vm",
        "imported": false,
        "expiredTime": "",
        "instanceId": i.instance_id,
        "bootMode": "bios",
    })
}

pub fn image_constraint(i: &Image) -> Value {
    json!({
        "imageId": i.image_id,
        "imageInstanceTypeConstraint": {
            "constraintsType": "excludes",
            "instanceTypes": i.excluded_types,
        },
    })
}

pub fn instance_type(t: &InstanceType, azs: &[String]) -> Value {
    json!({
        "family": t.family,
        "instanceType": t.instance_type,
        "cpu": t.cpu,
        "memoryMB": t.memory_mb,
        "nicLimit": t.nic_limit,
        "desc": t.desc,
        "state": azs.iter().map(|az| json!({"az": az, "inStock": !t.sold_out, "availableCount": 0})).collect::<Vec<_>>(),
        "cloudDiskCountLimit": t.cloud_disk_count_limit,
        "architecture": t.architecture,
        "generation": t.generation,
        "localDisks": [],
        "cloudDiskTypes": ["ssd", "premium-hdd", "ssd.gp1", "ssd.io1", "hdd.std1"],
    })
}

pub fn subnet(cloud: &Cloud, s: &Subnet) -> Value {
    let (start, end, total) = match super::store::parse_cidr(&s.address_prefix) {
        Some((net, len)) => {
            let size = 1u32.checked_shl(32 - len).unwrap_or(0);
            (
                std::net::Ipv4Addr::from(net + 3).to_string(),
                std::net::Ipv4Addr::from(net + size.saturating_sub(2)).to_string(),
                i64::from(size.saturating_sub(4)),
            )
        }
        None => (String::new(), String::new(), 0),
    };
    let used = cloud
        .used_ips()
        .iter()
        .filter(|ip| super::store::in_cidr(ip, &s.address_prefix))
        .count();
    json!({
        "subnetId": s.subnet_id,
        "subnetName": s.subnet_name,
        "vpcId": s.vpc_id,
        "addressPrefix": s.address_prefix,
        "availableIpCount": total - used as i64,
        "ipMaskLen": s.address_prefix.split('/').nth(1).and_then(|l| l.parse::<i64>().ok()).unwrap_or(0),
        "description": "",
        "routeTableId": "",
        "aclId": "",
        "startIp": start,
        "endIp": end,
        "createdTime": "2020-01-01T00:00:00Z",
        "subnetType": "standard",
        "az": "",
    })
}

pub fn network_interface(cloud: &Cloud, n: &NetworkInterface) -> Value {
    let eip = cloud.elastic_ips.get(&n.elastic_ip_id);
    json!({
        "networkInterfaceName": n.network_interface_name,
        "networkInterfaceId": n.network_interface_id,
        "az": n.az,
        "role": n.role,
        "macAddress": n.mac_address,
        "vpcId": n.vpc_id,
        "subnetId": n.subnet_id,
        "networkSecurityGroupIds": n.security_groups,
        "sanityCheck": n.sanity_check,
        "primaryIp": {
            "privateIpAddress": n.primary_ip,
            "elasticIpId": eip.map(|e| e.elastic_ip_id.clone()).unwrap_or_default(),
            "elasticIpAddress": eip.map(|e| e.elastic_ip_address.clone()).unwrap_or_default(),
        },
        "secondaryIps": n.secondary_ips.iter().map(|ip| json!({"privateIpAddress": ip, "elasticIpId": "", "elasticIpAddress": ""})).collect::<Vec<_>>(),
        "instanceType": if n.instance_id.is_empty() { "" } else { "vm" },
        "instanceId": n.instance_id,
        "instanceOwnerId": "",
        "deviceIndex": n.device_index,
        "description": n.description,
        "attachmentStatus": if n.instance_id.is_empty() { "detached" } else { "attached" },
        "networkInterfaceStatus": "enabled",
        "createdTime": iso(n.create_ms),
    })
}

pub fn elastic_ip(e: &ElasticIp) -> Value {
    json!({
        "elasticIpId": e.elastic_ip_id,
        "elasticIpAddress": e.elastic_ip_address,
        "bandwidthMbps": e.bandwidth_mbps,
        "provider": e.provider,
        "privateIpAddress": e.private_ip_address,
        "networkInterfaceId": e.network_interface_id,
        "instanceId": e.instance_id,
        "instanceType": if e.instance_id.is_empty() { "" } else { "vm" },
        "charge": charge(e.create_ms),
        "createdTime": iso(e.create_ms),
        "az": e.az,
        "ipType": "standard",
        "status": if e.instance_id.is_empty() { "available" } else { "in-use" },
        "tags": [],
    })
}
