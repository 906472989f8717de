//! The `pg` backend: state in PostgreSQL. One snapshot row per workspace, one journal row per
//! completed operation (a group-committed batch is one `INSERT`), folded into the snapshot by
//! full writes; the lock is a session advisory lock held on its own connection for the run.
//!
//! - [`config`]: settings (`conn_str`, `schema_name`, `skip_schema_creation`) and connections.
//! - [`schema`]: the tables, created on first use.
//! - [`lock`]: `pg_try_advisory_lock`, the holder's details, force-unlock.
//! - [`journal`]: appending batches of records.
//! - [`snapshot`]: loading (with journal replay) and full writes checked in the `WHERE`.

pub mod config;
pub mod journal;
pub mod lock;
pub mod schema;
pub mod snapshot;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio_postgres::Client;

pub use config::{PgSettings, DEFAULT_SCHEMA};

use super::backend::{Backend, JournalBase, Loaded, Written};
use super::encryption::Codec;
use super::error::{Result, StateError};
use super::lock::{LockInfo, StateLock};
use super::model::{Change, State};
use config::{error_text, Connected};

/// State for one workspace in a PostgreSQL schema. Opens its connections on first use.
pub struct PgBackend {
    settings: Arc<PgSettings>,
    workspace: String,
    codec: Codec,
    /// The session used for reads and writes (not the lock's).
    data: tokio::sync::Mutex<Option<Connected>>,
    schema_ready: AtomicBool,
    /// The lock this backend handed out, to stop writing if its session ends.
    lock_session: Mutex<Option<lock::LockWatch>>,
}

impl PgBackend {
    pub fn new(settings: PgSettings, workspace: &str, codec: Codec) -> PgBackend {
        PgBackend {
            settings: Arc::new(settings),
            workspace: workspace.to_string(),
            codec,
            data: tokio::sync::Mutex::new(None),
            schema_ready: AtomicBool::new(false),
            lock_session: Mutex::new(None),
        }
    }

    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    pub fn settings(&self) -> &PgSettings {
        &self.settings
    }

    fn location(&self) -> String {
        format!(
            "PostgreSQL {} schema {} workspace {}",
            self.settings.display, self.settings.schema, self.workspace
        )
    }

    /// The data session, (re)connecting if there is none or it has ended.
    async fn client(&self) -> Result<Arc<Client>> {
        let mut data = self.data.lock().await;
        if let Some(c) = data.as_ref() {
            if c.end_cause().is_none() {
                return Ok(c.client.clone());
            }
        }
        let connected = self.settings.connect(&self.location()).await?;
        let client = connected.client.clone();
        *data = Some(connected);
        Ok(client)
    }

    /// Connected, with the tables in place.
    async fn ready(&self) -> Result<Arc<Client>> {
        let client = self.client().await?;
        if !self.schema_ready.load(Ordering::Acquire) {
            schema::ensure(&client, &self.settings, &self.location()).await?;
            self.schema_ready.store(true, Ordering::Release);
        }
        Ok(client)
    }

    fn db_error(&self, what: &str, e: &tokio_postgres::Error) -> StateError {
        if let Some(lost) = lock::lock_lost(self) {
            return lost;
        }
        StateError::Database {
            location: self.location(),
            message: format!("{what}: {}", error_text(e)),
        }
    }

    /// Refuse to write once the lock handed out by this backend has lost its session.
    fn check_lock(&self) -> Result<()> {
        match lock::lock_lost(self) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn table(&self, name: &str) -> String {
        format!("{}.{name}", self.settings.quoted_schema())
    }

    /// Workspaces with a stored state in this schema, sorted.
    pub async fn workspaces(&self) -> Result<Vec<String>> {
        let client = self.ready().await?;
        let sql = format!(
            "SELECT workspace FROM {} UNION SELECT workspace FROM {} ORDER BY 1",
            self.table("states"),
            self.table("journal")
        );
        let rows = client
            .query(&sql, &[])
            .await
            .map_err(|e| self.db_error("cannot list workspaces", &e))?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    /// Remove this workspace's rows (snapshot, journal, lock details).
    pub async fn delete_rows(&self) -> Result<()> {
        let client = self.ready().await?;
        let sql = format!(
            "WITH a AS (DELETE FROM {} WHERE workspace = $1 RETURNING 1), \
                  b AS (DELETE FROM {} WHERE workspace = $1 RETURNING 1) \
             DELETE FROM {} WHERE workspace = $1",
            self.table("states"),
            self.table("journal"),
            self.table("locks")
        );
        client
            .execute(&sql, &[&self.workspace])
            .await
            .map_err(|e| self.db_error("cannot delete the workspace", &e))?;
        Ok(())
    }
}

#[async_trait]
impl Backend for PgBackend {
    fn describe(&self) -> String {
        format!(
            "state in PostgreSQL {} (schema {}, workspace {})",
            self.settings.display, self.settings.schema, self.workspace
        )
    }

    fn location(&self) -> String {
        PgBackend::location(self)
    }

    async fn load(&self) -> Result<Option<Loaded>> {
        self.load_impl().await
    }

    async fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock> {
        self.lock_impl(operation, timeout).await
    }

    async fn lock_holder(&self) -> Result<Option<LockInfo>> {
        self.lock_holder_impl().await
    }

    async fn force_unlock(&self, id: &str) -> Result<LockInfo> {
        self.force_unlock_impl(id).await
    }

    async fn append(&self, base: &JournalBase, changes: &[Change]) -> Result<u64> {
        self.append_impl(base, changes).await
    }

    async fn write_full(&self, state: &State) -> Result<Written> {
        self.write_full_impl(state).await
    }

    async fn replace_full(&self, state: &State) -> Result<State> {
        self.replace_full_impl(state).await
    }

    async fn list_workspaces(&self) -> Result<Vec<String>> {
        self.workspaces().await
    }

    async fn delete_workspace(&self) -> Result<()> {
        self.delete_rows().await
    }
}
