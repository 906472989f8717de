//! The simulator object: state behind a lock, knobs, request counts, and the
//! group-committed persistence of the state file.

use super::clock;
use super::knobs::{Knobs, Throttle};
use super::lockfile::{lock_state, StateLock};
use super::store::{write_atomic, Store};
use crate::sim::SimError;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// Requests kept in the request log; older ones are dropped.
const LOG_LIMIT: usize = 100_000;

/// How to open a simulator.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// JSON file holding the cloud's state: loaded at open, rewritten
    /// atomically after every mutation. `None` keeps everything in memory.
    pub persist_path: Option<PathBuf>,
    pub knobs: Knobs,
}

/// A running mcloud cloud. Cheap to share: wrap in `Arc` and hand to [`super::router`].
#[derive(Debug)]
pub struct Simulator {
    store: Mutex<Store>,
    persist_path: Option<PathBuf>,
    /// The store version last written to disk; held while writing so that
    /// concurrent commits share one write (group commit).
    persisted: tokio::sync::Mutex<u64>,
    knobs: Mutex<Knobs>,
    counts: Mutex<BTreeMap<String, u64>>,
    /// `METHOD /path` of each request in arrival order (the last `LOG_LIMIT`), for tests
    /// that assert the order of calls.
    log: Mutex<std::collections::VecDeque<String>>,
    pub(crate) throttle: Mutex<Throttle>,
    /// Held while the simulator lives (only with a state file).
    _lock: Option<StateLock>,
    clock: clock::SimClock,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the state half-written in a
    // way later requests could not handle, so keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Simulator {
    /// Opens the cloud, loading `persist_path` when it exists.
    pub fn open(options: SimOptions) -> Result<Arc<Simulator>, SimError> {
        let clock = clock::SimClock::default();
        let now = clock.now_ms();
        let lock = match &options.persist_path {
            Some(path) => Some(lock_state(path)?),
            None => None,
        };
        let store = match &options.persist_path {
            Some(path) => Store::load(path, now)?,
            None => Store::empty(now),
        };
        Ok(Arc::new(Simulator {
            store: Mutex::new(store),
            persist_path: options.persist_path,
            persisted: tokio::sync::Mutex::new(0),
            knobs: Mutex::new(options.knobs),
            counts: Mutex::new(BTreeMap::new()),
            log: Mutex::new(std::collections::VecDeque::new()),
            throttle: Mutex::new(Throttle::default()),
            _lock: lock,
            clock,
        }))
    }

    /// Requests answered so far, keyed `"METHOD /route/pattern"` as the seed writes the route.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counts).clone()
    }

    /// Forgets the request counts and the request log.
    pub fn reset_request_counts(&self) {
        lock(&self.counts).clear();
        lock(&self.log).clear();
    }

    pub(crate) fn count_request(&self, key: &str) {
        *lock(&self.counts).entry(key.to_string()).or_default() += 1;
    }

    /// Requests in arrival order, `METHOD /path?query`.
    pub fn request_log(&self) -> Vec<String> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn log_request(&self, line: String) {
        let mut log = lock(&self.log);
        if log.len() >= LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(line);
    }

    /// The simulator's clock (tests move it forward instead of sleeping).
    pub fn clock(&self) -> &clock::SimClock {
        &self.clock
    }

    /// The knobs in force.
    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    /// Replaces the knobs.
    pub fn set_knobs(&self, knobs: Knobs) {
        *lock(&self.knobs) = knobs;
    }

    /// Runs `f` on the state (with finished transitions applied) under the lock.
    /// `f` calls `store.touch()` when it changes something.
    pub(crate) fn with_store<T>(&self, f: impl FnOnce(&mut Store, i64) -> T) -> T {
        let now = self.clock.now_ms();
        let mut store = lock(&self.store);
        store.settle(now);
        f(&mut store, now)
    }

    /// Writes the state file if anything changed since the last write. Concurrent
    /// callers wait for one write that covers all their changes.
    pub(crate) async fn commit(&self) -> Result<(), String> {
        let Some(path) = self.persist_path.clone() else {
            return Ok(());
        };
        // Every change this caller made is at or below the current version.
        let needed = lock(&self.store).version();
        let mut persisted = self.persisted.lock().await;
        if needed <= *persisted {
            return Ok(());
        }
        // Copy under the lock, serialize and write outside it, so requests
        // keep flowing while the file is written.
        let (version, cloud) = {
            let store = lock(&self.store);
            (store.version(), store.cloud.clone())
        };
        let shown = path.display().to_string();
        tokio::task::spawn_blocking(move || {
            let bytes = serde_json::to_vec(&cloud).map_err(|e| e.to_string())?;
            write_atomic(&path, &bytes).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("write {shown}: {e}"))?
        .map_err(|e| format!("write {shown}: {e}"))?;
        *persisted = version;
        Ok(())
    }

    /// Everything that exists, for tests and `GET /_sim/state`.
    pub fn snapshot(&self) -> Value {
        self.with_store(|store, now| {
            let templates: Vec<&super::model::Template> = store
                .cloud
                .templates
                .values()
                .filter(|t| !t.is_deleted())
                .collect();
            let deleted: Vec<u64> = store
                .cloud
                .templates
                .values()
                .filter(|t| t.is_deleted())
                .map(|t| t.id)
                .collect();
            let instances: Vec<Value> = store
                .instances_by_row()
                .into_iter()
                .map(|i| {
                    let mut wire = store.instance_wire(i, now);
                    if let Some(object) = wire.as_object_mut() {
                        object.remove("Cluster");
                        object.insert("ClusterId".into(), json!(i.cluster_id));
                        let key = match (&i.ssh_key, super::sshkey::key_of(i)) {
                            (Some(_), _) => "uploaded",
                            (None, Some(_)) => "generated",
                            (None, None) => "none",
                        };
                        object.insert("SshKey".into(), json!(key));
                    }
                    wire
                })
                .collect();
            json!({
                "templates": templates,
                "deleted_template_ids": deleted,
                "instances": instances,
                "openstack": store.cloud.openstack,
                "log_entries": store.cloud.logs.len(),
                "count_samples": store.cloud.count_samples.len(),
            })
        })
    }
}
