//! Policy tools read skyform's JSON plan as they read Terraform's: checkov (with a custom
//! policy on an `mcloud_instance` attribute) and terraform-compliance (a feature file).
//!
//! The tools are Python programs that `.ci/run` installs from PyPI (pinned). They are found
//! on PATH; when one is missing the test fails and says how to install it: a policy gate
//! that silently checks nothing is exactly the bug these tests guard against.

use crate::common::*;
use std::path::PathBuf;
use std::process::Command;

/// Pinned in `.ci/run`.
const INSTALL: &str = "python3 -m pip install checkov==3.3.30 terraform-compliance==1.16.0 (what .ci/run does), then put its bin directory on PATH";

fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not on PATH; install it with: {INSTALL}"))
}

/// Two instances, one on the disk category the policy requires and one not.
const CONFIG: &str = r#"
provider "mcloud" {
  endpoint = "embedded"
}

resource "mcloud_instance" "fast" {
  cloud                = "aliyun"
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_ssd"

  network {
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }

  zone {
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }
}

resource "mcloud_instance" "slow" {
  cloud                = "aliyun"
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
"#;

const POLICY: &str = r#"metadata:
  id: "CKV2_SKY_1"
  name: "mcloud instances keep data on SSD"
  category: "GENERAL_SECURITY"
definition:
  cond_type: "attribute"
  resource_types:
    - "mcloud_instance"
  attribute: "data_disk_category"
  operator: "equals"
  value: "cloud_ssd"
"#;

/// `skyform plan -out` then `skyform show -json`, the way the tools' docs say to feed them.
fn plan_json(w: &Work) -> serde_json::Value {
    w.run(&["plan", "-out=tfplan"]).ok();
    let json = w.run(&["show", "-json", "tfplan"]).ok();
    w.write("plan.json", &json);
    serde_json::from_str(&json).expect("show -json prints JSON")
}

#[test]
fn eco_checkov_custom_policy_fails_one_instance_passes_the_other() {
    let checkov = tool("checkov");
    let w = Work::new(&[("main.sky.hcl", CONFIG), ("policies/ssd.yaml", POLICY)]);
    let plan = plan_json(&w);
    let resources = plan["resource_changes"].as_array().expect("changes").len();
    assert_eq!(resources, 2);
    let out = Command::new(checkov)
        .args(["-f", "plan.json", "--framework", "terraform_plan"])
        .args(["--external-checks-dir", "policies", "--check", "CKV2_SKY_1"])
        .args(["-o", "json", "--skip-download"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .current_dir(w.path())
        .output()
        .expect("run checkov");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON report ({e})\nstdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        report["summary"]["resource_count"], resources,
        "checkov read every resource of the plan: {report}"
    );
    let ids = |kind: &str| -> Vec<String> {
        report["results"][kind]
            .as_array()
            .map(|xs| {
                xs.iter()
                    .filter(|c| c["check_id"] == "CKV2_SKY_1")
                    .filter_map(|c| c["resource"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        ids("failed_checks"),
        vec!["mcloud_instance.slow"],
        "{report}"
    );
    assert_eq!(
        ids("passed_checks"),
        vec!["mcloud_instance.fast"],
        "{report}"
    );
    assert_eq!(out.status.code(), Some(1), "a failed check fails the gate");
}

#[test]
fn eco_terraform_compliance_runs_a_feature() {
    let tc = tool("terraform-compliance");
    let w = Work::new(&[
        ("main.sky.hcl", CONFIG),
        (
            "pass/disks.feature",
            "Feature: mcloud instances\n  Scenario: every instance has a data disk category\n    Given I have mcloud_instance defined\n    Then it must contain data_disk_category\n    And its value must match the \"^cloud_(ssd|efficiency)$\" regex\n",
        ),
        (
            "fail/disks.feature",
            "Feature: mcloud instances\n  Scenario: every instance keeps data on SSD\n    Given I have mcloud_instance defined\n    Then it must contain data_disk_category\n    And its value must be \"cloud_ssd\"\n",
        ),
    ]);
    plan_json(&w);
    let run = |features: &str| {
        let out = Command::new(&tc)
            .args(["-p", "plan.json", "-f", features, "--no-ansi"])
            .current_dir(w.path())
            .output()
            .expect("run terraform-compliance");
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, text) = run("pass");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("1 scenarios (1 passed)"), "{text}");
    let (code, text) = run("fail");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("1 failed"), "{text}");
    assert!(text.contains("mcloud_instance.slow"), "{text}");
    assert!(!text.contains("not a valid terraform plan"), "{text}");
}
