//! The debug log: `SKYFORM_LOG=debug` (or `trace`, `info`, `warn`, `error`; Terraform's
//! `TF_LOG` is read when `SKYFORM_LOG` is unset) writes tracing records to stderr, or
//! appended to the file `SKYFORM_LOG_PATH` (`TF_LOG_PATH`). Unset, nothing is logged. The
//! log names operations and addresses; values are never logged, so no secret reaches it.

use std::sync::Mutex;

fn env(name: &str, terraform: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .or_else(|| std::env::var(terraform).ok())
        .filter(|s| !s.trim().is_empty())
}

/// Installs the subscriber; returns a message for the user when the settings are unusable.
pub fn init() -> Result<(), String> {
    let Some(level) = env("SKYFORM_LOG", "TF_LOG") else {
        return Ok(());
    };
    let level = match level.to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" | "json" => tracing::Level::DEBUG,
        "info" => tracing::Level::INFO,
        "warn" => tracing::Level::WARN,
        "error" => tracing::Level::ERROR,
        other => {
            return Err(format!(
                "Invalid log level {other:?} in SKYFORM_LOG; use one of trace, debug, info, warn, error."
            ))
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_target(true);
    let installed = match env("SKYFORM_LOG_PATH", "TF_LOG_PATH") {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| format!("Cannot open the log file {path} (SKYFORM_LOG_PATH): {e}"))?;
            builder.with_writer(Mutex::new(file)).try_init()
        }
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    installed.map_err(|e| format!("Cannot start the debug log: {e}"))
}
