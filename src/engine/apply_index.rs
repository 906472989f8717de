//! The plan being applied, indexed once by address: each instance's planned action, what
//! the plan read for each data source, and which resources have changes. Every instance
//! looks up its own entry; `Plan::change` scans every change, so a thousand instances
//! looking up theirs cost a million comparisons (and copied each change to read its action).

use crate::addr::{AbsInstance, ResourceAddr};
use crate::lang::Value;
use crate::plan::{Action, Plan};
use std::collections::{HashMap, HashSet};

/// Lookups into one plan; built by [`PlanIndex::of`] when the engine is given the plan.
#[derive(Debug, Default)]
pub struct PlanIndex {
    /// The action of each address's current object (deposed objects' deletes are apart).
    actions: HashMap<AbsInstance, Action>,
    /// Where each data source read while planning is in `Plan::data_reads`.
    data_reads: HashMap<AbsInstance, usize>,
    /// (module path by name, resource) of every managed resource with an instance the
    /// apply creates, updates, replaces or deletes.
    changing: HashSet<(Vec<String>, ResourceAddr)>,
}

impl PlanIndex {
    pub fn of(plan: &Plan) -> PlanIndex {
        let mut index = PlanIndex::default();
        for c in &plan.changes {
            if c.deposed.is_none() {
                // The first change of an address wins, as in `Plan::change`.
                index.actions.entry(c.addr.clone()).or_insert(c.action);
            }
            if !matches!(c.action, Action::NoOp | Action::Read) {
                index
                    .changing
                    .insert((module_names(&c.addr), c.addr.resource.clone()));
            }
        }
        for (i, d) in plan.data_reads.iter().enumerate() {
            index.data_reads.entry(d.addr.clone()).or_insert(i);
        }
        index
    }

    /// The planned action of `inst`'s current object; None when the plan has no change
    /// for it.
    pub fn action(&self, inst: &AbsInstance) -> Option<Action> {
        self.actions.get(inst).copied()
    }

    /// What the plan read for the data source instance `inst`, if it read it.
    pub fn data_read<'a>(&self, plan: &'a Plan, inst: &AbsInstance) -> Option<&'a Value> {
        self.data_reads
            .get(inst)
            .and_then(|i| plan.data_reads.get(*i))
            .map(|d| &d.value)
    }

    /// Whether the managed resource `addr` of module `module` (by name) has an instance
    /// the apply changes.
    pub fn is_changing(&self, module: &[String], addr: &ResourceAddr) -> bool {
        // HashSet lookups need the owned key; the set is small next to the instances.
        self.changing.contains(&(module.to_vec(), addr.clone()))
    }
}

fn module_names(inst: &AbsInstance) -> Vec<String> {
    inst.module.0.iter().map(|(n, _)| n.clone()).collect()
}
