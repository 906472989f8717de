//! Terraform habits, each through the real binary as Terraform 1.x behaves: help spellings,
//! `version -json`, JSON variable files, `-var` refused with a saved plan, the `-target`
//! warning, `output -json` types, `validate -json` snippets, `init` in an empty folder and
//! its `.gitignore`, `show` printing nested blocks, the destroy prompt's wording, shell
//! completions and the debug log.

use crate::common::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn with_stdin(w: &Work, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(bin())
        .arg("-no-color")
        .args(args)
        .current_dir(w.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const VARS: &str = r#"
variable "name" {
  type = string
}

variable "sizes" {
  type    = list(number)
  default = []
}

output "greeting" {
  value = "hello ${var.name}"
}

output "sizes" {
  value = var.sizes
}
"#;

#[test]
fn eco_help_spellings_show_the_commands_help() {
    let w = Work::new(&[]);
    let plan_help = w.run(&["plan", "-help"]).ok();
    assert!(plan_help.starts_with("Show the changes that apply would make"));
    assert_eq!(w.run(&["-help", "plan"]).ok(), plan_help);
    assert_eq!(w.run(&["help", "plan"]).ok(), plan_help);
    let top = w.run(&["help"]).ok();
    assert!(top.contains("Usage: skyform [OPTIONS] <COMMAND>"), "{top}");
    // Every flag and argument of every command says what it does.
    for cmd in [
        &["show"][..],
        &["import"],
        &["output"],
        &["console"],
        &["force-unlock"],
        &["state", "rm"],
        &["state", "push"],
        &["state", "mv"],
        &["providers", "schema"],
        &["version"],
    ] {
        let mut args = cmd.to_vec();
        args.push("-help");
        let help = w.run(&args).ok();
        for line in help.lines().filter(|l| {
            let t = l.trim_start();
            t.starts_with("--") || t.starts_with('<') || t.starts_with('[')
        }) {
            assert!(
                line.trim().contains("  "),
                "{cmd:?}: undescribed: {line:?}\n{help}"
            );
        }
    }
    insta::assert_snapshot!("output_help", w.run(&["help", "output"]).ok());
}

#[test]
fn eco_version_json_and_completions() {
    let w = Work::new(&[]);
    let v: serde_json::Value =
        serde_json::from_str(&w.run(&["version", "-json"]).ok()).expect("json");
    assert_eq!(v["skyform_version"], env!("CARGO_PKG_VERSION"));
    assert!(v["terraform_version"]
        .as_str()
        .is_some_and(|t| t.ends_with(&format!("+skyform.{}", env!("CARGO_PKG_VERSION")))));
    assert!(v["platform"].as_str().is_some_and(|p| p.contains('_')));
    assert_eq!(v["terraform_outdated"], false);
    assert_eq!(
        v["provider_selections"]["skyform.io/builtin/mcloud"],
        env!("CARGO_PKG_VERSION")
    );
    for (shell, marker) in [
        ("bash", "complete -F _skyform"),
        ("zsh", "#compdef skyform"),
        ("fish", "complete -c skyform"),
    ] {
        let s = w.run(&["completions", shell]).ok();
        assert!(s.contains(marker), "{shell}: {s}");
        assert!(s.contains("auto-approve"), "{shell}");
    }
    assert_eq!(w.run(&["completions", "tcsh"]).code(), 1);
}

#[test]
fn eco_json_variable_files_and_tf_var() {
    let w = Work::new(&[
        ("main.sky.hcl", VARS),
        (
            "skyform.skyvars.json",
            r#"{"name": "from-json", "sizes": [1, 2]}"#,
        ),
        ("more.auto.skyvars.json", r#"{"sizes": [3]}"#),
        ("explicit.json", r#"{"name": "from-var-file"}"#),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let out = w.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["greeting"]["value"], "hello from-json");
    assert_eq!(
        v["sizes"]["value"],
        serde_json::json!([3]),
        "auto file wins"
    );
    // output -json carries Terraform's type.
    assert_eq!(v["greeting"]["type"], "string");
    assert_eq!(v["sizes"]["type"], serde_json::json!(["tuple", ["number"]]));
    insta::assert_snapshot!("output_json", out);

    w.run(&["apply", "-auto-approve", "-var-file=explicit.json"])
        .ok();
    assert_eq!(
        w.run(&["output", "-raw", "greeting"]).ok(),
        "hello from-var-file"
    );
    // Terraform's TF_VAR_ names work too (below every file, as in Terraform).
    let env_only = Work::new(&[("main.sky.hcl", VARS)]);
    env_only
        .run_env(&["apply", "-auto-approve"], &[("TF_VAR_name", "env")])
        .ok();
    assert_eq!(
        env_only.run(&["output", "-raw", "greeting"]).ok(),
        "hello env"
    );

    w.write("bad.json", r#"{"nope": 1}"#);
    let err = w.run(&["plan", "-var-file=bad.json"]).fails();
    assert!(err.contains("Value for undeclared variable"), "{err}");
    w.write("bad.json", "[1]");
    let err = w.run(&["plan", "-var-file=bad.json"]).fails();
    assert!(err.contains("Invalid JSON variables file"), "{err}");
}

#[test]
fn eco_saved_plan_refuses_var_and_target_warns() {
    let w = Work::new(&[("main.sky.hcl", VARS)]);
    w.run(&["plan", "-var", "name=a", "-out=tfplan"]).ok();
    let r = w.run(&["apply", "-var", "name=b", "tfplan"]);
    let err = r.fails();
    insta::assert_snapshot!("saved_plan_with_var", err);
    let r = w.run(&["apply", "-var-file=x.json", "tfplan"]);
    assert!(r
        .fails()
        .contains("Can't set variables when applying a saved plan"));
    // The saved plan still applies without them.
    w.run(&["apply", "tfplan"]).ok();

    let w = Work::example("quickstart");
    let r = w.run(&["plan", "-target=mcloud_template.web"]);
    let out = r.ok();
    assert!(out.contains("Plan: 1 to add"), "{out}");
    insta::assert_snapshot!("target_warning", r.stderr());
    let r = w.run(&["apply", "-auto-approve", "-target=mcloud_template.web"]);
    r.ok();
    assert!(r
        .stderr()
        .contains("Warning: Resource targeting is in effect"));
    assert!(r
        .stderr()
        .contains("Warning: Applied changes may be incomplete"));
}

#[test]
fn eco_validate_json_has_snippets() {
    let w = Work::new(&[("main.sky.hcl", "output \"x\" {\n  value = var.nope\n}\n")]);
    let r = w.run(&["validate", "-json"]);
    assert_eq!(r.code(), 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["snippet"]["code"], "  value = var.nope");
    assert_eq!(d["snippet"]["start_line"], 2);
    assert_eq!(d["snippet"]["highlight_start_offset"], 10);
    assert_eq!(d["snippet"]["highlight_end_offset"], 18);
    assert!(d["snippet"]["values"].is_array());
}

#[test]
fn eco_init_empty_folder_and_gitignore() {
    let w = Work::new(&[]);
    let out = w.run(&["init"]).ok();
    insta::assert_snapshot!("init_empty", out);
    assert!(!w.path().join("state").exists());
    assert!(!w.path().join(".gitignore").exists());

    let w = Work::new(&[("main.sky.hcl", VARS)]);
    let out = w.run(&["init"]).ok();
    assert!(out.contains("Wrote .gitignore"), "{out}");
    let gi = std::fs::read_to_string(w.path().join(".gitignore")).expect(".gitignore");
    insta::assert_snapshot!("init_gitignore", gi);
    // An existing .gitignore is left alone.
    w.write(".gitignore", "mine\n");
    let out = w.run(&["init"]).ok();
    assert!(!out.contains("Wrote .gitignore"), "{out}");
    assert_eq!(
        std::fs::read_to_string(w.path().join(".gitignore")).expect("read"),
        "mine\n"
    );
}

#[test]
fn eco_show_prints_nested_blocks_and_destroy_wording() {
    let w = Work::example("quickstart");
    w.run(&["apply", "-auto-approve"]).ok();
    let shown = w.run(&["state", "show", "mcloud_template.web"]).ok();
    assert!(shown.contains("\n    network {\n"), "{shown}");
    assert!(!shown.contains("\"internet_charge_type\""), "{shown}");
    let mut normalized = String::new();
    for l in shown.lines() {
        let t = l.trim_start();
        if t.starts_with("id ")
            || t.starts_with("last_correlation_id")
            || t.starts_with("create_time")
        {
            normalized.push_str(&format!("{}<…>\n", &l[..l.find('=').map_or(0, |i| i + 2)]));
        } else {
            normalized.push_str(l);
            normalized.push('\n');
        }
    }
    insta::assert_snapshot!("state_show_blocks", normalized);

    let (code, out, err) = with_stdin(&w, &["destroy"], "no\n");
    assert_eq!(code, 1);
    assert!(out.contains("Do you really want to destroy all resources?"));
    assert_eq!(err, "\nError: Destroy cancelled.\n");

    w.run(&["destroy", "-auto-approve"]).ok();
    let out = w.run(&["destroy", "-auto-approve"]).ok();
    assert!(
        out.contains("Destroy complete! Resources: 0 destroyed."),
        "{out}"
    );
    assert!(!out.contains("Outputs:"), "{out}");
}

#[test]
fn eco_debug_log_goes_to_a_file_without_values() {
    let w = Work::new(&[("main.sky.hcl", VARS)]);
    let log = w.path().join("debug.log");
    let log_s = log.to_string_lossy().to_string();
    w.run_env(
        &["apply", "-auto-approve", "-var", "name=s3cr3t-value"],
        &[("SKYFORM_LOG", "debug"), ("SKYFORM_LOG_PATH", &log_s)],
    )
    .ok();
    let text = std::fs::read_to_string(&log).expect("log written");
    assert!(text.contains("skyform starting"), "{text}");
    assert!(text.contains("DEBUG") || text.contains("INFO"), "{text}");
    // Without SKYFORM_LOG nothing is logged to stderr.
    let r = w.run(&["plan", "-var", "name=x"]);
    assert_eq!(r.stderr(), "");
    let r = w.run_env(&["plan", "-var", "name=x"], &[("TF_LOG", "info")]);
    assert!(r.stderr().contains("skyform starting"), "{}", r.stderr());
}

/// A template and a group of `n` machines with an output built from the group's instances.
fn group(n: u32) -> String {
    format!(
        r#"provider "mcloud" {{
  endpoint = "embedded"
}}

resource "mcloud_template" "t" {{
  name                 = "t"
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

resource "mcloud_instance_group" "g" {{
  template_id    = mcloud_template.t.id
  instance_count = {n}
}}

output "members" {{
  value = length(mcloud_instance_group.g.instances)
}}
"#
    )
}

#[test]
fn eco_group_count_change_shows_instances_and_outputs_changing() {
    let w = Work::new(&[("main.sky.hcl", &group(1))]);
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(w.run(&["output", "-raw", "members"]).ok(), "1");
    w.write("main.sky.hcl", &group(2));
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("~ instances") && plan.contains("(known after apply)"),
        "{plan}"
    );
    assert!(plan.contains("Changes to Outputs:"), "{plan}");
    assert!(
        plan.contains("~ members = 1 -> (known after apply)"),
        "{plan}"
    );
    w.run(&["plan", "-out=tfplan"]).ok();
    let doc: serde_json::Value =
        serde_json::from_str(&w.run(&["show", "-json", "tfplan"]).ok()).expect("json");
    assert_eq!(
        doc["output_changes"]["members"]["actions"],
        serde_json::json!(["update"])
    );
    assert_eq!(doc["output_changes"]["members"]["after_unknown"], true);
    w.run(&["apply", "tfplan"]).ok();
    assert_eq!(w.run(&["output", "-raw", "members"]).ok(), "2");
    // Unchanged count: the instances stay known and nothing is planned.
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}

#[test]
fn eco_console_reports_undeclared_references_like_terraform() {
    let w = Work::new(&[("main.sky.hcl", "locals {\n  a = 1\n}\n")]);
    let (code, out, err) = with_stdin(
        &w,
        &["console"],
        "x\ncan(local.nope)\nlocal.a\nvar.nope\ncan(local.a)\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "ERROR Invalid reference\nERROR Reference to undeclared local value\n1\nERROR Reference to undeclared input variable\ntrue\n"
    );
    insta::assert_snapshot!("console_reference_errors", err);
}

#[test]
fn eco_negative_count_says_it_once() {
    let w = Work::new(&[(
        "main.sky.hcl",
        "provider \"mcloud\" {\n  endpoint = \"embedded\"\n}\n\nresource \"mcloud_instance_group\" \"g\" {\n  count          = -1\n  template_id    = \"x\"\n  instance_count = 1\n}\n",
    )]);
    let err = w.run(&["plan"]).fails();
    assert_eq!(
        err.matches("argument value is unsuitable").count(),
        1,
        "{err}"
    );
    insta::assert_snapshot!("negative_count", err);
}
