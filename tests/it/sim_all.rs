//! `skyform sim -cloud all`: the four simulators in one process, each on its own port and
//! announced on its own line, each keeping its own state; the real binary applies against
//! three of them at once and the fourth answers as jdcloud.

use crate::common::*;
use serde_json::Value;
use skyform::sim::twocloud::Inventory;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `skyform sim -cloud all` process, killed on drop.
struct AllSims {
    child: Child,
    /// `(cloud, address)` in the order announced.
    addrs: Vec<(String, String)>,
}

impl AllSims {
    fn start(state_dir: &std::path::Path, extra: &[&str]) -> AllSims {
        let mut child = Command::new(bin())
            .args([
                "sim",
                "-cloud",
                "all",
                "-listen",
                "127.0.0.1:0",
                "-state-dir",
            ])
            .arg(state_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start skyform sim -cloud all");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut addrs = Vec::new();
        for _ in 0..4 {
            let mut line = String::new();
            out.read_line(&mut line).expect("read a listening line");
            let (cloud, addr) = line
                .trim()
                .split_once(" listening on ")
                .unwrap_or_else(|| panic!("not `CLOUD listening on ADDR`: {line:?}"));
            addrs.push((cloud.to_string(), addr.to_string()));
        }
        AllSims { child, addrs }
    }

    fn endpoint(&self, cloud: &str) -> String {
        let (_, addr) = self
            .addrs
            .iter()
            .find(|(c, _)| c == cloud)
            .unwrap_or_else(|| panic!("{cloud} not announced: {:?}", self.addrs));
        format!("http://{addr}")
    }
}

impl Drop for AllSims {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn all_four_clouds_in_one_process_each_on_its_own_port() {
    let state_dir = tempfile::tempdir().expect("tempdir");
    let args = ["-twocloud-machines", "40", "-roma-instances", "13"];
    let sims = AllSims::start(state_dir.path(), &args);
    let clouds: Vec<&str> = sims.addrs.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(clouds, ["mcloud", "jdcloud", "twocloud", "roma"]);
    let mut ports: Vec<&str> = sims.addrs.iter().map(|(_, a)| a.as_str()).collect();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 4, "one port each: {:?}", sims.addrs);

    let config = format!(
        r#"{mcloud}
{instances}
provider "twocloud" {{
  endpoint  = "{twocloud}"
  token     = "skyform-twocloud-token"
  tenant_id = "123"
  region    = "gz"
  party     = "qcloud"
}}

provider "roma" {{
  endpoint     = "{roma}"
  iam_endpoint = "{roma}"
  user_name    = "skyform"
  password     = "skyform-roma-password"
  domain_name  = "skyform"
  project_id   = "106506b9a92342df9a5025fc12351cfc"
}}

data "twocloud_servers" "gz" {{}}

data "roma_instances" "all" {{}}

output "twocloud" {{
  value = data.twocloud_servers.gz.count
}}

output "roma" {{
  value = length(data.roma_instances.all.instances)
}}
"#,
        mcloud = provider_block(&sims.endpoint("mcloud")),
        instances = instance_block("web", 2, ""),
        twocloud = sims.endpoint("twocloud"),
        roma = sims.endpoint("roma"),
    );
    let w = Work::new(&[("main.sky.hcl", &config)]);
    w.run(&["apply", "-auto-approve"]).ok();
    let outputs: Value =
        serde_json::from_str(&w.run(&["output", "-json"]).ok()).expect("output -json");
    let in_scope = Inventory::generate(40).scope("123", "gz", "qcloud").len();
    assert!(in_scope > 0);
    assert_eq!(outputs["twocloud"]["value"], in_scope, "{outputs:#}");
    assert_eq!(outputs["roma"]["value"], 13, "{outputs:#}");

    // The second port is jdcloud: an unsigned call is refused in jdcloud's envelope.
    let jd = reqwest::blocking::get(format!(
        "{}/v1/regions/cn-north-1/instanceTypes",
        sims.endpoint("jdcloud")
    ))
    .expect("GET jdcloud");
    assert_eq!(jd.status().as_u16(), 401);
    let body: Value = jd.json().expect("jdcloud answers JSON");
    assert!(body["requestId"].is_string(), "{body}");
    assert!(body["error"]["status"].is_string(), "{body}");

    // mcloud keeps its state under -state-dir: a new `sim -cloud all` on the same directory
    // holds the two instances the apply made.
    let mut ids = state_instance_ids(&w);
    ids.sort();
    assert_eq!(ids.len(), 2);
    drop(sims);
    assert!(state_dir.path().join("mcloud.json").exists());
    let again = AllSims::start(state_dir.path(), &args);
    let listed: Value =
        reqwest::blocking::get(format!("{}/v1/instance/list", again.endpoint("mcloud")))
            .expect("GET mcloud list")
            .json()
            .expect("JSON");
    let mut held: Vec<String> = listed["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["InstanceId"].as_str().map(str::to_string))
        .collect();
    held.sort();
    assert_eq!(held, ids, "{listed:#}");
}

#[test]
fn all_with_a_port_too_high_for_four_is_refused_before_binding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(bin())
        .args([
            "sim",
            "-cloud",
            "all",
            "-listen",
            "127.0.0.1:65534",
            "-state-dir",
        ])
        .arg(dir.path())
        .output()
        .expect("run sim");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-cloud all needs 4 consecutive ports from 65534"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing announced");
}
