//! The modules example: a local module per environment with for_each, variables with
//! validation, outputs; and sensitive values kept out of everything skyform prints.

mod common;

use common::*;

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
