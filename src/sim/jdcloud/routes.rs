//! Request handling: one entry point that finds the operation from the path
//! (action verbs follow a colon, which clients percent-encode as `%3A`),
//! counts it, applies the knobs, verifies the signature and runs it.

use super::ctx::Ctx;
use super::errors::{request_id, respond, ApiError};
use super::model::REGIONS;
use super::query::{Body, Query};
use super::simulator::{now_ms, Simulator};
use super::verify::{verify, Expect, Wire, MAX_SKEW_MS};
use super::{devices, images, info, instances};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use rand::Rng;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A request matched to an operation.
#[derive(Debug, PartialEq)]
pub struct Route {
    /// The operation name (`stopInstance`; other services' are `vpc:describeSubnets`, `disk:describeDisks`).
    pub op: &'static str,
    /// The signing service: `vm`, `vpc` or `disk`.
    pub service: &'static str,
    pub region: String,
    /// The instance or image id in the path.
    pub id: String,
}

/// Matches a method and a decoded path to an operation.
pub fn route(method: &Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/v1/regions/")?;
    let mut segs = rest.split('/');
    let region = segs.next()?.to_string();
    let segs: Vec<&str> = segs.collect();
    let m = method.as_str();
    let (op, id): (&'static str, &str) = match (m, segs.as_slice()) {
        ("GET", ["instances"]) => ("describeInstances", ""),
        ("POST", ["instances"]) => ("createInstances", ""),
        ("GET", ["instanceStatus"]) => ("describeInstanceStatus", ""),
        ("GET", ["instancePrivateIpAddress"]) => ("describeInstancePrivateIpAddress", ""),
        ("GET", ["instanceTypes"]) => ("describeInstanceTypes", ""),
        ("GET", ["quotas"]) => ("describeQuotas", ""),
        ("GET", ["imageConstraints"]) => ("describeImageConstraintsBatch", ""),
        ("GET", ["images"]) => ("describeImages", ""),
        ("POST", ["images:copyImages"]) => ("copyImages", ""),
        ("GET", ["subnets"]) => ("vpc:describeSubnets", ""),
        ("GET", ["networkInterfaces"]) => ("vpc:describeNetworkInterfaces", ""),
        ("GET", ["networkInterfaces", id]) => ("vpc:describeNetworkInterface", id),
        ("GET", ["elasticIps"]) => ("vpc:describeElasticIps", ""),
        ("GET", ["elasticIps", id]) => ("vpc:describeElasticIp", id),
        ("GET", ["disks"]) => ("disk:describeDisks", ""),
        ("GET", ["vpcs"]) => ("vpc:describeVpcs", ""),
        ("GET", ["networkSecurityGroups"]) => ("vpc:describeNetworkSecurityGroups", ""),
        ("GET", ["keypairs"]) => ("describeKeypairs", ""),
        ("GET", ["instances", id, "vnc"]) => ("describeInstanceVncUrl", id),
        ("GET", ["images", id, "constraints"]) => ("describeImageConstraints", id),
        ("GET", ["images", id, "members"]) => ("describeImageMembers", id),
        (_, ["instances", tail]) if tail.contains(':') => {
            let (id, action) = tail.split_once(':')?;
            let op = match (m, action) {
                ("POST", "associateElasticIp") => "associateElasticIp",
                ("POST", "attachDisk") => "attachDisk",
                ("POST", "attachNetworkInterface") => "attachNetworkInterface",
                ("POST", "createImage") => "createImage",
                ("POST", "detachDisk") => "detachDisk",
                ("POST", "detachNetworkInterface") => "detachNetworkInterface",
                ("POST", "disassociateElasticIp") => "disassociateElasticIp",
                ("POST", "modifyInstanceAttribute") => "modifyInstanceAttribute",
                ("POST", "modifyInstanceDiskAttribute") => "modifyInstanceDiskAttribute",
                ("POST", "modifyInstanceNetworkAttribute") => "modifyInstanceNetworkAttribute",
                ("POST", "modifyInstancePassword") => "modifyInstancePassword",
                ("POST", "rebootInstance") => "rebootInstance",
                ("POST", "rebuildInstance") => "rebuildInstance",
                ("POST", "resizeInstance") => "resizeInstance",
                ("POST", "startInstance") => "startInstance",
                ("POST", "stopInstance") => "stopInstance",
                _ => return None,
            };
            (op, id)
        }
        (_, ["images", tail]) if tail.contains(':') => {
            let (id, action) = tail.split_once(':')?;
            let op = match (m, action) {
                ("POST", "modifyImageAttribute") => "modifyImageAttribute",
                ("POST", "share") => "shareImage",
                ("POST", "unshare") => "unShareImage",
                _ => return None,
            };
            (op, id)
        }
        ("GET", ["instances", id]) => ("describeInstance", id),
        ("DELETE", ["instances", id]) => ("deleteInstance", id),
        ("GET", ["images", id]) => ("describeImage", id),
        ("DELETE", ["images", id]) => ("deleteImage", id),
        _ => return None,
    };
    if region.is_empty() || (segs.len() > 1 && id.is_empty()) {
        return None;
    }
    let service = op.split_once(':').map(|(svc, _)| svc).unwrap_or("vm");
    Some(Route {
        op,
        service,
        region,
        id: id.to_string(),
    })
}

/// Runs the operation `op` (the cloud is locked).
fn run(ctx: &mut Ctx<'_>, op: &str, id: &str) -> Result<Value, ApiError> {
    match op {
        "createInstances" => instances::create(ctx),
        "describeInstances" => instances::describe_many(ctx),
        "describeInstance" => instances::describe_one(ctx, id),
        "describeInstanceStatus" => instances::describe_status(ctx),
        "describeInstancePrivateIpAddress" => instances::describe_private_ips(ctx),
        "describeInstanceVncUrl" => instances::vnc(ctx, id),
        "startInstance" => instances::start(ctx, id),
        "stopInstance" => instances::stop(ctx, id),
        "rebootInstance" => instances::reboot(ctx, id),
        "rebuildInstance" => instances::rebuild(ctx, id),
        "resizeInstance" => instances::resize(ctx, id),
        "deleteInstance" => instances::delete(ctx, id),
        "modifyInstanceAttribute" => instances::modify_attribute(ctx, id),
        "modifyInstancePassword" => instances::modify_password(ctx, id),
        "attachDisk" => devices::attach_disk(ctx, id),
        "detachDisk" => devices::detach_disk(ctx, id),
        "modifyInstanceDiskAttribute" => devices::modify_disk_attribute(ctx, id),
        "attachNetworkInterface" => devices::attach_nic(ctx, id),
        "detachNetworkInterface" => devices::detach_nic(ctx, id),
        "modifyInstanceNetworkAttribute" => devices::modify_nic_attribute(ctx, id),
        "associateElasticIp" => devices::associate_eip(ctx, id),
        "disassociateElasticIp" => devices::disassociate_eip(ctx, id),
        "createImage" => images::create(ctx, id),
        "copyImages" => images::copy(ctx),
        "deleteImage" => images::delete(ctx, id),
        "describeImage" => images::describe_one(ctx, id),
        "describeImages" => images::describe_many(ctx),
        "describeImageConstraints" => images::constraints(ctx, id),
        "describeImageConstraintsBatch" => images::constraints_batch(ctx),
        "describeImageMembers" => images::members(ctx, id),
        "modifyImageAttribute" => images::modify(ctx, id),
        "shareImage" => images::share(ctx, id),
        "unShareImage" => images::unshare(ctx, id),
        "describeInstanceTypes" => info::instance_types(ctx),
        "describeQuotas" => info::quotas(ctx),
        "vpc:describeSubnets" => info::subnets(ctx),
        "vpc:describeNetworkInterfaces" => info::network_interfaces(ctx),
        "vpc:describeNetworkInterface" => info::network_interface(ctx, id),
        "vpc:describeElasticIps" => info::elastic_ips(ctx),
        "vpc:describeElasticIp" => info::elastic_ip(ctx, id),
        "disk:describeDisks" => info::disks(ctx),
        "vpc:describeVpcs" => info::vpcs(ctx),
        "vpc:describeNetworkSecurityGroups" => info::security_groups(ctx),
        "describeKeypairs" => info::keypairs(ctx),
        other => Err(ApiError::invalid(format!("unknown operation {other}"))),
    }
}

/// The JD Cloud API (VM and the two VPC list calls) plus `/_sim/`.
pub fn router(sim: Arc<Simulator>) -> Router {
    Router::new()
        .route("/_sim/requests", get(requests).delete(reset_requests))
        .route("/_sim/calls", get(calls))
        .route("/_sim/log", get(log))
        .route("/_sim/state", get(state))
        .route("/_sim/knobs", get(knobs).put(set_knobs))
        .fallback(api)
        .with_state(sim)
}

async fn api(
    State(sim): State<Arc<Simulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rid = request_id();
    let raw_path = uri.path();
    let raw_query = uri.query().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8_lossy()
        .into_owned();
    sim.log_request(format!("{method} {uri}"));
    let Some(route) = route(&method, &decoded) else {
        sim.count_request(&format!("{method} {raw_path}"));
        return respond(&rid, Err(ApiError::no_such_api(method.as_str(), raw_path)));
    };
    sim.count_request(route.op);
    let knobs = sim.knobs();
    if knobs.throttle > 0 {
        let admitted = sim
            .throttle
            .lock()
            .map(|mut t| t.admit(knobs.throttle, Instant::now()))
            .unwrap_or(true);
        if !admitted {
            let mut response = respond(&rid, Err(ApiError::rate_limit()));
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
            return response;
        }
    }
    let now = now_ms();
    let wire = Wire {
        method: method.as_str(),
        raw_path,
        raw_query,
        headers: &headers,
        body: &body,
    };
    let expect = Expect {
        access_key: &sim.access_key,
        secret_key: &sim.secret_key,
        service: route.service,
        region: &route.region,
        now_ms: now,
    };
    match verify(&wire, &expect) {
        Ok(v) => {
            if !sim.fresh_nonce(&v.nonce, now, MAX_SKEW_MS) {
                return respond(
                    &rid,
                    Err(ApiError::unauthenticated(format!(
                        "x-jdcloud-nonce {} was already used",
                        v.nonce
                    ))),
                );
            }
        }
        Err(e) => return respond(&rid, Err(e)),
    }
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if knobs.error_rate > 0.0 && rand::thread_rng().gen_bool(knobs.error_rate.clamp(0.0, 1.0)) {
        return respond(&rid, Err(ApiError::internal()));
    }
    if knobs.fail_operations.iter().any(|o| o == route.op) {
        return respond(&rid, Err(ApiError::internal()));
    }
    if !REGIONS.contains(&route.region.as_str()) {
        return respond(
            &rid,
            Err(ApiError::invalid(format!(
                "invalid regionId {:?}",
                route.region
            ))),
        );
    }
    let body = if method == Method::POST {
        match Body::parse(&body) {
            Ok(b) => b,
            Err(e) => return respond(&rid, Err(e)),
        }
    } else {
        Body::default()
    };
    let query = Query::parse(raw_query);
    let transition_ms = i64::try_from(knobs.transition_ms).unwrap_or(i64::MAX);
    let mutating = method != Method::GET;
    let outcome = sim.with_cloud(|cloud, now| {
        let mut ctx = Ctx {
            cloud,
            now,
            transition_ms,
            create_failure_rate: knobs.create_failure_rate,
            region: route.region.clone(),
            query,
            body,
        };
        let outcome = run(&mut ctx, route.op, &route.id);
        let changed = mutating && outcome.is_ok();
        (outcome, changed)
    });
    let succeeded = outcome.is_ok();
    if mutating && succeeded {
        if let Err(e) = sim.commit().await {
            eprintln!("jdcloud simulator: {e}");
            return respond(&rid, Err(ApiError::internal()));
        }
    }
    if knobs.answer_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.answer_delay_ms)).await;
    }
    let response = respond(&rid, outcome);
    let lose = succeeded
        && knobs.may_lose(method.as_str(), route.op)
        && rand::thread_rng().gen_bool(knobs.lose_answers.clamp(0.0, 1.0));
    if lose {
        return lost(response);
    }
    response
}

/// The answer's headers, then a connection that breaks before the body arrives
/// (knob `lose_answers`); the change it answers stays made.
fn lost(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    let broken = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "answer lost (simulator knob lose_answers)",
        ))
    });
    Response::from_parts(parts, axum::body::Body::from_stream(broken))
}

/// `GET /_sim/log`: `["METHOD /path?query", …]` in arrival order (mcloud's shape).
async fn log(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.request_log()))
}

/// `GET /_sim/requests`: `{"operation": count}`, the same shape as mcloud's.
async fn requests(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.request_counts()))
}

/// `GET /_sim/calls`: the operation names in the order received.
async fn calls(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(json!(sim.call_log()))
}

async fn reset_requests(State(sim): State<Arc<Simulator>>) -> StatusCode {
    sim.reset_request_counts();
    StatusCode::NO_CONTENT
}

async fn state(State(sim): State<Arc<Simulator>>) -> Json<Value> {
    Json(sim.snapshot())
}

async fn knobs(State(sim): State<Arc<Simulator>>) -> Json<super::Knobs> {
    Json(sim.knobs())
}

async fn set_knobs(State(sim): State<Arc<Simulator>>, bytes: Bytes) -> Response {
    crate::sim::knob_patch::answer(
        crate::sim::knob_patch::patched(&sim.knobs(), &bytes).and_then(|knobs| {
            knobs.validate()?;
            sim.set_knobs(knobs.clone());
            Ok(knobs)
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_all_operations() {
        let r = |m: Method, p: &str| route(&m, p).map(|r| (r.op, r.id));
        assert_eq!(
            r(
                Method::POST,
                "/v1/regions/cn-north-1/instances/i-abc:stopInstance"
            ),
            Some(("stopInstance", "i-abc".into()))
        );
        assert_eq!(
            r(Method::POST, "/v1/regions/cn-north-1/images/x:share"),
            Some(("shareImage", "x".into()))
        );
        assert_eq!(
            r(Method::POST, "/v1/regions/cn-north-1/images:copyImages"),
            Some(("copyImages", String::new()))
        );
        assert_eq!(
            r(Method::GET, "/v1/regions/cn-north-1/subnets").map(|x| x.0),
            Some("vpc:describeSubnets")
        );
        assert_eq!(r(Method::PUT, "/v1/regions/cn-north-1/instances"), None);
        assert_eq!(
            r(Method::POST, "/v1/regions/cn-north-1/instances/i-a:nope"),
            None
        );
    }
}
