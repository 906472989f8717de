//! Bad input: each gets a precise message (file:line:col where there is a file) and leaves
//! state and the cloud as they were.

use crate::common::*;

fn embedded() -> String {
    "provider \"mcloud\" {\n  endpoint = \"embedded\"\n}\n".to_string()
}

#[test]
fn hcl_syntax_error_has_location_and_snippet() {
    let w = Work::new(&[("main.sky.hcl", "locals {\n  a = [1 2]\n}\n")]);
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("Error: Missing item separator"), "{err}");
    assert!(err.contains("main.sky.hcl:2:"), "{err}");
    assert!(err.contains("   2:   a = [1 2]"), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(!w.path().join("state").exists(), "nothing written");
}

#[test]
fn unknown_attribute_suggests_the_close_one() {
    let w = Work::new(&[(
        "main.sky.hcl",
        &(embedded() + &instance_block("web", 1, "  instnce_type = \"x\"\n")),
    )]);
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("Error: Unsupported argument"), "{err}");
    assert!(err.contains("An argument named \"instnce_type\" is not expected here. Did you mean \"instance_type\"?"), "{err}");
    assert!(err.contains("main.sky.hcl:13:3"), "{err}");
    let v = w.run(&["validate"]);
    assert_eq!(v.code(), 1);
    assert!(v.stderr().contains("Did you mean \"instance_type\"?"));
}

#[test]
fn reference_to_undeclared_resource() {
    let w = Work::new(&[(
        "main.sky.hcl",
        &(embedded() + "output \"x\" {\n  value = mcloud_template.nope.id\n}\n"),
    )]);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Reference to undeclared resource"),
        "{err}"
    );
    assert!(err.contains("A managed resource \"mcloud_template\" \"nope\" has not been declared in the root module."), "{err}");
    assert!(err.contains("main.sky.hcl:5:11"), "{err}");
}

#[test]
fn dependency_cycle_names_every_member() {
    let w = Work::new(&[(
        "main.sky.hcl",
        "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n",
    )]);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Cycle: local.a, local.b, local.c"),
        "{err}"
    );
    let w = Work::new(&[(
        "main.sky.hcl",
        &(embedded()
            + &instance_block("a", 1, "  depends_on = [mcloud_instance.b]\n")
            + &instance_block("b", 1, "  depends_on = [mcloud_instance.a]\n")),
    )]);
    let err = w.run(&["validate"]).fails();
    assert!(
        err.contains("Cycle: mcloud_instance.a, mcloud_instance.b"),
        "{err}"
    );
}

#[test]
fn second_apply_while_locked_is_refused_clearly() {
    let w = Work::example("quickstart");
    w.run(&["apply", "-auto-approve"]).ok();
    let before = std::fs::read(w.state_path()).unwrap();
    // A lock as a running apply holds it: the details in the file, the kernel lock on it
    // (held here by this test's open file).
    let lock_path = w.path().join("state/default.json.lock");
    std::fs::write(
        &lock_path,
        r#"{"ID":"6f1c2d3e-0000-4000-8000-000000000001","Operation":"OperationTypeApply","Who":"alice@ci-runner","Version":"0.1.0","Created":"2026-11-23T05:00:00Z","Path":"state/default.json"}"#,
    )
    .unwrap();
    let holder = std::fs::File::open(&lock_path).unwrap();
    holder.lock().unwrap();
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(
        err.contains("Error: Error acquiring the state lock"),
        "{err}"
    );
    assert!(err.contains("alice@ci-runner"), "{err}");
    assert!(err.contains("OperationTypeApply"), "{err}");
    assert!(
        err.contains("6f1c2d3e-0000-4000-8000-000000000001"),
        "{err}"
    );
    assert!(err.contains("force-unlock"), "{err}");
    assert_eq!(
        std::fs::read(w.state_path()).unwrap(),
        before,
        "state untouched"
    );
    w.run(&[
        "force-unlock",
        "-force",
        "6f1c2d3e-0000-4000-8000-000000000001",
    ])
    .ok();
    // Broken while its holder still runs.
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
    drop(holder);
}

#[test]
fn stale_saved_plan_is_refused() {
    let w = Work::example("quickstart");
    w.run(&["plan", "-out", "first.skyplan"]).ok();
    w.run(&["apply", "-auto-approve"]).ok();
    let before = std::fs::read(w.state_path()).unwrap();
    let err = w.run(&["apply", "first.skyplan"]).fails();
    assert!(err.contains("Error: Saved plan is stale"), "{err}");
    assert!(
        err.contains("state was changed by another operation after the plan was created"),
        "{err}"
    );
    assert_eq!(std::fs::read(w.state_path()).unwrap(), before);

    // A fresh saved plan applies, and exactly once.
    w.write(
        "main.sky.hcl",
        &std::fs::read_to_string(w.path().join("main.sky.hcl"))
            .unwrap()
            .replace("default     = 3", "default     = 4"),
    );
    w.run(&["plan", "-out", "second.skyplan"]).ok();
    let out = w.run(&["apply", "second.skyplan"]).ok();
    assert!(
        out.contains("Resources: 1 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(w
        .run(&["apply", "second.skyplan"])
        .fails()
        .contains("Saved plan is stale"));
}

#[test]
fn corrupt_state_is_refused_and_not_overwritten() {
    let w = Work::example("quickstart");
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    let garbage = "{\"version\": 4, \"serial\": 3, \"lineage\": ";
    std::fs::write(w.state_path(), garbage).unwrap();
    for args in [
        &["plan"][..],
        &["apply", "-auto-approve"][..],
        &["state", "list"][..],
    ] {
        let err = w.run(args).fails();
        assert!(err.contains("Failed to load state"), "{err}");
        assert!(err.contains("not valid JSON"), "{err}");
        assert_eq!(
            std::fs::read_to_string(w.state_path()).unwrap(),
            garbage,
            "file untouched"
        );
    }
}

#[test]
fn missing_required_variable_with_input_false() {
    let w = Work::new(&[(
        "main.sky.hcl",
        "variable \"region\" {\n  type = string\n}\n\noutput \"r\" {\n  value = var.region\n}\n",
    )]);
    let err = w.run(&["plan", "-input=false"]).fails();
    assert!(
        err.contains("Error: No value for required variable"),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:1:1"), "{err}");
    let ok = w.run(&["plan", "-var", "region=cn-beijing"]).ok();
    assert!(ok.contains("+ r = \"cn-beijing\""), "{ok}");
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let deep = format!(
        "locals {{\n  a = {}1{}\n}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let w = Work::new(&[("main.sky.hcl", &deep)]);
    let r = w.run(&["plan"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(r.stderr().contains("Error:"), "{}", r.stderr());
}
