//! The state journal: completed operations appended as one JSON line each, so the durable cost of
//! an operation is one short append + fsync instead of a rewrite of the whole state (which is
//! what makes Terraform's apply quadratic, terraform#34296).
//!
//! File `<state>.journal`: line 1 is a [`JournalHeader`] naming the lineage and serial of the
//! state file the records apply to; every further line is one [`Change`]. A line counts only
//! once its `\n` is on disk, so a crash mid-write leaves a torn last line that replay ignores
//! (it was never acknowledged); a bad line *before* the end is corruption and is refused.
//!
//! [`StateWriter`] funnels records from any number of tasks to one writer thread that drains
//! everything queued, writes it in one `write`, fsyncs once and only then acknowledges each
//! caller (group commit), so concurrent operations share fsyncs.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use super::backend::LocalBackend;
use super::error::{Result, StateError};
use super::file::{parent_dir, sync_dir, write_atomic};
use super::model::{Change, OutputState, State};

/// Marker in the header line, so a stray file is not mistaken for a journal.
const JOURNAL_KIND: &str = "skyform-state-journal";
/// Journal line format version.
const JOURNAL_FORMAT: u32 = 1;

/// First line of a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalHeader {
    pub journal: String,
    pub format: u32,
    pub lineage: String,
    pub serial: u64,
}

impl JournalHeader {
    fn for_state(state: &State) -> Self {
        JournalHeader {
            journal: JOURNAL_KIND.to_string(),
            format: JOURNAL_FORMAT,
            lineage: state.lineage.clone(),
            serial: state.serial,
        }
    }
}

/// What reading a journal found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JournalReplay {
    /// Records to apply, in order.
    pub changes: Vec<Change>,
    /// Bytes of an unfinished last line that were ignored (a write interrupted by a crash).
    pub torn_tail_bytes: usize,
    /// The journal was already folded into the state file (crash between the full write and the
    /// journal's replacement); nothing to apply.
    pub stale: bool,
}

/// Read the journal at `path` for `state` (read from `state_path`). `None` if there is none.
pub fn read_journal(
    path: &Path,
    state_path: &Path,
    state: &State,
) -> Result<Option<JournalReplay>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io("read", path, e)),
    };
    parse_journal(&bytes, path, state_path, state).map(Some)
}

/// Parse journal bytes; see the module docs for what is accepted.
pub fn parse_journal(
    bytes: &[u8],
    path: &Path,
    state_path: &Path,
    state: &State,
) -> Result<JournalReplay> {
    let complete_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut replay = JournalReplay {
        torn_tail_bytes: bytes.len() - complete_len,
        ..JournalReplay::default()
    };
    // Every piece ends with its '\n', which we drop.
    let mut lines = bytes[..complete_len]
        .split_inclusive(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\n").unwrap_or(line));
    let corrupt = |line: usize, message: String| StateError::JournalCorrupt {
        path: path.to_path_buf(),
        line,
        message,
    };
    let Some(header_line) = lines.next() else {
        // Not even the header made it to disk: nothing was ever acknowledged.
        return Ok(replay);
    };
    let header: JournalHeader =
        serde_json::from_slice(header_line).map_err(|e| corrupt(1, format!("bad header: {e}")))?;
    if header.journal != JOURNAL_KIND || header.format != JOURNAL_FORMAT {
        return Err(corrupt(
            1,
            format!(
                "not a skyform journal of format {JOURNAL_FORMAT} (found {:?} format {})",
                header.journal, header.format
            ),
        ));
    }
    if header.lineage == state.lineage && header.serial < state.serial {
        replay.stale = true;
        return Ok(replay);
    }
    if header.lineage != state.lineage || header.serial != state.serial {
        return Err(StateError::JournalMismatch {
            path: path.to_path_buf(),
            state_path: state_path.to_path_buf(),
            journal_lineage: header.lineage,
            journal_serial: header.serial,
            state_lineage: state.lineage.clone(),
            state_serial: state.serial,
        });
    }
    for (i, line) in lines.enumerate() {
        let change: Change =
            serde_json::from_slice(line).map_err(|e| corrupt(i + 2, e.to_string()))?;
        replay.changes.push(change);
    }
    Ok(replay)
}

/// When to fold the journal into a full rewrite of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactionPolicy {
    /// Compact once the journal holds this many records (and at least as many as the state has
    /// instances, so rewrites stay amortised O(1) per record however big the state grows).
    pub max_records: u64,
    /// Compact once the journal is this big (and at least as big as the state document).
    pub max_bytes: u64,
}

impl Default for CompactionPolicy {
    fn default() -> Self {
        CompactionPolicy {
            max_records: 1000,
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Counters for tests, benchmarks and progress output.
#[derive(Debug, Default)]
struct Counters {
    records: AtomicU64,
    fsyncs: AtomicU64,
    compactions: AtomicU64,
    full_writes: AtomicU64,
    journal_bytes: AtomicU64,
    full_write_bytes: AtomicU64,
}

/// A snapshot of a writer's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterStats {
    /// Records durably appended.
    pub records: u64,
    /// fsyncs of journal appends (each one covers a whole batch of records).
    pub fsyncs: u64,
    /// Times the journal was folded into a full state write mid-run.
    pub compactions: u64,
    /// Full state document writes (open, compactions, finish).
    pub full_writes: u64,
    /// Bytes appended to the journal (headers included).
    pub journal_bytes: u64,
    /// Bytes of full state documents written (backups not counted).
    pub full_write_bytes: u64,
}

enum Request {
    Record(Box<Change>, oneshot::Sender<Result<()>>),
    Finish(
        BTreeMap<String, OutputState>,
        oneshot::Sender<Result<State>>,
    ),
}

/// Durable, group-committed recording of changes during a run. Cheap to clone; share one per run.
///
/// The caller must hold the state lock for the whole run.
#[derive(Clone)]
pub struct StateWriter {
    tx: mpsc::UnboundedSender<Request>,
    counters: Arc<Counters>,
}

impl StateWriter {
    /// Start a run on top of `state` (as returned by `backend.load()` or `backend.new_state()`,
    /// possibly changed in memory since). Writes `state` in full (serial + 1) so the journal has a
    /// base on disk, then starts an empty journal.
    pub async fn open(backend: &LocalBackend, state: State) -> Result<StateWriter> {
        Self::open_with_policy(backend, state, CompactionPolicy::default()).await
    }

    /// [`StateWriter::open`] with a custom compaction policy.
    pub async fn open_with_policy(
        backend: &LocalBackend,
        state: State,
        policy: CompactionPolicy,
    ) -> Result<StateWriter> {
        let backend = backend.clone();
        let counters = Arc::new(Counters::default());
        let thread_counters = counters.clone();
        let journal = tokio::task::spawn_blocking(move || {
            JournalFile::start(backend, state, policy, thread_counters)
        })
        .await
        .map_err(|e| StateError::WriterStopped {
            cause: format!("opening the journal failed: {e}"),
        })??;
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("skyform-state-journal".into())
            .spawn(move || journal.serve(rx))
            .map_err(|e| StateError::WriterStopped {
                cause: format!("cannot start the journal thread: {e}"),
            })?;
        Ok(StateWriter { tx, counters })
    }

    /// Append `change`; returns once it is on disk (fsync'd), so it survives a crash.
    pub async fn record(&self, change: Change) -> Result<()> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Request::Record(Box::new(change), ack))
            .map_err(|_| finished())?;
        done.await.map_err(|_| finished())?
    }

    /// Set the outputs, write the full state (serial + 1), remove the journal and return the
    /// final state. Records sent before this call are included.
    pub async fn finish(&self, outputs: BTreeMap<String, OutputState>) -> Result<State> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Request::Finish(outputs, ack))
            .map_err(|_| finished())?;
        done.await.map_err(|_| finished())?
    }

    pub fn stats(&self) -> WriterStats {
        WriterStats {
            records: self.counters.records.load(Ordering::Relaxed),
            fsyncs: self.counters.fsyncs.load(Ordering::Relaxed),
            compactions: self.counters.compactions.load(Ordering::Relaxed),
            full_writes: self.counters.full_writes.load(Ordering::Relaxed),
            journal_bytes: self.counters.journal_bytes.load(Ordering::Relaxed),
            full_write_bytes: self.counters.full_write_bytes.load(Ordering::Relaxed),
        }
    }
}

fn finished() -> StateError {
    StateError::WriterStopped {
        cause: "the run's state was already finished".to_string(),
    }
}

/// Most records written in one batch (bounds memory when callers outpace the disk).
const MAX_BATCH: usize = 4096;

/// The writer thread's side: the open journal and the state it describes.
struct JournalFile {
    backend: LocalBackend,
    file: File,
    state: State,
    policy: CompactionPolicy,
    counters: Arc<Counters>,
    records_in_journal: u64,
    bytes_in_journal: u64,
    /// Size and instance count of the last full state document: compaction waits until the
    /// journal is at least this big, so rewrites cost amortised O(1) per record.
    state_bytes: u64,
    state_instances: u64,
    /// Set after a failed append: the journal's tail is unknown, so nothing more is appended.
    failed: Option<String>,
}

impl JournalFile {
    fn start(
        backend: LocalBackend,
        state: State,
        policy: CompactionPolicy,
        counters: Arc<Counters>,
    ) -> Result<JournalFile> {
        let (state, state_bytes) = backend.write_full_sized(&state)?;
        counters.full_writes.fetch_add(1, Ordering::Relaxed);
        counters
            .full_write_bytes
            .fetch_add(state_bytes, Ordering::Relaxed);
        let state_instances = state.instance_count() as u64;
        let (file, bytes) = create_journal(&backend.journal_path(), &state)?;
        counters.journal_bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(JournalFile {
            backend,
            file,
            state,
            policy,
            counters,
            records_in_journal: 0,
            bytes_in_journal: bytes,
            state_bytes,
            state_instances,
            failed: None,
        })
    }

    /// The writer loop: one batch per iteration, until every sender is gone or `finish`.
    fn serve(mut self, mut rx: mpsc::UnboundedReceiver<Request>) {
        while let Some(first) = rx.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(more) => batch.push(more),
                    Err(_) => break,
                }
            }
            let mut records = Vec::new();
            let mut finish = None;
            for request in batch {
                match request {
                    Request::Record(change, ack) if finish.is_none() => records.push((change, ack)),
                    Request::Record(_, ack) => {
                        let _ = ack.send(Err(finished()));
                    }
                    Request::Finish(outputs, ack) if finish.is_none() => {
                        finish = Some((outputs, ack))
                    }
                    Request::Finish(_, ack) => {
                        let _ = ack.send(Err(finished()));
                    }
                }
            }
            self.commit(records);
            if let Some((outputs, ack)) = finish {
                let _ = ack.send(self.finish(outputs));
                // Answer anything that raced in behind the finish, then stop.
                rx.close();
                while let Ok(late) = rx.try_recv() {
                    match late {
                        Request::Record(_, ack) => {
                            let _ = ack.send(Err(finished()));
                        }
                        Request::Finish(_, ack) => {
                            let _ = ack.send(Err(finished()));
                        }
                    }
                }
                return;
            }
            if self.failed.is_none() && self.compaction_due() {
                if let Err(e) = self.compact() {
                    self.failed = Some(e.to_string());
                }
            }
        }
    }

    /// Append a batch with one write and one fsync, then acknowledge every caller.
    fn commit(&mut self, records: Vec<(Box<Change>, oneshot::Sender<Result<()>>)>) {
        if records.is_empty() {
            return;
        }
        if let Some(cause) = &self.failed {
            for (_, ack) in records {
                let _ = ack.send(Err(StateError::WriterStopped {
                    cause: cause.clone(),
                }));
            }
            return;
        }
        let mut buf = Vec::with_capacity(records.len() * 256);
        for (change, _) in &records {
            // Serialising a Change (plain data) cannot fail; JSON text has no raw newlines.
            if serde_json::to_writer(&mut buf, change).is_ok() {
                buf.push(b'\n');
            }
        }
        let path = self.backend.journal_path();
        let written = self
            .file
            .write_all(&buf)
            .map_err(|e| StateError::io("append to", &path, e))
            .and_then(|_| {
                self.counters.fsyncs.fetch_add(1, Ordering::Relaxed);
                self.file
                    .sync_data()
                    .map_err(|e| StateError::io("fsync", &path, e))
            });
        match written {
            Ok(()) => {
                self.records_in_journal += records.len() as u64;
                self.bytes_in_journal += buf.len() as u64;
                self.counters
                    .journal_bytes
                    .fetch_add(buf.len() as u64, Ordering::Relaxed);
                self.counters
                    .records
                    .fetch_add(records.len() as u64, Ordering::Relaxed);
                for (change, ack) in records {
                    self.state.apply_change(&change);
                    let _ = ack.send(Ok(()));
                }
            }
            Err(e) => {
                self.failed = Some(e.to_string());
                for (_, ack) in records {
                    let _ = ack.send(Err(e.clone()));
                }
            }
        }
    }

    fn compaction_due(&self) -> bool {
        let record_limit = self.policy.max_records.max(self.state_instances);
        let byte_limit = self.policy.max_bytes.max(self.state_bytes);
        self.records_in_journal >= record_limit || self.bytes_in_journal >= byte_limit
    }

    /// Fold the journal into a full state write and start a new, empty journal. A crash between
    /// the two leaves a journal whose serial is older than the state's: replay skips it.
    fn compact(&mut self) -> Result<()> {
        let (written, size) = self.backend.write_full_sized(&self.state)?;
        self.state = written;
        self.counters.full_writes.fetch_add(1, Ordering::Relaxed);
        self.counters.compactions.fetch_add(1, Ordering::Relaxed);
        self.counters
            .full_write_bytes
            .fetch_add(size, Ordering::Relaxed);
        self.state_bytes = size;
        self.state_instances = self.state.instance_count() as u64;
        let (file, bytes) = create_journal(&self.backend.journal_path(), &self.state)?;
        self.counters
            .journal_bytes
            .fetch_add(bytes, Ordering::Relaxed);
        self.file = file;
        self.records_in_journal = 0;
        self.bytes_in_journal = bytes;
        Ok(())
    }

    /// Write the final state and remove the journal. Tried even after an append failure: the
    /// in-memory state holds exactly the acknowledged records.
    fn finish(&mut self, outputs: BTreeMap<String, OutputState>) -> Result<State> {
        self.state.apply_change(&Change::SetOutputs { outputs });
        let (written, size) = self.backend.write_full_sized(&self.state)?;
        self.counters.full_writes.fetch_add(1, Ordering::Relaxed);
        self.counters
            .full_write_bytes
            .fetch_add(size, Ordering::Relaxed);
        self.state = written.clone();
        let journal = self.backend.journal_path();
        match fs::remove_file(&journal) {
            Ok(()) => sync_dir(&parent_dir(&journal))?,
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(StateError::io("remove", &journal, e)),
        }
        Ok(written)
    }
}

/// Atomically create a journal holding only the header for `state`, open for appending.
fn create_journal(path: &Path, state: &State) -> Result<(File, u64)> {
    let mut header = serde_json::to_vec(&JournalHeader::for_state(state)).unwrap_or_default();
    header.push(b'\n');
    write_atomic(path, &header)?;
    let file = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| StateError::io("open", path, e))?;
    Ok((file, header.len() as u64))
}

/// `<state>.journal` beside a state file.
pub fn journal_path_for(state_path: &Path) -> PathBuf {
    super::file::with_suffix(state_path, ".journal")
}
