//! The data source `twocloud_servers`: every server of one tenant, region and access party
//! (each from the data source, else the provider block, else its environment variable),
//! read through every window ([`super::paging`]), then narrowed by the optional client-side
//! filters `name_regex` and `status`.

use super::client::{Client, Defaults, Scope, PROVIDER};
use super::paging::list_all;
use super::wire::VmServer;
use crate::lang::{Type, Value};
use crate::provider::resource::DataSourceType;
use crate::provider::schema::{Attribute, Schema};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// The data source's name.
pub const NAME: &str = "twocloud_servers";

/// The three scope attributes with the environment variable each falls back to.
pub const SCOPE_ATTRIBUTES: [(&str, &str); 3] = [
    ("tenant_id", super::TENANT_ID_ENV),
    ("region", super::REGION_ENV),
    ("party", super::PARTY_ENV),
];

/// Where a data source's scope can be set.
const IN_DATA_SOURCE: &str = "the data source or the provider block";

/// The object type of one entry of `servers`.
pub fn server_type() -> Type {
    let fields: [(&str, Type); 12] = [
        ("instance_name", Type::String),
        ("instance_id", Type::String),
        ("cpu_num", Type::Number),
        ("mem_size", Type::Number),
        ("disk_size", Type::Number),
        ("lan_ip_set", Type::String),
        ("wan_ip_set", Type::String),
        ("status", Type::String),
        ("create_at", Type::String),
        ("update_at", Type::String),
        ("lan_ips", Type::list(Type::String)),
        ("wan_ips", Type::list(Type::String)),
    ];
    Type::Object(
        fields
            .into_iter()
            .map(|(k, t)| (k.to_string(), t))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// One server as a value of [`server_type`].
pub fn server_value(s: &VmServer) -> Value {
    let strs = |xs: Vec<String>| Value::List(xs.into_iter().map(Value::String).collect());
    Value::object([
        ("instance_name", Value::string(&s.instance_name)),
        ("instance_id", Value::string(&s.instance_id)),
        ("cpu_num", Value::number(s.cpu_num)),
        ("mem_size", Value::number(s.mem_size)),
        ("disk_size", Value::number(s.disk_size)),
        ("lan_ip_set", Value::string(&s.lan_ip_set)),
        ("wan_ip_set", Value::string(&s.wan_ip_set)),
        ("status", Value::string(&s.status)),
        ("create_at", Value::string(&s.create_at)),
        ("update_at", Value::string(&s.update_at)),
        ("lan_ips", strs(s.lan_ips())),
        ("wan_ips", strs(s.wan_ips())),
    ])
}

fn schema() -> Schema {
    Schema::new("Every server of a TwoCloud tenant in a region for an access party (GET /twocloud/servers, all windows).")
        .attr("tenant_id", Attribute::optional_computed(Type::String).describe("Tenant id; default: the provider's tenant_id or TWOCLOUD_TENANT_ID."))
        .attr("region", Attribute::optional_computed(Type::String).describe("Region (gz, ...); default: the provider's region or TWOCLOUD_REGION."))
        .attr("party", Attribute::optional_computed(Type::String).describe("Access party (qcloud, ...); default: the provider's party or TWOCLOUD_PARTY."))
        .attr("name_regex", Attribute::optional(Type::String).describe("Keep only servers whose instance_name matches this regular expression (RE2 syntax, unanchored)."))
        .attr("status", Attribute::optional(Type::String).describe("Keep only servers in this status (ACTIVE, ERROR, ...; case-insensitive)."))
        .attr("id", Attribute::computed(Type::String).describe("tenant_id/region/party."))
        .attr("servers", Attribute::computed(Type::list(server_type())).describe("The servers, in the API's order, after the filters."))
        .attr("ids", Attribute::computed(Type::list(Type::String)).describe("The instance_id of each entry of servers."))
        .attr("count", Attribute::computed(Type::Number).describe("How many servers are in servers (after the filters)."))
        .attr("total", Attribute::computed(Type::Number).describe("How many servers the API listed (before the filters)."))
}

/// The value of a string attribute, `None` when absent, null, unknown or empty.
fn opt_str(config: &Value, name: &str) -> Option<String> {
    config
        .get_attr(name)
        .filter(|v| !v.is_null() && !v.is_unknown())
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The scope of a read: each part from `config`, else the provider's defaults; every
/// part missing from both is named in one error, which says to set them in `places`.
pub fn scope_of(
    config: &Value,
    defaults: &Defaults,
    what: &str,
    places: &str,
) -> Result<Scope, ProviderError> {
    let fallback = [&defaults.tenant_id, &defaults.region, &defaults.party];
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    for ((name, env), default) in SCOPE_ATTRIBUTES.iter().zip(fallback) {
        match opt_str(config, name).or_else(|| default.clone()) {
            Some(v) => parts.push(v),
            None => missing.push(format!("{name} (or {env})")),
        }
    }
    if !missing.is_empty() {
        return Err(ProviderError::new(
            PROVIDER,
            what,
            format!(
                "{what} needs {}: set {} in {places}, or the environment variable",
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" },
            ),
        )
        .kind(ErrorKind::Invalid));
    }
    let [tenant_id, region, party]: [String; 3] = parts
        .try_into()
        .map_err(|_| ProviderError::new(PROVIDER, what, "scope incomplete"))?;
    Ok(Scope {
        tenant_id,
        region,
        party,
    })
}

/// The client-side filters.
struct Filters {
    name: Option<regex::Regex>,
    status: Option<String>,
}

impl Filters {
    fn from(config: &Value) -> Result<Filters, ProviderError> {
        let name = match opt_str(config, "name_regex") {
            None => None,
            Some(re) => Some(regex::Regex::new(&re).map_err(|e| {
                ProviderError::new(
                    PROVIDER,
                    NAME,
                    format!("name_regex {re:?} is not a valid regular expression: {e}"),
                )
                .kind(ErrorKind::Invalid)
            })?),
        };
        Ok(Filters {
            name,
            status: opt_str(config, "status"),
        })
    }

    fn keeps(&self, s: &VmServer) -> bool {
        self.name
            .as_ref()
            .is_none_or(|re| re.is_match(&s.instance_name))
            && self
                .status
                .as_ref()
                .is_none_or(|st| st.eq_ignore_ascii_case(s.status.trim()))
    }
}

/// `twocloud_servers`.
pub struct ServersDataSource;

#[async_trait]
impl DataSourceType<Client> for ServersDataSource {
    fn name(&self) -> &'static str {
        NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, client: &Client, config: &Value) -> Result<Value, ProviderError> {
        let scope = scope_of(config, client.defaults(), NAME, IN_DATA_SOURCE)?;
        let filters = Filters::from(config)?;
        let all = list_all(client, &scope, &CancelToken::new()).await?;
        let kept: Vec<&VmServer> = all.iter().filter(|s| filters.keeps(s)).collect();
        let mut out = config.as_map().cloned().unwrap_or_default();
        let mut set = |k: &str, v: Value| {
            out.insert(k.to_string(), v);
        };
        set(
            "id",
            Value::string(format!(
                "{}/{}/{}",
                scope.tenant_id, scope.region, scope.party
            )),
        );
        set("tenant_id", Value::string(&scope.tenant_id));
        set("region", Value::string(&scope.region));
        set("party", Value::string(&scope.party));
        set(
            "ids",
            Value::List(kept.iter().map(|s| Value::string(&s.instance_id)).collect()),
        );
        set(
            "servers",
            Value::List(kept.iter().map(|s| server_value(s)).collect()),
        );
        set("count", Value::number(kept.len() as i64));
        set("total", Value::number(all.len() as i64));
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_scope_names_every_attribute_and_variable() {
        let cfg = Value::object([("region", Value::string("gz"))]);
        let e = scope_of(&cfg, &Defaults::default(), NAME, IN_DATA_SOURCE).expect_err("missing");
        assert!(
            e.message.contains("tenant_id (or TWOCLOUD_TENANT_ID)"),
            "{e}"
        );
        assert!(e.message.contains("party (or TWOCLOUD_PARTY)"), "{e}");
        assert!(!e.message.contains("region"), "{e}");
        let d = Defaults {
            tenant_id: Some("123".into()),
            region: Some("bj".into()),
            party: Some("qcloud".into()),
        };
        let s = scope_of(&cfg, &d, NAME, IN_DATA_SOURCE).expect("scope");
        assert_eq!(s.region, "gz", "the data source wins over the provider");
        assert_eq!(s.tenant_id, "123");
    }

    #[test]
    fn filters_match_names_and_statuses() {
        let cfg = Value::object([
            ("name_regex", Value::string("^web-")),
            ("status", Value::string("active")),
        ]);
        let f = Filters::from(&cfg).expect("filters");
        let s = |name: &str, status: &str| VmServer {
            instance_name: name.into(),
            instance_id: "i".into(),
            status: status.into(),
            ..VmServer::default()
        };
        assert!(f.keeps(&s("web-1", "ACTIVE")));
        assert!(!f.keeps(&s("db-1", "ACTIVE")));
        assert!(!f.keeps(&s("web-2", "ERROR")));
        let bad = Value::object([("name_regex", Value::string("(web"))]);
        let e = Filters::from(&bad).err().expect("bad regex");
        assert!(e.message.contains("name_regex \"(web\""), "{e}");
    }
}
