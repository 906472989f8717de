//! `skyform fmt`: canonical formatting of `*.sky.hcl` and `*.skyvars.hcl` files
//! (byte-identical to `terraform fmt` for the same HCL).

use super::args::FmtArgs;
use super::flag_bool;
use super::ui::Ui;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `fmt -check` when something would change.
pub const EXIT_UNFORMATTED: i32 = 3;
/// Invalid input (as `terraform fmt` does).
pub const EXIT_INVALID: i32 = 2;

pub fn run(ui: &Ui, dir: &Path, a: &FmtArgs) -> i32 {
    let list = match flag_bool(&a.list, true) {
        Ok(b) => b,
        Err(e) => {
            ui.error("Invalid -list option", &e);
            return super::EXIT_ERROR;
        }
    };
    let write = match flag_bool(&a.write, !a.check) {
        Ok(b) => b && !a.check,
        Err(e) => {
            ui.error("Invalid -write option", &e);
            return super::EXIT_ERROR;
        }
    };
    if a.targets.iter().any(|t| t == "-") {
        return format_stdin(ui, a);
    }
    let targets: Vec<PathBuf> = if a.targets.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        a.targets
            .iter()
            .map(|t| {
                if Path::new(t).is_absolute() {
                    PathBuf::from(t)
                } else {
                    dir.join(t)
                }
            })
            .collect()
    };
    let mut files = Vec::new();
    for t in &targets {
        if t.is_dir() {
            collect(t, a.recursive, &mut files);
        } else if t.is_file() {
            files.push(t.clone());
        } else {
            ui.error(
                "No file or directory at the given path",
                &format!("There is no file or directory at {}.", t.display()),
            );
            return super::EXIT_ERROR;
        }
    }
    files.sort();
    let mut changed_any = false;
    let mut failed = false;
    for f in files {
        let shown = f
            .strip_prefix(dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .to_string();
        let src = match std::fs::read_to_string(&f) {
            Ok(s) => s,
            Err(e) => {
                ui.error("Failed to read file", &format!("{shown}: {e}"));
                failed = true;
                continue;
            }
        };
        let formatted = match crate::hcl::fmt::format_source(&src, &shown) {
            Ok(s) => s,
            Err(d) => {
                let mut sources = crate::diag::Sources::default();
                sources.add(shown.as_str().into(), src.as_str().into());
                ui.diags(&d, &sources);
                failed = true;
                continue;
            }
        };
        if formatted == src {
            continue;
        }
        changed_any = true;
        if list {
            ui.outln(&shown);
        }
        if a.diff {
            ui.out(&unified_diff(&src, &formatted, &shown));
        }
        if write {
            let tmp = f.with_extension("skyform-fmt-tmp");
            if let Err(e) = std::fs::write(&tmp, &formatted).and_then(|_| std::fs::rename(&tmp, &f))
            {
                ui.error("Failed to write file", &format!("{shown}: {e}"));
                failed = true;
            }
        }
    }
    if failed {
        EXIT_INVALID
    } else if a.check && changed_any {
        EXIT_UNFORMATTED
    } else {
        super::EXIT_OK
    }
}

fn format_stdin(ui: &Ui, a: &FmtArgs) -> i32 {
    let mut src = String::new();
    if std::io::stdin().read_to_string(&mut src).is_err() {
        ui.error(
            "Failed to read standard input",
            "The input is not valid UTF-8 text.",
        );
        return EXIT_INVALID;
    }
    match crate::hcl::fmt::format_source(&src, "<stdin>") {
        Ok(formatted) => {
            if a.check {
                return if formatted == src {
                    super::EXIT_OK
                } else {
                    EXIT_UNFORMATTED
                };
            }
            if a.diff {
                ui.out(&unified_diff(&src, &formatted, "<stdin>"));
            } else {
                ui.out(&formatted);
            }
            super::EXIT_OK
        }
        Err(d) => {
            let mut sources = crate::diag::Sources::default();
            sources.add("<stdin>".into(), src.as_str().into());
            ui.diags(&d, &sources);
            EXIT_INVALID
        }
    }
}

fn collect(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if recursive {
                collect(&p, recursive, out);
            }
        } else if name.ends_with(".sky.hcl") || name.ends_with(".skyvars.hcl") {
            out.push(p);
        }
    }
}

fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("old/{name}"), &format!("new/{name}"))
        .to_string()
}
