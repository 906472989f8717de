//! `skyform import ADDRESS ID`: reads an existing object through its provider and records
//! it in state at ADDRESS, which must be declared and not yet in state.

use super::{JournalRecorder, RunContext, Session};
use crate::addr::AbsInstance;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{Event, Operation, StateRecorder};
use crate::lang::Value;
use crate::state::{OutputState, StateWriter};
use std::collections::BTreeMap;

/// The object now in state.
pub struct Imported {
    pub addr: AbsInstance,
    pub value: Value,
}

/// Imports `id` into `addr`. `ctx` should target `addr` with refresh off: the plan only
/// configures the provider with the configuration's values and evaluates the resource.
pub async fn import(
    ctx: &RunContext,
    session: &Session,
    addr: &AbsInstance,
    id: &str,
) -> Result<Imported, Diagnostics> {
    let names: Vec<String> = addr.module.0.iter().map(|(n, _)| n.clone()).collect();
    let declared = ctx
        .config
        .root
        .descendant(&names)
        .and_then(|mn| mn.module.resources.get(&addr.resource))
        .cloned();
    let Some(rcfg) = declared.filter(|r| r.addr.mode == crate::addr::Mode::Managed) else {
        return Err(Diagnostic::error(
            "Configuration for import target does not exist",
            format!("The configuration does not declare {}. Add a resource block for it before importing, so skyform knows how to manage it.", addr.abs_resource()),
        )
        .into());
    };
    let prior = session.prior(&ctx.registry)?;
    if prior.instances.contains_key(addr) {
        return Err(Diagnostic::error(
            "Resource already managed by skyform",
            format!("skyform is already managing a remote object for {addr}. To import to this address you must first remove the existing object from the state (skyform state rm {addr})."),
        )
        .into());
    }
    let planned = super::plan(ctx, session).await?;
    let Some(engine) = planned.engine() else {
        return Err(Diagnostic::error("Internal error", "The import plan made no engine.").into());
    };
    let provider = engine.provider(&rcfg.provider)?;
    if let Some(events) = &ctx.events {
        events(Event::Started {
            addr: addr.clone(),
            op: Operation::Import,
            id: Some(id.to_string()),
        });
    }
    let value = provider
        .import(&addr.resource.type_name, id)
        .await
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                format!("Failed to import {addr}"),
                e.to_string(),
            ))
        })?;
    let schema = provider
        .resource_schema(&addr.resource.type_name)
        .cloned()
        .unwrap_or_default();
    // What the API does not report is taken from the configuration for this address.
    let value = match planned.plan.change(addr).and_then(|c| c.after.as_deref()) {
        Some(configured) => crate::engine::import::fill_unreported(value, configured),
        None => value,
    };
    let value = crate::plan::diff::mark_sensitive(&schema, value);
    let writer = StateWriter::open(session.backend.clone(), session.base_state())
        .await
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Failed to open the state journal",
                e.to_string(),
            ))
        })?;
    let recorder = JournalRecorder {
        writer: writer.clone(),
        registry: ctx.registry.clone(),
        // One write, whose error is returned as it is: nothing else to stop.
        failure: Default::default(),
    };
    let deps = engine.resource_dependencies(&names, &addr.resource);
    recorder
        .upsert(addr, &rcfg.provider, &value, &deps)
        .await
        .map_err(Diagnostics::from)?;
    let outputs: BTreeMap<String, OutputState> = engine
        .prior_outputs()
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                OutputState {
                    value: v.to_json(),
                    sensitive: v.is_sensitive(),
                },
            )
        })
        .collect();
    writer.finish(outputs).await.map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Failed to write the state",
            e.to_string(),
        ))
    })?;
    Ok(Imported {
        addr: addr.clone(),
        value,
    })
}
