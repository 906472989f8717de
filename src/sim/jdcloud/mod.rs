//! The JD Cloud VM simulator (seed 004): the 35 VM operations with the
//! instance and image state machines, plus the VPC service's subnet and NIC
//! lists, behind JDCLOUD2/JDCLOUD3 signature verification.
//!
//! What the simulator decides where the seed is silent is in
//! `docs/simulators.md`.

pub mod catalogue;
mod ctx;
mod devices;
pub mod errors;
mod images;
mod info;
mod instances;
mod knobs;
pub mod model;
mod query;
mod routes;
mod simulator;
mod store;
pub mod verify;
mod wire;

pub use knobs::Knobs;
pub use routes::router;
pub use simulator::{SimClock, SimOptions, Simulator, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY};

use crate::sim::{serve, SimError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The state file's name inside a state directory.
pub const STATE_FILE: &str = "jdcloud.json";

fn embedded() -> &'static Mutex<HashMap<PathBuf, SocketAddr>> {
    static EMBEDDED: OnceLock<Mutex<HashMap<PathBuf, SocketAddr>>> = OnceLock::new();
    EMBEDDED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Starts (or reuses) the embedded simulator with the default key pair:
/// state in `state_dir/jdcloud.json`, served on 127.0.0.1 at an ephemeral port.
pub fn start_embedded(state_dir: &Path) -> Result<SocketAddr, SimError> {
    start_embedded_with(state_dir, SimOptions::default())
}

/// [`start_embedded`] with options (`persist_path` is replaced by the state
/// directory's file). The server runs on its own thread and runtime; a second
/// call with the same directory returns the running simulator's address.
pub fn start_embedded_with(state_dir: &Path, options: SimOptions) -> Result<SocketAddr, SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create simulator state directory {}", state_dir.display()),
        source: e,
    })?;
    let dir = state_dir.canonicalize().map_err(|e| SimError::Io {
        context: format!("resolve {}", state_dir.display()),
        source: e,
    })?;
    let path = dir.join(STATE_FILE);
    let mut running = embedded().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(addr) = running.get(&path) {
        return Ok(*addr);
    }
    let sim = Simulator::open(SimOptions {
        persist_path: Some(path.clone()),
        ..options
    })?;
    let addr = super::server::serve_on_own_thread("jdcloud-sim", router(sim))?;
    running.insert(path, addr);
    Ok(addr)
}

/// Starts the simulator as `skyform sim -cloud jdcloud` runs it, state in
/// `state_dir/jdcloud.json`; the caller prints the address and waits.
pub async fn start_standalone(
    listen: SocketAddr,
    state_dir: &Path,
    options: SimOptions,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create state directory {}", state_dir.display()),
        source: e,
    })?;
    let sim = Simulator::open(SimOptions {
        persist_path: Some(state_dir.join(STATE_FILE)),
        ..options
    })?;
    serve(router(sim), listen).await
}
