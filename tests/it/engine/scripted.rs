//! A scripted provider: a test double of the public `Provider` trait whose behaviour per
//! object (keyed by its `name` attribute) the test sets up front. It records what it was
//! asked to do, so tests assert on calls as well as on state.

use async_trait::async_trait;
use skyform::lang::{Type, Value};
use skyform::provider::registry::ProviderRegistry;
use skyform::provider::schema::{Attribute, ProviderSchema, Schema};
use skyform::provider::{
    ApplyResult, ConfigureContext, DeleteResult, OperationContext, PartialFailure, Progress,
    Provider, ProviderError, ProviderType,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const NAME: &str = "scripted";

/// What a create of the object with a given name does.
#[derive(Debug, Clone)]
pub enum OnCreate {
    Fail(String),
    /// The object is made, then the create fails (it never became usable).
    FailAfterMaking(String),
    /// The object is made, then the create waits for it to become ready, which never
    /// happens: only the operation's cancellation ends the wait.
    WaitForever,
}

/// What an update of the object with a given name does: fail part-way, with `size` now
/// as given (e.g. stopped for a resize that then failed).
#[derive(Debug, Clone)]
pub struct OnUpdate {
    pub message: String,
    pub size_now: String,
}

#[derive(Default)]
struct Shared {
    on_create: BTreeMap<String, OnCreate>,
    on_update: BTreeMap<String, OnUpdate>,
    created: Vec<String>,
    /// Deletes of objects of these kinds fail.
    failing_deletes: Vec<String>,
    /// Kinds of the objects deleted, in order.
    deleted: Vec<String>,
    /// Refresh drops the last result (a broken batched read).
    short_refresh: bool,
    /// Names given to the `scripted_lookup` data source, one per read, in order.
    lookups: Vec<String>,
}

/// Sets up the script before the run.
pub struct Scripted {
    shared: Arc<Mutex<Shared>>,
}

impl Scripted {
    pub fn new() -> Scripted {
        Scripted {
            shared: Arc::default(),
        }
    }

    pub fn fail_create(&self, name: &str, message: &str) {
        self.lock()
            .on_create
            .insert(name.to_string(), OnCreate::Fail(message.to_string()));
    }

    pub fn fail_create_after_making(&self, name: &str, message: &str) {
        self.lock().on_create.insert(
            name.to_string(),
            OnCreate::FailAfterMaking(message.to_string()),
        );
    }

    pub fn wait_forever(&self, name: &str) {
        self.lock()
            .on_create
            .insert(name.to_string(), OnCreate::WaitForever);
    }

    pub fn into_script(self) -> Script {
        Script {
            shared: self.shared,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().expect("script")
    }
}

/// The script during and after the run.
#[derive(Clone)]
pub struct Script {
    shared: Arc<Mutex<Shared>>,
}

impl Script {
    /// A registry whose only provider is this script.
    pub fn registry(&self) -> ProviderRegistry {
        ProviderRegistry::new().with(Arc::new(ScriptedType {
            schema: schema(),
            shared: self.shared.clone(),
        }))
    }

    pub fn fail_update(&self, name: &str, message: &str, size_now: &str) {
        self.shared.lock().expect("script").on_update.insert(
            name.to_string(),
            OnUpdate {
                message: message.to_string(),
                size_now: size_now.to_string(),
            },
        );
    }

    /// Creates of the object named `name` fail from now on.
    pub fn fail_create(&self, name: &str, message: &str) {
        self.shared
            .lock()
            .expect("script")
            .on_create
            .insert(name.to_string(), OnCreate::Fail(message.to_string()));
    }

    /// Deletes of objects whose `kind` is `kind` fail (until `allow_deletes`).
    pub fn fail_deletes_of_kind(&self, kind: &str) {
        self.shared
            .lock()
            .expect("script")
            .failing_deletes
            .push(kind.to_string());
    }

    pub fn allow_deletes(&self) {
        self.shared.lock().expect("script").failing_deletes.clear();
    }

    /// Kinds of the objects deleted, in order.
    pub fn deleted(&self) -> Vec<String> {
        self.shared.lock().expect("script").deleted.clone()
    }

    /// The `name` of each `scripted_lookup` read so far, in order.
    pub fn lookups(&self) -> Vec<String> {
        self.shared.lock().expect("script").lookups.clone()
    }

    pub fn short_refresh(&self) {
        self.shared.lock().expect("script").short_refresh = true;
    }

    /// Names of the objects created, in order.
    pub fn created(&self) -> Vec<String> {
        self.shared.lock().expect("script").created.clone()
    }
}

fn schema() -> ProviderSchema {
    let mut resources = BTreeMap::new();
    resources.insert(
        "scripted_thing".to_string(),
        // Version 1 renamed `sz` to `size` (see `upgrade_state`).
        Schema::new("A scripted object.")
            .version(1)
            .attr("name", Attribute::required(Type::String))
            .attr("size", Attribute::optional(Type::String))
            // A change of kind replaces the object.
            .attr("kind", Attribute::optional(Type::String).force_new())
            .attr("id", Attribute::computed(Type::String)),
    );
    let mut data_sources = BTreeMap::new();
    data_sources.insert(
        "scripted_lookup".to_string(),
        // Answers how many reads of this name there have been, this one included.
        Schema::new("A scripted lookup that counts its reads.")
            .attr("name", Attribute::required(Type::String))
            .attr("reads", Attribute::computed(Type::Number)),
    );
    ProviderSchema {
        provider: Schema::new("The scripted test provider."),
        resources,
        data_sources,
    }
}

struct ScriptedType {
    schema: ProviderSchema,
    shared: Arc<Mutex<Shared>>,
}

#[async_trait]
impl ProviderType for ScriptedType {
    fn name(&self) -> &'static str {
        NAME
    }

    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    fn upgrade_state(
        &self,
        _type_name: &str,
        version: u64,
        value: Value,
    ) -> Result<Value, ProviderError> {
        match (version, value) {
            (0, Value::Object(mut m)) => {
                if let Some(size) = m.remove("sz") {
                    m.insert("size".to_string(), size);
                }
                Ok(Value::Object(m))
            }
            (v, _) => Err(ProviderError::new(
                NAME,
                "upgrade",
                format!("no upgrade from version {v}"),
            )),
        }
    }

    async fn configure(
        &self,
        _config: &Value,
        _ctx: &ConfigureContext,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(ScriptedProvider {
            schema: self.schema.clone(),
            shared: self.shared.clone(),
        }))
    }
}

struct ScriptedProvider {
    schema: ProviderSchema,
    shared: Arc<Mutex<Shared>>,
}

fn name_of(v: &Value) -> String {
    v.get_attr("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[async_trait]
impl Provider for ScriptedProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn read_resources(
        &self,
        _type_name: &str,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out: Vec<Option<Value>> = priors.iter().cloned().map(Some).collect();
        if self.shared.lock().expect("script").short_refresh {
            out.pop();
        }
        Ok(out)
    }

    async fn create(
        &self,
        _type_name: &str,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let name = name_of(planned);
        op.report(Progress::Message(format!("making {name}")));
        let behaviour = self
            .shared
            .lock()
            .expect("script")
            .on_create
            .get(&name)
            .cloned();
        let made = with_attr(planned, "id", Value::string(format!("id-{name}")));
        match behaviour {
            Some(OnCreate::Fail(message)) => {
                Err(ProviderError::new(NAME, "create", message).into())
            }
            Some(OnCreate::FailAfterMaking(message)) => {
                self.shared
                    .lock()
                    .expect("script")
                    .created
                    .push(name.clone());
                Err(PartialFailure::with_state(
                    made,
                    ProviderError::new(NAME, "create", message),
                ))
            }
            Some(OnCreate::WaitForever) => {
                self.shared
                    .lock()
                    .expect("script")
                    .created
                    .push(name.clone());
                op.report(Progress::Message(format!("waiting for {name}")));
                op.cancel.cancelled().await;
                let mut error = ProviderError::new(NAME, "create", "stopped waiting: cancelled");
                error.kind = skyform::provider::ErrorKind::Cancelled;
                Err(PartialFailure::with_state(
                    with_attr(&made, "size", Value::string("booting")),
                    error,
                ))
            }
            None => {
                self.shared
                    .lock()
                    .expect("script")
                    .created
                    .push(name.clone());
                Ok(made)
            }
        }
    }

    async fn update(
        &self,
        _type_name: &str,
        _prior: &Value,
        planned: &Value,
        _op: &OperationContext,
    ) -> ApplyResult {
        let name = name_of(planned);
        let behaviour = self
            .shared
            .lock()
            .expect("script")
            .on_update
            .get(&name)
            .cloned();
        match behaviour {
            Some(u) => Err(PartialFailure::with_state(
                with_attr(planned, "size", Value::string(u.size_now)),
                ProviderError::new(NAME, "update", u.message),
            )),
            None => Ok(planned.clone()),
        }
    }

    async fn delete(
        &self,
        _type_name: &str,
        prior: &Value,
        _op: &OperationContext,
    ) -> DeleteResult {
        let kind = prior
            .get_attr("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut shared = self.shared.lock().expect("script");
        if shared.failing_deletes.contains(&kind) {
            return Err(
                ProviderError::new(NAME, "delete", format!("cannot delete kind {kind}")).into(),
            );
        }
        shared.deleted.push(kind);
        Ok(())
    }

    async fn read_data(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        if type_name != "scripted_lookup" {
            return Err(ProviderError::new(NAME, type_name, "no such data source"));
        }
        let name = name_of(config);
        let mut shared = self.shared.lock().expect("script");
        shared.lookups.push(name.clone());
        let reads = shared.lookups.iter().filter(|n| **n == name).count();
        Ok(with_attr(config, "reads", Value::number(reads as i64)))
    }
}

/// `v` with attribute `name` set to `x`.
fn with_attr(v: &Value, name: &str, x: Value) -> Value {
    match v.unmarked() {
        Value::Object(m) => {
            let mut m = m.clone();
            m.insert(name.to_string(), x);
            Value::Object(m)
        }
        other => other.clone(),
    }
}
