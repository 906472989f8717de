//! The state lock: a `<state>.lock` file created exclusively (O_EXCL), holding JSON that says who
//! holds it. Dropping the [`StateLock`] removes it, on success and error paths alike. A process
//! killed with SIGKILL leaves its lock behind (as Terraform does); `force-unlock ID` clears it.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::{Result, StateError};

/// What the lock file says, in Terraform's field names.
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
    /// The state file the lock guards.
    #[serde(rename = "Path")]
    pub path: String,
    /// The holder's process id (skyform's addition, so a lock left by a process that died on
    /// this machine can be recognised as stale).
    #[serde(rename = "Pid", default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

impl LockInfo {
    /// True when the holder ran on this machine and its process no longer exists: a lock
    /// left behind by a killed run.
    pub fn holder_is_gone(&self) -> bool {
        let Some(pid) = self.pid else { return false };
        if self.who.rsplit('@').next() != Some(hostname().as_str()) {
            return false;
        }
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let rc = unsafe { libc::kill(pid, 0) };
        rc != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
    }
}

/// A held lock; released (the file removed) when dropped.
#[derive(Debug)]
pub struct StateLock {
    lock_path: PathBuf,
    info: LockInfo,
}

impl StateLock {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.lock_path
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        forget_held(&self.lock_path, &self.info.id);
        remove_if_ours(&self.lock_path, &self.info.id);
    }
}

/// Remove the lock file only if it still holds `id`: after a force-unlock someone else may
/// hold it.
fn remove_if_ours(lock_path: &Path, id: &str) {
    if let Ok(Some(current)) = read_lock(lock_path) {
        if current.id == id {
            let _ = fs::remove_file(lock_path);
        }
    }
}

/// Locks held by this process, so [`release_held_locks`] can free them when the process exits
/// without unwinding (`std::process::exit` skips destructors).
static HELD: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());

fn remember_held(lock_path: &Path, id: &str) {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    held.push((lock_path.to_path_buf(), id.to_string()));
}

fn forget_held(lock_path: &Path, id: &str) {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    held.retain(|(p, i)| !(p == lock_path && i == id));
}

/// Release every state lock this process holds. Call it right before `std::process::exit`
/// (e.g. on a second Ctrl-C), which does not run the `StateLock` destructors; a lock left
/// behind would otherwise need `force-unlock`.
pub fn release_held_locks() {
    let held = std::mem::take(&mut *HELD.lock().unwrap_or_else(|e| e.into_inner()));
    for (lock_path, id) in held {
        remove_if_ours(&lock_path, &id);
    }
}

/// Take the lock at `lock_path` for `operation` on `state_path`, retrying until `timeout`.
pub fn acquire(
    lock_path: &Path,
    state_path: &Path,
    operation: &str,
    timeout: Duration,
) -> Result<StateLock> {
    let info = LockInfo {
        id: uuid::Uuid::new_v4().to_string(),
        operation: operation.to_string(),
        who: who(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        path: state_path.display().to_string(),
        pid: Some(std::process::id()),
    };
    let body = serde_json::to_vec_pretty(&info).unwrap_or_default();
    let started = Instant::now();
    let mut pause = Duration::from_millis(50);
    loop {
        if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| StateError::io("create directory", dir, e))?;
        }
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(lock_path)
        {
            Ok(mut file) => {
                // From here on the lock is ours, so a failure below must release it.
                let lock = StateLock {
                    lock_path: lock_path.to_path_buf(),
                    info: info.clone(),
                };
                remember_held(lock_path, &info.id);
                file.write_all(&body)
                    .and_then(|_| file.sync_all())
                    .map_err(|e| StateError::io("write", lock_path, e))?;
                return Ok(lock);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let waited = started.elapsed();
                if waited >= timeout {
                    return Err(holder_error(lock_path, state_path, waited));
                }
                std::thread::sleep(pause.min(timeout.saturating_sub(waited)));
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            Err(e) => return Err(StateError::io("create lock file", lock_path, e)),
        }
    }
}

/// The "locked" error naming the holder (or saying the lock file is unreadable).
fn holder_error(lock_path: &Path, state_path: &Path, waited: Duration) -> StateError {
    // A holder that has just created the file may not have written it yet: look again briefly
    // before calling the file unreadable.
    let mut holder = read_lock(lock_path);
    for _ in 0..5 {
        if !matches!(holder, Err(StateError::LockUnreadable { .. })) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        holder = read_lock(lock_path);
    }
    match holder {
        Ok(Some(holder)) => StateError::Locked {
            path: state_path.to_path_buf(),
            holder: Box::new(holder),
            waited_secs: waited.as_secs(),
        },
        // Released between our attempt and this read: report it as held by nobody we know.
        Ok(None) => StateError::Locked {
            path: state_path.to_path_buf(),
            holder: Box::new(LockInfo {
                id: "(released while checking)".into(),
                operation: "unknown".into(),
                who: "unknown".into(),
                version: "unknown".into(),
                created: "unknown".into(),
                pid: None,
                path: state_path.display().to_string(),
            }),
            waited_secs: waited.as_secs(),
        },
        Err(e) => e,
    }
}

/// Read the lock file; `None` if there is none.
pub fn read_lock(lock_path: &Path) -> Result<Option<LockInfo>> {
    match fs::read(lock_path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StateError::LockUnreadable {
                    path: lock_path.to_path_buf(),
                    message: e.to_string(),
                })
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io("read", lock_path, e)),
    }
}

/// Remove the lock at `lock_path` if its ID is `id`.
pub fn force_unlock(lock_path: &Path, state_path: &Path, id: &str) -> Result<LockInfo> {
    let Some(held) = read_lock(lock_path)? else {
        return Err(StateError::NotLocked {
            path: state_path.to_path_buf(),
        });
    };
    if held.id != id {
        return Err(StateError::LockIdMismatch {
            path: state_path.to_path_buf(),
            given: id.to_string(),
            held: held.id,
        });
    }
    fs::remove_file(lock_path).map_err(|e| StateError::io("remove", lock_path, e))?;
    Ok(held)
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
