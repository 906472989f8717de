//! The run layer: plan, apply, destroy, refresh-only, import and inventory as library
//! functions.
//!
//! Each takes a [`Session`] (a backend with its lock held and the state loaded), a
//! [`RunContext`] (configuration, provider registry, options, inputs, where events go, a
//! cancel handle) and returns a report. Nothing here prints: the command line renders the
//! reports and the engine's events, and tests call these functions directly. This is the
//! orchestration OpenTofu keeps in `backend/local`.

mod apply;
mod backend_failure;
mod generate;
mod import;
mod inventory;
mod plan;
mod recorder;
mod saved_plan;
mod session;

pub use apply::{apply, Applied};
pub use backend_failure::{BackendFailure, BACKEND_FAILED};
pub use generate::{check_new_file, generate_config, write_new_file, Generated};
pub use import::{import, Imported};
pub use inventory::{inventory, Inventory, Managed, Row};
pub use plan::{plan, plan_only, Planned};
pub use recorder::JournalRecorder;
pub use saved_plan::{adopt_saved_plan, check_saved_plan};
pub use session::Session;

use crate::config::Config;
use crate::engine::{Cancel, EventSink, InputValue, Options};
use crate::plan::PlanMode;
use crate::provider::registry::ProviderRegistry;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything a run needs besides the state.
#[derive(Clone)]
pub struct RunContext {
    pub config: Arc<Config>,
    /// Identifies the configuration files, so a saved plan is refused once they change.
    pub config_digest: String,
    pub registry: Arc<ProviderRegistry>,
    pub mode: PlanMode,
    pub options: Options,
    pub inputs: BTreeMap<String, InputValue>,
    /// Where the engine's events go (progress lines, later `-json`); none when quiet.
    pub events: Option<EventSink>,
    /// Stops the run from starting new work (Ctrl-C, SIGTERM, a test).
    pub cancel: Cancel,
    /// Starts in-process simulators for `endpoint = "embedded"` (the command line passes
    /// `sim::embedded::Launcher`; the run layer imports no simulator).
    pub embedded: Option<Arc<dyn crate::provider::EmbeddedClouds>>,
}

/// The diagnostics of a run minus the per-node "Cancelled" ones: a cancelled run reports
/// its cancellation once, and every real error beside it.
pub(crate) fn without_cancellations(d: crate::diag::Diagnostics) -> crate::diag::Diagnostics {
    let mut kept = crate::diag::Diagnostics::new();
    for x in d.iter() {
        if x.summary != crate::engine::CANCELLED {
            kept.push(x.clone());
        }
    }
    kept
}

/// The one message of a run stopped by Ctrl-C or SIGTERM, naming the operations that were
/// stopped while they waited.
pub fn cancelled_diagnostic(what: &str, interrupted: &[String]) -> crate::diag::Diagnostic {
    let mut detail = format!("The {what} was interrupted. Nothing that had not started was done; calls already sent were allowed to finish, and everything that completed is recorded in state.");
    if !interrupted.is_empty() {
        detail.push_str(&format!(
            " Stopped while waiting, and recorded in state as they were: {}.",
            interrupted.join(", ")
        ));
    }
    detail.push_str(" Run the command again to finish.");
    crate::diag::Diagnostic::error("Operation cancelled", detail)
}
