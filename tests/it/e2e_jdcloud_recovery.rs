//! jdcloud create recovery (#9), through the real binary against a `skyform sim -cloud
//! jdcloud` process that acts on every request at once and loses the answers of chosen
//! operations (knobs `lose_answers` and `lose_answers_for`): the next apply adopts what the
//! lost creates made, with one listing per type, ambiguity is shown and adopts nothing, and
//! attachments whose answers were lost converge.

use crate::common::*;
use serde_json::{json, Value};
use std::time::Duration;

const UBUNTU: &str = "bba85cab-dfdc-4359-9218-7a2de429dd80";

fn provider(sim: &Sim) -> String {
    format!(
        r#"provider "jdcloud" {{
  endpoint    = "{}"
  region      = "cn-north-1"
  access_key  = "skyform-jdcloud-ak"
  secret_key  = "skyform-jdcloud-sk"
  max_retries = 1
}}
"#,
        sim.endpoint()
    )
}

/// `count` instances named `NAME-i`, stopped when `running` is false.
fn instances(name: &str, count: usize, running: bool) -> String {
    format!(
        r#"
resource "jdcloud_instance" "{name}" {{
  count         = {count}
  az            = "cn-north-1a"
  instance_name = "{name}-${{count.index}}"
  instance_type = "g.n2.medium"
  image_id      = "{UBUNTU}"
  subnet_id     = "subnet-bj0001"
  running       = {running}
}}
"#
    )
}

/// Loses every answer of `operations` from now on (or none, for `[]`).
fn lose(sim: &Sim, operations: &[&str]) {
    let rate = if operations.is_empty() { 0.0 } else { 1.0 };
    sim.set_knobs(json!({"lose_answers": rate, "lose_answers_for": operations}));
}

/// The simulated cloud's objects of one kind (`instances`, `images`).
fn cloud_objects(sim: &Sim, kind: &str) -> Vec<Value> {
    match &sim.get("/_sim/state")[kind] {
        Value::Object(m) => m.values().cloned().collect(),
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    }
}

/// `(region, name)` of every private image, sorted.
fn private_images(sim: &Sim) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = cloud_objects(sim, "images")
        .iter()
        .filter(|i| i["imageSource"] == "private")
        .map(|i| {
            (
                i["region"].as_str().unwrap_or_default().to_string(),
                i["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The `show -json` values of one resource instance.
fn values_of(w: &Work, address: &str) -> Value {
    let out = w.run(&["show", "-json"]).ok();
    let v: Value = serde_json::from_str(&out).expect("show -json");
    v["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == address).cloned())
        .map(|r| r["values"].clone())
        .unwrap_or(Value::Null)
}

/// The requests since the last reset whose `METHOD /path?query` contains every one of `parts`.
fn requests_with(sim: &Sim, parts: &[&str]) -> Vec<String> {
    sim.log()
        .into_iter()
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .collect()
}

fn count(sim: &Sim, operation: &str) -> u64 {
    sim.counts()
        .get(operation)
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn assert_plan_clean(w: &Work) {
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}

fn assert_adopted(out: &str, address: &str) {
    let line = format!("# {address} was created by an interrupted run: found it, adopting it");
    assert!(out.contains(&line), "{address} adopted:\n{out}");
}

#[test]
fn lost_create_answers_of_instances_images_and_copies_are_adopted_by_the_next_apply() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            r#"{}{}
resource "jdcloud_image" "golden" {{
  count       = 2
  instance_id = jdcloud_instance.builder[count.index].id
  name        = "golden-${{count.index}}"
  description = "made from a builder"
}}

resource "jdcloud_image_copy" "south" {{
  source_image_id    = jdcloud_image.golden[0].id
  destination_region = "cn-south-1"
  name               = "golden-south"
  description        = "a copy"
}}

# No name or description: the copy takes the source's, and recovery tells it by them.
resource "jdcloud_image_copy" "east" {{
  source_image_id    = jdcloud_image.golden[0].id
  destination_region = "cn-east-2"
}}
"#,
            provider(&sim),
            instances("builder", 2, false)
        ),
    )]);
    lose(&sim, &["createInstances", "createImage", "copyImages"]);

    // 1: both createInstances acted on, answers lost (the retry with the same clientToken
    // too): nothing else can start.
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(err.contains("createInstances"), "{err}");
    assert_eq!(cloud_objects(&sim, "instances").len(), 2);

    // 2: the instances are adopted with one describeInstances by client-token tag; the
    // images are made, their answers lost.
    sim.reset_counts();
    let r = w.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
    assert_adopted(&r.stdout(), "jdcloud_instance.builder[0]");
    assert_adopted(&r.stdout(), "jdcloud_instance.builder[1]");
    assert_eq!(count(&sim, "createInstances"), 0);
    let by_tag = requests_with(
        &sim,
        &["GET ", "/instances?", "tags.1.key=skyform-client-token"],
    );
    assert_eq!(by_tag.len(), 1, "one listing for both intents: {by_tag:?}");
    assert_eq!(count(&sim, "createImage"), 2);
    assert!(r.stderr().contains("createImage"), "{}", r.stderr());

    // 3: the images are adopted by name, instance and create time (no answer named them),
    // with one describeImages for both; the copies are made, their answers lost.
    sim.reset_counts();
    let r = w.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
    assert_adopted(&r.stdout(), "jdcloud_image.golden[0]");
    assert_adopted(&r.stdout(), "jdcloud_image.golden[1]");
    assert_eq!(count(&sim, "createImage"), 0, "not made again");
    let listings = requests_with(&sim, &["GET ", "/images?", "imageSource=private"]);
    assert_eq!(
        listings.len(),
        1,
        "one listing for both intents: {listings:?}"
    );
    assert_eq!(count(&sim, "copyImages"), 2);

    // 4: the copies are adopted, one listing in each destination region.
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert_adopted(&out, "jdcloud_image_copy.south");
    assert_adopted(&out, "jdcloud_image_copy.east");
    assert!(out.contains("Apply complete!"), "{out}");
    assert_eq!(count(&sim, "copyImages"), 0, "not copied again");
    for region in ["cn-south-1", "cn-east-2"] {
        let listed = requests_with(
            &sim,
            &[
                &format!("/v1/regions/{region}/images?"),
                "imageSource=private",
            ],
        );
        assert_eq!(listed.len(), 1, "{region}: {listed:?}");
    }

    // The cloud holds exactly what was declared, and state names each of them.
    assert_eq!(cloud_objects(&sim, "instances").len(), 2);
    assert_eq!(
        private_images(&sim),
        [
            ("cn-east-2".to_string(), "golden-0".to_string()),
            ("cn-north-1".into(), "golden-0".into()),
            ("cn-north-1".into(), "golden-1".into()),
            ("cn-south-1".into(), "golden-south".into()),
        ]
    );
    let south = values_of(&w, "jdcloud_image_copy.south");
    assert_eq!(south["destination_region"], "cn-south-1", "{south}");
    assert_eq!(south["status"], "ready", "{south}");
    assert_plan_clean(&w);
}

#[test]
fn five_lost_instance_creates_are_recovered_with_one_listing_not_five() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!("{}{}", provider(&sim), instances("app", 5, true)),
    )]);
    lose(&sim, &["createInstances"]);
    let err = w.run(&["apply", "-auto-approve", "-parallelism=5"]).fails();
    assert!(err.contains("createInstances"), "{err}");
    assert_eq!(cloud_objects(&sim, "instances").len(), 5);
    assert!(state_list(&w).is_empty(), "nothing was answered");

    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    for i in 0..5 {
        assert_adopted(&out, &format!("jdcloud_instance.app[{i}]"));
    }
    let by_tag = requests_with(
        &sim,
        &["GET ", "/instances?", "tags.1.key=skyform-client-token"],
    );
    assert_eq!(by_tag.len(), 1, "{by_tag:?}");
    assert_eq!(
        by_tag[0].matches("tags.1.values.").count(),
        5,
        "every open token in the one call: {}",
        by_tag[0]
    );
    assert_eq!(count(&sim, "describeInstance"), 0, "no read per intent");
    assert_eq!(count(&sim, "createInstances"), 0);
    assert_eq!(cloud_objects(&sim, "instances").len(), 5);
    assert_eq!(state_list(&w).len(), 5);
    assert_plan_clean(&w);
}

#[test]
fn another_matching_image_made_within_the_window_is_shown_and_nothing_is_adopted() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let image = |name: &str, instance: &str| {
        format!(
            r#"
resource "jdcloud_image" "{name}" {{
  instance_id = {instance}
  name        = "golden"
  description = "made from the builder"
}}
"#
        )
    };
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            "{}{}{}",
            provider(&sim),
            instances("builder", 1, false),
            image("golden", "jdcloud_instance.builder[0].id")
        ),
    )]);
    lose(&sim, &["createImage"]);
    let r = w.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
    lose(&sim, &[]);

    // Another workspace makes an image of the same name from the same instance.
    let builder = values_of(&w, "jdcloud_instance.builder[0]")["id"]
        .as_str()
        .expect("builder id")
        .to_string();
    let other = Work::new(&[(
        "main.sky.hcl",
        &format!(
            "{}{}",
            provider(&sim),
            image("other", &format!("\"{builder}\""))
        ),
    )]);
    other.run(&["apply", "-auto-approve"]).ok();
    let mut ids: Vec<(String, String)> = cloud_objects(&sim, "images")
        .iter()
        .filter(|i| i["imageSource"] == "private")
        .map(|i| {
            (
                i["createMs"].to_string(),
                i["imageId"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 2);

    let state_before = std::fs::read_to_string(w.state_path()).expect("state");
    sim.reset_counts();
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 1, "possible orphans fail the plan");
    let err = plan.stderr();
    assert!(err.contains("Possible orphans"), "{err}");
    for (_, id) in &ids {
        let cmd = format!("skyform import 'jdcloud_image.golden' {id}");
        assert!(err.contains(&cmd), "missing {cmd:?}:\n{err}");
    }
    let apply = w.run(&["apply", "-auto-approve"]);
    assert_eq!(apply.code(), 1, "{}", apply.stdout());
    assert!(apply.stderr().contains("Possible orphans"));
    assert_eq!(count(&sim, "createImage"), 0, "nothing made");
    assert_eq!(
        std::fs::read_to_string(w.state_path()).expect("state"),
        state_before,
        "nothing adopted"
    );
    // Importing the first (ours) resolves it.
    w.run(&["import", "jdcloud_image.golden", &ids[0].1]).ok();
    assert_plan_clean(&w);
    assert_eq!(private_images(&sim).len(), 2);
}

const ATTACHMENTS: &str = r#"
resource "jdcloud_disk_attachment" "logs" {
  instance_id = jdcloud_instance.web[0].id
  disk_id     = "vol-bj0001"
  auto_delete = false
}

resource "jdcloud_elastic_ip_association" "web" {
  instance_id   = jdcloud_instance.web[0].id
  elastic_ip_id = "fip-bj0001"
}

resource "jdcloud_network_interface_attachment" "web" {
  instance_id          = jdcloud_instance.web[0].id
  network_interface_id = "port-bj0001"
}
"#;

/// Where disk `vol-bj0001`, EIP `fip-bj0001` and NIC `port-bj0001` are attached, per the
/// simulated cloud.
fn attached_to(sim: &Sim) -> (String, String, String) {
    let state = sim.get("/_sim/state");
    let of = |kind: &str, id: &str| {
        state[kind][id]["instanceId"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    (
        of("disks", "vol-bj0001"),
        of("elastic_ips", "fip-bj0001"),
        of("network_interfaces", "port-bj0001"),
    )
}

#[test]
fn attachments_whose_answers_were_lost_converge() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            "{}{}{ATTACHMENTS}",
            provider(&sim),
            instances("web", 1, true)
        ),
    )]);
    // Every attach acted on, every answer lost: found attached as planned and adopted.
    lose(
        &sim,
        &["attachDisk", "associateElasticIp", "attachNetworkInterface"],
    );
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Resources: 4 added"), "{out}");
    let web = values_of(&w, "jdcloud_instance.web[0]")["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(attached_to(&sim), (web.clone(), web.clone(), web.clone()));
    assert_eq!(count(&sim, "attachDisk"), 1, "sent once");
    lose(&sim, &[]);
    assert_plan_clean(&w);
    assert_eq!(
        values_of(&w, "jdcloud_disk_attachment.logs")["auto_delete"],
        false
    );
}

#[test]
fn an_attach_acted_on_by_a_run_that_died_is_adopted_by_the_next_apply() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let base = format!("{}{}", provider(&sim), instances("web", 1, true));
    let w = Work::new(&[("main.sky.hcl", &base)]);
    w.run(&["apply", "-auto-approve"]).ok();
    w.write("main.sky.hcl", &format!("{base}{ATTACHMENTS}"));
    // A saved plan, so that only the apply's calls are slow.
    w.run(&["plan", "-out", "attach.plan"]).ok();
    sim.set_knobs(json!({"answer_delay_ms": 30000}));
    let mut child = std::process::Command::new(bin())
        .args(["-no-color", "apply", "attach.plan"])
        .current_dir(w.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start skyform");
    let acted = wait_until(Duration::from_secs(30), || {
        ["attachDisk", "associateElasticIp", "attachNetworkInterface"]
            .iter()
            .all(|op| count(&sim, op) >= 1)
    });
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        acted,
        "the three attach calls were sent: {:?}",
        sim.counts()
    );
    sim.set_knobs(json!({"answer_delay_ms": 0}));
    let web = values_of(&w, "jdcloud_instance.web[0]")["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(attached_to(&sim), (web.clone(), web.clone(), web.clone()));
    assert_eq!(state_list(&w), ["jdcloud_instance.web[0]"]);

    // The next apply sends them again, is told they are attached, and adopts them.
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Resources: 3 added"), "{out}");
    assert_eq!(count(&sim, "attachDisk"), 1);
    assert_eq!(state_list(&w).len(), 4);
    assert_eq!(attached_to(&sim), (web.clone(), web.clone(), web));
    assert_plan_clean(&w);
}

#[test]
fn an_image_share_whose_answers_were_lost_converges_on_the_next_apply() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            r#"{}{}
resource "jdcloud_image" "golden" {{
  instance_id = jdcloud_instance.builder[0].id
  name        = "golden"
}}

resource "jdcloud_image_share" "golden" {{
  image_id = jdcloud_image.golden.id
  pins     = ["partner-pin-1", "partner-pin-2"]
}}
"#,
            provider(&sim),
            instances("builder", 1, false)
        ),
    )]);
    // shareImage acted on, its answer (and its retry's) lost: the run fails.
    lose(&sim, &["shareImage"]);
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(err.contains("shareImage"), "{err}");
    assert_eq!(count(&sim, "shareImage"), 2, "sent, then retried once");
    let image = values_of(&w, "jdcloud_image.golden")["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let shared = |sim: &Sim| sim.get("/_sim/state")["images"][&image]["sharedPins"].clone();
    assert_eq!(shared(&sim), json!(["partner-pin-1", "partner-pin-2"]));
    assert!(!state_list(&w).contains(&"jdcloud_image_share.golden".to_string()));

    // The next apply shares again: the pins are members already, which the API accepts.
    lose(&sim, &[]);
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Resources: 1 added"), "{out}");
    assert_eq!(shared(&sim), json!(["partner-pin-1", "partner-pin-2"]));
    assert_plan_clean(&w);
}
