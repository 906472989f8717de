//! The walk: evaluates every node of the configuration graph in dependency order, for a
//! plan, an apply or a console session.
//!
//! Variables, locals, outputs, module calls and providers are evaluated the same way in
//! every mode (`nodes`); resources differ: planning diffs them (`plan::walk`), applying
//! calls the providers (`apply::walk`), and the console reads them from state.

pub mod decode;
pub mod expand;
pub mod moves;
pub mod nodes;
pub mod prior;
pub mod refresh;
pub mod resource;
pub mod values;

use crate::addr::{AbsInstance, Target};
use crate::config::{Config, ProviderRef};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{ConfigGraph, Node, NodeKind, Outcome};
use crate::lang::{EvalContext, Value};
use crate::plan::{Drift, Plan, PlanMode, ResourceChange};
use crate::provider::{Provider, ProviderType};
use futures::FutureExt;
pub use prior::{PendingCreate, PriorInstance, PriorState, StateRecorder};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
pub use values::{Binding, Values};

/// Guards one batched refresh of a (provider, resource type): true once done.
pub type RefreshOnce = Arc<tokio::sync::Mutex<bool>>;

/// What the walk is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkMode {
    Plan(PlanMode),
    Apply,
    /// Evaluate only (console, outputs): resources come from state, no provider is called.
    Eval,
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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            work_dir: PathBuf::from("."),
            parallelism: 10,
            refresh: true,
            targets: Vec::new(),
            replace: Vec::new(),
        }
    }
}

/// Counts and errors of an apply, for its summary line.
#[derive(Debug, Default, Clone)]
pub struct ApplyReport {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
}

pub struct Engine {
    pub config: Arc<Config>,
    pub graph: ConfigGraph,
    pub provider_types: BTreeMap<String, Arc<dyn ProviderType>>,
    pub options: Options,
    pub mode: WalkMode,
    pub inputs: BTreeMap<String, InputValue>,
    pub values: Mutex<Values>,
    pub providers: Mutex<BTreeMap<ProviderRef, Arc<dyn Provider>>>,
    pub prior: Mutex<PriorState>,
    pub refresh_done: Mutex<BTreeMap<(ProviderRef, String), RefreshOnce>>,
    pub changes: Mutex<Vec<ResourceChange>>,
    pub drift: Mutex<Vec<Drift>>,
    /// Limits provider calls in flight to `-parallelism`.
    pub io: Arc<Semaphore>,
    /// The plan being applied (apply mode).
    pub plan: Option<Plan>,
    pub recorder: Option<Arc<dyn StateRecorder>>,
    pub report: Mutex<ApplyReport>,
    /// Set by the first Ctrl-C: start nothing new.
    pub cancel: Arc<AtomicBool>,
    /// Nodes selected by -target (and what they depend on); None = everything.
    pub targeted: Option<BTreeSet<Node>>,
    /// Final root variable values (after conversion), for saved plans.
    pub root_variables: Mutex<BTreeMap<String, Value>>,
    /// Data source instances read during this apply; any other data entry in state is stale.
    pub data_read: Mutex<BTreeSet<AbsInstance>>,
    /// Objects of interrupted creates found again during planning.
    pub adopted: Mutex<Vec<crate::plan::Adopted>>,
    /// Pending creates whose object does not exist.
    pub forgotten: Mutex<Vec<AbsInstance>>,
    /// Where progress lines go (`mcloud_instance.web[0]: Creating...`); none when quiet.
    pub progress: Option<ProgressSink>,
}

/// Receives one line of progress at a time, from any task.
pub type ProgressSink = Arc<dyn Fn(String) + Send + Sync>;

impl Engine {
    pub fn new(
        config: Arc<Config>,
        graph: ConfigGraph,
        mode: WalkMode,
        options: Options,
        inputs: BTreeMap<String, InputValue>,
        prior: PriorState,
    ) -> Engine {
        let provider_types = crate::providers::builtin_registry()
            .all()
            .cloned()
            .map(|p| (p.name().to_string(), p))
            .collect();
        let io = Arc::new(Semaphore::new(options.parallelism.max(1)));
        Engine {
            config,
            graph,
            provider_types,
            options,
            mode,
            inputs,
            values: Mutex::new(Values::new()),
            providers: Mutex::new(BTreeMap::new()),
            prior: Mutex::new(prior),
            refresh_done: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(Vec::new()),
            drift: Mutex::new(Vec::new()),
            io,
            plan: None,
            recorder: None,
            report: Mutex::new(ApplyReport::default()),
            cancel: Arc::new(AtomicBool::new(false)),
            targeted: None,
            root_variables: Mutex::new(BTreeMap::new()),
            data_read: Mutex::new(BTreeSet::new()),
            progress: None,
            adopted: Mutex::new(Vec::new()),
            forgotten: Mutex::new(Vec::new()),
        }
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
                self.cancel.clone(),
                move |node: Node| {
                    let me = me.clone();
                    async move { me.visit(&node).await }.boxed()
                },
            )
            .await;
        let mut diags = Diagnostics::new();
        for (_, o) in outcomes {
            if let Outcome::Failed(d) = o {
                diags.extend(d);
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
                    _ if !targeted => self.resource_from_state(&node.module, addr),
                    WalkMode::Plan(_) => {
                        crate::plan::walk::plan_resource(self, &node.module, addr).await
                    }
                    WalkMode::Apply => {
                        crate::apply::walk::apply_resource(self, &node.module, addr).await
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

    pub fn values(&self) -> std::sync::MutexGuard<'_, Values> {
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

    /// Reports progress to the user, if anyone is listening.
    pub fn progress(&self, line: String) {
        if let Some(p) = &self.progress {
            p(line);
        }
    }

    pub fn push_change(&self, c: ResourceChange) {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(c);
    }

    pub fn take_changes(&self) -> Vec<ResourceChange> {
        let mut c = std::mem::take(&mut *self.changes.lock().unwrap_or_else(|e| e.into_inner()));
        c.sort_by(|a, b| a.addr.cmp(&b.addr));
        c
    }

    pub fn take_drift(&self) -> Vec<Drift> {
        let mut d = std::mem::take(&mut *self.drift.lock().unwrap_or_else(|e| e.into_inner()));
        d.sort_by(|a, b| a.addr.cmp(&b.addr));
        d
    }

    /// Selects the nodes a `-target` list needs: the targeted resources (or modules) and
    /// everything they depend on.
    pub fn select_targets(&mut self) {
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

fn names(m: &crate::addr::ModulePath) -> Vec<String> {
    m.0.iter().map(|(n, _)| n.clone()).collect()
}
