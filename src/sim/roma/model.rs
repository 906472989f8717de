//! The simulated cloud's records: ROMA Connect instances with every field of the seed's
//! `instances` entries, and the IAM account the token endpoint checks.

use serde::{Deserialize, Serialize};

/// A user reference (`created_user`, `last_updated_user`) as the seed shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    pub user_id: String,
    pub user_name: String,
}

/// One ROMA Connect instance, field for field as in the seed's 200 example (same names,
/// same JSON types). Loaded inventories must give every field: the simulator answers
/// what the real service answers, so a file missing a field is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub description: String,
    pub flavor_id: String,
    pub flavor_type: String,
    pub cpu_arch: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub publicip_enable: bool,
    pub publicip_id: String,
    pub publicip_address: String,
    pub status: String,
    pub error_code: String,
    pub error_msg: String,
    pub charge_type: String,
    pub project_id: String,
    pub create_time: String,
    pub update_time: String,
    pub maintain_begin: String,
    pub maintain_end: String,
    pub available_zone_ids: Vec<String>,
    pub enterprise_project_id: String,
    pub created_user: UserRef,
    pub last_updated_user: UserRef,
}

/// Instance statuses the `status` query accepts: the doc page's filter values and the
/// SDK's response enum (with its `DELETE_FALIED` spelling), reference 2.2.
pub const STATUSES: &[&str] = &[
    "CREATING",
    "CREATE_FAILED",
    "RUNNING",
    "ERROR",
    "FREEZING",
    "FROZEN",
    "DELETING",
    "DELETED",
    "DELETE_FAILED",
    "DELETE_FALIED",
    "SOFT_DELETED",
];

/// The IAM account whose password grants tokens, and the project tokens are scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_name: String,
    pub password: String,
    pub domain_name: String,
    pub project_id: String,
    /// The project's name is its region id (reference 2.3), e.g. `cn-north-4`.
    pub project_name: String,
}
