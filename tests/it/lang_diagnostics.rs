//! Each language diagnostic a user can hit, through the real binary: exact summary, the
//! detail that says what to do, and file:line:col.

use crate::common::*;

fn plan_error(files: &[(&str, &str)]) -> String {
    Work::new(files).run(&["plan", "-input=false"]).fails()
}

#[test]
fn type_conversion_failure_names_the_element() {
    let err = plan_error(&[(
        "main.sky.hcl",
        "variable \"sizes\" {\n  type    = list(number)\n  default = [1, \"two\", 3]\n}\n\noutput \"s\" {\n  value = var.sizes\n}\n",
    )]);
    assert!(
        err.contains("Error: Invalid value for input variable"),
        "{err}"
    );
    assert!(err.contains("var.sizes"), "{err}");
    assert!(err.contains("[1]"), "names the failing element: {err}");
    assert!(err.contains("a number is required"), "{err}");
    assert!(err.contains("main.sky.hcl:1:1"), "{err}");
}

#[test]
fn unknown_function_suggests_a_name() {
    let err = plan_error(&[(
        "main.sky.hcl",
        "locals {\n  x = uper(\"a\")\n}\n\noutput \"x\" {\n  value = local.x\n}\n",
    )]);
    assert!(err.contains("Error: Call to unknown function"), "{err}");
    assert!(err.contains("Did you mean \"upper\"?"), "{err}");
    assert!(err.contains("main.sky.hcl:2:7"), "{err}");
}

#[test]
fn wrong_argument_count() {
    let err = plan_error(&[(
        "main.sky.hcl",
        "locals {\n  x = upper(\"a\", \"b\")\n}\n\noutput \"x\" {\n  value = local.x\n}\n",
    )]);
    assert!(err.contains("Error: Too many function arguments"), "{err}");
    assert!(err.contains("main.sky.hcl:2:"), "{err}");
    let err = plan_error(&[(
        "main.sky.hcl",
        "locals {\n  x = substr(\"a\")\n}\n\noutput \"x\" {\n  value = local.x\n}\n",
    )]);
    assert!(
        err.contains("Error: Not enough function arguments"),
        "{err}"
    );
    assert!(
        err.contains("Function \"substr\" expects 3 argument(s). Missing value for \"offset\"."),
        "{err}"
    );
}

#[test]
fn undeclared_variable_local_and_module_output() {
    let err = plan_error(&[(
        "main.sky.hcl",
        "variable \"region\" {\n  default = \"x\"\n}\n\noutput \"x\" {\n  value = var.regoin\n}\n",
    )]);
    assert!(
        err.contains("Error: Reference to undeclared input variable"),
        "{err}"
    );
    assert!(err.contains("An input variable with the name \"regoin\" has not been declared. Did you mean \"region\"?"), "{err}");
    assert!(err.contains("main.sky.hcl:6:11"), "{err}");

    let err = plan_error(&[(
        "main.sky.hcl",
        "locals {\n  a = 1\n}\n\noutput \"x\" {\n  value = local.b\n}\n",
    )]);
    assert!(
        err.contains("Error: Reference to undeclared local value"),
        "{err}"
    );
    assert!(
        err.contains("A local value with the name \"b\" has not been declared."),
        "{err}"
    );

    let err = plan_error(&[
        ("main.sky.hcl", "module \"net\" {\n  source = \"./net\"\n}\n\noutput \"x\" {\n  value = module.net.subnet\n}\n"),
        ("net/main.sky.hcl", "output \"subnet_id\" {\n  value = \"s-1\"\n}\n"),
    ]);
    assert!(err.contains("Error: Unsupported attribute"), "{err}");
    assert!(
        err.contains(
            "This object does not have an attribute named \"subnet\". Did you mean \"subnet_id\"?"
        ),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:6:11"), "{err}");
}

#[test]
fn duplicate_declarations() {
    let err = plan_error(&[
        ("a.sky.hcl", "variable \"x\" {}\nlocals {\n  l = 1\n}\n"),
        ("b.sky.hcl", "variable \"x\" {}\nlocals {\n  l = 2\n}\noutput \"o\" {\n  value = 1\n}\noutput \"o\" {\n  value = 2\n}\n"),
    ]);
    assert!(
        err.contains("Error: Duplicate variable declaration"),
        "{err}"
    );
    assert!(
        err.contains("A variable named \"x\" was already declared at a.sky.hcl:1:1"),
        "{err}"
    );
    assert!(
        err.contains("Error: Duplicate local value definition"),
        "{err}"
    );
    assert!(err.contains("Error: Duplicate output definition"), "{err}");
    assert!(err.contains("b.sky.hcl:1:1"), "{err}");
}

#[test]
fn module_source_that_does_not_exist() {
    let err = plan_error(&[(
        "main.sky.hcl",
        "module \"net\" {\n  source = \"./modules/nope\"\n}\n",
    )]);
    assert!(err.contains("Error: Unreadable module directory"), "{err}");
    assert!(
        err.contains("The directory modules/nope does not exist or cannot be read."),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:1:1"), "{err}");
    let err = plan_error(&[(
        "main.sky.hcl",
        "module \"net\" {\n  source = \"hashicorp/consul/aws\"\n}\n",
    )]);
    assert!(err.contains("Error: Unsupported module source"), "{err}");
}

#[test]
fn module_inputs_are_checked() {
    let err = plan_error(&[
        (
            "main.sky.hcl",
            "module \"m\" {\n  source = \"./m\"\n  nmae   = \"x\"\n}\n",
        ),
        ("m/main.sky.hcl", "variable \"name\" {}\n"),
    ]);
    assert!(err.contains("Error: Unsupported argument"), "{err}");
    assert!(err.contains("Did you mean \"name\"?"), "{err}");
    assert!(err.contains("Error: Missing required argument"), "{err}");
}

#[test]
fn count_in_a_non_counted_context() {
    let err = plan_error(&[("main.sky.hcl", "output \"x\" {\n  value = count.index\n}\n")]);
    assert!(
        err.contains("Error: Reference to \"count\" in non-counted context"),
        "{err}"
    );
    assert!(err.contains("main.sky.hcl:2:11"), "{err}");
}

#[test]
fn validate_json_reports_ranges() {
    let w = Work::new(&[("main.sky.hcl", "locals {\n  a = local.b\n}\n")]);
    let r = w.run(&["validate", "-json"]);
    assert_eq!(r.code(), 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["error_count"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["summary"], "Reference to undeclared local value");
    assert_eq!(d["range"]["filename"], "main.sky.hcl");
    assert_eq!(d["range"]["start"]["line"], 2);
    assert_eq!(d["range"]["start"]["column"], 7);

    let ok = Work::new(&[("main.sky.hcl", "locals {\n  a = 1\n}\n")])
        .run(&["validate", "-json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
    assert_eq!(v["valid"], true);
}

#[test]
fn var_precedence_follows_terraform() {
    let w = Work::new(&[
        (
            "main.sky.hcl",
            "variable \"v\" {\n  default = \"default\"\n}\n\noutput \"v\" {\n  value = var.v\n}\n",
        ),
        ("skyform.skyvars.hcl", "v = \"vars-file\"\n"),
        ("b.auto.skyvars.hcl", "v = \"auto-b\"\n"),
        ("a.auto.skyvars.hcl", "v = \"auto-a\"\n"),
        ("extra.hcl", "v = \"var-file\"\n"),
    ]);
    let out = |args: &[&str], env: &[(&str, &str)]| w.run_env(args, env).ok();
    assert!(out(&["plan"], &[("SKYFORM_VAR_v", "env")]).contains("+ v = \"auto-b\""));
    assert!(out(&["plan", "-var-file=extra.hcl"], &[]).contains("+ v = \"var-file\""));
    assert!(out(&["plan", "-var-file=extra.hcl", "-var", "v=cli"], &[]).contains("+ v = \"cli\""));
    // -var and -var-file apply in the order given, as in Terraform.
    assert!(
        out(&["plan", "-var", "v=cli", "-var-file=extra.hcl"], &[]).contains("+ v = \"var-file\"")
    );
    std::fs::remove_file(w.path().join("a.auto.skyvars.hcl")).unwrap();
    std::fs::remove_file(w.path().join("b.auto.skyvars.hcl")).unwrap();
    std::fs::remove_file(w.path().join("skyform.skyvars.hcl")).unwrap();
    assert!(out(&["plan"], &[("SKYFORM_VAR_v", "env")]).contains("+ v = \"env\""));
    let err = w.run(&["plan", "-var", "nope=1"]).fails();
    assert!(
        err.contains("Error: Value for undeclared variable"),
        "{err}"
    );
}
