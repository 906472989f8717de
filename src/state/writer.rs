//! [`StateWriter`]: durable, group-committed recording of changes during a run, over any
//! [`Backend`]. Records from any number of tasks go to one writer task that drains everything
//! queued, stores it with one [`Backend::append`] (one fsync for the local journal, one
//! transaction for a database) and only then acknowledges each caller, so concurrent operations
//! share the durable write. It also folds the journal into a full write when it grows large.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::backend::{Backend, JournalBase, Stored};
use super::error::{Result, StateError};
use super::model::{Change, OutputState, State};

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
    /// Durable appends (for the local journal, fsyncs; each one covers a whole batch of records).
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
/// The caller must hold the state lock for the whole run, and must run it on a Tokio runtime.
#[derive(Clone)]
pub struct StateWriter {
    tx: mpsc::UnboundedSender<Request>,
    counters: Arc<Counters>,
}

impl StateWriter {
    /// Start a run on top of `state` (as returned by `backend.load()` or `backend.new_state()`,
    /// possibly changed in memory since). Writes `state` in full (serial + 1) so the journal has a
    /// base, then starts an empty journal.
    pub async fn open(backend: Arc<dyn Backend>, state: State) -> Result<StateWriter> {
        Self::open_with_policy(backend, state, CompactionPolicy::default()).await
    }

    /// [`StateWriter::open`] with a custom compaction policy.
    pub async fn open_with_policy(
        backend: Arc<dyn Backend>,
        state: State,
        policy: CompactionPolicy,
    ) -> Result<StateWriter> {
        let counters = Arc::new(Counters::default());
        let journal = Journal::start(backend, state, policy, counters.clone()).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(journal.serve(rx));
        Ok(StateWriter { tx, counters })
    }

    /// Append `change`; returns once it is durable, so it survives a crash.
    pub async fn record(&self, change: Change) -> Result<()> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Request::Record(Box::new(change), ack))
            .map_err(|_| finished())?;
        done.await.map_err(|_| finished())?
    }

    /// Set the outputs, write the full state (serial + 1), end the journal and return the
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

/// Most records written in one batch (bounds memory when callers outpace the storage).
const MAX_BATCH: usize = 4096;

/// The writer task's side: the backend and the state its journal describes.
struct Journal {
    backend: Arc<dyn Backend>,
    /// The last full document plus every acknowledged record: the run's one copy of the
    /// state document. Shared with the backend only while a full write is in flight (so the
    /// write does not copy it), and changed in place otherwise.
    state: Arc<State>,
    /// The full document the journal's records apply to.
    base: JournalBase,
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

impl Journal {
    async fn start(
        backend: Arc<dyn Backend>,
        state: State,
        policy: CompactionPolicy,
        counters: Arc<Counters>,
    ) -> Result<Journal> {
        let mut journal = Journal {
            backend,
            base: JournalBase::of(&state),
            state: Arc::new(state),
            policy,
            counters,
            records_in_journal: 0,
            bytes_in_journal: 0,
            state_bytes: 0,
            state_instances: 0,
            failed: None,
        };
        journal.write_base().await?;
        Ok(journal)
    }

    /// Write the state in full and start an empty journal on top of it.
    async fn write_base(&mut self) -> Result<()> {
        let bytes = self.full_write().await?;
        self.base = JournalBase::of(&self.state);
        self.state_bytes = bytes;
        self.state_instances = self.state.instance_count() as u64;
        let header = self.backend.append(&self.base, &[]).await?;
        self.counters
            .journal_bytes
            .fetch_add(header, Ordering::Relaxed);
        self.records_in_journal = 0;
        self.bytes_in_journal = header;
        Ok(())
    }

    /// Writes the state in full and takes on the header written (serial + 1); returns the
    /// document's size.
    async fn full_write(&mut self) -> Result<u64> {
        Arc::make_mut(&mut self.state).canonicalize();
        let Stored {
            serial,
            skyform_version,
            bytes,
        } = self.backend.write_full_shared(self.state.clone()).await?;
        // The backend has let go of the document: this changes it in place, not a copy.
        let state = Arc::make_mut(&mut self.state);
        state.serial = serial;
        state.skyform_version = skyform_version;
        self.counters.full_writes.fetch_add(1, Ordering::Relaxed);
        self.counters
            .full_write_bytes
            .fetch_add(bytes, Ordering::Relaxed);
        Ok(bytes)
    }

    /// The writer loop: one batch per iteration, until every sender is gone or `finish`.
    async fn serve(mut self, mut rx: mpsc::UnboundedReceiver<Request>) {
        while let Some(first) = rx.recv().await {
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
                    Request::Finish(outputs, ack) if finish.is_none() => {
                        finish = Some((outputs, ack))
                    }
                    late => refuse(late),
                }
            }
            self.commit(records).await;
            if let Some((outputs, ack)) = finish {
                let _ = ack.send(self.finish(outputs).await);
                // Answer anything that raced in behind the finish, then stop.
                rx.close();
                while let Ok(late) = rx.try_recv() {
                    refuse(late);
                }
                return;
            }
            if self.failed.is_none() && self.compaction_due() {
                match self.write_base().await {
                    Ok(()) => {
                        self.counters.compactions.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => self.failed = Some(e.to_string()),
                }
            }
        }
    }

    /// Store a batch with one append, then acknowledge every caller.
    async fn commit(&mut self, records: Vec<(Box<Change>, oneshot::Sender<Result<()>>)>) {
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
        let (changes, acks): (Vec<Change>, Vec<_>) = records
            .into_iter()
            .map(|(change, ack)| (*change, ack))
            .unzip();
        self.counters.fsyncs.fetch_add(1, Ordering::Relaxed);
        match self.backend.append(&self.base, &changes).await {
            Ok(bytes) => {
                self.records_in_journal += changes.len() as u64;
                self.bytes_in_journal += bytes;
                self.counters
                    .journal_bytes
                    .fetch_add(bytes, Ordering::Relaxed);
                self.counters
                    .records
                    .fetch_add(changes.len() as u64, Ordering::Relaxed);
                let state = Arc::make_mut(&mut self.state);
                for change in &changes {
                    state.apply_change(change);
                }
                for ack in acks {
                    let _ = ack.send(Ok(()));
                }
            }
            Err(e) => {
                self.failed = Some(e.to_string());
                for ack in acks {
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

    /// Write the final state, which ends the journal. Tried even after an append failure: the
    /// in-memory state holds exactly the acknowledged records.
    async fn finish(&mut self, outputs: BTreeMap<String, OutputState>) -> Result<State> {
        Arc::make_mut(&mut self.state).apply_change(&Change::SetOutputs { outputs });
        self.full_write().await?;
        // The writer stops here: the caller gets its document, not a copy.
        Ok(std::mem::take(Arc::make_mut(&mut self.state)))
    }
}

/// Answer a request that arrived after `finish`.
fn refuse(request: Request) {
    match request {
        Request::Record(_, ack) => {
            let _ = ack.send(Err(finished()));
        }
        Request::Finish(_, ack) => {
            let _ = ack.send(Err(finished()));
        }
    }
}
