//! `skyform inventory`: every machine the configured accounts hold, set against the state.
//! Each provider configuration that can list machines lists them (all at once, in
//! parallel); a machine is managed when an object in state stands for it
//! ([`crate::provider::Provider::machine_ids`]), unmanaged otherwise, and an object in state
//! whose machine no listing shows is missing. Nothing is written to state; with a generate
//! path, `import` and `resource` blocks that adopt the unmanaged machines are written there.

use super::generate::{check_new_file, reading_engine, write_new_file, Generated};
use super::{RunContext, Session};
use crate::addr::{AbsInstance, InstanceKey, Mode, ModulePath, ResourceAddr};
use crate::config::generate::{import_block, resource_block, resource_name, FILE_HEADER};
use crate::config::ProviderRef;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::Engine;
use crate::provider::inventory::ListedMachine;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How a machine relates to the state.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Managed {
    /// An object in state stands for it (its address).
    Managed(AbsInstance),
    Unmanaged,
    /// In state at this address, but no listing shows it.
    Missing(AbsInstance),
}

impl Managed {
    /// `managed`, `unmanaged` or `missing`.
    pub fn word(&self) -> &'static str {
        match self {
            Managed::Managed(_) => "managed",
            Managed::Unmanaged => "unmanaged",
            Managed::Missing(_) => "missing",
        }
    }

    pub fn state_address(&self) -> Option<&AbsInstance> {
        match self {
            Managed::Managed(a) | Managed::Missing(a) => Some(a),
            Managed::Unmanaged => None,
        }
    }
}

/// One line of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The provider configuration that listed it (or, when missing, that manages it).
    pub provider: ProviderRef,
    pub machine: ListedMachine,
    pub managed: Managed,
}

/// What `inventory` found.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Sorted by provider, then managed, unmanaged, missing.
    pub rows: Vec<Row>,
    /// Providers that failed to configure or list; the others are listed all the same.
    pub errors: Vec<(ProviderRef, Diagnostics)>,
    /// The file written for `-generate-config-out`, when there was anything to adopt.
    pub generated: Option<Generated>,
}

/// Lists every provider configuration (the root `provider` blocks and those objects in
/// state use) and compares with the state. `generate`: write blocks adopting the unmanaged
/// machines there (a new file).
pub async fn inventory(
    ctx: &RunContext,
    session: &Session,
    generate: Option<&Path>,
) -> Result<Inventory, Diagnostics> {
    if let Some(out) = generate {
        check_new_file(out)?;
    }
    let engine = reading_engine(ctx, session)?;
    // Only what provider blocks need must evaluate: an output that no longer does (an
    // object removed from state) must not hide the inventory, and an error a provider
    // block meets is reported when that provider is configured.
    let _ = engine.walk().await;
    let prior = session.prior(&ctx.registry)?;
    let mut refs: BTreeSet<ProviderRef> = ctx
        .config
        .root
        .module
        .providers
        .iter()
        .map(|p| p.key())
        .collect();
    refs.extend(prior.instances.values().map(|p| p.provider.clone()));
    let listings = futures::future::join_all(refs.iter().map(|r| list_one(&engine, r))).await;
    let mut inv = Inventory::default();
    for (r, listed) in refs.iter().zip(listings) {
        let (provider, machines) = match listed {
            Ok(Some(found)) => found,
            Ok(None) => continue,
            Err(d) => {
                inv.errors.push((r.clone(), d));
                continue;
            }
        };
        // Which machine each object in state of this provider configuration stands for.
        let mut in_state: BTreeMap<String, (AbsInstance, String)> = BTreeMap::new();
        for (addr, p) in &prior.instances {
            if p.provider != *r || addr.resource.mode != Mode::Managed {
                continue;
            }
            for id in provider.machine_ids(&addr.resource.type_name, &p.value) {
                in_state.insert(id, (addr.clone(), address_of(&p.value)));
            }
        }
        let listed_ids: BTreeSet<&str> = machines.iter().map(|m| m.id.as_str()).collect();
        for (id, (addr, address)) in &in_state {
            if !listed_ids.contains(id.as_str()) {
                inv.rows.push(Row {
                    provider: r.clone(),
                    machine: ListedMachine {
                        resource_type: Some(addr.resource.type_name.clone()),
                        id: id.clone(),
                        name: String::new(),
                        address: address.clone(),
                        status: String::new(),
                    },
                    managed: Managed::Missing(addr.clone()),
                });
            }
        }
        for m in machines {
            let managed = match in_state.get(&m.id) {
                Some((addr, _)) => Managed::Managed(addr.clone()),
                None => Managed::Unmanaged,
            };
            inv.rows.push(Row {
                provider: r.clone(),
                machine: m,
                managed,
            });
        }
    }
    inv.rows.sort_by(|a, b| {
        (
            &a.provider,
            rank(&a.managed),
            &a.managed,
            &a.machine.name,
            &a.machine.id,
        )
            .cmp(&(
                &b.provider,
                rank(&b.managed),
                &b.managed,
                &b.machine.name,
                &b.machine.id,
            ))
    });
    if let Some(out) = generate {
        let taken: BTreeSet<ResourceAddr> = ctx
            .config
            .root
            .module
            .resources
            .keys()
            .cloned()
            .chain(
                prior
                    .instances
                    .keys()
                    .filter(|a| a.module.is_root())
                    .map(|a| a.resource.clone()),
            )
            .collect();
        inv.generated = adopt_unmanaged(&engine, &inv.rows, taken, out, &mut inv.errors).await?;
    }
    Ok(inv)
}

fn rank(m: &Managed) -> u8 {
    match m {
        Managed::Managed(_) => 0,
        Managed::Unmanaged => 1,
        Managed::Missing(_) => 2,
    }
}

/// The address recorded in state for a machine (its private IP where it has one).
fn address_of(v: &crate::lang::Value) -> String {
    ["private_ip", "private_ip_address", "public_ip"]
        .iter()
        .find_map(|k| {
            v.get_attr(k)
                .and_then(crate::lang::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

type Listing = Option<(
    std::sync::Arc<dyn crate::provider::Provider>,
    Vec<ListedMachine>,
)>;

/// Configures one provider configuration and lists its machines (`None`: it cannot list).
async fn list_one(engine: &Engine, r: &ProviderRef) -> Result<Listing, Diagnostics> {
    let provider = engine.configured_provider(r).await?;
    match provider.list_machines().await {
        Ok(Some(machines)) => Ok(Some((provider, machines))),
        Ok(None) => Ok(None),
        Err(e) => Err(Diagnostic::error(
            format!("Failed to list the machines of provider {r}"),
            e.to_string(),
        )
        .into()),
    }
}

/// Writes an `import` block and a `resource` block (from the object the provider reads by
/// id) for every unmanaged machine a managed resource type can adopt. Resource names come
/// from machine names (or ids), made unique among `taken`. A machine that cannot be read
/// any more is reported among `errors` and left out.
async fn adopt_unmanaged(
    engine: &Engine,
    rows: &[Row],
    mut taken: BTreeSet<ResourceAddr>,
    out: &Path,
    errors: &mut Vec<(ProviderRef, Diagnostics)>,
) -> Result<Option<Generated>, Diagnostics> {
    let mut text = FILE_HEADER.to_string();
    let mut addresses = Vec::new();
    for row in rows.iter().filter(|r| r.managed == Managed::Unmanaged) {
        let Some(type_name) = &row.machine.resource_type else {
            continue;
        };
        let provider = engine.configured_provider(&row.provider).await?;
        let Some(schema) = provider.resource_schema(type_name).cloned() else {
            continue;
        };
        let id = &row.machine.id;
        let value = match provider.import(type_name, id).await {
            Ok(v) => crate::plan::diff::mark_sensitive(&schema, v),
            Err(e) => {
                errors.push((
                    row.provider.clone(),
                    Diagnostic::error(format!("Failed to read machine {id:?}"), e.to_string())
                        .into(),
                ));
                continue;
            }
        };
        let seed = if row.machine.name.is_empty() {
            id
        } else {
            &row.machine.name
        };
        let name = resource_name(seed, |n| {
            taken.contains(&ResourceAddr::managed(type_name, n))
        });
        let addr = ResourceAddr::managed(type_name, &name);
        taken.insert(addr.clone());
        let to = AbsInstance {
            module: ModulePath::root(),
            resource: addr,
            key: InstanceKey::None,
        };
        text.push('\n');
        text.push_str(&import_block(&to, id, Some(&row.provider)));
        text.push('\n');
        text.push_str(&resource_block(
            &to,
            id,
            Some(&row.provider),
            &schema,
            &value,
        ));
        addresses.push(to);
    }
    if addresses.is_empty() {
        return Ok(None);
    }
    write_new_file(out, &text)?;
    Ok(Some(Generated {
        path: out.to_path_buf(),
        addresses,
    }))
}
