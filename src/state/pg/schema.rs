//! The tables of the `pg` backend, created on first use unless `skip_schema_creation`:
//!
//! - `states`: one snapshot row per workspace (`lineage`, `serial` and the document, encrypted
//!   when a key is configured); a write is an `UPDATE ... WHERE lineage = $ AND serial <= $`,
//!   so a stale writer changes nothing.
//! - `journal`: one row per completed operation since the snapshot was written, for the
//!   snapshot's lineage and serial; a batch is one `INSERT` (one transaction); a snapshot write
//!   deletes them in the same transaction.
//! - `locks`: the holder's details per workspace, for messages. The lock itself is a session
//!   advisory lock (see `lock.rs`); a row only counts while its session holds that lock.

use tokio_postgres::Client;

use super::config::{error_text, PgSettings};
use super::lock::SCHEMA_LOCK_KEY;
use crate::state::error::{Result, StateError};

/// The SQL that creates the tables (also shown in docs/state.md for `skip_schema_creation`).
pub fn create_sql(schema: &str) -> String {
    format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.states (
  workspace text PRIMARY KEY,
  lineage text NOT NULL,
  serial bigint NOT NULL,
  data bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS {schema}.journal (
  seq bigserial PRIMARY KEY,
  workspace text NOT NULL,
  lineage text NOT NULL,
  serial bigint NOT NULL,
  record bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_workspace ON {schema}.journal (workspace, seq);
CREATE TABLE IF NOT EXISTS {schema}.locks (
  workspace text PRIMARY KEY,
  pid integer NOT NULL,
  info text NOT NULL
);"
    )
}

/// Create the tables if missing (serialised by a transaction-level advisory lock so that
/// concurrent first runs do not race), or check they exist when creation is skipped.
pub async fn ensure(client: &Client, settings: &PgSettings, location: &str) -> Result<()> {
    let schema = settings.quoted_schema();
    let db = |e: tokio_postgres::Error, what: &str| StateError::Database {
        location: location.to_string(),
        message: format!("{what}: {}", error_text(&e)),
    };
    if settings.skip_schema_creation {
        let row = client
            .query_one(
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = $1 AND table_name IN ('states', 'journal', 'locks')",
                &[&settings.schema],
            )
            .await
            .map_err(|e| db(e, "cannot check the state tables"))?;
        let found: i64 = row.get(0);
        if found != 3 {
            return Err(StateError::Database {
                location: location.to_string(),
                message: format!(
                    "skip_schema_creation is set, but schema {} does not have skyform's tables \
                     (states, journal, locks); create them (see docs/state.md) or remove skip_schema_creation",
                    settings.schema
                ),
            });
        }
        return Ok(());
    }
    let sql = format!(
        "BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY}, 0); {} COMMIT;",
        create_sql(&schema)
    );
    if let Err(e) = client.batch_execute(&sql).await {
        // Leave the session usable: the failed statement aborted the transaction.
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(db(
            e,
            &format!(
                "cannot create the state tables in schema {}",
                settings.schema
            ),
        ));
    }
    Ok(())
}
