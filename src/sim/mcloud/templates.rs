//! Machine templates ("clusters"): list, get, create, delete, expand.

use super::body;
use super::catalog;
use super::clock;
use super::envelope::{msg, Reply, SERVICE_ERROR};
use super::instances::{committed, create_instance, required_param};
use super::model::{Network, Template, Zone};
use super::simulator::Simulator;
use super::spec::{self, MachineSpec, SpecKind};
use super::store::Store;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::sync::Arc;

/// Most instances one expand call may create.
pub const MAX_EXPAND: u64 = 1000;

/// Stores a new template (with its own Network and Zone rows) and returns its id.
pub fn insert_template(store: &mut Store, spec: &MachineSpec, now_ms: i64) -> u64 {
    let cloud = &mut store.cloud;
    let id = cloud.next_template_id;
    cloud.next_template_id += 1;
    let network_id = cloud.next_network_id;
    cloud.next_network_id += 1;
    let zone_id = cloud.next_zone_id;
    cloud.next_zone_id += 1;
    let template = Template {
        id,
        name: spec.name.clone(),
        provider: spec.provider.clone(),
        lastest_part_num: 0,
        desc: spec.desc.clone(),
        create_time: clock::create_time(now_ms),
        delete_time: clock::ZERO_TIME.to_string(),
        cpu: spec.cpu,
        ram: spec.ram,
        instance_type: spec.instance_type.clone(),
        image_id: spec.image_id.clone(),
        post_script: spec.post_script.clone(),
        key_name: spec.key_name.clone(),
        network: Network {
            id: network_id,
            ..spec.network.clone()
        },
        zone: Zone {
            id: zone_id,
            ..spec.zone.clone()
        },
        replication: spec.replication.clone(),
        system_disk_category: spec.system_disk_category.clone(),
        data_disk_size: spec.data_disk_size,
        data_disk_num: spec.data_disk_num,
        data_disk_category: spec.data_disk_category.clone(),
        flavor_id: spec.flavor_id.clone(),
    };
    cloud.templates.insert(id, template);
    id
}

/// The spec an expansion creates instances from.
fn spec_of(template: &Template) -> MachineSpec {
    MachineSpec {
        name: template.name.clone(),
        desc: template.desc.clone(),
        provider: template.provider.clone(),
        cpu: template.cpu,
        ram: template.ram,
        instance_type: template.instance_type.clone(),
        image_id: template.image_id.clone(),
        post_script: template.post_script.clone(),
        key_name: template.key_name.clone(),
        network: template.network.clone(),
        zone: template.zone.clone(),
        replication: template.replication.clone(),
        system_disk_category: template.system_disk_category.clone(),
        data_disk_size: template.data_disk_size,
        data_disk_num: template.data_disk_num,
        data_disk_category: template.data_disk_category.clone(),
        flavor_id: template.flavor_id.clone(),
    }
}

/// `GET /v1/cluster`: every template that exists, by id.
pub async fn list(State(sim): State<Arc<Simulator>>) -> Reply {
    sim.with_store(|store, _| {
        let live: Vec<&Template> = store
            .cloud
            .templates
            .values()
            .filter(|t| !t.is_deleted())
            .collect();
        Reply::ok(json!(live))
    })
}

/// `GET /v1/cluster/:clusterId`.
pub async fn get(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(id) = required_param(path).as_deref().and_then(spec::path_int) else {
        return Reply::input_error();
    };
    sim.with_store(|store, _| match store.live_template(id) {
        Some(template) => Reply::ok(json!(template)),
        None => Reply::error(SERVICE_ERROR, msg::NO_ROW),
    })
}

/// `POST /v1/cluster`: content is the new template's id.
pub async fn create(State(sim): State<Arc<Simulator>>, headers: HeaderMap, bytes: Bytes) -> Reply {
    let (spec, _) = match spec::parse(&bytes, SpecKind::Template) {
        Ok(parsed) => parsed,
        Err(reply) => return reply,
    };
    let correlation = body::correlation_id(&headers);
    let id = sim.with_store(|store, now| {
        let id = insert_template(store, &spec, now);
        store.log(
            correlation.as_deref(),
            "",
            "create_cluster",
            format!("created template {id} {:?}", spec.name),
            now,
        );
        store.touch();
        id
    });
    committed(&sim, Reply::ok(json!(id)), msg::CREATE_CLUSTER).await
}

/// `DELETE /v1/cluster/:clusterId`: marks the template deleted (`DeleteTime`);
/// its instances keep running and keep showing it as their `Cluster`.
pub async fn delete(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Reply {
    let Some(id) = required_param(path).as_deref().and_then(spec::path_int) else {
        return Reply::input_error();
    };
    let correlation = body::correlation_id(&headers);
    let deleted = sim.with_store(|store, now| {
        if store.live_template(id).is_none() {
            return false;
        }
        if let Some(template) = store.cloud.templates.get_mut(&id) {
            template.delete_time = clock::create_time(now);
        }
        store.log(
            correlation.as_deref(),
            "",
            "delete_cluster",
            format!("deleted template {id}"),
            now,
        );
        store.touch();
        true
    });
    if !deleted {
        return Reply::error(SERVICE_ERROR, msg::DELETE_CLUSTER);
    }
    committed(&sim, Reply::ok(json!(true)), msg::DELETE_CLUSTER).await
}

/// `POST /v1/cluster/:clusterId/expand/:number`: creates `number` instances
/// from the template. Content: their ids; `ext`: the template id.
pub async fn expand(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    bytes: Bytes,
) -> Reply {
    let Some(correlation) = body::correlation_id(&headers) else {
        return Reply::missing_correlation_id();
    };
    let Ok(Path((cluster, number))) = path else {
        return Reply::input_error();
    };
    let (Some(cluster_id), Some(number)) = (spec::path_int(&cluster), spec::path_int(&number))
    else {
        return Reply::input_error();
    };
    if !(1..=MAX_EXPAND).contains(&number) {
        return Reply::input_error()
            .with_ext(json!(format!("number must be between 1 and {MAX_EXPAND}")));
    }
    // The seed lists the template's fields as the body; the stored template is
    // what counts, but a body that is present must at least be a JSON object.
    if !bytes.iter().all(u8::is_ascii_whitespace) && body::object(&bytes).is_none() {
        return Reply::input_error().with_ext(json!("the body must be a JSON object"));
    }
    let transition = sim.knobs().transition_ms;
    let outcome = sim.with_store(|store, now| {
        let Some(template) = store.live_template(cluster_id) else {
            return Err(Reply::error(SERVICE_ERROR, msg::NO_ROW));
        };
        let spec = spec_of(template);
        let Some(provider) = catalog::provider(&spec.provider) else {
            return Err(Reply::unknown_provider(&spec.provider));
        };
        let mut ids = Vec::new();
        for _ in 0..number {
            let instance =
                create_instance(store, &spec, provider, Some(cluster_id), transition, now);
            store.log(
                Some(&correlation),
                &instance.instance_id,
                "expand",
                format!(
                    "expanded template {cluster_id}: created instance {} with address {}",
                    instance.instance_id, instance.private_ip
                ),
                now,
            );
            ids.push(Value::String(instance.instance_id));
        }
        if let Some(template) = store.cloud.templates.get_mut(&cluster_id) {
            template.lastest_part_num += 1;
        }
        store.record_counts(now);
        store.touch();
        Ok(Reply::ok(Value::Array(ids)).with_ext(json!(cluster_id)))
    });
    match outcome {
        Ok(reply) => committed(&sim, reply, msg::NO_ROW).await,
        Err(reply) => reply,
    }
}
