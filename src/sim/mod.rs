//! Faithful HTTP emulators of the seed APIs.
//!
//! Each simulator is an [`axum::Router`] over shared in-memory state that can be
//! persisted to a JSON file. [`serve`] binds a router on loopback inside the
//! current tokio runtime; [`run_standalone`] is what `skyform sim` runs.

pub mod embedded;
pub mod jdcloud;
pub mod mcloud;
pub mod roma;
pub mod server;
pub mod twocloud;

pub use server::{serve, SimError};

use std::net::SocketAddr;
use std::path::Path;

/// Runs the mcloud simulator in the foreground until the process is stopped.
///
/// Prints `listening on ADDR` as the first line on stdout (so a caller that
/// asked for port 0 can learn the port), then serves forever. The cloud's
/// state lives in `state_dir/mcloud.json`.
pub async fn run_standalone(
    listen: SocketAddr,
    state_dir: &Path,
    knobs: mcloud::Knobs,
) -> Result<(), SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create state directory {}", state_dir.display()),
        source: e,
    })?;
    let sim = mcloud::Simulator::open(mcloud::SimOptions {
        persist_path: Some(state_dir.join("mcloud.json")),
        knobs,
    })?;
    let (addr, handle) = serve(mcloud::router(sim), listen).await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {addr}");
        let _ = out.flush();
    }
    handle.await.map_err(|e| SimError::Server(e.to_string()))
}
