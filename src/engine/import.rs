//! `import {}` blocks while planning: the object an import block names is read through the
//! provider by its id and becomes the prior object of its address, so the ordinary diff
//! plans a no-op (or the update that brings it to the configuration) instead of a create.
//! The apply writes it to state first ([`super::apply`]); nothing is created.

use super::resource::ResourceSetup;
use super::values::Binding;
use super::Engine;
use crate::addr::{AbsInstance, InstanceKey, ModulePath, ResourceAddr};
use crate::config::{Import, ProviderRef};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::{ErrorKind, Provider};
use std::collections::BTreeSet;
use std::sync::Arc;

impl Engine {
    /// The import block whose `to` is `inst`, if any (import blocks live in the root module).
    pub(super) fn import_block(&self, inst: &AbsInstance) -> Option<&Import> {
        self.config.root.module.imports.get(inst)
    }

    /// Evaluates an import block's `id` in the root module: it must be a known, non-empty
    /// string (a number is taken as its text), as Terraform requires.
    pub fn import_id(&self, import: &Import) -> Result<String, Diagnostics> {
        let v = self.eval_in(&ModulePath::root(), &Binding::None, &import.id)?;
        let invalid = |detail: &str| {
            Diagnostics::from(
                Diagnostic::error("Invalid import id argument", detail)
                    .with_span(import.id.span.clone()),
            )
        };
        if !v.is_wholly_known() {
            return Err(invalid("The import block \"id\" argument depends on values that cannot be determined until apply, so skyform cannot plan to import this resource. Use variables, locals or literal values."));
        }
        match v.deep_unmarked() {
            Value::Null => Err(invalid("The import ID cannot be null.")),
            Value::String(s) if s.is_empty() => Err(invalid(
                "The import ID value evaluates to an empty string, please provide a non-empty value.",
            )),
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(invalid(&format!(
                "The import ID must be a string; this one is {}.",
                crate::lang::convert::friendly_name(&other.type_of())
            ))),
        }
    }

    /// A provider configured for `p` whatever the walk mode (the inventory and config
    /// generation read objects outside a plan).
    pub async fn configured_provider(
        &self,
        p: &ProviderRef,
    ) -> Result<Arc<dyn Provider>, Diagnostics> {
        self.configure_provider(p).await?;
        self.provider(p)
    }

    /// Reads the object `import` names (`id` evaluated) through `provider`. An id the
    /// cloud does not know is Terraform's "Cannot import non-existent remote object",
    /// pointing at the block.
    pub async fn read_import(
        &self,
        provider: &Arc<dyn Provider>,
        import: &Import,
        id: &str,
    ) -> Result<Value, Diagnostics> {
        let _permit = self.io.acquire().await.map_err(|_| super::cancelled())?;
        let to = &import.to;
        provider
            .import(&to.resource.type_name, id)
            .await
            .map_err(|e| {
                let d = if e.kind == ErrorKind::NotFound {
                    Diagnostic::error(
                        "Cannot import non-existent remote object",
                        format!("While attempting to import an existing object to \"{to}\", the provider detected that no object exists with the id {id:?}. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"skyform apply\" to create a new remote object for this resource. ({e})"),
                    )
                } else {
                    Diagnostic::error(format!("Failed to import {to} from id {id:?}"), e.to_string())
                };
                Diagnostics::from(d.with_span(import.span.clone()))
            })
    }
}

/// The prior object of `inst` once its import block (if any) is taken into account: an
/// object already in state stays (the block is a no-op when its id matches, an error
/// otherwise); with none, the object is read by its id and recorded as imported.
pub(super) async fn import_at_plan(
    engine: &Engine,
    setup: &ResourceSetup,
    inst: &AbsInstance,
    config: &Value,
    prior: Option<Value>,
) -> Result<Option<Value>, Diagnostics> {
    let Some(import) = engine.import_block(inst) else {
        return Ok(prior);
    };
    if let Some(p) = import
        .provider
        .as_ref()
        .filter(|p| **p != setup.rcfg.provider)
    {
        return Err(Diagnostic::error(
            "Invalid import provider",
            format!("The import block reads {inst} with provider {p}, but the resource uses {}. Remove the provider argument or make the two the same.", setup.rcfg.provider),
        )
        .at(import.provider_span.as_ref().or(Some(&import.span)))
        .into());
    }
    let id = engine.import_id(import)?;
    if let Some(p) = prior {
        let managed_id = p.get_attr("id").and_then(Value::as_str).unwrap_or_default();
        if managed_id == id {
            return Ok(Some(p));
        }
        return Err(Diagnostic::error(
            "Resource already managed by skyform",
            format!("skyform is already managing a remote object for {inst} (id {managed_id:?}), not the object with id {id:?} this import block names. To import to this address you must first remove the existing object from the state (skyform state rm {inst}), or remove the import block."),
        )
        .with_span(import.span.clone())
        .into());
    }
    let value = engine.read_import(&setup.provider, import, &id).await?;
    let value = fill_unreported(value, config);
    let value = crate::plan::diff::mark_sensitive(&setup.schema, value);
    engine
        .prior
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .instances
        .insert(
            inst.clone(),
            super::PriorInstance {
                provider: setup.rcfg.provider.clone(),
                value: value.clone(),
                dependencies: Vec::new(),
            },
        );
    engine
        .imported
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(crate::plan::Imported {
            addr: inst.clone(),
            provider: setup.rcfg.provider.clone(),
            id,
            value: value.clone(),
            generated: false,
        });
    Ok(Some(value))
}

/// Import blocks aimed at an instance of `addr` in module instance `m` that its `count` or
/// `for_each` does not produce (`web[5]` of three, or no key on a counted resource).
pub(super) fn unexpanded_targets(
    engine: &Engine,
    m: &ModulePath,
    addr: &ResourceAddr,
    keys: &BTreeSet<InstanceKey>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    // Targets sort by module, resource, then key: this resource's are one run.
    let first = AbsInstance {
        module: m.clone(),
        resource: addr.clone(),
        key: InstanceKey::None,
    };
    let of_this = engine
        .config
        .root
        .module
        .imports
        .range(first..)
        .map(|(_, i)| i)
        .take_while(|i| i.to.module == *m && i.to.resource == *addr);
    for i in of_this {
        if !keys.contains(&i.to.key) {
            diags.push(
                Diagnostic::error(
                    "Configuration for import target does not exist",
                    format!("The configuration for the given import target {} does not exist. All target instances must have an associated configuration to be imported.", i.to),
                )
                .with_span(i.to_span.clone()),
            );
        }
    }
    diags
}

/// Import blocks whose target resource no `resource` block declares: an error unless the
/// configuration for them is being generated (`plan -generate-config-out`), which adds the
/// blocks before the plan runs.
pub(super) fn undeclared_targets(engine: &Engine) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for i in engine.config.root.module.imports.values() {
        if !is_declared(&engine.config, &i.to) {
            let r = &i.to.resource;
            diags.push(
                Diagnostic::error(
                    "Configuration for import target does not exist",
                    format!("The configuration for the given import target {} does not exist. If you wish to automatically generate config for this resource, use the -generate-config-out option within skyform plan. Otherwise, make sure the target resource exists within your configuration. For example:\n\n  resource \"{}\" \"{}\" {{\n    # ...\n  }}", i.to, r.type_name, r.name),
                )
                .with_span(i.to_span.clone()),
            );
        }
    }
    diags
}

/// Whether a `resource` block declares the resource of `to` in its module.
pub fn is_declared(config: &crate::config::Config, to: &AbsInstance) -> bool {
    let names: Vec<String> = to.module.0.iter().map(|(n, _)| n.clone()).collect();
    config
        .root
        .descendant(&names)
        .is_some_and(|mn| mn.module.resources.contains_key(&to.resource))
}

/// Fills the attributes an API leaves empty (`""`, `0`, null: many read endpoints do not
/// report everything a create takes, e.g. mcloud's network charge type) from the configured
/// value, so a freshly imported object is not planned for replacement over fields the cloud
/// never told us.
pub fn fill_unreported(imported: Value, configured: &Value) -> Value {
    let unreported = |v: &Value| match v.unmarked() {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.is_zero(),
        _ => false,
    };
    match (imported, configured.unmarked()) {
        (Value::Object(mut m), Value::Object(cfg)) => {
            for (k, c) in cfg {
                if let Some(v) = m.remove(k) {
                    let v = if unreported(&v) && c.is_wholly_known() && !c.is_null() {
                        c.clone()
                    } else {
                        fill_unreported(v, c)
                    };
                    m.insert(k.clone(), v);
                }
            }
            Value::Object(m)
        }
        (v, _) => v,
    }
}
