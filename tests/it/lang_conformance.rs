//! Runs the Terraform conformance sample (`tests/fixtures/lang/cases.tsv`: id, expression,
//! and either the compact JSON of `jsonencode(<expression>)` from Terraform 1.0.3 or
//! `ERROR <summary>`) through the parser, the evaluator and `json_compact`.
//!
//! Numbers compare as the conformance runner compares them: equal when both round to the
//! same f64. Errors must carry Terraform's summary. Extra cases of our own, checked
//! against the real `terraform console`, live in `cases_extra.tsv` in the same format.

use skyform::lang::{display, eval, EvalContext};
use std::path::PathBuf;

/// U+2424 stands for a newline inside an expression (heredoc cases).
const NEWLINE_MARK: char = '\u{2424}';

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang")
        .join(name)
}

/// What skyform answers for one expression: compact JSON or `ERROR <summary>`.
fn answer(expr: &str) -> String {
    // Multi-line cases are read from a file by the conformance runner, where the line
    // ends after the expression (a heredoc's closing marker needs that newline).
    let src = if expr.contains(NEWLINE_MARK) {
        format!("{}\n", expr.replace(NEWLINE_MARK, "\n"))
    } else {
        expr.to_string()
    };
    let parsed = match skyform::hcl::parse_expr(&src, "<case>") {
        Ok(e) => e,
        Err(d) => return format!("ERROR {}", first_summary(&d)),
    };
    let ctx = EvalContext::with_variables(Default::default());
    match eval(&parsed, &ctx) {
        Ok(v) => match display::json_compact(&v) {
            Ok(json) => json,
            Err(why) => format!("ERROR {why}"),
        },
        Err(d) => format!("ERROR {}", first_summary(&d)),
    }
}

fn first_summary(d: &skyform::diag::Diagnostics) -> String {
    d.iter()
        .next()
        .map(|x| x.summary.clone())
        .unwrap_or_default()
}

/// JSON equality with numbers compared as f64 and object keys in any order.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(xs), J::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_json(x, y))
        }
        (J::Object(xs), J::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| same_json(x, y)))
        }
        _ => a == b,
    }
}

/// Why `got` does not match `expected`, or `None` when it does.
fn judge(got: &str, expected: &str) -> Option<String> {
    if let Some(want) = expected.strip_prefix("ERROR") {
        return match got.strip_prefix("ERROR") {
            None => Some("expected an error".into()),
            Some(have) if have.trim() != want.trim() => Some("different error summary".into()),
            Some(_) => None,
        };
    }
    if got.starts_with("ERROR") {
        return Some("unexpected error".into());
    }
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s);
    match (parse(got), parse(expected)) {
        (Ok(g), Ok(w)) if same_json(&g, &w) => None,
        (Ok(_), Ok(_)) => Some("different value".into()),
        (Err(e), _) => Some(format!("output is not JSON ({e})")),
        (_, Err(e)) => Some(format!("expected value is not JSON ({e})")),
    }
}

fn run(file: &str) {
    let text = std::fs::read_to_string(fixture(file)).expect("fixture is readable");
    let mut passed = 0;
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, expr, expected] = fields[..] else {
            panic!("{file}:{}: expected 3 tab-separated fields", n + 1);
        };
        let got = answer(expr);
        match judge(&got, expected) {
            None => passed += 1,
            Some(why) => failures.push(format!(
                "FAIL {id} ({why})\n  expr:     {expr}\n  got:      {got}\n  expected: {expected}"
            )),
        }
    }
    eprintln!("{file}: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn terraform_conformance_sample() {
    run("cases.tsv");
}

#[test]
fn extra_cases_checked_against_terraform() {
    run("cases_extra.tsv");
}

#[test]
fn more_extra_cases_checked_against_terraform() {
    run("cases_extra2.tsv");
}

#[test]
fn heredoc_template_and_for_cases_checked_against_terraform() {
    run("cases_extra3.tsv");
}

#[test]
fn evaluation_order_cases_checked_against_terraform() {
    run("cases_extra4.tsv");
}

/// Randomly generated nested expressions (operators, conditionals, for, splats, templates,
/// try) with Terraform's answers. Cases where Terraform reports several errors and the
/// first one depends on its error-recovery values are left out.
#[test]
fn random_expressions_checked_against_terraform() {
    run("cases_random.tsv");
}
