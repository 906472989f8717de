//! What mcloud adds to `skyform inventory`: every machine from one `GET
//! /v1/instance/list` (adoptable as `mcloud_instance`), and the machine ids each object in
//! state stands for, to tell managed machines from the rest.

use super::client::Client;
use super::schema::{INSTANCE, INSTANCE_GROUP, MACHINE_RECORD, PHYSICAL_MACHINE};
use crate::lang::Value;
use crate::provider::inventory::{InventorySource, ListedMachine};
use crate::provider::ProviderError;
use async_trait::async_trait;

pub struct McloudInventory;

#[async_trait]
impl InventorySource<Client> for McloudInventory {
    async fn list(&self, client: &Client) -> Result<Vec<ListedMachine>, ProviderError> {
        let table = client.status_table();
        Ok(super::instance::list(client)
            .await?
            .into_iter()
            .map(|i| ListedMachine {
                resource_type: Some(INSTANCE.to_string()),
                address: if i.private_ip_address.is_empty() {
                    i.public_ip_address.clone()
                } else {
                    i.private_ip_address.clone()
                },
                status: table.name(i.status),
                name: i.name,
                id: i.instance_id,
            })
            .collect())
    }

    /// An instance, a machine record or a physical machine is one machine (its `id`); an
    /// instance group is the machines it owns.
    fn machine_ids(&self, type_name: &str, state: &Value) -> Vec<String> {
        match type_name {
            INSTANCE | MACHINE_RECORD | PHYSICAL_MACHINE => state
                .get_attr("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(|id| vec![id.to_string()])
                .unwrap_or_default(),
            INSTANCE_GROUP => super::instance_group::owned_ids(state),
            _ => Vec::new(),
        }
    }
}
