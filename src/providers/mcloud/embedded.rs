//! `endpoint = "embedded"`: the mcloud simulator run inside this process, reached over
//! loopback HTTP like any other server (so the same client code is exercised).

use super::client::PROVIDER;
use crate::provider::{ConfigureContext, ProviderError};

/// Keeps the embedded simulator running while the provider lives.
pub struct Handle;

/// Starts the simulator with its state under `<work_dir>/state/sim`; returns its base URL.
pub async fn start(ctx: &ConfigureContext) -> Result<(String, Handle), ProviderError> {
    let dir = ctx.work_dir.join("state/sim");
    Err(ProviderError::new(
        PROVIDER,
        "configure",
        format!(
            "endpoint = \"embedded\" needs the built-in simulator, which this build lacks (state dir {})",
            dir.display()
        ),
    ))
}
