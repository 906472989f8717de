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
        match cloud {
            "mcloud" => {
                let dir = state_dir.to_path_buf();
                let started =
                    tokio::task::spawn_blocking(move || super::mcloud::start_embedded(&dir)).await;
                match started {
                    Ok(Ok(addr)) => Ok(format!("http://{addr}")),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(format!("the simulator failed to start: {e}")),
                }
            }
            other => Err(format!("there is no embedded simulator for {other:?}")),
        }
    }
}
