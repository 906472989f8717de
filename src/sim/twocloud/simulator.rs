//! The simulator object: the inventory (read-only: the API only lists), the credentials
//! it accepts, knobs, and the request counts and log tests read.

use super::inventory::Inventory;
use super::knobs::Knobs;
use crate::sim::throttle::Throttle;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// The token the simulator accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "skyform-twocloud-token";
/// Servers generated when neither an inventory nor a count is given.
pub const DEFAULT_MACHINES: usize = 60;
/// Requests kept in the request log; older ones are dropped.
const LOG_LIMIT: usize = 100_000;

/// How to open a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub knobs: Knobs,
    /// The basic-auth user accepted.
    pub token: String,
    /// The basic-auth password accepted; `None`: any (the seed: "任意字符串", any string).
    pub password: Option<String>,
    pub inventory: Inventory,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            knobs: Knobs::default(),
            token: DEFAULT_TOKEN.to_string(),
            password: None,
            inventory: Inventory::generate(DEFAULT_MACHINES),
        }
    }
}

/// A running TwoCloud. Share it as `Arc` and hand it to [`super::router`].
#[derive(Debug)]
pub struct Simulator {
    inventory: Inventory,
    token: String,
    password: Option<String>,
    knobs: Mutex<Knobs>,
    counts: Mutex<BTreeMap<String, u64>>,
    log: Mutex<VecDeque<String>>,
    pub(crate) throttle: Mutex<Throttle>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing here is left half-changed by a panic; keep serving.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Simulator {
    pub fn open(options: SimOptions) -> Result<Arc<Simulator>, String> {
        options.knobs.validate()?;
        Ok(Arc::new(Simulator {
            inventory: options.inventory,
            token: options.token,
            password: options.password,
            knobs: Mutex::new(options.knobs),
            counts: Mutex::new(BTreeMap::new()),
            log: Mutex::new(VecDeque::new()),
            throttle: Mutex::new(Throttle::default()),
        }))
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Whether `token`/`password` are the credentials this cloud accepts.
    pub(crate) fn accepts(&self, token: &str, password: &str) -> bool {
        token == self.token && self.password.as_deref().is_none_or(|p| p == password)
    }

    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        *lock(&self.knobs) = knobs;
    }

    /// Requests so far by route: `{"GET /twocloud/servers": n}`.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counts).clone()
    }

    /// Requests in arrival order, `GET /twocloud/servers?party=...&f=1&t=100`.
    pub fn request_log(&self) -> Vec<String> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Forgets the counts and the log.
    pub fn reset_requests(&self) {
        lock(&self.counts).clear();
        lock(&self.log).clear();
    }

    pub(crate) fn record(&self, route: &str, line: String) {
        *lock(&self.counts).entry(route.to_string()).or_default() += 1;
        let mut log = lock(&self.log);
        if log.len() >= LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(line);
    }
}
