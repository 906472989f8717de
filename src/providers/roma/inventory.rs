//! The inventory contract for ROMA: every instance of the project, as listed machines
//! (ROMA instances are only listed, never managed, so no resource type adopts them).

use super::client::Client;
use super::paging::{list_all, DEFAULT_PAGE_SIZE};
use crate::provider::inventory::{InventorySource, ListedMachine};
use crate::provider::{CancelToken, ProviderError};

pub struct RomaInventory;

#[async_trait::async_trait]
impl InventorySource<Client> for RomaInventory {
    async fn list(&self, client: &Client) -> Result<Vec<ListedMachine>, ProviderError> {
        let listing = list_all(client, None, 0, DEFAULT_PAGE_SIZE, &CancelToken::new()).await?;
        Ok(listing
            .instances
            .into_iter()
            .map(|i| ListedMachine {
                resource_type: None,
                id: i.id.unwrap_or_default(),
                name: i.name.unwrap_or_default(),
                // The seed's only address: the bound elastic IP (empty when none).
                address: i.publicip_address.unwrap_or_default(),
                status: i.status.unwrap_or_default(),
            })
            .collect())
    }
}
