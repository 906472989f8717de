//! What a run prints while it works: `apply -json` as Terraform's machine-readable UI (one
//! JSON object per line), and plain progress lines with "Still creating..." timed from
//! each operation's real start.

use crate::common::*;
use serde_json::Value as J;

fn lines(out: &str) -> Vec<J> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}")))
        .collect()
}

fn types(msgs: &[J]) -> Vec<String> {
    msgs.iter()
        .map(|m| m["type"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn eco_apply_json_streams_terraforms_messages() {
    let w = Work::example("quickstart");
    let r = w.run(&["apply", "-json", "-auto-approve"]);
    let out = r.ok();
    assert_eq!(r.stderr(), "", "nothing on stderr under -json");
    let msgs = lines(&out);
    for m in &msgs {
        for k in ["@level", "@message", "@module", "@timestamp", "type"] {
            assert!(m.get(k).is_some(), "{k} missing: {m}");
        }
        assert!(
            chrono::DateTime::parse_from_rfc3339(m["@timestamp"].as_str().unwrap_or("")).is_ok(),
            "{m}"
        );
    }
    let t = types(&msgs);
    assert_eq!(t[0], "version");
    assert_eq!(msgs[0]["ui"], "1.0");
    // Plan: four planned changes, then the plan's summary.
    let plan_end = t
        .iter()
        .position(|x| x == "change_summary")
        .expect("summary");
    assert_eq!(
        t[1..plan_end],
        vec!["planned_change".to_string(); 4][..],
        "{t:?}"
    );
    assert_eq!(msgs[plan_end]["changes"]["operation"], "plan");
    assert_eq!(msgs[plan_end]["changes"]["add"], 4);
    let created = msgs
        .iter()
        .find(|m| m["change"]["resource"]["addr"] == "mcloud_instance.web[1]")
        .expect("planned web[1]");
    assert_eq!(created["change"]["action"], "create");
    assert_eq!(created["change"]["resource"]["resource_key"], 1);
    assert_eq!(created["change"]["resource"]["implied_provider"], "mcloud");
    // Apply: every start has its completion after it.
    for addr in [
        "mcloud_template.web",
        "mcloud_instance.web[0]",
        "mcloud_instance.web[1]",
        "mcloud_instance.web[2]",
    ] {
        let at = |kind: &str| {
            msgs.iter()
                .position(|m| m["type"] == kind && m["hook"]["resource"]["addr"] == addr)
                .unwrap_or_else(|| panic!("no {kind} for {addr}: {t:?}"))
        };
        assert!(at("apply_start") < at("apply_complete"), "{addr}");
        assert!(at("apply_start") > plan_end);
        let done = &msgs[at("apply_complete")];
        assert_eq!(done["hook"]["id_key"], "id");
        assert!(done["hook"]["id_value"].is_string());
        assert!(done["hook"]["elapsed_seconds"].is_u64());
    }
    // The template is created before the instances that read it.
    let start_of = |addr: &str| {
        msgs.iter()
            .position(|m| m["type"] == "apply_start" && m["hook"]["resource"]["addr"] == addr)
    };
    let template_done = msgs
        .iter()
        .position(|m| {
            m["type"] == "apply_complete" && m["hook"]["resource"]["addr"] == "mcloud_template.web"
        })
        .expect("template complete");
    assert!(start_of("mcloud_instance.web[0]") > Some(template_done));
    let n = t.len();
    assert_eq!(t[n - 2], "change_summary");
    assert_eq!(msgs[n - 2]["changes"]["operation"], "apply");
    assert_eq!(
        msgs[n - 2]["@message"],
        "Apply complete! Resources: 4 added, 0 changed, 0 destroyed."
    );
    assert_eq!(t[n - 1], "outputs");
    assert_eq!(
        msgs[n - 1]["outputs"]["web_ips"]["type"],
        serde_json::json!(["tuple", ["string", "string", "string"]])
    );
    assert_eq!(msgs[n - 1]["outputs"]["web_ips"]["sensitive"], false);

    // A second plan -json: no changes.
    let again = lines(&w.run(&["plan", "-json"]).ok());
    assert_eq!(types(&again).first().map(String::as_str), Some("version"));
    let summary = again.last().expect("summary");
    assert_eq!(summary["type"], "change_summary");
    assert_eq!(summary["@message"], "No changes.");
}

#[test]
fn eco_apply_json_errors_are_diagnostic_messages() {
    // A configuration error: a diagnostic with its range and snippet, on stdout.
    let w = Work::new(&[("main.sky.hcl", "output \"x\" {\n  value = var.nope\n}\n")]);
    let r = w.run(&["apply", "-json", "-auto-approve"]);
    assert_eq!(r.code(), 1);
    assert_eq!(r.stderr(), "");
    let msgs = lines(&r.stdout());
    let d = msgs
        .iter()
        .find(|m| m["type"] == "diagnostic")
        .expect("a diagnostic message");
    assert_eq!(d["@level"], "error");
    assert_eq!(d["diagnostic"]["severity"], "error");
    assert_eq!(
        d["diagnostic"]["summary"],
        "Reference to undeclared input variable"
    );
    assert_eq!(d["diagnostic"]["range"]["filename"], "main.sky.hcl");
    assert_eq!(d["diagnostic"]["range"]["start"]["line"], 2);
    assert_eq!(d["diagnostic"]["snippet"]["code"], "  value = var.nope");
    assert_eq!(d["diagnostic"]["snippet"]["start_line"], 2);
    let (hs, he) = (
        d["diagnostic"]["snippet"]["highlight_start_offset"]
            .as_u64()
            .unwrap_or(0) as usize,
        d["diagnostic"]["snippet"]["highlight_end_offset"]
            .as_u64()
            .unwrap_or(0) as usize,
    );
    assert_eq!(&"  value = var.nope"[hs..he], "var.nope");

    // An API failure during apply: apply_errored, then the error as a diagnostic.
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &instance_block("web", 1, "").replace("cn-beijing-c", "cn-beijing-z"),
        ),
    ]);
    let r = w.run(&["apply", "-json", "-auto-approve"]);
    assert_eq!(r.code(), 1);
    assert_eq!(r.stderr(), "");
    let msgs = lines(&r.stdout());
    let t = types(&msgs);
    let errored = t
        .iter()
        .position(|x| x == "apply_errored")
        .expect("apply_errored");
    assert_eq!(msgs[errored]["@level"], "error");
    assert_eq!(
        msgs[errored]["@message"],
        "mcloud_instance.web[0]: Creation errored after 0s"
    );
    let diag = t
        .iter()
        .rposition(|x| x == "diagnostic")
        .expect("diagnostic");
    assert!(diag > errored);
    assert!(msgs[diag]["diagnostic"]["summary"]
        .as_str()
        .is_some_and(|s| s.contains("Failed to create mcloud_instance.web[0]")));

    // -json cannot prompt.
    let r = w.run(&["apply", "-json"]);
    assert_eq!(r.code(), 1);
    let msgs = lines(&r.stdout());
    assert_eq!(
        msgs.last().map(|m| m["diagnostic"]["summary"].clone()),
        Some(J::from("Plan file or auto-approve required"))
    );
}

/// The `after Ns` of a "complete" line.
fn after_secs(out: &str, addr: &str) -> u64 {
    out.lines()
        .find(|l| l.starts_with(&format!("{addr}: Creation complete after ")))
        .and_then(|l| l.split("after ").nth(1))
        .and_then(|s| s.split('s').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no completion for {addr}:\n{out}"))
}

#[test]
fn eco_plain_progress_for_slow_creates_times_from_the_real_start() {
    // Each machine takes 2.5 s to start; one at a time.
    let sim = Sim::start(&["-transition-ms", "2500"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 2, "")),
    ]);
    let out = w
        .run_env(
            &["apply", "-auto-approve", "-parallelism=1"],
            &[("SKYFORM_PROGRESS_INTERVAL", "1s")],
        )
        .ok();
    for addr in ["mcloud_instance.web[0]", "mcloud_instance.web[1]"] {
        let creating: Vec<&str> = out
            .lines()
            .filter(|l| *l == format!("{addr}: Creating..."))
            .collect();
        assert_eq!(creating.len(), 1, "one Creating... per instance:\n{out}");
        assert!(
            out.contains(&format!("{addr}: Still creating... [1s elapsed]")),
            "{out}"
        );
        assert!(
            out.contains(&format!("{addr}: Still creating... [2s elapsed]")),
            "{out}"
        );
        // "Still creating" lines come between the start and the completion.
        let pos = |needle: &str| out.find(needle).unwrap_or(usize::MAX);
        assert!(pos(&format!("{addr}: Creating...")) < pos(&format!("{addr}: Still creating...")));
    }
    // The second instance waited for the first, but its time counts from its own start.
    let first = after_secs(&out, "mcloud_instance.web[0]");
    let second = after_secs(&out, "mcloud_instance.web[1]");
    assert!(first >= 2, "{out}");
    assert!(
        second <= first + 1,
        "second create timed from its real start ({second}s vs {first}s):\n{out}"
    );
    let max_still = out
        .lines()
        .filter(|l| l.starts_with("mcloud_instance.web[1]: Still creating... ["))
        .filter_map(|l| l.split('[').nth(2)?.split('s').next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    assert!(max_still <= second, "{out}");
    // No provider poll chatter between the Terraform lines.
    assert!(!out.contains("Still waiting for"), "{out}");
}

#[test]
fn eco_plan_json_reports_each_refresh_with_its_id() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 3, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let mut ids = state_instance_ids(&w);
    ids.sort();
    assert_eq!(ids.len(), 3);
    // web[1] is deleted behind skyform's back.
    let addrs = [
        "mcloud_instance.web[0]",
        "mcloud_instance.web[1]",
        "mcloud_instance.web[2]",
    ];
    let state: J = serde_json::from_str(&w.run(&["show", "-json"]).ok()).expect("state");
    let id_of = |addr: &str| {
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == addr))
            .and_then(|r| r["values"]["id"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no id for {addr}"))
    };
    let gone = id_of(addrs[1]);
    let reply = sim.delete(&format!("/v1/instance/{gone}"));
    assert_eq!(reply["code"], 0, "{reply}");

    let msgs = lines(&w.run(&["plan", "-json"]).ok());
    let t = types(&msgs);
    let first_plan_msg = t
        .iter()
        .position(|x| x == "resource_drift" || x == "planned_change" || x == "change_summary")
        .expect("plan messages");
    for addr in addrs {
        let at = |kind: &str| {
            let found: Vec<usize> = msgs
                .iter()
                .enumerate()
                .filter(|(_, m)| m["type"] == kind && m["hook"]["resource"]["addr"] == addr)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(found.len(), 1, "one {kind} for {addr}: {t:?}");
            found[0]
        };
        let (start, done) = (at("refresh_start"), at("refresh_complete"));
        assert!(start < done, "{addr}: {t:?}");
        assert!(
            done < first_plan_msg,
            "refreshes come before the plan: {t:?}"
        );
        let id = id_of(addr);
        let s = &msgs[start];
        assert_eq!(s["@level"], "info");
        assert_eq!(
            s["@message"],
            format!("{addr}: Refreshing state... [id={id}]")
        );
        assert_eq!(s["hook"]["id_key"], "id");
        assert_eq!(s["hook"]["id_value"], id);
        assert_eq!(s["hook"]["resource"]["resource_type"], "mcloud_instance");
        assert_eq!(s["hook"]["resource"]["implied_provider"], "mcloud");
        assert!(s["hook"].get("action").is_none(), "{s}");
        let c = &msgs[done];
        if addr == addrs[1] {
            // Found deleted: the completion names no id.
            assert_eq!(c["@message"], format!("{addr}: Refresh complete"));
            assert!(c["hook"].get("id_key").is_none(), "{c}");
            assert!(c["hook"].get("id_value").is_none(), "{c}");
        } else {
            assert_eq!(c["@message"], format!("{addr}: Refresh complete [id={id}]"));
            assert_eq!(c["hook"]["id_key"], "id");
            assert_eq!(c["hook"]["id_value"], id);
        }
    }
    let drift = msgs
        .iter()
        .find(|m| m["type"] == "resource_drift")
        .expect("resource_drift");
    assert_eq!(drift["change"]["resource"]["addr"], addrs[1]);
    assert_eq!(
        msgs.last().map(|m| m["@message"].clone()),
        Some(J::from("Plan: 1 to add, 0 to change, 0 to destroy."))
    );
    // Plain text keeps one line per batched read, and says nothing on completion.
    let plain = w.run(&["plan"]).ok();
    assert!(
        plain.contains("mcloud_instance: Refreshing state of 3 objects in one batched read..."),
        "{plain}"
    );
    assert!(!plain.contains("Refresh complete"), "{plain}");
}

#[test]
fn eco_refresh_json_reports_refreshes_and_drift() {
    let sim = Sim::start(&[]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", 2, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let ids = state_instance_ids(&w);
    let reply = sim.delete(&format!("/v1/instance/{}", ids[0]));
    assert_eq!(reply["code"], 0, "{reply}");
    let r = w.run(&["refresh", "-json"]);
    let msgs = lines(&r.ok());
    let t = types(&msgs);
    assert_eq!(t[0], "version");
    assert_eq!(
        t.iter().filter(|x| *x == "refresh_start").count(),
        2,
        "{t:?}"
    );
    assert_eq!(
        t.iter().filter(|x| *x == "refresh_complete").count(),
        2,
        "{t:?}"
    );
    let drift = msgs
        .iter()
        .find(|m| m["type"] == "resource_drift")
        .expect("resource_drift");
    assert_eq!(drift["change"]["action"], "delete");
    assert_eq!(
        state_instance_ids(&w).len(),
        1,
        "refresh forgot the deleted machine"
    );
}
