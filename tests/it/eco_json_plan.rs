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

/// The JSON plan's corners: data sources read while planning (in `planned_values` and
/// `prior_state`, mode "data"), a provider configuration declared in a child module,
/// `depends_on`, and a child module's resources under `module_calls`.
///
/// Assumed from Terraform's JSON output format (internals/json-format, Terraform 1.2):
/// `planned_values` and `prior_state` hold data sources read during planning as `"mode":
/// "data"` entries; `child_modules` nest by module instance, each with its `address`;
/// `provider_config` keys are `<module path>:<provider key>` outside the root, with
/// `module_address`; `depends_on` lists the references as written.
#[test]
fn eco_json_plan_data_sources_modules_and_depends_on() {
    let sim = Sim::start(&[]);
    let root = format!(
        r#"{provider}
data "mcloud_zones" "beijing" {{
  cloud  = "aliyun"
  region = "cn-beijing"
}}

module "net" {{
  source    = "./net"
  providers = {{ mcloud.inner = mcloud }}
}}

{web}"#,
        provider = provider_block(&sim.endpoint()),
        web = instance_block(
            "web",
            1,
            "  depends_on = [data.mcloud_zones.beijing, module.net]\n"
        ),
    );
    let child = format!(
        r#"provider "mcloud" {{
  alias = "inner"
}}

data "mcloud_regions" "all" {{
  provider = mcloud.inner
  cloud    = "aliyun"
}}

{db}"#,
        db = instance_block("db", 1, "  provider = mcloud.inner\n"),
    );
    let w = Work::new(&[("main.sky.hcl", &root), ("net/main.sky.hcl", &child)]);
    w.run(&["plan", "-out=tfplan"]).ok();
    let doc: J = serde_json::from_str(&w.run(&["show", "-json", "tfplan"]).ok()).expect("JSON");

    // planned_values: the data source read while planning, with what it read.
    let planned = &doc["planned_values"]["root_module"];
    let zones = planned["resources"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["address"] == "data.mcloud_zones.beijing")
        })
        .unwrap_or_else(|| panic!("no data source in planned_values: {planned}"));
    assert_eq!(
        keys(zones),
        vec![
            "address",
            "mode",
            "name",
            "provider_name",
            "schema_version",
            "sensitive_values",
            "type",
            "values"
        ]
    );
    assert_eq!(zones["mode"], "data");
    assert_eq!(zones["type"], "mcloud_zones");
    assert_eq!(zones["name"], "beijing");
    assert_eq!(zones["provider_name"], "skyform.io/builtin/mcloud");
    assert_eq!(zones["values"]["region"], "cn-beijing");
    assert!(
        zones["values"]["names"]
            .as_array()
            .is_some_and(|n| n.contains(&J::from("cn-beijing-c"))),
        "{zones}"
    );
    // A data source read at plan time is no change: not in resource_changes.
    assert!(!doc["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .any(|c| c["mode"] == "data"));

    // The child module nests under root_module.child_modules with its address, its data
    // source and its planned instance.
    let children = planned["child_modules"].as_array().expect("child_modules");
    assert_eq!(children.len(), 1, "{planned}");
    assert_eq!(children[0]["address"], "module.net");
    let addrs: Vec<&str> = children[0]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(
        addrs,
        vec![
            "module.net.mcloud_instance.db[0]",
            "module.net.data.mcloud_regions.all"
        ]
    );

    // prior_state: the fresh reads, though nothing has been applied yet.
    let prior = &doc["prior_state"];
    assert_eq!(prior["format_version"], "1.0");
    let prior_root = prior["values"]["root_module"]["resources"]
        .as_array()
        .expect("prior resources");
    assert_eq!(prior_root.len(), 1, "{prior}");
    assert_eq!(prior_root[0]["address"], "data.mcloud_zones.beijing");
    assert_eq!(prior_root[0]["mode"], "data");
    assert_eq!(prior_root[0]["values"], zones["values"]);
    assert_eq!(
        prior["values"]["root_module"]["child_modules"][0]["resources"][0]["address"],
        "module.net.data.mcloud_regions.all"
    );

    // configuration: the child's (proxy) provider configuration under its opaque key.
    let cfg = &doc["configuration"];
    assert_eq!(
        keys(&cfg["provider_config"]),
        vec!["mcloud", "module.net:mcloud.inner"]
    );
    let child_provider = &cfg["provider_config"]["module.net:mcloud.inner"];
    assert_eq!(child_provider["name"], "mcloud");
    assert_eq!(child_provider["alias"], "inner");
    assert_eq!(child_provider["full_name"], "skyform.io/builtin/mcloud");
    assert_eq!(child_provider["module_address"], "module.net");
    assert_eq!(
        cfg["provider_config"]["mcloud"]["expressions"]["endpoint"]["constant_value"],
        sim.endpoint()
    );
    assert!(cfg["provider_config"]["mcloud"]
        .get("module_address")
        .is_none());

    // depends_on as written.
    let web = cfg["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "mcloud_instance.web"))
        .expect("web config");
    assert_eq!(
        web["depends_on"],
        serde_json::json!(["data.mcloud_zones.beijing", "module.net"])
    );
    let zones_cfg = cfg["root_module"]["resources"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["address"] == "data.mcloud_zones.beijing")
        })
        .expect("data source config");
    assert_eq!(zones_cfg["mode"], "data");
    assert_eq!(
        zones_cfg["expressions"]["region"]["constant_value"],
        "cn-beijing"
    );
    assert!(zones_cfg.get("depends_on").is_none());

    // The child's resources under module_calls, addressed within their module.
    let call = &cfg["root_module"]["module_calls"]["net"];
    assert_eq!(call["source"], "./net");
    let child_resources = call["module"]["resources"].as_array().expect("resources");
    let db = child_resources
        .iter()
        .find(|r| r["address"] == "mcloud_instance.db")
        .unwrap_or_else(|| panic!("{call}"));
    assert_eq!(db["mode"], "managed");
    assert_eq!(db["count_expression"]["constant_value"], 1);
    assert_eq!(db["expressions"]["cloud"]["constant_value"], "aliyun");
    assert!(child_resources
        .iter()
        .any(|r| r["address"] == "data.mcloud_regions.all" && r["mode"] == "data"));
    // skyform configures providers in the root only: the child's resources name the root
    // configuration the call passed for `mcloud.inner`, the one they use.
    assert_eq!(db["provider_config_key"], "mcloud");
    assert!(cfg["provider_config"]
        .get(db["provider_config_key"].as_str().unwrap_or(""))
        .is_some());

    // After an apply, the next plan's prior state holds the state's objects and the data
    // sources as read again.
    w.run(&["apply", "-auto-approve", "tfplan"]).ok();
    w.run(&["plan", "-out=again"]).ok();
    let doc: J = serde_json::from_str(&w.run(&["show", "-json", "again"]).ok()).expect("JSON");
    let prior: Vec<&str> = doc["prior_state"]["values"]["root_module"]["resources"]
        .as_array()
        .expect("prior")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(
        prior,
        vec!["mcloud_instance.web[0]", "data.mcloud_zones.beijing"]
    );
}
