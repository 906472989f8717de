//! End to end: the real binary with the jdcloud example, on the embedded simulator and on
//! `skyform sim -cloud jdcloud` (whose counters show the API calls).

use crate::common::*;
use serde_json::json;

const WINDOWS: &str = "5e2f9c4a-81d7-4b3e-a6c0-2d9f7e1b4a68";

/// The `show -json` values of one resource instance.
fn values_of(w: &Work, address: &str) -> serde_json::Value {
    let out = w.run(&["show", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("show -json");
    v["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == address).cloned())
        .map(|r| r["values"].clone())
        .unwrap_or(serde_json::Value::Null)
}

/// The API calls since the last reset that are not reads.
fn actions(sim: &Sim) -> Vec<String> {
    let calls: Vec<String> = serde_json::from_value(sim.get("/_sim/calls")).expect("calls");
    calls
        .into_iter()
        .filter(|c| !c.starts_with("describe"))
        .collect()
}

#[test]
fn example_cycle_on_the_embedded_simulator() {
    let w = Work::example("jdcloud");
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());

    let plan = w.run(&["plan", "-var", "instance_type=g.n2.large"]).ok();
    assert!(
        plan.contains(r#"~ instance_type                = "g.n2.medium" -> "g.n2.large""#),
        "{plan}"
    );
    assert!(
        plan.contains("jdcloud_instance.web will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    let id = values_of(&w, "jdcloud_instance.web")["id"].clone();
    let out = w
        .run(&["apply", "-auto-approve", "-var", "instance_type=g.n2.large"])
        .ok();
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    let web = values_of(&w, "jdcloud_instance.web");
    assert_eq!(web["instance_type"], "g.n2.large");
    assert_eq!(web["id"], id, "resized in place");

    // A new image: rebuilt in place.
    let vars = [
        "-var",
        "instance_type=g.n2.large",
        "-var",
        &format!("image_id={WINDOWS}"),
    ];
    let mut args = vec!["apply", "-auto-approve"];
    args.extend(vars);
    let out = w.run(&args).ok();
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    let web = values_of(&w, "jdcloud_instance.web");
    assert_eq!(web["image_id"], WINDOWS);
    assert_eq!(web["id"], id, "rebuilt in place");

    let out = w.run(&["destroy", "-auto-approve"]).ok();
    assert!(
        out.contains("Destroy complete! Resources: 6 destroyed."),
        "{out}"
    );
    assert!(state_list(&w).is_empty());
}

/// The example pointed at a `skyform sim -cloud jdcloud` process.
fn example_on(sim: &Sim) -> Work {
    let w = Work::example("jdcloud");
    let main = std::fs::read_to_string(w.path().join("main.sky.hcl")).expect("read");
    let main = main.replace(
        r#"endpoint = "embedded""#,
        &format!(
            "endpoint   = \"{}\"\n  access_key = \"skyform-jdcloud-ak\"\n  secret_key = \"skyform-jdcloud-sk\"",
            sim.endpoint()
        ),
    );
    w.write("main.sky.hcl", &main);
    w
}

#[test]
fn resize_and_rebuild_are_stop_act_start_and_a_failed_start_is_finished_next_time() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = example_on(&sim);
    w.run(&["apply", "-auto-approve"]).ok();

    // Slow transitions: the waits report progress.
    sim.reset_counts();
    sim.set_knobs(json!({"transition_ms": 12000}));
    let out = w
        .run(&["apply", "-auto-approve", "-var", "instance_type=g.n2.large"])
        .ok();
    assert!(
        out.contains("jdcloud_instance.web: Still modifying..."),
        "{out}"
    );
    assert!(out.contains("[10s elapsed]"), "{out}");
    assert_eq!(
        actions(&sim),
        vec!["stopInstance", "resizeInstance", "startInstance"]
    );
    sim.set_knobs(json!({"transition_ms": 0}));

    sim.reset_counts();
    let rebuild = format!("image_id={WINDOWS}");
    w.run(&[
        "apply",
        "-auto-approve",
        "-var",
        "instance_type=g.n2.large",
        "-var",
        &rebuild,
    ])
    .ok();
    assert_eq!(
        actions(&sim),
        vec!["stopInstance", "rebuildInstance", "startInstance"]
    );

    // The start after a resize fails: state says stopped, the error names the step and
    // the API's code, and the next apply finishes the change.
    sim.set_knobs(json!({"fail_operations": ["startInstance"]}));
    let err = w
        .run(&[
            "apply",
            "-auto-approve",
            "-var",
            "instance_type=g.n2.xlarge",
            "-var",
            &rebuild,
        ])
        .fails();
    assert!(err.contains("jdcloud_instance.web"), "{err}");
    assert!(err.contains("startInstance"), "{err}");
    assert!(err.contains("500 INTERNAL"), "{err}");
    assert!(err.contains("Unknown server error"), "{err}");
    assert!(!err.contains("skyform-jdcloud-sk"), "no secret in messages");
    let web = values_of(&w, "jdcloud_instance.web");
    assert_eq!(web["status"], "stopped", "{web}");
    assert_eq!(web["running"], false, "{web}");

    sim.set_knobs(json!({"fail_operations": []}));
    let plan = w
        .run(&[
            "plan",
            "-var",
            "instance_type=g.n2.xlarge",
            "-var",
            &rebuild,
        ])
        .ok();
    assert!(plan.contains("1 to change"), "{plan}");
    sim.reset_counts();
    w.run(&[
        "apply",
        "-auto-approve",
        "-var",
        "instance_type=g.n2.xlarge",
        "-var",
        &rebuild,
    ])
    .ok();
    assert_eq!(actions(&sim), vec!["startInstance"]);
    let web = values_of(&w, "jdcloud_instance.web");
    assert_eq!(web["status"], "running");
    assert_eq!(web["instance_type"], "g.n2.xlarge");
    let again = w.run(&[
        "plan",
        "-detailed-exitcode",
        "-var",
        "instance_type=g.n2.xlarge",
        "-var",
        &rebuild,
    ]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());

    w.run(&["destroy", "-auto-approve"]).ok();
    assert!(state_list(&w).is_empty());
}

#[test]
fn plan_time_rules_are_checked_before_any_call() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = example_on(&sim);
    let main = std::fs::read_to_string(w.path().join("main.sky.hcl")).expect("read");
    w.write(
        "main.sky.hcl",
        &main.replace("disk_size_gb = 40", "disk_size_gb = 45"),
    );
    sim.reset_counts();
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Data disk size 45 GB is not allowed for ssd"),
        "{err}"
    );
    assert!(err.contains("步长为10G"), "{err}");
    // The attribute's own position, not the resource's.
    let line = main
        .lines()
        .position(|l| l.contains("disk_size_gb = 40"))
        .expect("line")
        + 1;
    assert!(err.contains(&format!("main.sky.hcl:{line}:")), "{err}");
    let mutating = actions(&sim);
    assert!(mutating.is_empty(), "{mutating:?}");
}

#[test]
fn a_create_killed_before_its_answer_is_adopted_not_repeated() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            r#"provider "jdcloud" {{
  endpoint   = "{}"
  region     = "cn-north-1"
  access_key = "skyform-jdcloud-ak"
  secret_key = "skyform-jdcloud-sk"
}}

resource "jdcloud_instance" "web" {{
  az            = "cn-north-1a"
  instance_name = "web"
  instance_type = "g.n2.medium"
  image_id      = "bba85cab-dfdc-4359-9218-7a2de429dd80"
  subnet_id     = "subnet-bj0001"
}}
"#,
            sim.endpoint()
        ),
    )]);
    // createInstances is acted on at once and answered late: the run dies in between.
    // (A saved plan: the plan's own reads are not slowed down.)
    w.run(&["plan", "-out", "create.plan"]).ok();
    sim.set_knobs(json!({"answer_delay_ms": 30000}));
    let mut child = std::process::Command::new(bin())
        .args(["-no-color", "apply", "create.plan"])
        .current_dir(w.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start skyform");
    let created = wait_until(std::time::Duration::from_secs(30), || {
        sim.counts()
            .get("createInstances")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
            >= 1
    });
    assert!(created, "createInstances was sent");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("kill");
    let _ = child.wait();
    sim.set_knobs(json!({"answer_delay_ms": 0}));

    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("was created by an interrupted run"),
        "the instance is adopted: {out}"
    );
    let counts = sim.counts();
    assert_eq!(counts.get("createInstances"), Some(&json!(1)), "{counts:?}");
    let instances = sim.get("/_sim/state")["instances"].clone();
    let n = instances
        .as_object()
        .map(|m| m.len())
        .or_else(|| instances.as_array().map(Vec::len))
        .unwrap_or(0);
    assert_eq!(n, 1, "one instance, not two");
    assert_eq!(state_list(&w), vec!["jdcloud_instance.web"]);
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
}

/// A small jdcloud configuration on `sim`: `count` instances of `instance_type` from `image`.
fn instances_on(sim: &Sim, count: usize, instance_type: &str, image: &str) -> Work {
    Work::new(&[(
        "main.sky.hcl",
        &format!(
            r#"
provider "jdcloud" {{
  endpoint   = "{}"
  region     = "cn-north-1"
  access_key = "skyform-jdcloud-ak"
  secret_key = "skyform-jdcloud-sk"
}}

variable "password" {{
  type      = string
  default   = "Initial-pw-1"
  sensitive = true
}}

resource "jdcloud_instance" "app" {{
  count         = {count}
  az            = "cn-north-1a"
  instance_name = "app-${{count.index}}"
  instance_type = "{instance_type}"
  image_id      = "{image}"
  subnet_id     = "subnet-bj0001"
  password      = var.password
}}
"#,
            sim.endpoint()
        ),
    )])
}

#[test]
fn plan_checks_image_constraints_instance_types_and_the_quota_before_any_call() {
    let catalogue = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(catalogue.path(), r#"{"quotas": {"instance": 2}}"#).expect("write");
    let path = catalogue.path().to_string_lossy().to_string();
    let sim = Sim::start(&["-cloud", "jdcloud", "-jdcloud-catalogue", &path]);
    let ubuntu = "bba85cab-dfdc-4359-9218-7a2de429dd80";

    // The Windows image excludes g.n2.medium: refused at the attribute, nothing called.
    let w = instances_on(&sim, 1, "g.n2.medium", WINDOWS);
    sim.reset_counts();
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains(&format!(
            "Image {WINDOWS} does not support instance type \"g.n2.medium\""
        )),
        "{err}"
    );
    assert!(err.contains("选择的镜像必须支持选择的实例规格"), "{err}");
    let line = std::fs::read_to_string(w.path().join("main.sky.hcl"))
        .expect("read")
        .lines()
        .position(|l| l.contains("instance_type ="))
        .expect("line")
        + 1;
    assert!(err.contains(&format!("main.sky.hcl:{line}:")), "{err}");
    assert!(actions(&sim).is_empty());

    // A sold-out type and one not offered at all.
    let err = instances_on(&sim, 1, "m.n2.large", ubuntu)
        .run(&["plan"])
        .fails();
    assert!(
        err.contains("Instance type \"m.n2.large\" is sold out in every zone"),
        "{err}"
    );
    assert!(err.contains("不能使用已下线、或已售馨的规格ID"), "{err}");
    let err = instances_on(&sim, 1, "x.n9.huge", ubuntu)
        .run(&["plan"])
        .fails();
    assert!(
        err.contains("Instance type \"x.n9.huge\" is not offered in this region"),
        "{err}"
    );

    // Three creates against a quota of two: refused as a whole, before any create.
    let w = instances_on(&sim, 3, "g.n2.medium", ubuntu);
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("Instance quota exceeded"), "{err}");
    assert!(
        err.contains("The plan creates 3 instances, but the quota allows 2 (0 of 2 in use)"),
        "{err}"
    );
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(err.contains("Instance quota exceeded"), "{err}");
    assert!(actions(&sim).is_empty(), "{:?}", actions(&sim));
    assert!(state_list(&w).is_empty());

    // Within the quota the plan goes through; the checks cost three reads, not one per
    // instance.
    let w = instances_on(&sim, 2, "g.n2.medium", ubuntu);
    sim.reset_counts();
    w.run(&["plan"]).ok();
    let calls: Vec<String> = serde_json::from_value(sim.get("/_sim/calls")).expect("calls");
    for check in [
        "describeInstanceTypes",
        "describeImageConstraintsBatch",
        "describeQuotas",
    ] {
        assert_eq!(
            calls.iter().filter(|c| *c == check).count(),
            1,
            "{check}: {calls:?}"
        );
    }
}

#[test]
fn a_new_password_on_a_running_instance_plans_with_a_reboot_warning() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = instances_on(
        &sim,
        1,
        "g.n2.medium",
        "bba85cab-dfdc-4359-9218-7a2de429dd80",
    );
    w.run(&["apply", "-auto-approve"]).ok();
    let plan = w.run(&["plan", "-var", "password=Second-pw-2"]);
    assert_eq!(plan.code(), 0, "{}", plan.stderr());
    let warning = plan.stderr();
    assert!(
        warning.contains("Warning: jdcloud_instance.app[0] will be rebooted"),
        "{warning}"
    );
    assert!(
        warning.contains("apply reboots it (rebootInstance)"),
        "{warning}"
    );
    assert!(!warning.contains("Second-pw-2"), "no secret in the warning");
    assert!(plan.stdout().contains("1 to change"), "{}", plan.stdout());

    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-var", "password=Second-pw-2"])
        .ok();
    assert_eq!(
        actions(&sim),
        vec!["modifyInstancePassword", "rebootInstance"]
    );
}

#[test]
fn a_failed_resize_leaves_the_old_type_stopped_and_the_next_apply_finishes_it() {
    let sim = Sim::start(&["-cloud", "jdcloud"]);
    let w = example_on(&sim);
    w.run(&["apply", "-auto-approve"]).ok();
    sim.set_knobs(json!({"fail_operations": ["resizeInstance"]}));
    sim.reset_counts();
    let err = w
        .run(&["apply", "-auto-approve", "-var", "instance_type=g.n2.large"])
        .fails();
    assert!(err.contains("resizeInstance"), "{err}");
    assert!(err.contains("500 INTERNAL"), "{err}");
    assert_eq!(actions(&sim), vec!["stopInstance", "resizeInstance"]);
    let web = values_of(&w, "jdcloud_instance.web");
    assert_eq!(web["status"], "stopped", "{web}");
    assert_eq!(web["instance_type"], "g.n2.medium", "the old type: {web}");

    sim.set_knobs(json!({"fail_operations": []}));
    let plan = w.run(&["plan", "-var", "instance_type=g.n2.large"]).ok();
    assert!(
        plan.contains(r#"~ instance_type                = "g.n2.medium" -> "g.n2.large""#),
        "{plan}"
    );
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-var", "instance_type=g.n2.large"])
        .ok();
    assert_eq!(actions(&sim), vec!["resizeInstance", "startInstance"]);
    let web = values_of(&w, "jdcloud_instance.web");
    assert_eq!(web["status"], "running");
    assert_eq!(web["instance_type"], "g.n2.large");
}
