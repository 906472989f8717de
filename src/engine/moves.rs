//! `moved { from = ... to = ... }`: renaming objects in state instead of destroying and
//! re-creating them.
//!
//! Moves are applied to the prior state before planning, so the plan diffs each object at
//! its new address; the apply records them in state first.

use crate::addr::{parse_target, AbsInstance, ModulePath, Target};
use crate::config::{Config, ModuleNode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::prior::PriorState;

/// One object renamed in state.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub from: AbsInstance,
    pub to: AbsInstance,
}

/// Applies every `moved` block of the configuration to `prior`, in declaration order.
/// A move whose source is absent (already moved, or never created) does nothing; a move onto
/// an address that is already taken is an error, as in Terraform.
pub fn apply_moves(config: &Config, prior: &mut PriorState) -> Result<Vec<Move>, Diagnostics> {
    let mut done = Vec::new();
    let mut diags = Diagnostics::new();
    for mn in config.root.all() {
        for m in &mn.module.moved {
            let (from, to) = match (parse_target(&m.from), parse_target(&m.to)) {
                (Ok(f), Ok(t)) => (f, t),
                _ => {
                    diags.push(
                        Diagnostic::error("Invalid moved block", "The \"from\" and \"to\" addresses must be resource or resource instance addresses.")
                            .with_span(m.span.clone()),
                    );
                    continue;
                }
            };
            for module in module_instances(mn, prior) {
                let pairs = match (&from, &to) {
                    (Target::Resource(f), Target::Resource(t)) => prior
                        .instances
                        .keys()
                        .filter(|a| a.module == module && a.resource == f.resource)
                        .map(|a| {
                            (
                                a.clone(),
                                AbsInstance {
                                    module: module.clone(),
                                    resource: t.resource.clone(),
                                    key: a.key.clone(),
                                },
                            )
                        })
                        .collect::<Vec<_>>(),
                    (Target::Instance(f), Target::Instance(t)) => {
                        let fa = AbsInstance {
                            module: module.clone(),
                            resource: f.resource.clone(),
                            key: f.key.clone(),
                        };
                        let ta = AbsInstance {
                            module: module.clone(),
                            resource: t.resource.clone(),
                            key: t.key.clone(),
                        };
                        if prior.instances.contains_key(&fa) {
                            vec![(fa, ta)]
                        } else {
                            Vec::new()
                        }
                    }
                    _ => {
                        diags.push(
                            Diagnostic::error(
                                "Invalid moved block",
                                "Both addresses must name whole resources, or both must name single instances.",
                            )
                            .with_span(m.span.clone()),
                        );
                        break;
                    }
                };
                for (f, t) in pairs {
                    if f.resource.type_name != t.resource.type_name {
                        diags.push(
                            Diagnostic::error(
                                "Resource type mismatch",
                                format!("This statement declares a move from {f} to {t}, which is a resource of a different type."),
                            )
                            .with_span(m.span.clone()),
                        );
                        continue;
                    }
                    if prior.instances.contains_key(&t) {
                        diags.push(
                            Diagnostic::error(
                                "Ambiguous move statements",
                                format!("Cannot move {f} to {t}: an object already exists at {t}. Remove the moved block or the object at the destination."),
                            )
                            .with_span(m.span.clone()),
                        );
                        continue;
                    }
                    if let Some(p) = prior.instances.remove(&f) {
                        prior.instances.insert(t.clone(), p);
                        done.push(Move { from: f, to: t });
                    }
                }
            }
        }
    }
    diags.into_result()?;
    Ok(done)
}

/// The module instances present in state for a module of the configuration.
fn module_instances(mn: &ModuleNode, prior: &PriorState) -> Vec<ModulePath> {
    let mut out: Vec<ModulePath> = prior
        .instances
        .keys()
        .filter(|a| {
            a.module
                .0
                .iter()
                .map(|(n, _)| n.clone())
                .collect::<Vec<_>>()
                == mn.path
        })
        .map(|a| a.module.clone())
        .collect();
    out.sort();
    out.dedup();
    if mn.path.is_empty() && out.is_empty() {
        out.push(ModulePath::root());
    }
    out
}
