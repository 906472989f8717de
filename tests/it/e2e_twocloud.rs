//! End to end: the real binary reading `data "twocloud_servers"` from the embedded
//! simulator and from a `skyform sim -cloud twocloud` process, with an output that counts
//! servers per status.

use crate::common::*;
use skyform::sim::twocloud::{Inventory, DEFAULT_MACHINES};
use std::collections::BTreeMap;

const OUTPUTS: &str = r#"
output "total" {
  value = data.twocloud_servers.gz.total
}

output "by_status" {
  value = {
    for st in distinct(data.twocloud_servers.gz.servers[*].status) :
    st => length([for s in data.twocloud_servers.gz.servers : s if s.status == st])
  }
}
"#;

/// Servers per status in scope 123/gz/qcloud of a generated inventory of `n`.
fn expected_by_status(n: usize) -> BTreeMap<String, u64> {
    let inv = Inventory::generate(n);
    let mut counts = BTreeMap::new();
    for s in inv.scope("123", "gz", "qcloud") {
        *counts.entry(s.status.clone()).or_insert(0) += 1;
    }
    counts
}

fn output_json(w: &Work, name: &str) -> serde_json::Value {
    let out = w.run(&["output", "-json", name]).ok();
    serde_json::from_str(&out).expect("output -json")
}

#[test]
fn servers_per_status_from_the_embedded_simulator() {
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            r#"provider "twocloud" {{
  endpoint  = "embedded"
  tenant_id = "123"
  region    = "gz"
  party     = "qcloud"
}}

data "twocloud_servers" "gz" {{}}
{OUTPUTS}"#
        ),
    )]);
    let expected = expected_by_status(DEFAULT_MACHINES);
    assert!(expected.len() >= 2, "more than one status: {expected:?}");
    let plan = w.run(&["plan"]).ok();
    assert!(plan.contains("Changes to Outputs:"), "{plan}");
    assert!(plan.contains("+ total     = 8"), "{plan}");
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    assert_eq!(
        output_json(&w, "by_status"),
        serde_json::to_value(&expected).expect("json")
    );
    let total: u64 = expected.values().sum();
    assert_eq!(output_json(&w, "total"), serde_json::json!(total));
}

#[test]
fn a_thousand_machines_through_a_simulator_process_and_the_environment() {
    let sim = Sim::start(&[
        "-cloud",
        "twocloud",
        "-twocloud-machines",
        "1000",
        "-twocloud-token",
        "tok-e2e",
        "-twocloud-password",
        "pw-e2e",
    ]);
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!(
            r#"provider "twocloud" {{}}

data "twocloud_servers" "gz" {{
  tenant_id = "123"
  region    = "gz"
  party     = "qcloud"
}}
{OUTPUTS}"#
        ),
    )]);
    let endpoint = sim.endpoint();
    let env = [
        ("TWOCLOUD_ENDPOINT", endpoint.as_str()),
        ("TWOCLOUD_TOKEN", "tok-e2e"),
        ("TWOCLOUD_PASSWORD", "pw-e2e"),
    ];
    let out = w.run_env(&["apply", "-auto-approve"], &env).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    let expected = expected_by_status(1000);
    assert_eq!(expected.values().sum::<u64>(), 125);
    assert_eq!(
        output_json(&w, "by_status"),
        serde_json::to_value(&expected).expect("json")
    );
    // The data source was read once, by the apply's plan, and the apply used that read
    // (nothing it depends on changes): windows 1..=5 (125 servers: window 2 is short,
    // 3..=5 were in flight), each asked once.
    let mut windows = sim.log();
    assert_eq!(windows.len(), 5, "{windows:?}");
    windows.sort();
    windows.dedup();
    assert_eq!(windows.len(), 5, "{windows:?}");

    // A wrong token: the run fails, naming the settings and not their values.
    let bad = [
        ("TWOCLOUD_ENDPOINT", endpoint.as_str()),
        ("TWOCLOUD_TOKEN", "tok-wrong-s3cr3t"),
        ("TWOCLOUD_PASSWORD", "pw-e2e"),
    ];
    let run = w.run_env(&["plan"], &bad);
    let err = run.fails();
    assert!(err.contains("Invalid token or password"), "{err}");
    assert!(
        err.contains("TWOCLOUD_TOKEN and TWOCLOUD_PASSWORD"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t") && !err.contains("pw-e2e"), "{err}");
    assert!(!run.stdout().contains("s3cr3t"));
}

#[test]
fn a_missing_tenant_and_a_bad_inventory_file_are_clear_errors() {
    let w = Work::new(&[(
        "main.sky.hcl",
        "provider \"twocloud\" {\n  endpoint = \"embedded\"\n}\n\ndata \"twocloud_servers\" \"gz\" {\n  region = \"gz\"\n}\n",
    )]);
    let err = w
        .run_env(
            &["plan"],
            &[("TWOCLOUD_TENANT_ID", ""), ("TWOCLOUD_PARTY", "")],
        )
        .fails();
    assert!(err.contains("tenant_id (or TWOCLOUD_TENANT_ID)"), "{err}");
    assert!(err.contains("party (or TWOCLOUD_PARTY)"), "{err}");

    w.write("inv.json", "{\"servers\": [{\"tenant_id\": 1}]}");
    let err = w
        .run(&[
            "sim",
            "-cloud",
            "twocloud",
            "-twocloud-inventory",
            "inv.json",
            "-listen",
            "127.0.0.1:0",
        ])
        .fails();
    assert!(err.contains("inv.json:1:"), "{err}");
    assert!(err.contains("Invalid twocloud inventory"), "{err}");
}

#[test]
fn the_example_reads_and_filters_on_the_embedded_simulator() {
    let w = Work::example("twocloud");
    let out = w.run(&["apply", "-auto-approve", "-var", "role=db"]).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    let inv = Inventory::generate(DEFAULT_MACHINES);
    let expected: BTreeMap<String, String> = inv
        .scope("123", "gz", "qcloud")
        .into_iter()
        .filter(|s| s.instance_name.starts_with("db-"))
        .map(|s| {
            let first = s.lan_ip_set.split(',').next().unwrap_or("").to_string();
            (s.instance_name.clone(), first)
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        output_json(&w, "role_addresses"),
        serde_json::to_value(&expected).expect("json")
    );
}
