//! `skyform fmt` and `skyform console` through the real binary.

use crate::common::*;
use std::io::Write;
use std::process::{Command, Stdio};

const MESSY: &str = "locals {\nshort=1\n  much_longer = \"x\"\n}\n";
const TIDY: &str = "locals {\n  short       = 1\n  much_longer = \"x\"\n}\n";

fn with_stdin(w: &Work, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(bin())
        .arg("-no-color")
        .args(args)
        .current_dir(w.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fmt_check_diff_write_and_recursive() {
    let w = Work::new(&[
        ("main.sky.hcl", MESSY),
        ("sub/inner.sky.hcl", MESSY),
        ("ok.sky.hcl", TIDY),
    ]);
    let r = w.run(&["fmt", "-check"]);
    assert_eq!(r.code(), 3, "unformatted files give exit 3");
    assert_eq!(r.stdout(), "main.sky.hcl\n");
    assert_eq!(
        std::fs::read_to_string(w.path().join("main.sky.hcl")).unwrap(),
        MESSY,
        "-check writes nothing"
    );

    let r = w.run(&["fmt", "-check", "-diff"]);
    assert!(r.stdout().contains("-short=1"), "{}", r.stdout());
    assert!(r.stdout().contains("+  short       = 1"), "{}", r.stdout());

    assert_eq!(w.run(&["fmt"]).ok(), "main.sky.hcl\n");
    assert_eq!(
        std::fs::read_to_string(w.path().join("main.sky.hcl")).unwrap(),
        TIDY
    );
    assert_eq!(
        std::fs::read_to_string(w.path().join("sub/inner.sky.hcl")).unwrap(),
        MESSY,
        "not recursive by default"
    );
    assert_eq!(w.run(&["fmt", "-recursive"]).ok(), "sub/inner.sky.hcl\n");
    assert_eq!(
        std::fs::read_to_string(w.path().join("sub/inner.sky.hcl")).unwrap(),
        TIDY
    );
    assert_eq!(w.run(&["fmt", "-check", "-recursive"]).code(), 0);
}

#[test]
fn fmt_stdin_and_invalid_input() {
    let w = Work::new(&[]);
    let (code, out, _) = with_stdin(&w, &["fmt", "-"], MESSY);
    assert_eq!(code, 0);
    assert_eq!(out, TIDY);

    let broken = "resource \"x\" \"y\" {\n  a = 1\n";
    let (code, out, err) = with_stdin(&w, &["fmt", "-"], broken);
    assert_ne!(code, 0);
    assert_eq!(out, "", "nothing on stdout for invalid input");
    assert!(err.contains("Error:"), "{err}");

    w.write("bad.sky.hcl", broken);
    let r = w.run(&["fmt"]);
    assert_ne!(r.code(), 0);
    assert_eq!(
        std::fs::read_to_string(w.path().join("bad.sky.hcl")).unwrap(),
        broken,
        "invalid file untouched"
    );
}

#[test]
fn console_from_a_pipe_evaluates_each_line() {
    let w = Work::new(&[(
        "main.sky.hcl",
        "variable \"region\" {\n  default = \"cn-beijing\"\n}\n\nlocals {\n  zones = [\"a\", \"b\"]\n}\n",
    )]);
    let input = "var.region\n[for z in local.zones : \"${var.region}-${z}\"]\nnope(1)\n1 + 1\n";
    let (code, out, err) = with_stdin(&w, &["console"], input);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "\"cn-beijing\"");
    assert_eq!(lines[1], "[");
    assert!(
        out.contains("  \"cn-beijing-a\",\n  \"cn-beijing-b\",\n]"),
        "{out}"
    );
    assert!(
        out.contains("ERROR Call to unknown function\n2\n"),
        "an error line, then the next result: {out}"
    );
    assert!(
        err.contains("There is no function named \"nope\"."),
        "{err}"
    );

    let (code, out, _) = with_stdin(
        &w,
        &["console", "-json"],
        "local.zones\n{a = 1, b = [true]}\n\"<&>\"\n",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "[\"a\",\"b\"]\n{\"a\":1,\"b\":[true]}\n\"\\u003c\\u0026\\u003e\"\n"
    );
}

#[test]
fn console_sees_state() {
    let w = Work::example("quickstart");
    w.run(&["apply", "-auto-approve"]).ok();
    let (code, out, err) = with_stdin(
        &w,
        &["console"],
        "length(mcloud_instance.web)\nmcloud_template.web.name\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "3\n\"web\"\n");
}

#[test]
fn console_with_a_failing_configuration_answers_every_line() {
    let w = Work::new(&[("main.sky.hcl", "locals {\n  r = 1 + \"x\"\n}\n")]);
    let (code, out, err) = with_stdin(&w, &["console", "-json"], "local.r\n1 + 1\n");
    assert_eq!(code, 1);
    assert_eq!(out, "ERROR Invalid operand\nERROR Invalid operand\n");
    assert!(err.contains("main.sky.hcl:2:"), "{err}");
}
