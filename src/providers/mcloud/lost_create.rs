//! Finding the machine of a `POST /v1/instance` whose answer never came.
//!
//! The API acts on a request before it answers, and an answer can be lost (the connection
//! closes, or the request times out, after the request went out). The create names no token
//! that the machine could be found by later, and its answer, the new machine's IP, is what is
//! lost; so without this module such a machine is an orphan, and the next run creates another
//! (found against the independent server of `tests/independent/mcloud_server.py`).
//!
//! The evidence left is the machine itself: one with the create's spec, made by no template,
//! created at or after the moment the request went out, whose IP no other create of this
//! client has answered with. To make that unambiguous, a recovery waits until no create of
//! this client is in flight and holds new ones back while it lists ([`CreateGate`]): every
//! other machine this client made by then is known by its IP. If no such machine exists the
//! request was lost before the server acted, and the caller sends it again.
//!
//! What this cannot tell apart: a machine of the same spec created in the same few seconds
//! by someone else (another process, or a person) through the same API.

use super::api::{Instance, InstanceCreate};
use super::client::Client;
use crate::provider::{ErrorKind, ProviderError};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use tokio::sync::{RwLock, RwLockReadGuard};

/// How far the server's clock may be behind ours (`CreateTime` has whole seconds).
const CLOCK_SLACK: Duration = Duration::from_secs(2);

/// Creates hold it shared while their `POST` is in flight; a recovery holds it alone.
#[derive(Debug, Default)]
pub struct CreateGate {
    gate: RwLock<()>,
    /// IPs this client's creates answered with or recovered: machines that are spoken for.
    claimed: Mutex<HashSet<String>>,
}

impl CreateGate {
    /// Held while one `POST /v1/instance` is in flight.
    pub async fn sending(&self) -> RwLockReadGuard<'_, ()> {
        self.gate.read().await
    }

    /// Records the IP a create answered with (call before the `sending` guard drops).
    pub fn claim(&self, ip: &str) {
        self.claimed_set().insert(ip.to_string());
    }

    fn claimed_set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.claimed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The IP of the machine a create sent at `sent_at` with `spec` made, claimed for it;
    /// `None` when there is none (the request never reached the server).
    pub async fn recover(
        &self,
        client: &Client,
        spec: &InstanceCreate,
        sent_at: SystemTime,
    ) -> Result<Option<String>, ProviderError> {
        let _alone = self.gate.write().await;
        let listed = super::instance::list(client).await?;
        let since = sent_at.checked_sub(CLOCK_SLACK).unwrap_or(sent_at);
        let mut claimed = self.claimed_set();
        let found = listed
            .iter()
            .filter(|i| made_from(i, spec))
            .filter(|i| created_at_or_after(i, since))
            .filter(|i| !claimed.contains(&i.private_ip_address))
            .filter(|i| i.public_ip_address.is_empty() || !claimed.contains(&i.public_ip_address))
            .min_by(|a, b| (&a.create_time, a.id).cmp(&(&b.create_time, b.id)));
        let ip = found.map(|i| {
            if i.private_ip_address.is_empty() {
                i.public_ip_address.clone()
            } else {
                i.private_ip_address.clone()
            }
        });
        if let Some(ip) = &ip {
            claimed.insert(ip.clone());
        }
        Ok(ip.filter(|ip| !ip.is_empty()))
    }
}

/// Whether a failed create may have been acted on: its request went out (the connection
/// did not fail to open) and no answer came back.
pub fn answer_may_be_lost(e: &ProviderError) -> bool {
    e.kind == ErrorKind::Transient
        && e.http_status.is_none()
        && e.code.is_none()
        && !e.message.starts_with("cannot connect")
}

/// A machine made by `POST /v1/instance` with this spec (not expanded from a template).
fn made_from(i: &Instance, spec: &InstanceCreate) -> bool {
    i.cluster.as_ref().is_none_or(|c| c.id == 0)
        && i.provider == spec.provider
        && i.instance_type == spec.instance_type
        && i.image_id == spec.image_id
        && i.region_id == spec.zone.region_name
        && i.zone_id == spec.zone.zone_name
        && i.system_disk_category == spec.system_disk_category
        && i.data_disk_size == spec.data_disk_size
        && i.data_disk_num == spec.data_disk_num
        && i.data_disk_category == spec.data_disk_category
}

/// `CreateTime` (RFC 3339, any offset) is at or after `since`; unreadable times are not.
fn created_at_or_after(i: &Instance, since: SystemTime) -> bool {
    match chrono::DateTime::parse_from_rfc3339(&i.create_time) {
        Ok(t) => SystemTime::from(t) >= since,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::mcloud::api::{Cluster, Zone};

    fn spec() -> InstanceCreate {
        InstanceCreate {
            provider: "aliyun".into(),
            instance_type: "ecs.c2.medium".into(),
            image_id: "img".into(),
            zone: Zone {
                region_name: "cn-beijing".into(),
                zone_name: "cn-beijing-c".into(),
                ..Zone::default()
            },
            system_disk_category: "cloud_efficiency".into(),
            data_disk_size: 100,
            data_disk_num: 1,
            data_disk_category: "cloud_efficiency".into(),
            ..InstanceCreate::default()
        }
    }

    fn machine(create_time: &str) -> Instance {
        Instance {
            provider: "aliyun".into(),
            instance_type: "ecs.c2.medium".into(),
            image_id: "img".into(),
            region_id: "cn-beijing".into(),
            zone_id: "cn-beijing-c".into(),
            system_disk_category: "cloud_efficiency".into(),
            data_disk_size: 100,
            data_disk_num: 1,
            data_disk_category: "cloud_efficiency".into(),
            create_time: create_time.into(),
            ..Instance::default()
        }
    }

    #[test]
    fn a_machine_of_the_spec_and_not_from_a_template_matches() {
        let m = machine("2026-01-01T00:00:00Z");
        assert!(made_from(&m, &spec()));
        let other = Instance {
            data_disk_size: 200,
            ..m.clone()
        };
        assert!(!made_from(&other, &spec()));
        let expanded = Instance {
            cluster: Some(Cluster {
                id: 4,
                ..Cluster::default()
            }),
            ..m
        };
        assert!(!made_from(&expanded, &spec()));
    }

    #[test]
    fn creation_times_with_any_offset_compare_as_instants() {
        let since = SystemTime::from(
            chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time"),
        );
        assert!(created_at_or_after(
            &machine("2026-01-01T08:00:01+08:00"),
            since
        ));
        assert!(!created_at_or_after(
            &machine("2026-01-01T07:59:59+08:00"),
            since
        ));
        assert!(!created_at_or_after(&machine("yesterday"), since));
    }

    #[test]
    fn only_answers_that_may_have_been_acted_on_count_as_lost() {
        let lost = ProviderError::new("mcloud", "POST /v1/instance", "request failed: closed")
            .kind(ErrorKind::Transient);
        assert!(answer_may_be_lost(&lost));
        let refused = ProviderError::new("mcloud", "POST /v1/instance", "cannot connect: x")
            .kind(ErrorKind::Transient);
        assert!(!answer_may_be_lost(&refused));
        let mut service = lost.clone();
        service.code = Some("10999".into());
        assert!(!answer_may_be_lost(&service));
    }
}
