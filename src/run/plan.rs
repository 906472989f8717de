//! Making a plan: the engine walks in plan mode over the session's prior state.

use super::{RunContext, Session};
use crate::diag::Diagnostics;
use crate::engine::{Engine, WalkMode};
use crate::plan::Plan;
use std::sync::Arc;

/// A plan, and the engine that made it (its configured providers are reused by the apply
/// that follows, so connections and embedded simulators are not set up twice).
pub struct Planned {
    pub plan: Plan,
    /// Warnings of the providers' plan checks (a reboot the diff does not show), for the
    /// plan's output; none for a saved plan (they were shown when it was made).
    pub warnings: Diagnostics,
    engine: Option<Arc<Engine>>,
}

impl Planned {
    /// A plan read from a file: nothing was configured for it yet.
    pub fn saved(plan: Plan) -> Planned {
        Planned {
            plan,
            warnings: Diagnostics::new(),
            engine: None,
        }
    }

    /// The root outputs as the plan computed them (empty for a saved plan).
    pub fn outputs(&self) -> std::collections::BTreeMap<String, crate::lang::Value> {
        self.engine
            .as_ref()
            .map(|e| e.root_outputs())
            .unwrap_or_default()
    }

    pub(super) fn engine(&self) -> Option<&Arc<Engine>> {
        self.engine.as_ref()
    }

    /// The plan and its engine, so the apply can take the configured providers and then
    /// drop the planning engine (its prior state and values) before building its own.
    pub(super) fn into_parts(self) -> (Plan, Option<Arc<Engine>>) {
        (self.plan, self.engine)
    }
}

/// Plans `ctx.mode` against the session's state, refreshing as it goes (unless
/// `-refresh=false`). Nothing is written; the session keeps its state for an apply.
pub async fn plan(ctx: &RunContext, session: &Session) -> Result<Planned, Diagnostics> {
    plan_from(ctx, session.prior(&ctx.registry)?).await
}

/// Like [`plan`], for the `plan` command, which writes no state: the session's loaded
/// document is consumed while it is decoded (`Session::take_prior`), so the plan does not
/// hold the document beside its decoded objects.
pub async fn plan_only(ctx: &RunContext, session: &mut Session) -> Result<Planned, Diagnostics> {
    plan_from(ctx, session.take_prior(&ctx.registry)?).await
}

async fn plan_from(
    ctx: &RunContext,
    prior: crate::plan::prior::PriorState,
) -> Result<Planned, Diagnostics> {
    let graph = crate::graph::build(&ctx.config)?;
    let engine = Engine::new(
        ctx.config.clone(),
        graph,
        WalkMode::Plan(ctx.mode),
        ctx.options.clone(),
        ctx.inputs.clone(),
        prior,
        ctx.registry.clone(),
    )
    .with_events(ctx.events.clone())
    .with_embedded(ctx.embedded.clone())
    .with_cancel(ctx.cancel.clone());
    let engine = Arc::new(engine);
    let planned = engine.plan(ctx.config_digest.clone()).await;
    if ctx.cancel.is_cancelled() {
        // A plan cut short proposes changes it never checked: refuse it whole.
        let mut d = super::without_cancellations(planned.err().unwrap_or_default());
        d.push(super::cancelled_diagnostic("plan", &[]));
        return Err(d);
    }
    let plan = planned?;
    Ok(Planned {
        plan,
        warnings: engine.take_plan_warnings(),
        engine: Some(engine),
    })
}
