//! The simulator object: the cloud behind a lock, the key pair, knobs,
//! request counts and call log, seen nonces, and persistence.

use super::catalogue::Catalogue;
use super::knobs::Knobs;
use super::model::{Cloud, FORMAT};
use crate::sim::mcloud::{lock_state, write_atomic, StateLock};
use crate::sim::throttle::Throttle;
use crate::sim::SimError;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The access key the simulator accepts unless told otherwise.
pub const DEFAULT_ACCESS_KEY: &str = "skyform-jdcloud-ak";
/// The secret key that goes with [`DEFAULT_ACCESS_KEY`].
pub const DEFAULT_SECRET_KEY: &str = "skyform-jdcloud-sk";

/// How to open a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// JSON file holding the cloud: loaded at open, rewritten after every
    /// change. `None` keeps everything in memory.
    pub persist_path: Option<PathBuf>,
    pub knobs: Knobs,
    pub access_key: String,
    pub secret_key: String,
    /// A JSON catalogue added to the built-in one when a cloud is first created.
    pub catalogue_path: Option<PathBuf>,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            persist_path: None,
            knobs: Knobs::default(),
            access_key: DEFAULT_ACCESS_KEY.into(),
            secret_key: DEFAULT_SECRET_KEY.into(),
            catalogue_path: None,
        }
    }
}

pub(crate) struct Store {
    pub cloud: Cloud,
    pub version: u64,
}

/// A running JD Cloud. Wrap in `Arc` and hand to [`super::router`].
pub struct Simulator {
    store: Mutex<Store>,
    persist_path: Option<PathBuf>,
    persisted: tokio::sync::Mutex<u64>,
    knobs: Mutex<Knobs>,
    counts: Mutex<BTreeMap<String, u64>>,
    calls: Mutex<Vec<String>>,
    log: Mutex<Vec<String>>,
    clock: SimClock,
    pub(crate) throttle: Mutex<Throttle>,
    /// Nonces seen within the clock-skew window, with when they were seen.
    nonces: Mutex<HashMap<String, i64>>,
    pub(crate) access_key: String,
    pub(crate) secret_key: String,
    _lock: Option<StateLock>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("persist_path", &self.persist_path)
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler leaves no half-applied change worth refusing service over.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The cloud's clock: the wall clock plus an offset tests move forward, so a long
/// `transition_ms` can be observed both before and after without sleeping. Signature
/// dates are checked against the wall clock, not this one.
#[derive(Debug, Clone, Default)]
pub struct SimClock {
    offset_ms: Arc<AtomicI64>,
}

impl SimClock {
    pub fn now_ms(&self) -> i64 {
        now_ms().saturating_add(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves this clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Simulator {
    /// Opens the cloud: loads `persist_path` when it exists, else builds one
    /// from the catalogue.
    pub fn open(options: SimOptions) -> Result<Arc<Simulator>, SimError> {
        options
            .knobs
            .validate()
            .map_err(|m| SimError::Server(format!("bad knobs: {m}")))?;
        let lock = match &options.persist_path {
            Some(path) => Some(lock_state(path)?),
            None => None,
        };
        let existing = match &options.persist_path {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path).map_err(|e| SimError::Io {
                    context: format!("read {}", path.display()),
                    source: e,
                })?;
                let cloud: Cloud =
                    serde_json::from_str(&text).map_err(|e| SimError::CorruptState {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })?;
                if cloud.format != FORMAT {
                    return Err(SimError::CorruptState {
                        path: path.display().to_string(),
                        message: format!("format is {:?}, expected {FORMAT:?}", cloud.format),
                    });
                }
                Some(cloud)
            }
            _ => None,
        };
        let cloud = match existing {
            Some(cloud) => cloud,
            None => {
                let mut catalogue = Catalogue::builtin();
                if let Some(path) = &options.catalogue_path {
                    let extra =
                        Catalogue::load(path).map_err(|message| SimError::CorruptState {
                            path: path.display().to_string(),
                            message,
                        })?;
                    catalogue.extend(extra);
                }
                catalogue.into_cloud()
            }
        };
        Ok(Arc::new(Simulator {
            store: Mutex::new(Store { cloud, version: 0 }),
            persist_path: options.persist_path,
            persisted: tokio::sync::Mutex::new(0),
            knobs: Mutex::new(options.knobs),
            counts: Mutex::new(BTreeMap::new()),
            calls: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            clock: SimClock::default(),
            throttle: Mutex::new(Throttle::default()),
            nonces: Mutex::new(HashMap::new()),
            access_key: options.access_key,
            secret_key: options.secret_key,
            _lock: lock,
        }))
    }

    /// Requests received so far per operation name (`describeInstances`,
    /// `vpc:describeSubnets`, …), throttled and refused ones included.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counts).clone()
    }

    /// The operation names of every request received, in order.
    pub fn call_log(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }

    /// Every request as `METHOD /path?query` (as sent) in arrival order, like mcloud's.
    pub fn request_log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }

    /// Forgets the counts, the call log and the request log.
    pub fn reset_request_counts(&self) {
        lock(&self.counts).clear();
        lock(&self.calls).clear();
        lock(&self.log).clear();
    }

    pub(crate) fn log_request(&self, line: String) {
        lock(&self.log).push(line);
    }

    /// The cloud's clock (tests move it forward).
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    pub(crate) fn count_request(&self, op: &str) {
        *lock(&self.counts).entry(op.to_string()).or_default() += 1;
        lock(&self.calls).push(op.to_string());
    }

    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        *lock(&self.knobs) = knobs;
    }

    /// Records a nonce; false if it was already used within the skew window.
    pub(crate) fn fresh_nonce(&self, nonce: &str, now: i64, window_ms: i64) -> bool {
        let mut seen = lock(&self.nonces);
        seen.retain(|_, at| now - *at <= 2 * window_ms);
        seen.insert(nonce.to_string(), now).is_none()
    }

    /// Runs `f` on the cloud with due transitions applied. `mutated` says
    /// whether to bump the version (and persist later).
    pub(crate) fn with_cloud<T>(&self, f: impl FnOnce(&mut Cloud, i64) -> (T, bool)) -> T {
        let now = self.clock.now_ms();
        let mut store = lock(&self.store);
        store.cloud.settle(now);
        let (out, mutated) = f(&mut store.cloud, now);
        if mutated {
            store.version += 1;
        }
        out
    }

    /// Everything in the cloud (for tests and `GET /_sim/state`).
    pub fn snapshot(&self) -> serde_json::Value {
        self.with_cloud(|cloud, _| (serde_json::to_value(&*cloud).unwrap_or_default(), false))
    }

    /// Writes the state file if something changed since the last write.
    pub(crate) async fn commit(&self) -> Result<(), String> {
        let Some(path) = self.persist_path.clone() else {
            return Ok(());
        };
        let needed = lock(&self.store).version;
        let mut persisted = self.persisted.lock().await;
        if needed <= *persisted {
            return Ok(());
        }
        let (version, cloud) = {
            let store = lock(&self.store);
            (store.version, store.cloud.clone())
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
}
