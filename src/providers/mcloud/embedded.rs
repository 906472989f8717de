//! `endpoint = "embedded"`: the mcloud simulator run inside this process, reached over
//! loopback HTTP like any other server (so the same client code is exercised).

use super::client::PROVIDER;
use crate::provider::{ConfigureContext, ProviderError};

/// Starts (or reuses) the simulator with its state under `<work_dir>/state/sim`; returns
/// its base URL. The simulator lives on its own thread for the rest of the process (one
/// per state directory), so nothing needs to be kept to keep it running.
pub async fn start(ctx: &ConfigureContext) -> Result<String, ProviderError> {
    let dir = ctx.work_dir.join("state/sim");
    let shown = dir.display().to_string();
    let started =
        tokio::task::spawn_blocking(move || crate::sim::mcloud::start_embedded(&dir)).await;
    let addr = match started {
        Ok(Ok(addr)) => addr,
        Ok(Err(e)) => {
            return Err(ProviderError::new(
                PROVIDER,
                "configure",
                format!("cannot start the embedded simulator (state in {shown}): {e}"),
            ))
        }
        Err(e) => {
            return Err(ProviderError::new(
                PROVIDER,
                "configure",
                format!("the embedded simulator failed to start: {e}"),
            ))
        }
    };
    Ok(format!("http://{addr}"))
}
