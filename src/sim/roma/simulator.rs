//! The simulator object: the account, the instances, the tokens issued, knobs, the
//! request counts and log, and a clock tests can move forward to expire tokens.

use super::inventory;
use super::knobs::Knobs;
use super::model::{Account, Instance};
use crate::sim::SimError;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The IAM user name the simulator accepts unless told otherwise.
pub const DEFAULT_USER: &str = "skyform";
/// The password that goes with [`DEFAULT_USER`].
pub const DEFAULT_PASSWORD: &str = "skyform-roma-password";
/// The account (IAM "domain") name.
pub const DEFAULT_DOMAIN: &str = "skyform";
/// The project tokens are scoped to, and the only `{project_id}` the API serves.
pub const DEFAULT_PROJECT_ID: &str = "106506b9a92342df9a5025fc12351cfc";
/// The project's name: its region.
pub const DEFAULT_PROJECT_NAME: &str = "cn-north-4";

impl Default for Account {
    fn default() -> Self {
        Account {
            user_name: DEFAULT_USER.into(),
            password: DEFAULT_PASSWORD.into(),
            domain_name: DEFAULT_DOMAIN.into(),
            project_id: DEFAULT_PROJECT_ID.into(),
            project_name: DEFAULT_PROJECT_NAME.into(),
        }
    }
}

/// How to open a simulator.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    pub account: Account,
    pub knobs: Knobs,
    /// The instances; `None` generates [`inventory::DEFAULT_GENERATED`] of them.
    pub instances: Option<Vec<Instance>>,
}

/// A token the IAM endpoint issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// On the simulator's clock, in milliseconds since the epoch.
    pub expires_ms: i64,
    /// The project it is scoped to; `None` for domain-scoped or unscoped tokens.
    pub project_id: Option<String>,
}

/// A running ROMA Connect and IAM. Wrap in `Arc` and hand to [`super::router`].
pub struct Simulator {
    account: Account,
    instances: Mutex<Arc<Vec<Instance>>>,
    tokens: Mutex<HashMap<String, Issued>>,
    knobs: Mutex<Knobs>,
    counts: Mutex<BTreeMap<String, u64>>,
    log: Mutex<Vec<String>>,
    clock_offset_ms: AtomicI64,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("user", &self.account.user_name)
            .field("project_id", &self.account.project_id)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler leaves nothing half-changed worth refusing service over.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Simulator {
    pub fn open(options: SimOptions) -> Result<Arc<Simulator>, SimError> {
        options
            .knobs
            .validate()
            .map_err(|m| SimError::Server(format!("bad knobs: {m}")))?;
        let instances = options.instances.unwrap_or_else(|| {
            inventory::generate(
                inventory::DEFAULT_GENERATED,
                &options.account.project_id,
                &options.account.user_name,
            )
        });
        Ok(Arc::new(Simulator {
            account: options.account,
            instances: Mutex::new(Arc::new(instances)),
            tokens: Mutex::new(HashMap::new()),
            knobs: Mutex::new(options.knobs),
            counts: Mutex::new(BTreeMap::new()),
            log: Mutex::new(Vec::new()),
            clock_offset_ms: AtomicI64::new(0),
        }))
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The instances as they are now (a snapshot; paging reads one consistently).
    pub fn instances(&self) -> Arc<Vec<Instance>> {
        lock(&self.instances).clone()
    }

    /// Replaces the instances (a cloud that changes between two calls).
    pub fn set_instances(&self, instances: Vec<Instance>) {
        *lock(&self.instances) = Arc::new(instances);
    }

    /// Milliseconds since the epoch on the simulator's clock.
    pub fn now_ms(&self) -> i64 {
        chrono::Utc::now()
            .timestamp_millis()
            .saturating_add(self.clock_offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the simulator's clock forward (tokens expire without waiting).
    pub fn advance_clock(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.clock_offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Records a token; forgets the ones that expired.
    pub(crate) fn issue(&self, token: String, issued: Issued) {
        let now = self.now_ms();
        let mut tokens = lock(&self.tokens);
        tokens.retain(|_, t| t.expires_ms > now);
        tokens.insert(token, issued);
    }

    pub(crate) fn token(&self, token: &str) -> Option<Issued> {
        lock(&self.tokens).get(token).cloned()
    }

    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        *lock(&self.knobs) = knobs;
    }

    pub(crate) fn record_request(&self, key: &str, line: String) {
        *lock(&self.counts).entry(key.to_string()).or_default() += 1;
        lock(&self.log).push(line);
    }

    /// Requests received per route (`GET /v2/{project_id}/instances`,
    /// `POST /v3/auth/tokens`), throttled and refused ones included.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counts).clone()
    }

    /// The count of one route (0 when none arrived).
    pub fn count(&self, key: &str) -> u64 {
        lock(&self.counts).get(key).copied().unwrap_or(0)
    }

    /// Every request as `METHOD /path?query` in arrival order.
    pub fn request_log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }

    /// Forgets the counts and the log.
    pub fn reset_request_counts(&self) {
        lock(&self.counts).clear();
        lock(&self.log).clear();
    }
}
