//! The `pg` backend's snapshot row: loading it with its journal replayed (one statement, so
//! one consistent view), and full writes whose lineage and serial checks are in the
//! `UPDATE ... WHERE`, in the same statement that deletes the folded journal rows.

use tokio_postgres::types::Type;

use super::journal::to_i64;
use super::PgBackend;
use crate::state::backend::{Loaded, Written};
use crate::state::error::{Result, StateError};
use crate::state::file::{parse_state, render_state};
use crate::state::model::{Change, State};

impl PgBackend {
    pub(super) async fn load_impl(&self) -> Result<Option<Loaded>> {
        let client = self.ready().await?;
        let sql = format!(
            "SELECT 0 AS kind, lineage, serial, data, 0::bigint AS seq FROM {states} WHERE workspace = $1 \
             UNION ALL \
             SELECT 1, lineage, serial, record, seq FROM {journal} WHERE workspace = $1 \
             ORDER BY kind, seq",
            states = self.table("states"),
            journal = self.table("journal"),
        );
        let rows = client
            .query_typed(&sql, &[(&self.workspace, Type::TEXT)])
            .await
            .map_err(|e| self.db_error("cannot read the state", &e))?;
        let journal_name = format!("{} (table {})", self.location(), self.table("journal"));
        let Some(first) = rows.first().filter(|r| r.get::<_, i32>(0) == 0) else {
            if rows.is_empty() {
                return Ok(None);
            }
            return Err(StateError::JournalWithoutState {
                journal: journal_name,
                location: self.location(),
            });
        };
        let data: Vec<u8> = first.get(3);
        let plain = self.codec.open(&data, &self.location())?;
        let mut state = parse_state(&plain, &self.location())?;
        let mut replayed = 0usize;
        for (i, row) in rows.iter().enumerate().skip(1) {
            let lineage: String = row.get(1);
            let serial = row.get::<_, i64>(2).max(0) as u64;
            // Already folded into the snapshot (cannot normally survive a full write, which
            // deletes them in the same transaction).
            if lineage == state.lineage && serial < state.serial {
                continue;
            }
            if lineage != state.lineage || serial != state.serial {
                return Err(StateError::JournalMismatch {
                    journal: journal_name,
                    location: self.location(),
                    journal_lineage: lineage,
                    journal_serial: serial,
                    state_lineage: state.lineage.clone(),
                    state_serial: state.serial,
                });
            }
            let record: Vec<u8> = row.get(3);
            let plain = self.codec.open(&record, &journal_name)?;
            let change: Change =
                serde_json::from_slice(&plain).map_err(|e| StateError::JournalCorrupt {
                    journal: journal_name.clone(),
                    line: i,
                    message: e.to_string(),
                })?;
            state.apply_change(&change);
            replayed += 1;
        }
        Ok(Some(Loaded {
            state,
            replayed,
            torn_tail_bytes: 0,
        }))
    }

    /// The stored lineage and serial, if there is a snapshot.
    pub(super) async fn stored_base(&self) -> Result<Option<(String, u64)>> {
        let client = self.ready().await?;
        let sql = format!(
            "SELECT lineage, serial FROM {} WHERE workspace = $1",
            self.table("states")
        );
        let rows = client
            .query(&sql, &[&self.workspace])
            .await
            .map_err(|e| self.db_error("cannot read the state", &e))?;
        Ok(rows
            .first()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1).max(0) as u64)))
    }

    fn render(&self, state: &State, serial: u64) -> Result<(State, Vec<u8>)> {
        let mut written = state.clone();
        written.serial = serial;
        written.skyform_version = env!("CARGO_PKG_VERSION").to_string();
        written.canonicalize();
        let sealed = self.codec.seal(&render_state(&written))?;
        Ok((written, sealed))
    }

    pub(super) async fn write_full_impl(&self, state: &State) -> Result<Written> {
        self.check_lock()?;
        let client = self.ready().await?;
        let (written, data) = self.render(state, state.serial.saturating_add(1))?;
        let sql = format!(
            "WITH cur AS (SELECT lineage, serial FROM {states} WHERE workspace = $1), \
             upd AS (UPDATE {states} SET serial = $4, data = $5, updated_at = now() \
                     WHERE workspace = $1 AND lineage = $2 AND serial <= $3 RETURNING 1), \
             ins AS (INSERT INTO {states} (workspace, lineage, serial, data) \
                     SELECT $1, $2, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM cur) \
                     ON CONFLICT (workspace) DO NOTHING RETURNING 1), \
             del AS (DELETE FROM {journal} WHERE workspace = $1 \
                     AND EXISTS (SELECT 1 FROM upd UNION ALL SELECT 1 FROM ins) RETURNING 1) \
             SELECT (SELECT count(*) FROM upd) + (SELECT count(*) FROM ins), \
                    (SELECT lineage FROM cur), (SELECT serial FROM cur)",
            states = self.table("states"),
            journal = self.table("journal"),
        );
        // Typed: one round trip, and one transaction for the checks, the write and the
        // removal of the folded journal rows.
        let (loaded, next) = (to_i64(state.serial), to_i64(written.serial));
        let rows = client
            .query_typed(
                &sql,
                &[
                    (&self.workspace, Type::TEXT),
                    (&state.lineage, Type::TEXT),
                    (&loaded, Type::INT8),
                    (&next, Type::INT8),
                    (&data, Type::BYTEA),
                ],
            )
            .await
            .map_err(|e| self.db_error("cannot write the state", &e))?;
        let Some(row) = rows.first() else {
            return Err(StateError::Database {
                location: self.location(),
                message: "the state write returned no result".to_string(),
            });
        };
        let stored: i64 = row.get(0);
        if stored == 1 {
            return Ok(Written {
                state: written,
                bytes: data.len() as u64,
            });
        }
        let lineage: Option<String> = row.get(1);
        let serial: Option<i64> = row.get(2);
        Err(match lineage {
            Some(on_disk) if on_disk != state.lineage => StateError::LineageOverwrite {
                location: self.location(),
                on_disk,
                writing: state.lineage.clone(),
            },
            _ => StateError::StaleWrite {
                location: self.location(),
                loaded: state.serial,
                on_disk: serial.map_or(state.serial + 1, |s| s.max(0) as u64),
            },
        })
    }

    pub(super) async fn replace_full_impl(&self, state: &State) -> Result<State> {
        self.check_lock()?;
        let client = self.ready().await?;
        let current = self.stored_base().await?.map_or(0, |(_, serial)| serial);
        let (written, data) = self.render(state, state.serial.max(current).saturating_add(1))?;
        let sql = format!(
            "WITH up AS (INSERT INTO {states} (workspace, lineage, serial, data) VALUES ($1, $2, $3, $4) \
                ON CONFLICT (workspace) DO UPDATE SET lineage = EXCLUDED.lineage, serial = EXCLUDED.serial, \
                data = EXCLUDED.data, updated_at = now() WHERE {states}.serial < EXCLUDED.serial RETURNING 1) \
             DELETE FROM {journal} WHERE workspace = $1 AND EXISTS (SELECT 1 FROM up)",
            states = self.table("states"),
            journal = self.table("journal"),
        );
        client
            .execute(
                &sql,
                &[
                    &self.workspace,
                    &written.lineage,
                    &to_i64(written.serial),
                    &data,
                ],
            )
            .await
            .map_err(|e| self.db_error("cannot write the state", &e))?;
        match self.stored_base().await? {
            Some((lineage, serial)) if lineage == written.lineage && serial == written.serial => {
                Ok(written)
            }
            Some((_, serial)) => Err(StateError::StaleWrite {
                location: self.location(),
                loaded: written.serial,
                on_disk: serial,
            }),
            None => Err(StateError::Database {
                location: self.location(),
                message: "the state row vanished while it was being replaced".to_string(),
            }),
        }
    }
}
