//! Faithful HTTP emulators of the seed APIs.
//!
//! Each simulator is an [`axum::Router`] over shared in-memory state that can be
//! persisted to a JSON file. [`serve`] binds a router on loopback inside the
//! current tokio runtime; [`start_standalone`] is what `skyform sim` runs.

pub mod embedded;
pub mod jdcloud;
pub mod knob_patch;
pub mod mcloud;
pub mod roma;
pub mod server;
pub mod throttle;
pub mod twocloud;

pub use server::{serve, SimError};

use std::net::SocketAddr;
use std::path::Path;

/// Starts the mcloud simulator as `skyform sim` runs it: bound on `listen` and serving on
/// the current runtime, with its state in `state_dir/mcloud.json`. Printing the address
/// and waiting is the caller's ([`server::announce`], [`server::wait`]), so that
/// `skyform sim -cloud all` can start every cloud before printing any line.
pub async fn start_standalone(
    listen: SocketAddr,
    state_dir: &Path,
    knobs: mcloud::Knobs,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), SimError> {
    std::fs::create_dir_all(state_dir).map_err(|e| SimError::Io {
        context: format!("create state directory {}", state_dir.display()),
        source: e,
    })?;
    let sim = mcloud::Simulator::open(mcloud::SimOptions {
        persist_path: Some(state_dir.join("mcloud.json")),
        knobs,
    })?;
    serve(mcloud::router(sim), listen).await
}
