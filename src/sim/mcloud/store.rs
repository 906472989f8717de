//! The cloud's state, its indexes, id/IP allocation and persistence.
//!
//! The state file is one JSON document (`CloudState`), written atomically (temporary file,
//! fsync, rename, fsync of the directory); each commit appends only what changed to a journal
//! next to it (`<file>.journal`, one JSON line per commit, fsynced), and the document is
//! rewritten (and the journal emptied) once the journal outgrows it, so a change costs the
//! same whatever the number of machines.

use super::clock;
use super::model::{CountSample, Instance, LogEntry, OpenStackConfig, Template};
use crate::sim::SimError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

/// When a starting machine becomes running (ms), if it is starting.
fn start_due(instance: &Instance) -> Option<i64> {
    match (instance.status, instance.ready_at_ms) {
        (super::status::InstanceStatus::Starting, Some(due)) => Some(due),
        _ => None,
    }
}

/// Written into every state file; a file with another value is refused.
pub const STATE_FORMAT: &str = "skyform-mcloud-sim/1";
/// Oldest log entries are dropped beyond this many.
const MAX_LOGS: usize = 100_000;
/// Oldest machine-count samples are dropped beyond this many.
const MAX_SAMPLES: usize = 20_000;

/// Everything the simulated cloud holds; this is the state file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CloudState {
    pub format: String,
    pub next_template_id: u64,
    pub next_network_id: u64,
    pub next_zone_id: u64,
    pub next_instance_row_id: u64,
    /// Counter behind the private addresses handed out (10.41.0.1, 10.41.0.2, ...).
    pub next_ip: u64,
    /// Counter behind instance ids (a fresh cloud hands out the same id sequence
    /// every time, so runs are reproducible).
    #[serde(default)]
    pub next_id_seq: u64,
    pub templates: BTreeMap<u64, Template>,
    /// Keyed by `InstanceId`.
    pub instances: BTreeMap<String, Instance>,
    pub logs: Vec<LogEntry>,
    pub count_samples: Vec<CountSample>,
    pub openstack: Option<OpenStackConfig>,
    /// The built-in "Physical device" template, made when the first machine is entered.
    pub phydev_template_id: Option<u64>,
    /// The last journal record this document includes (records up to it are not replayed).
    #[serde(default)]
    pub journal_seq: u64,
}

impl CloudState {
    fn empty(now_ms: i64) -> CloudState {
        CloudState {
            format: STATE_FORMAT.to_string(),
            next_template_id: 1,
            next_network_id: 1,
            next_zone_id: 1,
            next_instance_row_id: 1,
            next_ip: 0,
            next_id_seq: 0,
            templates: BTreeMap::new(),
            instances: BTreeMap::new(),
            logs: Vec::new(),
            count_samples: vec![CountSample {
                at_ms: now_ms,
                counts: Vec::new(),
            }],
            openstack: None,
            phydev_template_id: None,
            journal_seq: 0,
        }
    }
}

/// The state plus in-memory indexes and a version bumped by every mutation. The indexes
/// make every per-request step independent of the number of machines: an address finds its
/// machine by hash, and only machines whose start is due are settled.
#[derive(Debug)]
pub struct Store {
    pub cloud: CloudState,
    /// Every private and public address in use, and the `InstanceId` using it.
    ips: HashMap<String, String>,
    /// Machines still starting, by the instant (ms) they become running.
    starting: BTreeSet<(i64, String)>,
    /// Machines changed in place since the last settle, to be (re)indexed in `starting`.
    changed: Vec<String>,
    version: u64,
    /// Instances changed since the last journal record (removed ones included).
    dirty: BTreeSet<String>,
    /// Log entries and count samples appended since the last journal record.
    new_logs: usize,
    new_samples: usize,
    /// Machines per provider (kept as instances come and go, for the count samples).
    per_provider: BTreeMap<String, u64>,
}

/// One journal line: what changed since the previous one. Instances by id (`null`: removed),
/// the appended log entries and count samples, and the small parts whole.
#[derive(Debug, Serialize, Deserialize)]
pub struct JournalRecord {
    pub seq: u64,
    pub next_template_id: u64,
    pub next_network_id: u64,
    pub next_zone_id: u64,
    pub next_instance_row_id: u64,
    pub next_ip: u64,
    pub next_id_seq: u64,
    pub templates: BTreeMap<u64, Template>,
    pub instances: BTreeMap<String, Option<Instance>>,
    pub logs: Vec<LogEntry>,
    pub count_samples: Vec<CountSample>,
    pub openstack: Option<OpenStackConfig>,
    pub phydev_template_id: Option<u64>,
}

impl Store {
    /// An empty cloud.
    pub fn empty(now_ms: i64) -> Store {
        Store::from_cloud(CloudState::empty(now_ms))
    }

    fn from_cloud(cloud: CloudState) -> Store {
        let mut ips = HashMap::new();
        let mut starting = BTreeSet::new();
        for instance in cloud.instances.values() {
            for ip in [&instance.private_ip, &instance.public_ip] {
                if !ip.is_empty() {
                    ips.insert(ip.clone(), instance.instance_id.clone());
                }
            }
            if let Some(due) = start_due(instance) {
                starting.insert((due, instance.instance_id.clone()));
            }
        }
        let mut per_provider = BTreeMap::new();
        for instance in cloud.instances.values() {
            *per_provider.entry(instance.provider.clone()).or_default() += 1;
        }
        Store {
            cloud,
            ips,
            starting,
            changed: Vec::new(),
            version: 0,
            dirty: BTreeSet::new(),
            new_logs: 0,
            new_samples: 0,
            per_provider,
        }
    }

    /// The changes since the previous record, as the next journal record; `seq` is its number.
    pub fn take_journal_record(&mut self, seq: u64) -> JournalRecord {
        let c = &self.cloud;
        let instances = std::mem::take(&mut self.dirty)
            .into_iter()
            .map(|id| {
                let now = c.instances.get(&id).cloned();
                (id, now)
            })
            .collect();
        let logs = c.logs[c.logs.len().saturating_sub(self.new_logs)..].to_vec();
        let samples =
            c.count_samples[c.count_samples.len().saturating_sub(self.new_samples)..].to_vec();
        self.new_logs = 0;
        self.new_samples = 0;
        JournalRecord {
            seq,
            next_template_id: c.next_template_id,
            next_network_id: c.next_network_id,
            next_zone_id: c.next_zone_id,
            next_instance_row_id: c.next_instance_row_id,
            next_ip: c.next_ip,
            next_id_seq: c.next_id_seq,
            templates: c.templates.clone(),
            instances,
            logs,
            count_samples: samples,
            openstack: c.openstack.clone(),
            phydev_template_id: c.phydev_template_id,
        }
    }

    /// Applies a journal record to a loaded document (records it already includes are skipped).
    pub fn replay(cloud: &mut CloudState, r: JournalRecord) {
        if r.seq <= cloud.journal_seq {
            return;
        }
        cloud.journal_seq = r.seq;
        cloud.next_template_id = r.next_template_id;
        cloud.next_network_id = r.next_network_id;
        cloud.next_zone_id = r.next_zone_id;
        cloud.next_instance_row_id = r.next_instance_row_id;
        cloud.next_ip = r.next_ip;
        cloud.next_id_seq = r.next_id_seq;
        cloud.templates = r.templates;
        for (id, instance) in r.instances {
            match instance {
                Some(i) => cloud.instances.insert(id, i),
                None => cloud.instances.remove(&id),
            };
        }
        cloud.logs.extend(r.logs);
        if cloud.logs.len() > MAX_LOGS {
            let excess = cloud.logs.len() - MAX_LOGS;
            cloud.logs.drain(..excess);
        }
        cloud.count_samples.extend(r.count_samples);
        if cloud.count_samples.len() > MAX_SAMPLES {
            let excess = cloud.count_samples.len() - MAX_SAMPLES;
            cloud.count_samples.drain(..excess);
        }
        cloud.openstack = r.openstack;
        cloud.phydev_template_id = r.phydev_template_id;
    }

    /// An instance to change in place (recorded for the journal).
    pub fn instance_mut(&mut self, instance_id: &str) -> Option<&mut Instance> {
        let found = self.cloud.instances.get_mut(instance_id)?;
        self.dirty.insert(instance_id.to_string());
        self.changed.push(instance_id.to_string());
        Some(found)
    }

    /// Loads `path`, or starts an empty cloud when the file does not exist.
    pub fn load(path: &Path, now_ms: i64) -> Result<Store, SimError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Store::empty(now_ms)),
            Err(e) => {
                return Err(SimError::Io {
                    context: format!("read simulator state {}", path.display()),
                    source: e,
                })
            }
        };
        let corrupt = |message: String| SimError::CorruptState {
            path: path.display().to_string(),
            message,
        };
        let mut cloud: CloudState =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        // The journal of changes since the document was written; a torn last line (a crash
        // while appending) is ignored: its change was never acknowledged.
        if let Ok(journal) = std::fs::read(journal_path(path)) {
            for line in journal.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                match serde_json::from_slice::<JournalRecord>(line) {
                    Ok(r) => Store::replay(&mut cloud, r),
                    Err(_) => break,
                }
            }
        }
        if cloud.format != STATE_FORMAT {
            return Err(corrupt(format!(
                "format is {:?}, expected {STATE_FORMAT:?}",
                cloud.format
            )));
        }
        Ok(Store::from_cloud(cloud))
    }

    /// The mutation counter (0 right after open).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Marks the state changed so the next commit writes it.
    pub fn touch(&mut self) {
        self.version += 1;
    }

    /// Applies finished start transitions (called before every read or change): only the
    /// machines whose start is due, found in the `starting` index, not a pass over all.
    pub fn settle(&mut self, now_ms: i64) {
        for id in std::mem::take(&mut self.changed) {
            if let Some(due) = self.cloud.instances.get(&id).and_then(start_due) {
                self.starting.insert((due, id));
            }
        }
        while let Some((due, id)) = self.starting.first().cloned() {
            if due > now_ms {
                break;
            }
            self.starting.pop_first();
            if let Some(instance) = self.cloud.instances.get_mut(&id) {
                instance.settle(now_ms);
            }
        }
    }

    /// Whether an address is taken by any machine.
    pub fn ip_in_use(&self, ip: &str) -> bool {
        self.ips.contains_key(ip)
    }

    /// A fresh, unused instance id: `i-` and 20 lower-case letters and digits,
    /// drawn from a counter so that a fresh cloud gives the same sequence.
    pub fn new_instance_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        loop {
            let seq = self.cloud.next_id_seq;
            self.cloud.next_id_seq = seq.wrapping_add(1);
            let mut state = seq ^ 0x5eed_0003_f401_96b8;
            let mut suffix = String::with_capacity(20);
            let mut bits = 0u64;
            for i in 0..20 {
                if i % 12 == 0 {
                    bits = splitmix64(&mut state);
                }
                suffix.push(char::from(ALPHABET[(bits % 36) as usize]));
                bits /= 36;
            }
            let id = format!("i-{suffix}");
            if !self.cloud.instances.contains_key(&id) {
                return id;
            }
        }
    }

    /// The next unused private address in 10.41.0.0/16 upwards.
    pub fn new_private_ip(&mut self) -> String {
        loop {
            let n = self.cloud.next_ip;
            self.cloud.next_ip = n.wrapping_add(1);
            let ip = format!(
                "10.{}.{}.{}",
                41 + (n / (256 * 254)) % 200,
                (n / 254) % 256,
                n % 254 + 1
            );
            if !self.ips.contains_key(&ip) {
                return ip;
            }
        }
    }

    /// A public address shaped like the provider's (none for OpenStack), derived
    /// from the private one so it is unique too.
    pub fn public_ip_for(&self, provider: &str, private_ip: &str) -> String {
        let first = match provider {
            "aliyun" => "47",
            "aws" => "52",
            _ => return String::new(),
        };
        let rest: Vec<&str> = private_ip.split('.').skip(1).collect();
        let candidate = format!("{first}.{}", rest.join("."));
        if self.ips.contains_key(&candidate) {
            String::new()
        } else {
            candidate
        }
    }

    /// Adds an instance and indexes its addresses.
    pub fn insert_instance(&mut self, instance: Instance) {
        for ip in [&instance.private_ip, &instance.public_ip] {
            if !ip.is_empty() {
                self.ips.insert(ip.clone(), instance.instance_id.clone());
            }
        }
        self.dirty.insert(instance.instance_id.clone());
        self.changed.push(instance.instance_id.clone());
        if let Some(old) = self.cloud.instances.get(&instance.instance_id) {
            if let Some(n) = self.per_provider.get_mut(&old.provider) {
                *n = n.saturating_sub(1);
            }
        }
        *self
            .per_provider
            .entry(instance.provider.clone())
            .or_default() += 1;
        self.cloud
            .instances
            .insert(instance.instance_id.clone(), instance);
    }

    /// Removes an instance and frees its addresses.
    pub fn remove_instance(&mut self, instance_id: &str) -> Option<Instance> {
        let removed = self.cloud.instances.remove(instance_id)?;
        for ip in [&removed.private_ip, &removed.public_ip] {
            if self.ips.get(ip).is_some_and(|owner| owner == instance_id) {
                self.ips.remove(ip);
            }
        }
        self.dirty.insert(instance_id.to_string());
        if let Some(n) = self.per_provider.get_mut(&removed.provider) {
            *n = n.saturating_sub(1);
        }
        Some(removed)
    }

    /// The next row id for an instance.
    pub fn next_instance_row(&mut self) -> u64 {
        let id = self.cloud.next_instance_row_id;
        self.cloud.next_instance_row_id += 1;
        id
    }

    /// A template that exists (not deleted).
    pub fn live_template(&self, id: u64) -> Option<&Template> {
        self.cloud.templates.get(&id).filter(|t| !t.is_deleted())
    }

    /// The instance by `InstanceId`.
    pub fn instance(&self, instance_id: &str) -> Option<&Instance> {
        self.cloud.instances.get(instance_id)
    }

    /// The instance whose private or public address is `ip`.
    pub fn instance_by_ip(&self, ip: &str) -> Option<&Instance> {
        if ip.is_empty() {
            return None;
        }
        let id = self.ips.get(ip)?;
        self.cloud.instances.get(id)
    }

    /// An instance as the API shows it (its template embedded).
    pub fn instance_wire(&self, instance: &Instance, now_ms: i64) -> serde_json::Value {
        let cluster = instance
            .cluster_id
            .and_then(|id| self.cloud.templates.get(&id));
        instance.to_wire(cluster, now_ms)
    }

    /// All instances in row-id order.
    pub fn instances_by_row(&self) -> Vec<&Instance> {
        let mut all: Vec<&Instance> = self.cloud.instances.values().collect();
        all.sort_by_key(|i| i.row_id);
        all
    }

    /// Records a log line when the call carried a correlation id.
    pub fn log(
        &mut self,
        correlation_id: Option<&str>,
        instance_id: &str,
        action: &str,
        message: String,
        now_ms: i64,
    ) {
        let Some(correlation_id) = correlation_id else {
            return;
        };
        if self.cloud.logs.len() >= MAX_LOGS {
            let excess = self.cloud.logs.len() + 1 - MAX_LOGS;
            self.cloud.logs.drain(..excess);
        }
        self.new_logs = (self.new_logs + 1).min(MAX_LOGS);
        self.cloud.logs.push(LogEntry {
            correlation_id: correlation_id.to_string(),
            instance_id: instance_id.to_string(),
            action: action.to_string(),
            message,
            time: clock::create_time(now_ms),
        });
    }

    /// Appends a machine-count sample if the counts changed since the last one.
    pub fn record_counts(&mut self, now_ms: i64) {
        let counts: Vec<(String, u64)> = self
            .per_provider
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(p, n)| (p.clone(), *n))
            .collect();
        if self.cloud.count_samples.last().map(|s| &s.counts) == Some(&counts) {
            return;
        }
        if self.cloud.count_samples.len() >= MAX_SAMPLES {
            self.cloud.count_samples.remove(0);
        }
        self.new_samples = (self.new_samples + 1).min(MAX_SAMPLES);
        self.cloud.count_samples.push(CountSample {
            at_ms: now_ms,
            counts,
        });
    }
}

/// One step of the SplitMix64 generator (well-mixed bits from a counter).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The journal next to a state file: `<path>.journal`.
pub fn journal_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".journal");
    std::path::PathBuf::from(name)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, fsync, rename over `path`, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_string());
    let tmp = dir.join(format!(".{file_name}.tmp"));
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(dir_handle) = std::fs::File::open(dir) {
        let _ = dir_handle.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::status::InstanceStatus;
    use super::*;
    use std::collections::HashSet;

    fn machine(store: &mut Store, ready_at_ms: Option<i64>) -> Instance {
        let private_ip = store.new_private_ip();
        let instance = Instance {
            row_id: store.next_instance_row(),
            instance_id: store.new_instance_id(),
            cluster_id: None,
            provider: "aliyun".to_string(),
            create_time: String::new(),
            cpu: 1,
            ram: 1,
            image_id: String::new(),
            instance_type: String::new(),
            key_name: String::new(),
            vpc_id: String::new(),
            subnet_id: String::new(),
            security_group_id: String::new(),
            region_id: String::new(),
            zone_id: String::new(),
            data_disk_num: 1,
            data_disk_size: 100,
            data_disk_category: String::new(),
            system_disk_category: String::new(),
            cost_way: String::new(),
            public_ip: store.public_ip_for("aliyun", &private_ip),
            private_ip,
            status: if ready_at_ms.is_some() {
                InstanceStatus::Starting
            } else {
                InstanceStatus::Running
            },
            ready_at_ms,
            ssh_key: None,
            password: None,
        };
        store.insert_instance(instance.clone());
        instance
    }

    #[test]
    fn addresses_find_their_machine_and_starts_settle_when_due() {
        let mut store = Store::empty(0);
        let running = machine(&mut store, None);
        let early = machine(&mut store, Some(100));
        let late = machine(&mut store, Some(200));
        for m in [&running, &early, &late] {
            for ip in [&m.private_ip, &m.public_ip] {
                let found = store.instance_by_ip(ip).map(|i| i.instance_id.clone());
                assert_eq!(found.as_ref(), Some(&m.instance_id), "{ip}");
            }
        }
        let status = |store: &Store, m: &Instance| store.instance(&m.instance_id).map(|i| i.status);
        store.settle(150);
        assert_eq!(status(&store, &early), Some(InstanceStatus::Running));
        assert_eq!(status(&store, &late), Some(InstanceStatus::Starting));
        assert_eq!(
            store.starting.len(),
            1,
            "only the late start is still indexed"
        );
        // A machine restarted in place is indexed again by its new due time.
        if let Some(i) = store.instance_mut(&early.instance_id) {
            i.status = InstanceStatus::Starting;
            i.ready_at_ms = Some(300);
        }
        store.settle(250);
        assert_eq!(status(&store, &late), Some(InstanceStatus::Running));
        assert_eq!(status(&store, &early), Some(InstanceStatus::Starting));
        store.settle(300);
        assert_eq!(status(&store, &early), Some(InstanceStatus::Running));
        assert!(store.starting.is_empty());
        // A removed machine frees its addresses.
        store.remove_instance(&late.instance_id);
        assert!(store.instance_by_ip(&late.private_ip).is_none());
        assert!(!store.ip_in_use(&late.public_ip));
        assert!(store.ip_in_use(&running.private_ip));
    }

    #[test]
    fn private_addresses_stay_unique_past_a_block() {
        let mut store = Store::empty(0);
        let mut seen = HashSet::new();
        for _ in 0..70_000 {
            let ip = store.new_private_ip();
            assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{ip}");
            assert!(seen.insert(ip));
        }
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { return };
        let path = dir.path().join("state.json");
        assert!(write_atomic(&path, b"one").is_ok());
        assert!(write_atomic(&path, b"two").is_ok());
        assert_eq!(std::fs::read(&path).ok(), Some(b"two".to_vec()));
        assert_eq!(
            std::fs::read_dir(dir.path()).map(|d| d.count()).ok(),
            Some(1)
        );
    }

    #[test]
    fn instance_ids_have_the_seed_shape_and_repeat_per_fresh_cloud() {
        let mut store = Store::empty(0);
        let mut again = Store::empty(0);
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let id = store.new_instance_id();
            assert_eq!(id.len(), 22);
            assert!(id.starts_with("i-"));
            assert!(id[2..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
            assert_eq!(again.new_instance_id(), id);
            assert!(seen.insert(id));
        }
    }
}
