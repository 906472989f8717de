//! What every backend's lock has in common: [`LockInfo`], which says who holds a lock (in
//! Terraform's field names), and [`StateLock`], the guard a backend hands out. Dropping the guard
//! releases the lock; if the holder dies without dropping it, the operating system (or the
//! database server, for a session lock) releases it, so a dead holder never blocks anyone.

use serde::{Deserialize, Serialize};

/// Who holds a lock, in Terraform's field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    /// `user@host`.
    #[serde(rename = "Who")]
    pub who: String,
    /// skyform version of the holder.
    #[serde(rename = "Version")]
    pub version: String,
    /// RFC 3339 UTC time the lock was taken.
    #[serde(rename = "Created")]
    pub created: String,
    /// The state the lock guards (the backend's location).
    #[serde(rename = "Path")]
    pub path: String,
}

impl LockInfo {
    /// A new lock description for `operation` on the state at `location`, with a fresh ID.
    pub fn new(operation: &str, location: &str) -> Self {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            who: who(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            path: location.to_string(),
        }
    }
}

/// A held state lock; released when dropped, on success and error paths alike.
pub struct StateLock {
    info: LockInfo,
    /// The backend's handle on the lock (an open file, a database session); dropping it
    /// releases the lock.
    _held: Box<dyn std::any::Any + Send + Sync>,
}

impl StateLock {
    /// A guard for a lock described by `info`, released when `held` is dropped.
    pub fn new(info: LockInfo, held: impl std::any::Any + Send + Sync) -> Self {
        StateLock {
            info,
            _held: Box::new(held),
        }
    }

    pub fn info(&self) -> &LockInfo {
        &self.info
    }
}

impl std::fmt::Debug for StateLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateLock")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// `user@host` for the lock's `Who`.
fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    format!("{user}@{}", hostname())
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for `len` bytes; gethostname writes at most that many.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown".to_string();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
