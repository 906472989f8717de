//! The mcloud-fleet example end to end, against a simulator process so the API calls can be
//! counted: network lookups, two templates, a group per template, physical machines.

use crate::common::*;

fn fleet(sim: &Sim) -> Work {
    let w = Work::example("mcloud-fleet");
    let main = std::fs::read_to_string(w.path().join("main.sky.hcl")).unwrap();
    w.write(
        "main.sky.hcl",
        &main.replace(
            "endpoint = \"embedded\"",
            &format!("endpoint = \"{}\"", sim.endpoint()),
        ),
    );
    w
}

fn count(sim: &Sim, route: &str) -> u64 {
    sim.counts()
        .get(route)
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
}

fn group_ids(w: &Work, name: &str) -> Vec<String> {
    let out = w.run(&["show", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rs = v["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rs.iter()
        .find(|r| r["address"] == format!("mcloud_instance_group.{name}"))
        .and_then(|r| r["values"]["instances"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn fleet_applies_plans_clean_scales_and_destroys() {
    let sim = Sim::start(&[]);
    let w = fleet(&sim);
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(
        out.contains("vpc-2ze0sufdt8yiguyg8u2lp"),
        "network looked up from the catalog: {out}"
    );
    assert_eq!(group_ids(&w, "web").len(), 3);
    assert_eq!(group_ids(&w, "batch").len(), 2);
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
    assert!(
        !out.contains("change-me-please"),
        "the rack password is sensitive"
    );

    // 3 -> 10: one expand call, the three machines untouched.
    let before = group_ids(&w, "web");
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-var", "web_count=10"])
        .ok();
    assert_eq!(count(&sim, "POST /v1/cluster/:clusterId/expand/:number"), 1);
    assert_eq!(count(&sim, "DELETE /v1/instance/:instanceIds"), 0);
    let ten = group_ids(&w, "web");
    assert_eq!(ten.len(), 10);
    assert!(
        before.iter().all(|id| ten.contains(id)),
        "existing machines kept"
    );

    // 10 -> 4: one delete call for the surplus.
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-var", "web_count=4"])
        .ok();
    assert_eq!(count(&sim, "DELETE /v1/instance/:instanceIds"), 1);
    assert_eq!(count(&sim, "POST /v1/cluster/:clusterId/expand/:number"), 0);
    let four = group_ids(&w, "web");
    assert_eq!(four.len(), 4);
    assert!(
        four.iter().all(|id| ten.contains(id)),
        "the machines that stay are not replaced"
    );

    // 4 -> 0.
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-var", "web_count=0"])
        .ok();
    assert_eq!(count(&sim, "DELETE /v1/instance/:instanceIds"), 1);
    assert!(group_ids(&w, "web").is_empty());
    assert_eq!(
        w.run(&["plan", "-detailed-exitcode", "-var", "web_count=0"])
            .code(),
        0
    );

    let out = w
        .run(&["destroy", "-auto-approve", "-var", "web_count=0"])
        .ok();
    assert!(out.contains("Destroy complete!"), "{out}");
    assert!(state_list(&w).is_empty());
    let left = sim.get("/v1/instance/list");
    let remaining: Vec<&serde_json::Value> = left["content"]
        .as_array()
        .map(|a| a.iter().filter(|i| i["Provider"] != "phydev").collect())
        .unwrap_or_default();
    assert!(
        remaining.is_empty(),
        "no cloud machine left behind: {remaining:?}"
    );
}

/// One template and a group made from it; `disk_size` is force-new on the template.
fn template_and_group(endpoint: &str, disk_size: u32) -> String {
    format!(
        r#"{provider}
resource "mcloud_template" "t" {{
  name                 = "t"
  cloud                = "aliyun"
  cpu                  = 2
  ram                  = 4
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = {disk_size}
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"

  network {{
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}

  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}

resource "mcloud_instance_group" "g" {{
  template_id    = mcloud_template.t.id
  instance_count = 2
}}
"#,
        provider = provider_block(endpoint)
    )
}

#[test]
fn replacing_a_template_and_its_group_deletes_the_group_first() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[("main.sky.hcl", &template_and_group(&sim.endpoint(), 100))]);
    w.run(&["apply", "-auto-approve"]).ok();
    let old_template = sim.get("/v1/cluster")["content"][0]["Id"].clone();
    assert!(!old_template.is_null());

    w.write("main.sky.hcl", &template_and_group(&sim.endpoint(), 200));
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("Plan: 2 to add, 0 to change, 2 to destroy."),
        "{plan}"
    );
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Apply complete!"), "{out}");

    let log = sim.log();
    let position = |what: &dyn Fn(&str) -> bool| {
        log.iter()
            .position(|l| what(l))
            .unwrap_or_else(|| panic!("not in the request log: {log:#?}"))
    };
    let group_members_deleted = position(&|l| l.starts_with("DELETE /v1/instance/"));
    let template_deleted =
        position(&|l| l == format!("DELETE /v1/cluster/{}", old_template.as_u64().unwrap_or(0)));
    let template_created = position(&|l| l.starts_with("POST /v1/cluster"));
    let group_expanded = log
        .iter()
        .rposition(|l| l.starts_with("POST /v1/cluster/expand") || l.contains("expand"))
        .unwrap_or_else(|| panic!("no expand: {log:#?}"));
    assert!(
        group_members_deleted < template_deleted,
        "the group's machines go before their template: {log:#?}"
    );
    assert!(template_deleted < template_created, "{log:#?}");
    assert!(template_created < group_expanded, "{log:#?}");
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}
