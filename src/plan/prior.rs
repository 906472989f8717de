//! The prior state as plans see it: decoded values per resource instance.
//!
//! The `state` module owns the file format; this view decodes its JSON attributes with the
//! provider schemas (so sets are sets and sensitive attributes are marked).

use crate::addr::AbsInstance;
use crate::config::ProviderRef;
use crate::lang::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct PriorInstance {
    pub provider: ProviderRef,
    pub value: Value,
    /// Addresses of the resources this one depended on when it was last applied.
    pub dependencies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorState {
    pub lineage: Option<String>,
    pub serial: u64,
    pub instances: BTreeMap<AbsInstance, PriorInstance>,
    pub outputs: BTreeMap<String, Value>,
    /// Creates a run started (intent written before the call) but did not see finish: the
    /// next plan asks the provider which of them exist (`Provider::recover_creates`).
    pub pending: BTreeMap<AbsInstance, PendingCreate>,
    /// Objects create_before_destroy replaced whose delete has not succeeded yet, by
    /// address and deposed key: the next plan deletes them.
    pub deposed: BTreeMap<(AbsInstance, String), PriorInstance>,
    /// Objects that could not be read: attributes that do not decode (written by hand), or
    /// a recorded schema version that could not be brought up to the current one (a newer
    /// state, or a failed upgrade). A run refuses to work on such a state.
    pub decode_errors: Vec<crate::diag::Diagnostic>,
}

impl PriorState {
    /// The instances of one resource in one module instance, in key order: a range of the
    /// sorted map (keys sort by module, then resource, then instance key, `None` first), so
    /// planning each module instance does not scan every instance in state.
    pub fn instances_of<'a>(
        &'a self,
        module: &'a crate::addr::ModulePath,
        resource: &'a crate::addr::ResourceAddr,
    ) -> impl Iterator<Item = (&'a AbsInstance, &'a PriorInstance)> + 'a {
        let first = AbsInstance {
            module: module.clone(),
            resource: resource.clone(),
            key: crate::addr::InstanceKey::None,
        };
        self.instances
            .range(first..)
            .take_while(move |(a, _)| a.module == *module && a.resource == *resource)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PendingCreate {
    pub provider: ProviderRef,
    /// What the cloud's answer named, once it was seen.
    pub token: Option<String>,
    /// What the provider said identifies the object, written before the call.
    pub fingerprint: Option<serde_json::Value>,
    /// When the create was about to be sent (RFC 3339, client clock).
    pub started_at: Option<String>,
}

/// Decodes a state document into the walk's view, typing attributes by the provider
/// schemas (so sets stay sets, sensitive attributes are marked).
pub fn prior_from_state(
    state: &crate::state::State,
    registry: &crate::provider::registry::ProviderRegistry,
) -> PriorState {
    let mut out = header(state);
    for r in &state.resources {
        if let Some(decoder) = ResourceDecoder::new(r, registry) {
            for inst in &r.instances {
                decoder.decode(&mut out, inst);
            }
        }
    }
    out
}

/// Like [`prior_from_state`], giving up the document: each instance's JSON attributes are
/// dropped as soon as they are decoded, so the document and its decoded values are never
/// both held whole (at 10,000 instances the JSON tree is about 54 MB and the values 42 MB).
/// For runs that write no state afterwards (`plan`).
pub fn prior_from_owned_state(
    mut state: crate::state::State,
    registry: &crate::provider::registry::ProviderRegistry,
) -> PriorState {
    let mut out = header(&state);
    for mut r in std::mem::take(&mut state.resources) {
        let instances = std::mem::take(&mut r.instances);
        let Some(decoder) = ResourceDecoder::new(&r, registry) else {
            continue;
        };
        for inst in instances {
            decoder.decode(&mut out, &inst);
        }
    }
    out
}

/// The lineage, serial and outputs of a state, with no resource decoded yet.
fn header(state: &crate::state::State) -> PriorState {
    PriorState {
        pending: BTreeMap::new(),
        deposed: BTreeMap::new(),
        decode_errors: Vec::new(),
        lineage: Some(state.lineage.clone()),
        serial: state.serial,
        instances: BTreeMap::new(),
        outputs: state
            .outputs
            .iter()
            .map(|(k, o)| {
                let v = Value::from_json(&o.value);
                (k.clone(), if o.sensitive { Value::sensitive(v) } else { v })
            })
            .collect(),
    }
}

/// What decoding every instance of one resource entry shares: its address parts, provider,
/// schema and the schema's value type (built once per resource, not per instance).
struct ResourceDecoder<'a> {
    registry: &'a crate::provider::registry::ProviderRegistry,
    entry: &'a crate::state::ResourceState,
    provider: ProviderRef,
    module: crate::addr::ModulePath,
    resource: crate::addr::ResourceAddr,
    schema: Option<crate::provider::schema::Schema>,
    value_type: Option<crate::lang::Type>,
}

impl<'a> ResourceDecoder<'a> {
    /// `None` when the entry's provider string cannot be read (the entry is skipped).
    fn new(
        entry: &'a crate::state::ResourceState,
        registry: &'a crate::provider::registry::ProviderRegistry,
    ) -> Option<Self> {
        use crate::state::Mode as SMode;
        let provider = ProviderRef::parse_state_string(&entry.provider)?;
        let module = entry
            .module
            .as_deref()
            .map(parse_module_path)
            .unwrap_or_else(crate::addr::ModulePath::root);
        let (mode, schema) = match entry.mode {
            SMode::Managed => (
                crate::addr::Mode::Managed,
                registry
                    .schema_of(&provider.name, false, &entry.type_)
                    .cloned(),
            ),
            SMode::Data => (
                crate::addr::Mode::Data,
                registry
                    .schema_of(&provider.name, true, &entry.type_)
                    .cloned(),
            ),
        };
        let resource = crate::addr::ResourceAddr {
            mode,
            type_name: entry.type_.clone(),
            name: entry.name.clone(),
        };
        let value_type = schema.as_ref().map(|s| s.value_type());
        Some(ResourceDecoder {
            registry,
            entry,
            provider,
            module,
            resource,
            schema,
            value_type,
        })
    }

    fn addr(&self, key: &Option<crate::state::IndexKey>) -> AbsInstance {
        use crate::addr::InstanceKey;
        use crate::state::IndexKey;
        AbsInstance {
            module: self.module.clone(),
            resource: self.resource.clone(),
            key: match key {
                None => InstanceKey::None,
                Some(IndexKey::Int(i)) => InstanceKey::Int(*i),
                Some(IndexKey::Str(s)) => InstanceKey::Str(s.clone()),
            },
        }
    }

    /// Adds one instance of the entry to `out`: a pending create, a deposed object or the
    /// current object.
    fn decode(&self, out: &mut PriorState, inst: &crate::state::InstanceState) {
        let mode = self.resource.mode;
        if inst.is_pending_create() {
            if inst.create_token.is_some() || inst.create_fingerprint.is_some() {
                out.pending.insert(
                    self.addr(&inst.index_key),
                    PendingCreate {
                        provider: self.provider.clone(),
                        token: inst.create_token.clone(),
                        fingerprint: inst.create_fingerprint.clone(),
                        started_at: inst.create_started_at.clone(),
                    },
                );
            }
            return;
        }
        let ty = self
            .value_type
            .as_ref()
            .unwrap_or(&crate::lang::Type::Dynamic);
        let upgrade_from = match (&self.schema, mode) {
            (Some(s), crate::addr::Mode::Managed) if inst.schema_version != s.version => {
                Some(s.version)
            }
            _ => None,
        };
        let decoded = match upgrade_from {
            // Read straight from the stored text: no JSON tree per instance.
            None => Value::from_json_text_typed(inst.attributes.text(), ty)
                .map_err(|e| format!("its attributes are not readable: {e}")),
            Some(to) => inst
                .attributes
                .to_json()
                .map_err(|e| format!("its attributes are not readable: {e}"))
                .and_then(|json| {
                    upgrade(
                        self.registry,
                        &self.provider.name,
                        &self.entry.type_,
                        inst.schema_version,
                        to,
                        &json,
                    )
                })
                .map(|json| Value::from_json_typed(&json, ty)),
        };
        let value = match decoded {
            Ok(value) => value,
            Err(message) => {
                out.decode_errors.push(crate::diag::Diagnostic::error(
                    "Cannot read the state",
                    format!(
                        "{}{}: {message}",
                        self.entry.address(),
                        inst.index_key
                            .as_ref()
                            .map(|k| format!("[{k}]"))
                            .unwrap_or_default()
                    ),
                ));
                Value::Null
            }
        };
        let value = match &self.schema {
            Some(s) => crate::plan::diff::mark_sensitive(s, value),
            None => value,
        };
        let value = crate::plan::diff::mark_paths(value, &inst.sensitive_attributes);
        let object = PriorInstance {
            provider: self.provider.clone(),
            value,
            dependencies: inst.dependencies.clone(),
        };
        let addr = self.addr(&inst.index_key);
        match &inst.deposed {
            Some(deposed) => {
                out.deposed.insert((addr, deposed.clone()), object);
            }
            None => {
                out.instances.insert(addr, object);
            }
        }
    }
}

/// Brings attributes written under schema `from` up to `to` through the provider's hook.
fn upgrade(
    registry: &crate::provider::registry::ProviderRegistry,
    provider: &str,
    type_name: &str,
    from: u64,
    to: u64,
    attributes: &serde_json::Value,
) -> Result<serde_json::Value, String> {
    if from > to {
        return Err(format!("it was written under schema version {from} of {type_name}, and this skyform knows version {to}; use a skyform at least as new as the one that wrote it"));
    }
    let Some(ptype) = registry.get(provider) else {
        return Err(format!(
            "provider {provider:?} is not available to upgrade it"
        ));
    };
    ptype
        .upgrade_state(type_name, from, Value::from_json(attributes))
        .map(|v| v.to_json())
        .map_err(|e| format!("upgrading it from schema version {from} to {to} failed: {e}"))
}

/// Parses `module.a[1].module.b` (as state stores it) into a module path.
pub fn parse_module_path(s: &str) -> crate::addr::ModulePath {
    match crate::addr::parse_target(s) {
        Ok(crate::addr::Target::Module(m)) => m,
        _ => crate::addr::ModulePath::root(),
    }
}

/// The state key of an instance's resource.
pub fn resource_key(addr: &AbsInstance, provider: &ProviderRef) -> crate::state::ResourceKey {
    crate::state::ResourceKey {
        module: addr.module.to_state_string(),
        mode: match addr.resource.mode {
            crate::addr::Mode::Managed => crate::state::Mode::Managed,
            crate::addr::Mode::Data => crate::state::Mode::Data,
        },
        type_: addr.resource.type_name.clone(),
        name: addr.resource.name.clone(),
        provider: provider.state_string(),
    }
}

pub fn index_key(addr: &AbsInstance) -> Option<crate::state::IndexKey> {
    match &addr.key {
        crate::addr::InstanceKey::None => None,
        crate::addr::InstanceKey::Int(i) => Some(crate::state::IndexKey::Int(*i)),
        crate::addr::InstanceKey::Str(s) => Some(crate::state::IndexKey::Str(s.clone())),
    }
}

/// Paths of the sensitive parts of a value, in Terraform's state notation
/// (`[{"type":"get_attr","value":"password"}]`).
pub fn sensitive_paths(v: &Value) -> Vec<serde_json::Value> {
    fn walk(v: &Value, path: &mut Vec<serde_json::Value>, out: &mut Vec<serde_json::Value>) {
        match v {
            Value::Sensitive(_) => out.push(serde_json::Value::Array(path.clone())),
            Value::Object(m) | Value::Map(m) => {
                for (k, x) in m {
                    let step = if matches!(v, Value::Object(_)) {
                        serde_json::json!({"type": "get_attr", "value": k})
                    } else {
                        serde_json::json!({"type": "index", "value": {"value": k, "type": "string"}})
                    };
                    path.push(step);
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    path.push(serde_json::json!({"type": "index", "value": {"value": i, "type": "number"}}));
                    walk(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}
