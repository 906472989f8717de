//! Reading, validating and atomically writing state documents.
//!
//! A write never leaves a half-written file behind: the bytes go to a temporary file in the same
//! directory, are fsync'd, renamed over the target, and the directory is fsync'd so the rename
//! itself survives a power cut. Reading refuses anything it does not fully understand.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::error::{Result, StateError};
use super::model::{State, STATE_FORMAT_VERSION, STATUS_PENDING_CREATE, STATUS_TAINTED};

/// Parse and validate a state document read from `location` (for a file, its path).
pub fn parse_state(bytes: &[u8], location: &str) -> Result<State> {
    // A document of this version that fits the shape is read straight into `State`, in one
    // pass. Anything else takes the careful path below, which gives the precise message
    // (the version first, then the shape); the two agree on every document they both accept.
    let mut state = match serde_json::from_slice::<State>(bytes) {
        Ok(state) if state.version == STATE_FORMAT_VERSION => state,
        _ => parse_state_checked(bytes, location)?,
    };
    validate(&state).map_err(|message| StateError::Invalid {
        location: location.to_string(),
        message,
    })?;
    state.canonicalize();
    Ok(state)
}

/// Parses through a JSON tree, so that the version is checked before the shape.
fn parse_state_checked(bytes: &[u8], location: &str) -> Result<State> {
    let doc: Json = serde_json::from_slice(bytes).map_err(|e| StateError::InvalidJson {
        location: location.to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let Json::Object(fields) = &doc else {
        return Err(StateError::Invalid {
            location: location.to_string(),
            message: "the document is not a JSON object".to_string(),
        });
    };
    // Check the version before the shape: a newer format may have a different shape, and the
    // useful message then is "upgrade", not "missing field".
    match fields.get("version") {
        None => {
            return Err(StateError::Invalid {
                location: location.to_string(),
                message: "missing field `version`".to_string(),
            })
        }
        Some(Json::Number(n)) if n.as_u64() == Some(u64::from(STATE_FORMAT_VERSION)) => {}
        Some(Json::Number(n))
            if n.as_u64()
                .is_some_and(|v| v > u64::from(STATE_FORMAT_VERSION)) =>
        {
            return Err(StateError::NewerVersion {
                location: location.to_string(),
                found: n.as_u64().unwrap_or_default(),
                supported: STATE_FORMAT_VERSION,
            })
        }
        Some(other) => {
            return Err(StateError::UnsupportedVersion {
                location: location.to_string(),
                found: other.to_string(),
                supported: STATE_FORMAT_VERSION,
            })
        }
    }
    serde_json::from_value(doc).map_err(|e| StateError::Invalid {
        location: location.to_string(),
        message: e.to_string(),
    })
}

/// Checks serde cannot express: a lineage that is a UUID, no empty or duplicate entries.
fn validate(state: &State) -> std::result::Result<(), String> {
    if uuid::Uuid::parse_str(&state.lineage).is_err() {
        return Err(format!("lineage {:?} is not a UUID", state.lineage));
    }
    let mut seen = std::collections::HashSet::new();
    for resource in &state.resources {
        let address = resource.address();
        if !seen.insert(address.clone()) {
            return Err(format!("resource {address} appears twice"));
        }
        if resource.instances.is_empty() {
            return Err(format!("resource {address} has no instances"));
        }
        let mut keys = std::collections::HashSet::new();
        for instance in &resource.instances {
            let suffix = instance
                .index_key
                .as_ref()
                .map(|k| k.to_string())
                .unwrap_or_default();
            if !keys.insert((instance.index_key.clone(), instance.deposed.clone())) {
                return Err(format!("instance {address}{suffix} appears twice"));
            }
            if !instance.attributes.is_object() {
                return Err(format!(
                    "attributes of {address}{suffix} are not a JSON object"
                ));
            }
            if let Some(status) = &instance.status {
                if status != STATUS_TAINTED && status != STATUS_PENDING_CREATE {
                    return Err(format!(
                        "status of {address}{suffix} is {status:?}; expected \"{STATUS_TAINTED}\" or \"{STATUS_PENDING_CREATE}\""
                    ));
                }
            }
        }
    }
    Ok(())
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Read and parse the state at `path`; `None` when the file does not exist.
pub fn read_state(path: &Path) -> Result<Option<State>> {
    match read_bytes(path)? {
        Some(bytes) => parse_state(&bytes, &path.display().to_string()).map(Some),
        None => Ok(None),
    }
}

/// The pretty, stable-order JSON text of a state (with a final newline).
pub fn render_state(state: &State) -> Vec<u8> {
    let mut canonical = state.clone();
    canonical.canonicalize();
    render_canonical(&canonical)
}

/// [`render_state`] for a state already in canonical order (no copy).
fn render_canonical(state: &State) -> Vec<u8> {
    // Serialising plain data structures to a Vec cannot fail.
    let mut bytes = super::pretty::to_vec_pretty(state).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The text of `state` (already in canonical order) as it is written with a new `serial` and
/// `skyform_version`, without copying the document to change its header: the same bytes
/// as [`render_state`] of a copy with that header.
pub fn render_with_header(state: &State, serial: u64, skyform_version: &str) -> Vec<u8> {
    /// [`State`]'s fields in [`State`]'s order, borrowed: serde writes the same object.
    #[derive(serde::Serialize)]
    struct Document<'a> {
        version: u32,
        serial: u64,
        lineage: &'a str,
        skyform_version: &'a str,
        outputs: &'a std::collections::BTreeMap<String, super::model::OutputState>,
        resources: &'a [super::model::ResourceState],
    }
    let document = Document {
        version: state.version,
        serial,
        lineage: &state.lineage,
        skyform_version,
        outputs: &state.outputs,
        resources: &state.resources,
    };
    // Serialising plain data structures to a Vec cannot fail.
    let mut bytes = super::pretty::to_vec_pretty(&document).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The backup kept beside a state file: `<name>.json.backup`.
pub fn backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".backup")
}

/// `path` with `suffix` appended to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// The raw bytes of `path`; `None` when it does not exist.
pub fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    match read_regular(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io("read", path, e)),
    }
}

/// Reads a file that must be a regular file: a FIFO, socket, device or directory in its
/// place is refused before it is opened (opening a FIFO waits for a writer forever).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file (a directory, FIFO, socket or device)",
        ));
    }
    fs::read(path)
}

/// Write `state` (already canonical, serial already set) to `path` atomically, first saving
/// `previous` (the file's current bytes, if any) as the backup, also atomically. Returns the
/// size of the written document.
pub fn write_state(path: &Path, previous: Option<&[u8]>, state: &State) -> Result<u64> {
    write_document(path, previous, &render_canonical(state))
}

/// Keep `previous` as the backup, then write `bytes` (a rendered, possibly encrypted,
/// document) atomically; returns the size written.
pub fn write_document(path: &Path, previous: Option<&[u8]>, bytes: &[u8]) -> Result<u64> {
    if let Some(previous) = previous {
        write_atomic(&backup_path(path), previous)?;
    }
    write_atomic(path, bytes)?;
    Ok(bytes.len() as u64)
}

/// Replace `path` with `bytes` so that a crash leaves either the old or the new content.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(&dir).map_err(|e| StateError::io("create directory", &dir, e))?;
    let tmp = with_suffix(
        path,
        &format!(".tmp-{}-{:08x}", std::process::id(), rand::random::<u32>()),
    );
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| StateError::io("create", &tmp, e))?;
        file.write_all(bytes)
            .map_err(|e| StateError::io("write", &tmp, e))?;
        file.sync_all()
            .map_err(|e| StateError::io("fsync", &tmp, e))?;
        drop(file);
        fs::rename(&tmp, path).map_err(|e| StateError::io("rename over", path, e))
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir)
}

/// fsync a directory so renames, creations and removals in it are durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StateError::io("fsync directory", dir, e))
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_position_removes_serde_suffix() {
        assert_eq!(
            strip_position("expected `,` or `}` at line 3 column 5"),
            "expected `,` or `}`"
        );
        assert_eq!(strip_position("EOF"), "EOF");
    }

    #[test]
    fn suffixes_append_to_file_name() {
        assert_eq!(
            backup_path(Path::new("state/default.json")),
            PathBuf::from("state/default.json.backup")
        );
        assert_eq!(parent_dir(Path::new("x.json")), PathBuf::from("."));
    }

    #[test]
    fn a_new_header_renders_like_a_copy_with_that_header() {
        let doc =
            br#"{"version": 4, "serial": 7, "lineage": "0b5c7a8e-4a2f-4d6e-9d61-3f0e1c2b9a11",
            "skyform_version": "0.0.1", "outputs": {"ip": {"value": "10.0.0.1", "sensitive": true}},
            "resources": [{"mode": "managed", "type": "mcloud_instance", "name": "web",
              "provider": "provider[\"mcloud\"]", "instances": [{"index_key": 0,
              "attributes": {"id": "i-1", "tags": {"a": "b"}}, "dependencies": ["x.y"]}]}]}"#;
        let state = parse_state(doc, "test").unwrap();
        let mut copy = state.clone();
        copy.serial = 8;
        copy.skyform_version = "9.9.9".to_string();
        assert_eq!(
            render_with_header(&state, 8, "9.9.9"),
            render_state(&copy),
            "{}",
            String::from_utf8_lossy(&render_with_header(&state, 8, "9.9.9"))
        );
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }
}
