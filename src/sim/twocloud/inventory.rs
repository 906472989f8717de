//! The simulated cloud's servers: loaded from a JSON file (`-twocloud-inventory FILE`,
//! or `twocloud.json` in the state directory) or generated (`-twocloud-machines N`),
//! indexed by tenant, region and party so that a window is answered without scanning.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One server and the scope it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub tenant_id: String,
    pub region: String,
    pub party: String,
    pub instance_name: String,
    pub instance_id: String,
    pub cpu_num: i64,
    pub mem_size: i64,
    pub disk_size: i64,
    /// Comma-separated private IPs, as the seed's example sends them.
    #[serde(default)]
    pub lan_ip_set: String,
    /// Comma-separated public IPs, as the seed's example sends them.
    #[serde(default)]
    pub wan_ip_set: String,
    pub status: String,
    pub create_at: String,
    pub update_at: String,
}

impl Server {
    /// The entry of `vm_servers`: the seed's fields in the seed's order.
    pub fn wire(&self) -> Value {
        json!({
            "instance_name": self.instance_name,
            "instance_id": self.instance_id,
            "cpu_num": self.cpu_num,
            "mem_size": self.mem_size,
            "disk_size": self.disk_size,
            "lan_ip_set": self.lan_ip_set,
            "wan_ip_set": self.wan_ip_set,
            "status": self.status,
            "create_at": self.create_at,
            "update_at": self.update_at,
        })
    }
}

/// The file format: `{"servers": [Server, ...]}`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct File {
    servers: Vec<Server>,
}

type ScopeKey = (String, String, String);

/// Every server, in listing order, with an index per scope.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    servers: Vec<Server>,
    by_scope: HashMap<ScopeKey, Vec<usize>>,
}

impl Inventory {
    /// Checks and indexes `servers`: every scope part and id set, ids unique.
    pub fn new(servers: Vec<Server>) -> Result<Inventory, String> {
        let mut ids = HashSet::new();
        let mut by_scope: HashMap<ScopeKey, Vec<usize>> = HashMap::new();
        for (i, s) in servers.iter().enumerate() {
            for (field, value) in [
                ("tenant_id", &s.tenant_id),
                ("region", &s.region),
                ("party", &s.party),
                ("instance_id", &s.instance_id),
            ] {
                if value.trim().is_empty() {
                    return Err(format!("servers[{i}]: {field} is empty"));
                }
            }
            if !ids.insert(s.instance_id.as_str()) {
                return Err(format!(
                    "servers[{i}]: instance_id {:?} appears twice",
                    s.instance_id
                ));
            }
            by_scope
                .entry((s.tenant_id.clone(), s.region.clone(), s.party.clone()))
                .or_default()
                .push(i);
        }
        Ok(Inventory { servers, by_scope })
    }

    /// Reads an inventory file; the error names the file and what is wrong.
    pub fn load(path: &Path) -> Result<Inventory, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: {e}; expected {{\"servers\": [{{\"tenant_id\", \"region\", \"party\", \"instance_name\", \"instance_id\", \"cpu_num\", \"mem_size\", \"disk_size\", \"lan_ip_set\", \"wan_ip_set\", \"status\", \"create_at\", \"update_at\"}}, ...]}}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        Inventory::new(file.servers).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Every server, in listing order.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// The servers of one scope, in listing order.
    pub fn scope(&self, tenant_id: &str, region: &str, party: &str) -> Vec<&Server> {
        let key = (tenant_id.to_string(), region.to_string(), party.to_string());
        self.by_scope
            .get(&key)
            .map(|ixs| ixs.iter().map(|&i| &self.servers[i]).collect())
            .unwrap_or_default()
    }

    /// At most `take` servers of one scope from position `skip` (0-based), in listing order.
    /// Slices the scope's index, so a window costs its own size, not the scope's.
    pub fn window(&self, scope: (&str, &str, &str), skip: usize, take: usize) -> Vec<&Server> {
        let key = (
            scope.0.to_string(),
            scope.1.to_string(),
            scope.2.to_string(),
        );
        let Some(ixs) = self.by_scope.get(&key) else {
            return Vec::new();
        };
        let start = skip.min(ixs.len());
        let end = start.saturating_add(take).min(ixs.len());
        ixs[start..end].iter().map(|&i| &self.servers[i]).collect()
    }

    /// The inventory as its file format (for `GET /_sim/state`).
    pub fn to_json(&self) -> Value {
        json!({ "servers": self.servers })
    }

    /// `n` deterministic servers spread over tenants 123 and 456, regions gz and bj and
    /// parties qcloud and aliyun (server i is in scope i mod 8), with roles, sizes, IPs,
    /// statuses (every tenth of a scope SHUTOFF, another ERROR) and dates that follow from i.
    pub fn generate(n: usize) -> Inventory {
        let servers = (0..n).map(generated).collect();
        // Generated ids are unique by construction.
        Inventory::new(servers).unwrap_or_default()
    }
}

const TENANTS: [&str; 2] = ["123", "456"];
const REGIONS: [&str; 2] = ["gz", "bj"];
const PARTIES: [&str; 2] = ["qcloud", "aliyun"];
const ROLES: [&str; 3] = ["web", "db", "cache"];

/// A fixed bijective scramble of `i` (splitmix64's finaliser), for ids that look random.
fn scramble(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn generated(i: usize) -> Server {
    let scope = i % 8;
    let nth = i / 8; // position within its scope
    let region = REGIONS[(scope / 2) % 2];
    let cpu = [1, 2, 4, 8][(i / 3) % 4];
    let (hi, lo) = ((i / 250) % 256, i % 250 + 2);
    let mut lan = format!("10.{scope}.{hi}.{lo}");
    if i.is_multiple_of(5) {
        lan.push_str(&format!(",192.168.{hi}.{lo}"));
    }
    let wan = if i % 4 == 3 {
        String::new()
    } else {
        format!("122.22.{hi}.{lo}")
    };
    let status = match nth % 10 {
        7 => "SHUTOFF",
        9 => "ERROR",
        _ => "ACTIVE",
    };
    let base = chrono::NaiveDate::from_ymd_opt(2016, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let created = base + chrono::Duration::seconds(i as i64 * 3607);
    let updated = created + chrono::Duration::seconds(86_400 + i as i64 * 13);
    let fmt = "%Y-%m-%d %H:%M:%S";
    Server {
        tenant_id: TENANTS[scope % 2].to_string(),
        region: region.to_string(),
        party: PARTIES[scope / 4].to_string(),
        instance_name: format!("{}-{region}-{i:04}", ROLES[nth % 3]),
        instance_id: format!("tc{i:05}{:08x}", scramble(i as u64) as u32),
        cpu_num: cpu,
        mem_size: cpu * 2,
        disk_size: [20, 40, 100][i % 3],
        lan_ip_set: lan,
        wan_ip_set: wan,
        status: status.to_string(),
        create_at: created.format(fmt).to_string(),
        update_at: updated.format(fmt).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_servers_are_spread_and_deterministic() {
        let inv = Inventory::generate(80);
        assert_eq!(inv.servers().len(), 80);
        let gz = inv.scope("123", "gz", "qcloud");
        assert_eq!(gz.len(), 10);
        assert_eq!(gz[7].status, "SHUTOFF");
        assert_eq!(gz[9].status, "ERROR");
        assert_eq!(Inventory::generate(80).servers(), inv.servers());
        assert!(inv.scope("999", "gz", "qcloud").is_empty());
        let w = inv.window(("123", "gz", "qcloud"), 8, 5);
        assert_eq!(w, gz[8..].to_vec());
        assert!(inv
            .window(("123", "gz", "qcloud"), 10, usize::MAX)
            .is_empty());
        let mut twice = inv.servers().to_vec();
        twice.push(twice[0].clone());
        let e = Inventory::new(twice).expect_err("duplicate");
        assert!(e.contains("servers[80]: instance_id"), "{e}");
    }
}
