//! Applying a plan: the engine walks in apply mode, every completed operation goes to the
//! state journal as it completes, and the whole state is written once at the end.

use super::{BackendFailure, JournalRecorder, Planned, RunContext, Session};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{ApplyReport, Engine, WalkMode};
use crate::lang::Value;
use crate::plan::PlanMode;
use crate::state::{OutputState, StateWriter};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What an apply did. `result` holds every error of the apply itself; `state_written`
/// says whether the final state document was written (completed operations are in the
/// journal either way, and the next run replays it).
pub struct Applied {
    pub mode: PlanMode,
    pub report: ApplyReport,
    /// The root outputs after the apply (empty for a destroy).
    pub outputs: BTreeMap<String, Value>,
    pub result: Result<(), Diagnostics>,
    pub state_written: Result<(), Diagnostics>,
    /// The run was cancelled before it finished: it must not be reported as complete.
    pub cancelled: bool,
}

impl Applied {
    /// Everything went through and the state was written.
    pub fn is_complete(&self) -> bool {
        self.result.is_ok() && self.state_written.is_ok() && !self.cancelled
    }
}

/// Applies `planned` to the session's state. Errors building the graph, reading the prior
/// state or opening the journal are returned before anything is changed. The session's
/// loaded state is handed to the run's state writer (its `state` is empty afterwards).
pub async fn apply(
    ctx: &RunContext,
    session: &mut Session,
    planned: Planned,
) -> Result<Applied, Diagnostics> {
    let graph = crate::graph::build(&ctx.config)?;
    let mode = planned.plan.mode;
    let (plan, plan_engine) = planned.into_parts();
    // The planning engine's prior state and values are not needed any more: only its
    // configured providers are kept, and it is dropped before the apply decodes the prior
    // state again, so the two are never in memory together.
    let providers = plan_engine.as_ref().map(|e| e.configured_providers());
    drop(plan_engine);
    let failure = Arc::new(BackendFailure::new(ctx.cancel.clone()));
    let plan = for_apply(plan);
    let prior = session.prior(&ctx.registry)?;
    let writer = StateWriter::open(session.backend.clone(), session.take_base_state())
        .await
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Failed to open the state journal",
                e.to_string(),
            ))
        })?;
    let recorder = Arc::new(JournalRecorder {
        writer: writer.clone(),
        registry: ctx.registry.clone(),
        failure: failure.clone(),
    });
    let engine = Engine::new(
        ctx.config.clone(),
        graph,
        WalkMode::Apply,
        ctx.options.clone(),
        ctx.inputs.clone(),
        prior,
        ctx.registry.clone(),
    )
    .with_events(ctx.events.clone())
    .with_embedded(ctx.embedded.clone())
    .with_cancel(ctx.cancel.clone());
    if let Some(providers) = providers {
        engine.use_providers(providers);
    }
    let engine = Arc::new(engine.with_plan(plan, Some(recorder)));
    let result = engine.apply().await.map(|_| ());
    // A failing backend cancels the run too; that is its error, not the user's interrupt.
    let stopped = ctx.cancel.is_cancelled();
    let backend_failed = failure.happened();
    let cancelled = stopped && !backend_failed;
    let result = match result {
        Err(d) if backend_failed => without_record_failures(d).into_result(),
        Err(d) if stopped => super::without_cancellations(d).into_result(),
        other => other,
    };
    let outputs = if mode == PlanMode::Destroy {
        BTreeMap::new()
    } else {
        engine.root_outputs()
    };
    let to_state = outputs
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                OutputState {
                    value: v.to_json(),
                    sensitive: v.is_sensitive(),
                },
            )
        })
        .collect();
    // The engine's prior state and values are done with: the final write holds only the
    // state document and its text.
    let report = engine.report();
    drop(engine);
    let state_written = writer.finish(to_state).await.map(|_| ()).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Failed to write the state",
            format!("{e}. Completed operations are kept in the journal beside the state and will be replayed by the next run."),
        ))
    });
    // One error for the backend's failure: with the final write's, if that failed too.
    let (result, state_written) = match failure.diagnostic(state_written.as_ref().err()) {
        None => (result, state_written),
        Some(one) if state_written.is_err() => (result, Err(one.into())),
        Some(one) => {
            let mut all = result.err().unwrap_or_default();
            all.push(one);
            (all.into_result(), state_written)
        }
    };
    Ok(Applied {
        mode,
        report,
        outputs,
        result,
        state_written,
        cancelled,
    })
}

/// An apply's errors minus those its backend's failure explains: the per-node "Failed to
/// persist state" and the cancellations it caused (reported once by `BackendFailure`).
fn without_record_failures(d: Diagnostics) -> Diagnostics {
    let mut kept = Diagnostics::new();
    for x in super::without_cancellations(d).iter() {
        if x.summary != super::recorder::PERSIST_FAILED {
            kept.push(x.clone());
        }
    }
    kept
}

/// The plan as the apply needs it: each change's action, not its `before` and `after`
/// objects. The apply evaluates every instance again with the values now known (and reads
/// the prior objects from state), and the plan was shown already; dropping the two copies
/// of every object keeps them out of memory for the whole apply.
fn for_apply(mut plan: crate::plan::Plan) -> crate::plan::Plan {
    for change in &mut plan.changes {
        change.before = None;
        change.after = None;
    }
    plan
}
