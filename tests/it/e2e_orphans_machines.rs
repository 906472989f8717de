//! No orphans, no duplicates (#9) for the mcloud types beyond instances and templates:
//! physical machines (`POST /v1/instance/phydev`) and machine records (`PUT
//! /v1/instance/phydev`) whose answers are lost converge to exactly the declared machines,
//! and an instance group whose interrupted create is ambiguous prints an import command that
//! works. Real binary, separate `skyform sim` process, loopback HTTP.

use crate::common::*;

/// Listed machines of the simulated cloud, as `(InstanceId, Provider, PublicIpAddress)`.
fn machines(sim: &Sim) -> Vec<(String, String, String)> {
    sim.get("/v1/instance/list")["content"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
                    (
                        text("InstanceId"),
                        text("Provider"),
                        text("PublicIpAddress"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `id` of every managed object of `type_name` in state (via `show -json`).
fn state_ids(w: &Work, type_name: &str) -> Vec<String> {
    let out = w.run(&["show", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("show -json");
    let mut ids: Vec<String> = v["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["type"] == type_name)
                .filter_map(|r| r["values"]["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// Applies until one run succeeds (at most `max` runs), checking after every run that the
/// cloud never holds more than `declared` machines. Returns how many runs it took.
fn apply_until_converged(w: &Work, sim: &Sim, declared: usize, max: usize) -> usize {
    for run in 1..=max {
        let r = w.run(&["apply", "-auto-approve", "-parallelism=4"]);
        let held = machines(sim).len();
        assert!(
            held <= declared,
            "run {run}: {held} machines for {declared}: a duplicate"
        );
        if r.code() == 0 {
            return run;
        }
        assert!(
            !r.stderr().contains("panicked"),
            "run {run}:\n{}",
            r.stderr()
        );
    }
    panic!("not converged after {max} applies");
}

/// Ten physical machines `101.1.2.10..19` / `1.11.1.10..19`.
fn physical_machines(endpoint: &str) -> String {
    format!(
        r#"{provider}
resource "mcloud_physical_machine" "metal" {{
  count      = 10
  public_ip  = "101.1.2.${{10 + count.index}}"
  private_ip = "1.11.1.${{10 + count.index}}"
  password   = "adminpadd"
  port       = 22
}}
"#,
        provider = provider_block(endpoint)
    )
}

#[test]
fn physical_machines_whose_answers_are_lost_converge_to_exactly_the_declared_ones() {
    let sim = Sim::start(&["-lose-answers", "0.5"]);
    let w = Work::new(&[("main.sky.hcl", &physical_machines(&sim.endpoint()))]);
    let runs = apply_until_converged(&w, &sim, 10, 4);
    println!("converged after {runs} applies");
    let listed = machines(&sim);
    assert_eq!(listed.len(), 10, "{listed:?}");
    assert!(listed.iter().all(|(_, provider, _)| provider == "phydev"));
    let mut ips: Vec<&str> = listed.iter().map(|(_, _, ip)| ip.as_str()).collect();
    ips.sort();
    let want: Vec<String> = (10..20).map(|i| format!("101.1.2.{i}")).collect();
    assert_eq!(ips, want.iter().map(String::as_str).collect::<Vec<_>>());
    let mut in_cloud: Vec<String> = listed.into_iter().map(|(id, _, _)| id).collect();
    in_cloud.sort();
    assert_eq!(state_ids(&w, "mcloud_physical_machine"), in_cloud);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}

#[test]
fn a_lost_registration_is_adopted_by_the_next_plan_not_registered_again() {
    // Every answer lost: the first apply registers all machines and hears of none.
    let sim = Sim::start(&["-lose-answers", "1"]);
    let w = Work::new(&[("main.sky.hcl", &physical_machines(&sim.endpoint()))]);
    let first = w.run(&["apply", "-auto-approve", "-parallelism=4"]);
    assert_eq!(first.code(), 1, "{}", first.stdout());
    assert_eq!(machines(&sim).len(), 10);
    sim.set_knobs(serde_json::json!({"lose_answers": 0.0}));
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("# mcloud_physical_machine.metal[0] was created by an interrupted run: found it, adopting it into state"),
        "{out}"
    );
    assert!(out.contains("0 added"), "{out}");
    assert!(!sim.counts().contains_key("POST /v1/instance/phydev"));
    assert_eq!(machines(&sim).len(), 10);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}

/// Machine records: three of one spec that fix nothing (the server assigns id and IP) and
/// two that fix their public IP.
fn machine_records(endpoint: &str) -> String {
    let record = |name: &str, count: usize, extra: &str| {
        format!(
            r#"resource "mcloud_machine_record" "{name}" {{
  count                = {count}
  cloud                = "aliyun"
  instance_type        = "ecs.n2.3xlarge"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"
{extra}
  network {{
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}

  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}
"#
        )
    };
    format!(
        "{}\n{}\n{}",
        provider_block(endpoint),
        record("open", 3, ""),
        record(
            "fixed",
            2,
            "  public_ip            = \"47.9.0.${count.index + 1}\"\n"
        )
    )
}

#[test]
fn machine_records_whose_answers_are_lost_converge_to_exactly_the_declared_ones() {
    let sim = Sim::start(&["-lose-answers", "0.5"]);
    let w = Work::new(&[("main.sky.hcl", &machine_records(&sim.endpoint()))]);
    let runs = apply_until_converged(&w, &sim, 5, 4);
    println!("converged after {runs} applies");
    let listed = machines(&sim);
    assert_eq!(listed.len(), 5, "{listed:?}");
    let fixed: Vec<&str> = listed
        .iter()
        .map(|(_, _, ip)| ip.as_str())
        .filter(|ip| ip.starts_with("47.9.0."))
        .collect();
    assert_eq!(fixed.len(), 2, "{listed:?}");
    let mut in_cloud: Vec<String> = listed.into_iter().map(|(id, _, _)| id).collect();
    in_cloud.sort();
    assert_eq!(state_ids(&w, "mcloud_machine_record"), in_cloud);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
}

/// A template and, when `group` is set, a group of two of its machines.
fn template_and_group(endpoint: &str, group: bool) -> String {
    let mut text = format!(
        r#"{provider}
resource "mcloud_template" "t" {{
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

  network {{
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}

  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}
"#,
        provider = provider_block(endpoint)
    );
    if group {
        text.push_str(
            "\nresource \"mcloud_instance_group\" \"g\" {\n  template_id    = mcloud_template.t.id\n  instance_count = 2\n}\n",
        );
    }
    text
}

/// Expands template `id` by `n` machines behind skyform's back.
fn expand_by_hand(sim: &Sim, id: &str, n: usize) {
    let r: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/cluster/{id}/expand/{n}", sim.endpoint()))
        .header("X-CORRELATION-ID", "made-by-hand")
        .body("{}")
        .send()
        .expect("POST expand")
        .json()
        .expect("JSON");
    assert_eq!(r["code"], 0, "{r}");
}

#[test]
fn an_ambiguous_group_prints_an_import_that_adopts_it_and_leaves_a_clean_plan() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[("main.sky.hcl", &template_and_group(&sim.endpoint(), false))]);
    w.run(&["apply", "-auto-approve"]).ok();
    let template = sim.get("/v1/cluster")["content"][0]["Id"].to_string();
    // The group's expand is acted on but its answer is lost: an open intent, two machines.
    w.write("main.sky.hcl", &template_and_group(&sim.endpoint(), true));
    sim.set_knobs(serde_json::json!({"lose_answers": 1.0}));
    let lost = w.run(&["apply", "-auto-approve"]);
    assert_eq!(lost.code(), 1, "{}", lost.stdout());
    sim.set_knobs(serde_json::json!({"lose_answers": 0.0}));
    let made = machines(&sim);
    assert_eq!(made.len(), 2, "{made:?}");
    // Someone expands the same template meanwhile: three candidates for a group of two.
    expand_by_hand(&sim, &template, 1);
    let oldest: Vec<String> = machines(&sim)
        .into_iter()
        .map(|(id, _, _)| id)
        .filter(|id| made.iter().any(|(m, _, _)| m == id))
        .collect();
    let stranger = machines(&sim)
        .into_iter()
        .map(|(id, _, _)| id)
        .find(|id| !oldest.contains(id))
        .expect("the third machine");

    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 1, "{}", plan.stdout());
    let err = plan.stderr();
    let mut proposal = format!("{template}:{}", oldest.join(","));
    if !err.contains(&proposal) {
        // The two machines of the lost expand share a create time; either order is oldest.
        proposal = format!("{template}:{},{}", oldest[1], oldest[0]);
    }
    let command = format!("skyform import 'mcloud_instance_group.g' {proposal}");
    assert!(err.contains(&command), "missing {command:?}:\n{err}");
    assert!(err.contains(&stranger), "every candidate is listed:\n{err}");
    let mut shown = err.clone();
    for (i, id) in oldest.iter().chain([&stranger]).enumerate() {
        shown = shown.replace(id, &format!("i-MACHINE{i}"));
    }
    let shown = fixed_summaries(&shown);
    insta::assert_snapshot!("ambiguous_group_orphans", shown);

    // A machine that is not the template's is refused, naming it; nothing is recorded.
    let wrong = w.run(&[
        "import",
        "mcloud_instance_group.g",
        &format!("{template}:i-nope"),
    ]);
    assert_eq!(wrong.code(), 1, "{}", wrong.stdout());
    assert!(
        wrong
            .stderr()
            .contains(&format!("template {template} has no machine i-nope")),
        "{}",
        wrong.stderr()
    );
    // Running the printed command adopts the group; the plan is then clean.
    let imported = w
        .run(&["import", "mcloud_instance_group.g", &proposal])
        .ok();
    assert!(imported.contains("Import successful"), "{imported}");
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    assert_eq!(machines(&sim).len(), 3, "nothing deleted or created");
}

/// Replaces the varying parts of machine summaries (IPs, create times) with fixed text.
fn fixed_summaries(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("    # ") {
            Some(at) => format!("{}    # <summary>", &l[..at]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
