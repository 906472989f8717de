//! The records the mcloud cloud keeps, with the seed's wire field names.

use super::clock;
use super::status::InstanceStatus;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A template's network settings (`Network` in the seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Network {
    pub id: u64,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group: String,
    pub internet_charge_type: String,
    pub internet_max_bandwidth_out: i64,
}

/// A template's placement (`Zone` in the seed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Zone {
    pub id: u64,
    pub region_name: String,
    pub zone_name: String,
}

/// A machine template ("cluster"), serialized exactly as the seed shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Template {
    pub id: u64,
    pub name: String,
    pub provider: String,
    /// How many expansions the template has had.
    pub lastest_part_num: u64,
    pub desc: String,
    pub create_time: String,
    /// `0001-01-01T00:00:00Z` while the template exists; set when deleted.
    pub delete_time: String,
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

impl Template {
    /// Whether the template has been deleted (soft delete, as `DeleteTime` implies).
    pub fn is_deleted(&self) -> bool {
        self.delete_time != clock::ZERO_TIME
    }
}

/// One machine instance (cloud, registered or physical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Row id (`Id`).
    pub row_id: u64,
    /// `InstanceId`, e.g. `i-2ze1v31lnkfgubznmmtz`.
    pub instance_id: String,
    /// The template it was expanded from, if any.
    pub cluster_id: Option<u64>,
    pub provider: String,
    pub create_time: String,
    pub cpu: i64,
    pub ram: i64,
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
    pub data_disk_category: String,
    pub system_disk_category: String,
    pub cost_way: String,
    pub private_ip: String,
    pub public_ip: String,
    pub status: InstanceStatus,
    /// While `status` is `Starting`: when (ms since epoch) it becomes `Running`.
    pub ready_at_ms: Option<i64>,
    /// A private key uploaded with `PUT /v1/instance/sshkey/:instanceId`.
    pub ssh_key: Option<String>,
    /// The password given when a physical machine was entered (never shown).
    pub password: Option<String>,
}

impl Instance {
    /// The status as of `now_ms`, with a finished start transition applied.
    pub fn status_at(&self, now_ms: i64) -> InstanceStatus {
        match (self.status, self.ready_at_ms) {
            (InstanceStatus::Starting, Some(ready)) if now_ms >= ready => InstanceStatus::Running,
            (status, _) => status,
        }
    }

    /// Applies a finished transition to the stored record.
    pub fn settle(&mut self, now_ms: i64) {
        let status = self.status_at(now_ms);
        if status != self.status {
            self.status = status;
            self.ready_at_ms = None;
        }
    }

    /// The instance as the seed shows it, with its template embedded as `Cluster`
    /// (`null` for an instance that no template created).
    pub fn to_wire(&self, cluster: Option<&Template>, now_ms: i64) -> Value {
        json!({
            "Id": self.row_id,
            "Cluster": cluster,
            "Provider": self.provider,
            "CreateTime": self.create_time,
            "Cpu": self.cpu,
            "Ram": self.ram,
            "InstanceId": self.instance_id,
            "ImageId": self.image_id,
            "InstanceType": self.instance_type,
            "KeyName": self.key_name,
            "VpcId": self.vpc_id,
            "SubnetId": self.subnet_id,
            "SecurityGroupId": self.security_group_id,
            "RegionId": self.region_id,
            "ZoneId": self.zone_id,
            "DataDiskNum": self.data_disk_num,
            "DataDiskSize": self.data_disk_size,
            "DataDiskCategory": self.data_disk_category,
            "SystemDiskCategory": self.system_disk_category,
            "CostWay": self.cost_way,
            "PreBuyMonth": 0,
            "PrivateIpAddress": self.private_ip,
            "PublicIpAddress": self.public_ip,
            "NatIpAddress": "",
            "Status": self.status_at(now_ms).code(),
            "TenantID": "",
            "UserID": "",
            "Name": "",
        })
    }
}

/// One log line, recorded for a mutating call that carried `X-CORRELATION-ID`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogEntry {
    pub correlation_id: String,
    /// Empty for operations on templates or settings.
    pub instance_id: String,
    pub action: String,
    pub message: String,
    pub time: String,
}

/// Machine counts per provider at one moment (`GET /v1/cluster/number/:hour`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountSample {
    pub at_ms: i64,
    /// (provider, count), providers with at least one machine, sorted by name.
    pub counts: Vec<(String, u64)>,
}

impl CountSample {
    /// As the seed shows it: every number a string, plus `time` and `total`.
    pub fn to_wire(&self) -> Value {
        let mut object = serde_json::Map::new();
        let mut total = 0u64;
        for (provider, count) in &self.counts {
            object.insert(provider.clone(), Value::String(count.to_string()));
            total = total.saturating_add(*count);
        }
        object.insert("time".into(), Value::String(clock::sample_time(self.at_ms)));
        object.insert("total".into(), Value::String(total.to_string()));
        Value::Object(object)
    }
}

/// OpenStack connection settings (`POST /v1/instance/openstack`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenStackConfig {
    #[serde(rename = "OpIP")]
    pub op_ip: String,
    #[serde(rename = "OpPort")]
    pub op_port: String,
    #[serde(rename = "OpUserName")]
    pub op_user_name: String,
    #[serde(rename = "OpPassword")]
    pub op_password: String,
}
