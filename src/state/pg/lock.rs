//! The `pg` backend's lock: `pg_try_advisory_lock` taken on a dedicated session that is held
//! for the whole run. The server releases a session lock when the session ends, so a runner
//! killed with SIGKILL (or whose machine vanished) leaves no lock behind. The holder's details
//! go into the `locks` table with the session's pid; a row counts only while that pid holds the
//! advisory lock (checked in `pg_locks`), so a dead holder's row is simply ignored.
//!
//! `force-unlock ID` ends the stuck holder's session (`pg_terminate_backend`), which frees its
//! lock; the holder's own later release cannot touch anyone else's lock.

use std::time::{Duration, Instant};

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use super::config::{Connected, PgSettings};
use super::PgBackend;
use crate::state::error::{Result, StateError};
use crate::state::lock::{LockInfo, StateLock};

/// First key of every skyform advisory lock ("SKY"); the second is per schema and workspace.
pub const LOCK_CLASS: i32 = 0x534B59;
/// How long a holder must still hold the lock after it was first seen to be reported.
const HOLDER_SETTLE: Duration = Duration::from_millis(50);
/// Key used (with 0) to serialise schema creation.
pub const SCHEMA_LOCK_KEY: i32 = LOCK_CLASS;

/// A command for the lock's session thread.
enum Command {
    TryLock(
        i32,
        oneshot::Sender<std::result::Result<bool, tokio_postgres::Error>>,
    ),
    Record(
        String,
        String,
        String,
        oneshot::Sender<std::result::Result<u64, tokio_postgres::Error>>,
    ),
}

/// The lock's database session, run on a thread of its own with its own small runtime, so
/// that dropping the guard can end the session (and so free the lock) before `drop` returns,
/// whatever runtime the caller is on. If the process dies, the kernel closes the socket and the
/// server frees the lock.
struct LockSession {
    commands: Option<mpsc::UnboundedSender<Command>>,
    finished: Mutex<std::sync::mpsc::Receiver<()>>,
    /// Why the session ended while still wanted (server ended it, network gone).
    ended: Arc<Mutex<Option<String>>>,
}

impl LockSession {
    async fn start(settings: Arc<PgSettings>, location: String) -> Result<LockSession> {
        let (commands, mut rx) = mpsc::unbounded_channel::<Command>();
        let (ready_tx, ready_rx) = oneshot::channel::<Result<()>>();
        let (finished_tx, finished) = std::sync::mpsc::channel();
        let ended = Arc::new(Mutex::new(None));
        let ended_in_thread = ended.clone();
        let spawned = std::thread::Builder::new()
            .name("skyform-pg-lock".to_string())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(StateError::Database {
                            location,
                            message: format!("cannot start the lock session's runtime: {e}"),
                        }));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let connected = match settings.connect(&location).await {
                        Ok(c) => c,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let mut end_watch = connected.ended.clone();
                    let mut watching = true;
                    loop {
                        tokio::select! {
                            command = rx.recv() => match command {
                                Some(Command::TryLock(key, reply)) => {
                                    let result = connected
                                        .client
                                        .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LOCK_CLASS, &key])
                                        .await
                                        .map(|row| row.get::<_, bool>(0));
                                    let _ = reply.send(result);
                                }
                                Some(Command::Record(sql, workspace, info, reply)) => {
                                    let result = connected.client.execute(&sql, &[&workspace, &info]).await;
                                    let _ = reply.send(result);
                                }
                                // The guard was dropped: end the session.
                                None => break,
                            },
                            changed = end_watch.changed(), if watching => {
                                watching = false;
                                if changed.is_ok() || connected.end_cause().is_some() {
                                    let cause = connected
                                        .end_cause()
                                        .unwrap_or_else(|| "the connection was closed".to_string());
                                    *ended_in_thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(cause);
                                }
                            }
                        }
                    }
                    // Close the session and wait until the connection task has said goodbye.
                    let Connected { client, mut ended } = connected;
                    drop(client);
                    let _ = tokio::time::timeout(Duration::from_secs(5), async {
                        while ended.borrow().is_none() {
                            if ended.changed().await.is_err() {
                                break;
                            }
                        }
                    })
                    .await;
                });
                let _ = finished_tx.send(());
            });
        if let Err(e) = spawned {
            return Err(StateError::Database {
                location: String::new(),
                message: format!("cannot start the lock session's thread: {e}"),
            });
        }
        match ready_rx.await {
            Ok(Ok(())) => Ok(LockSession {
                commands: Some(commands),
                finished: Mutex::new(finished),
                ended,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StateError::Database {
                location: String::new(),
                message: "the lock session's thread stopped".to_string(),
            }),
        }
    }

    fn send(&self, command: Command) -> bool {
        self.commands
            .as_ref()
            .is_some_and(|tx| tx.send(command).is_ok())
    }
}

impl Drop for LockSession {
    fn drop(&mut self) {
        // Closing the channel ends the session; wait (briefly) so the lock is free on return.
        self.commands = None;
        let finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        let _ = finished.recv_timeout(Duration::from_secs(10));
    }
}

/// The guard's handle: the session, and the token whose presence says the lock is wanted.
struct HeldSession {
    _session: LockSession,
    _alive: Arc<()>,
}

impl PgBackend {
    /// The second advisory-lock key: stable per (schema, workspace), non-negative.
    pub(super) fn lock_key(&self) -> i32 {
        let text = format!("{}\0{}", self.settings.schema, self.workspace);
        // FNV-1a: stable across builds and platforms.
        let mut h: u32 = 0x811c9dc5;
        for b in text.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        (h & 0x7fff_ffff) as i32
    }

    pub(super) async fn lock_impl(&self, operation: &str, timeout: Duration) -> Result<StateLock> {
        self.ready().await?;
        let session = LockSession::start(self.settings.clone(), self.location()).await?;
        let lost = |what: &str| StateError::Database {
            location: self.location(),
            message: format!("{what}: the lock session ended"),
        };
        let info = LockInfo::new(operation, &self.location());
        let started = Instant::now();
        let mut pause = Duration::from_millis(20);
        let mut retried_after_release = false;
        loop {
            let (reply, answer) = oneshot::channel();
            if !session.send(Command::TryLock(self.lock_key(), reply)) {
                return Err(lost("cannot take the state lock"));
            }
            let got = answer
                .await
                .map_err(|_| lost("cannot take the state lock"))?
                .map_err(|e| self.db_error("cannot take the state lock", &e))?;
            if got {
                break;
            }
            let waited = started.elapsed();
            if waited >= timeout {
                match self.live_holder().await? {
                    Some((_, holder)) => {
                        return Err(StateError::Locked {
                            location: self.location(),
                            holder: Box::new(holder),
                            waited_secs: waited.as_secs(),
                        })
                    }
                    // Its holder has just gone (e.g. killed a moment ago): try again.
                    None if !retried_after_release => {
                        retried_after_release = true;
                        continue;
                    }
                    None => return Err(self.released_while_reading()),
                }
            }
            tokio::time::sleep(pause.min(timeout - waited)).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
        let text = serde_json::to_string(&info).unwrap_or_default();
        let sql = format!(
            "INSERT INTO {}.locks (workspace, pid, info) VALUES ($1, pg_backend_pid(), $2) \
             ON CONFLICT (workspace) DO UPDATE SET pid = EXCLUDED.pid, info = EXCLUDED.info",
            self.settings.quoted_schema()
        );
        let (reply, answer) = oneshot::channel();
        if !session.send(Command::Record(sql, self.workspace.clone(), text, reply)) {
            return Err(lost("cannot record the lock holder"));
        }
        answer
            .await
            .map_err(|_| lost("cannot record the lock holder"))?
            .map_err(|e| self.db_error("cannot record the lock holder", &e))?;
        let alive = Arc::new(());
        *self.lock_session.lock().unwrap_or_else(|e| e.into_inner()) = Some(LockWatch {
            alive: Arc::downgrade(&alive),
            ended: session.ended.clone(),
        });
        Ok(StateLock::new(
            info,
            HeldSession {
                _session: session,
                _alive: alive,
            },
        ))
    }

    /// The pid of the session holding the advisory lock, if any.
    async fn holder_pid(&self) -> Result<Option<i32>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                 AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2",
                &[&i64::from(LOCK_CLASS), &i64::from(self.lock_key())],
            )
            .await
            .map_err(|e| self.db_error("cannot read the state lock", &e))?;
        Ok(rows.first().map(|r| r.get::<_, i32>(0)))
    }

    /// The holder's recorded details if its row belongs to `pid`.
    async fn info_of(&self, pid: i32) -> Result<Option<LockInfo>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT info FROM {}.locks WHERE workspace = $1 AND pid = $2",
            self.settings.quoted_schema()
        );
        let rows = client
            .query(&sql, &[&self.workspace, &pid])
            .await
            .map_err(|e| self.db_error("cannot read the lock holder", &e))?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let text: String = row.get(0);
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StateError::LockUnreadable {
                location: self.location(),
                message: e.to_string(),
            })
    }

    /// The live holder (pid and details); a holder that has just taken the lock gets a moment
    /// to record its details.
    async fn live_holder(&self) -> Result<Option<(i32, LockInfo)>> {
        let started = Instant::now();
        loop {
            let Some(pid) = self.holder_pid().await? else {
                return Ok(None);
            };
            if let Some(info) = self.info_of(pid).await? {
                // A holder whose process has just died still holds the lock until the server
                // notices its closed socket, a few milliseconds later; look again shortly so
                // that a dead holder is not reported as alive.
                tokio::time::sleep(HOLDER_SETTLE).await;
                if self.holder_pid().await? != Some(pid) {
                    continue;
                }
                return Ok(Some((pid, info)));
            }
            if started.elapsed() > Duration::from_secs(2) {
                return Err(StateError::LockUnreadable {
                    location: self.location(),
                    message: format!("database session {pid} holds it but recorded no details"),
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn released_while_reading(&self) -> StateError {
        StateError::LockUnreadable {
            location: self.location(),
            message: "its holder let go while skyform was reading who it was; retry".to_string(),
        }
    }

    pub(super) async fn lock_holder_impl(&self) -> Result<Option<LockInfo>> {
        self.ready().await?;
        Ok(self.live_holder().await?.map(|(_, info)| info))
    }

    pub(super) async fn force_unlock_impl(&self, id: &str) -> Result<LockInfo> {
        self.ready().await?;
        let Some((pid, info)) = self.live_holder().await? else {
            return Err(StateError::NotLocked {
                location: self.location(),
            });
        };
        if info.id != id {
            return Err(StateError::LockIdMismatch {
                location: self.location(),
                given: id.to_string(),
                held: info.id,
            });
        }
        let client = self.client().await?;
        client
            .execute("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .map_err(|e| self.db_error("cannot end the lock holder's session", &e))?;
        // The lock is free once the session has gone.
        let started = Instant::now();
        while self.holder_pid().await? == Some(pid) {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(StateError::Database {
                    location: self.location(),
                    message: format!(
                        "asked the server to end session {pid}, which holds the lock, but it is still there after 10s"
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(info)
    }
}

/// What the backend remembers of the lock it handed out: not the session itself (dropping the
/// guard must end it), only whether the guard is alive and whether its session ended.
pub(super) struct LockWatch {
    alive: std::sync::Weak<()>,
    ended: Arc<Mutex<Option<String>>>,
}

/// An error if this backend's lock session ended while its guard is still held (the server
/// ended it, or the network dropped): the lock may now be someone else's.
pub(super) fn lock_lost(backend: &PgBackend) -> Option<StateError> {
    let guard = backend
        .lock_session
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let watch = guard.as_ref()?;
    // Released by its holder: nothing was lost.
    watch.alive.upgrade()?;
    let cause = watch
        .ended
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()?;
    Some(StateError::LockLost {
        location: backend.location(),
        cause,
    })
}
