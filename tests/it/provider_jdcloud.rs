//! The jdcloud provider against the jdcloud simulator over real HTTP on loopback: every
//! resource and data source through the provider contract, the call sequences the
//! simulator counted, partial failures, idempotent creates and batched refresh.

use serde_json::json;
use skyform::lang::Value;
use skyform::provider::{
    ConfigureContext, CreatedHook, ErrorKind, OperationContext, Provider, ProviderType,
};
use skyform::providers::jdcloud::client::{Call, Client};
use skyform::providers::jdcloud::{self as jd, JdCloudProviderType};
use skyform::sim::jdcloud::{self, Knobs, SimOptions, Simulator};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const UBUNTU: &str = "bba85cab-dfdc-4359-9218-7a2de429dd80"; // cloudDisk
const WINDOWS: &str = "5e2f9c4a-81d7-4b3e-a6c0-2d9f7e1b4a68"; // excludes g.n2.medium

struct Env {
    sim: Arc<Simulator>,
    provider: Arc<dyn Provider>,
    client: Client,
    _dir: tempfile::TempDir,
}

async fn env_with(knobs: Knobs, catalogue: Option<serde_json::Value>) -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue_path = catalogue.map(|c| {
        let p = dir.path().join("catalogue.json");
        std::fs::write(&p, c.to_string()).expect("write catalogue");
        p
    });
    let sim = Simulator::open(SimOptions {
        knobs,
        catalogue_path,
        ..SimOptions::default()
    })
    .expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, _server) = skyform::sim::serve(jdcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    let base = format!("http://{bound}");
    let config = Value::object([
        ("endpoint", Value::string(&base)),
        ("region", Value::string("cn-north-1")),
        ("access_key", Value::string(jdcloud::DEFAULT_ACCESS_KEY)),
        ("secret_key", Value::string(jdcloud::DEFAULT_SECRET_KEY)),
    ]);
    let provider = JdCloudProviderType::new()
        .configure(&config, &ConfigureContext::new(dir.path()))
        .await
        .expect("configure");
    let settings = jd::settings_from(&config, |_| None).expect("settings");
    let client = jd::client_for(&settings, &base).expect("client");
    Env {
        sim,
        provider,
        client,
        _dir: dir,
    }
}

async fn env() -> Env {
    env_with(Knobs::default(), None).await
}

fn op(addr: &str) -> OperationContext {
    OperationContext::new(addr)
}

fn instance_config(name: &str, itype: &str, image: &str) -> Value {
    Value::object([
        ("az", Value::string("cn-north-1a")),
        ("instance_name", Value::string(name)),
        ("instance_type", Value::string(itype)),
        ("image_id", Value::string(image)),
        ("subnet_id", Value::string("subnet-bj0001")),
    ])
}

fn with(v: &Value, k: &str, x: Value) -> Value {
    let mut m = v.as_map().cloned().expect("object");
    m.insert(k.to_string(), x);
    Value::Object(m)
}

fn attr(v: &Value, k: &str) -> String {
    v.get_attr(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The calls since the last reset that are not reads.
fn actions(sim: &Simulator) -> Vec<String> {
    sim.call_log()
        .into_iter()
        .filter(|c| !c.starts_with("describe"))
        .collect()
}

async fn create_instance(e: &Env, name: &str) -> Value {
    e.provider
        .create(
            "jdcloud_instance",
            &instance_config(name, "g.n2.medium", UBUNTU),
            &op(&format!("jdcloud_instance.{name}")),
        )
        .await
        .expect("create")
}

#[tokio::test]
async fn instance_lifecycle_resize_and_rebuild_in_place() {
    let e = env().await;
    e.sim.reset_request_counts();
    let v = create_instance(&e, "web").await;
    let id = attr(&v, "id");
    assert!(id.starts_with("i-"), "{v:?}");
    assert_eq!(attr(&v, "status"), "running");
    assert_eq!(attr(&v, "instance_type"), "g.n2.medium");
    assert_eq!(actions(&e.sim), vec!["createInstances"]);

    // Refresh reads the same state back.
    let read = e
        .provider
        .read_resources("jdcloud_instance", std::slice::from_ref(&v))
        .await
        .expect("read");
    assert_eq!(read[0].as_ref(), Some(&v));

    // instance_type in place: stop, wait, resize, wait, start, wait.
    e.sim.reset_request_counts();
    let planned = with(&v, "instance_type", Value::string("g.n2.large"));
    let v2 = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("resize");
    assert_eq!(attr(&v2, "instance_type"), "g.n2.large");
    assert_eq!(attr(&v2, "status"), "running");
    assert_eq!(attr(&v2, "id"), id, "in place: the same instance");
    assert_eq!(
        actions(&e.sim),
        vec!["stopInstance", "resizeInstance", "startInstance"]
    );

    // image_id in place: stop, rebuild, start.
    e.sim.reset_request_counts();
    let planned = with(&v2, "image_id", Value::string(WINDOWS));
    let v3 = e
        .provider
        .update(
            "jdcloud_instance",
            &v2,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("rebuild");
    assert_eq!(attr(&v3, "image_id"), WINDOWS);
    assert_eq!(
        actions(&e.sim),
        vec!["stopInstance", "rebuildInstance", "startInstance"]
    );

    // Name, stop, reboot trigger.
    e.sim.reset_request_counts();
    let planned = with(&v3, "instance_name", Value::string("web-2"));
    let planned = with(&planned, "running", Value::Bool(false));
    let v4 = e
        .provider
        .update(
            "jdcloud_instance",
            &v3,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("rename and stop");
    assert_eq!(attr(&v4, "instance_name"), "web-2");
    assert_eq!(attr(&v4, "status"), "stopped");
    assert_eq!(
        actions(&e.sim),
        vec!["modifyInstanceAttribute", "stopInstance"]
    );
    e.sim.reset_request_counts();
    let planned = with(&v4, "running", Value::Bool(true));
    let v5 = e
        .provider
        .update(
            "jdcloud_instance",
            &v4,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("start");
    let planned = with(&v5, "reboot_trigger", Value::string("1"));
    let v6 = e
        .provider
        .update(
            "jdcloud_instance",
            &v5,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("reboot");
    assert_eq!(attr(&v6, "reboot_trigger"), "1");
    assert_eq!(actions(&e.sim), vec!["startInstance", "rebootInstance"]);

    // Password: modifyInstancePassword, then a reboot so it takes effect.
    e.sim.reset_request_counts();
    let planned = with(&v6, "password", Value::string("Sky-form2024"));
    e.provider
        .update(
            "jdcloud_instance",
            &v6,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("password");
    assert_eq!(
        actions(&e.sim),
        vec!["modifyInstancePassword", "rebootInstance"]
    );

    // Delete; a second delete finds it gone (404) and succeeds.
    e.provider
        .delete("jdcloud_instance", &v6, &op("jdcloud_instance.web"))
        .await
        .expect("delete");
    let read = e
        .provider
        .read_resources("jdcloud_instance", std::slice::from_ref(&v6))
        .await
        .expect("read");
    assert_eq!(read, vec![None]);
    e.provider
        .delete("jdcloud_instance", &v6, &op("jdcloud_instance.web"))
        .await
        .expect("gone is deleted");
}

#[tokio::test]
async fn a_resize_whose_start_fails_records_stopped_and_the_next_update_finishes() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    e.sim.set_knobs(Knobs {
        fail_operations: vec!["startInstance".into()],
        ..Knobs::default()
    });
    let planned = with(&v, "instance_type", Value::string("g.n2.large"));
    let err = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect_err("start fails");
    let text = err.error.to_string();
    assert!(text.contains("jdcloud_instance.web"), "{text}");
    assert!(text.contains("startInstance"), "{text}");
    assert!(text.contains("500 INTERNAL"), "{text}");
    assert!(text.contains("Unknown server error"), "{text}");
    let state = err.state.expect("partial state");
    assert_eq!(attr(&state, "status"), "stopped");
    assert_eq!(state.get_attr("running"), Some(&Value::Bool(false)));
    // What is true: the resize itself happened.
    assert_eq!(attr(&state, "instance_type"), "g.n2.large");

    // The next update (the plan shows running false -> unset) finishes: no second resize.
    e.sim.set_knobs(Knobs::default());
    e.sim.reset_request_counts();
    let planned = with(&state, "running", Value::Null);
    let done = e
        .provider
        .update(
            "jdcloud_instance",
            &state,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("finish");
    assert_eq!(attr(&done, "status"), "running");
    assert_eq!(actions(&e.sim), vec!["startInstance"]);
}

#[tokio::test]
async fn a_failed_resize_keeps_the_old_type_stopped_and_names_the_step() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    // m.n2.large is sold out: resizeInstance is refused after the stop.
    let planned = with(&v, "instance_type", Value::string("m.n2.large"));
    let err = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &planned,
            &op("jdcloud_instance.web"),
        )
        .await
        .expect_err("sold out");
    let text = err.error.to_string();
    assert!(text.contains("resizeInstance"), "{text}");
    assert!(text.contains("step 3/"), "{text}");
    assert!(text.contains("400 FAILED_PRECONDITION"), "{text}");
    let state = err.state.expect("partial state");
    assert_eq!(attr(&state, "status"), "stopped");
    assert_eq!(attr(&state, "instance_type"), "g.n2.medium");
}

#[tokio::test]
async fn wrong_state_calls_give_the_seed_error_with_the_api_code() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    let id = attr(&v, "id");
    // Resize a running instance outside skyform's sequence.
    let call = Call::post(
        "resizeInstance",
        format!("/instances/{id}:resizeInstance"),
        json!({"instanceType": "g.n2.large"}),
    );
    let err = e.client.call(&call).await.expect_err("running");
    assert_eq!(err.kind, ErrorKind::PreconditionFailed);
    let text = err.to_string();
    assert!(text.contains("400 FAILED_PRECONDITION"), "{text}");
    assert!(text.contains("running"), "{text}");
    assert!(text.contains("resizeInstance"), "{text}");
    assert!(!text.contains(jdcloud::DEFAULT_SECRET_KEY), "{text}");

    // A shared image cannot be deleted: the API's rule in skyform's message.
    let stopped = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &with(&v, "running", Value::Bool(false)),
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("stop");
    let image_cfg = Value::object([
        ("instance_id", Value::string(&id)),
        ("name", Value::string("golden")),
    ]);
    let img = e
        .provider
        .create("jdcloud_image", &image_cfg, &op("jdcloud_image.golden"))
        .await
        .expect("create image");
    assert_eq!(attr(&img, "status"), "ready");
    let share_cfg = Value::object([
        ("image_id", Value::string(attr(&img, "id"))),
        (
            "pins",
            Value::List(vec![Value::string("partner-a"), Value::string("partner-b")]),
        ),
    ]);
    let share = e
        .provider
        .create(
            "jdcloud_image_share",
            &share_cfg,
            &op("jdcloud_image_share.golden"),
        )
        .await
        .expect("share");
    let read = e
        .provider
        .read_resources("jdcloud_image_share", std::slice::from_ref(&share))
        .await
        .expect("members");
    assert_eq!(read[0].as_ref(), Some(&share));
    let err = e
        .provider
        .delete("jdcloud_image", &img, &op("jdcloud_image.golden"))
        .await
        .expect_err("shared");
    let text = err.error.to_string();
    assert!(text.contains("jdcloud_image.golden"), "{text}");
    assert!(text.contains("deleteImage"), "{text}");
    assert!(text.contains("400 FAILED_PRECONDITION"), "{text}");
    assert!(text.contains("unshare it before deleting it"), "{text}");
    // Unshare, then delete works.
    e.provider
        .delete(
            "jdcloud_image_share",
            &share,
            &op("jdcloud_image_share.golden"),
        )
        .await
        .expect("unshare");
    e.provider
        .delete("jdcloud_image", &img, &op("jdcloud_image.golden"))
        .await
        .expect("delete image");
    let _ = stopped;
}

#[tokio::test]
async fn refresh_of_250_instances_costs_three_describe_pages() {
    let catalogue = json!({
        "subnets": [{"subnetId": "subnet-big", "subnetName": "big", "vpcId": "vpc-bj0001",
                     "region": "cn-north-1", "addressPrefix": "10.0.16.0/20"}],
        "quotas": {"instance": 1000, "instance_cpu": 10000, "instance_memory": 100000}
    });
    let e = env_with(Knobs::default(), Some(catalogue)).await;
    let mut ids = Vec::new();
    for n in [100, 100, 50] {
        let body = json!({
            "instanceSpec": {
                "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": UBUNTU,
                "name": "fleet", "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-big"}}
            },
            "maxCount": n
        });
        let r = e
            .client
            .call(&Call::post("createInstances", "/instances", body))
            .await
            .expect("create batch");
        for id in r["instanceIds"].as_array().expect("ids") {
            ids.push(id.as_str().expect("id").to_string());
        }
    }
    assert_eq!(ids.len(), 250);
    let priors: Vec<Value> = ids
        .iter()
        .map(|id| Value::object([("id", Value::string(id))]))
        .collect();
    e.sim.reset_request_counts();
    let read = e
        .provider
        .read_resources("jdcloud_instance", &priors)
        .await
        .expect("refresh");
    assert_eq!(read.len(), 250);
    assert!(read.iter().all(Option::is_some));
    let counts = e.sim.request_counts();
    assert_eq!(counts.get("describeInstances"), Some(&3), "{counts:?}");
    assert_eq!(counts.values().sum::<u64>(), 3, "{counts:?}");
}

#[tokio::test]
async fn lost_answers_do_not_make_a_second_instance_and_the_token_finds_it() {
    let e = env().await;
    let tokens = Arc::new(Mutex::new(Vec::<String>::new()));
    let t = tokens.clone();
    let hook = CreatedHook(Arc::new(move |token: String| {
        let t = t.clone();
        Box::pin(async move {
            t.lock().expect("lock").push(token);
            Ok(())
        })
    }));
    // Every answer to a POST is lost: the create is retried with the same clientToken.
    e.sim.set_knobs(Knobs {
        lose_answers: 1.0,
        ..Knobs::default()
    });
    let cfg = instance_config("web", "g.n2.medium", UBUNTU);
    let err = e
        .provider
        .create(
            "jdcloud_instance",
            &cfg,
            &op("jdcloud_instance.web").with_created(hook),
        )
        .await
        .expect_err("answers lost");
    assert!(
        err.error.to_string().contains("createInstances"),
        "{}",
        err.error
    );
    e.sim.set_knobs(Knobs::default());
    let counts = e.sim.request_counts();
    assert!(
        counts.get("createInstances").copied().unwrap_or(0) > 1,
        "{counts:?}"
    );
    let snapshot = e.sim.snapshot();
    let n = snapshot["instances"]
        .as_object()
        .map(|m| m.len())
        .or_else(|| snapshot["instances"].as_array().map(Vec::len))
        .unwrap_or(0);
    assert_eq!(n, 1, "one instance for every attempt");
    // The token was recorded before the call; it finds the instance.
    let token = tokens
        .lock()
        .expect("lock")
        .first()
        .cloned()
        .expect("token");
    use skyform::provider::recovery::{CreateIntent, Recovered};
    let intent = |token: &str| CreateIntent {
        address: "jdcloud_instance.web".into(),
        token: Some(token.to_string()),
        fingerprint: Some(skyform::provider::recovery::planned_fingerprint(&cfg)),
        started_at: None,
    };
    let found = e
        .provider
        .recover_creates(
            "jdcloud_instance",
            &[intent(&token), intent("sky-unknown")],
            &Default::default(),
        )
        .await
        .expect("recover");
    match &found[0] {
        Recovered::Found(v) => assert!(attr(v, "id").starts_with("i-")),
        other => panic!("the recorded token finds the instance: {other:?}"),
    }
    assert_eq!(found[1], Recovered::NotCreated);
}

#[tokio::test]
async fn attachments_associate_and_detach() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    let id = attr(&v, "id");
    // Disk (vol-bj0001 is in cn-north-1a like the instance).
    let disk_cfg = Value::object([
        ("instance_id", Value::string(&id)),
        ("disk_id", Value::string("vol-bj0001")),
    ]);
    let disk = e
        .provider
        .create(
            "jdcloud_disk_attachment",
            &disk_cfg,
            &op("jdcloud_disk_attachment.d"),
        )
        .await
        .expect("attach disk");
    assert_eq!(attr(&disk, "device_name"), "vdb");
    let flip = with(&disk, "auto_delete", Value::Bool(true));
    let disk2 = e
        .provider
        .update(
            "jdcloud_disk_attachment",
            &disk,
            &flip,
            &op("jdcloud_disk_attachment.d"),
        )
        .await
        .expect("auto delete");
    let read = e
        .provider
        .read_resources("jdcloud_disk_attachment", std::slice::from_ref(&disk2))
        .await
        .expect("read disk");
    assert_eq!(
        read[0].as_ref().and_then(|r| r.get_attr("auto_delete")),
        Some(&Value::Bool(true))
    );
    // EIP (fip-bj0001 is all-AZ).
    let eip_cfg = Value::object([
        ("instance_id", Value::string(&id)),
        ("elastic_ip_id", Value::string("fip-bj0001")),
    ]);
    let eip = e
        .provider
        .create(
            "jdcloud_elastic_ip_association",
            &eip_cfg,
            &op("jdcloud_elastic_ip_association.e"),
        )
        .await
        .expect("associate");
    assert!(!attr(&eip, "elastic_ip_address").is_empty());
    // NIC.
    let nic_cfg = Value::object([
        ("instance_id", Value::string(&id)),
        ("network_interface_id", Value::string("port-bj0001")),
    ]);
    let nic = e
        .provider
        .create(
            "jdcloud_network_interface_attachment",
            &nic_cfg,
            &op("jdcloud_network_interface_attachment.n"),
        )
        .await
        .expect("attach nic");
    assert_eq!(nic.get_attr("device_index"), Some(&Value::number(2)));
    let nic2 = e
        .provider
        .update(
            "jdcloud_network_interface_attachment",
            &nic,
            &with(&nic, "auto_delete", Value::Bool(true)),
            &op("jdcloud_network_interface_attachment.n"),
        )
        .await
        .expect("nic auto delete");
    // Refresh of the three: one describeInstances each, whatever the count.
    e.sim.reset_request_counts();
    for (t, v) in [
        ("jdcloud_disk_attachment", &disk2),
        ("jdcloud_elastic_ip_association", &eip),
        ("jdcloud_network_interface_attachment", &nic2),
    ] {
        let r = e
            .provider
            .read_resources(t, std::slice::from_ref(v))
            .await
            .expect("read");
        assert!(r[0].is_some(), "{t}");
        let imported = e.provider.import(t, &attr(v, "id")).await.expect("import");
        assert_eq!(attr(&imported, "id"), attr(v, "id"));
    }
    for (t, v) in [
        ("jdcloud_network_interface_attachment", &nic2),
        ("jdcloud_elastic_ip_association", &eip),
        ("jdcloud_disk_attachment", &disk2),
    ] {
        e.provider.delete(t, v, &op(t)).await.expect("detach");
        let r = e
            .provider
            .read_resources(t, std::slice::from_ref(v))
            .await
            .expect("read");
        assert!(r[0].is_none(), "{t} gone");
    }
}

#[tokio::test]
async fn data_sources_read_every_operation() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    let id = attr(&v, "id");
    let filter = Value::List(vec![Value::object([
        ("name", Value::string("instanceId")),
        ("values", Value::List(vec![Value::string(&id)])),
    ])]);
    let r = e
        .provider
        .read_data(
            "jdcloud_instances",
            &Value::object([("filter", filter.clone())]),
        )
        .await
        .expect("instances");
    assert_eq!(
        r.get_attr("ids"),
        Some(&Value::List(vec![Value::string(&id)]))
    );
    let r = e
        .provider
        .read_data(
            "jdcloud_instance",
            &Value::object([("instance_id", Value::string(&id))]),
        )
        .await
        .expect("instance");
    assert_eq!(attr(&r, "status"), "running");
    let r = e
        .provider
        .read_data(
            "jdcloud_instance_types",
            &Value::object([("az", Value::string("cn-north-1a"))]),
        )
        .await
        .expect("types");
    assert!(r
        .get_attr("types")
        .and_then(Value::as_seq)
        .is_some_and(|t| t.len() >= 5));
    let r = e
        .provider
        .read_data(
            "jdcloud_images",
            &Value::object([("image_source", Value::string("public"))]),
        )
        .await
        .expect("images");
    assert!(r
        .get_attr("image_ids")
        .and_then(Value::as_seq)
        .is_some_and(|t| t.len() >= 3));
    let r = e
        .provider
        .read_data(
            "jdcloud_image",
            &Value::object([("image_id", Value::string(UBUNTU))]),
        )
        .await
        .expect("image");
    assert_eq!(attr(&r, "root_device_type"), "cloudDisk");
    for ids in [vec![WINDOWS], vec![WINDOWS, UBUNTU]] {
        let r = e
            .provider
            .read_data(
                "jdcloud_image_constraints",
                &Value::object([(
                    "image_ids",
                    Value::List(ids.iter().map(|i| Value::string(*i)).collect()),
                )]),
            )
            .await
            .expect("constraints");
        let c = r
            .get_attr("constraints")
            .and_then(Value::as_seq)
            .expect("list");
        assert!(
            c.iter().any(|c| attr(c, "constraints_type") == "excludes"),
            "{r:?}"
        );
    }
    let r = e
        .provider
        .read_data(
            "jdcloud_quotas",
            &Value::object([(
                "resource_types",
                Value::List(vec![Value::string("instance")]),
            )]),
        )
        .await
        .expect("quotas");
    let q = r
        .get_attr("quotas")
        .and_then(Value::as_seq)
        .expect("quotas");
    assert_eq!(q[0].get_attr("used"), Some(&Value::number(1)));
    let r = e
        .provider
        .read_data(
            "jdcloud_instance_status",
            &Value::object([("filter", filter.clone())]),
        )
        .await
        .expect("status");
    assert_eq!(
        r.get_attr("statuses").and_then(|m| m.get_attr(&id)),
        Some(&Value::string("running"))
    );
    let r = e
        .provider
        .read_data(
            "jdcloud_instance_private_ips",
            &Value::object([("filter", filter)]),
        )
        .await
        .expect("ips");
    assert!(r
        .get_attr("private_ips")
        .and_then(|m| m.get_attr(&id))
        .is_some());
    let r = e
        .provider
        .read_data(
            "jdcloud_instance_vnc_url",
            &Value::object([("instance_id", Value::string(&id))]),
        )
        .await
        .expect("vnc");
    let url = r.get_attr("vnc_url").expect("url");
    assert!(url.is_sensitive());
    assert!(url.as_str().is_some_and(|u| u.starts_with("https://")));
}

#[tokio::test]
async fn image_copy_and_import() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    let v = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &with(&v, "running", Value::Bool(false)),
            &op("i"),
        )
        .await
        .expect("stop");
    let img = e
        .provider
        .create(
            "jdcloud_image",
            &Value::object([
                ("instance_id", Value::string(attr(&v, "id"))),
                ("name", Value::string("golden")),
            ]),
            &op("jdcloud_image.g"),
        )
        .await
        .expect("image");
    let renamed = e
        .provider
        .update(
            "jdcloud_image",
            &img,
            &with(&img, "name", Value::string("golden-2")),
            &op("jdcloud_image.g"),
        )
        .await
        .expect("rename");
    assert_eq!(attr(&renamed, "name"), "golden-2");
    let copy = e
        .provider
        .create(
            "jdcloud_image_copy",
            &Value::object([
                ("source_image_id", Value::string(attr(&img, "id"))),
                ("destination_region", Value::string("cn-east-2")),
            ]),
            &op("jdcloud_image_copy.c"),
        )
        .await
        .expect("copy");
    assert_eq!(attr(&copy, "status"), "ready");
    let read = e
        .provider
        .read_resources("jdcloud_image_copy", std::slice::from_ref(&copy))
        .await
        .expect("read copy");
    assert!(read[0].is_some());
    let imported = e
        .provider
        .import("jdcloud_instance", &attr(&v, "id"))
        .await
        .expect("import instance");
    assert_eq!(attr(&imported, "instance_type"), "g.n2.medium");
    let imported = e
        .provider
        .import("jdcloud_image", &attr(&img, "id"))
        .await
        .expect("import image");
    assert_eq!(attr(&imported, "name"), "golden-2");
    e.provider
        .delete("jdcloud_image_copy", &copy, &op("c"))
        .await
        .expect("delete copy");
    e.provider
        .delete("jdcloud_image", &renamed, &op("g"))
        .await
        .expect("delete image");
}

#[tokio::test]
async fn data_disk_auto_delete_changes_only_the_blocks_disks() {
    let e = env().await;
    let cfg = with(
        &instance_config("web", "g.n2.medium", UBUNTU),
        "data_disk",
        Value::List(vec![Value::object([
            ("disk_type", Value::string("ssd")),
            ("disk_size_gb", Value::number(40)),
        ])]),
    );
    let cfg = with(&cfg, "data_disk_auto_delete", Value::Bool(false));
    let v = e
        .provider
        .create("jdcloud_instance", &cfg, &op("jdcloud_instance.web"))
        .await
        .expect("create");
    assert_eq!(
        v.get_attr("data_disk_auto_delete"),
        Some(&Value::Bool(false))
    );
    let disks = v
        .get_attr("data_disk")
        .and_then(Value::as_seq)
        .expect("disks");
    assert_eq!(disks.len(), 1);
    assert!(attr(&disks[0], "disk_id").starts_with("vol-"));
    let att = e
        .provider
        .create(
            "jdcloud_disk_attachment",
            &Value::object([
                ("instance_id", Value::string(attr(&v, "id"))),
                ("disk_id", Value::string("vol-bj0001")),
            ]),
            &op("jdcloud_disk_attachment.d"),
        )
        .await
        .expect("attach");
    assert_eq!(att.get_attr("auto_delete"), Some(&Value::Bool(false)));
    e.sim.reset_request_counts();
    let v2 = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &with(&v, "data_disk_auto_delete", Value::Bool(true)),
            &op("jdcloud_instance.web"),
        )
        .await
        .expect("flip");
    assert_eq!(actions(&e.sim), vec!["modifyInstanceDiskAttribute"]);
    assert_eq!(
        v2.get_attr("data_disk_auto_delete"),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        v2.get_attr("data_disk")
            .and_then(Value::as_seq)
            .map(<[Value]>::len),
        Some(1),
        "the attachment's disk is not the block's"
    );
    let read = e
        .provider
        .read_resources("jdcloud_disk_attachment", std::slice::from_ref(&att))
        .await
        .expect("read");
    assert_eq!(
        read[0].as_ref().and_then(|r| r.get_attr("auto_delete")),
        Some(&Value::Bool(false)),
        "untouched"
    );
}

#[tokio::test]
async fn waits_end_at_the_timeout_and_on_cancel_with_the_state_so_far() {
    let e = env().await;
    let v = create_instance(&e, "web").await;
    e.sim.set_knobs(Knobs {
        transition_ms: 60_000,
        ..Knobs::default()
    });
    let planned = with(&v, "instance_type", Value::string("g.n2.large"));
    let started = std::time::Instant::now();
    let err = e
        .provider
        .update(
            "jdcloud_instance",
            &v,
            &planned,
            &op("jdcloud_instance.web").with_timeout(Some(std::time::Duration::from_secs(2))),
        )
        .await
        .expect_err("times out");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(err.error.kind, ErrorKind::Timeout, "{}", err.error);
    assert!(
        err.error.to_string().contains("wait for stopped"),
        "{}",
        err.error
    );
    let state = err.state.expect("state so far");
    assert_eq!(attr(&state, "status"), "stopping");
    assert_eq!(attr(&state, "instance_type"), "g.n2.medium");

    // Ctrl-C: the wait ends at once.
    let cancel = skyform::provider::CancelToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        c2.cancel();
    });
    let started = std::time::Instant::now();
    let err = e
        .provider
        .delete(
            "jdcloud_instance",
            &state,
            &op("jdcloud_instance.web").with_cancel(cancel),
        )
        .await
        .expect_err("cancelled");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(err.error.kind, ErrorKind::Cancelled, "{}", err.error);
}
