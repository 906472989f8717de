//! The local backend's lock: an exclusive advisory lock the kernel holds on `<state>.lock`
//! (`File::try_lock`, i.e. `flock`). The file stays in place; while locked it holds the holder's
//! [`LockInfo`] as JSON, for messages. The kernel releases the lock when the holder's file is
//! closed, including when the process dies, so a killed run never leaves a lock behind.
//!
//! `force-unlock` of a live holder removes the file: the holder keeps its lock on the removed
//! file, and the next locker creates a new one. A locker therefore checks, once it holds the lock,
//! that its file is still the one at the path.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;
use std::time::{Duration, Instant};

use super::error::{Result, StateError};
use super::lock::{LockInfo, StateLock};

/// The open, locked file; dropping it releases the lock.
struct HeldFile(File);

impl Drop for HeldFile {
    fn drop(&mut self) {
        // Clear the holder's details so the file does not look held; closing the file (right
        // after) is what actually releases the lock.
        let _ = self.0.set_len(0);
        let _ = self.0.unlock();
    }
}

/// Retry pacing for a lock that is held: short pauses first, growing to at most 250 ms.
struct Waiter {
    started: Instant,
    timeout: Duration,
    pause: Duration,
}

impl Waiter {
    fn new(timeout: Duration) -> Self {
        Waiter {
            started: Instant::now(),
            timeout,
            pause: Duration::from_millis(20),
        }
    }

    /// How long to pause before the next attempt; `None` once the timeout has passed.
    fn next_pause(&mut self) -> Option<Duration> {
        let waited = self.started.elapsed();
        if waited >= self.timeout {
            return None;
        }
        let pause = self.pause.min(self.timeout - waited);
        self.pause = (self.pause * 2).min(Duration::from_millis(250));
        Some(pause)
    }
}

/// Take the lock at `lock_path` for `operation` on the state at `location`, retrying until
/// `timeout`; blocks the calling thread while it waits.
pub fn acquire(
    lock_path: &Path,
    location: &str,
    operation: &str,
    timeout: Duration,
) -> Result<StateLock> {
    let info = LockInfo::new(operation, location);
    let mut waiter = Waiter::new(timeout);
    loop {
        if let Some(file) = try_acquire(lock_path, &info)? {
            return Ok(StateLock::new(info, HeldFile(file)));
        }
        match waiter.next_pause() {
            Some(pause) => std::thread::sleep(pause),
            None => return give_up(lock_path, location, info, waiter.started.elapsed()),
        }
    }
}

/// [`acquire`] for async callers: waits with the runtime's timer instead of blocking a thread.
pub async fn acquire_async(
    lock_path: &Path,
    location: &str,
    operation: &str,
    timeout: Duration,
) -> Result<StateLock> {
    let info = LockInfo::new(operation, location);
    let mut waiter = Waiter::new(timeout);
    loop {
        if let Some(file) = try_acquire(lock_path, &info)? {
            return Ok(StateLock::new(info, HeldFile(file)));
        }
        match waiter.next_pause() {
            Some(pause) => tokio::time::sleep(pause).await,
            None => {
                // Reading the holder may pause briefly: keep that off the runtime's threads.
                let (path, place) = (lock_path.to_path_buf(), location.to_string());
                let waited = waiter.started.elapsed();
                return tokio::task::spawn_blocking(move || give_up(&path, &place, info, waited))
                    .await
                    .map_err(|e| StateError::Io {
                        action: "wait for the lock on",
                        location: location.to_string(),
                        message: e.to_string(),
                    })?;
            }
        }
    }
}

/// The timeout has passed: report the holder. If it let go in the meantime, take the lock.
fn give_up(
    lock_path: &Path,
    location: &str,
    info: LockInfo,
    waited: Duration,
) -> Result<StateLock> {
    let holder = match read_holder(lock_path, location)? {
        Some(holder) => holder,
        None => match try_acquire(lock_path, &info)? {
            Some(file) => return Ok(StateLock::new(info, HeldFile(file))),
            // Held again by someone whose details are not written yet.
            None => LockInfo {
                id: "(not yet written by the holder)".into(),
                operation: "unknown".into(),
                who: "unknown".into(),
                version: "unknown".into(),
                created: "unknown".into(),
                path: location.to_string(),
            },
        },
    };
    Err(StateError::Locked {
        location: location.to_string(),
        holder: Box::new(holder),
        waited_secs: waited.as_secs(),
    })
}

/// One attempt: the locked file with `info` written into it, or `None` if someone holds it.
fn try_acquire(lock_path: &Path, info: &LockInfo) -> Result<Option<File>> {
    if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| StateError::io("create directory", dir, e))?;
    }
    // A force-unlock can remove the file between our open and our lock: try a few times.
    for _ in 0..3 {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(|e| StateError::io("open lock file", lock_path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(StateError::io("lock", lock_path, e)),
        }
        if !is_at_path(&file, lock_path) {
            continue;
        }
        // Serialising plain strings cannot fail.
        let body = serde_json::to_vec_pretty(info).unwrap_or_default();
        file.set_len(0)
            .and_then(|_| file.write_all_at(&body, 0))
            .map_err(|e| StateError::io("write", lock_path, e))?;
        return Ok(Some(file));
    }
    Ok(None)
}

/// Whether `file` is the file now at `path` (not one removed by a force-unlock).
fn is_at_path(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(ours), Ok(there)) => ours.dev() == there.dev() && ours.ino() == there.ino(),
        _ => false,
    }
}

/// Who holds the lock at `lock_path`; `None` if nobody does (whatever the file says).
pub fn read_holder(lock_path: &Path, location: &str) -> Result<Option<LockInfo>> {
    let file = match File::open(lock_path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io("open lock file", lock_path, e)),
    };
    let mut last_error = String::new();
    // A holder that has just taken the lock may not have written its details yet.
    for attempt in 0..10 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
        match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
                return Ok(None);
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(StateError::io("lock", lock_path, e)),
        }
        let bytes = read_from_start(&file).map_err(|e| StateError::io("read", lock_path, e))?;
        match serde_json::from_slice(&bytes) {
            Ok(info) => return Ok(Some(info)),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(StateError::LockUnreadable {
        location: location.to_string(),
        message: last_error,
    })
}

/// The whole content of `file` (the one we checked, even if the path now names another).
fn read_from_start(mut file: &File) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Break the lock at `lock_path` if its holder's ID is `id`, by removing the file; returns
/// what the holder wrote. A lock nobody holds needs no unlocking and is reported as such.
pub fn force_unlock(lock_path: &Path, location: &str, id: &str) -> Result<LockInfo> {
    let Some(held) = read_holder(lock_path, location)? else {
        return Err(StateError::NotLocked {
            location: location.to_string(),
        });
    };
    if held.id != id {
        return Err(StateError::LockIdMismatch {
            location: location.to_string(),
            given: id.to_string(),
            held: held.id,
        });
    }
    match fs::remove_file(lock_path) {
        Ok(()) => Ok(held),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(held),
        Err(e) => Err(StateError::io("remove", lock_path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiter_backs_off_up_to_a_cap_and_stops_at_the_timeout() {
        let mut none = Waiter::new(Duration::ZERO);
        assert_eq!(none.next_pause(), None, "a zero timeout means one try");
        let mut w = Waiter::new(Duration::from_secs(60));
        let pauses: Vec<_> = (0..6).filter_map(|_| w.next_pause()).collect();
        let ms: Vec<_> = pauses.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [20, 40, 80, 160, 250, 250]);
    }

    #[test]
    fn a_lock_file_replaced_after_opening_is_not_the_one_at_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        fs::write(&path, "").unwrap();
        let file = File::open(&path).unwrap();
        assert!(is_at_path(&file, &path));
        fs::remove_file(&path).unwrap();
        assert!(!is_at_path(&file, &path));
        fs::write(&path, "").unwrap();
        assert!(!is_at_path(&file, &path));
    }
}
