//! Executing a plan: deletes in reverse dependency order, then every create, update and
//! replacement in dependency order, with at most `-parallelism` provider calls at once.
//! Each completed operation is durable in state before its dependents start; a failure
//! stops only what depends on it, and every error is reported together at the end.

use super::apply_instance as walk;
use crate::diag::Diagnostics;
use crate::engine::{ApplyReport, Engine};
use crate::plan::PlanMode;
use std::sync::Arc;

impl Engine {
    /// Applies the plan given by [`Engine::with_plan`]: the engine must be in apply mode.
    /// Every error is returned together; what completed is recorded either way.
    pub async fn apply(self: &Arc<Self>) -> Result<ApplyReport, Diagnostics> {
        run(self.clone()).await
    }
}

async fn run(engine: Arc<Engine>) -> Result<ApplyReport, Diagnostics> {
    // Borrowed, not copied: the plan lives as long as the engine.
    let Some(plan) = engine.plan.as_ref() else {
        return Ok(ApplyReport::default());
    };
    record_moves(&engine).await?;
    record_adopted(&engine, plan).await?;
    record_imports(&engine, plan).await?;
    record_drift(&engine, plan).await?;
    let mut diags = Diagnostics::new();
    // Providers must be configured before deletes; the forward walk configures them, so
    // configure the ones deletes need first.
    let providers: std::collections::BTreeSet<_> =
        plan.changes.iter().map(|c| c.provider.clone()).collect();
    for p in providers {
        if let Err(d) = engine.visit_provider(&p).await {
            diags.extend(d);
        }
    }
    diags.clone().into_result()?;
    if let Err(d) = walk::apply_deletes(&engine).await {
        diags.extend(d);
    }
    if plan.mode != PlanMode::Destroy {
        if let Err(d) = engine.walk().await {
            diags.extend(d);
        }
    }
    if let Err(d) = forget_stale_data(&engine, plan).await {
        diags.extend(d);
    }
    let report = engine
        .report
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    diags.into_result()?;
    Ok(report)
}

/// What refresh found changed or gone outside skyform goes into state first, so state
/// matches reality even if the apply fails later.
async fn record_drift(engine: &Engine, plan: &crate::plan::Plan) -> Result<(), Diagnostics> {
    let Some(rec) = &engine.recorder else {
        return Ok(());
    };
    for d in &plan.drift {
        match &d.after {
            None => {
                rec.remove(&d.addr).await?;
                engine
                    .prior
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .instances
                    .remove(&d.addr);
            }
            Some(v) => {
                let p = engine
                    .prior
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .instances
                    .get(&d.addr)
                    .cloned();
                if let Some(mut p) = p {
                    rec.upsert(&d.addr, &p.provider, v, &p.dependencies).await?;
                    p.value = v.clone();
                    engine
                        .prior
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .instances
                        .insert(d.addr.clone(), p);
                }
            }
        }
    }
    Ok(())
}

/// `moved` blocks rename objects in state before anything else happens.
async fn record_moves(engine: &Engine) -> Result<(), Diagnostics> {
    let moves = {
        let mut prior = engine.prior.lock().unwrap_or_else(|e| e.into_inner());
        crate::engine::moves::apply_moves(&engine.config, &mut prior)?
    };
    let Some(rec) = &engine.recorder else {
        return Ok(());
    };
    for m in moves {
        let p = engine
            .prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .get(&m.to)
            .cloned();
        if let Some(p) = p {
            // One record: a crash can leave the object at the old or the new address,
            // never at neither.
            rec.moved(&m.from, &m.to, &p.provider).await?;
        }
    }
    Ok(())
}

/// Data source results are kept in state like Terraform's, but only while the configuration
/// still reads them: after a destroy, or once a `data` block is removed, they are forgotten.
async fn forget_stale_data(engine: &Engine, plan: &crate::plan::Plan) -> Result<(), Diagnostics> {
    let Some(rec) = &engine.recorder else {
        return Ok(());
    };
    if !plan.targets.is_empty() {
        return Ok(());
    }
    let read = engine
        .data_read
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let stale: Vec<crate::addr::AbsInstance> = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .keys()
        .filter(|a| a.resource.mode == crate::addr::Mode::Data && !read.contains(*a))
        .cloned()
        .collect();
    for a in stale {
        rec.remove(&a).await?;
        engine
            .prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .remove(&a);
    }
    Ok(())
}

/// Objects of interrupted creates that planning found again go into state before anything
/// else, so even a failing apply no longer risks creating them twice; intents whose object
/// never appeared are dropped.
async fn record_adopted(engine: &Engine, plan: &crate::plan::Plan) -> Result<(), Diagnostics> {
    let Some(rec) = &engine.recorder else {
        return Ok(());
    };
    for a in &plan.adopted {
        rec.upsert(&a.addr, &a.provider, &a.value, &[]).await?;
        engine
            .prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .insert(
                a.addr.clone(),
                crate::engine::PriorInstance {
                    provider: a.provider.clone(),
                    value: a.value.clone(),
                    dependencies: Vec::new(),
                },
            );
    }
    for addr in &plan.forgotten {
        rec.remove(addr).await?;
    }
    Ok(())
}

/// Objects `import` blocks adopted go into state first, as the plan read them; the walk
/// then applies any update the plan found to reach the configuration. No create is called.
async fn record_imports(engine: &Engine, plan: &crate::plan::Plan) -> Result<(), Diagnostics> {
    let Some(rec) = &engine.recorder else {
        return Ok(());
    };
    for i in &plan.imports {
        let started = std::time::Instant::now();
        engine.emit(crate::engine::Event::Started {
            addr: i.addr.clone(),
            op: crate::engine::Operation::Import,
            id: Some(i.id.clone()),
        });
        let module: Vec<String> = i.addr.module.0.iter().map(|(n, _)| n.clone()).collect();
        let deps = engine.resource_dependencies(&module, &i.addr.resource);
        rec.upsert(&i.addr, &i.provider, &i.value, &deps).await?;
        engine
            .prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .insert(
                i.addr.clone(),
                crate::engine::PriorInstance {
                    provider: i.provider.clone(),
                    value: i.value.clone(),
                    dependencies: Vec::new(),
                },
            );
        engine
            .report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .imported += 1;
        engine.emit(crate::engine::Event::Completed {
            addr: i.addr.clone(),
            op: crate::engine::Operation::Import,
            id: Some(i.id.clone()),
            elapsed: started.elapsed(),
        });
    }
    Ok(())
}
