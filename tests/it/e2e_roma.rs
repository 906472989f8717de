//! End to end: the real binary reading `data "roma_instances"` from the embedded
//! simulator and from `skyform sim -cloud roma` (whose counters show the calls), with
//! credentials from the environment, and a wrong password reported by name.

use crate::common::*;

const CONFIG: &str = r#"
data "roma_instances" "all" {}

locals {
  statuses = [for i in data.roma_instances.all.instances : i.status]
}

output "by_status" {
  value = { for s in distinct(local.statuses) : s => length([for x in local.statuses : x if x == s]) }
}

output "total" {
  value = data.roma_instances.all.total
}
"#;

fn outputs(w: &Work) -> serde_json::Value {
    let out = w.run(&["output", "-json"]).ok();
    serde_json::from_str(&out).expect("output -json")
}

#[test]
fn instances_per_status_from_the_embedded_simulator() {
    let w = Work::new(&[(
        "main.sky.hcl",
        &format!("provider \"roma\" {{\n  endpoint = \"embedded\"\n}}\n{CONFIG}"),
    )]);
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    let o = outputs(&w);
    // The default generated set: 10 instances, the 7th CREATING.
    assert_eq!(
        o["by_status"]["value"],
        serde_json::json!({"CREATING": 1, "RUNNING": 9})
    );
    assert_eq!(o["total"]["value"], 10);
}

#[test]
fn a_thousand_instances_through_the_sim_process_with_env_credentials() {
    let sim = Sim::start(&[
        "-cloud",
        "roma",
        "-roma-instances",
        "1000",
        "-roma-user",
        "ops",
        "-roma-password",
        "pw-from-env-1",
        "-roma-domain",
        "acme",
    ]);
    let w = Work::new(&[("main.sky.hcl", &format!("provider \"roma\" {{}}\n{CONFIG}"))]);
    let endpoint = sim.endpoint();
    let env = [
        ("ROMA_ENDPOINT", endpoint.as_str()),
        ("ROMA_IAM_ENDPOINT", endpoint.as_str()),
        ("ROMA_USER_NAME", "ops"),
        ("ROMA_PASSWORD", "pw-from-env-1"),
        ("ROMA_DOMAIN_NAME", "acme"),
        ("ROMA_PROJECT_NAME", "cn-north-4"),
    ];
    // One plan reads the data source once: ten pages of 100 and one token.
    let out = w.run_env(&["plan"], &env);
    assert_eq!(out.code(), 0, "{}{}", out.stdout(), out.stderr());
    let counts = sim.counts();
    assert_eq!(counts["GET /v2/{project_id}/instances"], 10, "{counts:?}");
    assert_eq!(counts["POST /v3/auth/tokens"], 1, "{counts:?}");
    let out = w.run_env(&["apply", "-auto-approve"], &env);
    assert_eq!(out.code(), 0, "{}{}", out.stdout(), out.stderr());
    // The apply read it once more (its own plan: ten pages), not twice: the apply uses
    // what its plan read.
    let counts = sim.counts();
    assert_eq!(counts["GET /v2/{project_id}/instances"], 20, "{counts:?}");
    let o = outputs(&w);
    // Of 1000 generated: every 11th ERROR (90), every 7th CREATING unless ERROR (130).
    assert_eq!(
        o["by_status"]["value"],
        serde_json::json!({"CREATING": 130, "ERROR": 90, "RUNNING": 780})
    );
    assert_eq!(o["total"]["value"], 1000);

    // A wrong password: exit 1, the message names the settings, never the value.
    let bad = [
        ("ROMA_ENDPOINT", endpoint.as_str()),
        ("ROMA_IAM_ENDPOINT", endpoint.as_str()),
        ("ROMA_USER_NAME", "ops"),
        ("ROMA_PASSWORD", "guessed-wrong-77"),
        ("ROMA_DOMAIN_NAME", "acme"),
        ("ROMA_PROJECT_NAME", "cn-north-4"),
    ];
    let run = w.run_env(&["plan"], &bad);
    let err = run.fails();
    assert!(err.contains("The username or password is wrong."), "{err}");
    assert!(err.contains("ROMA_PASSWORD"), "{err}");
    assert!(
        !err.contains("guessed-wrong-77") && !run.stdout().contains("guessed-wrong-77"),
        "{err}"
    );
}

#[test]
fn a_wrong_password_on_the_embedded_simulator_is_reported_by_name() {
    let w = Work::new(&[(
        "main.sky.hcl",
        "provider \"roma\" {\n  endpoint    = \"embedded\"\n  user_name   = \"skyform\"\n  password    = \"nope-secret-5\"\n  domain_name = \"skyform\"\n}\n\ndata \"roma_instances\" \"all\" {}\n",
    )]);
    let err = w.run(&["plan"]).fails();
    assert!(!err.contains("nope-secret-5"), "{err}");
    insta::assert_snapshot!("roma_wrong_password", err);
}

#[test]
fn a_bad_inventory_file_is_refused_with_its_position() {
    let w = Work::new(&[("inv.json", "[\n  {\"id\": \"a\", \"name\": 3}\n]\n")]);
    let run = w.run(&[
        "sim",
        "-cloud",
        "roma",
        "-listen",
        "127.0.0.1:0",
        "-roma-inventory",
        "inv.json",
    ]);
    let err = run.fails();
    assert!(err.contains("inv.json:2:"), "{err}");
    assert!(err.contains("invalid type: integer `3`"), "{err}");
    assert!(run.stdout().is_empty(), "never started listening");
}
