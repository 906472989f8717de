//! The JSON plan (`show -json PLANFILE`) against Terraform's documented format, field by
//! field, for a plan holding every kind of change: creates (with unknowns), an update, a
//! replacement, a delete, drift, and a sensitive value, which must appear nowhere.

use crate::common::*;
use serde_json::Value as J;

const SECRET: &str = "hunter2-do-not-print";

fn metal(extra: &str) -> String {
    format!(
        r#"
variable "metal_password" {{
  type      = string
  sensitive = true
}}

resource "mcloud_physical_machine" "metal" {{
  public_ip  = "203.0.113.7"
  private_ip = "10.0.0.7"
  password   = var.metal_password
{extra}}}

output "metal_password" {{
  value     = var.metal_password
  sensitive = true
}}

output "keep_ip" {{
  value = mcloud_instance.keep[0].private_ip
}}
"#
    )
}

/// Applies the first configuration, deletes one machine behind skyform's back, changes the
/// configuration and returns the saved plan as `show -json` prints it.
fn scenario() -> (Sim, Work, String) {
    let sim = Sim::start(&[]);
    let v1 = instance_block("keep", 1, "")
        + &instance_block("grow", 1, "")
        + &instance_block("gone", 1, "")
        + &instance_block("drifted", 1, "")
        + &metal("");
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &v1),
    ]);
    let env = [("TF_VAR_metal_password", SECRET)];
    w.run_env(&["apply", "-auto-approve"], &env).ok();
    let v: J = serde_json::from_str(&w.run(&["show", "-json"]).ok()).expect("state json");
    let drifted = v["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["address"] == "mcloud_instance.drifted[0]")
                .and_then(|r| r["values"]["id"].as_str().map(str::to_string))
        })
        .expect("drifted instance id");
    let reply = sim.delete(&format!("/v1/instance/{drifted}"));
    assert_eq!(reply["code"], 0, "{reply}");
    let v2 = instance_block("keep", 1, "  running = false\n")
        + &instance_block("grow", 1, "")
            .replace("data_disk_size       = 100", "data_disk_size       = 200")
        + &instance_block("drifted", 1, "")
        + &instance_block("fresh", 1, "")
        + &metal("")
        + "output \"fresh_id\" {\n  value = mcloud_instance.fresh[0].id\n}\n";
    w.write("main.sky.hcl", &v2);
    w.run_env(&["plan", "-out=tfplan"], &env).ok();
    let json = w.run(&["show", "-json", "tfplan"]).ok();
    (sim, w, json)
}

fn change<'a>(doc: &'a J, addr: &str) -> &'a J {
    doc["resource_changes"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["address"] == addr))
        .unwrap_or_else(|| panic!("no resource change for {addr}"))
}

fn keys(v: &J) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// Ids, addresses and correlation ids the cloud chose, replaced so the golden file is stable.
fn normalize(v: &mut J) {
    match v {
        J::Object(m) => {
            for (k, x) in m.iter_mut() {
                if matches!(
                    k.as_str(),
                    "id" | "private_ip" | "last_correlation_id" | "instance_id" | "created"
                ) && x.is_string()
                {
                    *x = J::String(format!("<{k}>"));
                } else {
                    normalize(x);
                }
            }
        }
        J::Array(xs) => xs.iter_mut().for_each(normalize),
        J::String(s) if s.starts_with("1.2.0+skyform.") => *s = "<terraform_version>".into(),
        J::String(s) if s.starts_with("http://127.0.0.1:") => *s = "<endpoint>".into(),
        J::String(s) if s == env!("CARGO_PKG_VERSION") => *s = "<skyform_version>".into(),
        // Addresses the simulator hands out in creation order (creates run in parallel).
        J::String(s) if s.starts_with("10.41.") || s.starts_with("47.41.") => *s = "<ip>".into(),
        _ => {}
    }
}

#[test]
fn eco_json_plan_matches_terraforms_format_field_by_field() {
    let (_sim, _w, json) = scenario();
    assert!(!json.contains(SECRET), "a sensitive value leaked:\n{json}");
    let doc: J = serde_json::from_str(&json).expect("JSON");

    // Top level (Terraform's "Plan Representation").
    assert_eq!(doc["format_version"], "1.1");
    assert!(doc["terraform_version"]
        .as_str()
        .is_some_and(|v| v.starts_with("1.2.0+skyform.")));
    assert_eq!(doc["skyform_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        keys(&doc),
        vec![
            "configuration",
            "format_version",
            "output_changes",
            "planned_values",
            "prior_state",
            "relevant_attributes",
            "resource_changes",
            "resource_drift",
            "skyform_version",
            "terraform_version",
            "variables",
        ]
    );
    // A sensitive variable's value is not shown.
    assert_eq!(doc["variables"]["metal_password"]["value"], J::Null);

    // Every change has the documented fields.
    for c in doc["resource_changes"].as_array().expect("changes") {
        for k in ["address", "mode", "type", "name", "provider_name", "change"] {
            assert!(c.get(k).is_some(), "{k} missing in {c}");
        }
        assert_eq!(c["provider_name"], "skyform.io/builtin/mcloud");
        let ch = &c["change"];
        assert_eq!(
            keys(ch)
                .into_iter()
                .filter(|k| *k != "replace_paths")
                .collect::<Vec<_>>(),
            vec![
                "actions",
                "after",
                "after_sensitive",
                "after_unknown",
                "before",
                "before_sensitive"
            ],
            "{c}"
        );
    }
    let actions = |a: &str| change(&doc, a)["change"]["actions"].clone();
    let reason = |a: &str| change(&doc, a)["action_reason"].clone();
    assert_eq!(
        actions("mcloud_instance.fresh[0]"),
        serde_json::json!(["create"])
    );
    assert_eq!(
        actions("mcloud_instance.keep[0]"),
        serde_json::json!(["update"])
    );
    assert_eq!(
        actions("mcloud_instance.grow[0]"),
        serde_json::json!(["delete", "create"])
    );
    assert_eq!(
        reason("mcloud_instance.grow[0]"),
        "replace_because_cannot_update"
    );
    assert_eq!(
        change(&doc, "mcloud_instance.grow[0]")["change"]["replace_paths"],
        serde_json::json!([["data_disk_size"]])
    );
    assert_eq!(
        actions("mcloud_instance.gone[0]"),
        serde_json::json!(["delete"])
    );
    assert_eq!(
        reason("mcloud_instance.gone[0]"),
        "delete_because_no_resource_config"
    );
    assert_eq!(
        change(&doc, "mcloud_instance.gone[0]")["change"]["after"],
        J::Null
    );
    assert_eq!(change(&doc, "mcloud_instance.fresh[0]")["index"], 0);

    // Unknowns are left out of `after` and marked true in `after_unknown`.
    let fresh = &change(&doc, "mcloud_instance.fresh[0]")["change"];
    assert!(fresh["after"].get("id").is_none(), "{fresh}");
    assert_eq!(fresh["after_unknown"]["id"], true);
    assert_eq!(fresh["after"]["data_disk_size"], 100);
    assert!(fresh["after_unknown"].get("data_disk_size").is_none());

    // The sensitive password: marks only.
    let metal = &change(&doc, "mcloud_physical_machine.metal")["change"];
    assert_eq!(metal["actions"], serde_json::json!(["no-op"]));
    assert_eq!(metal["before"]["password"], J::Null);
    assert_eq!(metal["after"]["password"], J::Null);
    assert_eq!(metal["before_sensitive"]["password"], true);
    assert_eq!(metal["after_sensitive"]["password"], true);

    // Drift: the machine deleted outside skyform.
    let drift = doc["resource_drift"].as_array().expect("drift");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["address"], "mcloud_instance.drifted[0]");
    assert_eq!(drift[0]["change"]["actions"], serde_json::json!(["delete"]));
    assert_eq!(drift[0]["provider_name"], "skyform.io/builtin/mcloud");
    assert_eq!(
        actions("mcloud_instance.drifted[0]"),
        serde_json::json!(["create"])
    );

    // Output changes: marks are single booleans.
    let oc = &doc["output_changes"];
    assert_eq!(oc["fresh_id"]["actions"], serde_json::json!(["create"]));
    assert_eq!(oc["fresh_id"]["after_unknown"], true);
    assert_eq!(oc["keep_ip"]["actions"], serde_json::json!(["no-op"]));
    assert_eq!(oc["keep_ip"]["after_unknown"], false);
    assert_eq!(oc["keep_ip"]["after_sensitive"], false);
    assert_eq!(oc["metal_password"]["after"], J::Null);
    assert_eq!(oc["metal_password"]["after_sensitive"], true);

    // planned_values and prior_state use the values representation.
    let planned = doc["planned_values"]["root_module"]["resources"]
        .as_array()
        .expect("planned");
    assert!(planned
        .iter()
        .all(|r| r.get("values").is_some() && r.get("sensitive_values").is_some()));
    assert!(!planned
        .iter()
        .any(|r| r["address"] == "mcloud_instance.gone[0]"));
    assert_eq!(
        doc["planned_values"]["outputs"]["metal_password"]["sensitive"],
        true
    );
    assert!(doc["planned_values"]["outputs"]["metal_password"]
        .get("value")
        .is_none());
    let prior = &doc["prior_state"];
    assert_eq!(prior["format_version"], "1.0");
    assert!(prior["values"]["root_module"]["resources"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r["address"] == "mcloud_instance.gone[0]")));

    // configuration: provider config, resources with expressions and references.
    let cfg = &doc["configuration"];
    assert_eq!(
        cfg["provider_config"]["mcloud"]["full_name"],
        "skyform.io/builtin/mcloud"
    );
    let res = cfg["root_module"]["resources"]
        .as_array()
        .expect("resources");
    let metal_cfg = res
        .iter()
        .find(|r| r["address"] == "mcloud_physical_machine.metal")
        .expect("metal config");
    assert_eq!(
        metal_cfg["expressions"]["password"]["references"],
        serde_json::json!(["var.metal_password"])
    );
    assert_eq!(metal_cfg["provider_config_key"], "mcloud");
    let keep_cfg = res
        .iter()
        .find(|r| r["address"] == "mcloud_instance.keep")
        .expect("keep config");
    assert_eq!(
        keep_cfg["expressions"]["data_disk_size"]["constant_value"],
        100
    );
    assert_eq!(keep_cfg["count_expression"]["constant_value"], 1);
    assert_eq!(
        keep_cfg["expressions"]["network"][0]["internet_max_bandwidth_out"]["constant_value"],
        5
    );
    assert_eq!(
        cfg["root_module"]["outputs"]["keep_ip"]["expression"]["references"],
        serde_json::json!([
            "mcloud_instance.keep[0].private_ip",
            "mcloud_instance.keep[0]",
            "mcloud_instance.keep"
        ])
    );
    assert_eq!(
        cfg["root_module"]["variables"]["metal_password"]["sensitive"],
        true
    );
    assert!(doc["relevant_attributes"]
        .as_array()
        .is_some_and(|r| r.contains(&serde_json::json!({
            "resource": "mcloud_instance.keep[0]",
            "attribute": ["private_ip"]
        }))));

    // The whole document, ids normalised, as the golden file.
    let mut golden = doc.clone();
    normalize(&mut golden);
    insta::assert_snapshot!(
        "json_plan_golden",
        serde_json::to_string_pretty(&golden).expect("pretty")
    );
}
