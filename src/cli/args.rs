//! Command-line arguments. Terraform users type flags with one dash (`-auto-approve`,
//! `-chdir=DIR`); [`normalize_flags`] turns those into clap's `--flag` form first, so both
//! spellings work everywhere.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "skyform",
    version,
    about = "Declarative reconciler for machine fleets: plan and apply HCL against the clouds",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Switch to this working directory before running the command.
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Plain output without terminal colours.
    #[arg(long = "no-color", global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prepare the working directory (check configuration, create the state folder).
    Init(InitArgs),
    /// Check the configuration without touching state or clouds.
    Validate(ValidateArgs),
    /// Rewrite configuration files in the canonical format.
    Fmt(FmtArgs),
    /// Show the changes that apply would make.
    Plan(PlanArgs),
    /// Make the changes (from a fresh plan, or from a saved plan file).
    Apply(ApplyArgs),
    /// Delete everything this configuration manages.
    Destroy(PlanArgs),
    /// Update the state from the live objects (`apply -refresh-only -auto-approve`).
    Refresh(PlanArgs),
    /// Show the state, or a saved plan.
    Show(ShowArgs),
    /// Inspect and edit the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Bring an existing object under skyform's management: `import ADDRESS ID`.
    Import(ImportArgs),
    /// List every machine the configured clouds hold: managed, unmanaged or missing.
    Inventory(InventoryArgs),
    /// Print root module outputs.
    Output(OutputArgs),
    /// Evaluate expressions against the configuration and state.
    Console(ConsoleArgs),
    /// Print the dependency graph in DOT format.
    Graph(GraphArgs),
    /// Print provider schemas.
    #[command(subcommand)]
    Providers(ProvidersCommand),
    /// Manage workspaces: separate states of the same configuration.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Remove a stale state lock left by a crashed run.
    #[command(name = "force-unlock")]
    ForceUnlock(ForceUnlockArgs),
    /// Run the cloud simulators on loopback.
    Sim(SimArgs),
    /// Print the skyform version.
    Version(VersionArgs),
    /// Print a shell completion script: `skyform completions bash|zsh|fish`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args, Default)]
pub struct VersionArgs {
    /// Print the version as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args, Default)]
pub struct InitArgs {
    /// Accepted for Terraform compatibility; skyform never asks at init.
    #[arg(long)]
    pub input: Option<String>,
    /// Copy the state of every workspace from the previously used backend to the configured one.
    #[arg(long = "migrate-state")]
    pub migrate_state: bool,
    /// With -migrate-state: overwrite a target that holds a state of another lineage.
    #[arg(long = "force-copy")]
    pub force_copy: bool,
    /// Use the configured backend without moving any state from the previous one.
    #[arg(long)]
    pub reconfigure: bool,
    /// How long to wait for the state locks while migrating (e.g. 30s).
    #[arg(long = "lock-timeout", default_value = "0s")]
    pub lock_timeout: String,
}

#[derive(Debug, Args, Default)]
pub struct ValidateArgs {
    /// Diagnostics as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Default)]
pub struct FmtArgs {
    /// Exit 3 if any file is not formatted; write nothing.
    #[arg(long)]
    pub check: bool,
    /// Show the changes as a diff.
    #[arg(long)]
    pub diff: bool,
    /// Also format files in subdirectories.
    #[arg(long)]
    pub recursive: bool,
    /// Write the result back to the files (default true; false with -check).
    #[arg(long, value_name = "BOOL")]
    pub write: Option<String>,
    /// List the files whose formatting changed (default true).
    #[arg(long, value_name = "BOOL")]
    pub list: Option<String>,
    /// Files or directories; `-` reads standard input and writes standard output.
    pub targets: Vec<String>,
}

/// Flags shared by plan, apply and destroy.
#[derive(Debug, Args, Default, Clone)]
pub struct PlanArgs {
    /// Write the plan to this file for a later `skyform apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when nothing changes, 2 when something does, 1 on errors.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Skip the confirmation (apply, destroy).
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Refresh live objects first (default true).
    #[arg(long, value_name = "BOOL")]
    pub refresh: Option<String>,
    /// Only update state from the live objects; change nothing.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    /// Plan to destroy everything (same as the destroy command).
    #[arg(long)]
    pub destroy: bool,
    /// Limit the operation to these resources (and what they depend on).
    #[arg(long, value_name = "ADDRESS")]
    pub target: Vec<String>,
    /// Replace this instance even if nothing changed.
    #[arg(long, value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Set a variable: -var 'name=value'.
    #[arg(long, value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Read variables from a file.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// `-var` and `-var-file` in command-line order (filled after parsing).
    #[arg(skip)]
    pub var_order: Vec<VarArg>,
    /// How many provider operations may run at once.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    /// How long to wait for the state lock (e.g. 30s).
    #[arg(long = "lock-timeout", value_name = "DURATION")]
    pub lock_timeout: Option<String>,
    /// Take the state lock (default true).
    #[arg(long, value_name = "BOOL")]
    pub lock: Option<String>,
    /// Ask for missing variables on a terminal (default true).
    #[arg(long, value_name = "BOOL")]
    pub input: Option<String>,
    /// Compact warnings (accepted for compatibility).
    #[arg(long = "compact-warnings")]
    pub compact_warnings: bool,
    /// plan only: write `resource` blocks for import blocks whose target is not declared
    /// to this new file, then plan with them.
    #[arg(long = "generate-config-out", value_name = "FILE")]
    pub generate_config_out: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// A plan file written by `skyform plan -out`.
    pub plan_file: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct ShowArgs {
    /// Print the state or plan in Terraform's JSON format.
    #[arg(long)]
    pub json: bool,
    /// A saved plan file to show instead of the state.
    pub plan_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the resource instances in state.
    List {
        /// Only these resources or modules (all when none are given).
        addresses: Vec<String>,
    },
    /// Show one resource instance's attributes.
    Show {
        /// The resource instance address.
        address: String,
    },
    /// Forget instances without deleting them.
    Rm {
        /// The resource instances (or resources, or modules) to forget.
        addresses: Vec<String>,
        /// Print what would be removed; change nothing.
        #[arg(long = "dry-run")]
        dry_run: bool,
    },
    /// Rename an instance in state.
    Mv {
        /// The address the object has now.
        source: String,
        /// The address it should have.
        destination: String,
    },
    /// Print the raw state.
    Pull,
    /// Replace the state with a file (checked, lineage must match).
    Push {
        /// The state file to upload (`-` reads standard input).
        path: PathBuf,
        /// Write it even when its lineage or serial says it is not a successor.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args, Default)]
pub struct ImportArgs {
    /// The resource instance address in the configuration (`mcloud_instance.web[3]`).
    pub address: String,
    /// The object's id in the cloud.
    pub id: String,
    /// Set a variable: -var 'name=value'.
    #[arg(long, value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Read variable values from a file (`.skyvars.hcl` or `.skyvars.json`).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// `-var` and `-var-file` in command-line order (filled after parsing).
    #[arg(skip)]
    pub var_order: Vec<VarArg>,
    /// How long to wait for another run's state lock (e.g. 30s).
    #[arg(long = "lock-timeout", value_name = "DURATION")]
    pub lock_timeout: Option<String>,
}

#[derive(Debug, Args, Default)]
pub struct InventoryArgs {
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Show only the machines no object in state stands for.
    #[arg(long)]
    pub unmanaged: bool,
    /// Write `import` and `resource` blocks adopting the unmanaged machines to this new file.
    #[arg(long = "generate-config-out", value_name = "FILE")]
    pub generate_config_out: Option<PathBuf>,
    /// Set a variable: -var 'name=value'.
    #[arg(long, value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Read variable values from a file (`.skyvars.hcl` or `.skyvars.json`).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// `-var` and `-var-file` in command-line order (filled after parsing).
    #[arg(skip)]
    pub var_order: Vec<VarArg>,
}

#[derive(Debug, Args, Default)]
pub struct OutputArgs {
    /// Print the outputs as JSON, with their types.
    #[arg(long)]
    pub json: bool,
    /// The value of one string output, without quotes.
    #[arg(long)]
    pub raw: bool,
    /// One output to print (all when omitted).
    pub name: Option<String>,
}

#[derive(Debug, Args, Default)]
pub struct ConsoleArgs {
    /// One compact JSON result per expression.
    #[arg(long)]
    pub json: bool,
    /// Set a variable: -var 'name=value'.
    #[arg(long, value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Read variable values from a file (`.skyvars.hcl` or `.skyvars.json`).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// `-var` and `-var-file` in command-line order (filled after parsing).
    #[arg(skip)]
    pub var_order: Vec<VarArg>,
}

#[derive(Debug, Args, Default)]
pub struct GraphArgs {}

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Print every provider's schema.
    Schema {
        /// Required: print the schemas as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace (with an empty state) and select it.
    New { name: String },
    /// Select the workspace later commands use.
    Select { name: String },
    /// List workspaces; the selected one is marked with `*`.
    List,
    /// Print the selected workspace.
    Show,
    /// Delete a workspace and its state (refused while it holds resources, unless -force).
    Delete {
        name: String,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    /// The lock ID the locked-state error printed.
    pub lock_id: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free one; the first output line names it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Where the simulated cloud keeps its state.
    #[arg(long = "state-dir", default_value = "state/sim")]
    pub state_dir: PathBuf,
    /// Delay before each answer, in milliseconds.
    #[arg(long = "latency-ms", default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction of requests that fail with code 10999 (0 to 1).
    #[arg(long = "error-rate", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Requests per second before HTTP 429 (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    pub throttle: u32,
    /// How long new instances stay in their starting state (jdcloud: every transient state), in milliseconds.
    #[arg(long = "transition-ms", default_value_t = 0)]
    pub transition_ms: u64,
    /// Act on each request at once but answer this many milliseconds later (as real services do).
    #[arg(long = "answer-delay-ms", default_value_t = 0)]
    pub answer_delay_ms: u64,
    /// Fraction of successful answers lost after the change was made: the connection drops (0 to 1).
    #[arg(long = "lose-answers", default_value_t = 0.0)]
    pub lose_answers: f64,
    /// Which cloud to simulate; `all` runs the four together, each on its own port.
    #[arg(long, default_value = "mcloud", value_parser = ["mcloud", "jdcloud", "twocloud", "roma", "all"])]
    pub cloud: String,
    /// The access key the jdcloud simulator accepts.
    #[arg(long = "jdcloud-access-key", default_value = crate::sim::jdcloud::DEFAULT_ACCESS_KEY)]
    pub jdcloud_access_key: String,
    /// The secret key the jdcloud simulator verifies signatures with.
    #[arg(long = "jdcloud-secret-key", default_value = crate::sim::jdcloud::DEFAULT_SECRET_KEY)]
    pub jdcloud_secret_key: String,
    /// A JSON catalogue (VPCs, subnets, spare NICs, ...) added to the jdcloud simulator's built-in one.
    #[arg(long = "jdcloud-catalogue")]
    pub jdcloud_catalogue: Option<PathBuf>,
    /// The token (basic-auth user) the twocloud simulator accepts.
    #[arg(long = "twocloud-token", default_value = crate::sim::twocloud::DEFAULT_TOKEN)]
    pub twocloud_token: String,
    /// The password the twocloud simulator accepts (default: any, as the seed says).
    #[arg(long = "twocloud-password")]
    pub twocloud_password: Option<String>,
    /// A JSON inventory `{"servers": [...]}` for the twocloud simulator.
    #[arg(long = "twocloud-inventory", conflicts_with = "twocloud_machines")]
    pub twocloud_inventory: Option<PathBuf>,
    /// How many servers the twocloud simulator generates (default: STATE_DIR/twocloud.json if present, else 60).
    #[arg(long = "twocloud-machines")]
    pub twocloud_machines: Option<usize>,
    /// The IAM user name the roma simulator's token endpoint accepts.
    #[arg(long = "roma-user", default_value = crate::sim::roma::DEFAULT_USER)]
    pub roma_user: String,
    /// The password that goes with -roma-user.
    #[arg(long = "roma-password", default_value = crate::sim::roma::DEFAULT_PASSWORD)]
    pub roma_password: String,
    /// The account (IAM domain) name the roma simulator accepts.
    #[arg(long = "roma-domain", default_value = crate::sim::roma::DEFAULT_DOMAIN)]
    pub roma_domain: String,
    /// The project id the roma simulator serves (its project name is cn-north-4).
    #[arg(long = "roma-project-id", default_value = crate::sim::roma::DEFAULT_PROJECT_ID)]
    pub roma_project_id: String,
    /// Lifetime of the roma simulator's IAM tokens, in seconds.
    #[arg(long = "roma-token-ttl-s", default_value_t = crate::sim::roma::DEFAULT_TOKEN_TTL_S)]
    pub roma_token_ttl_s: u64,
    /// A JSON file of ROMA instances (an array, or the API's {total,size,instances} answer).
    #[arg(long = "roma-inventory", conflicts_with = "roma_instances")]
    pub roma_inventory: Option<PathBuf>,
    /// How many ROMA instances to generate (deterministic; default 10).
    #[arg(long = "roma-instances")]
    pub roma_instances: Option<usize>,
    /// Fraction of roma API requests answered HTTP 429 (0 to 1).
    #[arg(long = "roma-throttle-fraction", default_value_t = 0.0)]
    pub roma_throttle_fraction: f64,
    /// Delay after a roma request was acted on before its answer is sent, in milliseconds.
    #[arg(long = "roma-answer-delay-ms", default_value_t = 0)]
    pub roma_answer_delay_ms: u64,
}

/// One `-var` or `-var-file` option; Terraform applies them in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum VarArg {
    Var(String),
    File(PathBuf),
}

/// The `-var` and `-var-file` options of a subcommand in command-line order.
pub fn ordered_var_args(m: &clap::ArgMatches) -> Vec<VarArg> {
    let mut out: Vec<(usize, VarArg)> = Vec::new();
    if let (Some(idx), Some(vals)) = (m.indices_of("var"), m.get_many::<String>("var")) {
        out.extend(idx.zip(vals).map(|(i, v)| (i, VarArg::Var(v.clone()))));
    }
    if let (Some(idx), Some(vals)) = (m.indices_of("var_file"), m.get_many::<PathBuf>("var_file")) {
        out.extend(idx.zip(vals).map(|(i, v)| (i, VarArg::File(v.clone()))));
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, v)| v).collect()
}

/// The options in order; when the order was not recorded (arguments built in code), files
/// first, then variables.
pub fn var_args(order: &[VarArg], files: &[PathBuf], vars: &[String]) -> Vec<VarArg> {
    if !order.is_empty() {
        return order.to_vec();
    }
    files
        .iter()
        .cloned()
        .map(VarArg::File)
        .chain(vars.iter().cloned().map(VarArg::Var))
        .collect()
}

/// Rewrites Terraform-style single-dash flags (`-auto-approve`, `-var=x=1`, `-chdir=DIR`)
/// as `--flag`. A lone `-` (standard input) and anything after `--` stay as they are, and so
/// does a value following a flag that takes one (`-var -x=1` is not touched twice).
pub fn normalize_flags(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut rest_literal = false;
    let mut prev_takes_value = false;
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 || rest_literal || prev_takes_value {
            prev_takes_value = false;
            out.push(a);
            continue;
        }
        if a == "--" {
            rest_literal = true;
            out.push(a);
            continue;
        }
        let is_single_dash_flag = a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 2
            && a.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic());
        let flag = if is_single_dash_flag {
            format!("-{a}")
        } else {
            a
        };
        prev_takes_value = flag.starts_with("--") && !flag.contains('=') && takes_value(&flag[2..]);
        out.push(flag);
    }
    out
}

/// Terraform's help spellings: `skyform -help plan` and `skyform help plan` show the plan
/// command's help (as `skyform plan -help` does), `skyform help` the top-level help.
pub fn help_first(mut args: Vec<String>) -> Vec<String> {
    // Global options may come first (`-chdir=DIR -help plan`).
    let at = args
        .iter()
        .skip(1)
        .position(|a| !(a.starts_with("--chdir") || a == "--no-color"))
        .map(|i| i + 1);
    let Some(at) = at else {
        return args;
    };
    if matches!(args[at].as_str(), "help" | "--help" | "-h") {
        args.remove(at);
        args.push("--help".to_string());
    }
    args
}

fn takes_value(name: &str) -> bool {
    matches!(
        name,
        "chdir"
            | "out"
            | "target"
            | "replace"
            | "var"
            | "var-file"
            | "parallelism"
            | "lock-timeout"
            | "listen"
            | "state-dir"
            | "latency-ms"
            | "error-rate"
            | "throttle"
            | "cloud"
            | "jdcloud-access-key"
            | "jdcloud-secret-key"
            | "jdcloud-catalogue"
            | "twocloud-token"
            | "twocloud-password"
            | "twocloud-inventory"
            | "twocloud-machines"
            | "roma-user"
            | "roma-password"
            | "roma-domain"
            | "roma-project-id"
            | "roma-token-ttl-s"
            | "roma-inventory"
            | "roma-instances"
            | "roma-throttle-fraction"
            | "roma-answer-delay-ms"
            | "transition-ms"
            | "answer-delay-ms"
            | "lose-answers"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(args: &[&str]) -> Vec<String> {
        normalize_flags(args.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn single_dash_flags_become_double() {
        assert_eq!(
            n(&[
                "skyform",
                "-chdir=x",
                "apply",
                "-auto-approve",
                "-var",
                "-a=1",
                "-"
            ]),
            vec![
                "skyform",
                "--chdir=x",
                "apply",
                "--auto-approve",
                "--var",
                "-a=1",
                "-"
            ]
        );
        assert_eq!(
            n(&["skyform", "plan", "--out", "p"]),
            vec!["skyform", "plan", "--out", "p"]
        );
        assert_eq!(
            n(&["skyform", "fmt", "--", "-x"]),
            vec!["skyform", "fmt", "--", "-x"]
        );
    }
}
