//! The JSON of CheckRomaInstanceListV2's 200 answer, typed field for field as the seed
//! shows it. Absent or `null` fields are `None` (the SDK marks every field optional);
//! a field of the wrong JSON type makes the answer unreadable, with a message naming it.

use serde::Deserialize;

/// `created_user` / `last_updated_user`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserRef {
    pub user_id: Option<String>,
    pub user_name: Option<String>,
}

/// One entry of `instances`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Instance {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub flavor_id: Option<String>,
    pub flavor_type: Option<String>,
    pub cpu_arch: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub security_group_id: Option<String>,
    pub publicip_enable: Option<bool>,
    pub publicip_id: Option<String>,
    pub publicip_address: Option<String>,
    pub status: Option<String>,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub charge_type: Option<String>,
    pub project_id: Option<String>,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
    pub maintain_begin: Option<String>,
    pub maintain_end: Option<String>,
    pub available_zone_ids: Option<Vec<String>>,
    pub enterprise_project_id: Option<String>,
    pub created_user: Option<UserRef>,
    pub last_updated_user: Option<UserRef>,
}

/// One page: `{total, size, instances}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Page {
    pub total: Option<u64>,
    pub size: Option<u64>,
    #[serde(default)]
    pub instances: Option<Vec<Instance>>,
}
