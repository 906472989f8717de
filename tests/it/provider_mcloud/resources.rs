//! Resources against the simulator: create, read (refresh returns the same), change,
//! delete; batched refresh; error paths; retries.

use super::against_sim::*;
use skyform::lang::Value;
use skyform::sim::mcloud::Knobs;

const TEMPLATE: &str = "mcloud_template";
const INSTANCE: &str = "mcloud_instance";
const GROUP: &str = "mcloud_instance_group";

#[tokio::test]
async fn template_create_read_replace_delete() {
    let e = env().await;
    let t = e.create(TEMPLATE, &template_args("web")).await;
    let id = text(&t, "id");
    assert!(id.parse::<i64>().is_ok(), "numeric id: {id}");
    assert!(!text(&t, "create_time").is_empty());
    assert_eq!(text(&t, "cloud"), "aliyun");
    assert_eq!(attr(&t, "data_disk_num"), &n(1));
    assert_eq!(text(attr(&t, "zone"), "zone_name"), "cn-beijing-c");
    assert!(t.is_wholly_known());
    assert_eq!(e.read_one(TEMPLATE, &t).await, Some(t.clone()));
    assert_eq!(e.provider.import(TEMPLATE, &id).await.unwrap(), t);

    // No update API: a change is a replacement (create the new, delete the old).
    let schema = e.schema(TEMPLATE);
    assert!(schema.attributes["name"].force_new);
    let t2 = e.create(TEMPLATE, &template_args("web-2")).await;
    assert_ne!(text(&t2, "id"), id);
    e.delete(TEMPLATE, &t).await;
    assert_eq!(e.read_one(TEMPLATE, &t).await, None);
    assert!(e.read_one(TEMPLATE, &t2).await.is_some());
    assert!(e
        .provider
        .update(TEMPLATE, &t2, &t2, &op("x"))
        .await
        .is_err());
}

#[tokio::test]
async fn template_limits_are_checked_before_any_call() {
    let e = env().await;
    let schema = e.schema(TEMPLATE);
    let bad = planned(&schema, &with(template_args("x"), "data_disk_num", n(5)));
    let diags = e.provider.validate_resource(TEMPLATE, &bad);
    assert!(diags.has_errors());
    let msg = diags.iter().next().unwrap().to_string();
    assert!(
        msg.contains("\"data_disk_num\"") && msg.contains("between 1 and 4"),
        "{msg}"
    );
    let bad = planned(&schema, &with(template_args("x"), "data_disk_size", n(0)));
    assert!(e.provider.validate_resource(TEMPLATE, &bad).has_errors());
    let ok = planned(&schema, &template_args("x"));
    assert!(!e.provider.validate_resource(TEMPLATE, &ok).has_errors());
    assert!(
        e.counts().is_empty(),
        "validation made requests: {:?}",
        e.counts()
    );
}

#[tokio::test]
async fn server_errors_quote_code_and_message() {
    let e = env().await;
    // Past plan-time validation, the server's own limit answers 11996.
    let err = e
        .try_create(TEMPLATE, &with(template_args("x"), "data_disk_num", n(5)))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"mcloud: POST /v1/cluster: code 11996 "The paramter (DataDiskNum) over size limited and the size range is larger than 0 and less equal 4.!""#
    );
    let err = e
        .try_create(
            INSTANCE,
            &with(instance_args(), "data_disk_category", s("floppy")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"mcloud: POST /v1/instance: code 12996 "Input error""#
    );
    let err = e
        .try_create(
            TEMPLATE,
            &with(template_args("x"), "system_disk_category", s("floppy")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"mcloud: POST /v1/cluster: code 12996 "Input error!""#
    );
    let err = e
        .try_create(INSTANCE, &with(instance_args(), "cloud", s("nimbus")))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"mcloud: POST /v1/instance: code 10999 "unknown backend provider driver: nimbus""#
    );
    assert_eq!(
        e.count("POST /v1/instance"),
        2,
        "creates are never repeated"
    );
}

#[tokio::test]
async fn instance_create_read_stop_start_delete() {
    let e = env_with(Knobs {
        transition_ms: 300,
        ..Knobs::default()
    })
    .await;
    let i = e.create(INSTANCE, &instance_args()).await;
    assert_eq!(text(&i, "status"), "running", "create waits until usable");
    assert_eq!(attr(&i, "running"), &Value::Bool(true));
    assert!(text(&i, "id").starts_with("i-"));
    assert!(!text(&i, "private_ip").is_empty());
    let cid = text(&i, "last_correlation_id");
    assert!(!cid.is_empty());
    assert!(i.is_wholly_known(), "{i:?}");
    assert!(
        e.count("GET /v1/status/:instanceId") >= 2,
        "polled the status"
    );
    assert_eq!(e.count("POST /v1/instance"), 1);
    assert_eq!(e.read_one(INSTANCE, &i).await, Some(i.clone()));

    // The create's correlation id was sent: its log records are there.
    let logs = e
        .read_data(
            "mcloud_instance_logs",
            &[
                ("instance_id", s(&text(&i, "id"))),
                ("correlation_id", s(&cid)),
            ],
        )
        .await;
    assert!(text(&logs, "content").contains(&text(&i, "id")), "{logs:?}");

    let stopped = e
        .update(INSTANCE, &i, &[("running", Value::Bool(false))])
        .await;
    assert_eq!(text(&stopped, "status"), "stopped");
    assert_eq!(attr(&stopped, "running"), &Value::Bool(false));
    assert_ne!(text(&stopped, "last_correlation_id"), cid);
    assert_eq!(e.read_one(INSTANCE, &stopped).await, Some(stopped.clone()));

    let started = e
        .update(INSTANCE, &stopped, &[("running", Value::Bool(true))])
        .await;
    assert_eq!(text(&started, "status"), "running");
    assert_eq!(e.count("GET /v1/start/:instanceId"), 1);

    e.delete(INSTANCE, &started).await;
    assert_eq!(e.count("DELETE /v1/instance/:instanceIds"), 1);
    assert_eq!(e.read_one(INSTANCE, &started).await, None);
}

#[tokio::test]
async fn instance_created_stopped() {
    let e = env().await;
    let i = e
        .create(
            INSTANCE,
            &with(instance_args(), "running", Value::Bool(false)),
        )
        .await;
    assert_eq!(text(&i, "status"), "stopped");
    assert_eq!(attr(&i, "running"), &Value::Bool(false));
    assert_eq!(
        e.provider
            .import(INSTANCE, &text(&i, "id"))
            .await
            .unwrap()
            .get_attr("id"),
        i.get_attr("id")
    );
}

#[tokio::test]
async fn refresh_of_50_instances_is_one_list_call() {
    let e = env().await;
    let mut priors = Vec::new();
    for _ in 0..50 {
        priors.push(e.create(INSTANCE, &instance_args()).await);
    }
    // One goes away behind skyform's back.
    let gone = text(&priors[7], "id");
    let http = reqwest::Client::new();
    let resp = http
        .delete(format!("{}/v1/instance/{gone}", e.base))
        .header("X-CORRELATION-ID", "out-of-band")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    e.sim.reset_request_counts();
    let live = e.provider.read_resources(INSTANCE, &priors).await.unwrap();
    assert_eq!(e.counts().len(), 1, "{:?}", e.counts());
    assert_eq!(e.count("GET /v1/instance/list"), 1);
    assert_eq!(live.len(), 50);
    for (k, (prior, now)) in priors.iter().zip(&live).enumerate() {
        if k == 7 {
            assert_eq!(now, &None);
        } else {
            assert_eq!(now.as_ref(), Some(prior));
        }
    }

    // Templates too: one list call for all.
    let mut templates = Vec::new();
    for k in 0..5 {
        templates.push(e.create(TEMPLATE, &template_args(&format!("t{k}"))).await);
    }
    e.sim.reset_request_counts();
    let live = e
        .provider
        .read_resources(TEMPLATE, &templates)
        .await
        .unwrap();
    assert_eq!(e.counts().len(), 1, "{:?}", e.counts());
    assert_eq!(e.count("GET /v1/cluster"), 1);
    assert!(live.iter().all(Option::is_some));
}

#[tokio::test]
async fn idempotent_reads_are_retried_creates_are_not() {
    let e = env().await;
    let t = e.create(TEMPLATE, &template_args("r")).await;
    e.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    e.sim.reset_request_counts();
    let err = e
        .provider
        .read_resources(TEMPLATE, std::slice::from_ref(&t))
        .await
        .unwrap_err();
    assert_eq!(e.count("GET /v1/cluster"), 4, "1 try + 3 retries");
    assert_eq!(
        err.to_string(),
        r#"mcloud: GET /v1/cluster: code 10999 "QuerySeter no row found""#
    );
    let err = e.try_create(INSTANCE, &instance_args()).await.unwrap_err();
    assert_eq!(
        e.count("POST /v1/instance"),
        1,
        "a create is never repeated blindly"
    );
    assert_eq!(err.error.code.as_deref(), Some("10999"));

    // Throttling: HTTP 429; the read waits and gets through, and so does the create: a
    // throttled request was never processed, so repeating it cannot make a second machine.
    e.sim.set_knobs(Knobs {
        throttle: 1,
        ..Knobs::default()
    });
    e.sim.reset_request_counts();
    let first = e
        .provider
        .read_resources(TEMPLATE, std::slice::from_ref(&t))
        .await
        .unwrap();
    let second = e
        .provider
        .read_resources(TEMPLATE, std::slice::from_ref(&t))
        .await
        .unwrap();
    assert_eq!(first, second);
    assert!(e.count("GET /v1/cluster") >= 3, "{:?}", e.counts());
    let before = e.sim_instance_count();
    e.try_create(INSTANCE, &instance_args())
        .await
        .expect("a throttled create is retried");
    assert_eq!(e.count("POST /v1/instance"), 2, "{:?}", e.counts());
    assert_eq!(e.sim_instance_count(), before + 1, "one machine, not two");
}

#[tokio::test]
async fn instance_group_scales_with_one_call_each_way() {
    let e = env().await;
    let t = e.create(TEMPLATE, &template_args("pool")).await;
    let tid = text(&t, "id");
    e.sim.reset_request_counts();
    let g = e
        .create(GROUP, &[("template_id", s(&tid)), ("instance_count", n(3))])
        .await;
    assert_eq!(e.count("POST /v1/cluster/:clusterId/expand/:number"), 1);
    let members = attr(&g, "instances").as_seq().unwrap().to_vec();
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| text(m, "status") == "running"));
    assert_eq!(e.read_one(GROUP, &g).await, Some(g.clone()));

    e.sim.reset_request_counts();
    let g5 = e.update(GROUP, &g, &[("instance_count", n(5))]).await;
    assert_eq!(e.count("POST /v1/cluster/:clusterId/expand/:number"), 1);
    assert_eq!(e.count("DELETE /v1/instance/:instanceIds"), 0);
    let after = attr(&g5, "instances").as_seq().unwrap().to_vec();
    assert_eq!(after.len(), 5);
    assert_eq!(&after[..3], &members[..], "unchanged machines untouched");

    e.sim.reset_request_counts();
    let g2 = e.update(GROUP, &g5, &[("instance_count", n(2))]).await;
    assert_eq!(
        e.count("DELETE /v1/instance/:instanceIds"),
        1,
        "one delete for the surplus"
    );
    assert_eq!(e.count("POST /v1/cluster/:clusterId/expand/:number"), 0);
    assert_eq!(attr(&g2, "instances").as_seq().unwrap(), &members[..2]);
    assert_eq!(attr(&g2, "instance_count"), &n(2));

    // The other machines of the template stay out of the group.
    let by_template = e
        .read_data("mcloud_instances", &[("template_id", s(&tid))])
        .await;
    assert_eq!(attr(&by_template, "ids").as_seq().unwrap().len(), 2);

    e.delete(GROUP, &g2).await;
    let by_template = e
        .read_data("mcloud_instances", &[("template_id", s(&tid))])
        .await;
    assert!(attr(&by_template, "ids").as_seq().unwrap().is_empty());
    let refreshed = e.read_one(GROUP, &g2).await.unwrap();
    assert_eq!(attr(&refreshed, "instance_count"), &n(0));
}

#[tokio::test]
async fn physical_machine_register_refresh_delete() {
    let e = env().await;
    let args = [
        ("public_ip", s("101.1.2.146")),
        ("private_ip", s("1.11.1.123")),
        ("password", Value::sensitive(s("adminpadd"))),
    ];
    let m = e.create("mcloud_physical_machine", &args).await;
    assert!(text(&m, "id").starts_with("i-"));
    assert_eq!(text(&m, "status"), "running");
    assert!(!text(&m, "last_correlation_id").is_empty());
    assert_eq!(
        e.read_one("mcloud_physical_machine", &m).await,
        Some(m.clone())
    );
    let err = e
        .try_create("mcloud_physical_machine", &args)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("machine 101.1.2.146 was not registered"),
        "{err}"
    );
    assert!(err.contains("already in DB"), "{err}");
    e.delete("mcloud_physical_machine", &m).await;
    assert_eq!(e.read_one("mcloud_physical_machine", &m).await, None);
}

#[tokio::test]
async fn machine_record_put_refresh_delete() {
    let e = env().await;
    let args = with(instance_args(), "public_ip", s("203.0.113.9"));
    let m = e.create("mcloud_machine_record", &args).await;
    assert_eq!(text(&m, "public_ip"), "203.0.113.9");
    assert_eq!(text(&m, "instance_id"), text(&m, "id"));
    assert!(m.is_wholly_known(), "{m:?}");
    assert_eq!(
        e.read_one("mcloud_machine_record", &m).await,
        Some(m.clone())
    );
    e.delete("mcloud_machine_record", &m).await;
    assert_eq!(e.read_one("mcloud_machine_record", &m).await, None);
}

#[tokio::test]
async fn ssh_key_upload_and_download() {
    let e = env().await;
    let i = e.create(INSTANCE, &instance_args()).await;
    let id = text(&i, "id");
    let k = e.create("mcloud_ssh_key", &[("instance_id", s(&id))]).await;
    let key = attr(&k, "key");
    assert!(key.is_sensitive());
    assert!(!key.as_str().unwrap().is_empty());
    let got = e
        .read_data("mcloud_ssh_key", &[("ip", s(&text(&i, "private_ip")))])
        .await;
    let private = attr(&got, "private_key");
    assert!(private.is_sensitive());
    assert_eq!(private.as_str(), key.as_str());
    assert_eq!(e.read_one("mcloud_ssh_key", &k).await, Some(k.clone()));
    e.delete(INSTANCE, &i).await;
    assert_eq!(e.read_one("mcloud_ssh_key", &k).await, None);

    let given = e.create(INSTANCE, &instance_args()).await;
    let k = e
        .create(
            "mcloud_ssh_key",
            &[
                ("instance_id", s(&text(&given, "id"))),
                ("key", s("ssh-ed25519 AAAA test")),
            ],
        )
        .await;
    assert_eq!(attr(&k, "key").as_str(), Some("ssh-ed25519 AAAA test"));
}

#[tokio::test]
async fn openstack_configuration() {
    let e = env().await;
    let args = [
        ("ip", s("127.0.0.1")),
        ("port", s("26018")),
        ("user_name", s("root")),
        ("password", Value::sensitive(s("test12345"))),
    ];
    let c = e.create("mcloud_openstack_config", &args).await;
    assert_eq!(text(&c, "id"), "127.0.0.1:26018");
    assert!(attr(&c, "result").is_sensitive());
    let c2 = e
        .update("mcloud_openstack_config", &c, &[("port", s("26019"))])
        .await;
    assert_eq!(text(&c2, "id"), "127.0.0.1:26019");
    assert_eq!(e.count("POST /v1/instance/openstack"), 2);
}

#[tokio::test]
async fn create_timeout_names_the_machine_to_adopt() {
    let e = env_with(Knobs {
        transition_ms: 60_000,
        ..Knobs::default()
    })
    .await;
    let p = planned(&e.schema(INSTANCE), &instance_args());
    let ctx = skyform::provider::OperationContext::new("mcloud_instance.slow")
        .with_timeout(Some(std::time::Duration::from_millis(800)));
    let failure = e.provider.create(INSTANCE, &p, &ctx).await.unwrap_err();
    assert_eq!(failure.error.kind, skyform::provider::ErrorKind::Timeout);
    // The machine exists: the failure carries its state, so apply records it.
    let state = failure.state.clone().expect("the machine's state");
    assert_eq!(text(&state, "status"), "starting");
    assert!(text(&state, "id").starts_with("i-"));
    let err = failure.to_string();
    assert!(err.contains("timed out"), "{err}");
    assert!(err.contains("last status starting"), "{err}");
    assert!(
        err.contains("skyform import mcloud_instance.slow i-"),
        "{err}"
    );
    assert_eq!(e.count("POST /v1/instance"), 1);
}

#[tokio::test]
async fn concurrent_deletes_share_calls_and_survive_a_bad_id() {
    let e = env().await;
    let mut priors = Vec::new();
    for _ in 0..6 {
        priors.push(e.create(INSTANCE, &instance_args()).await);
    }
    // One object is already gone behind skyform's back: the combined call is all-or-nothing,
    // so it fails, and the ids are retried one by one.
    let gone = text(&priors[2], "id");
    reqwest::Client::new()
        .delete(format!("{}/v1/instance/{gone}", e.base))
        .header("X-CORRELATION-ID", "out-of-band")
        .send()
        .await
        .unwrap();
    e.sim.reset_request_counts();
    let op = op("mcloud_instance.x");
    let results =
        futures::future::join_all(priors.iter().map(|p| e.provider.delete(INSTANCE, p, &op))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let listed = reqwest::get(format!("{}/v1/instance/list", e.base))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        listed["content"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "all deleted: {listed}"
    );

    // Without a bad id, concurrent deletes need fewer calls than instances.
    let mut priors = Vec::new();
    for _ in 0..6 {
        priors.push(e.create(INSTANCE, &instance_args()).await);
    }
    e.sim.reset_request_counts();
    let results =
        futures::future::join_all(priors.iter().map(|p| e.provider.delete(INSTANCE, p, &op))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(
        e.count("DELETE /v1/instance/:instanceIds") < 6,
        "{:?}",
        e.counts()
    );
}
