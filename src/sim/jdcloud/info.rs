//! Instance types, quotas, and the VPC service's subnet and NIC lists.

use super::ctx::Ctx;
use super::errors::ApiError;
use super::model::azs;
use super::query::{matches, page};
use super::wire;
use serde_json::{json, Value};

/// GET /instanceTypes: describeInstanceTypes.
pub fn instance_types(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    if let Some(service) = ctx.query.get("serviceName") {
        if service != "vm" && service != "nc" {
            return Err(ApiError::invalid(format!(
                "invalid serviceName {service:?}: vm or nc"
            )));
        }
    }
    let filters = ctx
        .query
        .filters(&["instanceTypes", "az", "architecture"])?;
    let region_azs = azs(&ctx.region);
    let shown_azs: Vec<String> = match filters.iter().find(|f| f.name == "az") {
        Some(f) => region_azs
            .iter()
            .filter(|a| f.values.contains(a))
            .cloned()
            .collect(),
        None => region_azs,
    };
    let types: Vec<Value> = ctx
        .cloud
        .instance_types
        .iter()
        .filter(|t| matches(&filters, "instanceTypes", &t.instance_type))
        .filter(|t| matches(&filters, "architecture", &t.architecture))
        .filter(|_| !shown_azs.is_empty())
        .map(|t| wire::instance_type(t, &shown_azs))
        .collect();
    let total = types.len();
    Ok(json!({"instanceTypes": types, "specificInstanceTypes": [], "totalCount": total}))
}

/// The quota resource types describeQuotas knows.
const RESOURCE_TYPES: &[&str] = &[
    "instance",
    "instance_cpu",
    "instance_memory",
    "instance_local_disk",
    "keypair",
    "image",
    "instanceTemplate",
    "imageShare",
];

/// GET /quotas: describeQuotas (per region; `imageShare` needs `imageId`).
pub fn quotas(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let filters = ctx.query.filters(&["resourceTypes"])?;
    let wanted: Vec<String> = match filters.iter().find(|f| f.name == "resourceTypes") {
        Some(f) => f.values.clone(),
        None => RESOURCE_TYPES
            .iter()
            .filter(|t| **t != "imageShare")
            .map(|t| t.to_string())
            .collect(),
    };
    let cloud = &*ctx.cloud;
    let instances: Vec<_> = cloud
        .instances
        .values()
        .filter(|i| i.region == ctx.region)
        .collect();
    let itype = |name: &str| {
        cloud
            .instance_types
            .iter()
            .find(|t| t.instance_type == name)
    };
    let mut out = Vec::new();
    for t in &wanted {
        let used: i64 = match t.as_str() {
            "instance" => instances.len() as i64,
            "instance_cpu" => instances
                .iter()
                .filter_map(|i| itype(&i.instance_type))
                .map(|t| t.cpu)
                .sum(),
            "instance_memory" => instances
                .iter()
                .filter_map(|i| itype(&i.instance_type))
                .map(|t| t.memory_mb / 1024)
                .sum(),
            "instance_local_disk" => instances
                .iter()
                .filter(|i| i.system_disk.category == "local")
                .count() as i64,
            "keypair" => cloud.keypairs.len() as i64,
            "image" => cloud
                .images
                .values()
                .filter(|i| i.image_source == "private" && i.region == ctx.region)
                .count() as i64,
            "instanceTemplate" => 0,
            "imageShare" => {
                let Some(image_id) = ctx.query.get("imageId") else {
                    return Err(ApiError::invalid(
                        "imageId is required when querying the imageShare quota",
                    ));
                };
                let image = cloud
                    .images
                    .get(image_id)
                    .ok_or_else(|| ApiError::not_found("image", image_id))?;
                image.shared_pins.len() as i64
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "invalid resourceTypes {other:?}; one of {}",
                    RESOURCE_TYPES.join(", ")
                )))
            }
        };
        let limit = cloud.quotas.get(t).copied().unwrap_or(0);
        out.push(json!({"resourceType": t, "limit": limit, "used": used}));
    }
    Ok(json!({"quotas": out}))
}

/// GET /subnets (service `vpc`): describeSubnets.
pub fn subnets(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(&[
        "subnetIds",
        "subnetNames",
        "vpcId",
        "routeTableId",
        "az",
        "subnetType",
    ])?;
    let items: Vec<_> = ctx
        .cloud
        .subnets
        .iter()
        .filter(|s| s.region == ctx.region)
        .filter(|s| matches(&filters, "subnetIds", &s.subnet_id))
        .filter(|s| matches(&filters, "subnetNames", &s.subnet_name))
        .filter(|s| matches(&filters, "vpcId", &s.vpc_id))
        .filter(|_| {
            !filters
                .iter()
                .any(|f| f.name == "routeTableId" || f.name == "az")
        })
        .filter(|_| matches(&filters, "subnetType", "standard"))
        .collect();
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items.iter().map(|s| wire::subnet(ctx.cloud, s)).collect();
    Ok(json!({"subnets": out, "totalCount": total}))
}

/// GET /networkInterfaces (service `vpc`): describeNetworkInterfaces.
pub fn network_interfaces(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(&[
        "networkInterfaceIds",
        "networkInterfaceNames",
        "vpcId",
        "subnetId",
        "role",
        "az",
    ])?;
    let mut items: Vec<_> = ctx
        .cloud
        .network_interfaces
        .values()
        .filter(|n| n.region == ctx.region)
        .filter(|n| matches(&filters, "networkInterfaceIds", &n.network_interface_id))
        .filter(|n| matches(&filters, "networkInterfaceNames", &n.network_interface_name))
        .filter(|n| matches(&filters, "vpcId", &n.vpc_id))
        .filter(|n| matches(&filters, "subnetId", &n.subnet_id))
        .filter(|n| matches(&filters, "role", &n.role))
        .filter(|n| matches(&filters, "az", &n.az))
        .collect();
    items.sort_by(|a, b| {
        (a.create_ms, &a.network_interface_id).cmp(&(b.create_ms, &b.network_interface_id))
    });
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items
        .iter()
        .map(|n| wire::network_interface(ctx.cloud, n))
        .collect();
    Ok(json!({"networkInterfaces": out, "totalCount": total}))
}

/// GET /networkInterfaces/{id} (service `vpc`): describeNetworkInterface.
pub fn network_interface(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let nic = ctx
        .cloud
        .network_interfaces
        .get(id)
        .filter(|n| n.region == ctx.region)
        .ok_or_else(|| ApiError::not_found("networkInterface", id))?;
    Ok(json!({"networkInterface": wire::network_interface(ctx.cloud, nic)}))
}

/// GET /elasticIps (service `vpc`): describeElasticIps.
pub fn elastic_ips(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx
        .query
        .filters(&["elasticIpIds", "elasticIpAddress", "az"])?;
    let mut items: Vec<_> = ctx
        .cloud
        .elastic_ips
        .values()
        .filter(|e| e.region == ctx.region)
        .filter(|e| matches(&filters, "elasticIpIds", &e.elastic_ip_id))
        .filter(|e| matches(&filters, "elasticIpAddress", &e.elastic_ip_address))
        .filter(|e| matches(&filters, "az", &e.az))
        .collect();
    items.sort_by(|a, b| (a.create_ms, &a.elastic_ip_id).cmp(&(b.create_ms, &b.elastic_ip_id)));
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items.into_iter().map(wire::elastic_ip).collect();
    Ok(json!({"elasticIps": out, "totalCount": total}))
}

/// GET /elasticIps/{id} (service `vpc`): describeElasticIp.
pub fn elastic_ip(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let eip = ctx
        .cloud
        .elastic_ips
        .get(id)
        .filter(|e| e.region == ctx.region)
        .ok_or_else(|| ApiError::not_found("elasticIp", id))?;
    Ok(json!({"elasticIp": wire::elastic_ip(eip)}))
}

/// GET /disks (service `disk`): describeDisks.
pub fn disks(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters =
        ctx.query
            .filters(&["diskId", "diskType", "instanceId", "az", "status", "name"])?;
    let mut items: Vec<_> = ctx
        .cloud
        .disks
        .values()
        .filter(|d| d.region == ctx.region)
        .filter(|d| matches(&filters, "diskId", &d.disk_id))
        .filter(|d| matches(&filters, "diskType", &d.disk_type))
        .filter(|d| matches(&filters, "instanceId", &d.instance_id))
        .filter(|d| matches(&filters, "az", &d.az))
        .filter(|d| matches(&filters, "status", &d.status))
        .filter(|d| matches(&filters, "name", &d.name))
        .collect();
    items.sort_by(|a, b| (a.create_ms, &a.disk_id).cmp(&(b.create_ms, &b.disk_id)));
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items.into_iter().map(|d| wire::disk(Some(d), "")).collect();
    Ok(json!({"disks": out, "totalCount": total}))
}

/// GET /vpcs (service `vpc`): describeVpcs.
pub fn vpcs(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(&["vpcIds", "vpcNames"])?;
    let items: Vec<_> = ctx
        .cloud
        .vpcs
        .iter()
        .filter(|v| v.region == ctx.region)
        .filter(|v| matches(&filters, "vpcIds", &v.vpc_id))
        .filter(|v| matches(&filters, "vpcNames", &v.vpc_name))
        .collect();
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items
        .iter()
        .map(|v| {
            let subnets: Vec<Value> = ctx
                .cloud
                .subnets
                .iter()
                .filter(|s| s.vpc_id == v.vpc_id)
                .map(|s| wire::subnet(ctx.cloud, s))
                .collect();
            json!({
                "vpcId": v.vpc_id,
                "vpcName": v.vpc_name,
                "addressPrefix": v.address_prefix,
                "description": "",
                "aclIds": [],
                "routeTableIds": [],
                "subnets": subnets,
                "createdTime": "2020-01-01T00:00:00Z",
            })
        })
        .collect();
    Ok(json!({"vpcs": out, "totalCount": total}))
}

/// GET /networkSecurityGroups (service `vpc`): describeNetworkSecurityGroups.
pub fn security_groups(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(&[
        "networkSecurityGroupIds",
        "networkSecurityGroupNames",
        "vpcId",
    ])?;
    let items: Vec<_> = ctx
        .cloud
        .security_groups
        .iter()
        .filter(|g| g.region == ctx.region)
        .filter(|g| matches(&filters, "networkSecurityGroupIds", &g.group_id))
        .filter(|g| matches(&filters, "networkSecurityGroupNames", &g.group_name))
        .filter(|g| matches(&filters, "vpcId", &g.vpc_id))
        .collect();
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items
        .iter()
        .map(|g| {
            json!({
                "networkSecurityGroupId": g.group_id,
                "networkSecurityGroupName": g.group_name,
                "description": "",
                "vpcId": g.vpc_id,
                "securityGroupRules": [],
                "sgType": if g.is_default { "default" } else { "custom" },
                "createdTime": "2020-01-01T00:00:00Z",
            })
        })
        .collect();
    Ok(json!({"networkSecurityGroups": out, "totalCount": total}))
}

/// GET /keypairs: describeKeypairs (the catalogue's key pairs).
pub fn keypairs(ctx: &mut Ctx<'_>) -> Result<Value, ApiError> {
    let paging = ctx.query.paging()?;
    let filters = ctx.query.filters(&["keyNames"])?;
    let items: Vec<&String> = ctx
        .cloud
        .keypairs
        .iter()
        .filter(|k| matches(&filters, "keyNames", k))
        .collect();
    let (items, total) = page(items, paging);
    let out: Vec<Value> = items
        .iter()
        .map(|k| {
            json!({
                "keyName": k,
                "keyFingerprint": "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
                "createTime": "2020-01-01T00:00:00Z",
            })
        })
        .collect();
    Ok(json!({"keypairs": out, "totalCount": total}))
}
