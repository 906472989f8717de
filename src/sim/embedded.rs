//! The launcher behind `endpoint = "embedded"`: the engine hands it to providers through
//! their configure context, so providers never depend on the simulators.

use crate::provider::EmbeddedClouds;
use async_trait::async_trait;
use std::path::Path;

/// Starts the in-process simulators by cloud name.
pub struct Launcher;

#[async_trait]
impl EmbeddedClouds for Launcher {
    async fn start(&self, cloud: &str, state_dir: &Path) -> Result<String, String> {
        let start: fn(&Path) -> Result<std::net::SocketAddr, super::SimError> = match cloud {
            "mcloud" => super::mcloud::start_embedded,
            "jdcloud" => super::jdcloud::start_embedded,
            "twocloud" => super::twocloud::start_embedded,
            "roma" => super::roma::start_embedded,
            other => return Err(format!("there is no embedded simulator for {other:?}")),
        };
        let dir = state_dir.to_path_buf();
        // Starting binds a port and may load state from disk: off the async threads.
        match tokio::task::spawn_blocking(move || start(&dir)).await {
            Ok(Ok(addr)) => Ok(format!("http://{addr}")),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(format!("the simulator failed to start: {e}")),
        }
    }
}
