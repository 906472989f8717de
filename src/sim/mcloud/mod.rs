//! The mcloud simulator (seed 003): machine templates ("clusters"), instances,
//! catalogs, logs, physical machines, SSH keys, OpenStack settings and machine
//! counts, over HTTP exactly as the seed describes them.
//!
//! What the simulator decides where the seed is silent is in
//! `docs/simulators.md`.

mod body;
pub mod catalog;
mod catalog_api;
mod clock;
mod counts;
pub mod envelope;
mod inspect;
mod instances;
mod knobs;
mod lifecycle;
mod lockfile;
mod logs;
pub mod model;
mod openstack;
mod phydev;
mod routes;
mod simulator;
mod spec;
mod sshkey;
pub mod status;
mod store;
mod templates;

pub use clock::SimClock;
pub use knobs::{Knobs, THROTTLED_LOG_MARK, THROTTLED_MSG};
// Shared with the jdcloud simulator.
pub(crate) use lockfile::{lock_state, StateLock};
pub use routes::router;
pub use simulator::{SimOptions, Simulator};
pub use status::InstanceStatus;
pub(crate) use store::write_atomic;

use crate::sim::SimError;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Embedded simulators already running in this process, by state file.
fn embedded() -> &'static Mutex<HashMap<PathBuf, SocketAddr>> {
    static EMBEDDED: OnceLock<Mutex<HashMap<PathBuf, SocketAddr>>> = OnceLock::new();
    EMBEDDED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Starts (or reuses) the simulator for `endpoint = "embedded"`: state in
/// `state_dir/mcloud.json`, served on 127.0.0.1 at an ephemeral port.
///
/// The server runs on its own thread and runtime, so it outlives the caller's
/// runtime and can be called from sync or async code. A second call with the
/// same directory returns the same address (one writer per state file).
pub fn start_embedded(state_dir: &Path) -> Result<SocketAddr, SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create simulator state directory {}", state_dir.display()),
        source: e,
    })?;
    let dir = state_dir.canonicalize().map_err(|e| SimError::Io {
        context: format!("resolve {}", state_dir.display()),
        source: e,
    })?;
    let path = dir.join("mcloud.json");
    let mut running = embedded().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(addr) = running.get(&path) {
        return Ok(*addr);
    }
    let sim = Simulator::open(SimOptions {
        persist_path: Some(path.clone()),
        knobs: Knobs::default(),
    })?;
    let addr = super::server::serve_on_own_thread("mcloud-sim", router(sim))?;
    running.insert(path, addr);
    Ok(addr)
}
