//! The simulator object: state behind a lock, knobs, request counts, and the
//! group-committed persistence of the state file.

use super::clock;
use super::knobs::Knobs;
use super::lockfile::{lock_state, StateLock};
use super::store::{write_atomic, Store};
use crate::sim::throttle::Throttle;
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
    /// What is on disk; held while writing so that concurrent commits share one write
    /// (group commit).
    persisted: tokio::sync::Mutex<Persisted>,
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

/// The state file and its journal as last written.
#[derive(Debug, Default)]
struct Persisted {
    /// The store version they hold.
    version: u64,
    /// The last journal record's number.
    seq: u64,
    journal_bytes: u64,
    snapshot_bytes: u64,
    /// A write failed: the journal may lack changes, so the next commit writes everything.
    broken: bool,
}

/// The journal is folded into a new state file once it is larger than this or the file.
const MIN_COMPACT_BYTES: u64 = 256 * 1024;

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
        let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let persisted = Persisted {
            version: 0,
            seq: store.cloud.journal_seq,
            journal_bytes: options
                .persist_path
                .as_deref()
                .map(|p| size(&super::store::journal_path(p)))
                .unwrap_or(0),
            snapshot_bytes: options.persist_path.as_deref().map(size).unwrap_or(0),
            broken: false,
        };
        Ok(Arc::new(Simulator {
            store: Mutex::new(store),
            persist_path: options.persist_path,
            persisted: tokio::sync::Mutex::new(persisted),
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

    /// Makes every change so far durable: appends what changed to the journal (one fsynced
    /// line), or, once the journal outgrows the state file, writes the whole state file and
    /// empties the journal. Concurrent callers share one write (group commit).
    pub(crate) async fn commit(&self) -> Result<(), String> {
        let Some(path) = self.persist_path.clone() else {
            return Ok(());
        };
        // Every change this caller made is at or below the current version.
        let needed = lock(&self.store).version();
        let mut persisted = self.persisted.lock().await;
        if needed <= persisted.version {
            return Ok(());
        }
        // Take the changes under the lock, serialize the small record there too (its size
        // does not grow with the cloud); a whole document is copied and written outside.
        let seq = persisted.seq + 1;
        let (version, write) = {
            let mut store = lock(&self.store);
            let record = store.take_journal_record(seq);
            let mut line = serde_json::to_vec(&record).map_err(|e| e.to_string())?;
            line.push(b'\n');
            let journal = persisted.journal_bytes + line.len() as u64;
            let compact = persisted.broken
                || persisted.snapshot_bytes == 0
                || journal > persisted.snapshot_bytes.max(MIN_COMPACT_BYTES);
            let write = if compact {
                store.cloud.journal_seq = seq;
                Write::Snapshot(Box::new(store.cloud.clone()))
            } else {
                Write::Append(line)
            };
            (store.version(), write)
        };
        let shown = path.display().to_string();
        let journal = super::store::journal_path(&path);
        let written = tokio::task::spawn_blocking(move || write.apply(&path, &journal))
            .await
            .map_err(|e| format!("write {shown}: {e}"))
            .and_then(|r| r.map_err(|e| format!("write {shown}: {e}")));
        match written {
            Ok(Written::Snapshot(bytes)) => {
                persisted.snapshot_bytes = bytes;
                persisted.journal_bytes = 0;
            }
            Ok(Written::Appended(bytes)) => persisted.journal_bytes += bytes,
            Err(e) => {
                persisted.broken = true;
                return Err(e);
            }
        }
        persisted.broken = false;
        persisted.seq = seq;
        persisted.version = version;
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

/// One commit's write.
enum Write {
    Append(Vec<u8>),
    Snapshot(Box<super::store::CloudState>),
}

enum Written {
    Appended(u64),
    Snapshot(u64),
}

impl Write {
    fn apply(self, path: &std::path::Path, journal: &std::path::Path) -> std::io::Result<Written> {
        use std::io::Write as _;
        match self {
            Write::Append(line) => {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(journal)?;
                f.write_all(&line)?;
                f.sync_data()?;
                Ok(Written::Appended(line.len() as u64))
            }
            Write::Snapshot(cloud) => {
                let bytes = serde_json::to_vec(&*cloud).map_err(std::io::Error::other)?;
                write_atomic(path, &bytes)?;
                // Records up to the document's `journal_seq` are skipped on load, so a crash
                // before this removal loses nothing and repeats nothing.
                match std::fs::remove_file(journal) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
                Ok(Written::Snapshot(bytes.len() as u64))
            }
        }
    }
}
