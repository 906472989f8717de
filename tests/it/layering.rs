//! The module layering of `docs/architecture.md`, checked on the source text: dependencies
//! point one way, so each layer can be read, tested and replaced on its own.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("read source directory");
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Source files of `module` (a folder or a single file under src/), with their text
/// minus comments (doc comments may name other layers).
fn sources_of(module: &str) -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = src.join(module);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    let single = src.join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    assert!(!files.is_empty(), "no sources for module {module}");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read source");
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (p, code)
        })
        .collect()
}

/// Every place in `module` that names one of `forbidden` (as `crate::NAME`).
fn violations(module: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, code) in sources_of(module) {
        for name in forbidden {
            let needle = format!("crate::{name}");
            for (i, line) in code.lines().enumerate() {
                let hit = line.match_indices(&needle).any(|(at, _)| {
                    let next = line[at + needle.len()..].chars().next();
                    !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hit {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn lower_layers_do_not_import_the_upper_ones() {
    for module in ["plan", "state", "provider", "lang", "hcl"] {
        let v = violations(module, &["engine", "apply", "run", "cli"]);
        assert!(
            v.is_empty(),
            "{module} imports an upper layer:\n{}",
            v.join("\n")
        );
    }
    let v = violations("engine", &["run", "cli"]);
    assert!(
        v.is_empty(),
        "engine imports an upper layer:\n{}",
        v.join("\n")
    );
    let v = violations("run", &["cli"]);
    assert!(v.is_empty(), "run imports cli:\n{}", v.join("\n"));
}

#[test]
fn hcl_stands_alone() {
    let v = violations(
        "hcl",
        &["lang", "config", "engine", "plan", "state", "provider"],
    );
    assert!(v.is_empty(), "hcl imports:\n{}", v.join("\n"));
}

#[test]
fn providers_do_not_import_the_simulators() {
    let v = violations("providers", &["sim"]);
    assert!(
        v.is_empty(),
        "a provider imports a simulator:\n{}",
        v.join("\n")
    );
}

#[test]
fn simulators_do_not_import_the_providers() {
    // A simulator checks what a client sends on its own terms (the roma simulator its
    // tokens and queries, jdcloud's its signatures), so a provider's bug is not mirrored.
    let v = violations("sim", &["providers"]);
    assert!(
        v.is_empty(),
        "a simulator imports a provider:\n{}",
        v.join("\n")
    );
}

#[test]
fn the_command_line_does_not_name_a_backend() {
    for (path, code) in sources_of("cli") {
        assert!(
            !code.contains("LocalBackend"),
            "{} names LocalBackend: the CLI goes through the backend trait",
            path.display()
        );
    }
}

#[test]
fn the_check_finds_a_violation() {
    // The checker itself must be able to fail: cli does import engine.
    assert!(!violations("cli", &["engine"]).is_empty());
}

#[test]
fn the_core_knows_no_simulator_and_no_concrete_provider() {
    // The engine and the run layer are handed a provider registry and a launcher for
    // embedded simulators; only the command line picks `providers` and `sim`.
    for module in ["engine", "run", "provider", "plan", "state"] {
        let v = violations(module, &["sim", "providers"]);
        assert!(
            v.is_empty(),
            "{module} imports sim or a concrete provider:\n{}",
            v.join("\n")
        );
    }
}
