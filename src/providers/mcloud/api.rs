//! Typed request and response bodies of the mcloud API, with the seed's own field names
//! (`InstanceType`, `DataDiskNum`, `TenantID`, the lower-case `instancelist`, ...).
//!
//! Response structs accept missing fields (`#[serde(default)]`) because the seed's examples
//! omit fields that its tables list and vice versa; request structs always send every
//! field, as the seed's request examples do.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The network part of a template or instance request (`Network` object).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Network {
    pub id: i64,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group: String,
    pub internet_charge_type: String,
    pub internet_max_bandwidth_out: i64,
}

/// The placement part of a template or instance request (`Zone` object).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Zone {
    pub id: i64,
    pub region_name: String,
    pub zone_name: String,
}

/// A machine template ("cluster" in the API): `GET/POST /v1/cluster`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Cluster {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub lastest_part_num: i64,
    pub desc: String,
    pub create_time: String,
    pub delete_time: String,
    pub cpu: i64,
    pub ram: i64,
    pub instance_type: String,
    pub image_id: String,
    pub post_script: String,
    pub key_name: String,
    pub network: Network,
    pub zone: Zone,
    pub replication: serde_json::Value,
    pub system_disk_category: String,
    pub data_disk_size: i64,
    pub data_disk_num: i64,
    /// The seed's table says int, its examples send a string; both are accepted.
    #[serde(deserialize_with = "string_or_number")]
    pub data_disk_category: String,
    pub flavor_id: String,
}

/// The body of `POST /v1/instance`: one machine, no template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct InstanceCreate {
    pub provider: String,
    pub instance_type: String,
    pub image_id: String,
    pub network: Network,
    pub zone: Zone,
    pub system_disk_category: String,
    pub data_disk_size: i64,
    pub data_disk_num: i64,
    pub data_disk_category: String,
}

/// A machine as the instance endpoints describe it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Instance {
    pub id: i64,
    pub cluster: Option<Cluster>,
    pub provider: String,
    pub create_time: String,
    pub cpu: i64,
    pub ram: i64,
    pub instance_id: String,
    pub image_id: String,
    pub instance_type: String,
    pub key_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub region_id: String,
    pub zone_id: String,
    pub data_disk_num: i64,
    pub data_disk_size: i64,
    #[serde(deserialize_with = "string_or_number")]
    pub data_disk_category: String,
    pub system_disk_category: String,
    pub cost_way: String,
    pub pre_buy_month: i64,
    pub private_ip_address: String,
    pub public_ip_address: String,
    pub nat_ip_address: String,
    pub status: i64,
    #[serde(rename = "TenantID")]
    pub tenant_id: String,
    #[serde(rename = "UserID")]
    pub user_id: String,
    pub name: String,
}

/// One entry of `GET /v1/status/:instanceId` (snake_case in the seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusEntry {
    pub instance_id: String,
    pub status: i64,
    pub ip_address: String,
}

/// The body of `POST /v1/status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct StatusUpdate {
    pub instance_id: String,
    pub status: i64,
}

/// Online machine counts at one moment (`/v1/cluster/number/:hour`,
/// `/v1/cluster/oldnumber/:time`): `time`, `total` and one count per cloud, all strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineCount {
    #[serde(default)]
    pub time: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub total: String,
    /// Counts by cloud name (`aliyun`, `phydev`, ...).
    #[serde(flatten)]
    pub by_cloud: BTreeMap<String, serde_json::Value>,
}

/// `GET /v1/instance/regions/:provider`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Region {
    pub endpoint: String,
    pub region_name: String,
}

/// `GET /v1/instance/zones/:provider/:regionId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ZoneInfo {
    pub messages: serde_json::Value,
    pub region_name: String,
    pub state: String,
    pub zone_name: String,
}

/// `GET /v1/instance/vpc/:provider/:regionId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Vpc {
    pub cidr_block: String,
    pub dhcp_options_id: String,
    pub instance_tenancy: String,
    pub is_default: bool,
    pub state: String,
    pub tags: serde_json::Value,
    pub vpc_id: String,
}

/// `GET /v1/instance/subnet/:provider/:zoneId/:vpcId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Subnet {
    pub availability_zone: String,
    pub available_ip_address_count: i64,
    pub cidr_block: String,
    pub default_for_az: bool,
    pub map_public_ip_on_launch: bool,
    pub state: String,
    pub subnet_id: String,
    pub tags: serde_json::Value,
    pub vpc_id: String,
}

/// `GET /v1/instance/image/:provider/:regionId` (only the fields worth exposing are
/// named; the rest of the seed's example is accepted and ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Image {
    pub architecture: String,
    pub creation_date: String,
    pub description: String,
    pub image_id: String,
    pub name: String,
    pub owner_id: String,
    pub public: bool,
    pub state: String,
}

/// `GET /v1/instance/security_group/:provider/:regionId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub description: String,
    pub group_id: String,
    pub group_name: String,
    pub ip_permissions: serde_json::Value,
    pub ip_permissions_egress: serde_json::Value,
    pub owner_id: String,
    pub tags: serde_json::Value,
    pub vpc_id: String,
}

/// One machine of `POST /v1/instance/phydev` (the example's spelling `PublicIp`; the
/// table's `PublicIP` is accepted when reading).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhysicalMachine {
    #[serde(rename = "PublicIp", alias = "PublicIP")]
    pub public_ip: String,
    #[serde(rename = "PrivateIp", alias = "PrivateIP")]
    pub private_ip: String,
    #[serde(rename = "Password")]
    pub password: String,
    #[serde(rename = "Port")]
    pub port: i64,
}

/// The body of `POST /v1/instance/phydev`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhysicalMachineList {
    pub instancelist: Vec<PhysicalMachine>,
}

/// Per-machine outcome of `POST /v1/instance/phydev` (also how the openstack
/// configuration reports a failure).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchResult {
    pub success: i64,
    pub failed: i64,
    pub errors: Vec<String>,
}

/// The body of `POST /v1/instance/openstack`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenstackConfig {
    #[serde(rename = "OpIP")]
    pub op_ip: String,
    #[serde(rename = "OpPort")]
    pub op_port: String,
    #[serde(rename = "OpUserName")]
    pub op_user_name: String,
    #[serde(rename = "OpPassword")]
    pub op_password: String,
}

/// Accepts a JSON string or number (or null) as a string.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// Percent-encodes one path segment (ids, IPs, times such as `2017-08-02 17:52:29`).
pub fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b',')
    .remove(b':');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_keeps_ids_and_encodes_spaces() {
        assert_eq!(segment("i-abc,i-def"), "i-abc,i-def");
        assert_eq!(segment("2017-08-02 17:52:29"), "2017-08-02%2017:52:29");
        assert_eq!(segment("a/b"), "a%2Fb");
    }

    #[test]
    fn data_disk_category_accepts_numbers() {
        let c: Cluster = serde_json::from_str(r#"{"DataDiskCategory": 3}"#).unwrap();
        assert_eq!(c.data_disk_category, "3");
    }

    #[test]
    fn create_body_uses_seed_names() {
        let body = serde_json::to_value(InstanceCreate::default()).unwrap();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(keys.contains(&"InstanceType"));
        assert!(keys.contains(&"DataDiskNum"));
        let status = serde_json::to_value(StatusUpdate::default()).unwrap();
        assert!(status.get("InstanceId").is_some());
    }
}
