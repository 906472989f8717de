//! `mcloud_instance`: one machine from a full spec.
//!
//! - create: `POST /v1/instance` answers with the new machine's IP, not its id, so the
//!   machine is found by that IP in `GET /v1/instance/list`, then `/v1/status/:id` is
//!   polled through `provider::wait` (bounded by the operation timeout) until it runs;
//! - refresh: one `GET /v1/instance/list` for all priors;
//! - update: only `running`, through `GET /v1/start/:id` or `POST /v1/status`;
//! - delete: `DELETE /v1/instance/:id` with a fresh `X-CORRELATION-ID`.

use super::api::{segment, Instance, InstanceCreate, StatusEntry, StatusUpdate};
use super::client::{new_correlation_id, Client, Request, Retry, PROVIDER};
use super::schema::INSTANCE;
use super::spec::{network_from, zone_from};
use super::status::{self, StatusTable};
use super::values::{n, s, Obj};
use crate::lang::Value;
use crate::provider::resource::ResourceType;
use crate::provider::schema::Schema;
use crate::provider::wait::Wait;
use crate::provider::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, ProviderError,
};
use async_trait::async_trait;
use reqwest::Method;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long create and start wait for a usable machine when the resource sets no timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The body of `POST /v1/instance` from a planned value.
pub fn create_body(planned: &Value) -> Result<InstanceCreate, ProviderError> {
    let o = Obj::new(planned, INSTANCE);
    Ok(InstanceCreate {
        provider: o.req_str("cloud")?,
        instance_type: o.req_str("instance_type")?,
        image_id: o.req_str("image_id")?,
        network: network_from(planned, INSTANCE)?,
        zone: zone_from(planned, INSTANCE)?,
        system_disk_category: o.req_str("system_disk_category")?,
        data_disk_size: o.req_i64("data_disk_size")?,
        data_disk_num: o.req_i64("data_disk_num")?,
        data_disk_category: o.req_str("data_disk_category")?,
    })
}

/// The resource's state: what the server reports about the machine, with the attributes it
/// does not report (bandwidth, charge type, empty fields) taken from `base` (the planned
/// value on create, the prior state on refresh).
pub fn value_from(
    inst: &Instance,
    base: &Value,
    correlation_id: Option<&str>,
    table: &StatusTable,
) -> Value {
    let b = Obj::new(base, INSTANCE);
    let pick = |live: &str, name: &str| {
        if live.is_empty() {
            s(b.str_or_empty(name))
        } else {
            s(live)
        }
    };
    let pick_n = |live: i64, name: &str| {
        if live == 0 {
            n(b.i64_or_zero(name).unwrap_or(0))
        } else {
            n(live)
        }
    };
    let base_net = b.block("network").cloned().unwrap_or(Value::Null);
    let net = Obj::new(&base_net, INSTANCE);
    let pick_net = |live: &str, name: &str| {
        if live.is_empty() {
            s(net.str_or_empty(name))
        } else {
            s(live)
        }
    };
    let base_zone = b.block("zone").cloned().unwrap_or(Value::Null);
    let zone = Obj::new(&base_zone, INSTANCE);
    let pick_zone = |live: &str, name: &str| {
        if live.is_empty() {
            s(zone.str_or_empty(name))
        } else {
            s(live)
        }
    };
    let running = if table.is_running(inst.status) {
        true
    } else if table.is_stopped(inst.status) {
        false
    } else {
        b.opt_bool("running").unwrap_or(true)
    };
    let last = correlation_id
        .map(str::to_string)
        .or_else(|| b.opt_str("last_correlation_id"))
        .unwrap_or_default();
    Value::object([
        ("id", s(&inst.instance_id)),
        ("cloud", pick(&inst.provider, "cloud")),
        ("instance_type", pick(&inst.instance_type, "instance_type")),
        ("image_id", pick(&inst.image_id, "image_id")),
        (
            "system_disk_category",
            pick(&inst.system_disk_category, "system_disk_category"),
        ),
        (
            "data_disk_size",
            pick_n(inst.data_disk_size, "data_disk_size"),
        ),
        ("data_disk_num", pick_n(inst.data_disk_num, "data_disk_num")),
        (
            "data_disk_category",
            pick(&inst.data_disk_category, "data_disk_category"),
        ),
        (
            "network",
            Value::object([
                ("vpc_id", pick_net(&inst.vpc_id, "vpc_id")),
                ("subnet_id", pick_net(&inst.subnet_id, "subnet_id")),
                (
                    "security_group",
                    pick_net(&inst.security_group_id, "security_group"),
                ),
                (
                    "internet_charge_type",
                    s(net.str_or_empty("internet_charge_type")),
                ),
                (
                    "internet_max_bandwidth_out",
                    n(net.i64_or_zero("internet_max_bandwidth_out").unwrap_or(0)),
                ),
            ]),
        ),
        (
            "zone",
            Value::object([
                ("region_name", pick_zone(&inst.region_id, "region_name")),
                ("zone_name", pick_zone(&inst.zone_id, "zone_name")),
            ]),
        ),
        ("running", Value::Bool(running)),
        ("private_ip", s(&inst.private_ip_address)),
        ("public_ip", s(&inst.public_ip_address)),
        ("status", s(table.name(inst.status))),
        ("last_correlation_id", s(last)),
    ])
}

/// `GET /v1/instance/list`: every machine the server lists.
pub async fn list(client: &Client) -> Result<Vec<Instance>, ProviderError> {
    let listed: Option<Vec<Instance>> = client
        .call_typed(&Request::get("/v1/instance/list"))
        .await?;
    Ok(listed.unwrap_or_default())
}

/// `GET /v1/instance/:instanceId`.
pub async fn get(client: &Client, id: &str) -> Result<Instance, ProviderError> {
    client
        .call_typed(&Request::get(format!("/v1/instance/{}", segment(id))))
        .await
}

/// `GET /v1/status/:instanceId`: the machine's status code.
pub async fn status_of(client: &Client, id: &str) -> Result<i64, ProviderError> {
    let op = format!("/v1/status/{}", segment(id));
    let entries: Vec<StatusEntry> = client.call_typed(&Request::get(op.clone())).await?;
    entries
        .iter()
        .find(|e| e.instance_id == id)
        .or(entries.first())
        .map(|e| e.status)
        .ok_or_else(|| {
            ProviderError::new(
                PROVIDER,
                format!("GET {op}"),
                format!("the server returned no status for instance {id}"),
            )
        })
}

/// Waits until each machine runs, passing only through `pending` states on the way; the
/// deadline, a cancel or any other status ends the wait with an error naming the machine
/// and the status it saw.
pub async fn wait_usable(
    client: &Client,
    ids: &[String],
    pending: &[&str],
    deadline: Instant,
    op: &OperationContext,
) -> Result<(), ProviderError> {
    let table = client.status_table();
    for id in ids {
        let remaining = deadline.saturating_duration_since(Instant::now());
        Wait::new(
            PROVIDER,
            format!("instance {id} to become running"),
            pending,
            &[status::RUNNING],
        )
        .operation(format!("GET /v1/status/{id}"))
        .timeout(remaining)
        .poll(Duration::from_millis(50), Duration::from_secs(5))
        .until(op, || async {
            let code = status_of(client, id).await?;
            Ok(((), table.name(code)))
        })
        .await
        .map_err(|f| f.error)?;
    }
    Ok(())
}

/// Finds the machine `POST /v1/instance` created from the IP it answered with. A just
/// created machine may take a moment to be listed, so the list is polled until the deadline.
pub async fn find_by_ip(
    client: &Client,
    ip: &str,
    deadline: Instant,
    op: &OperationContext,
) -> Result<Instance, ProviderError> {
    // Nearly always the next shared list names the machine: wait for that alone, and build
    // the polling (a larger future, held by every waiting create) only when it does not.
    if let Some(found) = client.instance_lists.resolve(client, ip).await? {
        return Ok(found);
    }
    Box::pin(poll_for_ip(client, ip, deadline, op)).await
}

/// [`find_by_ip`] when the first list did not name the machine: polls until the deadline.
async fn poll_for_ip(
    client: &Client,
    ip: &str,
    deadline: Instant,
    op: &OperationContext,
) -> Result<Instance, ProviderError> {
    let address = op.address.as_str();
    let listed = Wait::new(
        PROVIDER,
        format!("the machine with IP {ip} to be listed"),
        &["not listed"],
        &["listed"],
    )
    .operation("GET /v1/instance/list")
    .timeout(deadline.saturating_duration_since(Instant::now()))
    .poll(Duration::from_millis(50), Duration::from_secs(5))
    .until(op, || async {
        let found = client.instance_lists.resolve(client, ip).await?;
        let status = if found.is_some() {
            "listed"
        } else {
            "not listed"
        };
        Ok((found, status.to_string()))
    })
    .await;
    match listed {
        Ok(Some(inst)) => Ok(inst),
        Ok(None) => Err(ProviderError::new(PROVIDER, "GET /v1/instance/list", "listed without a machine")),
        Err(f) if f.error.kind == ErrorKind::Timeout => Err(ProviderError::new(
            PROVIDER,
            "GET /v1/instance/list",
            format!(
                "{address}: the server created a machine with IP {ip} but does not list it; once it appears, adopt it with `skyform import {address} <instance id>`"
            ),
        )
        .kind(ErrorKind::Timeout)),
        Err(f) => Err(f.error),
    }
}

pub async fn create(client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
    let deadline = Instant::now() + op.timeout.unwrap_or(DEFAULT_TIMEOUT);
    // The steps are boxed futures, so this one holds pointers, not every step's state: a
    // thousand creates wait for their IPs at once, and each then costs a few hundred bytes
    // instead of the POST's request, body and spec (about 5 KB; `docs/benchmarks.md`).
    let (ip, cid) = Box::pin(post_and_record(client, planned, op)).await?;
    let found = Box::pin(find_by_ip(client, &ip, deadline, op)).await?;
    Box::pin(finish_create(client, planned, op, found, &cid, deadline)).await
}

/// A found machine made usable (and stopped when `running = false`), as its state.
async fn finish_create(
    client: &Client,
    planned: &Value,
    op: &OperationContext,
    found: Instance,
    cid: &str,
    deadline: Instant,
) -> ApplyResult {
    let address = op.address.as_str();
    let id = found.instance_id.clone();
    let table = client.status_table();
    // From here a failure still reports the machine, so state keeps it.
    let failed = |e: ProviderError, last: &Instance| {
        PartialFailure::with_state(
            value_from(last, planned, Some(cid), table),
            exists_hint(e, address, &id),
        )
    };
    // The listed record already says whether the machine is usable; poll only if not.
    let already_usable = table.is_running(found.status);
    if !already_usable {
        let new = [status::STARTING];
        let waited = Box::pin(wait_usable(
            client,
            std::slice::from_ref(&id),
            &new,
            deadline,
            op,
        ))
        .await;
        if let Err(e) = waited {
            let last = Box::pin(get(client, &id))
                .await
                .unwrap_or_else(|_| found.clone());
            return Err(failed(e, &last));
        }
    }
    let want_running = Obj::new(planned, INSTANCE)
        .opt_bool("running")
        .unwrap_or(true);
    if !want_running {
        if let Err(e) = Box::pin(set_status(client, &id, table.stop_code(), cid)).await {
            let last = Box::pin(get(client, &id))
                .await
                .unwrap_or_else(|_| found.clone());
            return Err(failed(e, &last));
        }
    }
    let live = if already_usable && want_running {
        found
    } else {
        Box::pin(get(client, &id)).await.unwrap_or(found)
    };
    Ok(value_from(&live, planned, Some(cid), table))
}

/// Sends the create and makes its answer (the new machine's IP) durable; returns the IP and
/// the request's correlation id. The request and its body are dropped on return.
async fn post_and_record(
    client: &Client,
    planned: &Value,
    op: &OperationContext,
) -> Result<(String, String), ProviderError> {
    let address = op.address.as_str();
    let spec = create_body(planned)?;
    let body = serde_json::to_value(&spec).map_err(|e| {
        ProviderError::new(
            PROVIDER,
            "POST /v1/instance",
            format!("cannot encode body: {e}"),
        )
    })?;
    let cid = new_correlation_id();
    let req = Request::new(Method::POST, "/v1/instance", Retry::Once)
        .body(&body)
        .correlation(&cid)
        .cancel(&op.cancel);
    // Lists that resolve IPs hold back while this POST is in flight (until its intent is
    // recorded and the engine may start the next create).
    let creating = client.instance_lists.begin_create();
    let ip = send_create(client, &req, &spec).await?;
    // The machine exists from here on: record that before waiting for it, so a run that
    // dies meanwhile adopts it (by this IP) instead of creating another. Once recorded, the
    // engine frees this create's `-parallelism` slot: finding the machine by its IP is a
    // shared list (`list_flight`), not a call of its own.
    op.report_created(&ip).await.map_err(|e| {
        ProviderError::new(
            PROVIDER,
            req.operation(),
            format!("{address}: the machine with IP {ip} was created, but recording it in state failed: {e}"),
        )
    })?;
    drop(creating);
    Ok((ip, cid))
}

/// How many times a create is sent when its answers are lost and no machine came of it.
const CREATE_SENDS: usize = 3;

/// Sends `POST /v1/instance` and returns the new machine's IP. When the answer is lost after
/// the request went out, the machine it may have made is looked for (`lost_create`) and
/// adopted; if there is none, the request is sent again.
async fn send_create(
    client: &Client,
    req: &Request<'_>,
    spec: &InstanceCreate,
) -> Result<String, ProviderError> {
    let gate = &client.instance_creates;
    let mut sends = 0;
    loop {
        sends += 1;
        let sent_at = std::time::SystemTime::now();
        let answer = {
            let _sending = gate.sending().await;
            let answer = client.call(req).await;
            if let Ok(serde_json::Value::String(ip)) = &answer {
                gate.claim(ip);
            }
            answer
        };
        match answer {
            Ok(serde_json::Value::String(ip)) if !ip.is_empty() => return Ok(ip),
            Ok(other) => {
                return Err(ProviderError::new(
                    PROVIDER,
                    req.operation(),
                    format!("expected the new machine's IP as content, got {other}"),
                ))
            }
            Err(e) if sends < CREATE_SENDS && super::lost_create::answer_may_be_lost(&e) => {
                if let Some(ip) = gate.recover(client, spec, sent_at).await? {
                    return Ok(ip);
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// An error after the machine was created: says that it exists and how to adopt it, so
/// it is not silently orphaned.
pub fn exists_hint(mut e: ProviderError, address: &str, id: &str) -> ProviderError {
    e.message = format!(
        "{}; the machine {id} exists: adopt it with `skyform import {address} {id}` or delete it",
        e.message
    );
    e
}

/// `POST /v1/status`: sets the machine's status code (how a machine is stopped).
async fn set_status(
    client: &Client,
    id: &str,
    code: i64,
    correlation_id: &str,
) -> Result<(), ProviderError> {
    let body = serde_json::to_value(StatusUpdate {
        instance_id: id.to_string(),
        status: code,
    })
    .map_err(|e| ProviderError::new(PROVIDER, "POST /v1/status", e.to_string()))?;
    let req = Request::new(Method::POST, "/v1/status", Retry::Idempotent)
        .body(&body)
        .correlation(correlation_id);
    client.call(&req).await.map(|_| ())
}

/// `GET /v1/start/:instanceId`.
async fn start(client: &Client, id: &str, correlation_id: &str) -> Result<(), ProviderError> {
    let req = Request::get(format!("/v1/start/{}", segment(id))).correlation(correlation_id);
    client.call(&req).await.map(|_| ())
}

/// Only `running` can change in place. A failure after the start or stop call reports
/// the machine as it is now, so state does not keep believing the old status.
pub async fn update(
    client: &Client,
    prior: &Value,
    planned: &Value,
    op: &OperationContext,
) -> ApplyResult {
    let id = Obj::new(prior, INSTANCE).req_str("id")?;
    let deadline = Instant::now() + op.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let want_running = Obj::new(planned, INSTANCE)
        .opt_bool("running")
        .unwrap_or(true);
    let table = client.status_table();
    let cid = new_correlation_id();
    let current = status_of(client, &id).await?;
    let changed = if want_running && !table.is_running(current) {
        start(client, &id, &cid).await?;
        // Just after the start call a server may still report the machine stopped.
        let waking = [status::STOPPED, status::STARTING];
        wait_usable(client, std::slice::from_ref(&id), &waking, deadline, op).await
    } else if !want_running && !table.is_stopped(current) {
        set_status(client, &id, table.stop_code(), &cid).await
    } else {
        Ok(())
    };
    let live = get(client, &id).await;
    match (changed, live) {
        (Ok(()), Ok(live)) => {
            let mut v = value_from(&live, prior, Some(&cid), table);
            // The planned running value is what the user asked for; the server agrees now.
            if let Value::Object(m) = &mut v {
                m.insert("running".into(), Value::Bool(want_running));
            }
            Ok(v)
        }
        (Ok(()), Err(e)) => Err(e.into()),
        (Err(e), Ok(live)) => Err(PartialFailure::with_state(
            value_from(&live, prior, Some(&cid), table),
            e,
        )),
        (Err(e), Err(_)) => Err(e.into()),
    }
}

/// `DELETE /v1/instance/:instanceIds` (comma-separated) with a new correlation id.
pub async fn delete_ids(client: &Client, ids: &[String]) -> Result<String, ProviderError> {
    let cid = new_correlation_id();
    if ids.is_empty() {
        return Ok(cid);
    }
    let joined = ids.iter().map(|i| segment(i)).collect::<Vec<_>>().join(",");
    let req = Request::new(
        Method::DELETE,
        format!("/v1/instance/{joined}"),
        Retry::Idempotent,
    )
    .correlation(&cid);
    match client.call(&req).await {
        Ok(_) => Ok(cid),
        Err(e) => {
            // A retried delete may find the machines already gone: that is success.
            if let Ok(all) = list(client).await {
                if all.iter().all(|i| !ids.contains(&i.instance_id)) {
                    return Ok(cid);
                }
            }
            Err(e)
        }
    }
}

/// Deletes one instance; concurrent deletes share calls (see `delete_batch`). A failed
/// delete reports the machine as it is now if it is still listed.
pub async fn delete(client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
    let id = Obj::new(prior, INSTANCE).req_str("id")?;
    let Err(e) = client.instance_deletes.delete(client, id.clone(), op).await else {
        return Ok(());
    };
    let still = match list(client).await {
        Ok(all) => all.into_iter().find(|i| i.instance_id == id),
        Err(_) => return Err(e.into()),
    };
    match still {
        // Gone after all (an earlier attempt of ours removed it).
        None => Ok(()),
        Some(i) => Err(PartialFailure::with_state(
            value_from(&i, prior, None, client.status_table()),
            e,
        )),
    }
}

/// Batched refresh: one `GET /v1/instance/list` for every prior.
pub async fn read_many(
    client: &Client,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let table = client.status_table();
    read_listed(client, priors, INSTANCE, |inst, prior| {
        value_from(inst, prior, None, table)
    })
    .await
}

/// Batched refresh of any resource kept in the instance list (instances, physical machines,
/// machine records): one `GET /v1/instance/list`, each prior matched by its `id`; a prior
/// without an id never finished creating, and one not listed is gone.
pub async fn read_listed(
    client: &Client,
    priors: &[Value],
    type_name: &str,
    to_value: impl Fn(&Instance, &Value) -> Value,
) -> Result<Vec<Option<Value>>, ProviderError> {
    if priors.is_empty() {
        return Ok(Vec::new());
    }
    let live: HashMap<String, Instance> = list(client)
        .await?
        .into_iter()
        .map(|i| (i.instance_id.clone(), i))
        .collect();
    Ok(priors
        .iter()
        .map(|p| {
            let id = Obj::new(p, type_name).opt_str("id")?;
            live.get(&id).map(|inst| to_value(inst, p))
        })
        .collect())
}

pub async fn import(client: &Client, id: &str) -> Result<Value, ProviderError> {
    let inst = match get(client, id).await {
        Ok(i) => i,
        // The API answers an unknown id with a generic failure ("get one instance err");
        // the list tells whether the machine exists at all.
        Err(e) if e.http_status.is_some() && e.kind != ErrorKind::Throttled => {
            if list(client).await?.iter().any(|i| i.instance_id == id) {
                return Err(e);
            }
            return Err(ProviderError::new(
                PROVIDER,
                format!("GET /v1/instance/{}", segment(id)),
                format!("no instance with id {id:?} is listed"),
            )
            .kind(ErrorKind::NotFound));
        }
        Err(e) => return Err(e),
    };
    // Whatever the instance record does not say comes from its template, if it has one.
    let base = match &inst.cluster {
        Some(c) => super::template::value_from(c),
        None => Value::Null,
    };
    Ok(value_from(&inst, &base, None, client.status_table()))
}

/// `mcloud_instance` as a registered resource type.
pub struct InstanceResource;

#[async_trait]
impl ResourceType<Client> for InstanceResource {
    fn name(&self) -> &'static str {
        INSTANCE
    }

    fn schema(&self) -> Schema {
        super::schema::instance()
    }

    fn validate(&self, config: &Value, diags: &mut crate::diag::Diagnostics) {
        super::spec::validate_machine_spec(config, diags)
    }

    async fn read_batch(
        &self,
        client: &Client,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        read_many(client, priors).await
    }

    async fn create(&self, client: &Client, planned: &Value, op: &OperationContext) -> ApplyResult {
        create(client, planned, op).await
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        update(client, prior, planned, op).await
    }

    async fn delete(&self, client: &Client, prior: &Value, op: &OperationContext) -> DeleteResult {
        delete(client, prior, op).await
    }

    async fn import(&self, client: &Client, id: &str) -> Result<Value, ProviderError> {
        import(client, id).await
    }

    fn create_fingerprint(&self, planned: &Value) -> Option<serde_json::Value> {
        super::recovery::instance_fingerprint(planned)
    }

    async fn recover_creates(
        &self,
        client: &Client,
        intents: &[crate::provider::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<crate::provider::recovery::Recovered>, ProviderError> {
        super::recovery::recover_instances(client, intents, claimed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned() -> Value {
        Value::object([
            ("cloud", s("aliyun")),
            ("instance_type", s("ecs.c2.medium")),
            ("image_id", s("centos")),
            ("system_disk_category", s("cloud_efficiency")),
            ("data_disk_size", n(100)),
            ("data_disk_num", n(1)),
            ("data_disk_category", s("cloud_efficiency")),
            (
                "network",
                Value::object([
                    ("vpc_id", Value::unknown()),
                    ("internet_charge_type", s("PayByBandwidth")),
                    ("internet_max_bandwidth_out", n(5)),
                ]),
            ),
            (
                "zone",
                Value::object([
                    ("region_name", s("cn-beijing")),
                    ("zone_name", s("cn-beijing-c")),
                ]),
            ),
            ("running", Value::Null),
            ("id", Value::unknown()),
        ])
    }

    #[test]
    fn create_body_has_the_whole_spec() {
        let b = create_body(&planned()).unwrap();
        assert_eq!(b.provider, "aliyun");
        assert_eq!(b.network.internet_max_bandwidth_out, 5);
        assert_eq!(
            b.network.vpc_id, "",
            "unknown optional values are sent empty"
        );
        assert_eq!(b.zone.zone_name, "cn-beijing-c");
    }

    #[test]
    fn state_keeps_what_the_server_does_not_report() {
        let inst = Instance {
            instance_id: "i-1".into(),
            provider: "aliyun".into(),
            instance_type: "ecs.c2.medium".into(),
            private_ip_address: "10.0.0.1".into(),
            status: 3,
            ..Instance::default()
        };
        let v = value_from(&inst, &planned(), Some("c-1"), &StatusTable::default());
        let net = v.get_attr("network").unwrap();
        assert_eq!(net.get_attr("internet_max_bandwidth_out"), Some(&n(5)));
        assert_eq!(net.get_attr("vpc_id"), Some(&s("")));
        assert_eq!(v.get_attr("image_id"), Some(&s("centos")));
        assert_eq!(v.get_attr("running"), Some(&Value::Bool(true)));
        assert_eq!(v.get_attr("last_correlation_id"), Some(&s("c-1")));
        assert!(v.is_wholly_known());
    }
}
