//! The one integration-test crate (as ripgrep does): one link for every test module.
//! Modules are named by area: `cli_*` and `e2e_*` run the real binary, `hcl_*`, `lang_*`,
//! `state`, `sim_*` and `provider_*` drive the library; `backend_contract` is the suite every
//! state backend must pass.

mod common;

mod backend_contract;

mod cli_commands;
mod cli_errors;
mod cli_fmt_console;
mod e2e_contract;
mod e2e_fleet;
mod e2e_import;
mod e2e_inventory;
mod e2e_jdcloud;
mod e2e_jdcloud_recovery;
mod e2e_lifecycle;
mod e2e_mcloud;
mod e2e_modules;
mod e2e_orphans;
mod e2e_orphans_machines;
mod e2e_roma;
mod e2e_scale;
mod e2e_signals;
mod e2e_twocloud;
mod eco_habits;
mod eco_json_plan;
mod eco_live;
mod eco_policy;
mod eco_schema;
mod eco_ui;
mod engine;
mod hcl_differential;
mod hcl_fmt;
mod hcl_large;
mod hcl_parser;
mod independent;
mod lang_conformance;
mod lang_diagnostics;
mod lang_eval;
mod lang_functions;
mod layering;
mod pg_state;
mod plan_prior;
mod provider_jdcloud;
mod provider_mcloud;
mod provider_roma;
mod provider_twocloud;
mod sim_all;
mod sim_jdcloud;
mod sim_mcloud;
mod sim_roma;
mod sim_twocloud;
mod state;
