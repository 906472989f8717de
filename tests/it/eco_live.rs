//! The live display: the real binary on a pseudo-terminal against a simulator whose
//! machines take a moment to start. On a terminal a status line counts operations done, in
//! flight, failed and queued, redrawn in place, while Terraform's progress lines scroll
//! above it; off a terminal (or with `-no-color`, or `SKYFORM_PROGRESS=plain`) the output
//! has not one escape sequence.

use crate::common::pty::{run_on_tty, screen_text, strip_escapes};
use crate::common::*;
use std::time::Duration;

const INSTANCES: usize = 3;

fn slow_fleet() -> (Sim, Work) {
    // Each machine takes 1.5 s to start running.
    let sim = Sim::start(&["-transition-ms", "1500"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("web", INSTANCES, "")),
    ]);
    (sim, w)
}

/// The counters of every status line drawn: (done, in flight, failed, queued).
fn drawn_counts(raw: &str) -> Vec<(u64, u64, u64, u64)> {
    let plain = strip_escapes(raw);
    let mut out = Vec::new();
    for piece in plain.split(['\r', '\n']) {
        let Some(at) = piece.find(" done, ") else {
            continue;
        };
        let nums: Vec<u64> = piece[..at]
            .rsplit(' ')
            .take(1)
            .chain(
                piece[at..]
                    .split(", ")
                    .skip(1)
                    .map(|p| p.split(' ').next().unwrap_or("")),
            )
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [done, flight, failed, queued] = nums[..] {
            out.push((done, flight, failed, queued));
        }
    }
    out
}

#[test]
fn eco_live_display_on_a_terminal_counts_operations_above_terraforms_lines() {
    let (_sim, w) = slow_fleet();
    let run = run_on_tty(
        w.path(),
        &["apply", "-auto-approve", "-parallelism=1"],
        &[],
        Duration::from_secs(120),
    );
    let raw = &run.output;
    assert_eq!(run.code, 0, "{raw}");
    // Redrawn in place: carriage returns and escape sequences.
    assert!(
        raw.contains('\x1b'),
        "no escape sequence on a terminal:\n{raw}"
    );
    assert!(raw.contains('\r'));
    // The status line: the phase, the counters and the elapsed time.
    assert!(strip_escapes(raw).contains("Applying: "), "{raw}");
    let counts = drawn_counts(raw);
    assert!(!counts.is_empty(), "no status line drawn:\n{raw}");
    let total = INSTANCES as u64;
    assert_eq!(
        counts[0],
        (0, 0, 0, total),
        "first drawn: nothing started\n{raw}"
    );
    for c in &counts {
        assert_eq!(
            c.0 + c.1 + c.2 + c.3,
            total,
            "every operation counted once: {c:?}"
        );
        assert_eq!(c.2, 0, "nothing failed: {c:?}");
    }
    assert!(
        counts.iter().any(|c| c.1 >= 1),
        "an operation seen in flight: {counts:?}"
    );
    assert!(
        counts.iter().any(|c| c.1 >= 1 && c.3 >= 1),
        "a state with some in flight and some queued: {counts:?}"
    );
    assert!(
        counts.iter().any(|c| c.0 >= 1 && c.1 >= 1),
        "a state with some done and some in flight: {counts:?}"
    );
    assert_eq!(counts.last(), Some(&(total, 0, 0, 0)), "{counts:?}");
    assert!(
        strip_escapes(raw).contains(" [1s]") || strip_escapes(raw).contains(" [2s]"),
        "the elapsed time moves: {raw}"
    );

    // What stays on screen reads like Terraform's: whole progress lines, the summary, and
    // no status line left behind.
    let screen = screen_text(raw);
    for i in 0..INSTANCES {
        let addr = format!("mcloud_instance.web[{i}]");
        let created: Vec<&str> = screen
            .lines()
            .filter(|l| l.starts_with(&format!("{addr}: Creation complete after ")))
            .collect();
        assert_eq!(created.len(), 1, "{addr} complete once, whole:\n{screen}");
        assert!(created[0].contains("[id="), "{}", created[0]);
        assert_eq!(
            screen
                .lines()
                .filter(|l| *l == format!("{addr}: Creating..."))
                .count(),
            1,
            "{screen}"
        );
    }
    assert!(
        screen.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{screen}"
    );
    let summary_at = screen.find("Apply complete!").unwrap_or(0);
    assert!(
        !screen[summary_at..].contains(" in flight, "),
        "the status line is cleared before the summary:\n{screen}"
    );
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("Creation complete") && l.contains(" queued")),
        "a progress line mixed with the status line:\n{screen}"
    );
}

#[test]
fn eco_live_display_only_where_it_belongs() {
    let (_sim, w) = slow_fleet();
    // Off a terminal (stdout a pipe): Terraform's lines and not one escape sequence.
    let piped = std::process::Command::new(bin())
        .args(["apply", "-auto-approve"])
        .current_dir(w.path())
        .env("TERM", "xterm-256color")
        .env_remove("SKYFORM_PROGRESS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run skyform");
    assert!(piped.status.success());
    let out = String::from_utf8_lossy(&piped.stdout);
    assert!(!out.contains('\x1b') && !out.contains('\r'), "{out:?}");
    assert!(!out.contains(" in flight, "), "{out}");
    assert!(
        out.contains("mcloud_instance.web[2]: Creation complete after "),
        "{out}"
    );

    // On a terminal, -no-color and SKYFORM_PROGRESS=plain keep plain lines.
    w.run(&["destroy", "-auto-approve"]).ok();
    let no_color = run_on_tty(
        w.path(),
        &["-no-color", "apply", "-auto-approve"],
        &[],
        Duration::from_secs(120),
    );
    assert_eq!(no_color.code, 0, "{}", no_color.output);
    assert!(!no_color.output.contains('\x1b'), "{:?}", no_color.output);
    assert!(!no_color.output.contains(" in flight, "));
    assert!(no_color.output.contains("Apply complete!"));

    w.run(&["destroy", "-auto-approve"]).ok();
    let plain = run_on_tty(
        w.path(),
        &["apply", "-auto-approve"],
        &[("SKYFORM_PROGRESS", "plain")],
        Duration::from_secs(120),
    );
    assert_eq!(plain.code, 0, "{}", plain.output);
    assert!(!plain.output.contains(" in flight, "), "{}", plain.output);
    assert!(plain
        .output
        .contains("mcloud_instance.web[0]: Creation complete after "));

    // A value it does not know: a warning, and the display chosen as if it were unset.
    w.run(&["destroy", "-auto-approve"]).ok();
    let odd = w.run_env(
        &["apply", "-auto-approve"],
        &[("SKYFORM_PROGRESS", "fancy")],
    );
    let out = odd.ok();
    assert!(
        !out.contains(" in flight, ") && !out.contains('\x1b'),
        "{out}"
    );
    assert!(
        odd.stderr()
            .contains("Warning: Invalid SKYFORM_PROGRESS value"),
        "{}",
        odd.stderr()
    );
    assert!(!odd.stderr().contains("fancy"), "the value is not echoed");

    // SKYFORM_PROGRESS=live forces it even into a pipe; -json never has it.
    w.run(&["destroy", "-auto-approve"]).ok();
    let forced = w.run_env(&["apply", "-auto-approve"], &[("SKYFORM_PROGRESS", "live")]);
    let out = forced.ok();
    assert!(out.contains(" in flight, "), "{out}");
    assert!(out.contains('\r'));
    w.run(&["destroy", "-auto-approve"]).ok();
    let json = run_on_tty(
        w.path(),
        &["apply", "-json", "-auto-approve"],
        &[("SKYFORM_PROGRESS", "live")],
        Duration::from_secs(120),
    );
    assert_eq!(json.code, 0, "{}", json.output);
    for line in json.output.lines() {
        let line = line.trim_end_matches('\r');
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not a JSON line: {line:?}"
        );
    }
}
