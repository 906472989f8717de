//! The engine: walks the configuration graph in dependency order and evaluates every node,
//! to make a plan, to apply one, or to answer console expressions.
//!
//! Variables, locals, outputs, module calls and providers are evaluated the same way in
//! every mode (`nodes`); resources differ: planning refreshes and diffs them (`plan`),
//! applying calls the providers (`apply`, `apply_instance`), and the console reads them
//! from state. The engine knows no concrete provider and no state backend: the run layer
//! hands it a [`ProviderRegistry`] and a [`StateRecorder`], and listens to its [`Event`]s.
//! Its fields are private; the run layer uses the methods below.

pub mod apply;
mod apply_index;
mod apply_instance;
pub mod decode;
pub mod events;
pub mod expand;
pub mod import;
pub mod moves;
pub mod nodes;
pub mod plan;
mod plan_checks;
pub mod recorder;
pub mod recover;
mod refresh;
pub mod resource;
mod validate;
pub mod values;

use crate::addr::{AbsInstance, Target};
use crate::config::{Config, ProviderRef};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{ConfigGraph, Node, NodeKind, Outcome};
use crate::lang::{EvalContext, Value};
use crate::plan::{Drift, Plan, PlanMode, ResourceChange};
use crate::provider::registry::ProviderRegistry;
use crate::provider::Provider;
pub use events::{Event, EventSink, Operation, RefreshedObject};
use futures::FutureExt;
pub use recorder::StateRecorder;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
pub use values::{Binding, Values};

pub use crate::plan::prior::{PendingCreate, PriorInstance, PriorState};

/// Guards one batched refresh of a (provider, resource type): true once done.
type RefreshOnce = Arc<tokio::sync::Mutex<bool>>;

/// What the walk is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkMode {
    Plan(PlanMode),
    Apply,
    /// Evaluate only (console, outputs): resources come from state, no provider is called.
    Eval,
    /// `validate`: evaluate everything that needs no provider call, with root variables
    /// unknown and every resource an unknown object, as Terraform's validate does.
    Validate,
}

/// A root variable value as given by the user, before conversion to its declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    /// Text from `-var name=text` or `SKYFORM_VAR_name`: a literal string for string
    /// variables, an expression otherwise (as Terraform does).
    Text { text: String, source: String },
    /// An evaluated value (from a variables file or a saved plan).
    Value(Value),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub work_dir: PathBuf,
    pub parallelism: usize,
    pub refresh: bool,
    pub targets: Vec<Target>,
    pub replace: Vec<AbsInstance>,
    /// The selected workspace (`skyform.workspace` in expressions).
    pub workspace: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            work_dir: PathBuf::from("."),
            parallelism: 10,
            refresh: true,
            targets: Vec::new(),
            replace: Vec::new(),
            workspace: "default".to_string(),
        }
    }
}

/// Counts of an apply, for its summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    /// Objects import blocks brought into state.
    pub imported: usize,
    /// Operations cut short by a cancellation (their objects are in state as they were).
    pub interrupted: Vec<String>,
}

/// Stops a run from starting new work; shared between the engine and whoever cancels it
/// (the command line's signal handler, a test). Operations already running finish.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    io: Arc<Mutex<Vec<Arc<Semaphore>>>>,
    /// Handed to every provider operation: waits (polling until an object is ready) stop
    /// at once; requests already sent finish, since their answers record what happened.
    waits: crate::provider::CancelToken,
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.waits.cancel();
        for io in self.io.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            io.close();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Closing the semaphore wakes every task queued for a slot, so none starts.
    fn attach(&self, io: Arc<Semaphore>) {
        if self.is_cancelled() {
            io.close();
        }
        self.io.lock().unwrap_or_else(|e| e.into_inner()).push(io);
    }

    fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }

    pub(crate) fn token(&self) -> crate::provider::CancelToken {
        self.waits.clone()
    }
}

pub struct Engine {
    config: Arc<Config>,
    graph: ConfigGraph,
    registry: Arc<ProviderRegistry>,
    options: Options,
    mode: WalkMode,
    inputs: BTreeMap<String, InputValue>,
    values: Mutex<Values>,
    providers: Mutex<BTreeMap<ProviderRef, Arc<dyn Provider>>>,
    prior: Mutex<PriorState>,
    refresh_done: Mutex<BTreeMap<(ProviderRef, String), RefreshOnce>>,
    changes: Mutex<Vec<ResourceChange>>,
    drift: Mutex<Vec<Drift>>,
    /// Limits provider calls in flight to `-parallelism`.
    io: Arc<Semaphore>,
    /// The plan being applied (apply mode).
    plan: Option<Plan>,
    /// `plan` indexed by address (apply mode).
    plan_index: apply_index::PlanIndex,
    recorder: Option<Arc<dyn StateRecorder>>,
    report: Mutex<ApplyReport>,
    cancel: Cancel,
    /// Nodes selected by -target (and what they depend on); None = everything.
    targeted: Option<BTreeSet<Node>>,
    /// Final root variable values (after conversion), for saved plans.
    root_variables: Mutex<BTreeMap<String, Value>>,
    /// Data source instances read during this apply; any other data entry in state is stale.
    data_read: Mutex<BTreeSet<AbsInstance>>,
    /// Data sources read while planning, with their values (the plan's `data_reads`).
    data_values: Mutex<Vec<crate::plan::DataRead>>,
    /// Objects of interrupted creates found again during planning.
    adopted: Mutex<Vec<crate::plan::Adopted>>,
    /// Pending creates whose object does not exist.
    forgotten: Mutex<Vec<AbsInstance>>,
    /// Warnings of the providers' plan checks (`plan_checks.rs`), shown with the plan.
    plan_warnings: Mutex<Diagnostics>,
    /// (provider, type) pairs whose open create intents were recovered (`recover.rs`).
    recovered: Mutex<BTreeMap<(ProviderRef, String), RefreshOnce>>,
    /// Intents recovery could not resolve: their addresses are not planned.
    possible_orphans: Mutex<Vec<crate::plan::PossibleOrphans>>,
    /// Held while one type's intents are recovered, so that what it adopts is claimed before
    /// another type looks: types whose listings overlap (mcloud machine records and
    /// instances of one spec) never adopt one object twice.
    recovering: tokio::sync::Mutex<()>,
    /// Objects `import` blocks named, read during planning.
    imported: Mutex<Vec<crate::plan::Imported>>,
    /// Old objects of delete-then-create replacements, deleted in the delete phase.
    replaced: Mutex<BTreeMap<AbsInstance, Value>>,
    events: Option<EventSink>,
    /// Starts in-process simulators for `endpoint = "embedded"`; the engine knows none.
    embedded: Option<Arc<dyn crate::provider::EmbeddedClouds>>,
}

impl Engine {
    pub fn new(
        config: Arc<Config>,
        graph: ConfigGraph,
        mode: WalkMode,
        options: Options,
        inputs: BTreeMap<String, InputValue>,
        prior: PriorState,
        registry: Arc<ProviderRegistry>,
    ) -> Engine {
        let io = Arc::new(Semaphore::new(options.parallelism.max(1)));
        let workspace = options.workspace.clone();
        let mut engine = Engine {
            config,
            graph,
            registry,
            options,
            mode,
            inputs,
            values: Mutex::new(Values {
                workspace,
                ..Values::new()
            }),
            providers: Mutex::new(BTreeMap::new()),
            prior: Mutex::new(prior),
            refresh_done: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(Vec::new()),
            drift: Mutex::new(Vec::new()),
            io,
            plan: None,
            plan_index: apply_index::PlanIndex::default(),
            recorder: None,
            report: Mutex::new(ApplyReport::default()),
            cancel: Cancel::new(),
            targeted: None,
            root_variables: Mutex::new(BTreeMap::new()),
            data_read: Mutex::new(BTreeSet::new()),
            data_values: Mutex::new(Vec::new()),
            events: None,
            embedded: None,
            adopted: Mutex::new(Vec::new()),
            forgotten: Mutex::new(Vec::new()),
            plan_warnings: Mutex::new(Diagnostics::new()),
            recovered: Mutex::new(BTreeMap::new()),
            possible_orphans: Mutex::new(Vec::new()),
            recovering: tokio::sync::Mutex::new(()),
            imported: Mutex::new(Vec::new()),
            replaced: Mutex::new(BTreeMap::new()),
        };
        engine.select_targets();
        engine
    }

    /// Where events go; none are produced without a sink.
    pub fn with_events(mut self, events: Option<EventSink>) -> Self {
        self.events = events;
        self
    }

    /// What starts in-process simulators for providers configured with `endpoint =
    /// "embedded"` (the command line passes the simulators; tests may pass none).
    pub fn with_embedded(
        mut self,
        embedded: Option<Arc<dyn crate::provider::EmbeddedClouds>>,
    ) -> Self {
        self.embedded = embedded;
        self
    }

    /// Shares `cancel` with the caller, who may stop the run at any time.
    pub fn with_cancel(mut self, cancel: Cancel) -> Self {
        cancel.attach(self.io.clone());
        self.cancel = cancel;
        self
    }

    /// The plan to apply (apply mode) and where completed operations are recorded.
    pub fn with_plan(mut self, plan: Plan, recorder: Option<Arc<dyn StateRecorder>>) -> Self {
        self.plan_index = apply_index::PlanIndex::of(&plan);
        self.plan = Some(plan);
        self.recorder = recorder;
        self
    }

    /// Reuses providers another engine configured (and their connections): apply after
    /// the plan it made.
    pub fn reuse_providers(&self, from: &Engine) {
        self.use_providers(from.configured_providers());
    }

    /// The providers this engine configured, by reference.
    pub fn configured_providers(&self) -> BTreeMap<ProviderRef, Arc<dyn Provider>> {
        self.providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Uses providers configured elsewhere (see [`Engine::reuse_providers`]).
    pub fn use_providers(&self, configured: BTreeMap<ProviderRef, Arc<dyn Provider>>) {
        *self.providers.lock().unwrap_or_else(|e| e.into_inner()) = configured;
    }

    /// Walks the whole graph. Errors of every failed node are returned together;
    /// independent branches still complete.
    pub async fn walk(self: &Arc<Self>) -> Result<(), Diagnostics> {
        let me = self.clone();
        let outcomes = self
            .graph
            .dag
            .walk(
                self.options.parallelism.max(1),
                self.cancel.flag(),
                move |node: Node| {
                    let me = me.clone();
                    async move { me.visit(&node).await }.boxed()
                },
            )
            .await;
        let mut diags = Diagnostics::new();
        for (_, o) in outcomes {
            match o {
                Outcome::Failed(d) => diags.extend(d),
                Outcome::Panicked(message) => diags.push(internal_error(&message)),
                Outcome::Done | Outcome::Skipped => {}
            }
        }
        diags.into_result()
    }

    async fn visit(&self, node: &Node) -> Result<(), Diagnostics> {
        match &node.kind {
            NodeKind::Provider(p) => self.visit_provider(p).await,
            NodeKind::Variable(name) => self.visit_variable(&node.module, name),
            NodeKind::Local(name) => self.visit_local(&node.module, name),
            NodeKind::Output(name) => self.visit_output(&node.module, name),
            NodeKind::ModuleCall(name) => self.visit_module_call(&node.module, name),
            NodeKind::Resource(addr) => {
                let targeted = self.targeted.as_ref().is_none_or(|t| t.contains(node));
                match self.mode {
                    WalkMode::Eval => self.resource_from_state(&node.module, addr),
                    WalkMode::Validate => self.validate_resource(&node.module, addr),
                    _ if !targeted => self.resource_from_state(&node.module, addr),
                    WalkMode::Plan(_) => plan::plan_resource(self, &node.module, addr).await,
                    WalkMode::Apply => {
                        apply_instance::apply_resource(self, &node.module, addr).await
                    }
                }
            }
        }
    }

    /// Builds an evaluation context for `exprs` in module instance `m`.
    pub fn context(
        &self,
        m: &crate::addr::ModulePath,
        binding: &Binding,
        exprs: &[&crate::hcl::ast::Expr],
    ) -> EvalContext {
        let values = self.values.lock().unwrap_or_else(|e| e.into_inner());
        values.context(&self.config, m, binding, exprs)
    }

    pub fn eval_in(
        &self,
        m: &crate::addr::ModulePath,
        binding: &Binding,
        expr: &crate::hcl::ast::Expr,
    ) -> Result<Value, Diagnostics> {
        let ctx = self.context(m, binding, &[expr]);
        crate::lang::eval(expr, &ctx)
    }

    pub(crate) fn values(&self) -> std::sync::MutexGuard<'_, Values> {
        self.values.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn provider(&self, p: &ProviderRef) -> Result<Arc<dyn Provider>, Diagnostics> {
        self.providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(p)
            .cloned()
            .ok_or_else(|| {
                Diagnostic::error(
                    "Provider not configured",
                    format!("The provider {p} was not configured before it was needed."),
                )
                .into()
            })
    }

    /// Tells whoever listens what is happening.
    pub(crate) fn emit(&self, event: Event) {
        if let Some(sink) = &self.events {
            sink(event);
        }
    }

    /// The counts of what this apply did so far.
    pub fn report(&self) -> ApplyReport {
        self.report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The root module's outputs as the walk computed them.
    pub fn root_outputs(&self) -> BTreeMap<String, Value> {
        self.values()
            .modules
            .get(&crate::addr::ModulePath::root())
            .map(|m| m.outputs.clone())
            .unwrap_or_default()
    }

    /// The root outputs as the prior state has them.
    pub fn prior_outputs(&self) -> BTreeMap<String, Value> {
        self.prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .outputs
            .clone()
    }

    /// Whether the prior state holds an object at `addr`.
    pub fn has_prior(&self, addr: &AbsInstance) -> bool {
        self.prior
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .instances
            .contains_key(addr)
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub(crate) fn push_change(&self, c: ResourceChange) {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(c);
    }

    pub(crate) fn take_changes(&self) -> Vec<ResourceChange> {
        let mut c = std::mem::take(&mut *self.changes.lock().unwrap_or_else(|e| e.into_inner()));
        c.sort_by(|a, b| a.addr.cmp(&b.addr));
        c
    }

    pub(crate) fn take_drift(&self) -> Vec<Drift> {
        let mut d = std::mem::take(&mut *self.drift.lock().unwrap_or_else(|e| e.into_inner()));
        d.sort_by(|a, b| a.addr.cmp(&b.addr));
        d
    }

    /// Selects the nodes a `-target` list needs: the targeted resources (or modules) and
    /// everything they depend on.
    fn select_targets(&mut self) {
        if self.options.targets.is_empty() {
            return;
        }
        let mut selected = BTreeSet::new();
        for node in self.graph.dag.nodes() {
            let NodeKind::Resource(r) = &node.kind else {
                continue;
            };
            let hit = self.options.targets.iter().any(|t| match t {
                Target::Resource(tr) => tr.resource == *r && names(&tr.module) == node.module,
                Target::Instance(ti) => ti.resource == *r && names(&ti.module) == node.module,
                Target::Module(tm) => node.module.starts_with(&names(tm)),
            });
            if hit {
                selected.insert(node.clone());
                selected.extend(self.graph.dag.ancestors(node));
            }
        }
        self.targeted = Some(selected);
    }
}

/// The summary of every diagnostic that only says "this did not run because the run was
/// cancelled"; the run layer folds them into one message.
pub const CANCELLED: &str = "Cancelled";

pub(crate) fn cancelled() -> Diagnostic {
    Diagnostic::error(CANCELLED, "The run was cancelled before this started.")
}

/// A node panicked: a bug in skyform, reported as an error so the run can never pass.
pub(crate) fn internal_error(message: &str) -> Diagnostic {
    Diagnostic::error(
        "Internal error",
        format!("skyform hit a bug ({message}). What completed before it is in state; please report this with the command that was run."),
    )
}

fn names(m: &crate::addr::ModulePath) -> Vec<String> {
    m.0.iter().map(|(n, _)| n.clone()).collect()
}
