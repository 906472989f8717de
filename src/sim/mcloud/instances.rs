//! Machine instances: create, get, list, list by template, delete.

use super::body;
use super::catalog::ProviderCatalog;
use super::clock;
use super::envelope::{msg, Reply, INPUT_ERROR, MISSING_PARAMETER, SERVICE_ERROR};
use super::model::Instance;
use super::simulator::Simulator;
use super::spec::{self, MachineSpec, SpecKind};
use super::status::InstanceStatus;
use super::store::Store;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::sync::Arc;

/// Commits a mutation; when the state file cannot be written the answer
/// becomes `10999 failure` with the reason in `ext`.
pub async fn committed(sim: &Simulator, reply: Reply, failure: &str) -> Reply {
    match sim.commit().await {
        Ok(()) => reply,
        Err(reason) => Reply::error(SERVICE_ERROR, failure).with_ext(Value::String(reason)),
    }
}

/// The first status of a new or started instance.
pub fn starting_status(transition_ms: u64, now_ms: i64) -> (InstanceStatus, Option<i64>) {
    if transition_ms == 0 {
        (InstanceStatus::Running, None)
    } else {
        let ready = now_ms.saturating_add(i64::try_from(transition_ms).unwrap_or(i64::MAX));
        (InstanceStatus::Starting, Some(ready))
    }
}

/// Creates one cloud instance from a spec; returns it (already stored).
pub fn create_instance(
    store: &mut Store,
    spec: &MachineSpec,
    provider: &ProviderCatalog,
    cluster_id: Option<u64>,
    transition_ms: u64,
    now_ms: i64,
) -> Instance {
    let instance_id = store.new_instance_id();
    let private_ip = store.new_private_ip();
    let public_ip = if spec.network.internet_max_bandwidth_out > 0 {
        store.public_ip_for(provider.name, &private_ip)
    } else {
        String::new()
    };
    let (status, ready_at_ms) = starting_status(transition_ms, now_ms);
    let instance = Instance {
        row_id: store.next_instance_row(),
        instance_id,
        cluster_id,
        provider: provider.name.to_string(),
        create_time: clock::create_time(now_ms),
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
        cost_way: provider.cost_way.to_string(),
        private_ip,
        public_ip,
        status,
        ready_at_ms,
        ssh_key: None,
        password: None,
    };
    store.insert_instance(instance.clone());
    instance
}

/// `POST /v1/instance`: content is the new machine's private IP address.
pub async fn create(State(sim): State<Arc<Simulator>>, headers: HeaderMap, bytes: Bytes) -> Reply {
    let (spec, provider) = match spec::parse(&bytes, SpecKind::Instance) {
        Ok(parsed) => parsed,
        Err(reply) => return reply,
    };
    let correlation = body::correlation_id(&headers);
    let transition = sim.knobs().transition_ms;
    let ip = sim.with_store(|store, now| {
        let instance = create_instance(store, &spec, provider, None, transition, now);
        store.log(
            correlation.as_deref(),
            &instance.instance_id,
            "create",
            format!(
                "created {} instance {} ({}) with address {}",
                instance.provider,
                instance.instance_id,
                instance.instance_type,
                instance.private_ip
            ),
            now,
        );
        store.record_counts(now);
        store.touch();
        instance.private_ip
    });
    committed(&sim, Reply::ok(json!(ip)), "Create instance err").await
}

/// Reads a single path parameter that must not be blank.
pub fn required_param(path: Result<Path<String>, PathRejection>) -> Option<String> {
    match path {
        Ok(Path(value)) if !value.trim().is_empty() => Some(value.trim().to_string()),
        _ => None,
    }
}

/// `GET /v1/instance/:instanceId`.
pub async fn get(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(id) = required_param(path) else {
        return Reply::error(MISSING_PARAMETER, msg::MISSING_PARAMETER);
    };
    sim.with_store(|store, now| match store.instance(&id) {
        Some(instance) => Reply::ok(store.instance_wire(instance, now)),
        None => Reply::error(SERVICE_ERROR, msg::GET_ONE_INSTANCE),
    })
}

/// `GET /v1/instance/list`: every instance, in creation order, in one answer.
pub async fn list(State(sim): State<Arc<Simulator>>) -> Reply {
    sim.with_store(|store, now| {
        let all: Vec<Value> = store
            .instances_by_row()
            .into_iter()
            .map(|i| store.instance_wire(i, now))
            .collect();
        Reply::ok(Value::Array(all))
    })
}

/// `GET /v1/instance/cluster/:clusterId`: the instances expanded from a template.
pub async fn list_by_template(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(cluster_id) = required_param(path).as_deref().and_then(spec::path_int) else {
        return Reply::input_error();
    };
    sim.with_store(|store, now| {
        let members: Vec<Value> = store
            .instances_by_row()
            .into_iter()
            .filter(|i| i.cluster_id == Some(cluster_id))
            .map(|i| store.instance_wire(i, now))
            .collect();
        Reply::ok(Value::Array(members))
    })
}

/// `DELETE /v1/instance/:instanceIds`: one or more comma-separated ids,
/// `X-CORRELATION-ID` required. All or nothing: an unknown id deletes none.
pub async fn delete(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(correlation) = body::correlation_id(&headers) else {
        return Reply::missing_correlation_id();
    };
    let Some(raw) = required_param(path) else {
        return Reply::error(MISSING_PARAMETER, msg::MISSING_PARAMETER);
    };
    let mut ids: Vec<String> = Vec::new();
    for id in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !ids.iter().any(|seen| seen == id) {
            ids.push(id.to_string());
        }
    }
    if ids.is_empty() {
        return Reply::error(INPUT_ERROR, msg::INPUT_ERROR_BANG);
    }
    let reply = sim.with_store(|store, now| {
        let unknown: Vec<&str> = ids
            .iter()
            .filter(|id| store.instance(id).is_none())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(Reply::error(SERVICE_ERROR, msg::NO_ROW)
                .with_ext(json!(format!("no instance {}", unknown.join(", ")))));
        }
        for id in &ids {
            if let Some(removed) = store.remove_instance(id) {
                store.log(
                    Some(&correlation),
                    id,
                    "delete",
                    format!(
                        "deleted {} instance {id} ({})",
                        removed.provider, removed.private_ip
                    ),
                    now,
                );
            }
        }
        store.record_counts(now);
        store.touch();
        Ok(Reply::ok(Value::Null))
    });
    match reply {
        Ok(reply) => committed(&sim, reply, "Delete instance err").await,
        Err(reply) => reply,
    }
}
