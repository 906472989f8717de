//! Refresh: reading live objects through the providers' batched reads.
//!
//! Every prior instance of one resource type under one provider configuration is read in a
//! single `read_resources` call the first time any of them is needed, so refresh costs one
//! list call per type, not one call per resource.

use super::{Engine, RefreshedObject};
use crate::addr::{AbsInstance, Mode};
use crate::config::ProviderRef;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::diff::mark_sensitive;
use crate::plan::Drift;
use std::sync::Arc;

impl Engine {
    /// Refreshes every prior instance of `type_name` managed through `provider_ref`, once.
    pub async fn ensure_refreshed(
        &self,
        provider_ref: &ProviderRef,
        type_name: &str,
    ) -> Result<(), Diagnostics> {
        if !self.options.refresh {
            return Ok(());
        }
        let cell = {
            let mut done = self.refresh_done.lock().unwrap_or_else(|e| e.into_inner());
            done.entry((provider_ref.clone(), type_name.to_string()))
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(false)))
                .clone()
        };
        let mut done = cell.lock().await;
        if *done {
            return Ok(());
        }
        // One copy of each prior object (the lock is not held over the read): the addresses
        // apart, so the objects themselves are the slice the provider reads.
        let (addrs, values): (Vec<AbsInstance>, Vec<Value>) = {
            let prior = self.prior.lock().unwrap_or_else(|e| e.into_inner());
            prior
                .instances
                .iter()
                .filter(|(a, p)| {
                    a.resource.mode == Mode::Managed
                        && a.resource.type_name == type_name
                        && p.provider == *provider_ref
                })
                .map(|(a, p)| (a.clone(), p.value.clone()))
                .unzip()
        };
        if addrs.is_empty() {
            *done = true;
            return Ok(());
        }
        let provider = self.provider(provider_ref)?;
        self.emit(super::Event::RefreshStarted {
            type_name: type_name.to_string(),
            objects: addrs
                .iter()
                .zip(&values)
                .map(|(addr, v)| RefreshedObject {
                    addr: addr.clone(),
                    id: object_id(v),
                })
                .collect(),
        });
        let schema = provider
            .resource_schema(type_name)
            .cloned()
            .unwrap_or_default();
        let results = {
            let _permit = self
                .io
                .acquire()
                .await
                .map_err(|_| crate::engine::cancelled())?;
            provider
                .read_resources(type_name, &values)
                .await
                .map_err(|e| {
                    Diagnostics::from(Diagnostic::error(
                        format!("Failed to refresh {type_name}"),
                        e.to_string(),
                    ))
                })?
        };
        // Zipping would silently drop objects (or pair them wrongly) if the provider broke
        // the one-result-per-prior contract.
        if results.len() != values.len() {
            return Err(Diagnostic::error(
                format!("Failed to refresh {type_name}"),
                format!(
                    "internal error: provider {provider_ref} returned {} results for {} {type_name} objects; a batched read must return one per object, in order",
                    results.len(),
                    values.len()
                ),
            )
            .into());
        }
        let completed = addrs
            .iter()
            .zip(&results)
            .map(|(addr, after)| RefreshedObject {
                addr: addr.clone(),
                id: after.as_ref().and_then(object_id),
            })
            .collect();
        self.emit(super::Event::RefreshCompleted {
            type_name: type_name.to_string(),
            objects: completed,
        });
        let mut prior = self.prior.lock().unwrap_or_else(|e| e.into_inner());
        let mut drift = self.drift.lock().unwrap_or_else(|e| e.into_inner());
        for ((addr, before), after) in addrs.into_iter().zip(values).zip(results) {
            match after {
                None => {
                    prior.instances.remove(&addr);
                    drift.push(Drift {
                        addr,
                        before,
                        after: None,
                    });
                }
                Some(after) => {
                    let after = crate::plan::diff::carry_sensitive_marks(
                        &before,
                        mark_sensitive(&schema, after),
                    );
                    if after.deep_unmarked() != before.deep_unmarked() {
                        if let Some(p) = prior.instances.get_mut(&addr) {
                            p.value = after.clone();
                        }
                        drift.push(Drift {
                            addr,
                            before,
                            after: Some(after),
                        });
                    }
                }
            }
        }
        *done = true;
        Ok(())
    }
}

/// The `id` attribute events name an object by (Terraform's `id_key`/`id_value`).
fn object_id(v: &Value) -> Option<String> {
    v.get_attr("id").and_then(Value::as_str).map(str::to_string)
}
