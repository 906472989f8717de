//! `skyform console`: evaluates expressions in the context of the working directory's
//! configuration and state. On a terminal it prompts; from a pipe it evaluates one
//! expression per line and prints one result line each (`ERROR <summary>` for a failure,
//! with the full diagnostic on stderr).

use super::args::ConsoleArgs;
use super::prior_from_state;
use super::ui::Ui;
use super::workspace::{backend, load_config, load_state};
use super::{EXIT_ERROR, EXIT_OK};
use crate::addr::ModulePath;
use crate::diag::Sources;
use crate::engine::{Binding, Engine, Options, WalkMode};
use crate::lang::Value;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

pub async fn run(ui: &Ui, dir: &Path, a: &ConsoleArgs) -> i32 {
    let Ok(mut loaded) = load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    let inputs = match super::vars::collect(
        &loaded.config,
        &super::args::var_args(&a.var_order, &a.var_file, &a.var),
        &mut loaded.sources,
    ) {
        Ok(i) => i,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    let state = match backend(dir) {
        Ok(b) => load_state(&*b).await,
        Err(d) => Err(d),
    };
    let prior = match state {
        Ok(s) => s.as_ref().map(prior_from_state).unwrap_or_default(),
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    let options = Options {
        work_dir: dir.to_path_buf(),
        workspace: crate::state::selected_workspace(dir).unwrap_or_else(|_| "default".to_string()),
        ..Options::default()
    };
    let engine = Arc::new(Engine::new(
        loaded.config.clone(),
        loaded.graph,
        WalkMode::Eval,
        options,
        inputs,
        prior,
        Arc::new(crate::providers::builtin_registry()),
    ));
    // A configuration that fails to evaluate leaves nothing to evaluate against: every
    // input line answers with that error (one result line per input line, as always).
    let broken = match engine.walk().await {
        Ok(()) => None,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            Some(
                d.iter()
                    .next()
                    .map(|x| x.summary.clone())
                    .unwrap_or_else(|| "Invalid configuration".into()),
            )
        }
    };
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut line_no = 0usize;
    loop {
        if interactive {
            ui.out("> ");
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        line_no += 1;
        let text = line.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        if interactive && (text.trim() == "exit" || text.trim() == "quit") {
            break;
        }
        if let Some(summary) = &broken {
            ui.outln(&format!("ERROR {summary}"));
            continue;
        }
        let result = evaluate(&engine, &loaded.config.root.module, text, line_no);
        match result {
            Ok(v) => ui.outln(&render(&v, a.json)),
            Err((d, sources)) => {
                let summary = d
                    .iter()
                    .next()
                    .map(|x| x.summary.clone())
                    .unwrap_or_else(|| "Invalid expression".into());
                ui.outln(&format!("ERROR {summary}"));
                ui.diags(&d, &sources);
            }
        }
        let _ = std::io::stdout().flush();
    }
    if broken.is_some() {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

fn evaluate(
    engine: &Engine,
    module: &crate::config::Module,
    text: &str,
    line_no: usize,
) -> Result<Value, (crate::diag::Diagnostics, Sources)> {
    let name = format!("<console-input {line_no}>");
    let mut sources = Sources::default();
    sources.add(Arc::from(name.as_str()), Arc::from(text));
    let expr = crate::hcl::parse_expr(text, &name).map_err(|d| (d, sources.clone()))?;
    // References are checked before evaluating, as Terraform does: an undeclared name is a
    // static error, not something `can` or `try` catch.
    let mut diags = crate::diag::Diagnostics::new();
    for t in expr.traversals() {
        if let Some(d) = reference_error(module, &t) {
            diags.push(d);
        }
    }
    if diags.has_errors() {
        return Err((diags, sources));
    }
    engine
        .eval_in(&ModulePath::root(), &Binding::None, &expr)
        .map_err(|d| (d, sources))
}

fn render(v: &Value, json: bool) -> String {
    if v.contains_sensitive() {
        return "(sensitive value)".to_string();
    }
    if json {
        match crate::lang::display::json_compact(v) {
            Ok(s) => s,
            Err(e) => format!("ERROR {e}"),
        }
    } else {
        crate::lang::display::console_notation(v)
    }
}

/// Terraform's static reference errors for one reference in the root module.
fn reference_error(
    module: &crate::config::Module,
    t: &crate::hcl::ast::Traversal,
) -> Option<crate::diag::Diagnostic> {
    use crate::diag::Diagnostic;
    use crate::hcl::ast::Step;
    let attr = |i: usize| match t.steps.get(i) {
        Some(Step::Attr(n)) => Some(n.as_str()),
        _ => None,
    };
    let err = |summary: &str, detail: String| {
        Some(Diagnostic::error(summary, detail).with_span(t.span.clone()))
    };
    match t.root.as_str() {
        "var" => match attr(0) {
            Some(n) if module.variables.contains_key(n) => None,
            Some(n) => err(
                "Reference to undeclared input variable",
                format!("An input variable with the name {n:?} has not been declared. This variable can be declared with a variable {n:?} {{}} block."),
            ),
            None => err(
                "Invalid reference",
                "The \"var\" object cannot be accessed directly. Instead, access one of its attributes.".into(),
            ),
        },
        "local" => match attr(0) {
            Some(n) if module.locals.contains_key(n) => None,
            Some(n) => err(
                "Reference to undeclared local value",
                format!("A local value with the name {n:?} has not been declared."),
            ),
            None => err(
                "Invalid reference",
                "The \"local\" object cannot be accessed directly. Instead, access one of its attributes.".into(),
            ),
        },
        "module" => match attr(0) {
            Some(n) if module.module_calls.contains_key(n) => None,
            Some(n) => err(
                "Reference to undeclared module",
                format!("No module call named {n:?} is declared in the root module."),
            ),
            None => err(
                "Invalid reference",
                "The \"module\" object cannot be accessed directly. Instead, access one of its attributes.".into(),
            ),
        },
        "count" | "each" | "path" | "terraform" | "self" => None,
        "data" => match (attr(0), attr(1)) {
            (Some(ty), Some(n)) => {
                let declared = module
                    .resources
                    .contains_key(&crate::addr::ResourceAddr::data(ty, n));
                (!declared).then(|| {
                    Diagnostic::error(
                        "Reference to undeclared resource",
                        format!("A data resource {ty:?} {n:?} has not been declared in the root module."),
                    )
                    .with_span(t.span.clone())
                })
            }
            _ => err(
                "Invalid reference",
                "A reference to a data source must be followed by at least one attribute access, specifying the resource name.".into(),
            ),
        },
        ty => match attr(0) {
            Some(n) => {
                let declared = module
                    .resources
                    .contains_key(&crate::addr::ResourceAddr::managed(ty, n));
                (!declared).then(|| {
                    Diagnostic::error(
                        "Reference to undeclared resource",
                        format!("A managed resource {ty:?} {n:?} has not been declared in the root module."),
                    )
                    .with_span(t.span.clone())
                })
            }
            None => err(
                "Invalid reference",
                "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.".into(),
            ),
        },
    }
}
