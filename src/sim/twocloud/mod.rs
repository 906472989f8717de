//! The TwoCloud simulator (seed 001): `GET /twocloud/servers` over a read-only inventory,
//! behind HTTP basic auth, with `f`/`t` windows and the usual knobs.
//!
//! What the simulator decides where the seed is silent (error codes and messages, what a
//! window past the end answers, the password check) is in `docs/simulators.md`.

mod answer;
pub mod inventory;
mod knobs;
mod routes;
mod simulator;

pub use inventory::{Inventory, Server};
pub use knobs::Knobs;
pub use routes::{router, SERVERS_ROUTE};
pub use simulator::{SimOptions, Simulator, DEFAULT_MACHINES, DEFAULT_TOKEN};

use crate::sim::{serve, SimError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The inventory file a state directory may hold.
pub const STATE_FILE: &str = "twocloud.json";

fn embedded() -> &'static Mutex<HashMap<PathBuf, SocketAddr>> {
    static EMBEDDED: OnceLock<Mutex<HashMap<PathBuf, SocketAddr>>> = OnceLock::new();
    EMBEDDED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The inventory of a state directory: its `twocloud.json` when there is one, else
/// [`DEFAULT_MACHINES`] generated servers.
pub fn inventory_of(state_dir: &Path) -> Result<Inventory, SimError> {
    let path = state_dir.join(STATE_FILE);
    if path.is_file() {
        Inventory::load(&path).map_err(|message| SimError::BadInventory {
            path: path.display().to_string(),
            message,
        })
    } else {
        Ok(Inventory::generate(DEFAULT_MACHINES))
    }
}

/// Starts (or reuses) the simulator for `endpoint = "embedded"`, with the default token,
/// any password and the state directory's inventory ([`inventory_of`]), on 127.0.0.1 at an
/// ephemeral port. The server runs on its own thread and runtime.
pub fn start_embedded(state_dir: &Path) -> Result<SocketAddr, SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create simulator state directory {}", state_dir.display()),
        source: e,
    })?;
    let dir = state_dir.canonicalize().map_err(|e| SimError::Io {
        context: format!("resolve {}", state_dir.display()),
        source: e,
    })?;
    let key = dir.join(STATE_FILE);
    let mut running = embedded().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(addr) = running.get(&key) {
        return Ok(*addr);
    }
    let sim = Simulator::open(SimOptions {
        inventory: inventory_of(&dir)?,
        ..SimOptions::default()
    })
    .map_err(SimError::Server)?;
    let addr = super::server::serve_on_own_thread("twocloud-sim", router(sim))?;
    running.insert(key, addr);
    Ok(addr)
}

/// Starts the simulator as `skyform sim -cloud twocloud` runs it (list-only: its
/// inventory is given, nothing is written); the caller prints the address and waits.
pub async fn start_standalone(
    listen: SocketAddr,
    options: SimOptions,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), SimError> {
    let sim = Simulator::open(options).map_err(SimError::Server)?;
    serve(router(sim), listen).await
}
