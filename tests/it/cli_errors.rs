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

/// Attributes are kept as text when the state is loaded and decoded when a run reads them:
/// a value that does not decode (a number no float holds, written by hand) stops the run
/// with the object's address, and the file is left as it is.
#[test]
fn unreadable_attributes_in_state_stop_the_run_naming_the_object() {
    let w = Work::example("quickstart");
    w.run(&["apply", "-auto-approve"]).ok();
    let text = std::fs::read_to_string(w.state_path()).unwrap();
    assert!(text.contains("\"attributes\": {"), "{text}");
    let broken = text.replacen("\"attributes\": {", "\"attributes\": {\"id\": 1e400, ", 1);
    std::fs::write(w.state_path(), &broken).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = &state["resources"][0];
    let address = format!(
        "{}.{}",
        first["type"].as_str().unwrap(),
        first["name"].as_str().unwrap()
    );
    for args in [&["plan"][..], &["apply", "-auto-approve"][..]] {
        let err = w.run(args).fails();
        assert!(err.contains("Cannot read the state"), "{err}");
        assert!(
            err.contains(&address)
                && err.contains("its attributes are not readable: number out of range"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(w.state_path()).unwrap(), broken);
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

/// Runs skyform with raw (possibly non-UTF-8) arguments and environment.
fn run_os(w: &Work, args: &[&std::ffi::OsStr], env: &[(&str, &std::ffi::OsStr)]) -> Run {
    let mut cmd = std::process::Command::new(bin());
    cmd.arg("-no-color")
        .args(args)
        .current_dir(w.path())
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run(cmd.output().expect("run skyform"))
}

fn os(bytes: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes)
}

const PIN_CONFIG: &str = "variable \"pin\" {\n  type      = number\n  sensitive = true\n}\n\nvariable \"name\" {\n  type    = string\n  default = \"x\"\n}\n\noutput \"n\" {\n  value = var.name\n}\n";

#[test]
fn non_utf8_environment_is_ignored_or_named_never_a_panic() {
    let w = Work::new(&[("main.sky.hcl", PIN_CONFIG)]);
    // An unrelated variable that is not UTF-8 is none of skyform's business.
    let r = run_os(
        &w,
        &[os(b"plan"), os(b"-var"), os(b"pin=1")],
        &[("SOME_OTHER_VAR", os(b"caf\xe9"))],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    // One that sets a variable is an error that names it.
    let r = run_os(
        &w,
        &[os(b"plan"), os(b"-var"), os(b"pin=1")],
        &[("SKYFORM_VAR_name", os(b"caf\xe9"))],
    );
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        r.stderr()
            .contains("The environment variable SKYFORM_VAR_name is not valid UTF-8"),
        "{}",
        r.stderr()
    );
}

#[test]
fn non_utf8_argument_is_refused_without_echoing_it() {
    let w = Work::new(&[("main.sky.hcl", PIN_CONFIG)]);
    let r = run_os(&w, &[os(b"plan"), os(b"-var"), os(b"name=caf\xe9")], &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(r.stderr().contains("is not valid UTF-8"), "{}", r.stderr());
    assert!(!r.stderr().contains("caf"), "{}", r.stderr());
}

#[test]
fn an_invalid_sensitive_value_appears_in_no_message() {
    let w = Work::new(&[("main.sky.hcl", PIN_CONFIG)]);
    for (how, env) in [
        (vec!["plan", "-var", "pin=SECRETpin4444"], vec![]),
        (vec!["plan"], vec![("SKYFORM_VAR_pin", "SECRETpin4444")]),
        (vec!["plan"], vec![("TF_VAR_pin", "SECRETpin4444")]),
    ] {
        let r = w.run_env(&how, &env);
        assert_eq!(r.code(), 1, "{how:?}: {}", r.stderr());
        let all = format!("{}{}", r.stdout(), r.stderr());
        assert!(!all.contains("SECRETpin4444"), "{how:?} leaked: {all}");
        assert!(all.contains("var.pin"), "{how:?}: {all}");
    }
}

const ONE_OUTPUT: &str = "output \"x\" {\n  value = 1\n}\n";

/// Makes one kind of unreadable file in a working directory.
type MakeBadFile = Box<dyn Fn(&std::path::Path)>;

#[test]
fn a_config_file_that_cannot_be_read_is_an_error_not_skipped() {
    // Each kind of unreadable file: plan must fail naming it, never plan without it.
    let cases: Vec<(&str, MakeBadFile, &str)> = vec![
        (
            "dangling symlink",
            Box::new(|d| {
                std::os::unix::fs::symlink(d.join("gone.txt"), d.join("net.sky.hcl")).unwrap()
            }),
            "is a symbolic link to",
        ),
        (
            "symlink loop",
            Box::new(|d| {
                std::os::unix::fs::symlink(d.join("b.sky.hcl"), d.join("a.sky.hcl")).unwrap();
                std::os::unix::fs::symlink(d.join("a.sky.hcl"), d.join("b.sky.hcl")).unwrap();
            }),
            "cannot be followed",
        ),
        (
            "directory",
            Box::new(|d| std::fs::create_dir(d.join("dir.sky.hcl")).unwrap()),
            "it is a directory",
        ),
        (
            "fifo",
            Box::new(|d| {
                let path = std::ffi::CString::new(
                    d.join("pipe.sky.hcl").into_os_string().into_encoded_bytes(),
                )
                .unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
            }),
            "not a regular file",
        ),
        (
            "non-UTF-8 name",
            Box::new(|d| {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"caf\xe9.sky.hcl");
                std::fs::write(d.join(name), ONE_OUTPUT).unwrap();
            }),
            "is not valid UTF-8",
        ),
    ];
    for (what, make, expected) in cases {
        let w = Work::new(&[("main.sky.hcl", ONE_OUTPUT)]);
        make(w.path());
        let r = w.run(&["plan"]);
        assert_eq!(r.code(), 1, "{what}: {}", r.stderr());
        assert!(r.stderr().contains(expected), "{what}: {}", r.stderr());
        assert!(!r.stdout().contains("Plan:"), "{what}: {}", r.stdout());
    }
}

#[test]
fn non_utf8_content_names_its_line_and_column() {
    let w = Work::new(&[("main.sky.hcl", ONE_OUTPUT)]);
    std::fs::write(
        w.path().join("bad.sky.hcl"),
        b"locals {\n  name = \"caf\xe9\"\n}\n",
    )
    .unwrap();
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("bad.sky.hcl:2:14"), "{err}");
    assert!(err.contains("not valid UTF-8"), "{err}");
}

#[test]
fn validate_catches_what_plan_would_reject_without_an_api_call() {
    let module = ("mod/main.sky.hcl", "variable \"x\" {\n  default = 1\n}\n");
    let cases = [
        (
            "module \"m\" {\n  source = \"./mod\"\n  count  = -1\n}\n",
            "Invalid count argument",
        ),
        (
            "module \"m\" {\n  source = \"./mod\"\n  count  = 1.5\n}\n",
            "Invalid count argument",
        ),
        (
            "module \"m\" {\n  source = \"./mod\"\n  count  = 1e400\n}\n",
            "Invalid count argument",
        ),
        (
            "module \"m\" {\n  source   = \"./mod\"\n  for_each = 3\n}\n",
            "Invalid for_each argument",
        ),
        (
            "locals {\n  a = nosuchfn(1)\n}\n",
            "Call to unknown function",
        ),
        ("locals {\n  a = range(1e12)\n}\n", "Error in function call"),
        (
            "variable \"v\" {\n  type    = number\n  default = \"abc\"\n}\n",
            "Invalid value for input variable",
        ),
    ];
    for (config, summary) in cases {
        let w = Work::new(&[("main.sky.hcl", config), module]);
        let validated = w.run(&["validate"]);
        assert_eq!(validated.code(), 1, "{config}{}", validated.stdout());
        assert!(
            validated.stderr().contains(&format!("Error: {summary}")),
            "{config}{}",
            validated.stderr()
        );
        let planned = w.run(&["plan", "-input=false"]);
        assert_eq!(planned.code(), 1, "{config}");
        assert!(
            planned.stderr().contains(&format!("Error: {summary}")),
            "{config}{}",
            planned.stderr()
        );
    }
    // Unknown root variables do not make validate fail where plan would need a value.
    let w = Work::new(&[
        (
            "main.sky.hcl",
            "variable \"n\" {\n  type = number\n}\n\nmodule \"m\" {\n  source = \"./mod\"\n  count  = var.n\n}\n\nresource \"mcloud_instance\" \"x\" {\n  count = var.n\n  cloud = \"aliyun\"\n}\n",
        ),
        module,
    ]);
    let out = w.run(&["validate"]);
    assert_eq!(out.code(), 1, "{}", out.stdout());
    // The instance body is still checked against its schema.
    assert!(
        out.stderr().contains("Missing required argument"),
        "{}",
        out.stderr()
    );
    assert!(
        !out.stderr().contains("Invalid count argument"),
        "{}",
        out.stderr()
    );
}

#[test]
fn validate_passes_a_valid_configuration_with_resources_and_modules() {
    for example in ["quickstart", "modules", "mcloud-fleet"] {
        let w = Work::example(example);
        let out = w.run(&["validate"]);
        assert_eq!(out.code(), 0, "{example}: {}", out.stderr());
        assert!(
            out.stdout().contains("Success!"),
            "{example}: {}",
            out.stdout()
        );
    }
}
