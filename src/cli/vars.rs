//! Root variable values from their sources, with Terraform's precedence (later wins):
//! environment `SKYFORM_VAR_name`, `skyform.skyvars.hcl`, `*.auto.skyvars.hcl` (by name),
//! then `-var-file` and `-var` options in the order they were given.

use crate::config::Config;
use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Sources};
use crate::engine::InputValue;
use crate::lang::EvalContext;
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const VARS_FILE: &str = "skyform.skyvars.hcl";
pub const AUTO_VARS_SUFFIX: &str = ".auto.skyvars.hcl";
pub const VARS_FILE_JSON: &str = "skyform.skyvars.json";
pub const AUTO_VARS_SUFFIX_JSON: &str = ".auto.skyvars.json";

pub fn collect(
    config: &Config,
    command_line: &[super::args::VarArg],
    sources: &mut Sources,
) -> Result<BTreeMap<String, InputValue>, Diagnostics> {
    let dir = &config.dir;
    let mut out = BTreeMap::new();
    let mut diags = Diagnostics::new();
    let declared = &config.root.module.variables;
    // Terraform's TF_VAR_ names are honoured too; SKYFORM_VAR_ wins when both are set.
    // Variables are read as bytes: one that is not UTF-8 is an error naming it (never its
    // value), and unrelated variables are not looked at.
    for prefix in ["TF_VAR_", "SKYFORM_VAR_"] {
        for (k, v) in std::env::vars_os() {
            let Some(name) = k.to_str().and_then(|k| k.strip_prefix(prefix)) else {
                continue;
            };
            if !declared.contains_key(name) {
                continue;
            }
            let Some(text) = v.to_str() else {
                diags.push(Diagnostic::error(
                    "Invalid environment variable",
                    format!("The environment variable {prefix}{name} is not valid UTF-8 text, so it cannot set var.{name}."),
                ));
                continue;
            };
            out.insert(
                name.to_string(),
                InputValue::Text {
                    text: text.to_string(),
                    source: format!("<value for var.{name}>"),
                },
            );
        }
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for f in [VARS_FILE, VARS_FILE_JSON] {
        if dir.join(f).is_file() {
            files.push(dir.join(f));
        }
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.ends_with(AUTO_VARS_SUFFIX) || n.ends_with(AUTO_VARS_SUFFIX_JSON)
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    for f in files {
        if let Err(d) = read_var_file(&f, dir, config, &mut out, sources) {
            diags.extend(d);
        }
    }
    // Then -var-file and -var options, in the order they were given.
    for arg in command_line {
        match arg {
            super::args::VarArg::File(f) => {
                let path = if f.is_absolute() {
                    f.clone()
                } else {
                    dir.join(f)
                };
                if let Err(d) = read_var_file(&path, dir, config, &mut out, sources) {
                    diags.extend(d);
                }
            }
            super::args::VarArg::Var(v) => {
                let Some((name, value)) = v.split_once('=') else {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option {v:?} is not correctly specified. Must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
                    ));
                    continue;
                };
                let name = name.trim();
                if !declared.contains_key(name) {
                    diags.push(undeclared(name, "on the command line", config));
                    continue;
                }
                out.insert(
                    name.to_string(),
                    InputValue::Text {
                        text: value.to_string(),
                        source: format!("<value for var.{name}>"),
                    },
                );
            }
        }
    }
    diags.into_result()?;
    Ok(out)
}

fn undeclared(name: &str, where_: &str, config: &Config) -> Diagnostic {
    let mut detail = format!(
        "A variable named {name:?} was assigned {where_}, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."
    );
    if let Some(s) = did_you_mean(
        name,
        config.root.module.variables.keys().map(String::as_str),
    ) {
        detail.push_str(&format!(" Did you mean {s:?}?"));
    }
    Diagnostic::error("Value for undeclared variable", detail)
}

fn read_var_file(
    path: &Path,
    dir: &Path,
    config: &Config,
    out: &mut BTreeMap<String, InputValue>,
    sources: &mut Sources,
) -> Result<(), Diagnostics> {
    let shown = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Failed to read variables file",
            format!("Given variables file {shown} does not exist or cannot be read: {e}."),
        ))
    })?;
    let name: Arc<str> = Arc::from(shown.as_str());
    sources.add(name.clone(), Arc::from(text.as_str()));
    if shown.ends_with(".json") {
        return read_json_var_file(&text, &shown, config, out);
    }
    let body = crate::hcl::parse_file(&text, &name)?;
    let mut diags = Diagnostics::new();
    for b in body.blocks() {
        diags.push(
            Diagnostic::error(
                "Unexpected block in variables file",
                "Variables files may contain only attribute assignments such as name = \"value\".",
            )
            .with_span(b.kind_span.clone()),
        );
    }
    for a in body.attributes() {
        if !config.root.module.variables.contains_key(&a.name) {
            diags.push(
                undeclared(&a.name, &format!("in {shown}"), config).with_span(a.name_span.clone()),
            );
            continue;
        }
        match crate::lang::eval(&a.expr, &EvalContext::default()) {
            Ok(v) => {
                out.insert(a.name.clone(), InputValue::Value(v));
            }
            Err(d) => diags.extend(d),
        }
    }
    diags.into_result()
}

/// A JSON variables file (`*.skyvars.json`, `-var-file=x.json`): one object whose
/// properties are variable values, as Terraform's `*.tfvars.json`.
fn read_json_var_file(
    text: &str,
    shown: &str,
    config: &Config,
    out: &mut BTreeMap<String, InputValue>,
) -> Result<(), Diagnostics> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Invalid JSON variables file",
            format!("{shown} is not valid JSON: {e}."),
        ))
    })?;
    let serde_json::Value::Object(m) = doc else {
        return Err(Diagnostic::error(
            "Invalid JSON variables file",
            format!("The root of {shown} must be an object whose properties are variable values, like {{\"instance_count\": 3}}."),
        )
        .into());
    };
    let mut diags = Diagnostics::new();
    for (k, v) in m {
        if !config.root.module.variables.contains_key(&k) {
            diags.push(undeclared(&k, &format!("in {shown}"), config));
            continue;
        }
        out.insert(k, InputValue::Value(crate::lang::Value::from_json(&v)));
    }
    diags.into_result()
}

/// Asks on the terminal for required variables that have no value, unless `-input=false`
/// or standard input is not a terminal (then the walk reports them missing).
pub fn prompt_missing(
    config: &Config,
    inputs: &mut BTreeMap<String, InputValue>,
    allow_input: bool,
) {
    if !allow_input || !std::io::stdin().is_terminal() {
        return;
    }
    for (name, v) in &config.root.module.variables {
        if v.default.is_some() || inputs.contains_key(name) {
            continue;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "var.{name}");
        if let Some(d) = &v.description {
            let _ = writeln!(err, "  {d}");
        }
        let _ = write!(err, "\n  Enter a value: ");
        let _ = err.flush();
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_ok() {
            inputs.insert(
                name.clone(),
                InputValue::Text {
                    text: line.trim_end_matches(['\r', '\n']).to_string(),
                    source: format!("<value for var.{name}>"),
                },
            );
        }
    }
}
