//! What jdcloud adds to `skyform inventory`: every instance of the region from
//! `describeInstances` (all pages, 100 a page), adoptable as `jdcloud_instance`.

use super::client::{Call, Client};
use super::wire::Instance;
use crate::lang::Value;
use crate::provider::inventory::{InventorySource, ListedMachine};
use crate::provider::ProviderError;
use async_trait::async_trait;

pub struct JdcloudInventory;

#[async_trait]
impl InventorySource<Client> for JdcloudInventory {
    async fn list(&self, client: &Client) -> Result<Vec<ListedMachine>, ProviderError> {
        let call = Call::get("describeInstances", "/instances");
        let all: Vec<Instance> = client.all_pages(&call, "instances").await?;
        Ok(all
            .into_iter()
            .map(|i| ListedMachine {
                resource_type: Some(super::instance::TYPE.to_string()),
                id: i.instance_id,
                name: i.instance_name,
                address: if i.private_ip_address.is_empty() {
                    i.elastic_ip_address
                } else {
                    i.private_ip_address
                },
                status: i.status,
            })
            .collect())
    }

    /// A `jdcloud_instance` is the machine whose instanceId is its `id`.
    fn machine_ids(&self, type_name: &str, state: &Value) -> Vec<String> {
        if type_name != super::instance::TYPE {
            return Vec::new();
        }
        state
            .get_attr("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(|id| vec![id.to_string()])
            .unwrap_or_default()
    }
}
