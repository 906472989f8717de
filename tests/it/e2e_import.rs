//! End to end: `import {}` blocks and `plan -generate-config-out`, through the real binary
//! against `skyform sim` on loopback (whose request log shows that no create is sent).

use crate::common::*;

/// Creates an mcloud machine through the simulator's API directly, behind skyform's back;
/// returns its instance id.
pub fn create_behind_back(sim: &Sim) -> String {
    let body = serde_json::json!({
        "Provider": "aliyun",
        "InstanceType": "ecs.c2.medium",
        "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
        "Network": {"Id": 0, "VpcId": "", "SubnetId": "", "SecurityGroup": "",
                    "InternetChargeType": "PayByBandwidth", "InternetMaxBandwidthOut": 5},
        "Zone": {"Id": 0, "RegionName": "cn-beijing", "ZoneName": "cn-beijing-c"},
        "SystemDiskCategory": "cloud_efficiency",
        "DataDiskSize": 100,
        "DataDiskNum": 1,
        "DataDiskCategory": "cloud_efficiency"
    });
    let answer: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/instance", sim.endpoint()))
        .header("X-CORRELATION-ID", "created-behind-skyforms-back")
        .json(&body)
        .send()
        .expect("POST /v1/instance")
        .json()
        .expect("JSON");
    assert_eq!(answer["code"], 0, "{answer}");
    let ip = answer["content"].as_str().expect("ip").to_string();
    let list = sim.get("/v1/instance/list");
    list["content"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["PrivateIpAddress"] == ip.as_str()))
        .and_then(|i| i["InstanceId"].as_str())
        .expect("the new machine is listed")
        .to_string()
}

/// An `mcloud_instance` block without count, with the values the helper above creates.
pub fn machine_block(name: &str) -> String {
    instance_block(name, 1, "").replace("  count                = 1\n", "")
}

fn import_block(to: &str, id: &str) -> String {
    format!("import {{\n  to = {to}\n  id = \"{id}\"\n}}\n")
}

/// Requests that create machines (`POST /v1/instance`, `POST /v1/cluster/../expand/..`).
pub fn creates(sim: &Sim) -> Vec<String> {
    sim.log()
        .into_iter()
        .filter(|l| l == "POST /v1/instance" || l.contains("/expand/"))
        .collect()
}

#[test]
fn import_block_plans_an_import_applies_without_a_create_then_plans_clean() {
    let sim = Sim::start(&[]);
    let id = create_behind_back(&sim);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &(machine_block("web") + "\n" + &import_block("mcloud_instance.web", &id)),
        ),
    ]);
    let plan = w.run(&["plan"]).ok();
    insta::assert_snapshot!("import_block_plan", plan.replace(&id, "i-IMPORTED"));
    assert!(plan.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."));

    // The JSON plan marks the change as importing, with the id.
    w.run(&["plan", "-out", "import.plan"]).ok();
    let shown: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "-json", "import.plan"]).ok()).expect("JSON plan");
    let change = shown["resource_changes"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "mcloud_instance.web"))
        .expect("a change for the import target");
    assert_eq!(change["change"]["importing"]["id"], id.as_str(), "{change}");
    assert_eq!(change["change"]["actions"], serde_json::json!(["no-op"]));

    // The machine-readable UI says "import", as Terraform 1.5's does.
    let lines: Vec<serde_json::Value> = w
        .run(&["plan", "-json"])
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON message a line"))
        .collect();
    let planned = lines
        .iter()
        .find(|m| m["type"] == "planned_change")
        .expect("a planned_change message");
    assert_eq!(planned["change"]["action"], "import", "{planned}");
    assert_eq!(planned["change"]["importing"]["id"], id.as_str());
    let summary = lines
        .iter()
        .find(|m| m["type"] == "change_summary")
        .expect("a change_summary message");
    assert_eq!(summary["changes"]["import"], 1, "{summary}");
    assert_eq!(
        summary["@message"],
        "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."
    );

    // The saved plan carries the imported object: applying it creates nothing.
    sim.reset_counts();
    let out = w.run(&["apply", "import.plan"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(out.contains(&format!(
        "mcloud_instance.web: Import complete after 0s [id={id}]"
    )));
    assert!(creates(&sim).is_empty(), "no create: {:?}", sim.log());
    assert_eq!(state_instance_ids(&w), vec![id.clone()]);
    assert_eq!(sim.instance_ids(), vec![id.clone()], "still one machine");

    // The import block stays in the configuration and is a no-op from now on.
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
    assert!(again.stdout().contains("No changes."), "{}", again.stdout());
}

#[test]
fn an_import_that_needs_an_update_shows_it_and_applies_it_in_place() {
    let sim = Sim::start(&[]);
    let id = create_behind_back(&sim);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &(instance_block("web", 1, "  running              = false\n")
                .replace("  count                = 1\n", "")
                + &import_block("mcloud_instance.web", &id)),
        ),
    ]);
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains(&format!(
            "  # mcloud_instance.web will be updated in-place\n  # (imported from \"{id}\")\n  ~ resource \"mcloud_instance\" \"web\" {{"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("~ running              = true -> false"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 1 imported, 0 added, 1 changed, 0 destroyed."),
        "{out}"
    );
    assert!(creates(&sim).is_empty(), "no create: {:?}", sim.log());
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
}

#[test]
fn importing_an_id_that_does_not_exist_fails_at_the_block_and_changes_nothing() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &(machine_block("web")
                + "\n"
                + &import_block("mcloud_instance.web", "i-nosuchmachine")),
        ),
    ]);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Cannot import non-existent remote object"),
        "{err}"
    );
    // The import block starts on line 23 of main.sky.hcl (after the 22-line resource block).
    let line = machine_block("web").lines().count() + 2;
    assert!(err.contains(&format!("main.sky.hcl:{line}:1")), "{err}");
    assert!(err.contains("\"i-nosuchmachine\""), "{err}");
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(
        err.contains("Cannot import non-existent remote object"),
        "{err}"
    );
    assert!(!w.state_path().exists(), "no state written");
    assert!(creates(&sim).is_empty(), "{:?}", sim.log());
    assert!(sim.instance_ids().is_empty());
}

#[test]
fn duplicate_import_targets_and_bad_blocks_are_refused_by_validate_and_plan() {
    let w = Work::new(&[(
        "main.sky.hcl",
        &(provider_block("embedded")
            + &machine_block("web")
            + &import_block("mcloud_instance.web", "i-1")
            + &import_block("mcloud_instance.web", "i-2")),
    )]);
    for cmd in [&["validate"][..], &["plan"][..]] {
        let err = w.run(cmd).fails();
        assert!(
            err.contains("Error: Duplicate import configuration for \"mcloud_instance.web\""),
            "{err}"
        );
        assert!(
            err.contains("was already declared at main.sky.hcl:"),
            "{err}"
        );
    }

    let w = Work::new(&[(
        "main.sky.hcl",
        "import {\n  to = module.x\n}\nimport {\n  to = data.mcloud_zones.z\n  id = \"x\"\n}\nimport {\n  id = \"x\"\n  to = mcloud_instance.a\n  for_each = {}\n}\n",
    )]);
    let err = w.run(&["validate"]).fails();
    assert!(err.contains("module.x is a module"), "{err}");
    assert!(err.contains("The argument \"id\" is required"), "{err}");
    assert!(
        err.contains("data.mcloud_zones.z is a data source"),
        "{err}"
    );
    assert!(
        err.contains("An argument named \"for_each\" is not expected here."),
        "{err}"
    );
}

#[test]
fn an_import_into_an_address_in_state_is_a_no_op_for_its_id_and_an_error_for_another() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &machine_block("web")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let managed = state_instance_ids(&w).pop().expect("one machine");
    w.write(
        "imports.sky.hcl",
        &import_block("mcloud_instance.web", &managed),
    );
    let same = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(same.code(), 0, "{}{}", same.stdout(), same.stderr());

    let other = create_behind_back(&sim);
    w.write(
        "imports.sky.hcl",
        &import_block("mcloud_instance.web", &other),
    );
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Resource already managed by skyform"),
        "{err}"
    );
    assert!(err.contains("imports.sky.hcl:1:1"), "{err}");
    assert!(err.contains(&managed) && err.contains(&other), "{err}");
}

#[test]
fn an_import_target_without_configuration_needs_generate_config_out() {
    let sim = Sim::start(&[]);
    let id = create_behind_back(&sim);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &import_block("mcloud_instance.adopted", &id),
        ),
    ]);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Configuration for import target does not exist"),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:2:8"), "{err}");
    assert!(err.contains("-generate-config-out"), "{err}");

    let out = w
        .run(&["plan", "-generate-config-out=generated.sky.hcl"])
        .ok();
    assert!(
        out.contains(
            "  # mcloud_instance.adopted will be imported\n  # (config will be generated)"
        ),
        "{out}"
    );
    assert!(
        out.contains("skyform has generated configuration and written it to generated.sky.hcl."),
        "{out}"
    );
    let generated = std::fs::read_to_string(w.path().join("generated.sky.hcl")).expect("written");
    insta::assert_snapshot!("generated_config", generated.replace(&id, "i-IMPORTED"));
    // The generated file is already in canonical format.
    w.run(&["fmt", "-check"]).ok();

    // An existing file is never overwritten.
    let err = w
        .run(&["plan", "-generate-config-out=generated.sky.hcl"])
        .fails();
    assert!(
        err.contains("Target generated file already exists"),
        "{err}"
    );
    let err = w
        .run(&["plan", "-generate-config-out=generated.tf"])
        .fails();
    assert!(err.contains("does not end in .sky.hcl"), "{err}");

    sim.reset_counts();
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Resources: 1 imported, 0 added"), "{out}");
    assert!(creates(&sim).is_empty(), "{:?}", sim.log());
    let again = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code(), 0, "{}{}", again.stdout(), again.stderr());
}

#[test]
fn an_import_key_the_resource_does_not_expand_to_is_an_error() {
    let sim = Sim::start(&[]);
    let id = create_behind_back(&sim);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &(instance_block("web", 2, "") + &import_block("mcloud_instance.web[5]", &id)),
        ),
    ]);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains(
            "The configuration for the given import target mcloud_instance.web[5] does not exist."
        ),
        "{err}"
    );
}
