//! The simulated cloud's objects, as stored (and persisted). Wire forms are
//! built in `wire.rs`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The regions the simulator serves (the Terraform provider's four).
pub const REGIONS: &[&str] = &["cn-north-1", "cn-south-1", "cn-east-1", "cn-east-2"];

/// The availability zones of a region: `{region}a`, `b` and `c`.
pub fn azs(region: &str) -> Vec<String> {
    ["a", "b", "c"]
        .iter()
        .map(|s| format!("{region}{s}"))
        .collect()
}

/// A scheduled change: at `at_ms` the status becomes `to` (`GONE` removes the object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub to: String,
    pub at_ms: i64,
}

/// The target of a transition that removes the object.
pub const GONE: &str = "";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Vpc {
    pub vpc_id: String,
    pub vpc_name: String,
    pub region: String,
    pub address_prefix: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Subnet {
    pub subnet_id: String,
    pub subnet_name: String,
    pub vpc_id: String,
    pub region: String,
    /// CIDR, e.g. `10.0.0.0/24`; instance addresses are drawn from it.
    pub address_prefix: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: String,
    pub region: String,
    /// The VPC's default group, used when createInstances names none.
    pub is_default: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceType {
    pub instance_type: String,
    pub family: String,
    pub generation: i64,
    pub cpu: i64,
    pub memory_mb: i64,
    /// NICs, the primary included.
    pub nic_limit: usize,
    /// Cloud disks, a cloud system disk included.
    pub cloud_disk_count_limit: usize,
    pub architecture: String,
    pub desc: String,
    /// Sold out in every AZ (cannot be used).
    pub sold_out: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    pub image_id: String,
    pub name: String,
    pub desc: String,
    /// Empty for public images (visible in every region).
    pub region: String,
    pub status: String,
    pub transition: Option<Transition>,
    /// `public`, `thirdparty`, `private`, `shared`, `community`.
    pub image_source: String,
    pub platform: String,
    pub os_version: String,
    pub os_type: String,
    pub architecture: String,
    /// `localDisk` or `cloudDisk`.
    pub root_device_type: String,
    pub system_disk_size_gb: i64,
    pub size_mb: i64,
    pub create_ms: i64,
    pub owner_pin: String,
    /// Accounts a private image is shared with.
    pub shared_pins: Vec<String>,
    /// The instance a private image was made from.
    pub instance_id: String,
    /// Data disks captured in a whole-machine image: (device name, type, size).
    pub data_disks: Vec<ImageDisk>,
    /// Instance types the image cannot run on (public and third-party only).
    pub excluded_types: Vec<String>,
    pub offline: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageDisk {
    pub device_name: String,
    pub disk_type: String,
    pub disk_size_gb: i64,
    pub snapshot_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Disk {
    pub disk_id: String,
    pub name: String,
    pub description: String,
    pub region: String,
    pub az: String,
    pub disk_type: String,
    pub disk_size_gb: i64,
    /// `available` or `in-use`.
    pub status: String,
    pub instance_id: String,
    pub snapshot_id: String,
    pub create_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ElasticIp {
    pub elastic_ip_id: String,
    pub elastic_ip_address: String,
    pub region: String,
    /// Empty: usable in every AZ of the region.
    pub az: String,
    pub bandwidth_mbps: i64,
    /// `bgp` or `no_bgp`.
    pub provider: String,
    pub instance_id: String,
    pub network_interface_id: String,
    pub private_ip_address: String,
    pub create_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkInterface {
    pub network_interface_id: String,
    pub network_interface_name: String,
    pub description: String,
    pub region: String,
    pub az: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub mac_address: String,
    pub primary_ip: String,
    pub secondary_ips: Vec<String>,
    pub security_groups: Vec<String>,
    pub sanity_check: i64,
    pub elastic_ip_id: String,
    /// `Primary` (made with an instance) or `Secondary`.
    pub role: String,
    pub instance_id: String,
    pub device_index: i64,
    pub auto_delete: bool,
    pub create_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataDisk {
    pub disk_id: String,
    pub device_name: String,
    pub auto_delete: bool,
    /// `attaching`, `attached`, `detaching`, `detached`.
    pub status: String,
    /// When `attaching`/`detaching` ends, or when a `detached` entry is dropped.
    pub until_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SystemDisk {
    /// `local` or `cloud`.
    pub category: String,
    pub disk_id: String,
    pub disk_type: String,
    pub disk_size_gb: i64,
    pub auto_delete: bool,
}

/// A task that blocks other operations on an instance until it ends.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Task {
    pub name: String,
    pub until_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Instance {
    pub instance_id: String,
    pub seq: u64,
    pub region: String,
    pub az: String,
    pub instance_name: String,
    pub hostname: String,
    pub description: String,
    pub instance_type: String,
    pub image_id: String,
    pub status: String,
    pub transition: Option<Transition>,
    pub task: Option<Task>,
    pub launch_ms: i64,
    pub vpc_id: String,
    pub subnet_id: String,
    pub primary_nic: String,
    pub secondary_nics: Vec<String>,
    pub system_disk: SystemDisk,
    pub data_disks: Vec<DataDisk>,
    pub key_names: Vec<String>,
    pub os_type: String,
    pub charge_on_stopped: String,
    pub password_changed_pending_reboot: bool,
    pub tags: Vec<(String, String)>,
    pub metadata: Vec<(String, String)>,
    /// deleteInstance's `deletePrimaryNetworkInterfaceAllElasticIp`.
    pub delete_elastic_ip: bool,
    /// A failed creation: removed (with what it made) at this time.
    pub failed_remove_at_ms: Option<i64>,
}

/// Everything in the simulated cloud.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Cloud {
    pub format: String,
    pub owner_pin: String,
    pub login_name: String,
    pub next_seq: u64,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub security_groups: Vec<SecurityGroup>,
    pub instance_types: Vec<InstanceType>,
    pub keypairs: Vec<String>,
    pub quotas: BTreeMap<String, i64>,
    pub instances: BTreeMap<String, Instance>,
    pub images: BTreeMap<String, Image>,
    pub disks: BTreeMap<String, Disk>,
    pub elastic_ips: BTreeMap<String, ElasticIp>,
    pub network_interfaces: BTreeMap<String, NetworkInterface>,
    /// createInstances `clientToken` → the ids it created.
    pub client_tokens: BTreeMap<String, Vec<String>>,
}

/// The `format` of a persisted cloud.
pub const FORMAT: &str = "skyform-jdcloud-sim/1";
