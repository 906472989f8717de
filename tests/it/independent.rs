//! The real binary against servers written independently from the seeds
//! (`tests/independent/*.py`, Python standard library only): a second reading of each seed,
//! with its own ids, list order, status codes and misbehaviour (late, lost and throttled
//! answers). A client that works only because our own simulator is kind, or shares its
//! tables, fails here. See docs/simulators.md, "Independent servers".

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// One independent server (`python3 tests/independent/SCRIPT`) on a free loopback port,
/// killed on drop.
struct Indep {
    child: Child,
    addr: String,
}

impl Indep {
    fn start(script: &str, args: &[&str]) -> Indep {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/independent");
        // A fixed seed makes ids and lost answers repeatable; SKYFORM_INDEP_SEED explores others.
        let seed = std::env::var("SKYFORM_INDEP_SEED").unwrap_or_else(|_| "7".to_string());
        let mut child = Command::new("python3")
            .arg(dir.join(script))
            .args(["--listen", "127.0.0.1:0", "--seed", &seed])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3 (the independent servers need Python 3.11)");
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{script} printed {line:?} instead of `listening on ...`"))
            .to_string();
        Indep { child, addr }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn get(&self, path: &str) -> Value {
        reqwest::blocking::get(format!("{}{path}", self.endpoint()))
            .expect("GET")
            .json()
            .expect("JSON")
    }

    fn objects(&self) -> Value {
        self.get("/_indep/objects")
    }

    /// Calls per route since the last reset.
    fn counts(&self) -> serde_json::Map<String, Value> {
        match &self.get("/_indep/calls")["counts"] {
            Value::Object(m) => m.clone(),
            other => panic!("unexpected counts {other}"),
        }
    }

    /// Routes of the calls since the last reset, in arrival order.
    fn sequence(&self) -> Vec<String> {
        serde_json::from_value(self.get("/_indep/calls")["sequence"].clone()).expect("sequence")
    }

    fn reset_calls(&self) {
        reqwest::blocking::Client::new()
            .delete(format!("{}/_indep/calls", self.endpoint()))
            .send()
            .expect("reset calls");
    }
}

impl Drop for Indep {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `show -json`'s resources of one type: address → values.
fn state_values(w: &Work, ty: &str) -> Vec<(String, Value)> {
    let out = w.run(&["show", "-json"]).ok();
    let v: Value = serde_json::from_str(&out).expect("show -json");
    v["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["type"] == ty)
                .map(|r| {
                    (
                        r["address"].as_str().unwrap_or_default().to_string(),
                        r["values"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ids_in_state(w: &Work, ty: &str) -> BTreeSet<String> {
    state_values(w, ty)
        .into_iter()
        .filter_map(|(_, v)| v["id"].as_str().map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------------------------------
// mcloud (seed 003)

/// The independent server's status integers (its own reading: the seed never names them).
const MCLOUD_STATUS: &str = "{ running = [1, 3], starting = [2], stopped = [7] }";

fn mcloud_config(endpoint: &str, instances: usize, stopped_index: Option<usize>) -> String {
    let running = match stopped_index {
        Some(i) => format!("  running = count.index != {i}\n"),
        None => String::new(),
    };
    format!(
        r#"provider "mcloud" {{
  endpoint     = "{endpoint}"
  max_retries  = 8
  status_codes = {MCLOUD_STATUS}
}}

data "mcloud_zones" "bj" {{
  cloud  = "aliyun"
  region = "cn-beijing"
}}

resource "mcloud_template" "web" {{
  name                 = "web"
  cloud                = "aliyun"
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 2
  data_disk_category   = "cloud_efficiency"
  network {{
    vpc_id                     = "vpc-2ze0sufdt8yiguyg8u2lp"
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}
  zone {{
    region_name = "cn-beijing"
    zone_name   = data.mcloud_zones.bj.names[2]
  }}
}}

resource "mcloud_instance" "web" {{
  count                = {instances}
  cloud                = mcloud_template.web.cloud
  instance_type        = mcloud_template.web.instance_type
  image_id             = mcloud_template.web.image_id
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"
{running}  network {{
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}
  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}

resource "mcloud_ssh_key" "web" {{
  instance_id = mcloud_instance.web[0].id
}}
"#
    )
}

/// The server holds exactly what the configuration declares, and the state names exactly
/// the server's objects.
fn assert_mcloud_matches(server: &Indep, w: &Work, instances: usize, stopped: Option<usize>) {
    let objects = server.objects();
    let templates = objects["templates"].as_array().expect("templates");
    assert_eq!(templates.len(), 1, "one template: {objects:#}");
    let t = &templates[0];
    assert_eq!(t["Name"], "web");
    assert_eq!(t["InstanceType"], "ecs.c2.medium");
    assert_eq!(t["DataDiskNum"], 2);
    assert_eq!(
        t["Zone"]["ZoneName"], "cn-beijing-c",
        "zone from the data source"
    );
    assert_eq!(t["Network"]["VpcId"], "vpc-2ze0sufdt8yiguyg8u2lp");
    assert_eq!(
        ids_in_state(w, "mcloud_template"),
        BTreeSet::from([t["Id"].to_string()])
    );

    let machines = objects["instances"].as_array().expect("instances");
    assert_eq!(
        machines.len(),
        instances,
        "exactly the declared machines, no duplicates: {objects:#}"
    );
    for m in machines {
        assert_eq!(m["Provider"], "aliyun");
        assert_eq!(m["InstanceType"], "ecs.c2.medium");
        assert_eq!(m["DataDiskSize"], 100);
        assert_eq!(m["ZoneId"], "cn-beijing-c");
    }
    let server_ids: BTreeSet<String> = machines
        .iter()
        .filter_map(|m| m["InstanceId"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids_in_state(w, "mcloud_instance"), server_ids);

    // Every machine runs except the one declared stopped, and state agrees.
    for (address, v) in state_values(w, "mcloud_instance") {
        let want_stopped = stopped.is_some_and(|i| address.ends_with(&format!("[{i}]")));
        let m = machines
            .iter()
            .find(|m| m["InstanceId"] == v["id"])
            .expect("in the server");
        let status = if want_stopped { 7 } else { 1 };
        assert_eq!(m["Status"], status, "{address}: {m:#}");
        assert_eq!(
            v["status"],
            if want_stopped { "stopped" } else { "running" }
        );
        assert_eq!(v["private_ip"], m["PrivateIpAddress"], "{address}");
    }

    let keys: Vec<String> =
        serde_json::from_value(objects["ssh_keys"].clone()).expect("ssh key ids");
    let first = state_values(w, "mcloud_instance")
        .into_iter()
        .find(|(a, _)| a == "mcloud_instance.web[0]")
        .map(|(_, v)| v["id"].as_str().unwrap_or_default().to_string())
        .expect("web[0]");
    assert_eq!(keys, vec![first], "the key is on web[0]");
}

fn assert_mcloud_empty(server: &Indep) {
    let objects = server.objects();
    assert_eq!(objects["templates"], serde_json::json!([]), "{objects:#}");
    assert_eq!(objects["instances"], serde_json::json!([]), "{objects:#}");
}

#[test]
fn mcloud_lifecycle_against_the_independent_server() {
    let server = Indep::start("mcloud_server.py", &["--transition-ms", "150"]);
    let w = Work::new(&[("main.sky.hcl", &mcloud_config(&server.endpoint(), 10, None))]);
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert_mcloud_matches(&server, &w, 10, None);

    // Refresh is batched: a list per resource block (the ten machines, the key), never one
    // read per machine.
    server.reset_calls();
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
    let counts = server.counts();
    let lists = counts
        .get("GET /v1/instance/list")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    assert!((1..=2).contains(&lists), "{counts:?}");
    assert_eq!(counts.get("GET /v1/cluster"), Some(&Value::from(1)));
    assert!(
        !counts.contains_key("GET /v1/instance/:instanceId"),
        "{counts:?}"
    );

    // A change: three machines fewer (one multi-id delete or three deletes), one stopped.
    w.write(
        "main.sky.hcl",
        &mcloud_config(&server.endpoint(), 7, Some(1)),
    );
    server.reset_calls();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Resources: 0 added, 1 changed, 3 destroyed."),
        "{out}"
    );
    assert_mcloud_matches(&server, &w, 7, Some(1));
    assert_eq!(
        server.counts().get("POST /v1/status"),
        Some(&Value::from(1)),
        "one stop"
    );
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());

    let out = w.run(&["destroy", "-auto-approve"]).ok();
    assert!(
        out.contains("Destroy complete! Resources: 9 destroyed."),
        "{out}"
    );
    assert_mcloud_empty(&server);
    assert!(state_list(&w).is_empty());
}

/// Regression: every create answer lost. The server made each machine and template, but the
/// client never heard their ids; it must find them (`providers/mcloud/lost_create.rs`) rather
/// than leave orphans that the next run duplicates.
#[test]
fn mcloud_creates_whose_answers_are_all_lost_make_no_orphans() {
    let server = Indep::start(
        "mcloud_server.py",
        &[
            "--lose-answers",
            "1",
            "--lose-only",
            "POST /v1/instance",
            "--lose-only",
            "POST /v1/cluster",
        ],
    );
    let w = Work::new(&[("main.sky.hcl", &mcloud_config(&server.endpoint(), 10, None))]);
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    let calls = server.get("/_indep/calls");
    assert_eq!(
        calls["lost"], 11,
        "every create's answer was lost: {calls:#}"
    );
    assert_eq!(
        calls["counts"]["POST /v1/instance"], 10,
        "no create sent twice: {calls:#}"
    );
    assert_mcloud_matches(&server, &w, 10, None);
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
}

/// Runs `args` until it succeeds, at most `tries` times; the outputs of the failures.
fn until_ok(w: &Work, args: &[&str], tries: usize) -> Vec<String> {
    let mut failures = Vec::new();
    for _ in 0..tries {
        let r = w.run(args);
        if r.code() == 0 {
            return failures;
        }
        failures.push(format!("{}{}", r.stdout(), r.stderr()));
    }
    panic!(
        "`skyform {}` did not succeed in {tries} runs:\n{}",
        args.join(" "),
        failures.join("\n----\n")
    );
}

#[test]
fn mcloud_converges_when_answers_are_late_lost_and_throttled() {
    let server = Indep::start(
        "mcloud_server.py",
        &[
            "--answer-delay-ms",
            "20",
            "--lose-answers",
            "0.2",
            "--throttle-rps",
            "50",
            "--transition-ms",
            "100",
        ],
    );
    let w = Work::new(&[("main.sky.hcl", &mcloud_config(&server.endpoint(), 10, None))]);
    let failed_applies = until_ok(&w, &["apply", "-auto-approve"], 4);
    // A clean plan proves convergence: nothing left to do, nothing orphaned.
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    assert_mcloud_matches(&server, &w, 10, None);

    let failed_destroys = until_ok(&w, &["destroy", "-auto-approve"], 4);
    assert_mcloud_empty(&server);
    assert!(state_list(&w).is_empty());

    // The misbehaviour really happened (else this test would prove nothing).
    let calls = server.get("/_indep/calls");
    assert!(calls["lost"].as_u64().unwrap_or(0) > 0, "{calls:#}");
    assert!(calls["throttled"].as_u64().unwrap_or(0) > 0, "{calls:#}");
    eprintln!(
        "lost {} answers ({}), throttled {}, failed applies {}, failed destroys {}",
        calls["lost"],
        calls["lost_requests"],
        calls["throttled"],
        failed_applies.len(),
        failed_destroys.len()
    );
}

// ---------------------------------------------------------------------------------------
// jdcloud (seed 004, reference Part 1)

const JD_IMAGE: &str = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";

fn jdcloud_config(endpoint: &str) -> String {
    format!(
        r#"provider "jdcloud" {{
  region      = "cn-north-1"
  endpoint    = "{endpoint}"
  access_key  = "indep-ak"
  secret_key  = "indep-sk"
  max_retries = 5
}}

variable "instance_type" {{
  type    = string
  default = "g.n2.large"
}}

variable "instance_name" {{
  type    = string
  default = "web"
}}

resource "jdcloud_instance" "web" {{
  az            = "cn-north-1a"
  instance_name = var.instance_name
  description   = "checked against an independent server"
  instance_type = var.instance_type
  image_id      = "{JD_IMAGE}"
  subnet_id     = "subnet-k7q2m9x4ab"

  data_disk {{
    disk_type    = "ssd"
    disk_size_gb = 40
  }}
}}
"#
    )
}

/// The server's one instance.
fn jd_instance(server: &Indep) -> Value {
    let objects = server.objects();
    let all = objects["instances"].as_array().expect("instances");
    assert_eq!(all.len(), 1, "exactly one instance: {objects:#}");
    all[0].clone()
}

#[test]
fn jdcloud_lifecycle_with_a_resize_in_place() {
    let server = Indep::start("jdcloud_server.py", &["--transition-ms", "300"]);
    let w = Work::new(&[("main.sky.hcl", &jdcloud_config(&server.endpoint()))]);

    // The plan checks read the catalog: a sold-out type is refused before anything is made.
    let refused = w.run(&["plan", "-var", "instance_type=c.n1.large"]).fails();
    assert!(refused.contains("c.n1.large"), "{refused}");
    assert_eq!(server.objects()["instances"], serde_json::json!([]));

    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("1 added, 0 changed, 0 destroyed"), "{out}");
    let made = jd_instance(&server);
    assert_eq!(made["status"], "running");
    assert_eq!(made["instanceType"], "g.n2.large");
    assert_eq!(made["instanceName"], "web");
    assert_eq!(made["imageId"], JD_IMAGE);
    assert_eq!(made["dataDisks"][0]["cloudDisk"]["diskSizeGB"], 40);
    let id = made["instanceId"].as_str().expect("id").to_string();
    assert_eq!(
        ids_in_state(&w, "jdcloud_instance"),
        BTreeSet::from([id.clone()])
    );
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());

    // A new type and name: resized and renamed in place.
    server.reset_calls();
    let vars = [
        "-var",
        "instance_type=g.n2.xlarge",
        "-var",
        "instance_name=web-2",
    ];
    let mut args = vec!["apply", "-auto-approve"];
    args.extend(vars);
    let out = w.run(&args).ok();
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    let actions: Vec<String> = server
        .sequence()
        .into_iter()
        .filter(|c| !c.starts_with("describe"))
        .collect();
    let lifecycle: Vec<&str> = actions
        .iter()
        .map(String::as_str)
        .filter(|c| *c != "modifyInstanceAttribute")
        .collect();
    assert_eq!(
        lifecycle,
        vec!["stopInstance", "resizeInstance", "startInstance"],
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|c| *c == "modifyInstanceAttribute")
            .count(),
        1,
        "{actions:?}"
    );
    let resized = jd_instance(&server);
    assert_eq!(resized["instanceId"], id.as_str(), "the same instance");
    assert_eq!(resized["instanceType"], "g.n2.xlarge");
    assert_eq!(resized["instanceName"], "web-2");
    assert_eq!(resized["status"], "running");
    let mut plan_args = vec!["plan", "-detailed-exitcode"];
    plan_args.extend(vars);
    let again = w.run(&plan_args);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());

    let mut destroy = vec!["destroy", "-auto-approve"];
    destroy.extend(vars);
    let out = w.run(&destroy).ok();
    assert!(
        out.contains("Destroy complete! Resources: 1 destroyed."),
        "{out}"
    );
    assert_eq!(server.objects()["instances"], serde_json::json!([]));
    assert!(state_list(&w).is_empty());
}

#[test]
fn jdcloud_converges_when_answers_are_late_lost_and_throttled() {
    let server = Indep::start(
        "jdcloud_server.py",
        &[
            "--answer-delay-ms",
            "20",
            "--lose-answers",
            "0.2",
            "--throttle-rps",
            "50",
            "--transition-ms",
            "100",
        ],
    );
    let w = Work::new(&[("main.sky.hcl", &jdcloud_config(&server.endpoint()))]);
    until_ok(&w, &["apply", "-auto-approve"], 4);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    let made = jd_instance(&server);
    assert_eq!(made["status"], "running");
    assert_eq!(
        ids_in_state(&w, "jdcloud_instance"),
        BTreeSet::from([made["instanceId"].as_str().unwrap_or_default().to_string()])
    );

    let resize = [
        "apply",
        "-auto-approve",
        "-var",
        "instance_type=g.n2.xlarge",
    ];
    until_ok(&w, &resize, 4);
    let resized = jd_instance(&server);
    assert_eq!(
        resized["instanceId"], made["instanceId"],
        "resized in place"
    );
    assert_eq!(resized["instanceType"], "g.n2.xlarge");
    assert_eq!(resized["status"], "running");

    until_ok(
        &w,
        &[
            "destroy",
            "-auto-approve",
            "-var",
            "instance_type=g.n2.xlarge",
        ],
        4,
    );
    assert_eq!(server.objects()["instances"], serde_json::json!([]));
    let calls = server.get("/_indep/calls");
    assert!(calls["lost"].as_u64().unwrap_or(0) > 0, "{calls:#}");
}

// ---------------------------------------------------------------------------------------
// Shared by the list-only clouds: counting machines per status.

/// `status → count` over a list of JSON objects, as the server holds them.
fn count_by_status(items: &[Value]) -> serde_json::Map<String, Value> {
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for item in items {
        let status = item["status"].as_str().expect("status").to_string();
        *counts.entry(status).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect()
}

/// The HCL output `by_status` counting `LIST`'s entries per status, plus `total`.
fn status_outputs(list: &str) -> String {
    format!(
        r#"locals {{ statuses = [for m in {list} : m.status] }}

output "by_status" {{
  value = {{ for s in distinct(local.statuses) : s => length([for x in local.statuses : x if x == s]) }}
}}

output "machines" {{
  value = length({list})
}}
"#
    )
}

fn outputs_of(w: &Work) -> Value {
    serde_json::from_str(&w.run(&["output", "-json"]).ok()).expect("output -json")
}

// ---------------------------------------------------------------------------------------
// twocloud (seed 001)

fn twocloud_config(endpoint: &str, token: &str, password: &str) -> String {
    format!(
        r#"provider "twocloud" {{
  endpoint       = "{endpoint}"
  token          = "{token}"
  password       = "{password}"
  tenant_id      = "123"
  region         = "gz"
  party          = "qcloud"
  page_size      = 10
  parallel_pages = 3
}}

data "twocloud_servers" "all" {{}}

{}"#,
        status_outputs("data.twocloud_servers.all.servers")
    )
}

/// 47 servers in windows of 10: windows 1..5 hold them (the fifth is short), and with 3
/// windows in flight the client reads 2 more past the end, each window once (7 calls).
#[test]
fn twocloud_servers_counted_per_status_over_several_windows() {
    let server = Indep::start(
        "twocloud_server.py",
        &["--token", "tok-1", "--servers", "47"],
    );
    let w = Work::new(&[(
        "main.sky.hcl",
        &twocloud_config(&server.endpoint(), "tok-1", "any string"),
    )]);
    // One plan reads the data source once (apply reads it again, at plan and at apply).
    server.reset_calls();
    w.run(&["plan"]).ok();
    let counts = server.counts();
    assert_eq!(
        counts.get("GET /twocloud/servers"),
        Some(&Value::from(7)),
        "5 windows up to the short one, 2 read ahead: {counts:?}"
    );
    assert_eq!(counts.len(), 1, "nothing but the list: {counts:?}");
    w.run(&["apply", "-auto-approve"]).ok();

    let objects = server.objects();
    let held = objects["servers"].as_array().expect("servers");
    assert_eq!(held.len(), 47);
    let outputs = outputs_of(&w);
    assert_eq!(outputs["machines"]["value"], 47, "{outputs:#}");
    assert_eq!(
        outputs["by_status"]["value"],
        Value::Object(count_by_status(held)),
        "{outputs:#}"
    );
}

#[test]
fn twocloud_wrong_token_is_a_clear_error_without_the_secret() {
    let server = Indep::start(
        "twocloud_server.py",
        &["--token", "tok-right", "--servers", "5"],
    );
    let w = Work::new(&[(
        "main.sky.hcl",
        &twocloud_config(&server.endpoint(), "tok-WRONG-s3cr3t", "pw-s3cr3t"),
    )]);
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("invalid token"), "the server's msg: {err}");
    assert!(err.contains("twocloud"), "{err}");
    assert!(!err.contains("s3cr3t"), "a secret leaked: {err}");
    assert!(!w.state_path().exists() || outputs_of(&w)["machines"].is_null());
}

// ---------------------------------------------------------------------------------------
// roma (seed 002 + reference Part 2)

fn roma_config(endpoint: &str, password: &str) -> String {
    format!(
        r#"provider "roma" {{
  endpoint     = "{endpoint}"
  iam_endpoint = "{endpoint}"
  project_id   = "106506b9a92342df9a5025fc12351cfc"
  user_name    = "indep-user"
  password     = "{password}"
  domain_name  = "indep-domain"
}}

data "roma_instances" "all" {{
  limit = 10
}}

{}"#,
        status_outputs("data.roma_instances.all.instances")
    )
}

/// 47 instances with `limit = 10`: the first page gives `total`, the other 4 follow, each
/// once, all with one token.
#[test]
fn roma_instances_counted_per_status_over_several_pages_with_one_token() {
    let server = Indep::start("roma_server.py", &["--instances", "47"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &roma_config(&server.endpoint(), "indep-password"),
    )]);
    // One plan reads the data source once (apply reads it again, at plan and at apply).
    server.reset_calls();
    w.run(&["plan"]).ok();
    let counts = server.counts();
    assert_eq!(
        counts.get("POST /v3/auth/tokens"),
        Some(&Value::from(1)),
        "{counts:?}"
    );
    assert_eq!(
        counts.get("GET /v2/:project_id/instances"),
        Some(&Value::from(5)),
        "{counts:?}"
    );
    assert_eq!(counts.len(), 2, "nothing else: {counts:?}");
    assert_eq!(
        server.sequence().first().map(String::as_str),
        Some("POST /v3/auth/tokens"),
        "the token comes first"
    );

    w.run(&["apply", "-auto-approve"]).ok();
    let objects = server.objects();
    let held = objects["instances"].as_array().expect("instances");
    assert_eq!(held.len(), 47);
    let outputs = outputs_of(&w);
    assert_eq!(outputs["machines"]["value"], 47, "{outputs:#}");
    assert_eq!(
        outputs["by_status"]["value"],
        Value::Object(count_by_status(held)),
        "{outputs:#}"
    );
}

#[test]
fn roma_wrong_password_is_a_clear_error_without_the_secret() {
    let server = Indep::start("roma_server.py", &["--instances", "3"]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &roma_config(&server.endpoint(), "pw-s3cr3t"),
    )]);
    server.reset_calls();
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(err.contains("401"), "{err}");
    assert!(
        err.contains("The username or password is wrong"),
        "the IAM message: {err}"
    );
    assert!(!err.contains("s3cr3t"), "a secret leaked: {err}");
    let counts = server.counts();
    assert_eq!(
        counts.get("GET /v2/:project_id/instances"),
        None,
        "no list without a token: {counts:?}"
    );
}
