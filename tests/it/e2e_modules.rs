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
