//! The provider's own wire structs for the VM API (reference 1.8; every response field may
//! be absent, so everything defaults). Field names are the API's camelCase ones.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Instance {
    pub instance_id: String,
    pub instance_name: String,
    pub hostname: String,
    pub instance_type: String,
    pub az: String,
    pub description: String,
    pub image_id: String,
    pub status: String,
    pub launch_time: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub private_ip_address: String,
    pub elastic_ip_id: String,
    pub elastic_ip_address: String,
    pub system_disk: Option<DiskAttachment>,
    pub data_disks: Vec<DiskAttachment>,
    pub primary_network_interface: Option<NicAttachment>,
    pub secondary_network_interfaces: Vec<NicAttachment>,
    pub key_names: Vec<String>,
    pub os_type: String,
    /// The instance's user tags (skyform's create puts its client token in one).
    pub tags: Vec<Tag>,
}

/// One user tag of an instance (`{key, value}`).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct DiskAttachment {
    pub disk_category: String,
    pub auto_delete: bool,
    pub device_name: String,
    pub status: String,
    pub cloud_disk: Option<CloudDisk>,
    pub local_disk: Option<LocalDisk>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct CloudDisk {
    pub disk_id: String,
    pub az: String,
    pub name: String,
    pub disk_type: String,
    #[serde(rename = "diskSizeGB")]
    pub disk_size_gb: i64,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct LocalDisk {
    pub disk_type: String,
    #[serde(rename = "diskSizeGB")]
    pub disk_size_gb: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct NicAttachment {
    pub device_index: i64,
    pub auto_delete: bool,
    pub network_interface: Option<NetworkInterface>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkInterface {
    pub network_interface_id: String,
    pub mac_address: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub primary_ip: Option<PrivateIp>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct PrivateIp {
    pub private_ip_address: String,
    pub elastic_ip_id: String,
    pub elastic_ip_address: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Image {
    pub image_id: String,
    pub name: String,
    pub desc: String,
    pub status: String,
    pub platform: String,
    pub os_version: String,
    pub architecture: String,
    pub os_type: String,
    #[serde(rename = "systemDiskSizeGB")]
    pub system_disk_size_gb: i64,
    #[serde(rename = "sizeMB")]
    pub size_mb: i64,
    pub root_device_type: String,
    pub image_source: String,
    pub launch_permission: String,
    pub instance_id: String,
    pub create_time: String,
    pub progress: String,
    pub data_disks: Vec<DiskAttachment>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct InstanceType {
    pub family: String,
    pub instance_type: String,
    pub cpu: i64,
    #[serde(rename = "memoryMB")]
    pub memory_mb: i64,
    pub nic_limit: i64,
    pub cloud_disk_count_limit: i64,
    pub desc: String,
    pub generation: i64,
    pub architecture: String,
    pub state: Vec<TypeState>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct TypeState {
    pub az: String,
    pub in_stock: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Quota {
    pub resource_type: String,
    pub limit: i64,
    pub used: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct ImageConstraint {
    pub image_id: String,
    pub image_instance_type_constraint: Option<TypeConstraint>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct TypeConstraint {
    pub constraints_type: String,
    pub instance_types: Vec<String>,
}

impl ImageConstraint {
    /// Whether the image allows `instance_type` (no constraint: yes).
    pub fn allows(&self, instance_type: &str) -> bool {
        match &self.image_instance_type_constraint {
            None => true,
            Some(c) => {
                let listed = c.instance_types.iter().any(|t| t == instance_type);
                match c.constraints_type.as_str() {
                    "includes" => listed,
                    _ => !listed,
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct InstanceStatus {
    pub instance_id: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct InstancePrivateIp {
    pub instance_id: String,
    pub private_ip_address: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct CopyImage {
    pub source_image_id: String,
    pub destination_image_id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct ImageMembers {
    pub pins: Vec<String>,
    pub login_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct CreateInstancesResult {
    pub instance_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct OneInstance {
    pub instance: Instance,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct OneImage {
    pub image: Image,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct CreateImageResult {
    pub image_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::jdcloud::client::Envelope;

    /// The reference's example IDs and shapes (1.4, 1.6, 1.8) parse.
    #[test]
    fn reference_answers_parse() {
        let env: Envelope = serde_json::from_str(
            r#"{"requestId":"bk0b1c7q1dmf2t4j7tw2ufhf9ts0d1rr","result":{"instances":[{
                "instanceId":"i-uvvtdzuxre","instanceName":"web","instanceType":"c.n1.large",
                "az":"cn-north-1a","imageId":"bba85cab-dfdc-4359-9218-7a2de429dd80",
                "status":"running","privateIpAddress":"10.0.0.3","elasticIpId":null,
                "systemDisk":{"diskCategory":"local","autoDelete":true,"deviceName":"vda",
                  "localDisk":{"diskType":"premium-hdd","diskSizeGB":40}},
                "dataDisks":[{"diskCategory":"cloud","autoDelete":true,"deviceName":"vdb",
                  "status":"attached","cloudDisk":{"diskId":"vol-abc","diskType":"ssd","diskSizeGB":20}}],
                "primaryNetworkInterface":{"deviceIndex":1,"autoDelete":true,
                  "networkInterface":{"networkInterfaceId":"port-1","primaryIp":{"privateIpAddress":"10.0.0.3"}}},
                "secondaryNetworkInterfaces":[],"keyNames":[],"charge":{"chargeMode":"postpaid_by_duration"}
            }],"totalCount":1}}"#,
        )
        .expect("envelope");
        let result = env.result.expect("result");
        let list: Vec<Instance> = crate::providers::jdcloud::client::decode(
            "describeInstances",
            result["instances"].clone(),
        )
        .expect("instances");
        assert_eq!(list[0].instance_id, "i-uvvtdzuxre");
        assert_eq!(
            list[0].data_disks[0]
                .cloud_disk
                .as_ref()
                .map(|d| d.disk_size_gb),
            Some(20)
        );
        // An error envelope has no result.
        let env: Envelope = serde_json::from_str(
            r#"{"requestId":"x","error":{"code":400,"status":"FAILED_PRECONDITION","message":"m"}}"#,
        )
        .expect("error envelope");
        assert!(env.result.is_none());
        assert_eq!(
            env.error.map(|e| e.status),
            Some("FAILED_PRECONDITION".into())
        );
        let c: ImageConstraint = serde_json::from_str(
            r#"{"imageId":"x","imageInstanceTypeConstraint":{"constraintsType":"excludes","instanceTypes":["g.n2.medium"]}}"#,
        )
        .expect("constraint");
        assert!(!c.allows("g.n2.medium"));
        assert!(c.allows("g.n2.large"));
        let t: InstanceType = serde_json::from_str(
            r#"{"family":"g.n2","instanceType":"g.n2.large","cpu":2,"memoryMB":8192,"nicLimit":3,"cloudDiskCountLimit":8,"generation":2,"state":[{"az":"cn-north-1a","inStock":true}]}"#,
        )
        .expect("type");
        assert_eq!(t.memory_mb, 8192);
        let q: Quota =
            serde_json::from_str(r#"{"resourceType":"instance","limit":20,"used":3}"#).expect("q");
        assert_eq!(q.limit, 20);
    }
}
