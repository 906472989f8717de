//! The local backend: `state/<workspace>.json` under the working directory, with its backup,
//! journal and lock beside it. Ties the file format, journal and kernel-held lock together.
//!
//! The inherent methods are synchronous (for tests and tools that inspect files); the
//! [`Backend`] implementation runs them on Tokio's blocking threads.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use super::backend::{self, Backend, JournalBase, Loaded, Stored, Written};
use super::encryption::Codec;
use super::error::{Result, StateError};
use super::file::{
    backup_path, parent_dir, parse_state, read_bytes, render_state, render_with_header, sync_dir,
    with_suffix, write_document,
};
use super::journal::{self, journal_path_for, read_journal, OpenJournal};
use super::local_lock;
use super::lock::{LockInfo, StateLock};
use super::model::{Change, State};

/// The workspace used when none is selected.
pub const DEFAULT_WORKSPACE: &str = "default";
/// Folder (under the working directory) that holds local state files.
pub const STATE_DIR: &str = "state";

/// Local state storage for one workspace. Clones share the open journal.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    path: PathBuf,
    /// The journal this backend is appending to, if any.
    journal: Arc<Mutex<Option<OpenJournal>>>,
    /// Encryption of the document and each journal record (plain by default).
    codec: Codec,
    /// The document this backend last read or wrote, by digest: a write that finds exactly
    /// those bytes on disk knows their lineage and serial without parsing the whole
    /// document again (a second copy of the state in memory).
    known: Arc<Mutex<Option<KnownDocument>>>,
}

/// A document's digest and the header it was read or written with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KnownDocument {
    digest: [u8; 32],
    lineage: String,
    serial: u64,
}

impl KnownDocument {
    fn of(bytes: &[u8], lineage: &str, serial: u64) -> Self {
        use sha2::Digest;
        KnownDocument {
            digest: sha2::Sha256::digest(bytes).into(),
            lineage: lineage.to_string(),
            serial,
        }
    }
}

impl LocalBackend {
    /// The backend for `workspace` under `work_dir` (`state/<workspace>.json`).
    pub fn new(work_dir: impl AsRef<Path>, workspace: &str) -> Result<Self> {
        let valid = !workspace.is_empty()
            && workspace.len() <= 90
            && workspace
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(StateError::InvalidWorkspace {
                name: workspace.to_string(),
            });
        }
        Ok(Self::at_path(
            work_dir
                .as_ref()
                .join(STATE_DIR)
                .join(format!("{workspace}.json")),
        ))
    }

    /// A backend for an explicit state file path (e.g. `-state=FILE`).
    pub fn at_path(path: impl Into<PathBuf>) -> Self {
        LocalBackend {
            path: path.into(),
            journal: Arc::new(Mutex::new(None)),
            codec: Codec::plain(),
            known: Arc::new(Mutex::new(None)),
        }
    }

    /// This backend, encrypting what it writes (and decrypting what it reads) with `codec`.
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// The stored bytes, decrypted, parsed and validated; `None` if there is no file.
    fn read_document(&self) -> Result<Option<State>> {
        match read_bytes(&self.path)? {
            Some(bytes) => {
                let state = self.parse_document(&bytes)?;
                self.remember(&bytes, &state.lineage, state.serial);
                Ok(Some(state))
            }
            None => Ok(None),
        }
    }

    fn remember(&self, bytes: &[u8], lineage: &str, serial: u64) {
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(KnownDocument::of(bytes, lineage, serial));
    }

    /// The lineage and serial of the stored `bytes`: from memory when they are the document
    /// this backend last read or wrote, else by reading them in full (which refuses a
    /// document it cannot read).
    fn stored_header(&self, bytes: &[u8]) -> Result<(String, u64)> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(known) = known {
            if KnownDocument::of(bytes, &known.lineage, known.serial) == known {
                return Ok((known.lineage, known.serial));
            }
        }
        let on_disk = self.parse_document(bytes)?;
        Ok((on_disk.lineage, on_disk.serial))
    }

    /// Refuses to write `state` over the stored `bytes` of another lineage or a later serial.
    fn check_overwrite(&self, bytes: &[u8], state: &State) -> Result<()> {
        let (lineage, serial) = self.stored_header(bytes)?;
        if lineage != state.lineage {
            return Err(StateError::LineageOverwrite {
                location: self.location(),
                on_disk: lineage,
                writing: state.lineage.clone(),
            });
        }
        if serial > state.serial {
            return Err(StateError::StaleWrite {
                location: self.location(),
                loaded: state.serial,
                on_disk: serial,
            });
        }
        Ok(())
    }

    fn parse_document(&self, bytes: &[u8]) -> Result<State> {
        let plain = self.codec.open(bytes, &self.location())?;
        parse_state(&plain, &self.location())
    }

    /// The state file's path as messages show it.
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn backup_path(&self) -> PathBuf {
        backup_path(&self.path)
    }

    pub fn journal_path(&self) -> PathBuf {
        journal_path_for(&self.path)
    }

    pub fn lock_path(&self) -> PathBuf {
        with_suffix(&self.path, ".lock")
    }

    /// A fresh, empty state (new lineage, serial 0); nothing is written.
    pub fn new_state(&self) -> State {
        State::new()
    }

    /// The current state with any journal from an interrupted run replayed; `None` if there is
    /// no state file. Read-only: files are left as they are (the next write folds the journal).
    pub fn load(&self) -> Result<Option<State>> {
        Ok(self.load_with_report()?.map(|loaded| loaded.state))
    }

    /// [`LocalBackend::load`], also saying what was recovered from the journal.
    pub fn load_with_report(&self) -> Result<Option<Loaded>> {
        // A reader without the lock can race a running apply's compaction (state file replaced,
        // then the journal restarted) and see the old file with the new journal; the journal's
        // serial is then ahead of the file's. Reading again resolves it.
        let mut attempts = 0;
        loop {
            match self.load_once() {
                Err(StateError::JournalMismatch {
                    journal_lineage,
                    journal_serial,
                    state_lineage,
                    state_serial,
                    ..
                }) if attempts < 3
                    && journal_lineage == state_lineage
                    && journal_serial > state_serial =>
                {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn load_once(&self) -> Result<Option<Loaded>> {
        let journal = self.journal_path();
        let Some(mut state) = self.read_document()? else {
            return match fs::metadata(&journal) {
                Ok(_) => Err(StateError::JournalWithoutState {
                    journal: journal.display().to_string(),
                    location: self.location(),
                }),
                Err(_) => Ok(None),
            };
        };
        let (mut replayed, mut torn_tail_bytes) = (0, 0);
        if let Some(replay) = read_journal(&journal, &self.location(), &state, &self.codec)? {
            for change in &replay.changes {
                state.apply_change(change);
            }
            replayed = replay.changes.len();
            torn_tail_bytes = replay.torn_tail_bytes;
        }
        Ok(Some(Loaded {
            state,
            replayed,
            torn_tail_bytes,
        }))
    }

    /// Like [`LocalBackend::load`], refusing a state whose lineage is not `lineage` (e.g. the
    /// state a saved plan was made from).
    pub fn load_expecting(&self, lineage: &str) -> Result<Option<State>> {
        let state = self.load()?;
        if let Some(state) = &state {
            self.check_lineage(state, lineage)?;
        }
        Ok(state)
    }

    /// Refuse `state` unless it has `lineage`.
    pub fn check_lineage(&self, state: &State, lineage: &str) -> Result<()> {
        backend::check_lineage(&self.location(), state, lineage)
    }

    /// Refuse `state` unless it is exactly the one a saved plan was made from.
    pub fn check_plan_base(&self, state: &State, lineage: &str, serial: u64) -> Result<()> {
        backend::check_plan_base(&self.location(), state, lineage, serial)
    }

    /// Take the state lock for `operation`, waiting up to `timeout` for another holder; blocks
    /// the calling thread while it waits.
    pub fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock> {
        local_lock::acquire(&self.lock_path(), &self.location(), operation, timeout)
    }

    /// Who holds the lock, if anyone (a lock file nobody holds says nothing).
    pub fn lock_holder(&self) -> Result<Option<LockInfo>> {
        local_lock::read_holder(&self.lock_path(), &self.location())
    }

    /// Break the lock if its holder's ID is `id`; returns what the holder wrote.
    pub fn force_unlock(&self, id: &str) -> Result<LockInfo> {
        local_lock::force_unlock(&self.lock_path(), &self.location(), id)
    }

    /// Durably append `changes` to the journal for `base`; see [`Backend::append`].
    pub fn append(&self, base: &JournalBase, changes: &[Change]) -> Result<u64> {
        self.append_lines(base, &journal::encode_with(changes, &self.codec)?)
    }

    fn append_lines(&self, base: &JournalBase, lines: &[u8]) -> Result<u64> {
        let mut open = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        journal::append(&mut open, &self.journal_path(), base, lines)
    }

    /// Write `state` as the whole document (serial + 1) and return what was written. Refuses a
    /// state of another lineage, or one older than the file (someone wrote since it was loaded),
    /// and never overwrites a file it cannot read. Any journal is removed: `state` came from
    /// [`LocalBackend::load`], which replayed it. Hold the lock while calling this.
    pub fn write_full(&self, state: &State) -> Result<State> {
        self.write_full_sized(state).map(|(written, _)| written)
    }

    /// [`LocalBackend::write_full`], also returning the written document's size in bytes.
    pub fn write_full_sized(&self, state: &State) -> Result<(State, u64)> {
        let previous = read_bytes(&self.path)?;
        if let Some(bytes) = &previous {
            self.check_overwrite(bytes, state)?;
        }
        self.write_unchecked(state, previous)
    }

    /// [`LocalBackend::write_full`] of a state already in canonical order, rendered with its
    /// new header in place instead of from a copy; see [`Backend::write_full_shared`].
    pub fn write_full_in_place(&self, state: &State) -> Result<Stored> {
        let previous = read_bytes(&self.path)?;
        if let Some(bytes) = &previous {
            self.check_overwrite(bytes, state)?;
        }
        let serial = state.serial.saturating_add(1);
        let skyform_version = env!("CARGO_PKG_VERSION");
        let plain = render_with_header(state, serial, skyform_version);
        let sealed = if self.codec.is_encrypted() {
            Some(self.codec.seal(&plain)?)
        } else {
            None
        };
        let bytes = sealed.as_deref().unwrap_or(&plain);
        let size = write_document(&self.path, previous.as_deref(), bytes)?;
        self.remember(bytes, &state.lineage, serial);
        self.end_journal()?;
        Ok(Stored {
            serial,
            skyform_version: skyform_version.to_string(),
            bytes: size,
        })
    }

    /// Write `state` (serial + 1) whatever is on disk now, keeping the current file as the
    /// backup; for `state push -force`. Hold the lock while calling this.
    pub fn replace_full(&self, state: &State) -> Result<State> {
        let previous = read_bytes(&self.path)?;
        let current_serial = match previous
            .as_deref()
            .map(|b| parse_state(b, &self.location()).or_else(|_| self.parse_document(b)))
        {
            // Above the stored serial whatever its lineage: serials at one location only grow.
            Some(Ok(current)) => current.serial,
            _ => 0,
        };
        let mut state = state.clone();
        state.serial = state.serial.max(current_serial);
        self.write_unchecked(&state, previous)
            .map(|(written, _)| written)
    }

    fn write_unchecked(&self, state: &State, previous: Option<Vec<u8>>) -> Result<(State, u64)> {
        let mut written = state.clone();
        written.serial = state.serial.saturating_add(1);
        written.skyform_version = env!("CARGO_PKG_VERSION").to_string();
        written.canonicalize();
        let sealed = self.codec.seal(&render_state(&written))?;
        let size = write_document(&self.path, previous.as_deref(), &sealed)?;
        self.remember(&sealed, &written.lineage, written.serial);
        self.end_journal()?;
        Ok((written, size))
    }

    /// The journal's records are in the document just written: the journal ends and the
    /// next append starts a new one.
    fn end_journal(&self) -> Result<()> {
        *self.journal.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let journal = self.journal_path();
        match fs::remove_file(&journal) {
            Ok(()) => sync_dir(&parent_dir(&journal)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StateError::io("remove", &journal, e)),
        }
    }
}

impl LocalBackend {
    /// Workspaces with a state file (or journal) in this state's folder, sorted.
    pub fn workspaces(&self) -> Result<Vec<String>> {
        let dir = parent_dir(&self.path);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StateError::io("list", &dir, e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| {
                n.strip_suffix(".json")
                    .or_else(|| n.strip_suffix(".json.journal"))
                    .map(str::to_string)
            })
            .filter(|n| LocalBackend::new(&dir, n).is_ok() && n != "schema")
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Remove this workspace's files (state, backup, journal, lock).
    pub fn delete_files(&self) -> Result<()> {
        for path in [
            self.path.clone(),
            self.backup_path(),
            self.journal_path(),
            self.lock_path(),
        ] {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(StateError::io("remove", &path, e)),
            }
        }
        sync_dir(&parent_dir(&self.path))
    }
}

impl LocalBackend {
    /// Run `f` on a clone of this backend on a blocking thread, so file I/O and fsyncs never
    /// stall the async runtime.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(LocalBackend) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || f(me))
            .await
            .map_err(|e| StateError::Io {
                action: "use",
                location: self.location(),
                message: e.to_string(),
            })?
    }
}

#[async_trait]
impl Backend for LocalBackend {
    fn describe(&self) -> String {
        format!("local state file {}", self.path.display())
    }

    fn location(&self) -> String {
        LocalBackend::location(self)
    }

    async fn load(&self) -> Result<Option<Loaded>> {
        self.blocking(|b| b.load_with_report()).await
    }

    async fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock> {
        local_lock::acquire_async(&self.lock_path(), &self.location(), operation, timeout).await
    }

    async fn lock_holder(&self) -> Result<Option<LockInfo>> {
        self.blocking(|b| b.lock_holder()).await
    }

    async fn force_unlock(&self, id: &str) -> Result<LockInfo> {
        let id = id.to_string();
        self.blocking(move |b| b.force_unlock(&id)).await
    }

    async fn append(&self, base: &JournalBase, changes: &[Change]) -> Result<u64> {
        // Encoded here so only bytes move to the blocking thread.
        let (base, lines) = (base.clone(), journal::encode_with(changes, &self.codec)?);
        self.blocking(move |b| b.append_lines(&base, &lines)).await
    }

    async fn write_full(&self, state: &State) -> Result<Written> {
        let state = state.clone();
        self.blocking(move |b| {
            b.write_full_sized(&state)
                .map(|(state, bytes)| Written { state, bytes })
        })
        .await
    }

    async fn write_full_shared(&self, state: Arc<State>) -> Result<Stored> {
        self.blocking(move |b| b.write_full_in_place(&state)).await
    }

    async fn replace_full(&self, state: &State) -> Result<State> {
        let state = state.clone();
        self.blocking(move |b| b.replace_full(&state)).await
    }

    async fn list_workspaces(&self) -> Result<Vec<String>> {
        self.blocking(|b| b.workspaces()).await
    }

    async fn delete_workspace(&self) -> Result<()> {
        self.blocking(|b| b.delete_files()).await
    }
}
