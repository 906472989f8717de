//! Tests of the state module through its public API, on the local backend's files: file format
//! and refusals, atomic writes and backups, the journal (replay, torn tails, group commit,
//! compaction), the lock file, and the JSON schema. What every backend must do is checked by
//! `backend_contract`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use skyform::state::{
    Backend, Change, CompactionPolicy, IndexKey, InstanceState, LocalBackend, Mode, OutputState,
    ResourceKey, State, StateError, StateWriter,
};

fn backend(dir: &Path) -> LocalBackend {
    LocalBackend::new(dir, "default").unwrap()
}

/// The same backend as the trait object the journal writer takes (clones share the journal).
fn shared(b: &LocalBackend) -> Arc<dyn Backend> {
    Arc::new(b.clone())
}

fn web() -> ResourceKey {
    ResourceKey::managed("mcloud_instance", "web", "provider[\"mcloud\"]")
}

fn instance_attrs(i: i64) -> Json {
    json!({
        "id": format!("i-{i:08}"),
        "name": format!("web-{i}"),
        "image_id": "img-ubuntu-22.04",
        "instance_type": "c1.large",
        "zone": "cn-north-1a",
        "vpc_id": "vpc-0001",
        "subnet_id": "subnet-0001",
        "private_ip": format!("10.0.{}.{}", i / 250, i % 250),
        "tags": {"env": "prod", "role": "web"},
        "status": "running",
    })
}

fn upsert(i: i64) -> Change {
    Change::Upsert {
        resource: web(),
        index_key: Some(IndexKey::Int(i)),
        instance: InstanceState::new(instance_attrs(i)),
    }
}

fn outputs(value: Json) -> BTreeMap<String, OutputState> {
    let mut out = BTreeMap::new();
    out.insert(
        "ip".to_string(),
        OutputState {
            value,
            sensitive: false,
        },
    );
    out
}

fn web_indexes(state: &State) -> Vec<i64> {
    state
        .resource(None, Mode::Managed, "mcloud_instance", "web")
        .map(|r| {
            r.instances
                .iter()
                .filter_map(|i| match i.index_key {
                    Some(IndexKey::Int(n)) => Some(n),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A state with a few resources, written to disk; returns it as written.
fn write_sample(b: &LocalBackend) -> State {
    let mut state = b.new_state();
    for i in 0..3 {
        state.apply_change(&upsert(i));
    }
    b.write_full(&state).unwrap()
}

// ---------------------------------------------------------------------------------------------
// File format, atomic writes, backups

#[test]
fn write_then_load_round_trips_and_counts_serial() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    assert_eq!(b.path(), dir.path().join("state/default.json"));
    assert_eq!(b.load().unwrap(), None);

    let fresh = b.new_state();
    assert_eq!(fresh.serial, 0);
    assert_eq!(fresh.version, 4);
    let first = write_sample(&b);
    assert_eq!(first.serial, 1);
    let loaded = b.load().unwrap().unwrap();
    assert_eq!(loaded, first);
    assert!(!b.backup_path().exists(), "no backup before a second write");

    let mut changed = loaded.clone();
    changed.apply_change(&Change::Remove {
        resource: web(),
        index_key: Some(IndexKey::Int(1)),
    });
    let second = b.write_full(&changed).unwrap();
    assert_eq!(second.serial, 2);
    assert_eq!(second.lineage, first.lineage, "lineage never changes");
    assert_eq!(b.load().unwrap().unwrap(), second);
    // The backup is exactly the previous file.
    let backup: State = serde_json::from_slice(&fs::read(b.backup_path()).unwrap()).unwrap();
    assert_eq!(backup, first);
    // No temporary files are left behind.
    let mut names: Vec<String> = fs::read_dir(dir.path().join("state"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["default.json", "default.json.backup"]);
}

#[test]
fn written_file_is_pretty_with_stable_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let mut state = b.new_state();
    state.apply_change(&Change::Upsert {
        resource: web(),
        index_key: None,
        instance: InstanceState::new(json!({"zeta": 1, "alpha": {"b": 2, "a": 1}})),
    });
    state.apply_change(&Change::SetOutputs {
        outputs: outputs(json!("10.0.0.1")),
    });
    let written = b.write_full(&state).unwrap();
    let text = fs::read_to_string(b.path()).unwrap();
    let expected = format!(
        r#"{{
  "version": 4,
  "serial": 1,
  "lineage": "{}",
  "skyform_version": "{}",
  "outputs": {{
    "ip": {{
      "value": "10.0.0.1",
      "sensitive": false
    }}
  }},
  "resources": [
    {{
      "mode": "managed",
      "type": "mcloud_instance",
      "name": "web",
      "provider": "provider[\"mcloud\"]",
      "instances": [
        {{
          "attributes": {{
            "alpha": {{
              "a": 1,
              "b": 2
            }},
            "zeta": 1
          }},
          "sensitive_attributes": [],
          "dependencies": []
        }}
      ]
    }}
  ]
}}
"#,
        written.lineage,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(text, expected);
    // Writing the same state again gives the same bytes apart from the serial.
    b.write_full(&written).unwrap();
    let again = fs::read_to_string(b.path()).unwrap();
    assert_eq!(again, expected.replace("\"serial\": 1", "\"serial\": 2"));
}

#[test]
fn workspaces_get_their_own_files_and_bad_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let prod = LocalBackend::new(dir.path(), "prod-eu_1").unwrap();
    assert_eq!(prod.path(), dir.path().join("state/prod-eu_1.json"));
    for bad in ["", "../x", "a/b", "a b", &"x".repeat(91)] {
        let err = LocalBackend::new(dir.path(), bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid workspace name {bad:?}: use letters, digits, '-' and '_' (at most 90 characters)"
            )
        );
    }
}

/// Write `text` as the state file, check load refuses with `message`, and that the file is
/// untouched even after a write attempt.
fn assert_refused(text: &str, message: impl Fn(&Path) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    fs::create_dir_all(b.path().parent().unwrap()).unwrap();
    fs::write(b.path(), text).unwrap();
    let err = b.load().unwrap_err();
    assert_eq!(err.to_string(), message(b.path()));
    // A write is refused too and does not touch the file.
    assert!(b.write_full(&b.new_state()).is_err());
    assert_eq!(fs::read_to_string(b.path()).unwrap(), text);
    assert!(!b.backup_path().exists());
}

#[test]
fn invalid_json_is_refused_with_line_and_column() {
    assert_refused("{\n  \"version\": 4,\n  serial: 1\n}\n", |p| {
        format!(
            "{} is not valid JSON (line 3, column 3: key must be a string); it was left untouched. \
             Fix it by hand or restore the previous version from {}.backup",
            p.display(),
            p.display()
        )
    });
    assert_refused("{\"version\": 4,", |p| {
        format!(
            "{} is not valid JSON (line 1, column 14: EOF while parsing a value); it was left untouched. \
             Fix it by hand or restore the previous version from {}.backup",
            p.display(),
            p.display()
        )
    });
}

#[test]
fn newer_format_version_is_refused() {
    assert_refused(r#"{"version": 5, "whatever": true}"#, |p| {
        format!(
            "{} has state format version 5, but this skyform ({}) only reads version 4; \
             upgrade skyform to use this state (the file was left untouched)",
            p.display(),
            env!("CARGO_PKG_VERSION")
        )
    });
}

#[test]
fn older_or_malformed_version_is_refused() {
    assert_refused(r#"{"version": 3}"#, |p| {
        format!(
            "{} has state format version 3, which skyform does not read (it reads version 4); \
             the file was left untouched",
            p.display()
        )
    });
    assert_refused(r#"{"version": "4"}"#, |p| {
        format!(
            "{} has state format version \"4\", which skyform does not read (it reads version 4); \
             the file was left untouched",
            p.display()
        )
    });
}

fn invalid_message(p: &Path, what: &str) -> String {
    format!(
        "{} is not a valid skyform state: {what}; it was left untouched. \
         Fix it by hand or restore the previous version from {}.backup",
        p.display(),
        p.display()
    )
}

#[test]
fn documents_missing_fields_or_malformed_are_refused() {
    let lineage = "0b7ad3b6-2a57-4b7e-9d7f-0d6f6f0a1c11";
    assert_refused(
        &format!(r#"{{"version": 4, "serial": 1, "lineage": "{lineage}"}}"#),
        |p| invalid_message(p, "missing field `skyform_version`"),
    );
    assert_refused(r#"{"version": 4, "serial": 1}"#, |p| {
        invalid_message(p, "missing field `lineage`")
    });
    assert_refused("{}", |p| invalid_message(p, "missing field `version`"));
    assert_refused("[4]", |p| {
        invalid_message(p, "the document is not a JSON object")
    });
    let base = |resources: &str| {
        format!(
            r#"{{"version": 4, "serial": 1, "lineage": "{lineage}", "skyform_version": "0.1.0",
                "outputs": {{}}, "resources": {resources}}}"#
        )
    };
    assert_refused(&base("[]").replace(lineage, "not-a-uuid"), |p| {
        invalid_message(p, "lineage \"not-a-uuid\" is not a UUID")
    });
    let res = r#"{"mode": "managed", "type": "t", "name": "n", "provider": "provider[\"p\"]", "instances": [{"attributes": {}}]}"#;
    assert_refused(&base(&format!("[{res}, {res}]")), |p| {
        invalid_message(p, "resource t.n appears twice")
    });
    assert_refused(
        &base(r#"[{"mode": "data", "type": "t", "name": "n", "provider": "p", "instances": []}]"#),
        |p| invalid_message(p, "resource data.t.n has no instances"),
    );
    assert_refused(
        &base(
            r#"[{"mode": "managed", "type": "t", "name": "n", "provider": "p", "instances": [{"index_key": 1, "attributes": 7}]}]"#,
        ),
        |p| invalid_message(p, "attributes of t.n[1] are not a JSON object"),
    );
    assert_refused(
        &base(
            r#"[{"mode": "managed", "type": "t", "name": "n", "provider": "p", "instances": [{"index_key": "a", "status": "weird", "attributes": {}}]}]"#,
        ),
        |p| {
            invalid_message(
                p,
                "status of t.n[\"a\"] is \"weird\"; expected \"tainted\" or \"pending_create\"",
            )
        },
    );
    assert_refused(
        &base(r#"[{"mode": "other", "type": "t", "name": "n", "provider": "p", "instances": []}]"#),
        |p| invalid_message(p, "unknown variant `other`, expected `managed` or `data`"),
    );
}

#[test]
fn a_state_of_another_lineage_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let written = write_sample(&b);
    let other = "11111111-2222-4333-8444-555555555555";
    let err = b.load_expecting(other).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} belongs to a different state (lineage {}, expected {other}); refusing to use it. \
             Check that you are in the right directory and workspace",
            b.path().display(),
            written.lineage
        )
    );
    assert_eq!(
        b.load_expecting(&written.lineage).unwrap(),
        Some(written.clone())
    );

    // Writing a foreign state over it is refused and changes nothing.
    let before = fs::read(b.path()).unwrap();
    let foreign = b.new_state();
    let err = b.write_full(&foreign).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "refusing to overwrite {}: it holds a different state (lineage {}) than the one being \
             written (lineage {}). To replace it deliberately, use `skyform state push -force`",
            b.path().display(),
            written.lineage,
            foreign.lineage
        )
    );
    assert_eq!(fs::read(b.path()).unwrap(), before);
    // ...unless done deliberately; the old file becomes the backup.
    let pushed = b.replace_full(&foreign).unwrap();
    assert_eq!(pushed.lineage, foreign.lineage);
    assert_eq!(fs::read(b.backup_path()).unwrap(), before);
}

#[test]
fn a_plan_from_another_serial_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let written = write_sample(&b);
    b.check_plan_base(&written, &written.lineage, 1).unwrap();
    let err = b
        .check_plan_base(&written, &written.lineage, 0)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} has changed since the plan was made (serial 1, plan was made at serial 0); run plan again",
            b.path().display()
        )
    );
    assert!(matches!(
        b.check_plan_base(&written, "x", 1),
        Err(StateError::LineageMismatch { .. })
    ));
}

#[test]
fn writing_a_stale_copy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let stale = write_sample(&b);
    b.write_full(&stale).unwrap(); // serial 2 on disk
    let before = fs::read(b.path()).unwrap();
    let err = b.write_full(&stale).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} was written by someone else since it was loaded (serial 2 on disk, 1 loaded); \
             refusing to overwrite it. Load the state again and retry",
            b.path().display()
        )
    );
    assert_eq!(fs::read(b.path()).unwrap(), before);
}

#[test]
fn io_errors_name_the_action_and_path() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the state directory should be.
    fs::write(dir.path().join("state"), "not a dir").unwrap();
    let b = backend(dir.path());
    let err = b.write_full(&b.new_state()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read {}: Not a directory (os error 20)",
            b.path().display()
        )
    );
    assert!(matches!(err, StateError::Io { action: "read", .. }));
}

// ---------------------------------------------------------------------------------------------
// Journal

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finish_writes_everything_and_removes_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let writer = StateWriter::open(shared(&b), b.new_state()).await.unwrap();
    // open wrote the base state (serial 1) and an empty journal.
    assert_eq!(b.load().unwrap().unwrap().serial, 1);
    assert!(b.journal_path().exists());
    for i in 0..5 {
        writer.record(upsert(i)).await.unwrap();
    }
    writer
        .record(Change::Remove {
            resource: web(),
            index_key: Some(IndexKey::Int(2)),
        })
        .await
        .unwrap();
    let done = writer.finish(outputs(json!("1.2.3.4"))).await.unwrap();
    assert_eq!(done.serial, 2);
    assert_eq!(web_indexes(&done), [0, 1, 3, 4]);
    assert_eq!(done.outputs["ip"].value, json!("1.2.3.4"));
    assert!(!b.journal_path().exists());
    assert_eq!(b.load().unwrap().unwrap(), done);

    // The writer is closed now.
    let err = writer.record(upsert(9)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the state writer stopped after an earlier error (the run's state was already finished); \
         changes acknowledged before it are safe in the journal and will be replayed on the next load"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_run_that_dies_is_replayed_on_load_and_folded_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let base = write_sample(&b); // instances 0..3, serial 1
    let writer = StateWriter::open(shared(&b), base.clone()).await.unwrap();
    for i in 3..10 {
        writer.record(upsert(i)).await.unwrap();
    }
    writer
        .record(Change::Intent {
            resource: web(),
            index_key: Some(IndexKey::Int(10)),
            create_token: "web-10-tok".into(),
            fingerprint: None,
            started_at: None,
        })
        .await
        .unwrap();
    drop(writer); // the process "dies" without finish

    // The state file is still the base written by open; the journal has the rest.
    let report = b.load_with_report().unwrap().unwrap();
    assert_eq!(report.replayed, 8);
    assert_eq!(report.torn_tail_bytes, 0);
    assert_eq!(report.state.serial, 2);
    assert_eq!(web_indexes(&report.state), (0..=10).collect::<Vec<_>>());
    let pending = report
        .state
        .instance(
            None,
            Mode::Managed,
            "mcloud_instance",
            "web",
            Some(&IndexKey::Int(10)),
        )
        .unwrap();
    assert!(pending.is_pending_create());
    assert_eq!(pending.create_token.as_deref(), Some("web-10-tok"));
    // Loading is read-only and repeatable.
    assert_eq!(b.load().unwrap().unwrap(), report.state);

    // The next run starts from the recovered state and folds the old journal in.
    let writer = StateWriter::open(shared(&b), report.state.clone())
        .await
        .unwrap();
    assert_eq!(b.load_with_report().unwrap().unwrap().replayed, 0);
    let done = writer.finish(BTreeMap::new()).await.unwrap();
    assert_eq!(done.serial, 4);
    assert_eq!(web_indexes(&done), (0..=10).collect::<Vec<_>>());
}

/// Journal bytes after `n` upserts on top of `base` (written by a real writer, then "crashed").
async fn journal_with_records(b: &LocalBackend, n: i64) -> (State, Vec<u8>) {
    let writer = StateWriter::open(shared(b), b.new_state()).await.unwrap();
    for i in 0..n {
        writer.record(upsert(i)).await.unwrap();
    }
    drop(writer);
    let base: State = serde_json::from_slice(&fs::read(b.path()).unwrap()).unwrap();
    (base, fs::read(b.journal_path()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncating_the_journal_at_any_byte_never_fails_and_never_loses_a_complete_record() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let (_, journal) = journal_with_records(&b, 12).await;
    let line_ends: Vec<usize> = journal
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(line_ends.len(), 13, "header + 12 records");
    for cut in 0..=journal.len() {
        fs::write(b.journal_path(), &journal[..cut]).unwrap();
        let report = b
            .load_with_report()
            .unwrap_or_else(|e| panic!("load failed with the journal cut at {cut}: {e}"));
        let report = report.unwrap();
        // Records whose line (with its newline) is complete before the cut: all acknowledged
        // ones among them must be there, and nothing else.
        let complete_records = line_ends
            .iter()
            .filter(|&&end| end <= cut)
            .count()
            .saturating_sub(1);
        assert_eq!(report.replayed, complete_records, "cut at {cut}");
        assert_eq!(
            web_indexes(&report.state),
            (0..complete_records as i64).collect::<Vec<_>>(),
            "cut at {cut}"
        );
        let last_end = line_ends
            .iter()
            .filter(|&&end| end <= cut)
            .max()
            .copied()
            .unwrap_or(0);
        assert_eq!(report.torn_tail_bytes, cut - last_end, "cut at {cut}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_line_before_the_end_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let (_, journal) = journal_with_records(&b, 3).await;
    let text = String::from_utf8(journal).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "{\"op\":\"upsert\",garbage";
    let corrupted = lines.join("\n") + "\n";
    fs::write(b.journal_path(), &corrupted).unwrap();
    let err = b.load().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "journal {} is corrupt at line 3: key must be a string at line 1 column 16; it was left untouched. \
             Records before line 3 are intact; to recover them, cut the file before that line and run again",
            b.journal_path().display()
        )
    );
    // A following write refuses too and leaves both files alone? Loading is refused, so the
    // caller never gets a state to write; the journal is untouched.
    assert_eq!(fs::read_to_string(b.journal_path()).unwrap(), corrupted);

    // A header that is not a journal header.
    fs::write(b.journal_path(), "{\"hello\":1}\n").unwrap();
    let err = b.load().unwrap_err();
    assert!(
        matches!(err, StateError::JournalCorrupt { line: 1, .. }),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_for_another_state_is_refused_and_a_folded_one_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let (base, journal) = journal_with_records(&b, 2).await;

    // Journal newer than the state file (state restored from a backup by hand).
    let mut older = base.clone();
    older.serial = 0;
    fs::write(b.path(), serde_json::to_vec(&older).unwrap()).unwrap();
    let err = b.load().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "journal {} does not belong to {} (journal is for lineage {} serial 1, state has lineage {} serial 0); \
             both files were left untouched. If the state was restored by hand, move the journal away to discard its changes",
            b.journal_path().display(),
            b.path().display(),
            base.lineage,
            base.lineage
        )
    );
    assert_eq!(fs::read(b.journal_path()).unwrap(), journal);

    // Journal of another lineage.
    let mut foreign = base.clone();
    foreign.lineage = "11111111-2222-4333-8444-555555555555".into();
    fs::write(b.path(), serde_json::to_vec(&foreign).unwrap()).unwrap();
    assert!(matches!(b.load(), Err(StateError::JournalMismatch { .. })));

    // Journal older than the state: already folded in (crash between the full write and the
    // journal's removal), so it is skipped.
    let mut newer = base.clone();
    newer.serial = 5;
    fs::write(b.path(), serde_json::to_vec(&newer).unwrap()).unwrap();
    let report = b.load_with_report().unwrap().unwrap();
    assert_eq!(report.replayed, 0);
    assert!(web_indexes(&report.state).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_without_a_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let _ = journal_with_records(&b, 1).await;
    fs::remove_file(b.path()).unwrap();
    let err = b.load().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "found journal {} but no state file {}; refusing to guess. Restore the state file \
             (e.g. from {}.backup) or move the journal away to start from scratch",
            b.journal_path().display(),
            b.path().display(),
            b.path().display()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_records_share_fsyncs() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let writer = StateWriter::open(shared(&b), b.new_state()).await.unwrap();
    let n = 2000;
    let started = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move { writer.record(upsert(i)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let elapsed = started.elapsed();
    let stats = writer.stats();
    println!(
        "group commit: {} records, {} fsyncs, {} compactions in {:.3}s = {:.0} records/s",
        stats.records,
        stats.fsyncs,
        stats.compactions,
        elapsed.as_secs_f64(),
        stats.records as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(stats.records, n as u64);
    assert!(
        stats.fsyncs * 4 < stats.records,
        "expected far fewer fsyncs than records: {stats:?}"
    );
    // Everything acknowledged is on disk now, before finish.
    drop(writer);
    let recovered = b.load().unwrap().unwrap();
    assert_eq!(web_indexes(&recovered), (0..n).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn compaction_rewrites_the_state_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let policy = CompactionPolicy {
        max_records: 50,
        max_bytes: 1 << 30,
    };
    let writer = StateWriter::open_with_policy(shared(&b), b.new_state(), policy)
        .await
        .unwrap();
    for i in 0..300 {
        writer.record(upsert(i)).await.unwrap();
    }
    let stats = writer.stats();
    assert!(stats.compactions >= 2, "{stats:?}");
    // The limit grows with the state (at least one record per instance), so the number of
    // compactions stays logarithmic rather than n / 50.
    assert!(stats.compactions <= 4, "{stats:?}");
    let journal_lines = fs::read_to_string(b.journal_path())
        .unwrap()
        .lines()
        .count();
    assert!(
        journal_lines < 300,
        "journal was not restarted: {journal_lines} lines"
    );
    drop(writer);
    let recovered = b.load().unwrap().unwrap();
    assert_eq!(web_indexes(&recovered), (0..300).collect::<Vec<_>>());
    assert_eq!(recovered.serial, 1 + stats.compactions);
}

// ---------------------------------------------------------------------------------------------
// Locking

#[test]
fn the_lock_file_names_the_holder_while_held_and_stays_empty_after() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let held = b.lock("apply", Duration::ZERO).unwrap();
    let info = held.info().clone();
    assert_eq!(info.operation, "apply");
    assert!(info.who.contains('@'));
    assert_eq!(info.path, b.path().display().to_string());
    // The file holds Terraform-style JSON.
    let on_disk: Json = serde_json::from_slice(&fs::read(b.lock_path()).unwrap()).unwrap();
    for key in ["ID", "Operation", "Who", "Version", "Created", "Path"] {
        assert!(
            on_disk.get(key).is_some(),
            "lock file lacks {key}: {on_disk}"
        );
    }
    assert_eq!(
        on_disk.get("Pid"),
        None,
        "no pid: the kernel tracks the holder"
    );
    assert_eq!(b.lock_holder().unwrap(), Some(info.clone()));

    let err = b.lock("plan", Duration::ZERO).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "state {} is locked (waited 0s).\n  ID:        {}\n  Operation: apply\n  Who:       {}\n  Version:   {}\n  Created:   {}\n\
             Another skyform process is using this state; wait for it, or retry with a longer -lock-timeout. \
             The lock is released automatically when that process exits, even if it is killed. \
             Only if it is stuck, stop it or break its lock with: skyform force-unlock {}",
            b.path().display(),
            info.id,
            info.who,
            env!("CARGO_PKG_VERSION"),
            info.created,
            info.id
        )
    );
    drop(held);
    // The file stays (the lock lives on it), emptied so it names nobody.
    assert_eq!(fs::read(b.lock_path()).unwrap(), b"");
    assert_eq!(b.lock_holder().unwrap(), None);
    drop(b.lock("plan", Duration::ZERO).unwrap());
}

#[test]
fn a_lock_file_nobody_holds_is_free_whatever_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    fs::create_dir_all(b.lock_path().parent().unwrap()).unwrap();
    // What an old skyform, or a holder that was killed, leaves behind.
    for left in [
        r#"{"ID":"6f1c2d3e-0000-4000-8000-000000000001","Operation":"apply","Who":"a@b","Version":"0.1.0","Created":"x","Path":"p","Pid":1}"#,
        "garbage",
    ] {
        fs::write(b.lock_path(), left).unwrap();
        assert_eq!(b.lock_holder().unwrap(), None, "{left}");
        let lock = b.lock("apply", Duration::ZERO).unwrap();
        assert_eq!(b.lock_holder().unwrap().unwrap().id, lock.info().id);
    }
}

#[test]
fn lock_waits_for_a_holder_that_releases_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let held = b.lock("apply", Duration::ZERO).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(held);
    });
    let started = Instant::now();
    let second = b.lock("plan", Duration::from_secs(10)).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150), "it waited");
    assert_eq!(second.info().operation, "plan");
    releaser.join().unwrap();
}

#[test]
fn the_lock_is_released_on_error_paths() {
    fn failing_operation(b: &LocalBackend) -> Result<(), StateError> {
        let _lock = b.lock("apply", Duration::ZERO)?;
        b.load_expecting("not-the-lineage")?; // fails: there is a state of another lineage
        Ok(())
    }
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    write_sample(&b);
    assert!(matches!(
        failing_operation(&b),
        Err(StateError::LineageMismatch { .. })
    ));
    assert_eq!(b.lock_holder().unwrap(), None);
    drop(b.lock("apply", Duration::ZERO).unwrap());
}

#[test]
fn force_unlock_removes_the_file_and_the_old_holder_cannot_release_the_new_lock() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let held = b.lock("apply", Duration::ZERO).unwrap();
    let id = held.info().id.clone();
    let removed = b.force_unlock(&id).unwrap();
    assert_eq!(removed.id, id);
    assert!(!b.lock_path().exists());
    // Someone else takes the lock on a new file; dropping the old guard must not free theirs.
    let theirs = b.lock("plan", Duration::ZERO).unwrap();
    drop(held);
    assert_eq!(b.lock_holder().unwrap().unwrap().id, theirs.info().id);
    assert!(matches!(
        b.lock("apply", Duration::ZERO),
        Err(StateError::Locked { .. })
    ));
}

#[test]
fn a_held_lock_whose_details_cannot_be_read_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    fs::create_dir_all(b.lock_path().parent().unwrap()).unwrap();
    fs::write(b.lock_path(), "garbage").unwrap();
    // Held by a holder that wrote garbage (here: this test, through its own file handle).
    let file = fs::File::open(b.lock_path()).unwrap();
    file.lock().unwrap();
    let err = b.lock("apply", Duration::ZERO).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the lock on {} is held, but what its holder wrote cannot be read (expected value at line 1 column 1). \
             Wait for that process to finish; the lock is released when it exits",
            b.path().display()
        )
    );
    drop(file);
    drop(b.lock("apply", Duration::ZERO).unwrap());
}

// ---------------------------------------------------------------------------------------------
// JSON schema

fn schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("state/schema.json")
}

/// A small structural validator for the keywords state/schema.json uses.
fn validate(schema: &Json, root: &Json, value: &Json, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        validate(&root["$defs"][name], root, value, at, errors);
        return;
    }
    let type_ok = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        _ => false,
    };
    match schema.get("type") {
        Some(Json::String(t)) if !type_ok(t) => errors.push(format!("{at}: not {t}")),
        Some(Json::Array(ts)) if !ts.iter().filter_map(Json::as_str).any(type_ok) => {
            errors.push(format!("{at}: not one of {ts:?}"))
        }
        _ => {}
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            errors.push(format!("{at}: not {c}"));
        }
    }
    if let Some(Json::Array(options)) = schema.get("enum") {
        if !options.contains(value) {
            errors.push(format!("{at}: {value} not in {options:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Json::as_i64), value.as_i64()) {
        if n < min {
            errors.push(format!("{at}: below {min}"));
        }
    }
    if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Json::as_str), value.as_str()) {
        if !regex::Regex::new(p).unwrap().is_match(s) {
            errors.push(format!("{at}: {s:?} does not match {p}"));
        }
    }
    if let Json::Object(fields) = value {
        for key in schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if !fields.contains_key(key.as_str().unwrap()) {
                errors.push(format!("{at}: missing {key}"));
            }
        }
        let properties = schema.get("properties").and_then(Json::as_object);
        for (key, inner) in fields {
            let path = format!("{at}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(s) => validate(s, root, inner, &path, errors),
                None => match schema.get("additionalProperties") {
                    Some(Json::Bool(false)) => errors.push(format!("{path}: not allowed")),
                    Some(s @ Json::Object(_)) => validate(s, root, inner, &path, errors),
                    _ => {}
                },
            }
        }
    }
    if let Json::Array(items) = value {
        if let Some(min) = schema.get("minItems").and_then(Json::as_u64) {
            if (items.len() as u64) < min {
                errors.push(format!("{at}: fewer than {min} items"));
            }
        }
        if let Some(s) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                validate(s, root, item, &format!("{at}[{i}]"), errors);
            }
        }
    }
}

#[test]
fn written_states_match_the_json_schema() {
    let schema: Json = serde_json::from_slice(&fs::read(schema_path()).unwrap()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let mut state = b.new_state();
    state.apply_change(&upsert(0));
    state.apply_change(&Change::Upsert {
        resource: ResourceKey {
            module: Some("module.net[1]".into()),
            mode: Mode::Data,
            type_: "mcloud_vpcs".into(),
            name: "all".into(),
            provider: "provider[\"mcloud\"].bj".into(),
        },
        index_key: Some(IndexKey::Str("a".into())),
        instance: InstanceState {
            index_key: None,
            status: Some("tainted".into()),
            attributes: json!({"ids": ["vpc-1"]}).into(),
            sensitive_attributes: vec![json!(["password"])],
            dependencies: vec!["mcloud_instance.web".into()],
            create_token: Some("tok".into()),
            create_fingerprint: Some(json!({"name": "web"})),
            create_started_at: Some("2026-01-02T03:04:05Z".into()),
            schema_version: 0,
            deposed: None,
        },
    });
    state.apply_change(&Change::Intent {
        resource: web(),
        index_key: Some(IndexKey::Int(1)),
        create_token: "web-1".into(),
        fingerprint: None,
        started_at: None,
    });
    state.apply_change(&Change::SetOutputs {
        outputs: outputs(json!({"a": [1, 2]})),
    });
    b.write_full(&state).unwrap();
    let written: Json = serde_json::from_slice(&fs::read(b.path()).unwrap()).unwrap();
    let mut errors = Vec::new();
    validate(&schema, &schema, &written, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");

    // The validator does catch violations.
    let mut broken = written.clone();
    broken["version"] = json!(5);
    broken["resources"][0]["mode"] = json!("other");
    broken.as_object_mut().unwrap().remove("lineage");
    let mut errors = Vec::new();
    validate(&schema, &schema, &broken, "$", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

// ---------------------------------------------------------------------------------------------
// Benchmark (run with: cargo test --test state bench_ -- --ignored --nocapture)

/// Compares Terraform's approach (rewrite the whole state after every operation) with the
/// journal, sequential and with 10 operations in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn bench_journal_vs_full_rewrite() {
    println!("| instances | strategy | seconds | records/s | fsyncs | bytes written |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for n in [250i64, 500, 1000, 2000] {
        if n <= 1000 {
            let dir = tempfile::tempdir().unwrap();
            let b = backend(dir.path());
            let mut state = b.new_state();
            let mut bytes = 0u64;
            let started = Instant::now();
            for i in 0..n {
                state.apply_change(&upsert(i));
                state = b.write_full(&state).unwrap();
                bytes += fs::metadata(b.path()).unwrap().len() * 2; // file + backup
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "| {n} | full rewrite per operation | {secs:.2} | {:.0} | {} | {bytes} |",
                n as f64 / secs,
                n * 4 // two atomic writes, each fsyncs the file and the directory
            );
        }
        for parallel in [1i64, 10] {
            let dir = tempfile::tempdir().unwrap();
            let b = backend(dir.path());
            let writer = StateWriter::open(shared(&b), b.new_state()).await.unwrap();
            let started = Instant::now();
            let tasks: Vec<_> = (0..parallel)
                .map(|t| {
                    let writer = writer.clone();
                    tokio::spawn(async move {
                        let mut i = t;
                        while i < n {
                            writer.record(upsert(i)).await.unwrap();
                            i += parallel;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            let done = writer.finish(BTreeMap::new()).await.unwrap();
            let secs = started.elapsed().as_secs_f64();
            let stats = writer.stats();
            assert_eq!(done.instance_count() as i64, n);
            println!(
                "| {n} | journal, {parallel} in flight | {secs:.2} | {:.0} | {} (+{} full writes) | {} |",
                n as f64 / secs,
                stats.fsyncs,
                stats.full_writes,
                stats.journal_bytes + 2 * stats.full_write_bytes // state + backup
            );
        }
    }
}

/// On a single-threaded runtime, so a lock that blocked the thread while waiting would stop the
/// ticker.
#[tokio::test(flavor = "current_thread")]
async fn the_async_lock_waits_without_blocking_the_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let b = shared(&backend(dir.path()));
    let held = b.lock("apply", Duration::ZERO).await.unwrap();
    let ticker = tokio::spawn(async {
        let mut ticks = 0;
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            ticks += 1;
        }
        ticks
    });
    let err = b
        .lock("plan", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(err, StateError::Locked { .. }));
    assert_eq!(ticker.await.unwrap(), 5);
    drop(held);
    assert_eq!(b.lock_holder().await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// Properties: in-memory application and journal replay agree; invariants always hold.

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn key_strategy() -> impl Strategy<Value = ResourceKey> {
        (
            prop_oneof![Just(None), Just(Some("module.net".to_string()))],
            prop_oneof![Just(Mode::Managed), Just(Mode::Data)],
            prop_oneof![Just("mcloud_instance"), Just("mcloud_vpc")],
        )
            .prop_map(|(module, mode, type_)| ResourceKey {
                module,
                mode,
                type_: type_.to_string(),
                name: "x".to_string(),
                provider: "provider[\"mcloud\"]".to_string(),
            })
    }

    fn index_strategy() -> impl Strategy<Value = Option<IndexKey>> {
        prop_oneof![
            Just(None),
            (0i64..4).prop_map(|i| Some(IndexKey::Int(i))),
            "[ab]".prop_map(|s| Some(IndexKey::Str(s))),
        ]
    }

    fn change_strategy() -> impl Strategy<Value = Change> {
        prop_oneof![
            (key_strategy(), index_strategy(), 0i64..100, "[a-z]{0,3}").prop_map(
                |(resource, index_key, n, s)| Change::Upsert {
                    resource,
                    index_key,
                    instance: InstanceState::new(json!({"n": n, "s": s, "m": {"z": n, "a": s}})),
                }
            ),
            (key_strategy(), index_strategy()).prop_map(|(resource, index_key)| Change::Remove {
                resource,
                index_key
            }),
            (key_strategy(), index_strategy(), "[a-z]{1,4}").prop_map(
                |(resource, index_key, create_token)| Change::Intent {
                    resource,
                    index_key,
                    fingerprint: (create_token.len() % 2 == 0)
                        .then(|| json!({ "name": create_token.clone() })),
                    started_at: (create_token.len() % 2 == 0)
                        .then(|| "2026-01-02T03:04:05Z".to_string()),
                    create_token,
                }
            ),
            (0i64..3).prop_map(|n| Change::SetOutputs {
                outputs: outputs(json!(n))
            }),
        ]
    }

    fn check_invariants(state: &State) {
        let keys: Vec<_> = state.resources.iter().map(|r| r.sort_key()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted, "resources sorted and unique");
        for r in &state.resources {
            assert!(!r.instances.is_empty(), "{} has no instances", r.address());
            let idx: Vec<_> = r.instances.iter().map(|i| i.index_key.clone()).collect();
            let mut sorted = idx.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                idx,
                sorted,
                "instances of {} sorted and unique",
                r.address()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn replaying_journal_lines_equals_applying_in_memory(
            changes in proptest::collection::vec(change_strategy(), 0..40)
        ) {
            let mut live = State::new();
            let mut replayed = live.clone();
            for change in &changes {
                live.apply_change(change);
                check_invariants(&live);
                let line = serde_json::to_string(change).unwrap();
                prop_assert!(!line.contains('\n'));
                replayed.apply_change(&serde_json::from_str::<Change>(&line).unwrap());
            }
            prop_assert_eq!(&live, &replayed);

            // And the written document reads back as the same state.
            let dir = tempfile::tempdir().unwrap();
            let b = backend(dir.path());
            let written = b.write_full(&live).unwrap();
            let loaded = b.load().unwrap().unwrap();
            prop_assert_eq!(&loaded, &written);
            live.serial = written.serial;
            prop_assert_eq!(&loaded, &live);
        }
    }
}

#[test]
fn contending_lockers_hold_the_lock_one_at_a_time() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let inside = Arc::new(AtomicUsize::new(0));
    let acquired = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let b = backend(dir.path());
            let (inside, acquired) = (inside.clone(), acquired.clone());
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let lock = b.lock("apply", Duration::from_secs(60)).unwrap();
                    assert_eq!(
                        inside.fetch_add(1, Ordering::SeqCst),
                        0,
                        "two holders at once"
                    );
                    std::thread::sleep(Duration::from_millis(2));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    acquired.fetch_add(1, Ordering::SeqCst);
                    drop(lock);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(acquired.load(Ordering::SeqCst), 30);
    assert_eq!(backend(dir.path()).lock_holder().unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// The CLI's state commands on the local backend

#[test]
fn the_local_backend_describes_itself_by_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let b = skyform::state::local_backend(dir.path(), "default").unwrap();
    let path = dir.path().join("state/default.json");
    assert_eq!(b.describe(), format!("local state file {}", path.display()));
    assert_eq!(b.location(), path.display().to_string());
}

#[test]
fn state_push_refuses_an_older_serial_or_another_lineage_unless_forced() {
    let w = crate::common::Work::new(&[]);
    let b = backend(w.path());
    let first = write_sample(&b);
    let current = b.write_full(&first).unwrap(); // serial 2
    let push_file = |name: &str, state: &State| {
        w.write(
            name,
            &String::from_utf8(skyform::state::file::render_state(state)).unwrap(),
        );
    };
    push_file("old.json", &first);
    let err = w.run(&["state", "push", "old.json"]).fails();
    assert!(
        err.contains("The pushed state (serial 1) is older than the current state (serial 2)"),
        "{err}"
    );
    let mut foreign = State::new();
    foreign.serial = 5;
    push_file("foreign.json", &foreign);
    let err = w.run(&["state", "push", "foreign.json"]).fails();
    assert!(err.contains("they are different states"), "{err}");
    assert_eq!(
        b.load().unwrap().unwrap(),
        current,
        "refusals change nothing"
    );

    // A newer copy of the same state is accepted.
    let mut newer = current.clone();
    newer.serial = 9;
    push_file("newer.json", &newer);
    w.run(&["state", "push", "newer.json"]).ok();
    assert_eq!(b.load().unwrap().unwrap().serial, 10);

    // -force replaces whatever is there; the serial ends above both.
    w.run(&["state", "push", "-force", "foreign.json"]).ok();
    let pulled: State = serde_json::from_str(&w.run(&["state", "pull"]).ok()).unwrap();
    assert_eq!(pulled.lineage, foreign.lineage);
    assert_eq!(pulled.serial, 11);
}

#[test]
fn force_unlock_command_refuses_a_wrong_id_and_breaks_a_live_holders_lock() {
    let w = crate::common::Work::new(&[]);
    let b = backend(w.path());
    let held = b.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let id = held.info().id.clone();
    let err = w.run(&["force-unlock", "-force", "not-the-id"]).fails();
    assert!(
        err.contains(&format!(
            "lock ID \"not-the-id\" does not match the lock on the state (ID {id:?})"
        )),
        "{err}"
    );
    assert_eq!(b.lock_holder().unwrap().map(|h| h.id), Some(id.clone()));

    let out = w.run(&["force-unlock", "-force", id.as_str()]).ok();
    assert!(out.contains("successfully unlocked"), "{out}");
    assert!(out.contains("local state file"), "{out}");
    assert_eq!(b.lock_holder().unwrap(), None);
    drop(b.lock("OperationTypePlan", Duration::ZERO).unwrap());
    drop(held);
}

#[test]
fn a_state_path_that_is_not_a_regular_file_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    let path = std::ffi::CString::new(
        dir.path()
            .join("state/default.json")
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
    let backend = LocalBackend::new(dir.path(), "default").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(backend.load().map(|_| ()).map_err(|e| e.to_string()));
    });
    let result = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("loading a FIFO as state must not hang");
    let err = result.expect_err("a FIFO is not a state file");
    assert!(err.contains("not a regular file"), "{err}");
}
