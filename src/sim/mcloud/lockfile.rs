//! One simulator per state file: an exclusive advisory lock on `STATE.lock`,
//! held for the simulator's lifetime, so `skyform sim` and an embedded
//! simulator cannot both write the same cloud.

use crate::sim::SimError;
use std::fs::File;
use std::path::Path;

/// The held lock; released when dropped (the file descriptor closes).
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

/// Takes the lock next to `state_path`, failing at once if another simulator holds it.
pub fn lock_state(state_path: &Path) -> Result<StateLock, SimError> {
    let mut lock_path = state_path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = std::path::PathBuf::from(lock_path);
    if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| SimError::Io {
            context: format!("create simulator state directory {}", dir.display()),
            source: e,
        })?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| SimError::Io {
            context: format!("open simulator lock file {}", lock_path.display()),
            source: e,
        })?;
    try_lock(&file).map_err(|e| {
        if e.kind() == std::io::ErrorKind::WouldBlock {
            SimError::InUse(state_path.display().to_string())
        } else {
            SimError::Io {
                context: format!("lock {}", lock_path.display()),
                source: e,
            }
        }
    })?;
    Ok(StateLock { _file: file })
}

#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock only reads the descriptor, which `file` keeps open.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        Ok(())
    } else {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            Err(std::io::Error::new(std::io::ErrorKind::WouldBlock, err))
        } else {
            Err(err)
        }
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_the_same_state_fails_until_the_first_is_dropped() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let state = dir.path().join("mcloud.json");
        let first = lock_state(&state);
        assert!(first.is_ok());
        let second = lock_state(&state);
        assert!(matches!(second, Err(SimError::InUse(_))), "{second:?}");
        drop(first);
        assert!(lock_state(&state).is_ok());
    }
}
