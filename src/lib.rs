//! skyform: a Terraform-style declarative reconciler.
//!
//! Data flows as in `docs/architecture.md`:
//! `hcl` (syntax) → `config` (module tree) → `lang` (values) → `graph` (DAG) →
//! `plan` (refresh + diff, using `state` and `provider`) → `apply` → `state`.
//! `cli` is a thin layer over these; `sim` holds the cloud simulators.

pub mod addr;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
pub mod graph;
pub mod hcl;
pub mod lang;
pub mod plan;
pub mod provider;
pub mod providers;
pub mod run;
pub mod sim;
pub mod state;
