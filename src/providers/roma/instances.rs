//! Data source `roma_instances`: every instance CheckRomaInstanceListV2 lists (every
//! page), with the seed's query parameters as arguments and client-side filters by
//! name, and each instance as an object with every field of the seed, typed.

use super::client::Client;
use super::paging::{list_all, DEFAULT_PAGE_SIZE};
use super::wire::{Instance, UserRef};
use super::PROVIDER;
use crate::lang::{Type, Value};
use crate::provider::resource::DataSourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use async_trait::async_trait;
use std::collections::BTreeMap;

pub struct InstancesDataSource;

fn user_type() -> Type {
    Type::Object(BTreeMap::from([
        ("user_id".to_string(), Type::String),
        ("user_name".to_string(), Type::String),
    ]))
}

/// The object type of one instance: the seed's fields and JSON types.
pub fn instance_type() -> Type {
    let strings = [
        "id",
        "name",
        "description",
        "flavor_id",
        "flavor_type",
        "cpu_arch",
        "vpc_id",
        "subnet_id",
        "security_group_id",
        "publicip_id",
        "publicip_address",
        "status",
        "error_code",
        "error_msg",
        "charge_type",
        "project_id",
        "create_time",
        "update_time",
        "maintain_begin",
        "maintain_end",
        "enterprise_project_id",
    ];
    let mut fields: BTreeMap<String, Type> = strings
        .iter()
        .map(|k| (k.to_string(), Type::String))
        .collect();
    fields.insert("publicip_enable".into(), Type::Bool);
    fields.insert("available_zone_ids".into(), Type::list(Type::String));
    fields.insert("created_user".into(), user_type());
    fields.insert("last_updated_user".into(), user_type());
    Type::Object(fields)
}

fn s(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |x| Value::string(x.clone()))
}

fn user(u: &Option<UserRef>) -> Value {
    match u {
        None => Value::Null,
        Some(u) => Value::object([("user_id", s(&u.user_id)), ("user_name", s(&u.user_name))]),
    }
}

/// One instance as a value of [`instance_type`] (absent fields null).
pub fn instance_value(i: &Instance) -> Value {
    Value::object([
        ("id", s(&i.id)),
        ("name", s(&i.name)),
        ("description", s(&i.description)),
        ("flavor_id", s(&i.flavor_id)),
        ("flavor_type", s(&i.flavor_type)),
        ("cpu_arch", s(&i.cpu_arch)),
        ("vpc_id", s(&i.vpc_id)),
        ("subnet_id", s(&i.subnet_id)),
        ("security_group_id", s(&i.security_group_id)),
        (
            "publicip_enable",
            i.publicip_enable.map_or(Value::Null, Value::Bool),
        ),
        ("publicip_id", s(&i.publicip_id)),
        ("publicip_address", s(&i.publicip_address)),
        ("status", s(&i.status)),
        ("error_code", s(&i.error_code)),
        ("error_msg", s(&i.error_msg)),
        ("charge_type", s(&i.charge_type)),
        ("project_id", s(&i.project_id)),
        ("create_time", s(&i.create_time)),
        ("update_time", s(&i.update_time)),
        ("maintain_begin", s(&i.maintain_begin)),
        ("maintain_end", s(&i.maintain_end)),
        (
            "available_zone_ids",
            i.available_zone_ids.as_ref().map_or(Value::Null, |z| {
                Value::List(z.iter().map(|x| Value::string(x.clone())).collect())
            }),
        ),
        ("enterprise_project_id", s(&i.enterprise_project_id)),
        ("created_user", user(&i.created_user)),
        ("last_updated_user", user(&i.last_updated_user)),
    ])
}

fn arg(ty: Type, d: &'static str) -> Attribute {
    Attribute::optional(ty).describe(d)
}

fn opt_str(cfg: &Value, name: &str) -> Option<String> {
    cfg.get_attr(name)
        .and_then(|v| v.unmarked().as_str())
        .map(str::to_string)
}

fn invalid(message: String) -> ProviderError {
    ProviderError::new(PROVIDER, "roma_instances", message).kind(ErrorKind::Invalid)
}

/// A whole-number argument in `range`, or its default.
fn opt_u64(
    cfg: &Value,
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ProviderError> {
    match cfg.get_attr(name).map(Value::unmarked) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_i64()
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                invalid(format!(
                    "{name} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

#[async_trait]
impl DataSourceType<Client> for InstancesDataSource {
    fn name(&self) -> &'static str {
        "roma_instances"
    }

    fn schema(&self) -> Schema {
        Schema::new("ROMA Connect instances of the project (CheckRomaInstanceListV2, every page).")
            .attr("status", arg(Type::String, "Only instances in this status (the API's `status` query: RUNNING, CREATING, ERROR, ...)."))
            .attr("offset", arg(Type::Number, "Skip this many instances (the API's `offset`; default 0)."))
            .attr("limit", arg(Type::Number, "Instances per call (the API's `limit`, 1 to 999; default 100). Every page is fetched."))
            .attr("name", arg(Type::String, "Only the instances with exactly this name (filtered here, not by the API)."))
            .attr("name_regex", arg(Type::String, "Only the instances whose name matches this regular expression (filtered here)."))
            .attr("id", Attribute::computed(Type::String).describe("An id for this read: the project and status."))
            .attr("total", Attribute::computed(Type::Number).describe("The API's `total`: instances matching `status`, before the name filters."))
            .attr("ids", Attribute::computed(Type::list(Type::String)).describe("The ids of `instances`."))
            .attr("instances", Attribute::computed(Type::list(instance_type())).describe("The instances, every field of the API's answer."))
    }

    async fn read(&self, client: &Client, config: &Value) -> Result<Value, ProviderError> {
        let status = opt_str(config, "status");
        let offset = opt_u64(config, "offset", 0, 0..=u64::from(u32::MAX))?;
        let limit = opt_u64(config, "limit", DEFAULT_PAGE_SIZE, 1..=999)?;
        let name = opt_str(config, "name");
        let name_regex = match opt_str(config, "name_regex") {
            None => None,
            Some(r) => Some(regex::Regex::new(&r).map_err(|e| {
                invalid(format!("name_regex {r:?} is not a regular expression: {e}"))
            })?),
        };
        let listing = list_all(client, status.clone(), offset, limit, &CancelToken::new()).await?;
        let kept: Vec<&Instance> = listing
            .instances
            .iter()
            .filter(|i| {
                let n = i.name.as_deref().unwrap_or_default();
                name.as_deref().is_none_or(|want| n == want)
                    && name_regex.as_ref().is_none_or(|re| re.is_match(n))
            })
            .collect();
        let mut out = config.as_map().cloned().unwrap_or_default();
        out.insert(
            "id".into(),
            Value::string(format!(
                "roma-instances-{}",
                status.as_deref().unwrap_or("all")
            )),
        );
        out.insert(
            "total".into(),
            Value::number(i64::try_from(listing.total).unwrap_or(i64::MAX)),
        );
        out.insert(
            "ids".into(),
            Value::List(kept.iter().map(|i| s(&i.id)).collect()),
        );
        out.insert(
            "instances".into(),
            Value::List(kept.iter().map(|i| instance_value(i)).collect()),
        );
        Ok(Value::Object(out))
    }
}
