//! The mcloud provider against the mcloud simulator, over real HTTP on loopback.

use skyform::lang::Value;
use skyform::provider::schema::Schema;
use skyform::provider::{
    ConfigureContext, OperationContext, PartialFailure, Provider, ProviderType,
};
use skyform::providers::mcloud::MCloudProviderType;
use skyform::sim::mcloud::{self, Knobs, SimOptions, Simulator};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub struct Env {
    pub sim: Arc<Simulator>,
    pub provider: Arc<dyn Provider>,
    pub base: String,
}

pub async fn env_with(knobs: Knobs) -> Env {
    env_configured(knobs, &[]).await
}

/// A simulator with `knobs` and a provider whose block also sets `extra`.
pub async fn env_configured(knobs: Knobs, extra: &[(&str, Value)]) -> Env {
    let sim = Simulator::open(SimOptions {
        persist_path: None,
        knobs,
    })
    .expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, _handle) = skyform::sim::serve(mcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    let base = format!("http://{bound}");
    let mut config: BTreeMap<String, Value> = [
        ("endpoint", s(&base)),
        ("timeout", s("10s")),
        ("max_retries", Value::number(3)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        config.insert(k.to_string(), v.clone());
    }
    let config = Value::Object(config.into());
    let ctx = ConfigureContext::new(std::env::temp_dir());
    let provider = MCloudProviderType::new()
        .configure(&config, &ctx)
        .await
        .expect("configure");
    Env {
        sim,
        provider,
        base,
    }
}

pub async fn env() -> Env {
    env_with(Knobs::default()).await
}

pub fn s(v: &str) -> Value {
    Value::string(v)
}

pub fn n(v: i64) -> Value {
    Value::number(v)
}

pub fn op(address: &str) -> OperationContext {
    OperationContext::new(address).with_timeout(Some(Duration::from_secs(20)))
}

/// A value as the core hands it over: every schema attribute present, the given ones
/// set, computed ones unknown, the rest null.
pub fn planned(schema: &Schema, given: &[(&str, Value)]) -> Value {
    let given: BTreeMap<&str, &Value> = given.iter().map(|(k, v)| (*k, v)).collect();
    let mut out = BTreeMap::new();
    for (name, attr) in &schema.attributes {
        let v = match given.get(name.as_str()) {
            Some(v) => (*v).clone(),
            None if attr.computed => Value::unknown(),
            None => Value::Null,
        };
        out.insert(name.clone(), v);
    }
    for (name, block) in &schema.blocks {
        let v = match given.get(name.as_str()) {
            Some(v) => planned(&block.schema, &as_pairs(v)),
            None => Value::Null,
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out.into())
}

fn as_pairs(v: &Value) -> Vec<(&str, Value)> {
    v.as_map()
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v.clone())).collect())
        .unwrap_or_default()
}

impl Env {
    pub fn schema(&self, type_name: &str) -> Schema {
        self.provider
            .resource_schema(type_name)
            .cloned()
            .expect("resource schema")
    }

    pub fn data_schema(&self, type_name: &str) -> Schema {
        self.provider
            .schema()
            .data_sources
            .get(type_name)
            .cloned()
            .expect("data source schema")
    }

    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.sim.request_counts()
    }

    /// How many machines the simulator holds.
    pub fn sim_instance_count(&self) -> usize {
        self.sim.snapshot()["instances"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    }

    pub fn count(&self, key: &str) -> u64 {
        self.counts().get(key).copied().unwrap_or(0)
    }

    pub async fn read_data(&self, type_name: &str, given: &[(&str, Value)]) -> Value {
        let cfg = planned(&self.data_schema(type_name), given);
        match self.provider.read_data(type_name, &cfg).await {
            Ok(v) => v,
            Err(e) => panic!("{type_name}: {e}"),
        }
    }

    pub async fn try_create(
        &self,
        type_name: &str,
        given: &[(&str, Value)],
    ) -> Result<Value, PartialFailure> {
        let p = planned(&self.schema(type_name), given);
        self.provider.create(type_name, &p, &op(type_name)).await
    }

    pub async fn create(&self, type_name: &str, given: &[(&str, Value)]) -> Value {
        match self.try_create(type_name, given).await {
            Ok(v) => v,
            Err(e) => panic!("create {type_name}: {e}"),
        }
    }

    pub async fn read_one(&self, type_name: &str, prior: &Value) -> Option<Value> {
        let mut got = self
            .provider
            .read_resources(type_name, std::slice::from_ref(prior))
            .await
            .expect("read");
        assert_eq!(got.len(), 1);
        got.pop().flatten()
    }

    /// Changes `changes` in `prior` and applies the update.
    pub async fn update(&self, type_name: &str, prior: &Value, changes: &[(&str, Value)]) -> Value {
        let mut next = prior.as_map().cloned().expect("object");
        for (k, v) in changes {
            next.insert(k.to_string(), v.clone());
        }
        let planned = Value::Object(next);
        match self
            .provider
            .update(type_name, prior, &planned, &op(type_name))
            .await
        {
            Ok(v) => v,
            Err(e) => panic!("update {type_name}: {e}"),
        }
    }

    pub async fn delete(&self, type_name: &str, prior: &Value) {
        if let Err(e) = self.provider.delete(type_name, prior, &op(type_name)).await {
            panic!("delete {type_name}: {e}");
        }
    }
}

pub fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name)
        .unwrap_or_else(|| panic!("attribute {name} missing in {v:?}"))
}

pub fn text(v: &Value, name: &str) -> String {
    attr(v, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string: {v:?}"))
        .to_string()
}

pub fn network() -> Value {
    Value::object([
        ("internet_charge_type", s("PayByBandwidth")),
        ("internet_max_bandwidth_out", n(5)),
    ])
}

pub fn zone() -> Value {
    Value::object([
        ("region_name", s("cn-beijing")),
        ("zone_name", s("cn-beijing-c")),
    ])
}

pub fn template_args(name: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("name", s(name)),
        ("cloud", s("aliyun")),
        ("instance_type", s("1Core-1GB")),
        ("image_id", s("centos7u2_64_40G_cloudinit_20160728.raw")),
        ("network", network()),
        ("zone", zone()),
        ("system_disk_category", s("cloud_efficiency")),
        ("data_disk_size", n(100)),
        ("data_disk_num", n(1)),
        ("data_disk_category", s("cloud_efficiency")),
    ]
}

pub fn instance_args() -> Vec<(&'static str, Value)> {
    vec![
        ("cloud", s("aliyun")),
        ("instance_type", s("1Core-1GB")),
        ("image_id", s("centos7u2_64_40G_cloudinit_20160728.raw")),
        ("network", network()),
        ("zone", zone()),
        ("system_disk_category", s("cloud_efficiency")),
        ("data_disk_size", n(100)),
        ("data_disk_num", n(1)),
        ("data_disk_category", s("cloud_efficiency")),
    ]
}

pub fn with(
    mut args: Vec<(&'static str, Value)>,
    k: &'static str,
    v: Value,
) -> Vec<(&'static str, Value)> {
    args.retain(|(name, _)| *name != k);
    args.push((k, v));
    args
}
