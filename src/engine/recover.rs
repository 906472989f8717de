//! Recovering interrupted creates while planning: every open create intent of one resource
//! type under one provider configuration goes to the provider in one
//! `Provider::recover_creates` call (one list of the cloud), the first time any resource of
//! that type is planned, and before any of its instances is diffed. Found objects become the
//! prior object of their address (so the plan updates or keeps them instead of creating
//! another), intents that made nothing are dropped, and ambiguous ones block their address
//! and are shown as possible orphans.

use super::{Engine, PendingCreate, PriorInstance};
use crate::addr::{AbsInstance, Mode};
use crate::config::ProviderRef;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::recovery::{parse_time, CreateIntent, Recovered};
use crate::provider::Provider;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What recovery concluded for one address.
pub(super) enum Outcome {
    Adopt(Value),
    Forget,
    Blocked,
}

impl Engine {
    /// Recovers the open create intents of `type_name` under `provider_ref`, once per
    /// (provider, type); see the module comment.
    pub(super) async fn ensure_recovered(
        &self,
        provider_ref: &ProviderRef,
        type_name: &str,
    ) -> Result<(), Diagnostics> {
        let cell = {
            let mut done = self.recovered.lock().unwrap_or_else(|e| e.into_inner());
            done.entry((provider_ref.clone(), type_name.to_string()))
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(false)))
                .clone()
        };
        let mut done = cell.lock().await;
        if *done {
            return Ok(());
        }
        let pending = self.take_pending(|a, p| {
            a.resource.mode == Mode::Managed
                && a.resource.type_name == type_name
                && p.provider == *provider_ref
        });
        if !pending.is_empty() {
            let provider = self.provider(provider_ref)?;
            for (addr, outcome) in self.recover(&provider, type_name, &pending).await? {
                if let Outcome::Adopt(v) = outcome {
                    self.prior
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .instances
                        .insert(
                            addr,
                            PriorInstance {
                                provider: provider_ref.clone(),
                                value: v,
                                dependencies: Vec::new(),
                            },
                        );
                }
            }
        }
        *done = true;
        Ok(())
    }

    /// Removes and returns the pending creates `keep` accepts.
    pub(super) fn take_pending(
        &self,
        keep: impl Fn(&AbsInstance, &PendingCreate) -> bool,
    ) -> Vec<(AbsInstance, PendingCreate)> {
        let mut prior = self.prior.lock().unwrap_or_else(|e| e.into_inner());
        let chosen: Vec<AbsInstance> = prior
            .pending
            .iter()
            .filter(|(a, p)| keep(a, p))
            .map(|(a, _)| a.clone())
            .collect();
        chosen
            .into_iter()
            .filter_map(|a| prior.pending.remove(&a).map(|p| (a, p)))
            .collect()
    }

    /// Whether recovery left `addr` undecided (possible orphans): it is not planned.
    pub(super) fn is_blocked(&self, addr: &AbsInstance) -> bool {
        self.possible_orphans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|o| o.addresses.contains(addr))
    }

    /// Asks the provider about `pending` (all of one type and provider) and notes the
    /// outcome: adopted objects in the plan's `adopted`, intents without an object in its
    /// `forgotten`, ambiguous ones in its possible orphans.
    pub(super) async fn recover(
        &self,
        provider: &Arc<dyn Provider>,
        type_name: &str,
        pending: &[(AbsInstance, PendingCreate)],
    ) -> Result<Vec<(AbsInstance, Outcome)>, Diagnostics> {
        let intents: Vec<CreateIntent> = pending
            .iter()
            .map(|(a, p)| CreateIntent {
                address: a.to_string(),
                token: p.token.clone(),
                fingerprint: p.fingerprint.clone(),
                started_at: p.started_at.as_deref().and_then(parse_time),
            })
            .collect();
        let _one_type_at_a_time = self.recovering.lock().await;
        let claimed = self.claimed_ids(provider, pending);
        let failed = |detail: String| {
            Diagnostics::from(Diagnostic::error(
                format!("Failed to look for {type_name} objects left by an interrupted run"),
                detail,
            ))
        };
        let results = {
            let _permit = self
                .io
                .acquire()
                .await
                .map_err(|_| crate::engine::cancelled())?;
            provider
                .recover_creates(type_name, &intents, &claimed)
                .await
                .map_err(|e| failed(e.to_string()))?
        };
        if results.len() != intents.len() {
            return Err(failed(format!(
                "internal error: the provider answered {} results for {} intents",
                results.len(),
                intents.len()
            )));
        }
        let schema = provider
            .resource_schema(type_name)
            .cloned()
            .unwrap_or_default();
        let mut out = Vec::new();
        let mut ambiguous: Vec<(
            AbsInstance,
            Vec<crate::provider::recovery::Candidate>,
            Option<String>,
        )> = Vec::new();
        for ((addr, p), r) in pending.iter().zip(results) {
            let outcome = match r {
                Recovered::Found(v) => {
                    let v = crate::plan::diff::mark_sensitive(&schema, v);
                    self.adopted.lock().unwrap_or_else(|e| e.into_inner()).push(
                        crate::plan::Adopted {
                            addr: addr.clone(),
                            provider: p.provider.clone(),
                            value: v.clone(),
                        },
                    );
                    Outcome::Adopt(v)
                }
                Recovered::NotCreated => {
                    self.forgotten
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(addr.clone());
                    Outcome::Forget
                }
                Recovered::Ambiguous(candidates) => {
                    ambiguous.push((addr.clone(), candidates, None));
                    Outcome::Blocked
                }
                Recovered::AmbiguousMembers {
                    candidates,
                    import_id,
                } => {
                    ambiguous.push((addr.clone(), candidates, Some(import_id)));
                    Outcome::Blocked
                }
            };
            out.push((addr.clone(), outcome));
        }
        // Addresses that share one set of candidates are one decision for the user.
        let mut orphans = self
            .possible_orphans
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for (addr, candidates, proposed) in ambiguous {
            match orphans.iter_mut().find(|o| o.candidates == candidates) {
                Some(o) => {
                    o.addresses.push(addr);
                    o.proposed_imports.push(proposed);
                }
                None => orphans.push(crate::plan::PossibleOrphans {
                    addresses: vec![addr],
                    candidates,
                    proposed_imports: vec![proposed],
                }),
            }
        }
        Ok(out)
    }

    /// Ids of every object in state under the same provider configuration (current and
    /// deposed, and the machines they stand for), and of the objects this plan already
    /// adopted for other types: recovery never adopts these.
    fn claimed_ids(
        &self,
        provider: &Arc<dyn Provider>,
        pending: &[(AbsInstance, PendingCreate)],
    ) -> BTreeSet<String> {
        let providers: BTreeSet<&ProviderRef> = pending.iter().map(|(_, p)| &p.provider).collect();
        let prior = self.prior.lock().unwrap_or_else(|e| e.into_inner());
        let objects = prior
            .instances
            .iter()
            .chain(prior.deposed.iter().map(|((a, _), p)| (a, p)))
            .filter(|(a, p)| a.resource.mode == Mode::Managed && providers.contains(&p.provider));
        let mut ids = BTreeSet::new();
        for (a, p) in objects {
            collect_ids(&p.value, &mut ids);
            ids.extend(provider.machine_ids(&a.resource.type_name, &p.value));
        }
        drop(prior);
        let adopted = self.adopted.lock().unwrap_or_else(|e| e.into_inner());
        for a in adopted.iter().filter(|a| providers.contains(&a.provider)) {
            collect_ids(&a.value, &mut ids);
            ids.extend(provider.machine_ids(&a.addr.resource.type_name, &a.value));
        }
        ids
    }
}

/// Every string `id` attribute in `v`, at any depth: an object's own id and those of the
/// members it owns (an instance group's machines).
fn collect_ids(v: &Value, out: &mut BTreeSet<String>) {
    let v = v.unmarked();
    if let Some(id) = v.get_attr("id").and_then(Value::as_str) {
        out.insert(id.to_string());
    }
    match v {
        Value::Object(m) => m.values().for_each(|x| collect_ids(x, out)),
        _ => {
            if let Some(items) = v.as_seq() {
                items.iter().for_each(|x| collect_ids(x, out));
            }
        }
    }
}
