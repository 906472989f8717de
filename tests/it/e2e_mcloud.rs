//! End to end: the real binary planning and applying mcloud resources against a real
//! simulator (embedded, or `skyform sim` on loopback).

use crate::common::*;
use std::time::Duration;

#[test]
fn quickstart_apply_plan_clean_destroy() {
    let w = Work::example("quickstart");
    let plan = w.run(&["plan"]).ok();
    insta::assert_snapshot!("quickstart_plan", plan);

    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(out.contains("web_ips = ["), "{out}");
    assert!(w.state_path().is_file());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.state_path()).unwrap()).unwrap();
    assert_eq!(state["version"], 4);
    assert_eq!(
        state["resources"].as_array().unwrap().len(),
        3,
        "two managed resources and the data source"
    );

    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
    assert!(again.stdout().contains("No changes."), "{}", again.stdout());

    assert_eq!(
        state_list(&w),
        vec![
            "mcloud_instance.web[0]",
            "mcloud_instance.web[1]",
            "mcloud_instance.web[2]",
            "mcloud_template.web",
            "data.mcloud_zones.beijing",
        ]
    );

    let out = w.run(&["destroy", "-auto-approve"]).ok();
    assert!(
        out.contains("Destroy complete! Resources: 4 destroyed."),
        "{out}"
    );
    assert!(state_list(&w).is_empty());
    let after = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        after.code(),
        2,
        "after destroy everything is to be created again"
    );
}

#[test]
fn force_new_change_replaces_and_removed_block_deletes() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &(instance_block("a", 1, "") + &instance_block("b", 1, "")),
        ),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let before = state_instance_ids(&w);
    assert_eq!(before.len(), 2);

    // data_disk_size is force-new: the API cannot change it in place.
    w.write(
        "main.sky.hcl",
        &(instance_block("a", 1, "")
            .replace("data_disk_size       = 100", "data_disk_size       = 200")
            + &instance_block("b", 1, "")),
    );
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("# mcloud_instance.a[0] must be replaced"),
        "{plan}"
    );
    assert!(
        plan.contains("-/+ resource \"mcloud_instance\" \"a\""),
        "{plan}"
    );
    assert!(
        plan.contains("~ data_disk_size       = 100 -> 200 # forces replacement"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 1 to destroy."),
        "{plan}"
    );
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Resources: 1 added, 0 changed, 1 destroyed."),
        "{out}"
    );
    let after = state_instance_ids(&w);
    assert_eq!(after.len(), 2);
    assert!(
        after.contains(&before[1]) || after.contains(&before[0]),
        "the untouched instance keeps its id"
    );
    assert_eq!(
        sim.instance_ids().len(),
        2,
        "the replaced machine was deleted in the cloud"
    );

    // Removing a block deletes what it managed.
    w.write("main.sky.hcl", &instance_block("b", 1, ""));
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("# mcloud_instance.a[0] will be destroyed"),
        "{plan}"
    );
    assert!(
        plan.contains("because mcloud_instance.a is not in configuration"),
        "{plan}"
    );
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Resources: 0 added, 0 changed, 1 destroyed."),
        "{out}"
    );
    assert_eq!(state_list(&w), vec!["mcloud_instance.b[0]"]);
    assert_eq!(sim.instance_ids().len(), 1);
}

#[test]
fn instance_deleted_outside_is_drift_and_recreated() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 2, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let ids = state_instance_ids(&w);
    assert_eq!(ids.len(), 2);

    // Someone deletes a machine through the API, behind skyform's back.
    let gone = &ids[0];
    let reply = sim.delete(&format!("/v1/instance/{gone}"));
    assert_eq!(reply["code"], 0, "{reply}");

    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("Note: Objects have changed outside of skyform"),
        "{plan}"
    );
    assert!(plan.contains("has been deleted"), "{plan}");
    assert!(plan.contains("will be created"), "{plan}");
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );

    w.run(&["apply", "-auto-approve"]).ok();
    let now = state_instance_ids(&w);
    assert_eq!(now.len(), 2);
    assert!(!now.contains(gone));
    let mut cloud = sim.instance_ids();
    cloud.sort();
    let mut now_sorted = now.clone();
    now_sorted.sort();
    assert_eq!(cloud, now_sorted, "state and cloud agree");
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}

#[test]
fn refresh_of_fifty_instances_costs_list_calls_not_one_per_instance() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("fleet", 50, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(sim.instance_ids().len(), 50);
    sim.reset_counts();
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    let counts = sim.counts();
    let total: u64 = counts.values().filter_map(|v| v.as_u64()).sum();
    let lists = counts
        .get("GET /v1/instance/list")
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
        + counts
            .get("GET /v1/cluster")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
    assert!(lists <= 2, "{counts:?}");
    assert_eq!(total, lists, "refresh made only list calls: {counts:?}");
    assert!(
        counts.get("GET /v1/instance/:instanceId").is_none(),
        "{counts:?}"
    );
}

#[test]
fn api_input_error_shows_code_and_seed_text_and_leaves_state_alone() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &instance_block("web", 1, "").replace("cn-beijing-c", "cn-beijing-z"),
        ),
    ]);
    let r = w.run(&["apply", "-auto-approve"]);
    let err = r.fails();
    assert!(
        err.contains("Error: Failed to create mcloud_instance.web[0]"),
        "{err}"
    );
    assert!(
        err.contains("mcloud: POST /v1/instance: code 12996 \"Input error\""),
        "{err}"
    );
    assert!(
        state_list(&w).is_empty(),
        "nothing was created, nothing recorded"
    );
    assert!(sim.instance_ids().is_empty());
}

#[test]
fn template_data_disk_limit_is_checked_before_any_api_call() {
    let sim = Sim::start(&[]);
    let tpl = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/quickstart/main.sky.hcl"
    ))
    .unwrap();
    let only_template: String = tpl
        .split("resource \"mcloud_instance\"")
        .next()
        .unwrap()
        .to_string();
    let w = Work::new(&[(
        "main.sky.hcl",
        &only_template
            .replace(
                "endpoint = \"embedded\"",
                &format!("endpoint = \"{}\"", sim.endpoint()),
            )
            .replace("data_disk_num        = 1", "data_disk_num        = 5"),
    )]);
    sim.reset_counts();
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("data_disk_num"), "{err}");
    assert!(err.contains("main.sky.hcl"), "{err}");
    let counts = sim.counts();
    assert!(
        counts.get("POST /v1/cluster").is_none(),
        "no create was attempted: {counts:?}"
    );
    assert!(!w.state_path().exists());
}

#[test]
fn killed_apply_leaves_parseable_state_and_next_apply_finishes() {
    // Slow answers so the kill lands while creates are in flight.
    let sim = Sim::start(&["-latency-ms", "60"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 20, "")),
    ]);
    let mut child = std::process::Command::new(bin())
        .args(["-no-color", "apply", "-auto-approve", "-parallelism=10"])
        .current_dir(w.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || sim.instance_ids().len() >= 8),
        "creates started"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The kernel released the killed run's lock: the next command needs no force-unlock.
    w.run(&["plan"]).ok();
    let in_state = state_instance_ids(&w);
    let in_cloud = sim.instance_ids();
    for id in &in_state {
        assert!(
            in_cloud.contains(id),
            "state names {id}, which exists in the cloud"
        );
    }
    // Machines the killed run made but had not recorded as objects yet are open create
    // intents when the cloud had acknowledged them (creates free their slot once
    // acknowledged, so there can be more of them than -parallelism); the next apply adopts
    // them instead of creating more. Only the POSTs still in flight at the kill (at most
    // -parallelism) can be left over.
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    let done = state_instance_ids(&w);
    assert_eq!(done.len(), 20);
    let cloud = sim.instance_ids();
    for id in &done {
        assert!(cloud.contains(id));
    }
    let orphans = cloud.iter().filter(|id| !done.contains(id)).count();
    assert!(
        orphans <= 10,
        "at most -parallelism POSTs were unanswered at the kill: {orphans}"
    );
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}

#[test]
fn concurrent_apply_is_refused_while_the_first_holds_the_lock() {
    let sim = Sim::start(&["-latency-ms", "150"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 4, "")),
    ]);
    let first = std::process::Command::new(bin())
        .args(["-no-color", "apply", "-auto-approve"])
        .current_dir(w.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lock = w.path().join("state/default.json.lock");
    // The holder writes its details into the lock file once it holds the lock.
    assert!(
        wait_until(Duration::from_secs(20), || std::fs::read(&lock)
            .is_ok_and(|b| !b.is_empty())),
        "the first apply took the lock"
    );
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(
        err.contains("Error: Error acquiring the state lock"),
        "{err}"
    );
    assert!(err.contains("OperationTypeApply"), "{err}");
    assert!(err.contains("force-unlock"), "{err}");
    let out = first.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&lock).unwrap(),
        b"",
        "the lock is released (its file names nobody) when the first apply ends"
    );
    assert_eq!(state_instance_ids(&w).len(), 4);
}

#[test]
fn import_adopts_an_existing_machine() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 1, "")),
    ]);
    // A machine created outside skyform, through the API.
    let body = serde_json::json!({
        "Provider": "aliyun", "InstanceType": "ecs.c2.medium",
        "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
        "Network": {"Id": 0, "VpcId": "", "SubnetId": "", "SecurityGroup": "", "InternetChargeType": "PayByBandwidth", "InternetMaxBandwidthOut": 5},
        "Zone": {"Id": 0, "RegionName": "cn-beijing", "ZoneName": "cn-beijing-c"},
        "SystemDiskCategory": "cloud_efficiency", "DataDiskSize": 100, "DataDiskNum": 1, "DataDiskCategory": "cloud_efficiency"
    });
    let reply: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/instance", sim.endpoint()))
        .json(&body)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
    let id = sim.instance_ids().pop().unwrap();

    let err = w.run(&["import", "mcloud_instance.nope[0]", &id]).fails();
    assert!(
        err.contains("Error: Configuration for import target does not exist"),
        "{err}"
    );

    let out = w.run(&["import", "mcloud_instance.web[0]", &id]).ok();
    assert!(out.contains("Import successful!"), "{out}");
    assert_eq!(state_instance_ids(&w), vec![id.clone()]);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code(),
        0,
        "the imported machine matches its configuration: {}",
        plan.stdout()
    );

    let err = w.run(&["import", "mcloud_instance.web[0]", &id]).fails();
    assert!(
        err.contains("Error: Resource already managed by skyform"),
        "{err}"
    );
    assert_eq!(sim.instance_ids(), vec![id]);
}

#[test]
fn interrupted_creates_are_adopted_not_duplicated() {
    // Machines take 3 s to boot, so the kill lands after the cloud acknowledged every create
    // (and skyform recorded the intent) but before any create finished.
    let sim = Sim::start(&["-transition-ms", "3000"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 5, "")),
    ]);
    let mut child = std::process::Command::new(bin())
        .args(["-no-color", "apply", "-auto-approve"])
        .current_dir(w.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(20), || sim.instance_ids().len() == 5),
        "all five creates acknowledged"
    );
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    // The kernel released the killed run's lock: nothing to force-unlock.
    assert!(
        state_list(&w).is_empty(),
        "nothing finished before the kill"
    );

    let plan = w.run(&["plan"]).ok();
    assert!(plan.contains("# mcloud_instance.web[0] was created by an interrupted run: found it, adopting it into state"), "{plan}");
    assert!(
        !plan.contains("will be created"),
        "nothing is created twice: {plan}"
    );
    w.run(&["apply", "-auto-approve"]).ok();
    let mut in_state = state_instance_ids(&w);
    let mut in_cloud = sim.instance_ids();
    in_state.sort();
    in_cloud.sort();
    assert_eq!(in_state.len(), 5);
    assert_eq!(in_state, in_cloud, "no orphan, no duplicate");
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}

#[test]
fn concurrent_creates_share_list_calls() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 40, "")),
    ]);
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-parallelism=10"]).ok();
    let counts = sim.counts();
    let get = |k: &str| counts.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    assert_eq!(get("POST /v1/instance"), 40);
    // The API finds a new machine only by listing them all; creates share those lists.
    assert!(get("GET /v1/instance/list") < 40, "{counts:?}");
    // Machines that are listed as running need no status polling or re-read.
    assert_eq!(get("GET /v1/status/:instanceId"), 0, "{counts:?}");
    assert_eq!(get("GET /v1/instance/:instanceId"), 0, "{counts:?}");
    assert_eq!(state_instance_ids(&w).len(), 40);

    // Deleting independent instances shares DELETE calls (the API takes several ids).
    sim.reset_counts();
    w.run(&["destroy", "-auto-approve", "-parallelism=10"]).ok();
    let counts = sim.counts();
    let deletes = counts
        .get("DELETE /v1/instance/:instanceIds")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    assert!(deletes < 40, "{counts:?}");
    assert!(sim.instance_ids().is_empty());
}

#[test]
fn an_ssh_key_given_in_configuration_is_uploaded_as_is() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 1, "")),
        (
            "key.sky.hcl",
            "resource \"mcloud_ssh_key\" \"web\" {\n  instance_id = mcloud_instance.web[0].id\n  key         = \"-----BEGIN MY KEY-----\\nabc\\n-----END MY KEY-----\\n\"\n}\n",
        ),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let ip = sim.get("/v1/instance/list")["content"][0]["PrivateIpAddress"]
        .as_str()
        .expect("ip")
        .to_string();
    let key = reqwest::blocking::get(format!("{}/v1/instance/sshkey/{ip}", sim.endpoint()))
        .expect("download")
        .text()
        .expect("text");
    assert_eq!(key, "-----BEGIN MY KEY-----\nabc\n-----END MY KEY-----\n");
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}
