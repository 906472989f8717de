//! The provider contract (v2): how skyform's core talks to a cloud.
//!
//! The core never speaks HTTP. It asks a [`Provider`] for batched reads (refresh), plans
//! through the schema, and calls create/update/delete during apply. The contract is shaped
//! for all four seed APIs: mcloud (replace-only templates, instances found by IP after
//! create), jdcloud (in-place updates through several calls and state transitions, signed
//! requests), twocloud and roma (paged, list-only inventories: data sources only).
//!
//! What v2 adds (see `docs/providers/contract.md`): apply results that carry the latest
//! known state even on error ([`PartialFailure`]), error kinds ([`ErrorKind`]), a
//! cancellation token and a progress reporter per operation ([`OperationContext`]),
//! schema versions with a state-upgrade hook, per-resource registration
//! ([`resource::ResourceType`]), and shared tooling ([`http`], [`wait`]).

pub mod cancel;
pub mod http;
pub mod inventory;
pub mod recovery;
pub mod registry;
pub mod resource;
pub mod schema;
pub mod wait;

pub use cancel::CancelToken;

use crate::diag::Diagnostics;
use crate::lang::Value;
use async_trait::async_trait;
use schema::{ProviderSchema, Schema};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What kind of failure a [`ProviderError`] is: decides retries and what the user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The object (or a parent) does not exist.
    NotFound,
    /// The object exists already, or another change is in progress on it.
    Conflict,
    /// The object is not in a state that allows the call (e.g. resize while running).
    PreconditionFailed,
    /// The API asked us to slow down (HTTP 429): the request was not processed.
    Throttled,
    /// Credentials missing, wrong or not allowed.
    Auth,
    /// The request itself is wrong (bad input, unknown type); repeating it cannot help.
    Invalid,
    /// A failure that may pass: 5xx, connection errors, service errors.
    Transient,
    /// A wait ran out of time.
    Timeout,
    /// The operation was cancelled (Ctrl-C).
    Cancelled,
    Other,
}

impl ErrorKind {
    /// Worth trying again later (subject to idempotency; see [`http`]).
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Throttled | ErrorKind::Transient)
    }
}

/// An error from a provider, naming the provider, the operation, the HTTP status and the
/// API's own code and message: `mcloud: POST /v1/instance: code 12996 "Input error!"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderError {
    pub provider: String,
    /// What was attempted, usually `METHOD /path`.
    pub operation: String,
    pub http_status: Option<u16>,
    /// The API's own error code, as text (`12996`, `InvalidParameter`).
    pub code: Option<String>,
    pub message: String,
    pub kind: ErrorKind,
}

impl ProviderError {
    /// An error of kind [`ErrorKind::Other`]; set the kind with [`ProviderError::kind`].
    pub fn new(provider: &str, operation: impl Into<String>, message: impl Into<String>) -> Self {
        ProviderError {
            provider: provider.to_string(),
            operation: operation.into(),
            http_status: None,
            code: None,
            message: message.into(),
            kind: ErrorKind::Other,
        }
    }

    pub fn kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    pub fn status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Worth trying again later (throttling, 5xx, connection errors).
    pub fn retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
    }

    pub fn cancelled(provider: &str, operation: impl Into<String>) -> Self {
        ProviderError::new(provider, operation, "cancelled").kind(ErrorKind::Cancelled)
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.provider, self.operation)?;
        if let Some(status) = self.http_status {
            if status >= 400 {
                write!(f, "HTTP {status}, ")?;
            }
        }
        match &self.code {
            Some(code) => write!(f, "code {code} {:?}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ProviderError {}

/// A create, update or delete that failed, with what is true now. `state`:
/// - create/update: the object's latest known state when it exists (a create that made the
///   machine but failed waiting for it; an update that stopped a machine, then failed to
///   resize it). `None`: nothing changed that the caller does not already know.
/// - delete: `Some(v)`: the object still exists, now as `v`; `None`: the prior state stands.
///
/// The engine records `state` before it reports `error`.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialFailure {
    pub state: Option<Value>,
    pub error: ProviderError,
}

impl PartialFailure {
    /// A failure after which `state` is what is true.
    pub fn with_state(state: Value, error: ProviderError) -> Self {
        PartialFailure {
            state: Some(state),
            error,
        }
    }
}

impl From<ProviderError> for PartialFailure {
    fn from(error: ProviderError) -> Self {
        PartialFailure { state: None, error }
    }
}

impl fmt::Display for PartialFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

/// What create and update return: the full new state, or a [`PartialFailure`].
pub type ApplyResult = Result<Value, PartialFailure>;
/// What delete returns: gone, or a [`PartialFailure`] saying whether it still exists.
pub type DeleteResult = Result<(), PartialFailure>;

/// Something that can run a simulated cloud in this process (`endpoint = "embedded"`).
/// Supplied by whoever configures providers (the engine passes the simulators), so
/// providers never depend on the simulators.
#[async_trait]
pub trait EmbeddedClouds: Send + Sync {
    /// Starts (or reuses) the simulator of `cloud` (`mcloud`) keeping its state in
    /// `state_dir`; returns its base URL (`http://127.0.0.1:PORT`).
    async fn start(&self, cloud: &str, state_dir: &Path) -> Result<String, String>;
}

/// One create or in-place update in a finished plan, for [`Provider::check_plan`].
#[derive(Debug, Clone, Copy)]
pub struct PlannedChange<'a> {
    /// The instance address (`jdcloud_instance.web[0]`), for messages.
    pub address: &'a str,
    pub type_name: &'a str,
    /// The object in state; `None` for a create.
    pub prior: Option<&'a Value>,
    /// The planned object (unknown where only the apply will tell).
    pub planned: &'a Value,
}

/// What a provider is told when it is configured.
#[derive(Clone)]
pub struct ConfigureContext {
    /// The working directory; `endpoint = "embedded"` keeps simulator state under
    /// `<work_dir>/state/sim/`.
    pub work_dir: PathBuf,
    /// Runs simulators in-process for `endpoint = "embedded"`; `None`: not available.
    pub embedded: Option<Arc<dyn EmbeddedClouds>>,
    /// The run's `-parallelism`: the most API calls a provider should have on the wire at
    /// once (its HTTP client's adaptive limit starts here and never goes above).
    pub parallelism: usize,
}

impl ConfigureContext {
    pub fn new(work_dir: impl Into<PathBuf>) -> Self {
        ConfigureContext {
            work_dir: work_dir.into(),
            embedded: None,
            parallelism: 10,
        }
    }

    /// `endpoint = "embedded"`: starts (or reuses) `cloud`'s simulator through the
    /// launcher, its state under `<work_dir>/state/sim`; returns its base URL. Providers
    /// never depend on the simulators themselves.
    pub async fn start_embedded(&self, cloud: &'static str) -> Result<String, ProviderError> {
        let Some(launcher) = &self.embedded else {
            return Err(ProviderError::new(
                cloud,
                "configure",
                "endpoint = \"embedded\" is not available here (no in-process simulator); set endpoint = \"http://HOST:PORT\"",
            )
            .kind(ErrorKind::Invalid));
        };
        let dir = self.work_dir.join("state/sim");
        launcher.start(cloud, &dir).await.map_err(|e| {
            ProviderError::new(
                cloud,
                "configure",
                format!(
                    "cannot start the embedded simulator (state in {}): {e}",
                    dir.display()
                ),
            )
        })
    }

    pub fn with_parallelism(mut self, parallelism: usize) -> Self {
        self.parallelism = parallelism.max(1);
        self
    }

    pub fn with_embedded(mut self, embedded: Arc<dyn EmbeddedClouds>) -> Self {
        self.embedded = Some(embedded);
        self
    }
}

impl fmt::Debug for ConfigureContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigureContext")
            .field("work_dir", &self.work_dir)
            .field("embedded", &self.embedded.is_some())
            .field("parallelism", &self.parallelism)
            .finish()
    }
}

/// Something an operation reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Still waiting for `what` (`instance i-1 to become running`); last seen `status`.
    Waiting {
        what: String,
        elapsed: Duration,
        status: String,
    },
    Message(String),
}

impl Progress {
    /// The message without the elapsed time (for renderers that add their own).
    pub fn summary(&self) -> String {
        match self {
            Progress::Waiting { what, status, .. } => {
                format!("Still waiting for {what}... status {status}")
            }
            Progress::Message(m) => m.clone(),
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Waiting {
                what,
                elapsed,
                status,
            } => write!(
                f,
                "Still waiting for {what}... status {status} [{}s elapsed]",
                elapsed.as_secs()
            ),
            Progress::Message(m) => f.write_str(m),
        }
    }
}

/// The hook behind [`OperationContext::progress`].
#[derive(Clone)]
pub struct ProgressHook(pub Arc<dyn Fn(Progress) + Send + Sync>);

impl fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHook")
    }
}

/// Per-operation settings and hooks. Build one with [`OperationContext::new`] and the
/// `with_*` methods; the default has no address, timeout, hooks or cancellation.
#[derive(Debug, Clone, Default)]
pub struct OperationContext {
    /// The resource instance address, for messages (`mcloud_instance.web[2]`).
    pub address: String,
    /// From `timeouts { create = "10m" }` and friends; the provider's default otherwise.
    pub timeout: Option<Duration>,
    /// For creates: call as soon as the cloud has acknowledged the new object, with a token
    /// [`Provider::recover_creates`] can find it by. skyform records it durably, so a run that
    /// dies while the object is still coming up adopts it next time instead of creating a
    /// duplicate. Once it is recorded, the create's `-parallelism` slot is freed: waiting for
    /// the object to become usable does not hold back other creates.
    pub created: Option<CreatedHook>,
    /// Fires on Ctrl-C: waits end at once with [`ErrorKind::Cancelled`] (reporting the
    /// state reached so far); HTTP retries stop.
    pub cancel: CancelToken,
    /// Where long operations report what they wait for.
    pub progress: Option<ProgressHook>,
    /// Frees the operation's `-parallelism` slot early (see [`OperationContext::release_slot`]).
    pub slot: Option<SlotHook>,
}

/// The hook behind [`OperationContext::release_slot`].
#[derive(Clone)]
pub struct SlotHook(pub Arc<dyn Fn() + Send + Sync>);

impl fmt::Debug for SlotHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlotHook")
    }
}

/// The hook behind [`OperationContext::created`]; returns once the token is durable.
#[derive(Clone)]
pub struct CreatedHook(
    pub Arc<dyn Fn(String) -> futures::future::BoxFuture<'static, Result<(), String>> + Send + Sync>,
);

impl fmt::Debug for CreatedHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CreatedHook")
    }
}

impl OperationContext {
    pub fn new(address: impl Into<String>) -> Self {
        OperationContext {
            address: address.into(),
            ..OperationContext::default()
        }
    }

    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_created(mut self, hook: CreatedHook) -> Self {
        self.created = Some(hook);
        self
    }

    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }

    pub fn with_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(ProgressHook(Arc::new(f)));
        self
    }

    /// Reports the token of an object the cloud has just acknowledged (see `created`).
    pub async fn report_created(&self, token: &str) -> Result<(), String> {
        match &self.created {
            Some(hook) => (hook.0)(token.to_string()).await,
            None => Ok(()),
        }
    }

    /// Says the operation no longer needs its own `-parallelism` slot: it waits for a call
    /// it shares with others (a batched delete), not for one of its own. Later calls do nothing.
    pub fn release_slot(&self) {
        if let Some(hook) = &self.slot {
            (hook.0)()
        }
    }

    pub fn report(&self, p: Progress) {
        if let Some(hook) = &self.progress {
            (hook.0)(p)
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// A provider kind in the registry: knows its schema and builds configured clients.
#[async_trait]
pub trait ProviderType: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> &ProviderSchema;
    /// Brings a state written under schema `version` of `type_name` up to the current
    /// version ([`Schema::version`]). Called when state is decoded, before any provider is
    /// configured (an upgrade needs no API call); identity by default.
    fn upgrade_state(
        &self,
        _type_name: &str,
        _version: u64,
        value: Value,
    ) -> Result<Value, ProviderError> {
        Ok(value)
    }
    /// Builds a client from the evaluated `provider` block (null attributes where unset;
    /// the provider reads its environment variables for missing credentials).
    async fn configure(
        &self,
        config: &Value,
        ctx: &ConfigureContext,
    ) -> Result<Arc<dyn Provider>, ProviderError>;
}

/// A configured provider: one per `provider` block (or alias). Providers built from
/// [`resource::ResourceType`]s get this trait from [`resource::Registered`].
#[async_trait]
pub trait Provider: Send + Sync {
    fn schema(&self) -> &ProviderSchema;

    fn resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.schema().resources.get(type_name)
    }

    /// Plan-time checks of a resource configuration that need no API call (documented
    /// limits such as mcloud's DataDiskNum 1..4). Errors carry no span; the caller adds it
    /// (the attribute's, when the detail starts with `attribute PATH:`).
    fn validate_resource(&self, _type_name: &str, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Checks of a finished plan's creates and in-place updates of this provider that may
    /// read the cloud (an image's instance-type constraints, quotas) or that only make sense
    /// for all of them together (a quota counts every create), and notes on what the apply
    /// will do that the diff does not show (a reboot), as warnings. Each diagnostic comes
    /// with the index of the change it is about; errors refuse the plan. Called once per
    /// configured provider with changes; never mutates anything.
    async fn check_plan(
        &self,
        _changes: &[PlannedChange<'_>],
    ) -> Vec<(usize, crate::diag::Diagnostic)> {
        Vec::new()
    }

    /// Batched refresh: the live state of each prior object of one resource type, in the
    /// same order and as many, `None` where the object no longer exists. Implementations
    /// use one list call where the API can list, never one call per object.
    async fn read_resources(
        &self,
        type_name: &str,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError>;

    /// Creates the object; returns its full state (every computed attribute known), or
    /// what exists after a failure part-way.
    async fn create(&self, type_name: &str, planned: &Value, op: &OperationContext) -> ApplyResult;

    /// Changes the object in place; only called when no changed attribute is force-new.
    async fn update(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult;

    async fn delete(&self, type_name: &str, prior: &Value, op: &OperationContext) -> DeleteResult;

    /// What identifies the object a create of `planned` will make, as the cloud lists it
    /// (a JSON object: for mcloud instances the spec fields the list reports; for templates
    /// their name). skyform records it durably with the time *before* the create is sent, so
    /// a run that dies, or loses the answer, finds the object next time
    /// ([`Provider::recover_creates`]). `None`: nothing to record (the create makes nothing
    /// that could be left behind, or the provider records a token of its own before the call
    /// through [`OperationContext::report_created`], as jdcloud's clientToken).
    fn create_fingerprint(&self, _type_name: &str, _planned: &Value) -> Option<serde_json::Value> {
        None
    }

    /// The one recovery contract: for each open create intent of `type_name` (in order),
    /// whether its object exists. Implementations list the cloud once and decide with
    /// [`recovery::assign`]; `claimed` holds the ids of objects already in state (never
    /// adopted twice). By default every intent is `NotCreated`.
    async fn recover_creates(
        &self,
        _type_name: &str,
        intents: &[recovery::CreateIntent],
        _claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<recovery::Recovered>, ProviderError> {
        Ok(recovery::none_created(intents))
    }

    /// Reads a data source from its evaluated configuration.
    async fn read_data(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError>;

    /// Every machine the account can see, for `skyform inventory`; `None` when this
    /// provider cannot list machines (see [`inventory::InventorySource`]).
    async fn list_machines(&self) -> Result<Option<Vec<inventory::ListedMachine>>, ProviderError> {
        Ok(None)
    }

    /// The machine ids that an object of `type_name` in state stands for.
    fn machine_ids(&self, _type_name: &str, _state: &Value) -> Vec<String> {
        Vec::new()
    }

    /// Reads an existing object by its id for `skyform import`.
    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        Err(ProviderError::new(
            "provider",
            format!("import {type_name}"),
            format!("import of {type_name} by id {id:?} is not supported"),
        )
        .kind(ErrorKind::Invalid))
    }
}
