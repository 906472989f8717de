//! The modules example: a local module per environment with for_each, variables with
//! validation, outputs; and sensitive values kept out of everything skyform prints.

use crate::common::*;

#[test]
fn modules_example_plans_applies_and_destroys() {
    let w = Work::example("modules");
    let plan = w.run(&["plan"]).ok();
    for addr in [
        "module.fleet[\"prod\"].mcloud_instance.node[0]",
        "module.fleet[\"prod\"].mcloud_instance.node[1]",
        "module.fleet[\"prod\"].mcloud_template.this",
        "module.fleet[\"staging\"].mcloud_instance.node[0]",
        "module.fleet[\"staging\"].mcloud_template.this",
    ] {
        assert!(
            plan.contains(&format!("# {addr} will be created")),
            "{addr} in\n{plan}"
        );
    }
    assert!(
        plan.contains("Plan: 5 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );

    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(
        out.contains("Apply complete! Resources: 5 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(out.contains("\"prod\" = ["), "{out}");
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);

    // Dropping an environment deletes its module instance's resources only.
    let plan = w
        .run(&[
            "plan",
            "-var",
            "environments={prod={size=2, instance_type=\"ecs.c2.medium\"}}",
        ])
        .ok();
    assert!(
        plan.contains("# module.fleet[\"staging\"].mcloud_template.this will be destroyed"),
        "{plan}"
    );
    assert!(
        plan.contains("(because module.fleet[\"staging\"] is not in configuration)"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 2 to destroy."),
        "{plan}"
    );

    let out = w.run(&["destroy", "-auto-approve"]).ok();
    assert!(
        out.contains("Destroy complete! Resources: 5 destroyed."),
        "{out}"
    );
    assert!(state_list(&w).is_empty());
}

#[test]
fn variable_validation_failure_shows_the_users_message() {
    let w = Work::example("modules");
    let err = w
        .run(&["plan", "-var", "environments={prod={size=30}}"])
        .fails();
    assert!(err.contains("Error: Invalid value for variable"), "{err}");
    assert!(
        err.contains("Each environment runs between 0 and 20 machines."),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:"), "{err}");
    let err = w
        .run(&["plan", "-var", "environments={Bad_Name={size=1}}"])
        .fails();
    assert!(
        err.contains("The environment name must be lowercase letters, digits and dashes."),
        "{err}"
    );
}

#[test]
fn sensitive_value_is_printed_nowhere() {
    const SECRET: &str = "s3cr3t-owner-value";
    let w = Work::example("modules");
    let var = format!("owner={SECRET}");
    let mut printed = String::new();
    let mut run = |args: &[&str]| {
        let r = w.run(args);
        assert!(
            r.code() == 0 || r.code() == 2,
            "{:?}: {}{}",
            args,
            r.stdout(),
            r.stderr()
        );
        printed.push_str(&r.stdout());
        printed.push_str(&r.stderr());
    };
    run(&["plan", "-var", &var]);
    run(&["plan", "-var", &var, "-json"]);
    run(&["plan", "-var", &var, "-out", "p.skyplan"]);
    run(&["show", "p.skyplan"]);
    run(&["show", "-json", "p.skyplan"]);
    run(&["apply", "p.skyplan"]);
    run(&["show"]);
    run(&["show", "-json"]);
    run(&["output"]);
    run(&["output", "-json"]);
    run(&["output", "owners"]);
    run(&[
        "state",
        "show",
        "module.fleet[\"prod\"].mcloud_template.this",
    ]);
    run(&["plan", "-var", &var, "-detailed-exitcode"]);
    run(&["destroy", "-var", &var, "-auto-approve"]);
    assert!(
        printed.contains("(sensitive value)"),
        "sensitive values are shown as such"
    );
    assert!(!printed.contains(SECRET), "the secret leaked:\n{printed}");
}

#[test]
fn nested_modules_with_count() {
    let w = Work::new(&[
        (
            "main.sky.hcl",
            "provider \"mcloud\" {\n  endpoint = \"embedded\"\n}\n\nmodule \"region\" {\n  source = \"./region\"\n  count  = 2\n  index  = count.index\n}\n\noutput \"names\" {\n  value = module.region[*].names\n}\n",
        ),
        (
            "region/main.sky.hcl",
            "variable \"index\" {\n  type = number\n}\n\nmodule \"pool\" {\n  source = \"../pool\"\n  prefix = \"r${var.index}\"\n}\n\noutput \"names\" {\n  value = module.pool.names\n}\n",
        ),
        (
            "pool/main.sky.hcl",
            &(String::from("variable \"prefix\" {\n  type = string\n}\n\n")
                + &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.sky.hcl"))
                    .unwrap()
                    .split("resource \"mcloud_template\"")
                    .nth(1)
                    .map(|rest| {
                        format!("resource \"mcloud_template\"{}", rest.split("resource \"mcloud_instance\"").next().unwrap_or(""))
                    })
                    .unwrap()
                    .replace("name                 = \"web\"", "name                 = \"${var.prefix}-pool\"")
                    .replace("local.zone.region_name", "\"cn-beijing\"")
                    .replace("local.zone.zone_name", "\"cn-beijing-c\"")
                    .replace("contains(data.mcloud_zones.beijing.names, var.zone)", "true")
                    .replace("${join(\", \", data.mcloud_zones.beijing.names)}", "")
                + "\noutput \"names\" {\n  value = [mcloud_template.web.name]\n}\n"),
        ),
    ]);
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("# module.region[0].module.pool.mcloud_template.web will be created"),
        "{plan}"
    );
    assert!(
        plan.contains("# module.region[1].module.pool.mcloud_template.web will be created"),
        "{plan}"
    );
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("\"r0-pool\""), "{out}");
    assert!(out.contains("\"r1-pool\""), "{out}");
    assert_eq!(
        state_list(&w),
        vec![
            "module.region[0].module.pool.mcloud_template.web",
            "module.region[1].module.pool.mcloud_template.web"
        ]
    );
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
    w.run(&["destroy", "-auto-approve"]).ok();
}

/// A module holding one template named after `var.name`, using its default `mcloud`.
const TEMPLATE_MODULE: &str = r#"variable "name" {
  type = string
}

resource "mcloud_template" "t" {
  name                 = var.name
  cloud                = "aliyun"
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"
  network {
    internet_charge_type = "PayByBandwidth"
  }
  zone {
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }
}
"#;

/// The root's default configuration points at a closed port: only a module whose
/// `providers` map is honoured reaches the embedded cloud.
const TWO_CONFIGS: &str = "provider \"mcloud\" {\n  endpoint = \"http://127.0.0.1:9\"\n}\n\nprovider \"mcloud\" {\n  alias    = \"other\"\n  endpoint = \"embedded\"\n}\n";

#[test]
fn a_module_call_passes_a_provider_configuration_through_two_levels() {
    let w = Work::new(&[
        (
            "main.sky.hcl",
            &format!("{TWO_CONFIGS}\nmodule \"outer\" {{\n  source    = \"./outer\"\n  providers = {{ mcloud = mcloud.other }}\n}}\n"),
        ),
        (
            "outer/main.sky.hcl",
            "module \"inner\" {\n  source = \"../inner\"\n  name   = \"passed\"\n}\n",
        ),
        ("inner/main.sky.hcl", TEMPLATE_MODULE),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let state = std::fs::read_to_string(w.state_path()).unwrap();
    assert!(
        state.contains("\"provider\": \"provider[\\\"mcloud\\\"].other\""),
        "{state}"
    );
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
    w.run(&["destroy", "-auto-approve"]).ok();
}

#[test]
fn a_proxy_alias_in_a_module_takes_the_configuration_its_caller_passes() {
    let w = Work::new(&[
        (
            "main.sky.hcl",
            &format!("{TWO_CONFIGS}\nmodule \"m\" {{\n  source    = \"./m\"\n  providers = {{ mcloud.west = mcloud.other }}\n}}\n"),
        ),
        (
            "m/main.sky.hcl",
            &format!(
                "provider \"mcloud\" {{\n  alias = \"west\"\n}}\n\n{}",
                TEMPLATE_MODULE
                    .replace("variable \"name\" {\n  type = string\n}\n", "")
                    .replace("var.name", "\"proxied\"")
                    .replace("  name ", "  provider             = mcloud.west\n  name ")
            ),
        ),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);

    // The same module called without passing its proxy is refused at the call.
    w.write(
        "main.sky.hcl",
        &format!("{TWO_CONFIGS}\nmodule \"m\" {{\n  source = \"./m\"\n}}\n"),
    );
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Missing provider configuration for module"),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:10:1"), "{err}");
    assert!(
        err.contains(
            "module.m expects provider mcloud.west to be passed (declared at m/main.sky.hcl:1:1)"
        ),
        "{err}"
    );
}

#[test]
fn provider_configurations_in_child_modules_and_bad_providers_maps_are_errors() {
    let w = Work::new(&[
        (
            "main.sky.hcl",
            "provider \"mcloud\" {\n  endpoint = \"embedded\"\n}\n\nmodule \"m\" {\n  source = \"./m\"\n  name   = \"x\"\n}\n",
        ),
        (
            "m/main.sky.hcl",
            &format!("provider \"mcloud\" {{\n  endpoint = \"embedded\"\n}}\n\n{TEMPLATE_MODULE}"),
        ),
    ]);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Provider configuration in a child module"),
        "{err}"
    );
    assert!(err.contains("m/main.sky.hcl:1:1"), "{err}");
    assert!(
        err.contains("providers = { mcloud = mcloud.ALIAS }"),
        "{err}"
    );
    assert!(!w.state_path().exists());

    for (providers, message, at) in [
        (
            "\"mcloud\"",
            "Error: Invalid providers argument",
            "main.sky.hcl:8:15",
        ),
        (
            "{ mcloud = mcloud[0] }",
            "Error: Invalid provider configuration reference",
            "main.sky.hcl:8:26",
        ),
        (
            "{ mcloud = mcloud.nope }",
            "Error: Provider configuration not present",
            "main.sky.hcl:8:17",
        ),
        (
            "{ mcloud = mcloud, mcloud = mcloud }",
            "Error: Duplicate provider in providers argument",
            "main.sky.hcl:8:34",
        ),
    ] {
        w.write("m/main.sky.hcl", TEMPLATE_MODULE);
        w.write(
            "main.sky.hcl",
            &format!("provider \"mcloud\" {{\n  endpoint = \"embedded\"\n}}\n\nmodule \"m\" {{\n  source    = \"./m\"\n  name      = \"x\"\n  providers = {providers}\n}}\n"),
        );
        let err = w.run(&["validate"]).fails();
        assert!(err.contains(message), "{providers}: {err}");
        assert!(err.contains(at), "{providers}: {err}");
    }
}
