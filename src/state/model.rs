//! The state document in memory, shaped like Terraform's state v4 so people recognise it.
//!
//! Every mutation goes through [`State::apply_change`]: the apply engine uses it in memory and the
//! journal replay uses it after a crash, so the two can never disagree about what a record means.
//! Resources stay sorted by (module, mode, type, name) and instances by index key, so lookups are
//! binary searches and the written file has a stable order.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use super::attributes::Attributes;

/// The state format version this build reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 4;

/// `status` of an instance whose object is known to be broken and must be replaced.
pub const STATUS_TAINTED: &str = "tainted";
/// `status` of an instance whose create was started but not confirmed: the object may exist in
/// the cloud and can be found by the instance's `create_token`.
pub const STATUS_PENDING_CREATE: &str = "pending_create";

/// One workspace's state document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Format version, [`STATE_FORMAT_VERSION`].
    pub version: u32,
    /// Incremented on every write of the document.
    pub serial: u64,
    /// UUID v4 fixed when the state is created; identifies "the same state" across writes.
    pub lineage: String,
    /// Version of skyform that last wrote the document.
    pub skyform_version: String,
    /// Root module outputs by name.
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputState>,
    /// Resources, sorted by [`ResourceState::sort_key`].
    #[serde(default)]
    pub resources: Vec<ResourceState>,
}

/// A root module output value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputState {
    pub value: Json,
    #[serde(default)]
    pub sensitive: bool,
}

/// `managed` (a `resource` block) or `data` (a `data` block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

/// All instances of one resource block in one module instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceState {
    /// `None` for the root module, else `module.x` or `module.x[1]` (nested: `module.a.module.b`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    /// `provider["mcloud"]` or `provider["mcloud"].alias`.
    pub provider: String,
    /// Sorted by index key; never empty in a well-formed state.
    pub instances: Vec<InstanceState>,
}

/// `count.index` (a number) or `each.key` (a string); absent when neither is used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IndexKey {
    Int(i64),
    Str(String),
}

impl PartialOrd for IndexKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IndexKey {
    /// Numbers before strings, numbers numerically, strings bytewise.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (IndexKey::Int(a), IndexKey::Int(b)) => a.cmp(b),
            (IndexKey::Str(a), IndexKey::Str(b)) => a.cmp(b),
            (IndexKey::Int(_), IndexKey::Str(_)) => Ordering::Less,
            (IndexKey::Str(_), IndexKey::Int(_)) => Ordering::Greater,
        }
    }
}

impl std::fmt::Display for IndexKey {
    /// The address suffix form: `[2]` or `["web"]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexKey::Int(i) => write!(f, "[{i}]"),
            IndexKey::Str(s) => write!(f, "[{}]", Json::String(s.clone())),
        }
    }
}

/// One object in the cloud (or one data source result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<IndexKey>,
    /// [`STATUS_TAINTED`], [`STATUS_PENDING_CREATE`] or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The object's attributes as the provider reported them (a JSON object, held as
    /// compact text: see [`Attributes`]).
    pub attributes: Attributes,
    /// Paths (arrays of keys/indexes) into `attributes` whose values are sensitive.
    #[serde(default)]
    pub sensitive_attributes: Vec<Json>,
    /// Addresses of the resources this instance depended on when it was last applied.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// A name the provider can search by to adopt an object whose create was not confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_token: Option<String>,
    /// What the provider said identifies the object a pending create makes (written before
    /// the create was sent); recovery matches the cloud's listing against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_fingerprint: Option<Json>,
    /// When the pending create was about to be sent (RFC 3339, UTC, the client's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_started_at: Option<String>,
    /// The version of the resource type's schema the attributes were written under (as in
    /// Terraform's state); older ones go through the provider's upgrade hook when read.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub schema_version: u64,
    /// Set on an object that create_before_destroy replaced and whose delete has not
    /// succeeded yet (Terraform's deposed objects): it stays in state until it is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
}

impl InstanceState {
    /// An instance with the given attributes and nothing else set.
    pub fn new(attributes: Json) -> Self {
        InstanceState {
            index_key: None,
            status: None,
            attributes: Attributes::from_json(attributes),
            sensitive_attributes: Vec::new(),
            dependencies: Vec::new(),
            create_token: None,
            create_fingerprint: None,
            create_started_at: None,
            schema_version: 0,
            deposed: None,
        }
    }

    pub fn is_tainted(&self) -> bool {
        self.status.as_deref() == Some(STATUS_TAINTED)
    }

    pub fn is_pending_create(&self) -> bool {
        self.status.as_deref() == Some(STATUS_PENDING_CREATE)
    }
}

/// Identifies a resource entry; `provider` is only used when the entry is created or updated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    pub provider: String,
}

impl ResourceKey {
    /// A root-module managed resource, the common case.
    pub fn managed(type_: &str, name: &str, provider: &str) -> Self {
        ResourceKey {
            module: None,
            mode: Mode::Managed,
            type_: type_.to_string(),
            name: name.to_string(),
            provider: provider.to_string(),
        }
    }

    fn sort_key(&self) -> (Option<&str>, Mode, &str, &str) {
        (self.module.as_deref(), self.mode, &self.type_, &self.name)
    }
}

/// One durable change to a state; also the journal record format (one JSON line each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Create or replace one instance (after a create, update, read or import).
    Upsert {
        resource: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index_key: Option<IndexKey>,
        instance: InstanceState,
    },
    /// Forget one instance (after a delete); the last one takes the resource entry with it.
    Remove {
        resource: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index_key: Option<IndexKey>,
    },
    /// A create intent, written twice per create. Before the create is sent: `fingerprint`
    /// (what identifies the object, as the provider chose) and `started_at` (RFC 3339 UTC,
    /// client clock), no token. Once the cloud acknowledged it: `create_token` (what the
    /// answer named, e.g. mcloud's IP), which keeps the fingerprint already recorded.
    /// A new instance gets empty attributes; an existing one (create_before_destroy) keeps
    /// its attributes. Both get status `pending_create`. Journals written before fingerprints
    /// existed carry only `create_token` and still replay.
    Intent {
        resource: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index_key: Option<IndexKey>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        create_token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fingerprint: Option<Json>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_at: Option<String>,
    },
    /// Keep the current object of an instance aside as deposed `deposed` before its
    /// create_before_destroy replacement is created.
    Depose {
        resource: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index_key: Option<IndexKey>,
        deposed: String,
    },
    /// Put a deposed object back as the current one, when its replacement was never
    /// created (a failed create); nothing happens if a current object exists.
    RestoreDeposed {
        resource: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index_key: Option<IndexKey>,
        deposed: String,
    },
    /// Forget a deposed object (after its delete succeeded).
    RemoveDeposed {
        resource: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index_key: Option<IndexKey>,
        deposed: String,
    },
    /// Move an instance to another address in one record (a `moved` block), so a crash
    /// can never leave it at neither.
    Move {
        from: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_index: Option<IndexKey>,
        to: ResourceKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_index: Option<IndexKey>,
    },
    /// Replace all root outputs.
    SetOutputs {
        outputs: BTreeMap<String, OutputState>,
    },
}

impl State {
    /// An empty state with a fresh lineage and serial 0.
    pub fn new() -> Self {
        State {
            version: STATE_FORMAT_VERSION,
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            skyform_version: env!("CARGO_PKG_VERSION").to_string(),
            outputs: BTreeMap::new(),
            resources: Vec::new(),
        }
    }

    /// The resource entry for (module, mode, type, name), if any.
    pub fn resource(
        &self,
        module: Option<&str>,
        mode: Mode,
        type_: &str,
        name: &str,
    ) -> Option<&ResourceState> {
        let key = (module, mode, type_, name);
        self.resources
            .binary_search_by(|r| r.sort_key().cmp(&key))
            .ok()
            .and_then(|i| self.resources.get(i))
    }

    /// One instance of a resource, by index key (`None` = no count/for_each).
    pub fn instance(
        &self,
        module: Option<&str>,
        mode: Mode,
        type_: &str,
        name: &str,
        index_key: Option<&IndexKey>,
    ) -> Option<&InstanceState> {
        self.resource(module, mode, type_, name)
            .and_then(|r| r.instance(index_key))
    }

    /// Number of instances over all resources.
    pub fn instance_count(&self) -> usize {
        self.resources.iter().map(|r| r.instances.len()).sum()
    }

    /// Apply one change. Used both live and when replaying a journal, so both agree.
    pub fn apply_change(&mut self, change: &Change) {
        match change {
            Change::Upsert {
                resource,
                index_key,
                instance,
            } => {
                let mut instance = instance.clone();
                instance.index_key = index_key.clone();
                let entry = self.resource_entry(resource);
                match entry.instance_position(index_key.as_ref()) {
                    Ok(i) => entry.instances[i] = instance,
                    Err(i) => entry.instances.insert(i, instance),
                }
            }
            Change::Remove {
                resource,
                index_key,
            } => {
                self.take_instance(resource, index_key.as_ref(), None);
            }
            Change::Depose {
                resource,
                index_key,
                deposed,
            } => {
                if let Some(mut object) = self.take_instance(resource, index_key.as_ref(), None) {
                    object.deposed = Some(deposed.clone());
                    let entry = self.resource_entry(resource);
                    match entry.position(index_key.as_ref(), Some(deposed)) {
                        Ok(i) => entry.instances[i] = object,
                        Err(i) => entry.instances.insert(i, object),
                    }
                }
            }
            Change::RemoveDeposed {
                resource,
                index_key,
                deposed,
            } => {
                self.take_instance(resource, index_key.as_ref(), Some(deposed));
            }
            Change::RestoreDeposed {
                resource,
                index_key,
                deposed,
            } => {
                let has_current = self
                    .resource(
                        resource.module.as_deref(),
                        resource.mode,
                        &resource.type_,
                        &resource.name,
                    )
                    .and_then(|r| r.instance(index_key.as_ref()))
                    .is_some();
                if has_current {
                    return;
                }
                if let Some(mut object) =
                    self.take_instance(resource, index_key.as_ref(), Some(deposed))
                {
                    object.deposed = None;
                    let entry = self.resource_entry(resource);
                    match entry.instance_position(index_key.as_ref()) {
                        Ok(i) => entry.instances[i] = object,
                        Err(i) => entry.instances.insert(i, object),
                    }
                }
            }
            Change::Move {
                from,
                from_index,
                to,
                to_index,
            } => {
                if let Some(mut object) = self.take_instance(from, from_index.as_ref(), None) {
                    object.index_key = to_index.clone();
                    let entry = self.resource_entry(to);
                    match entry.instance_position(to_index.as_ref()) {
                        Ok(i) => entry.instances[i] = object,
                        Err(i) => entry.instances.insert(i, object),
                    }
                }
            }
            Change::Intent {
                resource,
                index_key,
                create_token,
                fingerprint,
                started_at,
            } => {
                let entry = self.resource_entry(resource);
                let i = match entry.instance_position(index_key.as_ref()) {
                    Ok(i) => i,
                    Err(i) => {
                        let mut fresh = InstanceState::new(Json::Object(Default::default()));
                        fresh.index_key = index_key.clone();
                        entry.instances.insert(i, fresh);
                        i
                    }
                };
                let instance = &mut entry.instances[i];
                instance.status = Some(STATUS_PENDING_CREATE.to_string());
                if fingerprint.is_some() {
                    // A new attempt: whatever an older attempt was acknowledged with is stale.
                    instance.create_token = None;
                    instance.create_fingerprint = fingerprint.clone();
                    instance.create_started_at = started_at.clone();
                }
                if !create_token.is_empty() {
                    instance.create_token = Some(create_token.clone());
                }
            }
            Change::SetOutputs { outputs } => {
                self.outputs = outputs.clone();
                for output in self.outputs.values_mut() {
                    sort_object_keys(&mut output.value);
                }
            }
        }
    }

    /// Put resources, instances and JSON object keys in canonical order (used before writing a
    /// document that did not come from `apply_change`, e.g. a pushed or hand-edited state).
    pub fn canonicalize(&mut self) {
        self.resources
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        for resource in &mut self.resources {
            resource
                .instances
                .sort_by(|a, b| (&a.index_key, &a.deposed).cmp(&(&b.index_key, &b.deposed)));
        }
        for output in self.outputs.values_mut() {
            sort_object_keys(&mut output.value);
        }
    }

    /// The entry for `key`, created (in sorted position) if missing; its provider is updated.
    /// Removes and returns one object (the current one, or a deposed one); the last object
    /// takes the resource entry with it.
    fn take_instance(
        &mut self,
        resource: &ResourceKey,
        index_key: Option<&IndexKey>,
        deposed: Option<&String>,
    ) -> Option<InstanceState> {
        let key = resource.sort_key();
        let r = self
            .resources
            .binary_search_by(|r| r.sort_key().cmp(&key))
            .ok()?;
        let entry = &mut self.resources[r];
        let taken = entry
            .position(index_key, deposed)
            .ok()
            .map(|i| entry.instances.remove(i));
        if entry.instances.is_empty() {
            self.resources.remove(r);
        }
        taken
    }

    fn resource_entry(&mut self, key: &ResourceKey) -> &mut ResourceState {
        let sort_key = key.sort_key();
        let i = match self
            .resources
            .binary_search_by(|r| r.sort_key().cmp(&sort_key))
        {
            Ok(i) => i,
            Err(i) => {
                self.resources.insert(
                    i,
                    ResourceState {
                        module: key.module.clone(),
                        mode: key.mode,
                        type_: key.type_.clone(),
                        name: key.name.clone(),
                        provider: key.provider.clone(),
                        instances: Vec::new(),
                    },
                );
                i
            }
        };
        let entry = &mut self.resources[i];
        if entry.provider != key.provider {
            entry.provider = key.provider.clone();
        }
        entry
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl ResourceState {
    /// The (module, mode, type, name) order resources are kept in.
    pub fn sort_key(&self) -> (Option<&str>, Mode, &str, &str) {
        (self.module.as_deref(), self.mode, &self.type_, &self.name)
    }

    /// The key that identifies this entry in a [`Change`].
    pub fn key(&self) -> ResourceKey {
        ResourceKey {
            module: self.module.clone(),
            mode: self.mode,
            type_: self.type_.clone(),
            name: self.name.clone(),
            provider: self.provider.clone(),
        }
    }

    /// The instance with this index key, if any.
    pub fn instance(&self, index_key: Option<&IndexKey>) -> Option<&InstanceState> {
        self.instance_position(index_key)
            .ok()
            .and_then(|i| self.instances.get(i))
    }

    /// The address of this resource without an index: `module.x.mcloud_instance.web`,
    /// `data.mcloud_zones.bj`.
    pub fn address(&self) -> String {
        let mut out = String::new();
        if let Some(module) = &self.module {
            out.push_str(module);
            out.push('.');
        }
        if self.mode == Mode::Data {
            out.push_str("data.");
        }
        out.push_str(&self.type_);
        out.push('.');
        out.push_str(&self.name);
        out
    }

    /// Where the current object of `index_key` is (or would go). Objects sort by index key,
    /// the current one before its deposed ones.
    fn instance_position(&self, index_key: Option<&IndexKey>) -> Result<usize, usize> {
        self.position(index_key, None)
    }

    fn position(
        &self,
        index_key: Option<&IndexKey>,
        deposed: Option<&String>,
    ) -> Result<usize, usize> {
        self.instances.binary_search_by(|i| {
            (i.index_key.as_ref(), i.deposed.as_ref()).cmp(&(index_key, deposed))
        })
    }

    /// The deposed objects of every instance.
    pub fn deposed(&self) -> impl Iterator<Item = &InstanceState> {
        self.instances.iter().filter(|i| i.deposed.is_some())
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Sort the keys of every JSON object inside `value`, so written files have a stable order no
/// matter what order a provider produced them in.
pub fn sort_object_keys(value: &mut Json) {
    match value {
        // What skyform wrote is sorted already: walk it in place instead of rebuilding
        // every object of every instance on each load.
        Json::Object(map) if is_sorted(map.keys()) => {
            map.values_mut().for_each(sort_object_keys);
        }
        Json::Object(map) => {
            let mut entries: Vec<(String, Json)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, mut inner) in entries {
                sort_object_keys(&mut inner);
                map.insert(key, inner);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(sort_object_keys),
        _ => {}
    }
}

fn is_sorted<'a>(mut keys: impl Iterator<Item = &'a String>) -> bool {
    let Some(mut previous) = keys.next() else {
        return true;
    };
    for key in keys {
        if key < previous {
            return false;
        }
        previous = key;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn web() -> ResourceKey {
        ResourceKey::managed("mcloud_instance", "web", "provider[\"mcloud\"]")
    }

    fn upsert(key: ResourceKey, index: Option<IndexKey>, attrs: Json) -> Change {
        Change::Upsert {
            resource: key,
            index_key: index,
            instance: InstanceState::new(attrs),
        }
    }

    #[test]
    fn attributes_are_read_as_compact_text_in_their_order() {
        let text = r#"{"attributes": {"z": 1, "a": {"y": [1, {"q": null}], "b": "x"}, "m": []}}"#;
        let inst: InstanceState = serde_json::from_str(text).unwrap();
        assert_eq!(
            inst.attributes.text(),
            r#"{"z":1,"a":{"y":[1,{"q":null}],"b":"x"},"m":[]}"#
        );
    }

    #[test]
    fn upsert_keeps_resources_and_instances_sorted() {
        let mut state = State::new();
        for i in [3, 1, 2] {
            state.apply_change(&upsert(web(), Some(IndexKey::Int(i)), json!({"id": i})));
        }
        state.apply_change(&upsert(
            ResourceKey::managed("mcloud_a", "x", "provider[\"mcloud\"]"),
            None,
            json!({}),
        ));
        let mut data = web();
        data.mode = Mode::Data;
        state.apply_change(&upsert(data, None, json!({})));
        let mut in_module = web();
        in_module.module = Some("module.net".into());
        state.apply_change(&upsert(in_module, None, json!({})));

        let order: Vec<String> = state.resources.iter().map(|r| r.address()).collect();
        assert_eq!(
            order,
            [
                "mcloud_a.x",
                "mcloud_instance.web",
                "data.mcloud_instance.web",
                "module.net.mcloud_instance.web"
            ]
        );
        let web = state
            .resource(None, Mode::Managed, "mcloud_instance", "web")
            .unwrap();
        let keys: Vec<_> = web.instances.iter().map(|i| i.index_key.clone()).collect();
        assert_eq!(
            keys,
            [
                Some(IndexKey::Int(1)),
                Some(IndexKey::Int(2)),
                Some(IndexKey::Int(3))
            ]
        );
        assert_eq!(
            state
                .instance(
                    None,
                    Mode::Managed,
                    "mcloud_instance",
                    "web",
                    Some(&IndexKey::Int(2))
                )
                .unwrap()
                .attributes,
            json!({"id": 2}).into()
        );
    }

    #[test]
    fn upsert_replaces_and_sorts_attribute_keys() {
        let mut state = State::new();
        state.apply_change(&upsert(web(), None, json!({"b": 1, "a": {"z": 1, "y": 2}})));
        state.apply_change(&upsert(web(), None, json!({"b": 2, "a": 1})));
        assert_eq!(state.instance_count(), 1);
        let attrs = &state.resources[0].instances[0].attributes;
        assert_eq!(serde_json::to_string(attrs).unwrap(), r#"{"a":1,"b":2}"#);
        let mut nested = json!({"b": [{"d": 1, "c": 2}], "a": null});
        sort_object_keys(&mut nested);
        assert_eq!(
            serde_json::to_string(&nested).unwrap(),
            r#"{"a":null,"b":[{"c":2,"d":1}]}"#
        );
    }

    #[test]
    fn removing_last_instance_removes_resource() {
        let mut state = State::new();
        let a = Some(IndexKey::Str("a".into()));
        let b = Some(IndexKey::Str("b".into()));
        state.apply_change(&upsert(web(), a.clone(), json!({})));
        state.apply_change(&upsert(web(), b.clone(), json!({})));
        state.apply_change(&Change::Remove {
            resource: web(),
            index_key: a,
        });
        assert_eq!(state.resources.len(), 1);
        assert_eq!(state.instance_count(), 1);
        // Removing something absent is a no-op, not an error (replay may see it twice).
        state.apply_change(&Change::Remove {
            resource: web(),
            index_key: Some(IndexKey::Int(9)),
        });
        state.apply_change(&Change::Remove {
            resource: web(),
            index_key: b,
        });
        assert!(state.resources.is_empty());
    }

    #[test]
    fn intent_creates_pending_instance_and_upsert_clears_it() {
        let mut state = State::new();
        state.apply_change(&Change::Intent {
            resource: web(),
            index_key: Some(IndexKey::Int(0)),
            create_token: "web-0-abc".into(),
            fingerprint: None,
            started_at: None,
        });
        let inst = &state.resources[0].instances[0];
        assert!(inst.is_pending_create());
        assert_eq!(inst.create_token.as_deref(), Some("web-0-abc"));
        assert_eq!(inst.attributes, json!({}).into());
        state.apply_change(&upsert(web(), Some(IndexKey::Int(0)), json!({"id": "i-1"})));
        let inst = &state.resources[0].instances[0];
        assert!(!inst.is_pending_create());
        assert_eq!(inst.attributes, json!({"id": "i-1"}).into());

        // Intent on an existing object keeps its attributes.
        state.apply_change(&Change::Intent {
            resource: web(),
            index_key: Some(IndexKey::Int(0)),
            create_token: "web-0-def".into(),
            fingerprint: None,
            started_at: None,
        });
        let inst = &state.resources[0].instances[0];
        assert!(inst.is_pending_create());
        assert_eq!(inst.attributes, json!({"id": "i-1"}).into());
    }

    #[test]
    fn a_write_ahead_intent_keeps_its_fingerprint_when_acknowledged() {
        let mut state = State::new();
        let key = Some(IndexKey::Int(3));
        // Before the call: fingerprint and time, no token (an older line, still readable).
        let before: Change = serde_json::from_str(
            r#"{"op":"intent","resource":{"mode":"managed","type":"mcloud_instance","name":"web","provider":"provider[\"mcloud\"]"},"index_key":3,"fingerprint":{"cloud":"aliyun"},"started_at":"2026-01-02T03:04:05.678Z"}"#,
        )
        .expect("a write-ahead intent line");
        state.apply_change(&before);
        let inst = state.resources[0].instance(key.as_ref()).expect("pending");
        assert!(inst.is_pending_create());
        assert_eq!(inst.create_token, None);
        assert_eq!(inst.create_fingerprint, Some(json!({"cloud": "aliyun"})));
        // The acknowledgement adds the token and keeps what was written ahead.
        state.apply_change(&Change::Intent {
            resource: web(),
            index_key: key.clone(),
            create_token: "10.0.0.7".into(),
            fingerprint: None,
            started_at: None,
        });
        let inst = state.resources[0].instance(key.as_ref()).expect("pending");
        assert_eq!(inst.create_token.as_deref(), Some("10.0.0.7"));
        assert_eq!(
            inst.create_started_at.as_deref(),
            Some("2026-01-02T03:04:05.678Z")
        );
        assert_eq!(inst.create_fingerprint, Some(json!({"cloud": "aliyun"})));
    }

    #[test]
    fn upsert_updates_provider_and_set_outputs_replaces() {
        let mut state = State::new();
        state.apply_change(&upsert(web(), None, json!({})));
        let mut aliased = web();
        aliased.provider = "provider[\"mcloud\"].bj".into();
        state.apply_change(&upsert(aliased, None, json!({})));
        assert_eq!(state.resources[0].provider, "provider[\"mcloud\"].bj");

        let mut outputs = BTreeMap::new();
        outputs.insert(
            "ip".to_string(),
            OutputState {
                value: json!("10.0.0.1"),
                sensitive: false,
            },
        );
        state.apply_change(&Change::SetOutputs { outputs });
        assert_eq!(state.outputs.len(), 1);
        state.apply_change(&Change::SetOutputs {
            outputs: BTreeMap::new(),
        });
        assert!(state.outputs.is_empty());
    }

    #[test]
    fn index_keys_order_and_json_form() {
        let mut keys = vec![
            IndexKey::Str("b".into()),
            IndexKey::Int(10),
            IndexKey::Str("a".into()),
            IndexKey::Int(2),
        ];
        keys.sort();
        assert_eq!(serde_json::to_string(&keys).unwrap(), r#"[2,10,"a","b"]"#);
        assert_eq!(IndexKey::Str("a\"b".into()).to_string(), r#"["a\"b"]"#);
        assert!(serde_json::from_str::<IndexKey>("1.5").is_err());
    }

    #[test]
    fn change_json_round_trips() {
        let change = Change::Intent {
            resource: web(),
            index_key: Some(IndexKey::Str("k".into())),
            create_token: "t".into(),
            fingerprint: None,
            started_at: None,
        };
        let line = serde_json::to_string(&change).unwrap();
        assert_eq!(
            line,
            r#"{"op":"intent","resource":{"mode":"managed","type":"mcloud_instance","name":"web","provider":"provider[\"mcloud\"]"},"index_key":"k","create_token":"t"}"#
        );
        assert_eq!(serde_json::from_str::<Change>(&line).unwrap(), change);
    }

    #[test]
    fn deposed_objects_live_beside_the_current_one_until_removed() {
        let mut state = State::new();
        let one = Some(IndexKey::Int(1));
        state.apply_change(&upsert(web(), one.clone(), json!({"id": "old"})));
        state.apply_change(&Change::Depose {
            resource: web(),
            index_key: one.clone(),
            deposed: "0a1b2c3d".into(),
        });
        state.apply_change(&upsert(web(), one.clone(), json!({"id": "new"})));
        let r = &state.resources[0];
        assert_eq!(r.instances.len(), 2);
        assert_eq!(
            r.instance(one.as_ref())
                .and_then(|i| i.attributes.get("id")),
            Some(json!("new"))
        );
        let deposed: Vec<_> = r.deposed().map(|i| i.attributes.get("id")).collect();
        assert_eq!(deposed, [Some(json!("old"))]);
        // A restore does nothing while a current object exists.
        state.apply_change(&Change::RestoreDeposed {
            resource: web(),
            index_key: one.clone(),
            deposed: "0a1b2c3d".into(),
        });
        assert_eq!(state.resources[0].instances.len(), 2);
        state.apply_change(&Change::RemoveDeposed {
            resource: web(),
            index_key: one.clone(),
            deposed: "0a1b2c3d".into(),
        });
        assert_eq!(state.resources[0].instances.len(), 1);
        assert_eq!(state.resources[0].deposed().count(), 0);
    }

    #[test]
    fn a_deposed_object_is_restored_when_no_replacement_exists() {
        let mut state = State::new();
        state.apply_change(&upsert(web(), None, json!({"id": "old"})));
        let key = "deadbeef".to_string();
        state.apply_change(&Change::Depose {
            resource: web(),
            index_key: None,
            deposed: key.clone(),
        });
        assert!(state.resources[0].instance(None).is_none());
        state.apply_change(&Change::RestoreDeposed {
            resource: web(),
            index_key: None,
            deposed: key,
        });
        let current = state.resources[0].instance(None).expect("restored");
        assert_eq!(current.attributes.get("id").unwrap(), json!("old"));
        assert_eq!(current.deposed, None);
        assert_eq!(state.resources[0].instances.len(), 1);
    }

    #[test]
    fn a_move_is_one_change() {
        let mut state = State::new();
        state.apply_change(&upsert(web(), Some(IndexKey::Int(0)), json!({"id": "i-1"})));
        let other = ResourceKey::managed("mcloud_instance", "app", "provider[\"mcloud\"]");
        let change = Change::Move {
            from: web(),
            from_index: Some(IndexKey::Int(0)),
            to: other.clone(),
            to_index: Some(IndexKey::Str("a".into())),
        };
        let text = serde_json::to_string(&change).expect("encode");
        assert_eq!(
            serde_json::from_str::<Change>(&text).expect("decode"),
            change
        );
        state.apply_change(&change);
        assert_eq!(state.resources.len(), 1);
        assert_eq!(state.resources[0].name, "app");
        let moved = state.resources[0]
            .instance(Some(&IndexKey::Str("a".into())))
            .expect("moved");
        assert_eq!(moved.attributes.get("id").unwrap(), json!("i-1"));
    }
}
