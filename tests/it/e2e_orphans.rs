//! No orphans, no duplicates (#9): write-ahead create intents and their recovery, through
//! the real binary against a separate `skyform sim` process that acts at once and answers
//! late (knob `answer_delay_ms`) or never (knob `lose_answers`).

use crate::common::*;
use rand::{Rng, SeedableRng};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A template named `web` (with the simulator catalog's values).
fn template_block() -> String {
    r#"resource "mcloud_template" "web" {
  name                 = "web"
  cloud                = "aliyun"
  cpu                  = 2
  ram                  = 4
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"

  network {
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }

  zone {
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }
}
"#
    .to_string()
}

/// Names of the templates the simulated cloud holds.
fn template_names(sim: &Sim) -> Vec<String> {
    sim.get("/v1/cluster")["content"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["Name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The cloud holds exactly what state holds: the same machine ids, each once.
fn assert_cloud_matches_state(sim: &Sim, w: &Work, instances: usize) {
    let mut in_cloud = sim.instance_ids();
    let mut in_state = state_instance_ids(w);
    in_cloud.sort();
    in_state.sort();
    let mut unique = in_cloud.clone();
    unique.dedup();
    assert_eq!(unique.len(), in_cloud.len(), "no id twice: {in_cloud:?}");
    assert_eq!(
        in_cloud.len(),
        instances,
        "the cloud holds the declared machines"
    );
    assert_eq!(in_state, in_cloud, "state and cloud agree: no orphan");
    assert_eq!(template_names(sim), ["web"], "exactly one template");
}

#[test]
fn twenty_kills_mid_apply_leave_no_orphan_and_no_duplicate() {
    let seed: u64 = std::env::var("SKYFORM_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    println!("crash loop seed {seed} (rerun with SKYFORM_CRASH_SEED={seed})");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let sim = Sim::start(&["-answer-delay-ms", "20"]);
    assert_eq!(sim.get("/_sim/knobs")["answer_delay_ms"], 20);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &format!("{}\n{}", template_block(), instance_block("web", 30, "")),
        ),
    ]);
    let started = Instant::now();
    for round in 0..20 {
        let after = Duration::from_millis(rng.gen_range(50..=400));
        let mut child = Command::new(bin())
            .args(["-no-color", "apply", "-auto-approve", "-parallelism=16"])
            .current_dir(w.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start skyform");
        std::thread::sleep(after);
        let _ = child.kill(); // SIGKILL; it may have finished already
        let status = child.wait().expect("wait");
        println!("round {round}: killed after {after:?} ({status})");
    }
    let last = w.run(&["apply", "-auto-approve", "-parallelism=16"]);
    assert_eq!(last.code(), 0, "{}{}", last.stdout(), last.stderr());
    assert_cloud_matches_state(&sim, &w, 30);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    println!("crash loop took {:?}", started.elapsed());
}

#[test]
fn lost_answers_converge_within_five_applies_without_duplicates() {
    let sim = Sim::start(&["-lose-answers", "0.3"]);
    assert_eq!(sim.get("/_sim/knobs")["lose_answers"], 0.3);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &format!("{}\n{}", template_block(), instance_block("web", 20, "")),
        ),
    ]);
    let mut runs = 0;
    loop {
        runs += 1;
        let r = w.run(&["apply", "-auto-approve", "-parallelism=8"]);
        // However a run ended, the cloud never holds more than was declared.
        assert!(sim.instance_ids().len() <= 20, "run {runs}: a duplicate");
        assert!(
            template_names(&sim).len() <= 1,
            "run {runs}: a duplicate template"
        );
        if r.code() == 0 {
            break;
        }
        assert!(
            runs < 5,
            "not converged after {runs} applies:\n{}",
            r.stderr()
        );
    }
    println!("converged after {runs} applies");
    assert_cloud_matches_state(&sim, &w, 20);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}

/// Writes a state whose instances `web[0]` and `web[1]` have open create intents (as a run
/// killed right after sending both creates leaves them).
fn write_open_intents(w: &Work, keys: &[i64]) {
    let fingerprint = serde_json::json!({
        "cloud": "aliyun", "instance_type": "ecs.c2.medium",
        "image_id": "centos7u2_64_40G_cloudinit_20160728.raw",
        "system_disk_category": "cloud_efficiency", "data_disk_size": 100, "data_disk_num": 1,
        "data_disk_category": "cloud_efficiency",
        "network": {"vpc_id": "", "subnet_id": "", "security_group": "",
                    "internet_charge_type": "PayByBandwidth", "internet_max_bandwidth_out": 5},
        "zone": {"region_name": "cn-beijing", "zone_name": "cn-beijing-c"},
        "running": null
    });
    let started = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let instances: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| {
            serde_json::json!({
                "index_key": k, "status": "pending_create", "attributes": {},
                "create_fingerprint": fingerprint, "create_started_at": started
            })
        })
        .collect();
    let state = serde_json::json!({
        "version": 4, "serial": 1, "lineage": "7f0c7b2e-0000-4000-8000-000000000009",
        "skyform_version": "0.1.0", "outputs": {},
        "resources": [{"mode": "managed", "type": "mcloud_instance", "name": "web",
                       "provider": "provider[\"mcloud\"]", "instances": instances}]
    });
    std::fs::create_dir_all(w.path().join("state")).expect("state dir");
    std::fs::write(
        w.state_path(),
        serde_json::to_string_pretty(&state).expect("json"),
    )
    .expect("write state");
}

/// Makes `n` machines of the instance block's spec behind skyform's back.
fn make_machines(sim: &Sim, n: usize) -> Vec<String> {
    let body = serde_json::json!({
        "Provider": "aliyun", "InstanceType": "ecs.c2.medium",
        "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
        "Network": {"Id": 0, "VpcId": "", "SubnetId": "", "SecurityGroup": "",
                    "InternetChargeType": "PayByBandwidth", "InternetMaxBandwidthOut": 5},
        "Zone": {"Id": 0, "RegionName": "cn-beijing", "ZoneName": "cn-beijing-c"},
        "SystemDiskCategory": "cloud_efficiency", "DataDiskSize": 100, "DataDiskNum": 1,
        "DataDiskCategory": "cloud_efficiency"
    });
    let client = reqwest::blocking::Client::new();
    for _ in 0..n {
        let r: serde_json::Value = client
            .post(format!("{}/v1/instance", sim.endpoint()))
            .header("X-CORRELATION-ID", "made-by-hand")
            .json(&body)
            .send()
            .expect("POST")
            .json()
            .expect("JSON");
        assert_eq!(r["code"], 0, "{r}");
    }
    sim.instance_ids()
}

#[test]
fn intents_matched_one_to_one_are_adopted_without_a_create() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 2, "")),
    ]);
    write_open_intents(&w, &[0, 1]);
    let made = make_machines(&sim, 2);
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("# mcloud_instance.web[0] was created by an interrupted run: found it, adopting it into state"),
        "{out}"
    );
    assert!(
        out.contains("0 added"),
        "adopted, not created again:\n{out}"
    );
    assert!(!sim.counts().contains_key("POST /v1/instance"));
    let mut in_state = state_instance_ids(&w);
    in_state.sort();
    let mut made = made;
    made.sort();
    assert_eq!(in_state, made);
}

#[test]
fn more_matching_machines_than_intents_are_shown_as_possible_orphans_and_nothing_moves() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 2, "")),
    ]);
    write_open_intents(&w, &[0, 1]);
    let made = make_machines(&sim, 3);
    let state_before = std::fs::read_to_string(w.state_path()).expect("state");
    sim.reset_counts();
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 1, "documented: possible orphans fail the plan");
    let err = plan.stderr();
    assert!(
        err.contains("Possible orphans of interrupted creates"),
        "{err}"
    );
    assert!(
        err.contains("mcloud_instance.web[0], mcloud_instance.web[1] were being created"),
        "{err}"
    );
    for (i, id) in made.iter().enumerate() {
        let cmd = format!("skyform import 'mcloud_instance.web[{}]' {id}", i % 2);
        assert!(err.contains(&cmd), "missing {cmd:?}:\n{err}");
    }
    let apply = w.run(&["apply", "-auto-approve"]);
    assert_eq!(apply.code(), 1, "{}", apply.stdout());
    assert!(
        apply.stderr().contains("Possible orphans"),
        "{}",
        apply.stderr()
    );
    // Nothing adopted, deleted or created; state untouched.
    let counts = sim.counts();
    assert!(
        counts
            .keys()
            .all(|k| !k.starts_with("POST") && !k.starts_with("DELETE")),
        "{counts:?}"
    );
    assert_eq!(sim.instance_ids().len(), 3);
    assert_eq!(
        std::fs::read_to_string(w.state_path()).expect("state"),
        state_before
    );
    // Following the advice resolves it: import one per address, then nothing is left to do.
    w.run(&["import", "mcloud_instance.web[0]", &made[0]]).ok();
    w.run(&["import", "mcloud_instance.web[1]", &made[1]]).ok();
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}

#[test]
fn the_hostile_simulator_flags_are_checked() {
    let out = std::process::Command::new(bin())
        .args(["sim", "-listen", "127.0.0.1:0", "-lose-answers", "1.5"])
        .output()
        .expect("run sim");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Invalid simulator option"), "{err}");
    assert!(err.contains("lose_answers"), "{err}");
}

/// A machine record and an instance of one spec, both with open intents, and one machine of
/// that spec in the cloud: each recovery sees the other's adoption, so exactly one of them
/// adopts it and the other is created.
#[test]
fn two_types_whose_listings_overlap_never_adopt_one_machine_twice() {
    let sim = Sim::start(&[]);
    let record = instance_block("rec", 1, "").replace("mcloud_instance", "mcloud_machine_record");
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &format!("{}\n{record}", instance_block("web", 1, "")),
        ),
    ]);
    let spec = serde_json::json!({
        "cloud": "aliyun", "instance_type": "ecs.c2.medium",
        "image_id": "centos7u2_64_40G_cloudinit_20160728.raw",
        "system_disk_category": "cloud_efficiency", "data_disk_size": 100, "data_disk_num": 1,
        "data_disk_category": "cloud_efficiency",
        "network": {"vpc_id": "", "subnet_id": "", "security_group": "",
                    "internet_charge_type": "PayByBandwidth", "internet_max_bandwidth_out": 5},
        "zone": {"region_name": "cn-beijing", "zone_name": "cn-beijing-c"},
        "running": null
    });
    let mut record_fp = spec.clone();
    for k in ["instance_id", "private_ip", "public_ip"] {
        record_fp[k] = serde_json::json!("");
    }
    let started = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let pending = |fp: &serde_json::Value| {
        serde_json::json!([{"index_key": 0, "status": "pending_create", "attributes": {},
                            "create_fingerprint": fp, "create_started_at": started}])
    };
    let state = serde_json::json!({
        "version": 4, "serial": 1, "lineage": "7f0c7b2e-0000-4000-8000-000000000010",
        "skyform_version": "0.1.0", "outputs": {},
        "resources": [
            {"mode": "managed", "type": "mcloud_instance", "name": "web",
             "provider": "provider[\"mcloud\"]", "instances": pending(&spec)},
            {"mode": "managed", "type": "mcloud_machine_record", "name": "rec",
             "provider": "provider[\"mcloud\"]", "instances": pending(&record_fp)}
        ]
    });
    std::fs::create_dir_all(w.path().join("state")).expect("state dir");
    std::fs::write(w.state_path(), state.to_string()).expect("write state");
    assert_eq!(make_machines(&sim, 1).len(), 1);

    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("1 added"), "one adopted, one created:\n{out}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.state_path()).expect("state"))
            .expect("JSON");
    let mut in_state: Vec<String> = doc["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["instances"].as_array().into_iter().flatten())
        .filter_map(|i| i["attributes"]["id"].as_str().map(str::to_string))
        .collect();
    in_state.sort();
    let mut in_cloud = sim.instance_ids();
    in_cloud.sort();
    assert_eq!(in_state, in_cloud, "two machines, one per address");
    assert_eq!(in_cloud.len(), 2);
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}
