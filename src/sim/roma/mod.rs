//! The Huawei ROMA Connect simulator (seed 002): `GET /v2/{project_id}/instances`
//! (CheckRomaInstanceListV2) and the IAM token endpoint `POST /v3/auth/tokens` it needs
//! (reference Part 2), on one port.
//!
//! The cloud is read-only: its instances come from a JSON file or a deterministic
//! generator and live in memory. What the simulator decides where the seed is silent is
//! in `docs/simulators.md`.

pub mod errors;
mod iam;
mod inspect;
pub mod instances;
pub mod inventory;
mod knobs;
pub mod model;
mod routes;
mod simulator;

pub use iam::{NO_SUCH_PROJECT, WRONG_CREDENTIALS};
pub use knobs::{Knobs, DEFAULT_TOKEN_TTL_S};
pub use routes::router;
pub use simulator::{
    SimOptions, Simulator, DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID,
    DEFAULT_PROJECT_NAME, DEFAULT_USER,
};

use crate::sim::{serve, SimError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// An inventory file an embedded simulator loads from its state directory when present.
pub const INVENTORY_FILE: &str = "roma-inventory.json";

fn embedded() -> &'static Mutex<HashMap<PathBuf, SocketAddr>> {
    static EMBEDDED: OnceLock<Mutex<HashMap<PathBuf, SocketAddr>>> = OnceLock::new();
    EMBEDDED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Starts (or reuses) the simulator for `endpoint = "embedded"` with the default
/// account: instances from `state_dir/roma-inventory.json` when it exists, else the
/// generated default set; served on 127.0.0.1 at an ephemeral port on its own thread
/// and runtime. A second call with the same directory returns the same address.
pub fn start_embedded(state_dir: &Path) -> Result<SocketAddr, SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create simulator state directory {}", state_dir.display()),
        source: e,
    })?;
    let dir = state_dir.canonicalize().map_err(|e| SimError::Io {
        context: format!("resolve {}", state_dir.display()),
        source: e,
    })?;
    let mut running = embedded().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(addr) = running.get(&dir) {
        return Ok(*addr);
    }
    let file = dir.join(INVENTORY_FILE);
    let instances = if file.exists() {
        Some(
            inventory::load(&file).map_err(|message| SimError::CorruptState {
                path: file.display().to_string(),
                message,
            })?,
        )
    } else {
        None
    };
    let sim = Simulator::open(SimOptions {
        instances,
        ..SimOptions::default()
    })?;
    let addr = super::server::serve_on_own_thread("roma-sim", router(sim))?;
    running.insert(dir, addr);
    Ok(addr)
}

/// Starts the simulator as `skyform sim -cloud roma` runs it (its state is in memory);
/// the caller prints the address and waits.
pub async fn start_standalone(
    listen: SocketAddr,
    options: SimOptions,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), SimError> {
    let sim = Simulator::open(options)?;
    serve(router(sim), listen).await
}
