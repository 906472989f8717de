//! Plans: what apply will do to each resource instance, and why.
//!
//! This module is the data model only: it imports nothing that runs a plan. The engine
//! (`engine::plan`) makes a plan by walking the configuration graph after refreshing prior
//! state ([`prior`]) through the providers' batched reads. A plan can be rendered for people
//! ([`render`]), as Terraform's JSON plan ([`json`]), and saved to a file ([`file`]) that
//! `apply` accepts only while the state it was made from is unchanged.

pub mod diff;
pub mod file;
pub mod json;
pub mod prior;
pub mod render;

use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::lang::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete, then create (the default for a force-new change).
    DeleteThenCreate,
    /// Create the replacement first (`create_before_destroy`).
    CreateThenDelete,
    Delete,
    /// A data source read deferred to apply because its configuration is not yet known.
    Read,
}

impl Action {
    /// Terraform's action list for the JSON plan.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
            Action::Read => &["read"],
        }
    }

    pub fn from_json_actions(actions: &[String]) -> Option<Action> {
        let a: Vec<&str> = actions.iter().map(String::as_str).collect();
        Some(match a.as_slice() {
            ["no-op"] => Action::NoOp,
            ["create"] => Action::Create,
            ["update"] => Action::Update,
            ["delete", "create"] => Action::DeleteThenCreate,
            ["create", "delete"] => Action::CreateThenDelete,
            ["delete"] => Action::Delete,
            ["read"] => Action::Read,
            _ => return None,
        })
    }

    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }
}

/// The planned change of one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    pub addr: AbsInstance,
    pub provider: ProviderRef,
    pub action: Action,
    /// The prior state after refresh (None for a create or a read).
    pub before: Option<Arc<Value>>,
    /// The planned new state, unknowns where computed (None for a delete). A no-op whose
    /// planned object equals the prior one shares it with `before` ([`share_unchanged`]):
    /// a plan of a large unchanged fleet holds each object once, not twice.
    pub after: Option<Arc<Value>>,
    /// Attributes whose change forces replacement.
    pub replace_paths: Vec<String>,
    /// Why, when it is not obvious from the diff (`because it is not in the configuration`).
    pub reason: Option<String>,
    /// Set when this change deletes a deposed object (one that create_before_destroy
    /// replaced earlier and whose delete did not succeed), not the current one.
    pub deposed: Option<String>,
}

/// The `after` of a change: `before` itself (shared, not copied) when the planned object is
/// equal to it, else the planned object on its own. Only a no-op shares: a change that does
/// something keeps its own planned object even where it happens to compare equal.
pub fn share_unchanged(action: Action, before: Option<&Arc<Value>>, planned: Value) -> Arc<Value> {
    match before {
        Some(b) if action == Action::NoOp && **b == planned => Arc::clone(b),
        _ => Arc::new(planned),
    }
}

/// Something that changed outside skyform, found by refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub addr: AbsInstance,
    pub before: Value,
    /// None: the object has been deleted.
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

impl OutputChange {
    /// Outputs are stored as plain JSON, which does not tell a list from a tuple, so they
    /// are compared as JSON.
    pub fn is_change(&self) -> bool {
        let json = |v: &Option<Value>| v.as_ref().map(Value::to_json);
        json(&self.before) != json(&self.after)
            || self.after.as_ref().is_some_and(|a| !a.is_wholly_known())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanMode {
    #[default]
    Normal,
    Destroy,
    RefreshOnly,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub mode: PlanMode,
    /// The lineage and serial of the state the plan was made from (None: no state yet).
    pub prior_lineage: Option<String>,
    pub prior_serial: u64,
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<Drift>,
    pub outputs: BTreeMap<String, OutputChange>,
    /// Root variable values the plan was made with (sensitive ones marked), so applying a
    /// saved plan evaluates the configuration the same way.
    pub variables: BTreeMap<String, Value>,
    /// A digest of the configuration files, so a saved plan is refused once they change.
    pub config_digest: String,
    /// `-target` addresses the plan was limited to.
    pub targets: Vec<String>,
    /// Objects renamed in state by `moved` blocks: (from, to).
    pub moves: Vec<(AbsInstance, AbsInstance)>,
    /// Objects an interrupted run created, found by their create token and adopted.
    pub adopted: Vec<Adopted>,
    /// Create intents whose object never came to exist: dropped from state.
    pub forgotten: Vec<AbsInstance>,
    /// Create intents that more unclaimed objects match than there are intents: nothing
    /// was adopted or planned at these addresses; the user decides (`skyform import`).
    pub possible_orphans: Vec<PossibleOrphans>,
    /// Data sources read while planning, with what they read: what the plan was computed
    /// from, shown in the JSON plan's `planned_values` and `prior_state` as Terraform shows
    /// them. The apply uses these reads, except for a data source that depends on a
    /// resource the apply changes: that one is read again once the change is done.
    pub data_reads: Vec<DataRead>,
    /// Existing objects `import` blocks bring under management (read while planning),
    /// sorted by address.
    pub imports: Vec<Imported>,
}

/// Addresses whose interrupted creates match more objects in the cloud than there are
/// addresses: skyform cannot tell which objects are theirs.
#[derive(Debug, Clone, PartialEq)]
pub struct PossibleOrphans {
    /// The addresses with open create intents, oldest intent first.
    pub addresses: Vec<AbsInstance>,
    /// Every unclaimed object that matches them, oldest first.
    pub candidates: Vec<crate::provider::recovery::Candidate>,
    /// Per address (same order), the import id its provider proposes when the address's
    /// one object is several candidates (an instance group's machines); `None`: one
    /// candidate is one object, imported by its own id.
    pub proposed_imports: Vec<Option<String>>,
}

impl PossibleOrphans {
    /// The error a plan or apply reports (and stops at) for these addresses.
    pub fn diagnostic(&self) -> crate::diag::Diagnostic {
        let addrs: Vec<String> = self.addresses.iter().map(ToString::to_string).collect();
        let one = addrs.len() == 1;
        let detail = if self.has_proposals() {
            let objects: Vec<String> = self
                .candidates
                .iter()
                .map(|c| format!("{}    # {}", c.id, c.summary))
                .collect();
            format!(
                "{} {} being created when an earlier run stopped, and {} objects in the cloud match, more than {} made of, so skyform cannot tell which are {} own. Nothing was adopted, deleted or created at {}. Import what {} own; the proposed {} the oldest matching objects (edit the ids if others are {}):\n  {}\nThe matching objects:\n  {}\nThen delete in the cloud the matching objects you did not import (no state knows them).",
                addrs.join(", "),
                if one { "was" } else { "were" },
                self.candidates.len(),
                if one { "it is" } else { "they are" },
                if one { "its" } else { "their" },
                if one { "this address" } else { "these addresses" },
                if one { "it should" } else { "each should" },
                if one { "command names" } else { "commands name" },
                if one { "its" } else { "theirs" },
                self.import_commands().join("\n  "),
                objects.join("\n  ")
            )
        } else {
            format!(
                "{} {} being created when an earlier run stopped, and {} objects in the cloud match, more than there are addresses, so skyform cannot tell which are theirs. Nothing was adopted, deleted or created at {}. Import one object per address, e.g.:\n  {}\nthen delete in the cloud the matching objects you did not import (no state knows them).",
                addrs.join(", "),
                if one { "was" } else { "were" },
                self.candidates.len(),
                if one { "this address" } else { "these addresses" },
                self.import_commands().join("\n  ")
            )
        };
        crate::diag::Diagnostic::error("Possible orphans of interrupted creates", detail)
    }

    fn has_proposals(&self) -> bool {
        self.proposed_imports.iter().any(Option::is_some)
    }

    /// The `skyform import ADDR ID` commands to run. Without proposals: one per candidate
    /// (addresses taken in turn), each with the candidate's description. With them: one per
    /// address, with the proposed id (or, for an address without one, a candidate's id).
    pub fn import_commands(&self) -> Vec<String> {
        if self.addresses.is_empty() {
            return Vec::new();
        }
        if self.has_proposals() {
            return self
                .addresses
                .iter()
                .enumerate()
                .filter_map(|(i, addr)| {
                    let id = match self.proposed_imports.get(i) {
                        Some(Some(id)) => id.clone(),
                        _ => self.candidates.get(i)?.id.clone(),
                    };
                    Some(format!("skyform import '{addr}' {id}"))
                })
                .collect();
        }
        self.candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let addr = &self.addresses[i % self.addresses.len()];
                format!("skyform import '{addr}' {}    # {}", c.id, c.summary)
            })
            .collect()
    }
}

/// A data source instance read while planning.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRead {
    pub addr: AbsInstance,
    pub provider: ProviderRef,
    pub value: Value,
}

/// An existing object an `import` block adopts: read by its id while planning, written to
/// state by the apply before anything else, with no create call. Its change (no-op or
/// update) is in [`Plan::changes`] like any other.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub addr: AbsInstance,
    pub provider: ProviderRef,
    /// The id the import block gave.
    pub id: String,
    /// The object as the provider read it.
    pub value: Value,
    /// Its `resource` block was written by `-generate-config-out` for this plan.
    pub generated: bool,
}

/// An object created by a run that died before recording it, found again.
#[derive(Debug, Clone, PartialEq)]
pub struct Adopted {
    pub addr: AbsInstance,
    pub provider: ProviderRef,
    pub value: Value,
}

impl Plan {
    /// (to add, to change, to destroy), counted like Terraform (a replace adds and destroys).
    pub fn counts(&self) -> (usize, usize, usize) {
        let (mut add, mut change, mut destroy) = (0, 0, 0);
        for c in &self.changes {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Delete => destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    add += 1;
                    destroy += 1
                }
                Action::NoOp | Action::Read => {}
            }
        }
        (add, change, destroy)
    }

    /// Whether applying would change anything: resources, outputs, or (refresh-only) state.
    pub fn has_changes(&self) -> bool {
        let (a, c, d) = self.counts();
        a + c + d > 0
            || !self.moves.is_empty()
            || !self.adopted.is_empty()
            || !self.forgotten.is_empty()
            || !self.imports.is_empty()
            || self.outputs.values().any(OutputChange::is_change)
            || (self.mode == PlanMode::RefreshOnly && !self.drift.is_empty())
    }

    /// The import that adopts the object at `addr`, if one does.
    pub fn import_of(&self, addr: &AbsInstance) -> Option<&Imported> {
        self.imports
            .binary_search_by(|i| i.addr.cmp(addr))
            .ok()
            .and_then(|k| self.imports.get(k))
    }

    pub fn change(&self, addr: &AbsInstance) -> Option<&ResourceChange> {
        self.changes
            .iter()
            .find(|c| &c.addr == addr && c.deposed.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(id: &str) -> Value {
        Value::object([("id", Value::string(id)), ("size", Value::number(1))])
    }

    #[test]
    fn a_no_op_equal_to_its_prior_shares_it() {
        let before = Arc::new(object("i-1"));
        let after = share_unchanged(Action::NoOp, Some(&before), object("i-1"));
        assert!(Arc::ptr_eq(&before, &after), "one object, not two");
    }

    #[test]
    fn a_planned_object_that_differs_is_kept_on_its_own() {
        let before = Arc::new(object("i-1"));
        let after = share_unchanged(Action::NoOp, Some(&before), object("i-2"));
        assert!(!Arc::ptr_eq(&before, &after));
        assert_eq!(*after, object("i-2"));
    }

    #[test]
    fn only_a_no_op_shares() {
        let before = Arc::new(object("i-1"));
        for action in [Action::Update, Action::DeleteThenCreate, Action::Create] {
            let after = share_unchanged(action, Some(&before), object("i-1"));
            assert!(!Arc::ptr_eq(&before, &after), "{action:?} shared its prior");
            assert_eq!(*after, object("i-1"));
        }
        let created = share_unchanged(Action::NoOp, None, object("i-1"));
        assert_eq!(*created, object("i-1"));
    }
}
