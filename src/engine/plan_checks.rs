//! The providers' checks of a finished plan ([`crate::provider::Provider::check_plan`]):
//! run once per provider over all its creates and in-place updates, because some rules
//! hold for the plan as a whole (a quota counts every create) and some need a read of the
//! cloud that one call can answer for many resources (image constraints).

use super::resource::attribute_span;
use super::Engine;
use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::plan::Action;
use crate::provider::PlannedChange;
use std::collections::BTreeMap;

impl Engine {
    /// Warnings the providers' plan checks gave, for the plan's output.
    pub fn take_plan_warnings(&self) -> Diagnostics {
        std::mem::take(&mut *self.plan_warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Asks each provider with planned creates or updates to check them; errors refuse the
/// plan, warnings are kept for its output. Diagnostics point at the attribute they name
/// (`attribute PATH:` at the start of the detail) or else at the resource block.
pub(super) async fn check_planned(engine: &Engine) -> Result<(), Diagnostics> {
    // (address, type, prior, planned) of every create or update, by provider.
    type Item = (
        AbsInstance,
        String,
        Option<crate::lang::Value>,
        crate::lang::Value,
    );
    let mut by_provider: BTreeMap<ProviderRef, Vec<Item>> = BTreeMap::new();
    for c in engine
        .changes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        let Some(after) = &c.after else { continue };
        let prior = match c.action {
            Action::Update => c.before.as_deref().cloned(),
            Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => None,
            Action::NoOp | Action::Delete | Action::Read => continue,
        };
        if c.addr.resource.mode != crate::addr::Mode::Managed {
            continue;
        }
        by_provider.entry(c.provider.clone()).or_default().push((
            c.addr.clone(),
            c.addr.resource.type_name.clone(),
            prior,
            crate::lang::Value::clone(after),
        ));
    }
    let mut diags = Diagnostics::new();
    for (provider_ref, items) in by_provider {
        let Ok(provider) = engine.provider(&provider_ref) else {
            continue;
        };
        let addresses: Vec<String> = items.iter().map(|(a, ..)| a.to_string()).collect();
        let changes: Vec<PlannedChange<'_>> = items
            .iter()
            .zip(&addresses)
            .map(|((_, type_name, prior, planned), address)| PlannedChange {
                address,
                type_name,
                prior: prior.as_ref(),
                planned,
            })
            .collect();
        for (i, mut d) in provider.check_plan(&changes).await {
            let Some((addr, ..)) = items.get(i) else {
                continue;
            };
            if d.span.is_none() {
                d.span = span_of(engine, addr, &d.detail);
            }
            diags.push(d);
        }
    }
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = diags
        .0
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    engine
        .plan_warnings
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(Diagnostics(warnings));
    Diagnostics(errors).into_result()
}

/// The span of the attribute a detail names, or of the resource block.
fn span_of(engine: &Engine, addr: &AbsInstance, detail: &str) -> Option<crate::diag::Span> {
    let module: Vec<String> = addr.module.0.iter().map(|(n, _)| n.clone()).collect();
    let rcfg = engine
        .module_config(&module)
        .ok()?
        .module
        .resources
        .get(&addr.resource)?;
    let at = detail
        .strip_prefix("attribute ")
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(path, _)| attribute_span(&rcfg.body, path));
    Some(at.unwrap_or_else(|| rcfg.decl_span.clone()))
}
