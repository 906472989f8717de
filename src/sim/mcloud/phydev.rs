//! Physical and already-existing machines: `POST /v1/instance/phydev` enters
//! physical machines by address, `PUT /v1/instance/phydev` records a machine
//! described like a cloud instance.

use super::body;
use super::clock;
use super::envelope::{msg, Reply, INPUT_ERROR};
use super::instances::committed;
use super::model::{Instance, Network, Zone};
use super::simulator::Simulator;
use super::spec::{self, MachineSpec, SpecKind};
use super::status::InstanceStatus;
use super::store::Store;
use super::templates::insert_template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{json, Map, Value};
use std::net::IpAddr;
use std::sync::Arc;

/// Provider name of entered physical machines.
pub const PHYDEV: &str = "phydev";

/// The built-in "Physical device" template, created on first use.
fn phydev_template(store: &mut Store, now_ms: i64) -> u64 {
    if let Some(id) = store.cloud.phydev_template_id {
        return id;
    }
    let spec = MachineSpec {
        name: "Physical device".into(),
        desc: "About physical device".into(),
        provider: PHYDEV.into(),
        network: Network::default(),
        zone: Zone::default(),
        ..MachineSpec::default()
    };
    let id = insert_template(store, &spec, now_ms);
    store.cloud.phydev_template_id = Some(id);
    id
}

/// One entry of `instancelist`, checked.
struct Entry {
    public_ip: String,
    private_ip: String,
    password: String,
}

fn read_entry(value: &Value) -> Result<Entry, String> {
    let Value::Object(object) = value else {
        return Err("Instance: entry is not an object".into());
    };
    let public_ip = body::opt_string(object, "PublicIp")
        .map_err(|e| format!("Instance: {e}"))?
        .trim()
        .to_string();
    let shown = if public_ip.is_empty() {
        "?"
    } else {
        public_ip.as_str()
    };
    let private_ip = body::opt_string(object, "PrivateIp")
        .map_err(|e| format!("Instance: {shown} {e}"))?
        .trim()
        .to_string();
    let password =
        body::opt_string(object, "Password").map_err(|e| format!("Instance: {shown} {e}"))?;
    body::opt_integer(object, "Port").map_err(|e| format!("Instance: {shown} {e}"))?;
    for (name, ip) in [("PublicIp", &public_ip), ("PrivateIp", &private_ip)] {
        if ip.parse::<IpAddr>().is_err() {
            return Err(format!("Instance: {shown} has an invalid {name} {ip:?}"));
        }
    }
    if password.is_empty() {
        return Err(format!("Instance: {shown} needs a Password"));
    }
    Ok(Entry {
        public_ip,
        private_ip,
        password,
    })
}

/// `POST /v1/instance/phydev` with `{"instancelist": [{PublicIp, PrivateIp,
/// Password, Port}]}`; `X-CORRELATION-ID` required. Per-machine results.
pub async fn enter(State(sim): State<Arc<Simulator>>, headers: HeaderMap, bytes: Bytes) -> Reply {
    let Some(correlation) = body::correlation_id(&headers) else {
        return Reply::missing_correlation_id();
    };
    let list = body::object(&bytes).and_then(|o| match body::field(&o, "instancelist") {
        Some(Value::Array(list)) => Some(list.clone()),
        _ => None,
    });
    let Some(list) = list else {
        return Reply::input_error().with_ext(json!("the body must be {\"instancelist\": [...]}"));
    };
    let reply = sim.with_store(|store, now| {
        let (mut success, mut failed, mut errors) = (0u64, 0u64, Vec::<String>::new());
        for value in &list {
            let entry = match read_entry(value) {
                Ok(entry) => entry,
                Err(error) => {
                    failed += 1;
                    errors.push(error);
                    continue;
                }
            };
            if store.ip_in_use(&entry.public_ip) || store.ip_in_use(&entry.private_ip) {
                failed += 1;
                errors.push(format!("Instance: {} is already in DB", entry.public_ip));
                continue;
            }
            let cluster = phydev_template(store, now);
            let instance = Instance {
                row_id: store.next_instance_row(),
                instance_id: store.new_instance_id(),
                cluster_id: Some(cluster),
                provider: PHYDEV.into(),
                create_time: clock::create_time(now),
                cpu: 1,
                ram: 1,
                image_id: String::new(),
                instance_type: String::new(),
                key_name: String::new(),
                vpc_id: String::new(),
                subnet_id: String::new(),
                security_group_id: String::new(),
                region_id: String::new(),
                zone_id: String::new(),
                data_disk_num: 0,
                data_disk_size: 0,
                data_disk_category: String::new(),
                system_disk_category: String::new(),
                cost_way: String::new(),
                private_ip: entry.private_ip,
                public_ip: entry.public_ip,
                status: InstanceStatus::Running,
                ready_at_ms: None,
                ssh_key: None,
                password: Some(entry.password),
            };
            store.log(
                Some(&correlation),
                &instance.instance_id,
                "phydev",
                format!(
                    "entered physical machine {} ({})",
                    instance.public_ip, instance.private_ip
                ),
                now,
            );
            store.insert_instance(instance);
            success += 1;
        }
        if success > 0 {
            store.record_counts(now);
            store.touch();
        }
        Reply::ok(json!({"success": success, "failed": failed, "errors": errors}))
    });
    committed(&sim, reply, "Enter physical machines err").await
}

fn upload_fields(object: &Map<String, Value>) -> Result<(String, String, String), String> {
    Ok((
        body::opt_string(object, "InstanceId")?.trim().to_string(),
        body::opt_string(object, "PrivateIpAddress")?
            .trim()
            .to_string(),
        body::opt_string(object, "PublicIpAddress")?
            .trim()
            .to_string(),
    ))
}

/// `PUT /v1/instance/phydev`: records a machine described like a cloud
/// instance (already running elsewhere). `InstanceId`, `PrivateIpAddress`
/// and `PublicIpAddress` may be given; missing ones are assigned. Content:
/// the stored machine.
pub async fn upload(State(sim): State<Arc<Simulator>>, headers: HeaderMap, bytes: Bytes) -> Reply {
    let (spec, provider) = match spec::parse(&bytes, SpecKind::Upload) {
        Ok(parsed) => parsed,
        Err(reply) => return reply,
    };
    let input_error =
        |reason: String| Reply::error(INPUT_ERROR, msg::INPUT_ERROR_BANG).with_ext(json!(reason));
    let object = body::object(&bytes).unwrap_or_default();
    let (given_id, given_private, given_public) = match upload_fields(&object) {
        Ok(fields) => fields,
        Err(reason) => return input_error(reason),
    };
    for (name, ip) in [
        ("PrivateIpAddress", &given_private),
        ("PublicIpAddress", &given_public),
    ] {
        if !ip.is_empty() && ip.parse::<IpAddr>().is_err() {
            return input_error(format!("{name} {ip:?} is not an IP address"));
        }
    }
    let correlation = body::correlation_id(&headers);
    let reply = sim.with_store(|store, now| {
        if !given_id.is_empty() && store.instance(&given_id).is_some() {
            return Err(input_error(format!(
                "Instance: {given_id} is already in DB"
            )));
        }
        for ip in [&given_private, &given_public] {
            if !ip.is_empty() && store.ip_in_use(ip) {
                return Err(input_error(format!("Instance: {ip} is already in DB")));
            }
        }
        let private_ip = if given_private.is_empty() {
            store.new_private_ip()
        } else {
            given_private.clone()
        };
        let instance = Instance {
            row_id: store.next_instance_row(),
            instance_id: if given_id.is_empty() {
                store.new_instance_id()
            } else {
                given_id.clone()
            },
            cluster_id: None,
            provider: provider.name.into(),
            create_time: clock::create_time(now),
            cpu: spec.cpu,
            ram: spec.ram,
            image_id: spec.image_id.clone(),
            instance_type: spec.instance_type.clone(),
            key_name: spec.key_name.clone(),
            vpc_id: spec.network.vpc_id.clone(),
            subnet_id: spec.network.subnet_id.clone(),
            security_group_id: spec.network.security_group.clone(),
            region_id: spec.zone.region_name.clone(),
            zone_id: spec.zone.zone_name.clone(),
            data_disk_num: spec.data_disk_num,
            data_disk_size: spec.data_disk_size,
            data_disk_category: spec.data_disk_category.clone(),
            system_disk_category: spec.system_disk_category.clone(),
            cost_way: provider.cost_way.into(),
            public_ip: given_public.clone(),
            private_ip,
            status: InstanceStatus::Running,
            ready_at_ms: None,
            ssh_key: None,
            password: None,
        };
        store.log(
            correlation.as_deref(),
            &instance.instance_id,
            "upload",
            format!(
                "recorded {} machine {} ({})",
                instance.provider, instance.instance_id, instance.private_ip
            ),
            now,
        );
        let wire = store.instance_wire(&instance, now);
        store.insert_instance(instance);
        store.record_counts(now);
        store.touch();
        Ok(Reply::ok(wire))
    });
    match reply {
        Ok(reply) => committed(&sim, reply, "Upload instance err").await,
        Err(reply) => reply,
    }
}
