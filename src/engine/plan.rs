//! Planning each resource node, and assembling the plan once the walk is done.

use crate::addr::{AbsInstance, InstanceKey, Mode, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{Engine, WalkMode};
use crate::lang::Value;
use crate::plan::diff::{plan_instance, unknown_object};
use crate::plan::{Action, OutputChange, Plan, PlanMode, ResourceChange};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

impl Engine {
    /// Makes a plan: applies `moved` blocks to the prior state, walks the graph in plan mode
    /// (refreshing as it goes), then plans the orphans and settles interrupted creates.
    /// `config_digest` identifies the configuration the plan was made from.
    pub async fn plan(self: &Arc<Self>, config_digest: String) -> Result<Plan, Diagnostics> {
        let WalkMode::Plan(mode) = self.mode else {
            return Err(Diagnostic::error(
                "Internal error",
                "The engine was asked for a plan outside plan mode.",
            )
            .into());
        };
        let moves = {
            let mut prior = self.prior.lock().unwrap_or_else(|e| e.into_inner());
            super::moves::apply_moves(&self.config, &mut prior)?
        };
        if mode == PlanMode::Normal {
            super::import::undeclared_targets(self).into_result()?;
        }
        self.walk().await?;
        plan_orphans(self).await?;
        plan_deposed(self, mode);
        settle_pending(self).await?;
        super::plan_checks::check_planned(self).await?;
        let mut plan = finish(self, mode, config_digest);
        plan.moves = moves.into_iter().map(|m| (m.from, m.to)).collect();
        Ok(plan)
    }
}

/// Plans every instance of one resource (or reads a data source) in every instance of its
/// module.
pub(super) async fn plan_resource(
    engine: &Engine,
    module: &[String],
    addr: &ResourceAddr,
) -> Result<(), Diagnostics> {
    let setup = engine.resource_setup(module, addr)?;
    let mode = match engine.mode {
        WalkMode::Plan(m) => m,
        _ => PlanMode::Normal,
    };
    if addr.mode == Mode::Managed {
        engine
            .ensure_refreshed(&setup.rcfg.provider, &addr.type_name)
            .await?;
        if mode == PlanMode::Normal {
            engine
                .ensure_recovered(&setup.rcfg.provider, &addr.type_name)
                .await?;
        }
    }
    // The resource's value (all its instances) is built for expressions only when some
    // node refers to it: a fleet nothing refers to costs no copy of every planned object.
    let referenced = engine.graph.dag.has_dependents(&crate::graph::Node {
        module: module.to_vec(),
        kind: crate::graph::NodeKind::Resource(addr.clone()),
    });
    let mut diags = Diagnostics::new();
    let instances = engine.values().instances_of(module);
    for m in instances {
        let bindings = match engine.resource_bindings(&m, &setup.rcfg) {
            Ok(b) => b,
            Err(d) => {
                diags.extend(d);
                continue;
            }
        };
        let mut instance_values = Vec::new();
        let mut keys = BTreeSet::new();
        for binding in bindings {
            let inst = AbsInstance {
                module: m.clone(),
                resource: addr.clone(),
                key: binding.key(),
            };
            keys.insert(inst.key.clone());
            // Each instance is planned once: its prior object moves into the planned
            // change (no copy); what stays in the prior state is what no configuration
            // claims (stale keys, orphans), read after the walk.
            let prior = if mode == PlanMode::Normal {
                engine
                    .prior
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .instances
                    .remove(&inst)
                    .map(|p| p.value)
            } else {
                engine
                    .prior
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .instances
                    .get(&inst)
                    .map(|p| p.value.clone())
            };
            if mode == PlanMode::RefreshOnly || mode == PlanMode::Destroy {
                // Expressions still see current values; no change is planned here.
                if let Some(p) = prior {
                    instance_values.push((inst.key.clone(), p));
                }
                continue;
            }
            let config = match engine.instance_config(&m, &binding, &setup) {
                Ok(c) => c,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            if addr.mode == Mode::Data {
                let value = read_data_at_plan(engine, &setup, &inst, &config).await;
                match value {
                    Ok(v) => instance_values.push((inst.key.clone(), v)),
                    Err(d) => diags.extend(d),
                }
                continue;
            }
            let prior =
                match super::import::import_at_plan(engine, &setup, &inst, &config, prior).await {
                    Ok(p) => p,
                    Err(d) => {
                        diags.extend(d);
                        continue;
                    }
                };
            // Recovery could not tell which object is this address's: nothing is planned here
            // (a create could duplicate one); the configured value is kept as a no-op so
            // `skyform import` can fill in what the API does not report.
            let blocked = prior.is_none() && engine.is_blocked(&inst);
            let lifecycle = &setup.rcfg.lifecycle;
            let requested = engine.options.replace.contains(&inst);
            let triggered = replace_triggered(engine, &inst, &setup.rcfg);
            let force = requested || triggered.is_some();
            let p = plan_instance(
                &setup.schema,
                prior.as_ref(),
                &config,
                &lifecycle.ignore_changes,
                force,
                lifecycle.create_before_destroy,
            );
            if lifecycle.prevent_destroy && p.action.is_replace() {
                diags.push(prevent_destroy_error(&inst, &setup.rcfg.decl_span));
                continue;
            }
            let reason = match (requested, &triggered) {
                (true, _) => Some("replacement requested with -replace".to_string()),
                (false, Some(by)) if prior.is_some() => {
                    Some(format!("replace_triggered_by: {by} changes"))
                }
                _ => None,
            };
            if referenced {
                instance_values.push((inst.key.clone(), p.planned.clone()));
            }
            let action = if blocked { Action::NoOp } else { p.action };
            let before = prior.map(Arc::new);
            let after = crate::plan::share_unchanged(action, before.as_ref(), p.planned);
            engine.push_change(ResourceChange {
                addr: inst,
                provider: setup.rcfg.provider.clone(),
                action,
                before,
                after: Some(after),
                replace_paths: p.replace_paths,
                reason,
                deposed: None,
            });
        }
        if addr.mode == Mode::Managed && mode == PlanMode::Normal {
            diags.extend(super::import::unexpanded_targets(engine, &m, addr, &keys));
        }
        // Instances in state that the configuration no longer has (count lowered,
        // for_each key removed) are deleted.
        if addr.mode == Mode::Managed && mode != PlanMode::RefreshOnly {
            let stale: Vec<(AbsInstance, crate::engine::PriorInstance)> = engine
                .prior
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .instances_of(&m, addr)
                .filter(|(a, _)| mode == PlanMode::Destroy || !keys.contains(&a.key))
                .map(|(a, p)| (a.clone(), p.clone()))
                .collect();
            for (a, p) in stale {
                if setup.rcfg.lifecycle.prevent_destroy {
                    diags.push(prevent_destroy_error(&a, &setup.rcfg.decl_span));
                    continue;
                }
                let reason = match (&a.key, mode) {
                    (_, PlanMode::Destroy) => None,
                    (InstanceKey::Int(_), _) => {
                        Some("because index is out of range for count".to_string())
                    }
                    (InstanceKey::Str(_), _) => {
                        Some("because key is not in for_each map".to_string())
                    }
                    (InstanceKey::None, _) => {
                        Some("because the resource now uses count or for_each".to_string())
                    }
                };
                engine.push_change(ResourceChange {
                    addr: a,
                    provider: p.provider,
                    action: Action::Delete,
                    before: Some(Arc::new(p.value)),
                    after: None,
                    replace_paths: Vec::new(),
                    reason,
                    deposed: None,
                });
            }
        }
        if referenced {
            let v = crate::engine::resource::aggregate(&setup.rcfg, instance_values);
            engine
                .values()
                .module_mut(&m)
                .resources
                .insert(addr.clone(), v);
        }
    }
    diags.into_result()
}

fn prevent_destroy_error(inst: &AbsInstance, span: &crate::diag::Span) -> Diagnostic {
    Diagnostic::error(
        "Instance cannot be destroyed",
        format!("Resource {inst} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
    )
    .with_span(span.clone())
}

/// Reads a data source during planning when its configuration is known; otherwise plans a
/// read during apply and gives expressions an unknown value.
async fn read_data_at_plan(
    engine: &Engine,
    setup: &crate::engine::resource::ResourceSetup,
    inst: &AbsInstance,
    config: &Value,
) -> Result<Value, Diagnostics> {
    if !config.is_wholly_known() {
        let planned = unknown_object(&setup.schema);
        engine.push_change(ResourceChange {
            addr: inst.clone(),
            provider: setup.rcfg.provider.clone(),
            action: Action::Read,
            before: None,
            after: Some(Arc::new(config.clone())),
            replace_paths: Vec::new(),
            reason: Some("config refers to values not yet known".to_string()),
            deposed: None,
        });
        return Ok(planned);
    }
    let _permit = engine
        .io
        .acquire()
        .await
        .map_err(|_| crate::engine::cancelled())?;
    let v = setup
        .provider
        .read_data(&inst.resource.type_name, config)
        .await
        .map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(format!("Failed to read {inst}"), e.to_string())
                    .with_span(setup.rcfg.decl_span.clone()),
            )
        })?;
    let v = crate::plan::diff::mark_sensitive(&setup.schema, v);
    engine
        .data_values
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(crate::plan::DataRead {
            addr: inst.clone(),
            provider: setup.rcfg.provider.clone(),
            value: v.clone(),
        });
    Ok(v)
}

/// Plans deletion of everything in state whose configuration is gone, refreshing those
/// objects first (batched per type) so ones already deleted outside skyform are not
/// deleted twice.
async fn plan_orphans(engine: &Engine) -> Result<(), Diagnostics> {
    let configured: BTreeSet<(Vec<String>, ResourceAddr)> = engine
        .config
        .root
        .all()
        .into_iter()
        .flat_map(|mn| {
            mn.module
                .resources
                .keys()
                .map(move |a| (mn.path.clone(), a.clone()))
        })
        .collect();
    let targeted = |a: &AbsInstance| {
        engine.options.targets.is_empty() || engine.options.targets.iter().any(|t| t.matches(a))
    };
    // Every module instance the walk expanded, looked up once per prior instance (a scan of
    // a module's instances per prior instance would be quadratic in module instances).
    let expanded: BTreeSet<crate::addr::ModulePath> = engine
        .values()
        .instances
        .values()
        .flatten()
        .cloned()
        .collect();
    let module_expands = |a: &AbsInstance| expanded.contains(&a.module);
    let orphans: Vec<AbsInstance> = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .keys()
        .filter(|a| {
            let names: Vec<String> = a.module.0.iter().map(|(n, _)| n.clone()).collect();
            // Gone from the configuration, or its module instance no longer expands
            // (a for_each key or count index of a module call was removed).
            let gone = !configured.contains(&(names, a.resource.clone())) || !module_expands(a);
            gone && targeted(a)
        })
        .cloned()
        .collect();
    let mut groups: BTreeMap<(crate::config::ProviderRef, String), ()> = BTreeMap::new();
    for a in &orphans {
        if a.resource.mode != Mode::Managed {
            continue;
        }
        let p = engine
            .prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .get(a)
            .map(|p| p.provider.clone());
        if let Some(p) = p {
            groups.insert((p, a.resource.type_name.clone()), ());
        }
    }
    let mut diags = Diagnostics::new();
    for (p, type_name) in groups.keys() {
        if let Err(d) = engine.visit_provider(p).await {
            diags.extend(d);
            continue;
        }
        if let Err(d) = engine.ensure_refreshed(p, type_name).await {
            diags.extend(d);
        }
    }
    diags.into_result()?;
    for a in orphans {
        if a.resource.mode == Mode::Data {
            continue;
        }
        let Some(p) = engine
            .prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .get(&a)
            .cloned()
        else {
            continue;
        };
        engine.push_change(ResourceChange {
            addr: a.clone(),
            provider: p.provider,
            action: Action::Delete,
            before: Some(Arc::new(p.value)),
            after: None,
            replace_paths: Vec::new(),
            reason: if engine.mode == WalkMode::Plan(PlanMode::Destroy) {
                None
            } else if module_expands(&a) {
                Some(format!(
                    "because {} is not in configuration",
                    a.abs_resource()
                ))
            } else {
                Some(format!("because {} is not in configuration", a.module))
            },
            deposed: None,
        });
    }
    Ok(())
}

/// Root output changes: prior outputs against the values the walk computed.
pub fn output_changes(engine: &Engine, mode: PlanMode) -> BTreeMap<String, OutputChange> {
    let prior = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .outputs
        .clone();
    let values = engine.values();
    let current = values
        .modules
        .get(&crate::addr::ModulePath::root())
        .map(|m| m.outputs.clone())
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    let names: BTreeSet<&String> = prior.keys().chain(current.keys()).collect();
    for name in names {
        let before = prior.get(name).cloned();
        let after = if mode == PlanMode::Destroy {
            None
        } else {
            current.get(name).cloned()
        };
        let sensitive = before.as_ref().is_some_and(Value::is_sensitive)
            || after.as_ref().is_some_and(Value::is_sensitive);
        out.insert(
            name.clone(),
            OutputChange {
                before,
                after,
                sensitive,
            },
        );
    }
    out
}

/// Assembles the plan after a successful walk.
fn finish(engine: &Engine, mode: PlanMode, config_digest: String) -> Plan {
    let (prior_lineage, prior_serial) = {
        let prior = engine.prior.lock().unwrap_or_else(|e| e.into_inner());
        (prior.lineage.clone(), prior.serial)
    };
    let mut changes = engine.take_changes();
    // Planned destroys and replacements come before creates of the same address in output.
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    let outputs = output_changes(engine, mode);
    let mut data_reads =
        std::mem::take(&mut *engine.data_values.lock().unwrap_or_else(|e| e.into_inner()));
    data_reads.sort_by(|a, b| a.addr.cmp(&b.addr));
    Plan {
        data_reads,
        mode,
        prior_lineage,
        moves: Vec::new(),
        adopted: std::mem::take(&mut *engine.adopted.lock().unwrap_or_else(|e| e.into_inner())),
        forgotten: std::mem::take(&mut *engine.forgotten.lock().unwrap_or_else(|e| e.into_inner())),
        possible_orphans: std::mem::take(
            &mut *engine
                .possible_orphans
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        ),
        imports: {
            let mut imports =
                std::mem::take(&mut *engine.imported.lock().unwrap_or_else(|e| e.into_inner()));
            imports.sort_by(|a, b| a.addr.cmp(&b.addr));
            imports
        },
        prior_serial,
        changes,
        drift: engine.take_drift(),
        outputs,
        variables: engine
            .root_variables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
        config_digest,
        targets: engine
            .options
            .targets
            .iter()
            .map(|t| t.to_string())
            .collect(),
    }
}

/// The first `replace_triggered_by` reference whose resource is planned to change, if any.
/// `mcloud_template.web` matches any of its instances; `mcloud_template.web[0]` only that
/// one. The referenced resource was planned first: references are graph edges.
fn replace_triggered(
    engine: &Engine,
    inst: &AbsInstance,
    rcfg: &crate::config::Resource,
) -> Option<String> {
    use crate::hcl::ast::Step;
    for expr in &rcfg.lifecycle.replace_triggered_by {
        let Some(t) = expr.traversals().into_iter().next() else {
            continue;
        };
        let (addr, key_step) = match (t.root.as_str(), t.steps.first(), t.steps.get(1)) {
            ("data" | "var" | "local" | "module", _, _) => continue,
            (ty, Some(Step::Attr(name)), next) => (ResourceAddr::managed(ty, name), next),
            _ => continue,
        };
        let key = match key_step {
            Some(Step::Index(lit)) => {
                let v = Value::from_literal(lit).unwrap_or(Value::Null);
                match (v.as_i64(), v.as_str()) {
                    (Some(i), _) => Some(InstanceKey::Int(i)),
                    (_, Some(s)) => Some(InstanceKey::Str(s.to_string())),
                    _ => None,
                }
            }
            Some(Step::Dynamic) => Some(inst.key.clone()),
            _ => None,
        };
        let changed = engine
            .changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|c| {
                c.addr.module == inst.module
                    && c.addr.resource == addr
                    && key.as_ref().is_none_or(|k| c.addr.key == *k)
                    && matches!(
                        c.action,
                        Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete
                    )
            });
        if changed {
            return Some(addr.to_string());
        }
    }
    None
}

/// Pending creates no resource node claimed (their configuration is gone, or destroy):
/// recover them per provider and type; what exists is adopted and deleted, the rest forgotten.
async fn settle_pending(engine: &Engine) -> Result<(), Diagnostics> {
    let pending = engine.take_pending(|_, _| true);
    let mut groups: BTreeMap<(crate::config::ProviderRef, String), Vec<_>> = BTreeMap::new();
    for (inst, p) in pending {
        groups
            .entry((p.provider.clone(), inst.resource.type_name.clone()))
            .or_default()
            .push((inst, p));
    }
    let mut diags = Diagnostics::new();
    for ((provider_ref, type_name), members) in groups {
        if let Err(d) = engine.visit_provider(&provider_ref).await {
            diags.extend(d);
            continue;
        }
        let provider = match engine.provider(&provider_ref) {
            Ok(pr) => pr,
            Err(d) => {
                diags.extend(d);
                continue;
            }
        };
        let outcomes = match engine.recover(&provider, &type_name, &members).await {
            Ok(o) => o,
            Err(d) => {
                diags.extend(d);
                continue;
            }
        };
        for (inst, outcome) in outcomes {
            // Found, but no longer wanted: adopted into state by the apply, then deleted.
            if let super::recover::Outcome::Adopt(v) = outcome {
                engine.push_change(ResourceChange {
                    addr: inst,
                    provider: provider_ref.clone(),
                    action: Action::Delete,
                    before: Some(Arc::new(v)),
                    after: None,
                    replace_paths: Vec::new(),
                    reason: Some(
                        "created by an interrupted run, no longer in configuration".to_string(),
                    ),
                    deposed: None,
                });
            }
        }
    }
    diags.into_result()
}

/// Objects create_before_destroy replaced whose delete has not succeeded yet are deleted by
/// the next plan (in every mode but refresh-only), as Terraform does.
fn plan_deposed(engine: &Engine, mode: PlanMode) {
    if mode == PlanMode::RefreshOnly {
        return;
    }
    let deposed = engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .deposed
        .clone();
    for ((addr, key), p) in deposed {
        if !engine.options.targets.is_empty()
            && !engine.options.targets.iter().any(|t| t.matches(&addr))
        {
            continue;
        }
        engine.push_change(ResourceChange {
            addr,
            provider: p.provider.clone(),
            action: Action::Delete,
            before: Some(Arc::new(p.value.clone())),
            after: None,
            replace_paths: Vec::new(),
            reason: None,
            deposed: Some(key),
        });
    }
}
