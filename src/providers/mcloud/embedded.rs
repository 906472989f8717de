//! `endpoint = "embedded"`: the mcloud simulator run inside this process, reached over
//! loopback HTTP like any other server (so the same client code is exercised). The
//! simulator is started through the configure context's launcher: providers never
//! depend on the simulators themselves.

use super::client::PROVIDER;
use crate::provider::{ConfigureContext, ErrorKind, ProviderError};

/// Starts (or reuses) the simulator with its state under `<work_dir>/state/sim`; returns
/// its base URL.
pub async fn start(ctx: &ConfigureContext) -> Result<String, ProviderError> {
    let Some(launcher) = &ctx.embedded else {
        return Err(ProviderError::new(
            PROVIDER,
            "configure",
            "endpoint = \"embedded\" is not available here (no in-process simulator); set endpoint = \"http://HOST:PORT\"",
        )
        .kind(ErrorKind::Invalid));
    };
    let dir = ctx.work_dir.join("state/sim");
    launcher.start(PROVIDER, &dir).await.map_err(|e| {
        ProviderError::new(
            PROVIDER,
            "configure",
            format!(
                "cannot start the embedded simulator (state in {}): {e}",
                dir.display()
            ),
        )
    })
}
