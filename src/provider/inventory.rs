//! The inventory contract: providers that can list the machines an account holds say so
//! here, for `skyform inventory` (which compares them with state) and for generating
//! `import {}` blocks. A list-only cloud (twocloud, roma) implements it as well as the
//! clouds skyform manages.

use crate::lang::Value;

/// One machine a provider can see, whoever created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMachine {
    /// The managed resource type that adopts this machine with `import { id = id }`
    /// (`mcloud_instance`); `None` for clouds skyform only lists.
    pub resource_type: Option<String>,
    /// The cloud's id; for a managed type, also the id `skyform import` takes.
    pub id: String,
    /// The machine's name, empty when the cloud gives none.
    pub name: String,
    /// The address people reach it by (a private IP where the cloud gives one), empty when none.
    pub address: String,
    /// The cloud's own word for its status (`running`, `ACTIVE`, ...), not translated.
    pub status: String,
}

/// What a provider adds to the inventory. Registered on a provider's
/// [`super::resource::Types`]; providers without one list nothing.
#[async_trait::async_trait]
pub trait InventorySource<C: Send + Sync>: Send + Sync {
    /// Every machine the configured account can see (every page fetched).
    async fn list(&self, client: &C) -> Result<Vec<ListedMachine>, super::ProviderError>;

    /// The machine ids an object of `type_name` in state stands for (an instance: its id;
    /// an instance group: its members), to tell managed machines from unmanaged ones.
    fn machine_ids(&self, _type_name: &str, _state: &Value) -> Vec<String> {
        Vec::new()
    }
}
