//! Data sources: one read each, listed in [`all`].

use super::client::{Call, Client, Filter, Query};
use super::image::{describe_image, image_path};
use super::ops::{describe_instance, instance_path};
use super::values::{blocks, n, opt_str, s, str_list, str_or_empty, strs};
use super::wire::{
    Image, ImageConstraint, Instance, InstancePrivateIp, InstanceStatus, InstanceType, Quota,
};
use crate::lang::{Type, Value};
use crate::provider::resource::DataSourceType;
use crate::provider::schema::{Attribute, NestedBlock, Nesting, Schema};
use crate::provider::{ErrorKind, ProviderError};
use async_trait::async_trait;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

type Reader = for<'a> fn(&'a Client, &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>>;

/// One data source: a name, a schema and a read.
pub struct Ds {
    name: &'static str,
    schema: fn() -> Schema,
    read: Reader,
}

#[async_trait]
impl DataSourceType<Client> for Ds {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> Schema {
        (self.schema)()
    }
    async fn read(&self, client: &Client, config: &Value) -> Result<Value, ProviderError> {
        (self.read)(client, config).await
    }
}

fn obj(fields: &[(&str, Type)]) -> Type {
    Type::Object(
        fields
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn filter_block() -> NestedBlock {
    NestedBlock {
        nesting: Nesting::List,
        schema: Schema::new("A describe filter (values ORed, filters ANDed).")
            .attr("name", Attribute::required(Type::String))
            .attr("values", Attribute::required(Type::list(Type::String))),
        min_items: 0,
        max_items: 20,
        force_new: false,
    }
}

fn filters(config: &Value) -> Vec<Filter> {
    blocks(config, "filter")
        .iter()
        .map(|f| Filter::new(&str_or_empty(f, "name"), str_list(f, "values")))
        .collect()
}

/// `config` with `more` set.
fn out(config: &Value, more: Vec<(&str, Value)>) -> Value {
    let mut m = config.as_map().cloned().unwrap_or_default();
    for (k, v) in more {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

fn instance_type() -> Type {
    obj(&[
        ("id", Type::String),
        ("instance_name", Type::String),
        ("instance_type", Type::String),
        ("image_id", Type::String),
        ("az", Type::String),
        ("status", Type::String),
        ("private_ip", Type::String),
        ("subnet_id", Type::String),
        ("vpc_id", Type::String),
        ("elastic_ip_address", Type::String),
    ])
}

fn instance_obj(i: &Instance) -> Value {
    Value::object([
        ("id", s(&i.instance_id)),
        ("instance_name", s(&i.instance_name)),
        ("instance_type", s(&i.instance_type)),
        ("image_id", s(&i.image_id)),
        ("az", s(&i.az)),
        ("status", s(&i.status)),
        ("private_ip", s(&i.private_ip_address)),
        ("subnet_id", s(&i.subnet_id)),
        ("vpc_id", s(&i.vpc_id)),
        ("elastic_ip_address", s(&i.elastic_ip_address)),
    ])
}

fn image_type() -> Type {
    obj(&[
        ("id", Type::String),
        ("name", Type::String),
        ("status", Type::String),
        ("platform", Type::String),
        ("os_version", Type::String),
        ("architecture", Type::String),
        ("root_device_type", Type::String),
        ("system_disk_size_gb", Type::Number),
        ("image_source", Type::String),
    ])
}

fn image_obj(i: &Image) -> Value {
    Value::object([
        ("id", s(&i.image_id)),
        ("name", s(&i.name)),
        ("status", s(&i.status)),
        ("platform", s(&i.platform)),
        ("os_version", s(&i.os_version)),
        ("architecture", s(&i.architecture)),
        ("root_device_type", s(&i.root_device_type)),
        ("system_disk_size_gb", n(i.system_disk_size_gb)),
        ("image_source", s(&i.image_source)),
    ])
}

fn not_found(what: &str, id: &str) -> ProviderError {
    ProviderError::new(super::client::PROVIDER, what, format!("{id} not found"))
        .kind(ErrorKind::NotFound)
}

fn read_instances<'a>(
    c: &'a Client,
    cfg: &'a Value,
) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let call =
            Call::get("describeInstances", "/instances").query(Query::new().filters(&filters(cfg)));
        let list: Vec<Instance> = c.all_pages(&call, "instances").await?;
        Ok(out(
            cfg,
            vec![
                ("ids", strs(list.iter().map(|i| i.instance_id.clone()))),
                (
                    "instances",
                    Value::List(list.iter().map(instance_obj).collect()),
                ),
            ],
        ))
    })
}

fn read_instance<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let id = str_or_empty(cfg, "instance_id");
        let i = describe_instance(c, &id)
            .await?
            .ok_or_else(|| not_found("describeInstance", &id))?;
        let o = instance_obj(&i);
        let mut more: Vec<(&str, Value)> = Vec::new();
        if let Some(m) = o.as_map() {
            for (k, v) in m {
                if k != "id" {
                    more.push((k.as_str(), v.clone()));
                }
            }
        }
        more.push(("id", s(&i.instance_id)));
        Ok(out(cfg, more))
    })
}

fn read_types<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let mut f = Vec::new();
        let types = str_list(cfg, "instance_types");
        if !types.is_empty() {
            f.push(Filter::new("instanceTypes", types));
        }
        if let Some(az) = opt_str(cfg, "az") {
            f.push(Filter::new("az", [az]));
        }
        let call =
            Call::get("describeInstanceTypes", "/instanceTypes").query(Query::new().filters(&f));
        #[derive(serde::Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct R {
            instance_types: Vec<InstanceType>,
        }
        let r: R = c.call_typed(&call).await?;
        let list = r
            .instance_types
            .iter()
            .map(|t| {
                Value::object([
                    ("instance_type", s(&t.instance_type)),
                    ("family", s(&t.family)),
                    ("cpu", n(t.cpu)),
                    ("memory_mb", n(t.memory_mb)),
                    ("nic_limit", n(t.nic_limit)),
                    ("cloud_disk_count_limit", n(t.cloud_disk_count_limit)),
                    ("generation", n(t.generation)),
                    ("in_stock", Value::Bool(t.state.iter().any(|s| s.in_stock))),
                ])
            })
            .collect();
        Ok(out(cfg, vec![("types", Value::List(list))]))
    })
}

fn read_images<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let mut q = Query::new();
        for (attr, param) in [
            ("image_source", "imageSource"),
            ("platform", "platform"),
            ("image_name", "imageName"),
            ("root_device_type", "rootDeviceType"),
            ("status", "status"),
            ("architecture", "architecture"),
        ] {
            if let Some(v) = opt_str(cfg, attr) {
                q = q.add(param, v);
            }
        }
        let ids = str_list(cfg, "ids");
        if !ids.is_empty() {
            q = q.list("ids", &ids);
        }
        let call = Call::get("describeImages", "/images").query(q);
        let list: Vec<Image> = c.all_pages(&call, "images").await?;
        Ok(out(
            cfg,
            vec![
                ("image_ids", strs(list.iter().map(|i| i.image_id.clone()))),
                ("images", Value::List(list.iter().map(image_obj).collect())),
            ],
        ))
    })
}

fn read_image<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let id = str_or_empty(cfg, "image_id");
        let i = describe_image(c, &id)
            .await?
            .ok_or_else(|| not_found("describeImage", &id))?;
        Ok(out(
            cfg,
            vec![
                ("id", s(&i.image_id)),
                ("name", s(&i.name)),
                ("status", s(&i.status)),
                ("platform", s(&i.platform)),
                ("root_device_type", s(&i.root_device_type)),
                ("system_disk_size_gb", n(i.system_disk_size_gb)),
            ],
        ))
    })
}

fn constraint_obj(k: &ImageConstraint) -> Value {
    let (kind, types) = k
        .image_instance_type_constraint
        .as_ref()
        .map(|c| (c.constraints_type.clone(), c.instance_types.clone()))
        .unwrap_or_default();
    Value::object([
        ("image_id", s(&k.image_id)),
        ("constraints_type", s(kind)),
        ("instance_types", strs(types)),
    ])
}

fn read_constraints<'a>(
    c: &'a Client,
    cfg: &'a Value,
) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let ids = str_list(cfg, "image_ids");
        let list: Vec<ImageConstraint> = if ids.len() == 1 {
            #[derive(serde::Deserialize, Default)]
            #[serde(default, rename_all = "camelCase")]
            struct One {
                image_constraints: ImageConstraint,
            }
            let call = Call::get(
                "describeImageConstraints",
                format!("{}/constraints", image_path(&ids[0])),
            );
            vec![c.call_typed::<One>(&call).await?.image_constraints]
        } else {
            #[derive(serde::Deserialize, Default)]
            #[serde(default, rename_all = "camelCase")]
            struct Many {
                image_constraints: Vec<ImageConstraint>,
            }
            let call = Call::get("describeImageConstraintsBatch", "/imageConstraints")
                .query(Query::new().list("ids", &ids));
            c.call_typed::<Many>(&call).await?.image_constraints
        };
        Ok(out(
            cfg,
            vec![(
                "constraints",
                Value::List(list.iter().map(constraint_obj).collect()),
            )],
        ))
    })
}

fn read_quotas<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let types = str_list(cfg, "resource_types");
        let mut q = Query::new();
        if !types.is_empty() {
            q = q.filters(&[Filter::new("resourceTypes", types)]);
        }
        if let Some(img) = opt_str(cfg, "image_id") {
            q = q.add("imageId", img);
        }
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct R {
            quotas: Vec<Quota>,
        }
        let r: R = c
            .call_typed(&Call::get("describeQuotas", "/quotas").query(q))
            .await?;
        let list = r
            .quotas
            .iter()
            .map(|q| {
                Value::object([
                    ("resource_type", s(&q.resource_type)),
                    ("limit", n(q.limit)),
                    ("used", n(q.used)),
                ])
            })
            .collect();
        Ok(out(cfg, vec![("quotas", Value::List(list))]))
    })
}

fn read_status<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let call = Call::get("describeInstanceStatus", "/instanceStatus")
            .query(Query::new().filters(&filters(cfg)));
        let list: Vec<InstanceStatus> = c.all_pages(&call, "instanceStatuses").await?;
        let m: BTreeMap<String, Value> = list
            .iter()
            .map(|x| (x.instance_id.clone(), s(&x.status)))
            .collect();
        Ok(out(cfg, vec![("statuses", Value::Map(m.into()))]))
    })
}

fn read_private_ips<'a>(
    c: &'a Client,
    cfg: &'a Value,
) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let call = Call::get(
            "describeInstancePrivateIpAddress",
            "/instancePrivateIpAddress",
        )
        .query(Query::new().filters(&filters(cfg)));
        let list: Vec<InstancePrivateIp> = c.all_pages(&call, "instancePrivateIpAddress").await?;
        let m: BTreeMap<String, Value> = list
            .iter()
            .map(|x| (x.instance_id.clone(), s(&x.private_ip_address)))
            .collect();
        Ok(out(cfg, vec![("private_ips", Value::Map(m.into()))]))
    })
}

fn read_vnc<'a>(c: &'a Client, cfg: &'a Value) -> BoxFuture<'a, Result<Value, ProviderError>> {
    Box::pin(async move {
        let id = str_or_empty(cfg, "instance_id");
        #[derive(serde::Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct R {
            vnc_url: String,
        }
        let r: R = c
            .call_typed(&Call::get(
                "describeInstanceVncUrl",
                format!("{}/vnc", instance_path(&id)),
            ))
            .await?;
        Ok(out(cfg, vec![("vnc_url", Value::sensitive(s(r.vnc_url)))]))
    })
}

/// Every data source.
pub fn all() -> Vec<Ds> {
    vec![
        Ds {
            name: "jdcloud_instances",
            schema: || {
                Schema::new("Instances matching filters (describeInstances, every page).")
                    .block("filter", filter_block())
                    .attr("ids", Attribute::computed(Type::list(Type::String)))
                    .attr(
                        "instances",
                        Attribute::computed(Type::list(instance_type())),
                    )
            },
            read: read_instances,
        },
        Ds {
            name: "jdcloud_instance",
            schema: || {
                let mut sc = Schema::new("One instance (describeInstance).")
                    .attr("instance_id", Attribute::required(Type::String))
                    .attr("id", Attribute::computed(Type::String));
                if let Type::Object(fields) = instance_type() {
                    for (k, t) in fields {
                        if k != "id" {
                            sc = sc.attr(&k, Attribute::computed(t));
                        }
                    }
                }
                sc
            },
            read: read_instance,
        },
        Ds {
            name: "jdcloud_instance_types",
            schema: || {
                Schema::new("Instance types (describeInstanceTypes).")
                    .attr("az", Attribute::optional(Type::String))
                    .attr(
                        "instance_types",
                        Attribute::optional(Type::list(Type::String)),
                    )
                    .attr(
                        "types",
                        Attribute::computed(Type::list(obj(&[
                            ("instance_type", Type::String),
                            ("family", Type::String),
                            ("cpu", Type::Number),
                            ("memory_mb", Type::Number),
                            ("nic_limit", Type::Number),
                            ("cloud_disk_count_limit", Type::Number),
                            ("generation", Type::Number),
                            ("in_stock", Type::Bool),
                        ]))),
                    )
            },
            read: read_types,
        },
        Ds {
            name: "jdcloud_images",
            schema: || {
                Schema::new("Images (describeImages, every page).")
                    .attr("image_source", Attribute::optional(Type::String))
                    .attr("platform", Attribute::optional(Type::String))
                    .attr("image_name", Attribute::optional(Type::String))
                    .attr("root_device_type", Attribute::optional(Type::String))
                    .attr("status", Attribute::optional(Type::String))
                    .attr("architecture", Attribute::optional(Type::String))
                    .attr("ids", Attribute::optional(Type::list(Type::String)))
                    .attr("image_ids", Attribute::computed(Type::list(Type::String)))
                    .attr("images", Attribute::computed(Type::list(image_type())))
            },
            read: read_images,
        },
        Ds {
            name: "jdcloud_image",
            schema: || {
                Schema::new("One image (describeImage).")
                    .attr("image_id", Attribute::required(Type::String))
                    .attr("id", Attribute::computed(Type::String))
                    .attr("name", Attribute::computed(Type::String))
                    .attr("status", Attribute::computed(Type::String))
                    .attr("platform", Attribute::computed(Type::String))
                    .attr("root_device_type", Attribute::computed(Type::String))
                    .attr("system_disk_size_gb", Attribute::computed(Type::Number))
            },
            read: read_image,
        },
        Ds {
            name: "jdcloud_image_constraints",
            schema: || {
                Schema::new("Instance type constraints of images (describeImageConstraints, or the Batch call for several).")
                    .attr("image_ids", Attribute::required(Type::list(Type::String)))
                    .attr(
                        "constraints",
                        Attribute::computed(Type::list(obj(&[
                            ("image_id", Type::String),
                            ("constraints_type", Type::String),
                            ("instance_types", Type::list(Type::String)),
                        ]))),
                    )
            },
            read: read_constraints,
        },
        Ds {
            name: "jdcloud_quotas",
            schema: || {
                Schema::new("Quotas (describeQuotas).")
                    .attr(
                        "resource_types",
                        Attribute::optional(Type::list(Type::String)),
                    )
                    .attr("image_id", Attribute::optional(Type::String))
                    .attr(
                        "quotas",
                        Attribute::computed(Type::list(obj(&[
                            ("resource_type", Type::String),
                            ("limit", Type::Number),
                            ("used", Type::Number),
                        ]))),
                    )
            },
            read: read_quotas,
        },
        Ds {
            name: "jdcloud_instance_status",
            schema: || {
                Schema::new("Instance statuses by id (describeInstanceStatus, every page).")
                    .block("filter", filter_block())
                    .attr("statuses", Attribute::computed(Type::map(Type::String)))
            },
            read: read_status,
        },
        Ds {
            name: "jdcloud_instance_private_ips",
            schema: || {
                Schema::new("Primary private IPs by instance id (describeInstancePrivateIpAddress, every page).")
                    .block("filter", filter_block())
                    .attr("private_ips", Attribute::computed(Type::map(Type::String)))
            },
            read: read_private_ips,
        },
        Ds {
            name: "jdcloud_instance_vnc_url",
            schema: || {
                Schema::new(
                    "A VNC URL for a running instance (describeInstanceVncUrl), valid one hour.",
                )
                .attr("instance_id", Attribute::required(Type::String))
                .attr("vnc_url", Attribute::computed(Type::String).sensitive())
            },
            read: read_vnc,
        },
    ]
}
