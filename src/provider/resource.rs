//! Per-resource registration: each resource type and data source is its own type
//! implementing [`ResourceType`] or [`DataSourceType`] over the provider's client `C`,
//! registered in a [`Types`] map. [`Registered`] turns a client and its types into a
//! [`Provider`], so a provider has no `match type_name` of its own.

use super::inventory::{InventorySource, ListedMachine};
use super::schema::{ProviderSchema, Schema};
use super::{
    ApplyResult, DeleteResult, ErrorKind, OperationContext, PartialFailure, PlannedChange,
    Provider, ProviderError,
};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One managed resource type of a provider whose configured client is `C`.
#[async_trait]
pub trait ResourceType<C: Send + Sync>: Send + Sync {
    /// The HCL name (`mcloud_instance`).
    fn name(&self) -> &'static str;

    /// The schema, including its [`Schema::version`].
    fn schema(&self) -> Schema;

    /// Plan-time checks that need no API call.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Brings a state of schema `version` up to the current one; identity by default.
    fn upgrade_state(&self, _version: u64, value: Value) -> Result<Value, ProviderError> {
        Ok(value)
    }

    /// Plan checks of this type's planned creates and updates; see
    /// [`Provider::check_plan`] (indexes are into `changes`).
    async fn check_plan(
        &self,
        _client: &C,
        _changes: &[PlannedChange<'_>],
    ) -> Vec<(usize, Diagnostic)> {
        Vec::new()
    }

    /// Batched refresh; see [`Provider::read_resources`].
    async fn read_batch(
        &self,
        client: &C,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError>;

    async fn create(&self, client: &C, planned: &Value, op: &OperationContext) -> ApplyResult;

    /// In-place change; by default the type has none (every argument is force-new).
    async fn update(
        &self,
        _client: &C,
        _prior: &Value,
        _planned: &Value,
        _op: &OperationContext,
    ) -> ApplyResult {
        Err(ProviderError::new(
            "provider",
            format!("update {}", self.name()),
            format!(
                "{} cannot change in place (every argument forces replacement)",
                self.name()
            ),
        )
        .kind(ErrorKind::Invalid)
        .into())
    }

    async fn delete(&self, client: &C, prior: &Value, op: &OperationContext) -> DeleteResult;

    async fn import(&self, _client: &C, id: &str) -> Result<Value, ProviderError> {
        Err(ProviderError::new(
            "provider",
            format!("import {}", self.name()),
            format!("import of {} by id {id:?} is not supported", self.name()),
        )
        .kind(ErrorKind::Invalid))
    }

    /// See [`Provider::create_fingerprint`].
    fn create_fingerprint(&self, _planned: &Value) -> Option<serde_json::Value> {
        None
    }

    /// See [`Provider::recover_creates`].
    async fn recover_creates(
        &self,
        _client: &C,
        intents: &[super::recovery::CreateIntent],
        _claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<super::recovery::Recovered>, ProviderError> {
        Ok(super::recovery::none_created(intents))
    }
}

/// One data source of a provider whose configured client is `C`.
#[async_trait]
pub trait DataSourceType<C: Send + Sync>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn read(&self, client: &C, config: &Value) -> Result<Value, ProviderError>;
}

/// The resource types and data sources of one provider, by name, with the schema they
/// add up to.
pub struct Types<C> {
    provider: &'static str,
    schema: ProviderSchema,
    resources: BTreeMap<String, Arc<dyn ResourceType<C>>>,
    data_sources: BTreeMap<String, Arc<dyn DataSourceType<C>>>,
    inventory: Option<Arc<dyn InventorySource<C>>>,
}

impl<C: Send + Sync> Types<C> {
    /// No types yet; `provider_block` is the schema of the `provider` block.
    pub fn new(provider: &'static str, provider_block: Schema) -> Self {
        Types {
            provider,
            schema: ProviderSchema {
                provider: provider_block,
                ..ProviderSchema::default()
            },
            resources: BTreeMap::new(),
            data_sources: BTreeMap::new(),
            inventory: None,
        }
    }

    /// Lets `skyform inventory` list this provider's machines.
    pub fn inventory(mut self, source: impl InventorySource<C> + 'static) -> Self {
        self.inventory = Some(Arc::new(source));
        self
    }

    pub fn resource(mut self, r: impl ResourceType<C> + 'static) -> Self {
        self.schema
            .resources
            .insert(r.name().to_string(), r.schema());
        self.resources.insert(r.name().to_string(), Arc::new(r));
        self
    }

    pub fn data_source(mut self, d: impl DataSourceType<C> + 'static) -> Self {
        self.schema
            .data_sources
            .insert(d.name().to_string(), d.schema());
        self.data_sources.insert(d.name().to_string(), Arc::new(d));
        self
    }

    pub fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    pub fn get_resource(&self, name: &str) -> Result<&Arc<dyn ResourceType<C>>, ProviderError> {
        self.resources.get(name).ok_or_else(|| {
            ProviderError::new(
                self.provider,
                name,
                format!(
                    "{} has no resource type {name:?}; it has {}",
                    self.provider,
                    self.resources
                        .keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .kind(ErrorKind::Invalid)
        })
    }

    pub fn get_data_source(
        &self,
        name: &str,
    ) -> Result<&Arc<dyn DataSourceType<C>>, ProviderError> {
        self.data_sources.get(name).ok_or_else(|| {
            ProviderError::new(
                self.provider,
                name,
                format!("{} has no data source {name:?}", self.provider),
            )
            .kind(ErrorKind::Invalid)
        })
    }
}

/// What a provider built from [`Types`] supplies: its name, its types, and how an evaluated
/// `provider` block becomes its client. [`TypedProviderType`] is the rest of its
/// [`super::ProviderType`].
#[async_trait]
pub trait ProviderClient: Send + Sync + Sized + 'static {
    /// The provider's name (`mcloud`).
    const NAME: &'static str;

    /// Every resource type and data source, over this client.
    fn types() -> Types<Self>;

    /// The client for the evaluated `provider` block (null attributes where unset).
    async fn configure(
        config: &Value,
        ctx: &super::ConfigureContext,
    ) -> Result<Self, ProviderError>;
}

/// The [`super::ProviderType`] of a provider built from [`Types`] over the client `C`: its
/// schema, state upgrades through each resource type's hook, and configuration through
/// [`ProviderClient::configure`].
pub struct TypedProviderType<C> {
    types: Arc<Types<C>>,
}

impl<C: ProviderClient> TypedProviderType<C> {
    pub fn new() -> Self {
        TypedProviderType {
            types: Arc::new(C::types()),
        }
    }
}

impl<C: ProviderClient> Default for TypedProviderType<C> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl<C: ProviderClient> super::ProviderType for TypedProviderType<C> {
    fn name(&self) -> &'static str {
        C::NAME
    }

    fn schema(&self) -> &ProviderSchema {
        self.types.schema()
    }

    fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        value: Value,
    ) -> Result<Value, ProviderError> {
        self.types
            .get_resource(type_name)?
            .upgrade_state(version, value)
    }

    async fn configure(
        &self,
        config: &Value,
        ctx: &super::ConfigureContext,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        let client = C::configure(config, ctx).await?;
        Ok(Arc::new(Registered::new(self.types.clone(), client)))
    }
}

/// A configured provider made of a client and its registered types.
pub struct Registered<C> {
    types: Arc<Types<C>>,
    client: C,
}

impl<C: Send + Sync> Registered<C> {
    pub fn new(types: Arc<Types<C>>, client: C) -> Self {
        Registered { types, client }
    }

    pub fn client(&self) -> &C {
        &self.client
    }

    pub fn types(&self) -> &Types<C> {
        &self.types
    }

    /// The state-upgrade hook of `type_name` (the provider type's
    /// [`super::ProviderType::upgrade_state`] delegates here).
    pub fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        value: Value,
    ) -> Result<Value, ProviderError> {
        self.types
            .get_resource(type_name)?
            .upgrade_state(version, value)
    }
}

#[async_trait]
impl<C: Send + Sync + 'static> Provider for Registered<C> {
    fn schema(&self) -> &ProviderSchema {
        self.types.schema()
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match self.types.get_resource(type_name) {
            Ok(r) => r.validate(config, &mut diags),
            Err(e) => diags.push(Diagnostic::error(
                format!("Unknown resource type {type_name:?}"),
                e.message,
            )),
        }
        diags
    }

    async fn check_plan(&self, changes: &[PlannedChange<'_>]) -> Vec<(usize, Diagnostic)> {
        let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, c) in changes.iter().enumerate() {
            by_type.entry(c.type_name).or_default().push(i);
        }
        let mut out = Vec::new();
        for (type_name, indexes) in by_type {
            let Ok(r) = self.types.get_resource(type_name) else {
                continue;
            };
            let subset: Vec<PlannedChange<'_>> = indexes.iter().map(|&i| changes[i]).collect();
            for (i, d) in r.check_plan(&self.client, &subset).await {
                if let Some(&at) = indexes.get(i) {
                    out.push((at, d));
                }
            }
        }
        out
    }

    async fn read_resources(
        &self,
        type_name: &str,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let r = self.types.get_resource(type_name)?;
        r.read_batch(&self.client, priors).await
    }

    async fn create(&self, type_name: &str, planned: &Value, op: &OperationContext) -> ApplyResult {
        let r = self.types.get_resource(type_name)?;
        r.create(&self.client, planned, op).await
    }

    async fn update(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        op: &OperationContext,
    ) -> ApplyResult {
        let r = self.types.get_resource(type_name)?;
        r.update(&self.client, prior, planned, op).await
    }

    async fn delete(&self, type_name: &str, prior: &Value, op: &OperationContext) -> DeleteResult {
        let r = self
            .types
            .get_resource(type_name)
            .map_err(PartialFailure::from)?;
        r.delete(&self.client, prior, op).await
    }

    fn create_fingerprint(&self, type_name: &str, planned: &Value) -> Option<serde_json::Value> {
        self.types
            .get_resource(type_name)
            .ok()?
            .create_fingerprint(planned)
    }

    async fn recover_creates(
        &self,
        type_name: &str,
        intents: &[super::recovery::CreateIntent],
        claimed: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<super::recovery::Recovered>, ProviderError> {
        let r = self.types.get_resource(type_name)?;
        r.recover_creates(&self.client, intents, claimed).await
    }

    async fn read_data(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        let d = self.types.get_data_source(type_name)?;
        d.read(&self.client, config).await
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let r = self.types.get_resource(type_name)?;
        r.import(&self.client, id).await
    }

    async fn list_machines(&self) -> Result<Option<Vec<ListedMachine>>, ProviderError> {
        match &self.types.inventory {
            Some(source) => source.list(&self.client).await.map(Some),
            None => Ok(None),
        }
    }

    fn machine_ids(&self, type_name: &str, state: &Value) -> Vec<String> {
        match &self.types.inventory {
            Some(source) => source.machine_ids(type_name, state),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Type;
    use crate::provider::schema::Attribute;

    /// A resource over no client at all: enough to see the dispatch.
    struct Thing;

    #[async_trait]
    impl ResourceType<()> for Thing {
        fn name(&self) -> &'static str {
            "t_thing"
        }

        fn schema(&self) -> Schema {
            Schema::new("A thing.")
                .version(2)
                .attr("id", Attribute::computed(Type::String))
        }

        fn upgrade_state(&self, version: u64, value: Value) -> Result<Value, ProviderError> {
            Ok(match version {
                0 | 1 => Value::object([(
                    "id",
                    value.get_attr("old_id").cloned().unwrap_or(Value::Null),
                )]),
                _ => value,
            })
        }

        async fn read_batch(
            &self,
            _: &(),
            priors: &[Value],
        ) -> Result<Vec<Option<Value>>, ProviderError> {
            Ok(priors.iter().cloned().map(Some).collect())
        }

        async fn create(&self, _: &(), planned: &Value, _: &OperationContext) -> ApplyResult {
            Ok(planned.clone())
        }

        async fn delete(&self, _: &(), _: &Value, _: &OperationContext) -> DeleteResult {
            Ok(())
        }
    }

    fn provider() -> Registered<()> {
        Registered::new(
            Arc::new(Types::new("t", Schema::new("t")).resource(Thing)),
            (),
        )
    }

    #[tokio::test]
    async fn types_are_found_by_name_and_unknown_ones_are_invalid() {
        let p = provider();
        assert_eq!(p.schema().resources["t_thing"].version, 2);
        let v = Value::object([("id", Value::string("1"))]);
        let op = OperationContext::default();
        assert_eq!(p.create("t_thing", &v, &op).await, Ok(v.clone()));
        let err = p.create("t_other", &v, &op).await.expect_err("unknown");
        assert_eq!(err.error.kind, ErrorKind::Invalid);
        assert!(
            err.error.message.contains("it has t_thing"),
            "{}",
            err.error
        );
        // No update declared: the default refuses, as a force-new-only type should.
        let err = p
            .update("t_thing", &v, &v, &op)
            .await
            .expect_err("no update");
        assert!(
            err.error.message.contains("cannot change in place"),
            "{}",
            err.error
        );
        assert!(err.state.is_none());
        let diags = p.validate_resource("t_other", &v);
        assert!(diags.has_errors());
    }

    #[test]
    fn state_upgrades_go_through_the_type() {
        let p = provider();
        let old = Value::object([("old_id", Value::string("7"))]);
        let up = p.upgrade_state("t_thing", 1, old).expect("upgraded");
        assert_eq!(up.get_attr("id"), Some(&Value::string("7")));
        let current = Value::object([("id", Value::string("8"))]);
        assert_eq!(p.upgrade_state("t_thing", 2, current.clone()), Ok(current));
        assert!(p.upgrade_state("t_other", 0, Value::Null).is_err());
    }
}
