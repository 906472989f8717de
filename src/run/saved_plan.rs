//! Applying a saved plan: it is refused once the state or the configuration moved on, and
//! it brings its own mode, variables and targets.

use super::RunContext;
use crate::addr::parse_target;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::InputValue;
use crate::plan::Plan;
use crate::state::State;

/// Refuses a saved plan whose state or configuration moved on since it was made.
pub fn check_saved_plan(
    plan: &Plan,
    state: Option<&State>,
    config_digest: &str,
) -> Result<(), Diagnostics> {
    let (lineage, serial) = match state {
        Some(s) => (Some(s.lineage.clone()), s.serial),
        None => (None, 0),
    };
    if plan.prior_lineage != lineage || plan.prior_serial != serial {
        return Err(Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The given plan file can no longer be applied because the state was changed by another operation after the plan was created (plan made from serial {} of lineage {}, state is now serial {serial} of lineage {}). Run \"skyform plan\" again.",
                plan.prior_serial,
                plan.prior_lineage.as_deref().unwrap_or("(none)"),
                lineage.as_deref().unwrap_or("(none)")
            ),
        )
        .into());
    }
    if plan.config_digest != config_digest {
        return Err(Diagnostic::error(
            "Saved plan does not match the configuration",
            "The configuration files changed after this plan was created. Run \"skyform plan\" again.",
        )
        .into());
    }
    Ok(())
}

/// Makes the run follow a saved plan: its mode, its variable values, its targets, and no
/// refresh (the plan already holds what refresh found).
pub fn adopt_saved_plan(ctx: &mut RunContext, plan: &Plan) {
    ctx.mode = plan.mode;
    ctx.inputs = plan
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), InputValue::Value(v.clone())))
        .collect();
    ctx.options.refresh = false;
    ctx.options.targets = plan
        .targets
        .iter()
        .filter_map(|t| parse_target(t).ok())
        .collect();
}
