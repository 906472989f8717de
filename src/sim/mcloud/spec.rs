//! Parsing and validating the machine description shared by template create,
//! instance create and machine upload (`PUT /v1/instance/phydev`).
//!
//! Errors keep the seed's exact `code`/`msg`; the reason goes into `ext` so a
//! user can see which field was wrong.

use super::body;
use super::catalog::{self, find_subnet, ProviderCatalog};
use super::envelope::{msg, Reply, INPUT_ERROR, OVER_LIMIT};
use super::model::{Network, Zone};
use serde_json::{Map, Value};

/// What a request describes, before ids are assigned.
#[derive(Debug, Clone, Default)]
pub struct MachineSpec {
    pub name: String,
    pub desc: String,
    pub provider: String,
    pub cpu: i64,
    pub ram: i64,
    pub instance_type: String,
    pub image_id: String,
    pub post_script: String,
    pub key_name: String,
    pub network: Network,
    pub zone: Zone,
    pub replication: Value,
    pub system_disk_category: String,
    pub data_disk_size: i64,
    pub data_disk_num: i64,
    pub data_disk_category: String,
    pub flavor_id: String,
}

/// Which request the spec comes from (they differ in required fields and in
/// the exact text of "Input error").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    Template,
    Instance,
    /// `PUT /v1/instance/phydev`: an instance's fields, "Input error!" text.
    Upload,
}

impl SpecKind {
    fn input_error(self, reason: impl Into<String>) -> Reply {
        let text = match self {
            SpecKind::Template | SpecKind::Upload => msg::INPUT_ERROR_BANG,
            SpecKind::Instance => msg::INPUT_ERROR,
        };
        Reply::error(INPUT_ERROR, text).with_ext(Value::String(reason.into()))
    }
}

/// Largest data disk the clouds accept, in GB.
pub const MAX_DATA_DISK_SIZE: i64 = 32_768;

/// Parses and validates a body against the catalog.
pub fn parse(
    bytes: &[u8],
    kind: SpecKind,
) -> Result<(MachineSpec, &'static ProviderCatalog), Reply> {
    let Some(object) = body::object(bytes) else {
        return Err(kind.input_error("the body must be a JSON object"));
    };
    let spec = read_fields(&object, kind).map_err(|reason| kind.input_error(reason))?;
    let Some(provider) = catalog::provider(&spec.provider) else {
        return Err(Reply::unknown_provider(&spec.provider));
    };
    if !(1..=4).contains(&spec.data_disk_num) {
        return Err(Reply::error(OVER_LIMIT, msg::DATA_DISK_NUM));
    }
    check_catalog(&spec, provider).map_err(|reason| kind.input_error(reason))?;
    let mut spec = spec;
    let (cpu, ram) = provider.sizes(&spec.instance_type);
    if spec.cpu <= 0 {
        spec.cpu = cpu;
    }
    if spec.ram <= 0 {
        spec.ram = ram;
    }
    Ok((spec, provider))
}

fn read_fields(object: &Map<String, Value>, kind: SpecKind) -> Result<MachineSpec, String> {
    let network = body::req_object(object, "Network")?;
    let zone = body::req_object(object, "Zone")?;
    let replication = body::field(object, "Replication")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(MachineSpec {
        name: match kind {
            SpecKind::Template => body::req_string(object, "Name")?,
            SpecKind::Instance | SpecKind::Upload => body::opt_string(object, "Name")?,
        },
        desc: body::opt_string(object, "Desc")?,
        provider: body::req_string(object, "Provider")?,
        cpu: body::opt_integer(object, "Cpu")?,
        ram: body::opt_integer(object, "Ram")?,
        instance_type: body::req_string(object, "InstanceType")?,
        image_id: match kind {
            SpecKind::Template => body::opt_string(object, "ImageId")?,
            SpecKind::Instance | SpecKind::Upload => body::req_string(object, "ImageId")?,
        },
        post_script: body::opt_string(object, "PostScript")?,
        key_name: body::opt_string(object, "KeyName")?,
        network: Network {
            id: 0,
            vpc_id: body::opt_string(network, "VpcId")?,
            subnet_id: body::opt_string(network, "SubnetId")?,
            security_group: body::opt_string(network, "SecurityGroup")?,
            internet_charge_type: body::opt_string(network, "InternetChargeType")?,
            internet_max_bandwidth_out: body::opt_integer(network, "InternetMaxBandwidthOut")?,
        },
        zone: Zone {
            id: 0,
            region_name: body::req_string(zone, "RegionName").map_err(|e| format!("Zone.{e}"))?,
            zone_name: body::req_string(zone, "ZoneName").map_err(|e| format!("Zone.{e}"))?,
        },
        replication: if matches!(replication, Value::Null) {
            Value::Null
        } else {
            replication
        },
        system_disk_category: body::req_string(object, "SystemDiskCategory")?,
        data_disk_size: body::req_integer(object, "DataDiskSize")?,
        data_disk_num: body::req_integer(object, "DataDiskNum")?,
        data_disk_category: body::req_string(object, "DataDiskCategory")?,
        flavor_id: body::opt_string(object, "FlavorId")?,
    })
}

fn check_catalog(spec: &MachineSpec, provider: &ProviderCatalog) -> Result<(), String> {
    let p = provider.name;
    let region = provider.region(&spec.zone.region_name).ok_or_else(|| {
        format!(
            "Zone.RegionName {:?} is not a region of {p}",
            spec.zone.region_name
        )
    })?;
    if !region.zones.contains(&spec.zone.zone_name.as_str()) {
        return Err(format!(
            "Zone.ZoneName {:?} is not a zone of {p} region {}",
            spec.zone.zone_name, region.name
        ));
    }
    for (field, category) in [
        ("SystemDiskCategory", &spec.system_disk_category),
        ("DataDiskCategory", &spec.data_disk_category),
    ] {
        if !provider.disk_categories.contains(&category.as_str()) {
            return Err(format!(
                "{field} {category:?} is not a disk category of {p}"
            ));
        }
    }
    if !(1..=MAX_DATA_DISK_SIZE).contains(&spec.data_disk_size) {
        return Err(format!(
            "DataDiskSize must be between 1 and {MAX_DATA_DISK_SIZE} GB, got {}",
            spec.data_disk_size
        ));
    }
    if !spec.image_id.is_empty() && region.image(&spec.image_id).is_none() {
        return Err(format!(
            "ImageId {:?} is not an image in {p} region {}",
            spec.image_id, region.name
        ));
    }
    let network = &spec.network;
    if !network.vpc_id.is_empty() && region.vpc(&network.vpc_id).is_none() {
        return Err(format!(
            "Network.VpcId {:?} is not a VPC in {p} region {}",
            network.vpc_id, region.name
        ));
    }
    if !network.subnet_id.is_empty() {
        let subnet = find_subnet(region, &network.subnet_id).ok_or_else(|| {
            format!(
                "Network.SubnetId {:?} is not a subnet in {p} region {}",
                network.subnet_id, region.name
            )
        })?;
        if subnet.vpc_id != network.vpc_id || subnet.zone != spec.zone.zone_name {
            return Err(format!(
                "Network.SubnetId {:?} belongs to VPC {} in zone {}, not to VpcId {:?} in zone {}",
                subnet.id, subnet.vpc_id, subnet.zone, network.vpc_id, spec.zone.zone_name
            ));
        }
    }
    if !network.security_group.is_empty()
        && region.security_group(&network.security_group).is_none()
    {
        return Err(format!(
            "Network.SecurityGroup {:?} is not a security group in {p} region {}",
            network.security_group, region.name
        ));
    }
    if !network.internet_charge_type.is_empty()
        && !provider
            .charge_types
            .contains(&network.internet_charge_type.as_str())
    {
        return Err(format!(
            "Network.InternetChargeType {:?} is not a charge type of {p}",
            network.internet_charge_type
        ));
    }
    if !(0..=1000).contains(&network.internet_max_bandwidth_out) {
        return Err(format!(
            "Network.InternetMaxBandwidthOut must be between 0 and 1000, got {}",
            network.internet_max_bandwidth_out
        ));
    }
    Ok(())
}

/// Reads an integer path parameter; anything else is `None`.
pub fn path_int(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
