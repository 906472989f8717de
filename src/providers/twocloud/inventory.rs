//! The inventory contract for TwoCloud: every server of the provider's default tenant,
//! region and party, as [`ListedMachine`]s. TwoCloud is list-only, so no resource type
//! adopts them (`resource_type: None`).

use super::client::{Client, PROVIDER};
use super::paging::list_all;
use super::servers::scope_of;
use super::wire::VmServer;
use crate::lang::Value;
use crate::provider::inventory::{InventorySource, ListedMachine};
use crate::provider::{CancelToken, ProviderError};
use async_trait::async_trait;

/// Lists the default scope's servers.
pub struct ServersInventory;

/// One server as the inventory shows it: the first private IP as its address (the first
/// public one when it has none).
pub fn listed(s: &VmServer) -> ListedMachine {
    let address = s
        .lan_ips()
        .into_iter()
        .next()
        .or_else(|| s.wan_ips().into_iter().next())
        .unwrap_or_default();
    ListedMachine {
        resource_type: None,
        id: s.instance_id.clone(),
        name: s.instance_name.clone(),
        address,
        status: s.status.clone(),
    }
}

#[async_trait]
impl InventorySource<Client> for ServersInventory {
    async fn list(&self, client: &Client) -> Result<Vec<ListedMachine>, ProviderError> {
        let what = format!("{PROVIDER} inventory");
        let scope = scope_of(&Value::Null, client.defaults(), &what, "the provider block")?;
        let servers = list_all(client, &scope, &CancelToken::new()).await?;
        Ok(servers.iter().map(listed).collect())
    }
}
