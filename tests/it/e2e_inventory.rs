//! End to end: `skyform inventory` against `skyform sim` (mcloud) and the embedded jdcloud
//! simulator: managed, unmanaged and missing machines, `-json`, `-unmanaged`, and adopting
//! the unmanaged ones with `-generate-config-out` then `apply` (no create sent).

use crate::common::*;
use crate::e2e_import::{create_behind_back, creates, machine_block};

/// Replaces each id with a stable name of the same length (so columns stay aligned), and
/// the last number of each IP (creates run in parallel, so IPs go out in any order).
fn redact(text: &str, ids: &[(&str, String)]) -> String {
    let mut out = text.to_string();
    for (name, id) in ids {
        let stable = format!("{name:x<width$}", width = id.len());
        out = out.replace(id.as_str(), &stable);
    }
    regex::Regex::new(r"10\.41\.0\.\d")
        .expect("regex")
        .replace_all(&out, "10.41.0.N")
        .into_owned()
}

/// The `id` of every resource instance in state, by address.
fn ids_by_address(w: &Work) -> std::collections::BTreeMap<String, String> {
    let v: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "-json"]).ok()).expect("show -json");
    v["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["address"].as_str()?.to_string(),
                r["values"]["id"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn json_of(w: &Work, args: &[&str]) -> serde_json::Value {
    let out = w.run(args).ok();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("inventory -json: {e}\n{out}"))
}

#[test]
fn five_managed_three_unmanaged_then_adopted_and_one_missing() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 5, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let state_before = std::fs::read(w.state_path()).expect("state");
    let by_address = ids_by_address(&w);
    let managed: Vec<String> = (0..5)
        .map(|i| by_address[&format!("mcloud_instance.web[{i}]")].clone())
        .collect();
    let unmanaged: Vec<String> = (0..3).map(|_| create_behind_back(&sim)).collect();
    let mut names: Vec<(&str, String)> = Vec::new();
    for (i, id) in managed.iter().enumerate() {
        names.push((
            ["i-WEB0", "i-WEB1", "i-WEB2", "i-WEB3", "i-WEB4"][i],
            id.clone(),
        ));
    }

    let table = w.run(&["inventory"]).ok();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("mcloud ")).collect();
    assert_eq!(rows.len(), 8, "{table}");
    for (i, id) in managed.iter().enumerate() {
        let row = rows
            .iter()
            .find(|r| r.contains(id.as_str()))
            .expect("listed");
        assert!(
            row.ends_with(&format!("managed mcloud_instance.web[{i}]")),
            "{row}"
        );
    }
    for id in &unmanaged {
        let row = rows
            .iter()
            .find(|r| r.contains(id.as_str()))
            .expect("listed");
        assert!(row.ends_with("unmanaged"), "{row}");
    }
    // Unmanaged rows sort by id: name them in that order so the snapshot is stable.
    let mut sorted = unmanaged.clone();
    sorted.sort();
    for (i, id) in sorted.iter().enumerate() {
        names.push((["i-OTHER0", "i-OTHER1", "i-OTHER2"][i], id.clone()));
    }
    insta::assert_snapshot!("inventory_table", redact(&table, &names));

    let doc = json_of(&w, &["inventory", "-json"]);
    assert_eq!(doc["format_version"], "1.0");
    assert_eq!(doc["summary"]["listed"], 8);
    assert_eq!(doc["summary"]["managed"], 5);
    assert_eq!(doc["summary"]["unmanaged"], 3);
    assert_eq!(doc["summary"]["missing"], 0);
    let machines = doc["machines"].as_array().expect("machines");
    assert_eq!(machines.len(), 8);
    assert!(machines
        .iter()
        .all(|m| m["provider"] == "mcloud" && m["resource_type"] == "mcloud_instance"));

    let only = w.run(&["inventory", "-unmanaged"]).ok();
    let rows: Vec<&str> = only.lines().filter(|l| l.starts_with("mcloud ")).collect();
    assert_eq!(rows.len(), 3, "{only}");
    assert!(rows.iter().all(|r| r.ends_with("unmanaged")), "{only}");
    let doc = json_of(&w, &["inventory", "-unmanaged", "-json"]);
    assert_eq!(doc["machines"].as_array().map(Vec::len), Some(3));

    assert_eq!(
        std::fs::read(w.state_path()).expect("state"),
        state_before,
        "inventory never writes state"
    );

    // Adopt the three: generated import + resource blocks, then apply imports them.
    let out = w
        .run(&["inventory", "-generate-config-out=adopt.sky.hcl"])
        .ok();
    assert!(
        out.contains("Wrote import and resource blocks for 3 unmanaged machines to adopt.sky.hcl."),
        "{out}"
    );
    let generated = std::fs::read_to_string(w.path().join("adopt.sky.hcl")).expect("written");
    for id in &unmanaged {
        assert!(
            generated.contains(&format!("  id = \"{id}\"\n")),
            "{generated}"
        );
    }
    let err = w
        .run(&["inventory", "-generate-config-out=adopt.sky.hcl"])
        .fails();
    assert!(
        err.contains("Target generated file already exists"),
        "{err}"
    );

    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(creates(&sim).is_empty(), "no create call: {:?}", sim.log());
    let clean = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(clean.code(), 0, "{}{}", clean.stdout(), clean.stderr());
    let doc = json_of(&w, &["inventory", "-json"]);
    assert_eq!(doc["summary"]["managed"], 8, "{doc}");
    assert_eq!(doc["summary"]["unmanaged"], 0, "{doc}");

    // A machine deleted behind skyform's back is missing.
    sim.delete(&format!("/v1/instance/{}", managed[2]));
    assert!(wait_until(std::time::Duration::from_secs(10), || !sim
        .instance_ids()
        .contains(&managed[2])));
    let table = w.run(&["inventory"]).ok();
    let row = table
        .lines()
        .find(|l| l.contains(managed[2].as_str()))
        .expect("the deleted machine is still shown");
    assert!(row.ends_with("missing mcloud_instance.web[2]"), "{table}");
    let doc = json_of(&w, &["inventory", "-json"]);
    assert_eq!(doc["summary"]["missing"], 1, "{doc}");
    assert_eq!(doc["summary"]["managed"], 7, "{doc}");
}

#[test]
fn a_provider_that_fails_is_reported_and_the_others_still_list() {
    let sim = Sim::start(&[]);
    create_behind_back(&sim);
    let w = Work::new(&[(
        "main.sky.hcl",
        &(provider_block(&sim.endpoint())
            + "provider \"mcloud\" {\n  alias    = \"down\"\n  endpoint = \"http://127.0.0.1:9\"\n  max_retries = 0\n}\n"
            + &machine_block("web")),
    )]);
    let run = w.run(&["inventory"]);
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
    let rows: Vec<String> = run
        .stdout()
        .lines()
        .filter(|l| l.starts_with("mcloud "))
        .map(str::to_string)
        .collect();
    assert_eq!(rows.len(), 1, "{}", run.stdout());
    assert!(rows[0].ends_with("unmanaged"), "{rows:?}");
    assert!(
        run.stderr()
            .contains("Error: Failed to list the machines of provider mcloud.down"),
        "{}",
        run.stderr()
    );
}

#[test]
fn jdcloud_instances_are_listed_managed_then_unmanaged_once_forgotten() {
    let w = Work::example("jdcloud");
    w.run(&["apply", "-auto-approve"]).ok();
    let doc = json_of(&w, &["inventory", "-json"]);
    let web = doc["machines"]
        .as_array()
        .and_then(|ms| {
            ms.iter()
                .find(|m| m["state_address"] == "jdcloud_instance.web")
        })
        .cloned()
        .unwrap_or_else(|| panic!("jdcloud_instance.web listed: {doc}"));
    assert_eq!(web["provider"], "jdcloud");
    assert_eq!(web["managed"], "managed");
    assert_eq!(web["resource_type"], "jdcloud_instance");
    assert_eq!(web["status"], "running");
    let id = web["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("i-"), "{id}");

    w.run(&["state", "rm", "jdcloud_instance.web"]).ok();
    let table = w.run(&["inventory", "-unmanaged"]).ok();
    let row = table
        .lines()
        .find(|l| l.contains(id.as_str()))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.starts_with("jdcloud ") && row.ends_with("unmanaged"),
        "{row}"
    );
}

/// `examples/inventory`: three clouds, all embedded. After `apply`, `inventory -json` lists
/// the machines of all three, the two mcloud ones managed by their addresses, and its counts
/// per provider and status are those the configuration's outputs computed from the data
/// sources.
#[test]
fn the_inventory_example_lists_three_clouds_with_the_managed_ones_marked() {
    let w = Work::example("inventory");
    w.run(&["apply", "-auto-approve"]).ok();
    let outputs = json_of(&w, &["output", "-json"]);
    let inv = json_of(&w, &["inventory", "-json"]);
    assert_eq!(inv["summary"]["errors"], 0, "{inv:#}");
    let machines = inv["machines"].as_array().expect("machines");

    let mut per_status: std::collections::BTreeMap<
        String,
        serde_json::Map<String, serde_json::Value>,
    > = Default::default();
    for m in machines {
        let provider = m["provider"].as_str().expect("provider").to_string();
        let status = m["status"].as_str().expect("status").to_string();
        let n = per_status
            .entry(provider)
            .or_default()
            .entry(status)
            .or_insert(serde_json::json!(0));
        *n = serde_json::json!(n.as_u64().unwrap_or(0) + 1);
    }
    assert_eq!(
        per_status.keys().map(String::as_str).collect::<Vec<_>>(),
        ["mcloud", "roma", "twocloud"],
        "{inv:#}"
    );
    assert_eq!(
        outputs["machines_per_status"]["value"],
        serde_json::to_value(&per_status).expect("json"),
        "{inv:#}"
    );
    for (provider, statuses) in &per_status {
        let listed: u64 = statuses.values().filter_map(|v| v.as_u64()).sum();
        assert_eq!(
            outputs["machines_per_provider"]["value"][provider], listed,
            "{provider}: {outputs:#}"
        );
    }

    let by_address = ids_by_address(&w);
    let mut managed: Vec<(String, String)> = machines
        .iter()
        .filter(|m| m["managed"] == "managed")
        .map(|m| {
            assert_eq!(m["provider"], "mcloud", "{m}");
            (
                m["state_address"]
                    .as_str()
                    .expect("state_address")
                    .to_string(),
                m["id"].as_str().expect("id").to_string(),
            )
        })
        .collect();
    managed.sort();
    let expected: Vec<(String, String)> = ["mcloud_instance.web[0]", "mcloud_instance.web[1]"]
        .iter()
        .map(|a| (a.to_string(), by_address[*a].clone()))
        .collect();
    assert_eq!(managed, expected);
    assert!(machines
        .iter()
        .filter(|m| m["provider"] != "mcloud")
        .all(|m| m["managed"] == "unmanaged" && m["state_address"].is_null()));
    assert_eq!(inv["summary"]["managed"], 2);
    assert_eq!(inv["summary"]["missing"], 0);
}
