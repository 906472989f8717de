//! Applying each resource node: re-evaluate its configuration with the values now known,
//! check it still matches the plan, call the provider, and record the result durably before
//! the node completes (and so before anything that depends on it starts).

use crate::addr::{AbsInstance, Mode, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::resource::ResourceSetup;
use crate::engine::{Binding, Engine, Event, Operation};
use crate::graph::Dag;
use crate::lang::Value;
use crate::plan::diff::{carry_sensitive_marks, mark_sensitive, plan_instance};
use crate::plan::{Action, ResourceChange};
use crate::provider::{CreatedHook, OperationContext, PartialFailure, Progress, SlotHook};
use futures::FutureExt;
use std::sync::Arc;
use std::time::Instant;

pub async fn apply_resource(
    engine: &Engine,
    module: &[String],
    addr: &ResourceAddr,
) -> Result<(), Diagnostics> {
    let setup = engine.resource_setup(module, addr)?;
    let deps = engine.resource_dependencies(module, addr);
    let reads = if addr.mode == Mode::Data && !depends_on_changes(engine, module, addr) {
        DataReads::FromPlan
    } else {
        DataReads::Again
    };
    let instances = engine.values().instances_of(module);
    // The module's instances (`for_each`/`count` on the module call) are independent of each
    // other: their resource instances are applied together, not one module after another.
    let per_module = instances.into_iter().map(|m| {
        let (setup, deps) = (&setup, &deps);
        async move {
            let mut diags = Diagnostics::new();
            let bindings = match engine.resource_bindings(&m, &setup.rcfg) {
                Ok(b) => b,
                Err(d) => return d,
            };
            let ops = bindings.into_iter().map(|binding| {
                let inst = AbsInstance {
                    module: m.clone(),
                    resource: addr.clone(),
                    key: binding.key(),
                };
                apply_instance(engine, setup, inst, binding, deps, reads)
            });
            let results = futures::future::join_all(ops).await;
            let mut instance_values = Vec::new();
            for r in results {
                match r {
                    Ok(Some((key, v))) => instance_values.push((key, v)),
                    Ok(None) => {}
                    Err(d) => diags.extend(d),
                }
            }
            let v = crate::engine::resource::aggregate(&setup.rcfg, instance_values);
            engine
                .values()
                .module_mut(&m)
                .resources
                .insert(addr.clone(), v);
            diags
        }
    });
    let mut diags = Diagnostics::new();
    for d in futures::future::join_all(per_module).await {
        diags.extend(d);
    }
    diags.into_result()
}

/// Whether a data source's reads made while planning stand for this apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataReads {
    /// Nothing it depends on changes in this apply: what the plan read is what the apply
    /// uses, as in Terraform (one read per run, not one in the plan and one in the apply).
    FromPlan,
    /// Something it depends on is created, changed or deleted first: read it again after.
    Again,
}

/// Whether a resource of `module` depends, directly or not, on a managed resource with
/// an instance this apply changes.
fn depends_on_changes(engine: &Engine, module: &[String], addr: &ResourceAddr) -> bool {
    let node = crate::graph::Node {
        module: module.to_vec(),
        kind: crate::graph::NodeKind::Resource(addr.clone()),
    };
    engine
        .graph
        .dag
        .ancestors(&node)
        .into_iter()
        .any(|n| match &n.kind {
            crate::graph::NodeKind::Resource(r) => {
                r.mode == Mode::Managed && engine.plan_index.is_changing(&n.module, r)
            }
            _ => false,
        })
}

fn planned_action(engine: &Engine, inst: &AbsInstance) -> Option<Action> {
    engine.plan_index.action(inst)
}

fn prior_value(engine: &Engine, inst: &AbsInstance) -> Option<Value> {
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .get(inst)
        .map(|p| p.value.clone())
}

async fn apply_instance(
    engine: &Engine,
    setup: &ResourceSetup,
    inst: AbsInstance,
    binding: Binding,
    deps: &[String],
    reads: DataReads,
) -> Result<Option<(crate::addr::InstanceKey, Value)>, Diagnostics> {
    let key = inst.key.clone();
    if inst.resource.mode == Mode::Data {
        return read_data(engine, setup, inst, &binding, deps, reads)
            .await
            .map(|v| Some((key, v)));
    }
    let action = planned_action(engine, &inst).unwrap_or(Action::NoOp);
    if matches!(action, Action::NoOp | Action::Delete | Action::Read) {
        // Unchanged (or deleted by the delete walk): expressions see the prior value.
        return Ok(prior_value(engine, &inst).map(|p| (key, p)));
    }
    if engine.cancel.is_cancelled() {
        return Err(crate::engine::cancelled().into());
    }
    // The `-parallelism` slot comes before the configuration is evaluated: a thousand
    // instances waiting for a slot hold nothing but their address, not a configuration
    // and a planned object each.
    let slot = permit_owned(engine).await?;
    let prior = prior_value(engine, &inst);
    let config = engine.instance_config(&inst.module, &binding, setup)?;
    let lifecycle = &setup.rcfg.lifecycle;
    // A delete-then-create replacement lost its old object in the delete phase; the final
    // plan is still checked against it.
    let replaced = engine
        .replaced
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&inst)
        .cloned();
    let fin = plan_instance(
        &setup.schema,
        prior.as_ref().or(replaced.as_ref()),
        &config,
        &lifecycle.ignore_changes,
        action.is_replace(),
        lifecycle.create_before_destroy,
    );
    if fin.action != action && !(action == Action::Update && fin.action == Action::NoOp) {
        return Err(Diagnostic::error(
            "Inconsistent final plan",
            format!(
                "When expanding the plan for {inst} to include new values learned so far during apply, the action changed from {:?} to {:?}. Run \"skyform plan\" again.",
                action, fin.action
            ),
        )
        .into());
    }
    // Only the planned object goes on; a create may wait a while for its id.
    drop(config);
    let planned = fin.planned;
    let ops = ObjectOps {
        engine,
        setup,
        inst: &inst,
        planned: &planned,
        deps,
        slot: std::sync::Mutex::new(Some(slot)),
    };
    let result = match action {
        Action::Create => ops.create(true).await?,
        Action::Update => {
            let Some(prior) = prior else {
                return Err(missing_prior(&inst));
            };
            if fin.action == Action::NoOp {
                return Ok(Some((key, prior)));
            }
            ops.update(&prior).await?
        }
        Action::DeleteThenCreate => {
            match (prior, replaced) {
                // Deleted in the delete phase.
                (None, Some(_)) => {}
                // Still there: its delete failed (reported there) or never ran.
                (Some(_), _) => return Err(replacement_not_deleted(&inst)),
                (None, None) => return Err(missing_prior(&inst)),
            }
            ops.create(true).await?
        }
        Action::CreateThenDelete => {
            let Some(prior) = prior else {
                return Err(missing_prior(&inst));
            };
            // The old object stays in state, deposed, until its delete succeeds: a failed
            // delete or a crash never loses it.
            let provider = &setup.rcfg.provider;
            let key = depose(engine, &inst, provider).await?;
            let v = match ops.create(true).await {
                Ok(v) => v,
                Err(d) => {
                    restore_deposed(engine, &inst, provider, &key).await?;
                    return Err(d);
                }
            };
            ops.delete_deposed(&prior, &key).await?;
            v
        }
        Action::NoOp | Action::Delete | Action::Read => return Ok(None),
    };
    for c in &lifecycle.postconditions {
        let mut ctx = engine.context(&inst.module, &binding, &[&c.condition, &c.error_message]);
        ctx.variables.insert("self".to_string(), result.clone());
        crate::engine::nodes::check_condition_in(&ctx, c, "Resource postcondition failed")?;
    }
    Ok(Some((key, result)))
}

/// A data source instance during apply: what the plan read when that stands
/// ([`DataReads::FromPlan`]), else a read now that everything it depends on is applied.
/// Either way the result is recorded in state.
async fn read_data(
    engine: &Engine,
    setup: &ResourceSetup,
    inst: AbsInstance,
    binding: &Binding,
    deps: &[String],
    reads: DataReads,
) -> Result<Value, Diagnostics> {
    let config = engine.instance_config(&inst.module, binding, setup)?;
    let read_at_plan = match (reads, engine.plan.as_ref()) {
        (DataReads::FromPlan, Some(plan)) => engine.plan_index.data_read(plan, &inst).cloned(),
        _ => None,
    };
    let v = match read_at_plan {
        // Marked by the schema when it was read.
        Some(v) => v,
        None => {
            if !config.is_wholly_known() {
                return Err(Diagnostic::error(
                    format!("Cannot read {inst}"),
                    "Its configuration still has unknown values after everything it depends on was applied.",
                )
                .with_span(setup.rcfg.decl_span.clone())
                .into());
            }
            let v = {
                let _permit = permit(engine).await?;
                setup
                    .provider
                    .read_data(&inst.resource.type_name, &config)
                    .await
                    .map_err(|e| op_error(&inst, "read", Some(&e)))?
            };
            mark_sensitive(&setup.schema, v)
        }
    };
    let v = carry_sensitive_marks(&config, v);
    record_upsert(engine, &inst, setup, &v, deps).await?;
    engine
        .data_read
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(inst);
    Ok(v)
}

/// One instance's provider operations during apply: each takes a `-parallelism` permit,
/// calls the provider, and records the result durably before returning.
struct ObjectOps<'a> {
    engine: &'a Engine,
    setup: &'a ResourceSetup,
    inst: &'a AbsInstance,
    planned: &'a Value,
    deps: &'a [String],
    /// The slot taken before the instance was evaluated, for its first provider call.
    slot: std::sync::Mutex<Option<tokio::sync::OwnedSemaphorePermit>>,
}

impl ObjectOps<'_> {
    /// A `-parallelism` slot: the one taken for this instance if still unused, else a new one.
    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Diagnostics> {
        let held = self.slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        match held {
            Some(p) => Ok(p),
            None => permit_owned(self.engine).await,
        }
    }

    fn op(&self, timeout: Option<std::time::Duration>, operation: Operation) -> OperationContext {
        op_context(self.engine, self.inst, timeout, operation)
    }

    /// A failed operation: records the state the provider says is true now (if it said),
    /// then reports the error. `record`: false when the address still holds another
    /// object (create_before_destroy), which the partial one must not replace.
    async fn failed(&self, what: &str, f: PartialFailure, record: bool) -> Diagnostics {
        let mut diags = op_error(self.inst, what, Some(&f.error));
        note_interrupted(self.engine, self.inst, &f.error);
        if let (true, Some(state)) = (record, f.state) {
            if let Err(d) = self.record(state).await {
                diags.extend(d);
            }
        }
        diags
    }

    fn type_name(&self) -> &str {
        &self.inst.resource.type_name
    }

    /// The provider's answer with schema and inherited sensitive marks, recorded in state.
    async fn record(&self, v: Value) -> Result<Value, Diagnostics> {
        let v = carry_sensitive_marks(self.planned, mark_sensitive(&self.setup.schema, v));
        record_upsert(self.engine, self.inst, self.setup, &v, self.deps).await?;
        Ok(v)
    }

    /// Creates the object. `address_free`: nothing else holds this address in state, so the
    /// create can be recorded as an intent as soon as the cloud acknowledges it (not for
    /// create_before_destroy, where the old object still holds the address).
    async fn create(&self, address_free: bool) -> Result<Value, Diagnostics> {
        let mut op = self.op(self.setup.rcfg.timeouts.create, Operation::Create);
        // The `-parallelism` slot of this create: freed as soon as the cloud acknowledged the
        // object, so waiting for it to be usable does not keep other creates from starting.
        // The slot bounds calls to the cloud, not journal writes: the intent written before
        // the call is made durable before the slot is taken, and the acknowledgement's
        // record (what the answer named) after it is given back.
        let slot: Arc<std::sync::Mutex<Option<tokio::sync::OwnedSemaphorePermit>>> = Arc::default();
        let recorder = self.engine.recorder.clone().filter(|_| address_free);
        // Why recording the acknowledgement failed, if it did: the cause to report, rather
        // than the provider's error that wraps it.
        let unrecorded: Arc<std::sync::Mutex<Option<Diagnostic>>> = Arc::default();
        let (held, addr, provider, why) = (
            slot.clone(),
            self.inst.clone(),
            self.setup.rcfg.provider.clone(),
            unrecorded.clone(),
        );
        op.created = Some(CreatedHook(Arc::new(move |token: String| {
            let (rec, addr, provider) = (recorder.clone(), addr.clone(), provider.clone());
            let (held, why) = (held.clone(), why.clone());
            Box::pin(async move {
                drop(held.lock().unwrap_or_else(|e| e.into_inner()).take());
                if let Some(rec) = rec {
                    rec.intent(&addr, &provider, &token).await.map_err(|d| {
                        let text = d.to_string();
                        *why.lock().unwrap_or_else(|e| e.into_inner()) = Some(d);
                        text
                    })?;
                }
                Ok(())
            })
        })));
        let (result, started) = {
            if address_free {
                self.write_ahead_intent().await?;
            }
            let permit = self.permit().await?;
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(permit);
            let started = self.started(Operation::Create, None);
            let result = self
                .setup
                .provider
                .create(self.type_name(), self.planned, &op)
                .await;
            drop(slot.lock().unwrap_or_else(|e| e.into_inner()).take());
            (result, started)
        };
        let settled = self
            .settle(Operation::Create, started, result, address_free)
            .await;
        let unrecorded = unrecorded.lock().unwrap_or_else(|e| e.into_inner()).take();
        let v = match (settled, unrecorded) {
            (Err(_), Some(cause)) => return Err(cause.into()),
            (settled, _) => settled?,
        };
        bump(self.engine, |r| r.added += 1);
        Ok(v)
    }

    /// Makes the create's intent durable before the create is sent: what the provider says
    /// identifies the object, and the time. A run that dies after the cloud acted, or an
    /// answer that is lost, leaves this record for the next plan to recover from. A type
    /// with no fingerprint records nothing here.
    async fn write_ahead_intent(&self) -> Result<(), Diagnostics> {
        let Some(rec) = &self.engine.recorder else {
            return Ok(());
        };
        let Some(fingerprint) = self
            .setup
            .provider
            .create_fingerprint(self.type_name(), self.planned)
        else {
            return Ok(());
        };
        let now = crate::provider::recovery::now_text();
        rec.intent_ahead(self.inst, &self.setup.rcfg.provider, &fingerprint, &now)
            .await
            .map_err(Diagnostics::from)
    }

    /// Records the outcome of a create or update, then emits its end: "complete" only once
    /// the new state is durable. A failure records what the provider says is now true.
    async fn settle(
        &self,
        op: Operation,
        started: Instant,
        result: crate::provider::ApplyResult,
        record_partial: bool,
    ) -> Result<Value, Diagnostics> {
        let what = if op == Operation::Create {
            "create"
        } else {
            "update"
        };
        let recorded = match result {
            Ok(v) => self.record(v).await,
            Err(f) => Err(self.failed(what, f, record_partial).await),
        };
        let _ = self.finished(op, started, recorded.as_ref().ok());
        recorded
    }

    async fn update(&self, prior: &Value) -> Result<Value, Diagnostics> {
        let (result, started) = {
            let _permit = self.permit().await?;
            let started = self.started(Operation::Update, object_id(prior));
            let result = self
                .setup
                .provider
                .update(
                    self.type_name(),
                    prior,
                    self.planned,
                    &self.op(self.setup.rcfg.timeouts.update, Operation::Update),
                )
                .await;
            (result, started)
        };
        // A partial state is recorded too: stopped, then failed to resize, must not stay
        // "running" in state.
        let v = self
            .settle(Operation::Update, started, result, true)
            .await?;
        bump(self.engine, |r| r.changed += 1);
        Ok(v)
    }

    /// Deletes the old object of a create_before_destroy replacement, deposed as `key`:
    /// forgotten once gone, kept deposed (for the next run) if the delete fails.
    async fn delete_deposed(&self, prior: &Value, key: &str) -> Result<(), Diagnostics> {
        let (result, started) = {
            let _permit = self.permit().await?;
            let started = self.started(Operation::Delete, object_id(prior));
            let result = self
                .setup
                .provider
                .delete(
                    self.type_name(),
                    prior,
                    &self.op(self.setup.rcfg.timeouts.delete, Operation::Delete),
                )
                .await;
            (result, started)
        };
        let recorded = match result {
            Err(f) => {
                note_interrupted(self.engine, self.inst, &f.error);
                Err(op_error(
                    self.inst,
                    &format!("delete deposed object {key} of"),
                    Some(&f.error),
                ))
            }
            Ok(()) => forget_deposed(self.engine, self.inst, &self.setup.rcfg.provider, key).await,
        };
        let _ = self.finished(
            Operation::Delete,
            started,
            recorded.as_ref().ok().map(|_| prior),
        );
        recorded?;
        bump(self.engine, |r| r.destroyed += 1);
        Ok(())
    }

    fn started(&self, op: Operation, id: Option<String>) -> Instant {
        self.engine.emit(Event::Started {
            addr: self.inst.clone(),
            op,
            id,
        });
        Instant::now()
    }

    /// Emits the end of an operation; `Err(())` when it failed (`done` is None).
    fn finished(&self, op: Operation, started: Instant, done: Option<&Value>) -> Result<(), ()> {
        finished(self.engine, self.inst, op, started, done)
    }
}

fn finished(
    engine: &Engine,
    addr: &AbsInstance,
    op: Operation,
    started: Instant,
    done: Option<&Value>,
) -> Result<(), ()> {
    let elapsed = started.elapsed();
    let addr = addr.clone();
    match done {
        Some(v) => {
            engine.emit(Event::Completed {
                addr,
                op,
                id: if op == Operation::Delete {
                    None
                } else {
                    object_id(v)
                },
                elapsed,
            });
            Ok(())
        }
        None => {
            engine.emit(Event::Failed { addr, op, elapsed });
            Err(())
        }
    }
}

/// The object's `id`, for events.
fn object_id(v: &Value) -> Option<String> {
    v.get_attr("id").and_then(Value::as_str).map(str::to_string)
}

async fn permit(engine: &Engine) -> Result<tokio::sync::SemaphorePermit<'_>, Diagnostics> {
    engine
        .io
        .acquire()
        .await
        .map_err(|_| Diagnostics::from(crate::engine::cancelled()))
}

/// A `-parallelism` slot that can be handed to a hook and freed before the operation ends.
async fn permit_owned(engine: &Engine) -> Result<tokio::sync::OwnedSemaphorePermit, Diagnostics> {
    engine
        .io
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Diagnostics::from(crate::engine::cancelled()))
}

fn bump(engine: &Engine, f: impl FnOnce(&mut crate::engine::ApplyReport)) {
    f(&mut engine.report.lock().unwrap_or_else(|e| e.into_inner()));
}

fn replacement_not_deleted(inst: &AbsInstance) -> Diagnostics {
    Diagnostic::error(
        format!("{inst} was not replaced"),
        "Its old object was not deleted (see the error above, if any), so no new object was created. Run \"skyform apply\" again once the delete can succeed.",
    )
    .into()
}

fn missing_prior(inst: &AbsInstance) -> Diagnostics {
    Diagnostic::error("Missing prior state", format!("The plan changes {inst}, but the state has no object for it. Run \"skyform plan\" again.")).into()
}

/// The context of one provider operation: address, timeout, and progress turned into
/// engine events.
fn op_context(
    engine: &Engine,
    addr: &AbsInstance,
    timeout: Option<std::time::Duration>,
    op: Operation,
) -> OperationContext {
    let mut ctx = OperationContext::new(addr.to_string())
        .with_timeout(timeout)
        .with_cancel(engine.cancel.token());
    if let Some(sink) = engine.events.clone() {
        let (addr, started) = (addr.clone(), Instant::now());
        ctx = ctx.with_progress(move |p: Progress| {
            let elapsed = match &p {
                Progress::Waiting { elapsed, .. } => *elapsed,
                Progress::Message(_) => started.elapsed(),
            };
            sink(Event::Progress {
                addr: addr.clone(),
                op,
                message: p.summary(),
                elapsed,
            })
        });
    }
    ctx
}

/// An operation the run's cancellation cut short is part of the one cancellation message,
/// not an error of its own.
fn op_error(
    inst: &AbsInstance,
    what: &str,
    e: Option<&crate::provider::ProviderError>,
) -> Diagnostics {
    let detail = e.map(ToString::to_string).unwrap_or_default();
    if e.is_some_and(|e| e.kind == crate::provider::ErrorKind::Cancelled) {
        return Diagnostic::error(
            crate::engine::CANCELLED,
            format!("{inst}: {what} was cut short: {detail}"),
        )
        .into();
    }
    Diagnostic::error(format!("Failed to {what} {inst}"), detail).into()
}

fn note_interrupted(engine: &Engine, inst: &AbsInstance, e: &crate::provider::ProviderError) {
    if e.kind == crate::provider::ErrorKind::Cancelled {
        engine
            .report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .interrupted
            .push(inst.to_string());
    }
}

async fn record_upsert(
    engine: &Engine,
    inst: &AbsInstance,
    setup: &ResourceSetup,
    v: &Value,
    deps: &[String],
) -> Result<(), Diagnostics> {
    if let Some(rec) = &engine.recorder {
        rec.upsert(inst, &setup.rcfg.provider, v, deps)
            .await
            .map_err(Diagnostics::from)?;
    }
    let mut prior = engine.prior.lock().unwrap_or_else(|e| e.into_inner());
    prior.instances.insert(
        inst.clone(),
        crate::engine::PriorInstance {
            provider: setup.rcfg.provider.clone(),
            value: v.clone(),
            dependencies: deps.to_vec(),
        },
    );
    Ok(())
}

/// Records `v` for an object already in state, keeping its recorded dependencies.
async fn record_state(
    engine: &Engine,
    inst: &AbsInstance,
    provider: &crate::config::ProviderRef,
    v: Value,
) -> Result<(), Diagnostics> {
    let deps = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .get(inst)
        .map(|p| p.dependencies.clone())
        .unwrap_or_default();
    if let Some(rec) = &engine.recorder {
        rec.upsert(inst, provider, &v, &deps)
            .await
            .map_err(Diagnostics::from)?;
    }
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .insert(
            inst.clone(),
            crate::engine::PriorInstance {
                provider: provider.clone(),
                value: v,
                dependencies: deps,
            },
        );
    Ok(())
}

async fn record_remove(engine: &Engine, inst: &AbsInstance) -> Result<(), Diagnostics> {
    if let Some(rec) = &engine.recorder {
        rec.remove(inst).await.map_err(Diagnostics::from)?;
    }
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .remove(inst);
    Ok(())
}

/// Deletes every instance the plan deletes, and the old object of every delete-then-create
/// replacement, dependents before what they depend on (by the dependencies recorded in
/// state), up to `-parallelism` at once. Replacements are deleted here rather than by their
/// own node so that, as in Terraform, a group is deleted before the template it was made
/// from is replaced: a real API refuses to delete a template in use.
pub async fn apply_deletes(engine: &Arc<Engine>) -> Result<(), Diagnostics> {
    let Some(plan) = &engine.plan else {
        return Ok(());
    };
    // Positions in the plan's changes, not copies of them (each holds its objects).
    let deletes: Vec<usize> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.action, Action::Delete | Action::DeleteThenCreate))
        .map(|(i, _)| i)
        .collect();
    if deletes.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = deletes
        .iter()
        .map(|&i| delete_key(&plan.changes[i]))
        .collect();
    let dag = delete_order(engine, plan, &deletes, &keys);
    let by_key: std::collections::HashMap<String, usize> =
        keys.into_iter().zip(deletes.iter().copied()).collect();
    let by_key = Arc::new(by_key);
    let me = engine.clone();
    // Every ready delete may start: the `-parallelism` slots (`permit`) bound the provider
    // calls, and a provider that batches deletes frees its slot once the id is queued (#12).
    let width = dag.len().max(1);
    let outcomes = dag
        .reversed()
        .walk(width, engine.cancel.flag(), move |key: String| {
            let me = me.clone();
            let by_key = by_key.clone();
            async move {
                let change = by_key
                    .get(&key)
                    .and_then(|&i| me.plan.as_ref().and_then(|p| p.changes.get(i)));
                match change {
                    Some(c) => delete_instance(&me, c).await,
                    None => Ok(()),
                }
            }
            .boxed()
        })
        .await;
    let mut diags = Diagnostics::new();
    for (_, o) in outcomes {
        match o {
            crate::graph::Outcome::Failed(d) => diags.extend(d),
            crate::graph::Outcome::Panicked(message) => {
                diags.push(crate::engine::internal_error(&message))
            }
            crate::graph::Outcome::Done | crate::graph::Outcome::Skipped => {}
        }
    }
    diags.into_result()
}

/// The deletes (`plan.changes[deletes[n]]`, named `keys[n]`) as a graph: each delete
/// depends on the deletes of the resources its object depended on when it was last applied
/// (recorded in state), so the reversed graph deletes dependents first.
///
/// Linear in the deletes and their recorded dependencies: each resource with deletes gets
/// one group node that depends on all of them, and a delete depends on the group of each
/// resource it depended on, instead of on every instance of it (a thousand instances that
/// depended on a thousand others were a million edges). The prior state is read in place.
fn delete_order(
    engine: &Engine,
    plan: &crate::plan::Plan,
    deletes: &[usize],
    keys: &[String],
) -> Dag<String> {
    let mut dag: Dag<String> = Dag::new();
    // (module, resource) of each delete, and the group node of each such resource.
    let mut groups: std::collections::HashMap<(String, String), String> =
        std::collections::HashMap::new();
    for (n, &i) in deletes.iter().enumerate() {
        let addr = &plan.changes[i].addr;
        let resource = (addr.module.to_string(), addr.resource.to_string());
        let group = groups
            .entry(resource)
            .or_insert_with(|| delete_group_key(addr))
            .clone();
        dag.add_node(keys[n].clone());
        dag.add_edge(&group, &keys[n]);
    }
    let prior = engine.prior.lock().unwrap_or_else(|e| e.into_inner());
    for (n, &i) in deletes.iter().enumerate() {
        let c = &plan.changes[i];
        let recorded = match &c.deposed {
            Some(key) => prior.deposed.get(&(c.addr.clone(), key.clone())),
            None => prior.instances.get(&c.addr),
        };
        let Some(recorded) = recorded else {
            continue;
        };
        let module = c.addr.module.to_string();
        let own = c.addr.resource.to_string();
        for dep in recorded.dependencies.iter().filter(|d| **d != own) {
            if let Some(group) = groups.get(&(module.clone(), dep.clone())) {
                dag.add_edge(&keys[n], group);
            }
        }
    }
    dag
}

/// The name of the node that stands for all deletes of `addr`'s resource: not an address
/// (it starts with a space), so it never names a delete.
fn delete_group_key(addr: &AbsInstance) -> String {
    if addr.module.0.is_empty() {
        format!(" all deletes of {}", addr.resource)
    } else {
        format!(" all deletes of {}.{}", addr.module, addr.resource)
    }
}

/// The delete walk's name for a change: its address, and the deposed key of a deposed
/// object (which shares its address with the current object).
fn delete_key(c: &ResourceChange) -> String {
    match &c.deposed {
        Some(key) => format!("{} (deposed object {key})", c.addr),
        None => c.addr.to_string(),
    }
}

async fn delete_instance(engine: &Engine, c: &ResourceChange) -> Result<(), Diagnostics> {
    if let Some(key) = &c.deposed {
        return delete_deposed(engine, c, key).await;
    }
    let provider = engine.provider(&c.provider)?;
    let timeout = {
        let names: Vec<String> = c.addr.module.0.iter().map(|(n, _)| n.clone()).collect();
        engine
            .config
            .root
            .descendant(&names)
            .and_then(|mn| mn.module.resources.get(&c.addr.resource))
            .and_then(|r| r.timeouts.delete)
    };
    let permit = permit_owned(engine).await?;
    // The object leaves the prior state while its delete is in flight (moved, not copied:
    // a thousand deletes waiting for a shared call would hold a copy each) and goes back if
    // the delete fails.
    let taken = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .remove(&c.addr);
    let Some(object) = taken else {
        // Already gone (deleted outside skyform and found so by refresh).
        return Ok(());
    };
    let (result, started) = {
        engine.emit(Event::Started {
            addr: c.addr.clone(),
            op: Operation::Delete,
            id: object_id(&object.value),
        });
        let started = Instant::now();
        let mut op = op_context(engine, &c.addr, timeout, Operation::Delete);
        // A provider that batches deletes frees the slot once its id is queued (perf, #12).
        let slot = Arc::new(std::sync::Mutex::new(Some(permit)));
        let held = slot.clone();
        op.slot = Some(SlotHook(Arc::new(move || {
            drop(held.lock().unwrap_or_else(|e| e.into_inner()).take());
        })));
        let result = provider
            .delete(&c.addr.resource.type_name, &object.value, &op)
            .await;
        drop(op);
        drop(slot);
        (result, started)
    };
    let recorded = match result {
        Ok(()) => match record_remove(engine, &c.addr).await {
            Ok(()) => Ok(object),
            Err(d) => {
                put_back(engine, &c.addr, object);
                Err(d)
            }
        },
        Err(f) => {
            let mut diags = op_error(&c.addr, "delete", Some(&f.error));
            note_interrupted(engine, &c.addr, &f.error);
            // Still there, as the provider describes it now.
            let now =
                f.state.map(
                    |state| match provider.resource_schema(&c.addr.resource.type_name) {
                        Some(schema) => {
                            carry_sensitive_marks(&object.value, mark_sensitive(schema, state))
                        }
                        None => state,
                    },
                );
            put_back(engine, &c.addr, object);
            if let Some(state) = now {
                if let Err(d) = record_state(engine, &c.addr, &c.provider, state).await {
                    diags.extend(d);
                }
            }
            Err(diags)
        }
    };
    // "Destruction complete" only once the removal is durable.
    let _ = finished(
        engine,
        &c.addr,
        Operation::Delete,
        started,
        recorded.as_ref().ok().map(|o| &o.value),
    );
    let object = recorded?;
    if c.action == Action::DeleteThenCreate {
        // The replacement's final plan is checked against the object it replaces.
        engine
            .replaced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(c.addr.clone(), object.value);
    }
    bump(engine, |r| r.destroyed += 1);
    Ok(())
}

/// Returns an object whose delete failed to the prior state, as it was.
fn put_back(engine: &Engine, addr: &AbsInstance, object: crate::engine::PriorInstance) {
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .insert(addr.clone(), object);
}

/// Deletes a deposed object; on success it leaves state, on failure it stays deposed for
/// the next run.
async fn delete_deposed(engine: &Engine, c: &ResourceChange, key: &str) -> Result<(), Diagnostics> {
    let prior = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .deposed
        .get(&(c.addr.clone(), key.to_string()))
        .map(|p| p.value.clone());
    let Some(prior) = prior else {
        return Ok(());
    };
    let provider = engine.provider(&c.provider)?;
    let (result, started) = {
        let _permit = permit(engine).await?;
        engine.emit(Event::Started {
            addr: c.addr.clone(),
            op: Operation::Delete,
            id: object_id(&prior),
        });
        let started = Instant::now();
        let result = provider
            .delete(
                &c.addr.resource.type_name,
                &prior,
                &op_context(engine, &c.addr, None, Operation::Delete),
            )
            .await;
        (result, started)
    };
    let recorded = match result {
        Ok(()) => forget_deposed(engine, &c.addr, &c.provider, key).await,
        Err(f) => {
            note_interrupted(engine, &c.addr, &f.error);
            Err(op_error(
                &c.addr,
                &format!("delete deposed object {key} of"),
                Some(&f.error),
            ))
        }
    };
    let _ = finished(
        engine,
        &c.addr,
        Operation::Delete,
        started,
        recorded.as_ref().ok().map(|_| &prior),
    );
    recorded?;
    bump(engine, |r| r.destroyed += 1);
    Ok(())
}

async fn forget_deposed(
    engine: &Engine,
    addr: &AbsInstance,
    provider: &crate::config::ProviderRef,
    key: &str,
) -> Result<(), Diagnostics> {
    if let Some(rec) = &engine.recorder {
        rec.remove_deposed(addr, provider, key)
            .await
            .map_err(Diagnostics::from)?;
    }
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .deposed
        .remove(&(addr.clone(), key.to_string()));
    Ok(())
}

/// Puts the deposed object back when its replacement was not created (nothing was recorded
/// at the address): the next plan replaces it again rather than deleting it.
async fn restore_deposed(
    engine: &Engine,
    addr: &AbsInstance,
    provider: &crate::config::ProviderRef,
    key: &str,
) -> Result<(), Diagnostics> {
    let has_current = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .contains_key(addr);
    if has_current {
        // The failed create left an object: the deposed one stays to be deleted.
        return Ok(());
    }
    if let Some(rec) = &engine.recorder {
        rec.restore_deposed(addr, provider, key)
            .await
            .map_err(Diagnostics::from)?;
    }
    let mut prior = engine.prior.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(object) = prior.deposed.remove(&(addr.clone(), key.to_string())) {
        prior.instances.insert(addr.clone(), object);
    }
    Ok(())
}

/// Keeps the current object at `addr` aside as deposed before its replacement is created;
/// returns the new deposed key (8 hex digits, as in Terraform).
async fn depose(
    engine: &Engine,
    addr: &AbsInstance,
    provider: &crate::config::ProviderRef,
) -> Result<String, Diagnostics> {
    let key = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    if let Some(rec) = &engine.recorder {
        rec.depose(addr, provider, &key)
            .await
            .map_err(Diagnostics::from)?;
    }
    let mut prior = engine.prior.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(object) = prior.instances.remove(addr) {
        prior.deposed.insert((addr.clone(), key.clone()), object);
    }
    Ok(key)
}
