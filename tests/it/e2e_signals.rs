//! Ctrl-C and SIGTERM through the real binary: the first stops new work, lets running calls
//! finish, saves state and exits 1 with one message; nothing interrupted says "complete".

use crate::common::*;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn spawn(w: &Work, args: &[&str]) -> Child {
    Command::new(bin())
        .args(args)
        .current_dir(w.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start skyform")
}

fn signal(child: &Child, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill({pid}, {sig})");
}

/// Waits for the child and returns (exit code, stdout, stderr).
fn finish(mut child: Child) -> (i32, String, String) {
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        s.read_to_string(&mut out).expect("stdout");
    }
    if let Some(mut s) = child.stderr.take() {
        s.read_to_string(&mut err).expect("stderr");
    }
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), out, err)
}

/// Instances the state knows: (recorded objects, open create intents).
fn known_to_state(w: &Work) -> (usize, usize) {
    let text = std::fs::read_to_string(w.state_path()).unwrap_or_default();
    let journal =
        std::fs::read_to_string(w.path().join("state/default.json.journal")).unwrap_or_default();
    assert!(
        journal.is_empty(),
        "a cancelled run folds its journal: {journal}"
    );
    let state: serde_json::Value = serde_json::from_str(&text).expect("state");
    let instances: Vec<&serde_json::Value> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "mcloud_instance")
        .flat_map(|r| r["instances"].as_array().into_iter().flatten())
        .collect();
    let intents = instances
        .iter()
        .filter(|i| i["status"] == "pending_create")
        .count();
    (instances.len() - intents, intents)
}

fn assert_cancelled_once(code: i32, out: &str, err: &str) {
    assert_eq!(code, 1, "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        !out.contains("complete!"),
        "an interrupted run says complete:\n{out}"
    );
    assert_eq!(
        err.matches("Operation cancelled").count(),
        1,
        "one cancellation message:\n{err}"
    );
    assert!(
        !err.contains("Error: Cancelled"),
        "per-resource cancellations are folded into one:\n{err}"
    );
}

fn sigterm_mid_apply(sig: libc::c_int) {
    let sim = Sim::start(&["-latency-ms", "80"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 20, "")),
    ]);
    let child = spawn(
        &w,
        &["-no-color", "apply", "-auto-approve", "-parallelism=4"],
    );
    assert!(
        wait_until(Duration::from_secs(30), || sim.instance_ids().len() >= 2),
        "creates started"
    );
    signal(&child, sig);
    let (code, out, err) = finish(child);
    assert_cancelled_once(code, &out, &err);
    // Creates already sent were answered; their waits stopped. Every machine the cloud
    // made is in state: as an object, or as an open create intent that the next run
    // adopts. The lock is free for that run, which finishes the job without duplicates.
    // An intent is durable before its request is sent, so a create the interrupt stopped
    // between the two leaves an intent with no machine (the next run closes it).
    let in_cloud = sim.instance_ids().len();
    assert!(in_cloud < 20, "the interrupt stopped new work");
    let (objects, intents) = known_to_state(&w);
    assert!(
        objects <= in_cloud && in_cloud <= objects + intents,
        "every machine in the cloud is in state: {objects} objects and {intents} intents for {in_cloud} machines"
    );
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    assert_eq!(sim.instance_ids().len(), 20);
    assert_eq!(state_instance_ids(&w).len(), 20);
}

#[test]
fn sigterm_mid_apply_cancels_saves_and_exits_1() {
    sigterm_mid_apply(libc::SIGTERM);
}

#[test]
fn sigint_mid_apply_cancels_saves_and_exits_1() {
    sigterm_mid_apply(libc::SIGINT);
}

#[test]
fn an_interrupt_during_refresh_stops_a_destroy() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 3, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(sim.instance_ids().len(), 3);
    // Slow the cloud down so the refresh is still running when the signal arrives.
    sim.set_knobs(serde_json::json!({"latency_ms": 1500}));
    sim.reset_counts();
    let child = spawn(
        &w,
        &["-no-color", "destroy", "-auto-approve", "-parallelism=1"],
    );
    // The refresh read is on its way once the simulator counted it.
    assert!(wait_until(Duration::from_secs(20), || {
        sim.counts().keys().any(|k| k.contains("/v1/instance/list"))
    }));
    signal(&child, libc::SIGTERM);
    let (code, out, err) = finish(child);
    assert_cancelled_once(code, &out, &err);
    assert!(!out.contains("Destroying..."), "{out}");
    assert_eq!(sim.instance_ids().len(), 3, "nothing was destroyed");
}
