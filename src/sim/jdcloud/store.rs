//! The cloud's state machine: transitions that finish with time (applied
//! lazily, before every request), ids, and address allocation.

use super::errors::ApiError;
use super::model::{Cloud, Instance, GONE};
use rand::Rng;
use std::net::Ipv4Addr;

/// How long a `detached` data-disk entry stays listed on its instance (the
/// Terraform waiter polls for `detached`, so it must not vanish at once).
pub const DETACHED_KEEP_MS: i64 = 60_000;

/// Status names.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const RUNNING: &str = "running";
    pub const STOPPING: &str = "stopping";
    pub const STOPPED: &str = "stopped";
    pub const STARTING: &str = "starting";
    pub const REBOOTING: &str = "rebooting";
    pub const REBUILDING: &str = "rebuilding";
    pub const RESIZING: &str = "resizing";
    pub const DELETING: &str = "deleting";
    pub const ERROR: &str = "error";
    pub const READY: &str = "ready";
}

impl Cloud {
    /// Applies every transition due at `now`.
    pub fn settle(&mut self, now: i64) {
        let mut gone: Vec<String> = Vec::new();
        let mut freed_disks: Vec<String> = Vec::new();
        for instance in self.instances.values_mut() {
            if instance.task.as_ref().is_some_and(|t| t.until_ms <= now) {
                instance.task = None;
            }
            for disk in &mut instance.data_disks {
                let Some(until) = disk.until_ms.filter(|u| *u <= now) else {
                    continue;
                };
                match disk.status.as_str() {
                    "attaching" => {
                        disk.status = "attached".into();
                        disk.until_ms = None;
                    }
                    "detaching" => {
                        disk.status = "detached".into();
                        disk.until_ms = Some(until + DETACHED_KEEP_MS);
                        freed_disks.push(disk.disk_id.clone());
                    }
                    _ => disk.until_ms = Some(i64::MIN),
                }
            }
            instance
                .data_disks
                .retain(|d| !(d.status == "detached" && d.until_ms == Some(i64::MIN)));
            if let Some(t) = instance.transition.clone().filter(|t| t.at_ms <= now) {
                instance.transition = None;
                if t.to == GONE {
                    gone.push(instance.instance_id.clone());
                } else {
                    instance.status = t.to;
                }
            }
            if instance.status == status::ERROR
                && instance.failed_remove_at_ms.is_some_and(|at| at <= now)
            {
                gone.push(instance.instance_id.clone());
            }
        }
        for id in freed_disks {
            if let Some(disk) = self.disks.get_mut(&id) {
                disk.status = "available".into();
                disk.instance_id.clear();
            }
        }
        for id in gone {
            self.remove_instance(&id);
        }
        let mut gone_images = Vec::new();
        for image in self.images.values_mut() {
            if let Some(t) = image.transition.clone().filter(|t| t.at_ms <= now) {
                image.transition = None;
                if t.to == GONE {
                    gone_images.push(image.image_id.clone());
                } else {
                    image.status = t.to;
                }
            }
        }
        for id in gone_images {
            self.images.remove(&id);
        }
    }

    /// Removes a deleted instance and what goes with it (reference 1.7 deleteInstance).
    fn remove_instance(&mut self, id: &str) {
        let Some(instance) = self.instances.remove(id) else {
            return;
        };
        if instance.system_disk.category == "cloud" {
            self.disks.remove(&instance.system_disk.disk_id);
        }
        for attached in &instance.data_disks {
            if attached.status == "detached" {
                continue;
            }
            if attached.auto_delete {
                self.disks.remove(&attached.disk_id);
            } else if let Some(disk) = self.disks.get_mut(&attached.disk_id) {
                disk.status = "available".into();
                disk.instance_id.clear();
            }
        }
        for nic_id in &instance.secondary_nics {
            let delete = self
                .network_interfaces
                .get(nic_id)
                .is_some_and(|n| n.auto_delete);
            if delete {
                self.drop_nic_with_eip(nic_id, false);
            } else if let Some(nic) = self.network_interfaces.get_mut(nic_id) {
                nic.instance_id.clear();
                nic.device_index = 0;
                nic.auto_delete = false;
            }
        }
        let primary = instance.primary_nic.clone();
        self.drop_nic_with_eip(&primary, instance.delete_elastic_ip);
    }

    /// Deletes a NIC; its elastic IP is released (`delete_eip`) or unbound.
    fn drop_nic_with_eip(&mut self, nic_id: &str, delete_eip: bool) {
        let Some(nic) = self.network_interfaces.remove(nic_id) else {
            return;
        };
        if nic.elastic_ip_id.is_empty() {
            return;
        }
        if delete_eip {
            self.elastic_ips.remove(&nic.elastic_ip_id);
        } else if let Some(eip) = self.elastic_ips.get_mut(&nic.elastic_ip_id) {
            eip.instance_id.clear();
            eip.network_interface_id.clear();
            eip.private_ip_address.clear();
        }
    }

    /// The next creation sequence number.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// An instance of `region` by id, or 404.
    pub fn instance(&self, region: &str, id: &str) -> Result<&Instance, ApiError> {
        self.instances
            .get(id)
            .filter(|i| i.region == region)
            .ok_or_else(|| ApiError::not_found("instance", id))
    }

    pub fn instance_mut(&mut self, region: &str, id: &str) -> Result<&mut Instance, ApiError> {
        self.instances
            .get_mut(id)
            .filter(|i| i.region == region)
            .ok_or_else(|| ApiError::not_found("instance", id))
    }

    /// `n` free addresses in `cidr` (from .3 up), avoiding every NIC's addresses.
    pub fn free_ips(&self, cidr: &str, n: usize) -> Option<Vec<String>> {
        let (net, len) = parse_cidr(cidr)?;
        let size: u32 = 1u32.checked_shl(32 - len).unwrap_or(0);
        let used = self.used_ips();
        let found: Vec<String> = (3..size.saturating_sub(1))
            .map(|h| Ipv4Addr::from(net + h).to_string())
            .filter(|ip| !used.contains(ip))
            .take(n)
            .collect();
        (found.len() == n).then_some(found)
    }

    pub fn used_ips(&self) -> Vec<String> {
        self.network_interfaces
            .values()
            .flat_map(|n| std::iter::once(n.primary_ip.clone()).chain(n.secondary_ips.clone()))
            .collect()
    }

    /// A free public address for a new elastic IP.
    pub fn free_public_ip(&self) -> String {
        let used: Vec<&str> = self
            .elastic_ips
            .values()
            .map(|e| e.elastic_ip_address.as_str())
            .collect();
        (0u32..65_000)
            .map(|n| format!("116.196.{}.{}", 1 + n / 250, 1 + n % 250))
            .find(|a| !used.contains(&a.as_str()))
            .unwrap_or_else(|| "116.196.255.255".into())
    }
}

/// `(network as u32, prefix length)` of an IPv4 CIDR.
pub fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr: Ipv4Addr = addr.parse().ok()?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 30)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((u32::from(addr) & mask, len))
}

/// Whether `ip` is a host address inside `cidr`.
pub fn in_cidr(ip: &str, cidr: &str) -> bool {
    let (Some((net, len)), Ok(addr)) = (parse_cidr(cidr), ip.parse::<Ipv4Addr>()) else {
        return false;
    };
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(addr) & mask == net
}

/// `prefix` and 10 random lower-case letters and digits, like `i-uvvtdzuxre`.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..10)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}{suffix}")
}

/// A random MAC address in the `fa:16:3e` range.
pub fn new_mac() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "fa:16:3e:{:02x}:{:02x}:{:02x}",
        rng.gen::<u8>(),
        rng.gen::<u8>(),
        rng.gen::<u8>()
    )
}

/// ISO 8601 UTC, `2018-04-05T01:02:03Z`.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_helpers() {
        assert!(in_cidr("10.0.0.5", "10.0.0.0/24"));
        assert!(!in_cidr("10.0.1.5", "10.0.0.0/24"));
        let cloud = Cloud::default();
        assert_eq!(
            cloud.free_ips("10.0.0.0/24", 2),
            Some(vec!["10.0.0.3".to_string(), "10.0.0.4".to_string()])
        );
        assert_eq!(cloud.free_ips("10.0.0.0/30", 2), None);
        assert_eq!(iso(1_522_890_123_000), "2018-04-05T01:02:03Z");
    }
}
