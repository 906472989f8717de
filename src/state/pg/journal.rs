//! Appending to the `pg` backend's journal: a batch is one `INSERT ... SELECT` that only
//! inserts when the snapshot row still has the batch's base lineage and serial, so the batch
//! is one transaction and a writer whose base was replaced stores nothing.

use tokio_postgres::types::Type;

use super::PgBackend;
use crate::state::backend::JournalBase;
use crate::state::error::{Result, StateError};
use crate::state::model::Change;

impl PgBackend {
    pub(super) async fn append_impl(&self, base: &JournalBase, changes: &[Change]) -> Result<u64> {
        self.check_lock()?;
        let client = self.ready().await?;
        let serial = to_i64(base.serial);
        if changes.is_empty() {
            // Start the journal for `base`: rows of any other base are dropped.
            let sql = format!(
                "DELETE FROM {} WHERE workspace = $1 AND (lineage <> $2 OR serial <> $3)",
                self.table("journal")
            );
            client
                .execute(&sql, &[&self.workspace, &base.lineage, &serial])
                .await
                .map_err(|e| self.db_error("cannot start the journal", &e))?;
            return Ok(0);
        }
        let mut records = Vec::with_capacity(changes.len());
        let mut bytes = 0u64;
        for change in changes {
            let plain = serde_json::to_vec(change).map_err(|e| StateError::Invalid {
                location: self.location(),
                message: format!("cannot encode a journal record: {e}"),
            })?;
            let sealed = self.codec.seal(&plain)?;
            bytes += sealed.len() as u64;
            records.push(sealed);
        }
        let sql = format!(
            "INSERT INTO {journal} (workspace, lineage, serial, record) \
             SELECT $1, $2, $3, r.record FROM {states} s, unnest($4::bytea[]) WITH ORDINALITY AS r(record, ord) \
             WHERE s.workspace = $1 AND s.lineage = $2 AND s.serial = $3 ORDER BY r.ord",
            journal = self.table("journal"),
            states = self.table("states"),
        );
        // Typed: parse, bind and execute in one round trip (no separate prepare).
        let inserted = client
            .execute_typed(
                &sql,
                &[
                    (&self.workspace, Type::TEXT),
                    (&base.lineage, Type::TEXT),
                    (&serial, Type::INT8),
                    (&records, Type::BYTEA_ARRAY),
                ],
            )
            .await
            .map_err(|e| self.db_error("cannot append to the journal", &e))?;
        if inserted as usize != changes.len() {
            let current = self.stored_base().await?;
            return Err(match current {
                Some((lineage, on_disk)) if lineage == base.lineage => StateError::StaleWrite {
                    location: self.location(),
                    loaded: base.serial,
                    on_disk,
                },
                Some((lineage, _)) => StateError::LineageOverwrite {
                    location: self.location(),
                    on_disk: lineage,
                    writing: base.lineage.clone(),
                },
                None => StateError::Database {
                    location: self.location(),
                    message: "the state row the journal belongs to is gone (was the workspace deleted?); nothing was appended".to_string(),
                },
            });
        }
        Ok(bytes)
    }
}

pub(super) fn to_i64(serial: u64) -> i64 {
    i64::try_from(serial).unwrap_or(i64::MAX)
}
