//! The local backend's journal file: completed operations appended as one JSON line each, so the
//! durable cost of an operation is one short append + fsync instead of a rewrite of the whole
//! state (which is what makes Terraform's apply quadratic, terraform#34296).
//!
//! File `<state>.journal`: line 1 is a [`JournalHeader`] naming the lineage and serial of the
//! state file the records apply to; every further line is one [`Change`]. A line counts only
//! once its `\n` is on disk, so a crash mid-write leaves a torn last line that replay ignores
//! (it was never acknowledged); a bad line *before* the end is corruption and is refused.
//!
//! The group commit that batches records lives in [`super::writer`]; this file stores a batch.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::backend::JournalBase;
use super::encryption::Codec;
use super::error::{Result, StateError};
use super::file::write_atomic;
use super::model::{Change, State};

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
    fn for_base(base: &JournalBase) -> Self {
        JournalHeader {
            journal: JOURNAL_KIND.to_string(),
            format: JOURNAL_FORMAT,
            lineage: base.lineage.clone(),
            serial: base.serial,
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

/// Read the journal at `path` for `state` (read from `location`). `None` if there is none.
pub fn read_journal(
    path: &Path,
    location: &str,
    state: &State,
    codec: &Codec,
) -> Result<Option<JournalReplay>> {
    let bytes = match super::file::read_regular(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::io("read", path, e)),
    };
    parse_journal_with(&bytes, &path.display().to_string(), location, state, codec).map(Some)
}

/// Parse journal bytes read from `journal`, for `state` read from `location`; see the module
/// docs for what is accepted.
pub fn parse_journal(
    bytes: &[u8],
    journal: &str,
    location: &str,
    state: &State,
) -> Result<JournalReplay> {
    parse_journal_with(bytes, journal, location, state, &Codec::plain())
}

/// [`parse_journal`] for records that may be encrypted (each line is then an envelope).
pub fn parse_journal_with(
    bytes: &[u8],
    journal: &str,
    location: &str,
    state: &State,
    codec: &Codec,
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
        journal: journal.to_string(),
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
            journal: journal.to_string(),
            location: location.to_string(),
            journal_lineage: header.lineage,
            journal_serial: header.serial,
            state_lineage: state.lineage.clone(),
            state_serial: state.serial,
        });
    }
    for (i, line) in lines.enumerate() {
        let line = codec.open(line, journal)?;
        let change: Change =
            serde_json::from_slice(&line).map_err(|e| corrupt(i + 2, e.to_string()))?;
        replay.changes.push(change);
    }
    Ok(replay)
}

/// The journal being appended to, and the document it applies to.
#[derive(Debug)]
pub struct OpenJournal {
    base: JournalBase,
    file: File,
}

/// The journal lines for `changes`, each ending in `\n`.
pub fn encode(changes: &[Change]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(changes.len() * 256);
    for change in changes {
        // Serialising a Change (plain data) cannot fail; JSON text has no raw newlines.
        if serde_json::to_writer(&mut buf, change).is_ok() {
            buf.push(b'\n');
        }
    }
    buf
}

/// [`encode`], each record sealed by `codec` (an encrypted envelope is one JSON line too).
pub fn encode_with(changes: &[Change], codec: &Codec) -> Result<Vec<u8>> {
    if !codec.is_encrypted() {
        return Ok(encode(changes));
    }
    let mut buf = Vec::with_capacity(changes.len() * 512);
    for change in changes {
        let plain = serde_json::to_vec(change).unwrap_or_default();
        buf.extend_from_slice(&codec.seal(&plain)?);
        buf.push(b'\n');
    }
    Ok(buf)
}

/// Append `lines` (from [`encode`]) to the journal at `path` for `base` with one write and one
/// fsync, starting a new journal (replacing any other) when `open` is not already the one for
/// `base`. Returns the bytes written. On failure `open` is cleared: the file's tail is unknown.
pub fn append(
    open: &mut Option<OpenJournal>,
    path: &Path,
    base: &JournalBase,
    lines: &[u8],
) -> Result<u64> {
    let mut bytes = 0;
    let journal = match open.take() {
        Some(journal) if journal.base == *base => journal,
        _ => {
            let (file, header) = create_journal(path, base)?;
            bytes += header;
            OpenJournal {
                base: base.clone(),
                file,
            }
        }
    };
    if !lines.is_empty() {
        let mut file = &journal.file;
        file.write_all(lines)
            .map_err(|e| StateError::io("append to", path, e))?;
        file.sync_data()
            .map_err(|e| StateError::io("fsync", path, e))?;
    }
    *open = Some(journal);
    Ok(bytes + lines.len() as u64)
}

/// Atomically create a journal holding only the header for `base`, open for appending.
fn create_journal(path: &Path, base: &JournalBase) -> Result<(File, u64)> {
    let mut header = serde_json::to_vec(&JournalHeader::for_base(base)).unwrap_or_default();
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
