//! Data sources: one per read endpoint of seed 003.
//!
//! | data source | endpoint |
//! | --- | --- |
//! | `mcloud_providers` | `GET /v1/instance/provider` |
//! | `mcloud_regions` | `GET /v1/instance/regions/:provider` |
//! | `mcloud_zones` | `GET /v1/instance/zones/:provider/:regionId` |
//! | `mcloud_vpcs` | `GET /v1/instance/vpc/:provider/:regionId` |
//! | `mcloud_subnets` | `GET /v1/instance/subnet/:provider/:zoneId/:vpcId` |
//! | `mcloud_instance_types` | `GET /v1/instance/type/:provider` |
//! | `mcloud_charge_types` | `GET /v1/instance/charge/:provider` |
//! | `mcloud_disk_categories` | `GET /v1/instance/disk_category/:provider` |
//! | `mcloud_images` | `GET /v1/instance/image/:provider/:regionId` |
//! | `mcloud_security_groups` | `GET /v1/instance/security_group/:provider/:regionId` |
//! | `mcloud_templates` | `GET /v1/cluster` |
//! | `mcloud_instances` | `GET /v1/instance/list`, or `GET /v1/instance/cluster/:id` with `template_id` |
//! | `mcloud_instance_logs` | `GET /v1/instance/log/:instanceId` or `.../log/:correlationId/:instanceId` |
//! | `mcloud_machine_counts` | `GET /v1/cluster/number/:hour` |
//! | `mcloud_machine_count_at` | `GET /v1/cluster/oldnumber/:time` |
//! | `mcloud_ssh_key` | `GET /v1/instance/sshkey/:ip` |

use super::api::{
    segment, Image, Instance, MachineCount, Region, SecurityGroup, Subnet, Vpc, ZoneInfo,
};
use super::client::{decode_content, Client, Request, PROVIDER};
use super::status::StatusTable;
use super::values::{n, number_from_text, object_type, s, str_list, Obj};
use crate::lang::{Type, Value};
use crate::provider::resource::DataSourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::ProviderError;
use async_trait::async_trait;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

fn input(d: &'static str) -> Attribute {
    Attribute::required(Type::String).describe(d)
}

fn output(ty: Type, d: &'static str) -> Attribute {
    Attribute::computed(ty).describe(d)
}

fn with_id(s: Schema) -> Schema {
    s.attr("id", output(Type::String, "An id for this read."))
}

const CLOUD: &str = "Cloud vendor name (aliyun, aws, ...).";

fn names_source(d: &'static str, takes_cloud: bool) -> Schema {
    let s = Schema::new(d).attr("names", output(Type::list(Type::String), "The names."));
    with_id(if takes_cloud {
        s.attr("cloud", input(CLOUD))
    } else {
        s
    })
}

fn instance_type() -> Type {
    object_type(&[
        ("id", Type::String),
        ("cloud", Type::String),
        ("template_id", Type::String),
        ("instance_type", Type::String),
        ("image_id", Type::String),
        ("region", Type::String),
        ("zone", Type::String),
        ("private_ip", Type::String),
        ("public_ip", Type::String),
        ("status", Type::String),
        ("create_time", Type::String),
    ])
}

fn count_type() -> Type {
    object_type(&[
        ("time", Type::String),
        ("total", Type::Number),
        ("by_cloud", Type::map(Type::Number)),
    ])
}

/// Every data source's schema, by HCL name.
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        (
            "mcloud_providers",
            names_source("The cloud vendors the server can drive.", false),
        ),
        (
            "mcloud_regions",
            with_id(
                Schema::new("Regions of one cloud.")
                    .attr("cloud", input(CLOUD))
                    .attr(
                        "regions",
                        output(
                            Type::list(object_type(&[
                                ("region_name", Type::String),
                                ("endpoint", Type::String),
                            ])),
                            "Regions.",
                        ),
                    )
                    .attr("names", output(Type::list(Type::String), "Region names.")),
            ),
        ),
        (
            "mcloud_zones",
            with_id(
                Schema::new("Zones of one region of one cloud.")
                    .attr("cloud", input(CLOUD))
                    .attr("region", input("Region name (cn-beijing)."))
                    .attr(
                        "zones",
                        output(
                            Type::list(object_type(&[
                                ("zone_name", Type::String),
                                ("description", Type::String),
                                ("state", Type::String),
                            ])),
                            "Zones; description is the seed's RegionName (a display name).",
                        ),
                    )
                    .attr("names", output(Type::list(Type::String), "Zone names.")),
            ),
        ),
        (
            "mcloud_vpcs",
            with_id(
                Schema::new("VPCs of one region.")
                    .attr("cloud", input(CLOUD))
                    .attr("region", input("Region name."))
                    .attr(
                        "vpcs",
                        output(
                            Type::list(object_type(&[
                                ("vpc_id", Type::String),
                                ("cidr_block", Type::String),
                                ("is_default", Type::Bool),
                                ("state", Type::String),
                            ])),
                            "VPCs.",
                        ),
                    )
                    .attr("ids", output(Type::list(Type::String), "VPC ids.")),
            ),
        ),
        (
            "mcloud_subnets",
            with_id(
                Schema::new("Subnets of one VPC in one zone.")
                    .attr("cloud", input(CLOUD))
                    .attr("zone", input("Zone name."))
                    .attr("vpc_id", input("VPC id."))
                    .attr(
                        "subnets",
                        output(
                            Type::list(object_type(&[
                                ("subnet_id", Type::String),
                                ("vpc_id", Type::String),
                                ("cidr_block", Type::String),
                                ("availability_zone", Type::String),
                                ("available_ip_address_count", Type::Number),
                                ("state", Type::String),
                            ])),
                            "Subnets.",
                        ),
                    )
                    .attr("ids", output(Type::list(Type::String), "Subnet ids.")),
            ),
        ),
        (
            "mcloud_instance_types",
            names_source("Instance types of one cloud.", true),
        ),
        (
            "mcloud_charge_types",
            names_source("Internet charge types of one cloud.", true),
        ),
        (
            "mcloud_disk_categories",
            names_source("Disk categories of one cloud.", true),
        ),
        (
            "mcloud_images",
            with_id(
                Schema::new("Images of one region.")
                    .attr("cloud", input(CLOUD))
                    .attr("region", input("Region name."))
                    .attr(
                        "images",
                        output(
                            Type::list(object_type(&[
                                ("image_id", Type::String),
                                ("name", Type::String),
                                ("description", Type::String),
                                ("architecture", Type::String),
                                ("owner_id", Type::String),
                                ("public", Type::Bool),
                                ("state", Type::String),
                                ("creation_date", Type::String),
                            ])),
                            "Images.",
                        ),
                    )
                    .attr("ids", output(Type::list(Type::String), "Image ids.")),
            ),
        ),
        (
            "mcloud_security_groups",
            with_id(
                Schema::new("Security groups of one region.")
                    .attr("cloud", input(CLOUD))
                    .attr("region", input("Region name."))
                    .attr(
                        "security_groups",
                        output(
                            Type::list(object_type(&[
                                ("group_id", Type::String),
                                ("group_name", Type::String),
                                ("description", Type::String),
                                ("vpc_id", Type::String),
                            ])),
                            "Security groups.",
                        ),
                    )
                    .attr("ids", output(Type::list(Type::String), "Group ids.")),
            ),
        ),
        (
            "mcloud_templates",
            with_id(Schema::new("Every machine template.").attr(
                "templates",
                output(
                    Type::list(object_type(&[
                        ("id", Type::String),
                        ("name", Type::String),
                        ("cloud", Type::String),
                        ("instance_type", Type::String),
                        ("create_time", Type::String),
                    ])),
                    "Templates.",
                ),
            )),
        ),
        (
            "mcloud_instances",
            with_id(
                Schema::new("Every machine, or those of one template.")
                    .attr(
                        "template_id",
                        Attribute::optional(Type::String)
                            .describe("Only the machines of this template."),
                    )
                    .attr(
                        "instances",
                        output(Type::list(instance_type()), "Machines."),
                    )
                    .attr("ids", output(Type::list(Type::String), "Instance ids.")),
            ),
        ),
        (
            "mcloud_instance_logs",
            with_id(
                Schema::new("Log records of one machine, optionally of one operation.")
                    .attr("instance_id", input("The machine."))
                    .attr(
                        "correlation_id",
                        Attribute::optional(Type::String)
                            .describe("Only the records of this X-CORRELATION-ID."),
                    )
                    .attr(
                        "content",
                        output(
                            Type::String,
                            "The log records, JSON-encoded as the API gave them.",
                        ),
                    ),
            ),
        ),
        (
            "mcloud_machine_counts",
            with_id(
                Schema::new("Online machine counts over the last N hours.")
                    .attr(
                        "hours",
                        Attribute::required(Type::Number).describe("How many hours back."),
                    )
                    .attr(
                        "counts",
                        output(Type::list(count_type()), "Samples, oldest first."),
                    ),
            ),
        ),
        (
            "mcloud_machine_count_at",
            with_id(
                Schema::new("Online machine counts at a past moment.")
                    .attr(
                        "time",
                        input("The moment, as the API writes it (2017-08-02 17:52:29)."),
                    )
                    .attr("total", output(Type::Number, "Machines online."))
                    .attr(
                        "by_cloud",
                        output(Type::map(Type::Number), "Machines by cloud."),
                    )
                    .attr(
                        "sample_time",
                        output(Type::String, "The sample's own time."),
                    ),
            ),
        ),
        (
            "mcloud_ssh_key",
            with_id(
                Schema::new("Downloads a machine's private key.")
                    .attr("ip", input("The machine's IP."))
                    .attr(
                        "private_key",
                        output(Type::String, "The private key.").sensitive(),
                    ),
            ),
        ),
    ]
}

async fn get<T: DeserializeOwned>(client: &Client, path: String) -> Result<T, ProviderError> {
    let op = format!("GET {path}");
    let content = client.call(&Request::get(path)).await?;
    let content = if content.is_null() {
        serde_json::Value::Array(Vec::new())
    } else {
        content
    };
    decode_content(&op, content)
}

/// The future a reader returns.
type Reading = BoxFuture<'static, Result<Value, ProviderError>>;

/// Reads one data source: the client, the data source's name and its configuration.
type Reader = fn(Client, &'static str, Value) -> Reading;

/// What a read returns: the configuration with the computed attributes set.
struct Out(crate::lang::ValueMap);

impl Out {
    fn new(config: &Value) -> Out {
        Out(config.as_map().cloned().unwrap_or_default())
    }

    fn set(&mut self, k: &str, v: Value) {
        self.0.insert(k.to_string(), v);
    }

    fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// The reader of each data source, by name.
fn readers() -> Vec<(&'static str, Reader)> {
    vec![
        ("mcloud_providers", providers),
        ("mcloud_regions", regions),
        ("mcloud_zones", zones),
        ("mcloud_vpcs", vpcs),
        ("mcloud_subnets", subnets),
        ("mcloud_instance_types", instance_types),
        ("mcloud_charge_types", charge_types),
        ("mcloud_disk_categories", disk_categories),
        ("mcloud_images", images),
        ("mcloud_security_groups", security_groups),
        ("mcloud_templates", templates),
        ("mcloud_instances", instances),
        ("mcloud_instance_logs", instance_logs),
        ("mcloud_machine_counts", machine_counts),
        ("mcloud_machine_count_at", machine_count_at),
        ("mcloud_ssh_key", ssh_key),
    ]
}

fn providers(client: Client, _: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, mut out) = (&client, Out::new(&config));
        let names: Vec<String> = get(client, "/v1/instance/provider".into()).await?;
        out.set("id", s("providers"));
        out.set("names", str_list(names));
        Ok(out.into_value())
    })
}

fn regions(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let cloud = o.req_str("cloud")?;
        let regions: Vec<Region> =
            get(client, format!("/v1/instance/regions/{}", segment(&cloud))).await?;
        out.set("id", s(&cloud));
        out.set(
            "names",
            str_list(regions.iter().map(|r| r.region_name.clone())),
        );
        out.set(
            "regions",
            Value::List(
                regions
                    .iter()
                    .map(|r| {
                        Value::object([
                            ("region_name", s(&r.region_name)),
                            ("endpoint", s(&r.endpoint)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn zones(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let (cloud, region) = (o.req_str("cloud")?, o.req_str("region")?);
        let zones: Vec<ZoneInfo> = get(
            client,
            format!(
                "/v1/instance/zones/{}/{}",
                segment(&cloud),
                segment(&region)
            ),
        )
        .await?;
        out.set("id", s(format!("{cloud}/{region}")));
        out.set("names", str_list(zones.iter().map(|z| z.zone_name.clone())));
        out.set(
            "zones",
            Value::List(
                zones
                    .iter()
                    .map(|z| {
                        Value::object([
                            ("zone_name", s(&z.zone_name)),
                            ("description", s(&z.region_name)),
                            ("state", s(&z.state)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn vpcs(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let (cloud, region) = (o.req_str("cloud")?, o.req_str("region")?);
        let vpcs: Vec<Vpc> = get(
            client,
            format!("/v1/instance/vpc/{}/{}", segment(&cloud), segment(&region)),
        )
        .await?;
        out.set("id", s(format!("{cloud}/{region}")));
        out.set("ids", str_list(vpcs.iter().map(|v| v.vpc_id.clone())));
        out.set(
            "vpcs",
            Value::List(
                vpcs.iter()
                    .map(|v| {
                        Value::object([
                            ("vpc_id", s(&v.vpc_id)),
                            ("cidr_block", s(&v.cidr_block)),
                            ("is_default", Value::Bool(v.is_default)),
                            ("state", s(&v.state)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn subnets(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let (cloud, zone, vpc) = (
            o.req_str("cloud")?,
            o.req_str("zone")?,
            o.req_str("vpc_id")?,
        );
        let subnets: Vec<Subnet> = get(
            client,
            format!(
                "/v1/instance/subnet/{}/{}/{}",
                segment(&cloud),
                segment(&zone),
                segment(&vpc)
            ),
        )
        .await?;
        out.set("id", s(format!("{cloud}/{zone}/{vpc}")));
        out.set("ids", str_list(subnets.iter().map(|x| x.subnet_id.clone())));
        out.set(
            "subnets",
            Value::List(
                subnets
                    .iter()
                    .map(|x| {
                        Value::object([
                            ("subnet_id", s(&x.subnet_id)),
                            ("vpc_id", s(&x.vpc_id)),
                            ("cidr_block", s(&x.cidr_block)),
                            ("availability_zone", s(&x.availability_zone)),
                            (
                                "available_ip_address_count",
                                n(x.available_ip_address_count),
                            ),
                            ("state", s(&x.state)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn instance_types(client: Client, type_name: &'static str, config: Value) -> Reading {
    catalog_names(client, type_name, config, "type")
}

fn charge_types(client: Client, type_name: &'static str, config: Value) -> Reading {
    catalog_names(client, type_name, config, "charge")
}

fn disk_categories(client: Client, type_name: &'static str, config: Value) -> Reading {
    catalog_names(client, type_name, config, "disk_category")
}

/// The name lists of one cloud: `GET /v1/instance/{kind}/:provider`.
fn catalog_names(
    client: Client,
    type_name: &'static str,
    config: Value,
    kind: &'static str,
) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let cloud = o.req_str("cloud")?;
        let names: Vec<String> =
            get(client, format!("/v1/instance/{kind}/{}", segment(&cloud))).await?;
        out.set("id", s(&cloud));
        out.set("names", str_list(names));
        Ok(out.into_value())
    })
}

fn images(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let (cloud, region) = (o.req_str("cloud")?, o.req_str("region")?);
        let images: Vec<Image> = get(
            client,
            format!(
                "/v1/instance/image/{}/{}",
                segment(&cloud),
                segment(&region)
            ),
        )
        .await?;
        out.set("id", s(format!("{cloud}/{region}")));
        out.set("ids", str_list(images.iter().map(|i| i.image_id.clone())));
        out.set(
            "images",
            Value::List(
                images
                    .iter()
                    .map(|i| {
                        Value::object([
                            ("image_id", s(&i.image_id)),
                            ("name", s(&i.name)),
                            ("description", s(&i.description)),
                            ("architecture", s(&i.architecture)),
                            ("owner_id", s(&i.owner_id)),
                            ("public", Value::Bool(i.public)),
                            ("state", s(&i.state)),
                            ("creation_date", s(&i.creation_date)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn security_groups(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let (cloud, region) = (o.req_str("cloud")?, o.req_str("region")?);
        let groups: Vec<SecurityGroup> = get(
            client,
            format!(
                "/v1/instance/security_group/{}/{}",
                segment(&cloud),
                segment(&region)
            ),
        )
        .await?;
        out.set("id", s(format!("{cloud}/{region}")));
        out.set("ids", str_list(groups.iter().map(|g| g.group_id.clone())));
        out.set(
            "security_groups",
            Value::List(
                groups
                    .iter()
                    .map(|g| {
                        Value::object([
                            ("group_id", s(&g.group_id)),
                            ("group_name", s(&g.group_name)),
                            ("description", s(&g.description)),
                            ("vpc_id", s(&g.vpc_id)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn templates(client: Client, _: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, mut out) = (&client, Out::new(&config));
        let all = super::template::list(client).await?;
        out.set("id", s("templates"));
        out.set(
            "templates",
            Value::List(
                all.iter()
                    .map(|c| {
                        Value::object([
                            ("id", s(c.id.to_string())),
                            ("name", s(&c.name)),
                            ("cloud", s(&c.provider)),
                            ("instance_type", s(&c.instance_type)),
                            ("create_time", s(&c.create_time)),
                        ])
                    })
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn instances(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let (id, all): (String, Vec<Instance>) = match o.opt_str("template_id") {
            Some(t) => {
                let path = format!("/v1/instance/cluster/{}", segment(&t));
                (format!("template/{t}"), get(client, path).await?)
            }
            None => ("all".to_string(), super::instance::list(client).await?),
        };
        out.set("id", s(id));
        out.set("ids", str_list(all.iter().map(|i| i.instance_id.clone())));
        out.set(
            "instances",
            Value::List(
                all.iter()
                    .map(|i| instance_summary(i, client.status_table()))
                    .collect(),
            ),
        );
        Ok(out.into_value())
    })
}

fn instance_logs(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let instance = o.req_str("instance_id")?;
        let path = match o.opt_str("correlation_id") {
            Some(c) => format!("/v1/instance/log/{}/{}", segment(&c), segment(&instance)),
            None => format!("/v1/instance/log/{}", segment(&instance)),
        };
        let content = client.call(&Request::get(path.clone())).await?;
        out.set("id", s(path));
        out.set("content", s(content.to_string()));
        Ok(out.into_value())
    })
}

fn machine_counts(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let hours = o.req_i64("hours")?;
        if hours < 0 {
            return Err(ProviderError::new(
                PROVIDER,
                type_name,
                format!("\"hours\" must be 0 or more; got {hours}"),
            ));
        }
        let path = format!("/v1/cluster/number/{hours}");
        let op = format!("GET {path}");
        let samples: Vec<MachineCount> = get(client, path).await?;
        let counts = samples
            .iter()
            .map(|c| count_value(c, &op))
            .collect::<Result<Vec<_>, _>>()?;
        out.set("id", s(hours.to_string()));
        out.set("counts", Value::List(counts));
        Ok(out.into_value())
    })
}

fn machine_count_at(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let time = o.req_str("time")?;
        let path = format!("/v1/cluster/oldnumber/{}", segment(&time));
        let op = format!("GET {path}");
        let content = client.call(&Request::get(path)).await?;
        let sample: MachineCount = decode_content(&op, content)?;
        let v = count_value(&sample, &op)?;
        out.set("id", s(&time));
        out.set("sample_time", s(&sample.time));
        if let Some(m) = v.as_map() {
            for k in ["total", "by_cloud"] {
                if let Some(x) = m.get(k) {
                    out.set(k, x.clone());
                }
            }
        }
        Ok(out.into_value())
    })
}

fn ssh_key(client: Client, type_name: &'static str, config: Value) -> Reading {
    Box::pin(async move {
        let (client, o, mut out) = (&client, Obj::new(&config, type_name), Out::new(&config));
        let ip = o.req_str("ip")?;
        let key = client
            .call_raw(&Request::get(format!(
                "/v1/instance/sshkey/{}",
                segment(&ip)
            )))
            .await?;
        out.set("id", s(&ip));
        out.set("private_key", Value::sensitive(s(key)));
        Ok(out.into_value())
    })
}

fn instance_summary(i: &Instance, table: &StatusTable) -> Value {
    Value::object([
        ("id", s(&i.instance_id)),
        ("cloud", s(&i.provider)),
        (
            "template_id",
            s(i.cluster
                .as_ref()
                .map(|c| c.id.to_string())
                .unwrap_or_default()),
        ),
        ("instance_type", s(&i.instance_type)),
        ("image_id", s(&i.image_id)),
        ("region", s(&i.region_id)),
        ("zone", s(&i.zone_id)),
        ("private_ip", s(&i.private_ip_address)),
        ("public_ip", s(&i.public_ip_address)),
        ("status", s(table.name(i.status))),
        ("create_time", s(&i.create_time)),
    ])
}

/// A machine-count sample: the API's string counts as numbers.
fn count_value(c: &MachineCount, op: &str) -> Result<Value, ProviderError> {
    let mut by_cloud = BTreeMap::new();
    for (cloud, count) in &c.by_cloud {
        let text = match count {
            serde_json::Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        by_cloud.insert(cloud.clone(), number_from_text(&text, cloud, op)?);
    }
    Ok(Value::object([
        ("time", s(&c.time)),
        ("total", number_from_text(&c.total, "total", op)?),
        ("by_cloud", Value::Map(by_cloud.into())),
    ]))
}

/// One mcloud data source as a registered type.
pub struct McloudDataSource {
    name: &'static str,
    schema: Schema,
    reader: Reader,
}

/// Every data source, ready to register; one without a reader is a bug caught by tests.
pub fn all() -> Vec<McloudDataSource> {
    let readers: BTreeMap<&str, Reader> = readers().into_iter().collect();
    schemas()
        .into_iter()
        .filter_map(|(name, schema)| {
            readers.get(name).map(|&reader| McloudDataSource {
                name,
                schema,
                reader,
            })
        })
        .collect()
}

#[async_trait]
impl DataSourceType<Client> for McloudDataSource {
    fn name(&self) -> &'static str {
        self.name
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn read(&self, client: &Client, config: &Value) -> Result<Value, ProviderError> {
        (self.reader)(client.clone(), self.name, config.clone()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_source_has_an_id() {
        for (name, schema) in schemas() {
            assert!(schema.attributes.contains_key("id"), "{name}");
            assert!(name.starts_with("mcloud_"), "{name}");
        }
    }

    #[test]
    fn every_data_source_has_a_reader() {
        let registered: Vec<&str> = all().iter().map(|d| d.name).collect();
        let declared: Vec<&str> = schemas().iter().map(|(n, _)| *n).collect();
        assert_eq!(registered, declared);
        assert_eq!(
            readers().len(),
            declared.len(),
            "no reader without a schema"
        );
    }

    #[test]
    fn counts_become_numbers() {
        let c: MachineCount = serde_json::from_str(
            r#"{"aliyun": "2", "phydev": "5", "time": "2017-08-02 17:52:29", "total": "7"}"#,
        )
        .unwrap();
        let v = count_value(&c, "op").unwrap();
        assert_eq!(v.get_attr("total"), Some(&n(7)));
        assert_eq!(
            v.get_attr("by_cloud").and_then(|m| m.get_attr("phydev")),
            Some(&n(5))
        );
        let bad: MachineCount = serde_json::from_str(r#"{"total": "x"}"#).unwrap();
        assert!(count_value(&bad, "op").is_err());
    }
}
