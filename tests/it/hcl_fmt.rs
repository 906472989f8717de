//! `fmt` tests: every fixture under `tests/fixtures/hcl/fmt/` is Terraform 1.0.3's own
//! `terraform fmt` answer (`NAME.tf` → `NAME.expected.tf`); `invalid/` inputs must be refused.

use std::path::Path;

use skyform::hcl::fmt::format_source;

fn fixtures(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with(".tf") && !name.ends_with(".expected.tf")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn formats_like_terraform() {
    let mut failures = Vec::new();
    let cases = fixtures("tests/fixtures/hcl/fmt");
    assert!(cases.len() >= 10);
    for input in cases {
        let expected_path = input.with_extension("expected.tf");
        let src = std::fs::read_to_string(&input).unwrap();
        let expected = std::fs::read_to_string(&expected_path).unwrap();
        match format_source(&src, "t.tf") {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "{}:\n--- got\n{got}\n--- expected\n{expected}",
                input.display()
            )),
            Err(d) => failures.push(format!("{}: {d}", input.display())),
        }
        // Formatting is idempotent (except that Terraform keeps spaces before the end of
        // a file without a final newline, which the second run then drops, and unwraps
        // only one level of `"${"${x}"}"` per run).
        if let Some(again) = format_source(&expected, "t.tf")
            .ok()
            .filter(|_| !expected.contains(" \n") && !expected.contains("= \"${"))
        {
            if again != expected {
                failures.push(format!("{}: not idempotent:\n{again}", input.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn refuses_invalid_input_like_terraform() {
    let mut failures = Vec::new();
    for input in fixtures("tests/fixtures/hcl/fmt/invalid") {
        let src = std::fs::read_to_string(&input).unwrap();
        let Err(err) = format_source(&src, "<stdin>") else {
            failures.push(format!("{}: accepted", input.display()));
            continue;
        };
        let expected = std::fs::read_to_string(input.with_extension("error.txt")).unwrap();
        let summary = &err.0[0].summary;
        if !expected.contains(&format!("Error: {summary}\n")) {
            failures.push(format!(
                "{}: got {summary:?}, expected\n{expected}",
                input.display()
            ));
        }
        let line = err.0[0].span.as_ref().unwrap().start.line;
        if !expected.contains(&format!("line {line}")) {
            failures.push(format!("{}: line {line}\n{expected}", input.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Developer aid: `FMT_DIR=/some/dir cargo test --test hcl_fmt -- --ignored` writes
/// `X.tf.out` next to every `X.tf` there (or `X.tf.err`), to diff against Terraform.
#[test]
#[ignore]
fn format_directory_from_env() {
    let Ok(dir) = std::env::var("FMT_DIR") else {
        return;
    };
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "tf") {
            let src = std::fs::read_to_string(&p).unwrap_or_default();
            match format_source(&src, "<stdin>") {
                Ok(out) => std::fs::write(p.with_extension("tf.out"), out).unwrap(),
                Err(d) => std::fs::write(p.with_extension("tf.err"), d.to_string()).unwrap(),
            }
        }
    }
}

#[test]
fn formats_huge_inputs_in_linear_time() {
    let start = std::time::Instant::now();
    let src = format!(
        "a = [\n{}]\nb=\"{}\"\n",
        "1,\n".repeat(300_000),
        "x".repeat(5_000_000)
    );
    let out = format_source(&src, "t").unwrap();
    assert!(out.starts_with("a = [\n  1,\n  1,\n"));
    assert!(out.ends_with("\"\n"));
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}
