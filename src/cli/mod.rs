//! The command line: argument parsing and one thin function per command. Each command
//! loads what it needs through the library (config, state, engine) and renders results.

pub mod args;
pub mod console;
pub mod fmt;
mod heap;
pub mod inspect;
pub mod inventory;
pub mod json_ui;
pub mod live;
pub mod log;
pub mod misc;
pub mod progress;
pub mod run;
pub mod schema_json;
pub mod sim;
pub mod ui;
pub mod vars;
pub mod workspace;

use args::{Cli, Command};
use std::path::PathBuf;
use ui::Ui;

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_ERROR: i32 = 1;
/// `plan -detailed-exitcode` when there are changes.
pub const EXIT_CHANGES: i32 = 2;

/// Deep configurations evaluate recursively; a large stack keeps them from overflowing
/// (the parser also caps nesting depth).
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    heap::use_one_arena();
    // Arguments are read as bytes: one that is not UTF-8 is refused by position (it may be
    // a secret, so it is never echoed).
    let mut argv = Vec::new();
    for (i, arg) in std::env::args_os().enumerate() {
        match arg.into_string() {
            Ok(a) => argv.push(a),
            Err(_) => {
                eprintln!("\nError: Invalid command-line argument\n\nArgument {i} is not valid UTF-8 text. skyform reads arguments, variable values and paths as UTF-8.\n");
                return EXIT_ERROR;
            }
        }
    }
    let argv = args::help_first(args::normalize_flags(argv));
    if let Err(e) = log::init() {
        eprintln!("\nWarning: {e}\n");
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), args = ?argv.get(1..), "skyform starting");
    let parsed = <Cli as clap::CommandFactory>::command()
        .try_get_matches_from(argv)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m).map(|c| (c, m)));
    let cli = match parsed {
        Ok((mut c, m)) => {
            if let Some((_, sub)) = m.subcommand() {
                // Only these commands define -var/-var-file (clap rejects other ids).
                match &mut c.command {
                    Command::Plan(a) | Command::Destroy(a) | Command::Refresh(a) => {
                        a.var_order = args::ordered_var_args(sub)
                    }
                    Command::Apply(a) => a.plan.var_order = args::ordered_var_args(sub),
                    Command::Console(a) => a.var_order = args::ordered_var_args(sub),
                    Command::Import(a) => a.var_order = args::ordered_var_args(sub),
                    Command::Inventory(a) => a.var_order = args::ordered_var_args(sub),
                    _ => {}
                }
            }
            c
        }
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let handle = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .name("skyform-main".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_stack_size(64 * 1024 * 1024)
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("Error: cannot start the async runtime: {e}");
                    return EXIT_ERROR;
                }
            };
            rt.block_on(dispatch(cli))
        });
    match handle {
        Ok(h) => h.join().unwrap_or(EXIT_ERROR),
        Err(e) => {
            eprintln!("Error: cannot start the main thread: {e}");
            EXIT_ERROR
        }
    }
}

async fn dispatch(cli: Cli) -> i32 {
    let ui = Ui::new(cli.no_color);
    let dir = match &cli.chdir {
        Some(d) => d.clone(),
        None => PathBuf::from("."),
    };
    if !dir.is_dir() {
        ui.error(
            "Invalid -chdir option",
            &format!(
                "The directory {} does not exist. Give -chdir an existing directory.",
                dir.display()
            ),
        );
        return EXIT_ERROR;
    }
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    match cli.command {
        Command::Init(a) => misc::init(&ui, &dir, &a).await,
        Command::Workspace(c) => workspace::command(&ui, &dir, c).await,
        Command::Validate(a) => misc::validate(&ui, &dir, &a),
        Command::Fmt(a) => fmt::run(&ui, &dir, &a),
        Command::Plan(a) => run::plan(&ui, &dir, a).await,
        Command::Apply(a) => run::apply(&ui, &dir, a).await,
        Command::Destroy(mut a) => {
            a.destroy = true;
            run::apply(
                &ui,
                &dir,
                args::ApplyArgs {
                    plan: a,
                    plan_file: None,
                },
            )
            .await
        }
        Command::Refresh(mut a) => {
            // Terraform's `refresh` is `apply -refresh-only -auto-approve`.
            a.refresh_only = true;
            a.auto_approve = true;
            run::apply(
                &ui,
                &dir,
                args::ApplyArgs {
                    plan: a,
                    plan_file: None,
                },
            )
            .await
        }
        Command::Show(a) => inspect::show(&ui, &dir, &a).await,
        Command::State(c) => inspect::state(&ui, &dir, c).await,
        Command::Output(a) => inspect::output(&ui, &dir, &a).await,
        Command::Import(a) => run::import(&ui, &dir, a).await,
        Command::Inventory(a) => inventory::run(&ui, &dir, a).await,
        Command::Console(a) => console::run(&ui, &dir, &a).await,
        Command::Graph(_) => misc::graph(&ui, &dir),
        Command::Providers(args::ProvidersCommand::Schema { json }) => {
            misc::providers_schema(&ui, json)
        }
        Command::ForceUnlock(a) => misc::force_unlock(&ui, &dir, &a).await,
        Command::Sim(a) => sim::sim(&ui, &a).await,
        Command::Version(a) => misc::version(&ui, &a),
        Command::Completions(a) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "skyform", &mut out);
            ui.out(&String::from_utf8_lossy(&out));
            EXIT_OK
        }
    }
}

/// Parses Terraform-style booleans given as flag values (`-refresh=false`).
pub fn flag_bool(v: &Option<String>, default: bool) -> Result<bool, String> {
    match v.as_deref() {
        None => Ok(default),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        Some(other) => Err(format!("{other:?} is not a boolean; use true or false")),
    }
}

/// The state decoded with the schemas of the providers skyform ships.
pub(crate) fn prior_from_state(state: &crate::state::State) -> crate::plan::prior::PriorState {
    crate::plan::prior::prior_from_state(state, &crate::providers::builtin_registry())
}
