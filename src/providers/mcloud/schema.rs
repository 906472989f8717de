//! Schemas of the mcloud provider block, resources and data sources.
//!
//! HCL names are the seed's fields in snake_case, except the seed's `Provider` field (the
//! cloud vendor), which is `cloud` because `provider` is a meta-argument in HCL blocks.

use super::values::object_type;
use crate::lang::Type;
use crate::provider::schema::{Attribute, NestedBlock, Nesting, Schema};

pub const TEMPLATE: &str = "mcloud_template";
pub const INSTANCE: &str = "mcloud_instance";
pub const INSTANCE_GROUP: &str = "mcloud_instance_group";
pub const PHYSICAL_MACHINE: &str = "mcloud_physical_machine";
pub const MACHINE_RECORD: &str = "mcloud_machine_record";
pub const SSH_KEY: &str = "mcloud_ssh_key";
pub const OPENSTACK_CONFIG: &str = "mcloud_openstack_config";

/// The `provider "mcloud"` block.
pub fn provider_block() -> Schema {
    Schema::new("The mcloud multi-cloud API (seed 003).")
        .attr(
            "endpoint",
            Attribute::optional(Type::String).describe(
                "Base URL (http://HOST:PORT) or \"embedded\" for the built-in simulator; MCLOUD_ENDPOINT when unset.",
            ),
        )
        .attr(
            "timeout",
            Attribute::optional(Type::String)
                .describe("Per-request timeout such as \"30s\" (default 30s)."),
        )
        .attr(
            "max_retries",
            Attribute::optional(Type::Number)
                .describe("Retries of idempotent calls after transient failures (default 3)."),
        )
        .attr(
            "status_codes",
            Attribute::optional(Type::map(Type::list(Type::Number))).describe(
                "What the API's instance status integers mean: { running = [3], starting = [1], stopped = [7] } (the defaults); no code in two lists.",
            ),
        )
}

fn req(ty: Type, d: &'static str) -> Attribute {
    Attribute::required(ty).force_new().describe(d)
}

fn opt(ty: Type, d: &'static str) -> Attribute {
    Attribute::optional_computed(ty).force_new().describe(d)
}

fn out(ty: Type, d: &'static str) -> Attribute {
    Attribute::computed(ty).describe(d)
}

fn single(schema: Schema) -> NestedBlock {
    NestedBlock {
        nesting: Nesting::Single,
        schema,
        min_items: 1,
        max_items: 1,
        force_new: true,
    }
}

/// The `network {}` block (the API's `Network` object).
pub fn network_block() -> NestedBlock {
    single(
        Schema::new("Network interface (the API's Network object).")
            .attr("vpc_id", opt(Type::String, "VPC id (VpcId)."))
            .attr("subnet_id", opt(Type::String, "Subnet id (SubnetId)."))
            .attr(
                "security_group",
                opt(Type::String, "Security group id (SecurityGroup)."),
            )
            .attr(
                "internet_charge_type",
                opt(
                    Type::String,
                    "PayByBandwidth or PayByTraffic (InternetChargeType).",
                ),
            )
            .attr(
                "internet_max_bandwidth_out",
                opt(
                    Type::Number,
                    "Outbound bandwidth in Mbit/s (InternetMaxBandwidthOut).",
                ),
            ),
    )
}

/// The `zone {}` block (the API's `Zone` object).
pub fn zone_block() -> NestedBlock {
    single(
        Schema::new("Placement (the API's Zone object).")
            .attr("region_name", req(Type::String, "Region (RegionName)."))
            .attr("zone_name", req(Type::String, "Zone (ZoneName).")),
    )
}

/// The machine spec shared by templates and instances.
fn machine_spec(s: Schema) -> Schema {
    s.attr(
        "cloud",
        req(
            Type::String,
            "Cloud vendor: aliyun, aws, openstack, ... (the API's Provider).",
        ),
    )
    .attr(
        "instance_type",
        req(Type::String, "Instance type (InstanceType)."),
    )
    .attr(
        "system_disk_category",
        req(Type::String, "System disk category (SystemDiskCategory)."),
    )
    .attr(
        "data_disk_size",
        req(Type::Number, "Data disk size in GB (DataDiskSize)."),
    )
    .attr(
        "data_disk_num",
        req(Type::Number, "Number of data disks, 1..4 (DataDiskNum)."),
    )
    .attr(
        "data_disk_category",
        req(Type::String, "Data disk category (DataDiskCategory)."),
    )
    .block("network", network_block())
    .block("zone", zone_block())
}

pub fn template() -> Schema {
    machine_spec(Schema::new(
        "A machine template (the API's cluster). The API cannot change a template, so every change replaces it.",
    ))
    .attr("name", req(Type::String, "Template name (Name)."))
    .attr("image_id", opt(Type::String, "Image id (ImageId)."))
    .attr("cpu", opt(Type::Number, "CPU count (Cpu)."))
    .attr("ram", opt(Type::Number, "Memory in GB (Ram)."))
    .attr("post_script", opt(Type::String, "Script run after boot (PostScript)."))
    .attr("key_name", opt(Type::String, "SSH key name (KeyName)."))
    .attr("flavor_id", opt(Type::String, "OpenStack flavor id (FlavorId)."))
    .attr("desc", opt(Type::String, "Description (Desc)."))
    .attr("id", out(Type::String, "The template's numeric id, as a string."))
    .attr("create_time", out(Type::String, "When the template was created."))
}

pub fn instance() -> Schema {
    machine_spec(Schema::new(
        "One machine created from a full spec (POST /v1/instance).",
    ))
    .attr("image_id", req(Type::String, "Image id (ImageId)."))
    .attr(
        "running",
        Attribute::optional_computed(Type::Bool)
            .describe("Whether the machine should be running (default true)."),
    )
    .attr("id", out(Type::String, "The instance id (InstanceId)."))
    .attr("private_ip", out(Type::String, "Private IP address."))
    .attr("public_ip", out(Type::String, "Public IP address."))
    .attr(
        "status",
        out(Type::String, "Named state (see the status table)."),
    )
    .attr(
        "last_correlation_id",
        out(
            Type::String,
            "X-CORRELATION-ID of the last operation (for the log data sources).",
        ),
    )
}

/// The element type of `mcloud_instance_group.instances`.
pub fn group_member_type() -> Type {
    object_type(&[
        ("id", Type::String),
        ("private_ip", Type::String),
        ("public_ip", Type::String),
        ("status", Type::String),
    ])
}

pub fn instance_group() -> Schema {
    Schema::new("N machines from one template; scaled with expand and delete.")
        .attr(
            "template_id",
            req(Type::String, "Id of the mcloud_template to expand."),
        )
        .attr(
            "instance_count",
            Attribute::required(Type::Number)
                .describe("Number of machines (0 or more); `count` is a meta-argument in HCL, hence the name."),
        )
        .attr("id", out(Type::String, "The group id (the template id)."))
        .attr(
            "instances",
            out(
                Type::list(group_member_type()),
                "The group's machines, oldest first.",
            )
            // A new instance_count adds or removes machines: known after apply.
            .recomputed_when(&["instance_count"]),
        )
        .attr(
            "last_correlation_id",
            out(Type::String, "X-CORRELATION-ID of the last operation."),
        )
}

pub fn physical_machine() -> Schema {
    Schema::new("A machine of your own, registered with POST /v1/instance/phydev.")
        .attr("public_ip", req(Type::String, "Public IP (PublicIp)."))
        .attr("private_ip", req(Type::String, "Private IP (PrivateIp)."))
        .attr(
            "password",
            req(Type::String, "Login password (Password).").sensitive(),
        )
        .attr(
            "port",
            opt(Type::Number, "SSH port (Port); 0 means the default."),
        )
        .attr(
            "id",
            out(Type::String, "The instance id the API gave the machine."),
        )
        .attr("status", out(Type::String, "Named state."))
        .attr(
            "last_correlation_id",
            out(Type::String, "X-CORRELATION-ID of the last operation."),
        )
}

pub fn machine_record() -> Schema {
    machine_spec(Schema::new(
        "A machine described like a cloud instance and recorded with PUT /v1/instance/phydev.",
    ))
    .attr("image_id", req(Type::String, "Image id (ImageId)."))
    .attr(
        "instance_id",
        opt(
            Type::String,
            "Instance id to record (InstanceId); the server assigns one when unset.",
        ),
    )
    .attr(
        "private_ip",
        opt(
            Type::String,
            "Private IP (PrivateIpAddress); assigned when unset.",
        ),
    )
    .attr(
        "public_ip",
        opt(Type::String, "Public IP (PublicIpAddress)."),
    )
    .attr("id", out(Type::String, "The instance id."))
    .attr("status", out(Type::String, "Named state."))
    .attr(
        "last_correlation_id",
        out(Type::String, "X-CORRELATION-ID of the last operation."),
    )
}

pub fn ssh_key() -> Schema {
    Schema::new("The SSH key of a machine, uploaded with PUT /v1/instance/sshkey/:instanceId.")
        .attr("instance_id", req(Type::String, "The machine."))
        .attr("id", out(Type::String, "Same as instance_id."))
        .attr(
            "key",
            opt(
                Type::String,
                "The key to upload (the seed: \"上传用户生成的密钥\", a user-generated key); unset: the server makes one. Either way, what the API answered with.",
            )
            .sensitive(),
        )
}

pub fn openstack_config() -> Schema {
    Schema::new("The OpenStack connection settings (POST /v1/instance/openstack).")
        .attr(
            "ip",
            Attribute::required(Type::String).describe("OpenStack host (OpIP)."),
        )
        .attr(
            "port",
            Attribute::required(Type::String).describe("OpenStack port (OpPort)."),
        )
        .attr(
            "user_name",
            Attribute::required(Type::String).describe("User name (OpUserName)."),
        )
        .attr(
            "password",
            Attribute::required(Type::String)
                .sensitive()
                .describe("Password (OpPassword)."),
        )
        .attr("id", out(Type::String, "ip:port."))
        .attr(
            "result",
            out(
                Type::String,
                "The API's answer (JSON-encoded configuration); it may echo the password.",
            )
            .sensitive(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_replace_only() {
        let t = template();
        for (name, a) in &t.attributes {
            assert!(a.force_new || (a.computed && !a.optional), "{name}");
        }
        assert!(t.blocks.values().all(|b| b.force_new));
    }

    #[test]
    fn instance_running_is_updatable() {
        let i = instance();
        let running = &i.attributes["running"];
        assert!(!running.force_new && running.optional);
        assert!(!i.attributes.contains_key("provider"));
    }

    #[test]
    fn secrets_are_sensitive() {
        assert!(physical_machine().attributes["password"].sensitive);
        assert!(openstack_config().attributes["password"].sensitive);
        assert!(ssh_key().attributes["key"].sensitive);
    }
}
