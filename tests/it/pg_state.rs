//! The pg state backend against a real PostgreSQL server (`SKYFORM_TEST_PG_URL`, started by
//! `scripts/test.sh` with `scripts/pg-test-server.sh`). Every test uses a schema of its own, so
//! they run in parallel. Without a server these tests fail, naming what is missing.

use std::sync::Arc;

use skyform::state::encryption::Codec;
use skyform::state::pg::{PgBackend, PgSettings};
use skyform::state::Backend;

use crate::backend_contract::Fixture;
use crate::common::*;

/// The test server's URL; a clear failure when it is not set.
pub fn pg_url() -> String {
    match std::env::var("SKYFORM_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "SKYFORM_TEST_PG_URL is not set: the pg backend tests need a PostgreSQL server. \
             Run scripts/test.sh (it starts one), or: eval \"$(scripts/pg-test-server.sh start)\""
        ),
    }
}

/// A schema name no other test uses.
pub fn unique_schema() -> String {
    format!("t_{}", uuid::Uuid::new_v4().simple())
}

/// The `skyform { backend "pg" {...} }` block for `schema`.
pub fn pg_config(schema: &str) -> String {
    format!(
        "skyform {{\n  backend \"pg\" {{\n    conn_str    = \"{}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n",
        pg_url()
    )
}

pub fn open_pg(schema: &str, workspace: &str) -> Arc<dyn Backend> {
    let settings = PgSettings::new(&pg_url(), schema, false).expect("pg settings");
    Arc::new(PgBackend::new(settings, workspace, Codec::plain()))
}

/// The contract suite's fixture: a fresh schema, and a working directory configured for it.
pub fn fixture() -> Fixture {
    let schema = unique_schema();
    let work = Work::new(&[]);
    let config = pg_config(&schema);
    Fixture::new(work, &config, move || open_pg(&schema, "default"))
}

/// A plain session on the test server for checks (never named `skyform`).
async fn sql_client() -> tokio_postgres::Client {
    let mut config: tokio_postgres::Config = pg_url().parse().expect("test server URL");
    config.application_name("skyform-test-check");
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    tokio::spawn(connection);
    client
}

/// The raw snapshot row (lineage, serial, data) of `workspace` in `schema`.
async fn snapshot_row(schema: &str, workspace: &str) -> Option<(String, i64, Vec<u8>)> {
    let client = sql_client().await;
    let rows = match client
        .query(
            &format!("SELECT lineage, serial, data FROM \"{schema}\".states WHERE workspace = $1"),
            &[&workspace],
        )
        .await
    {
        Ok(rows) => rows,
        // No table yet: nothing was stored.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => {
            return None
        }
        Err(e) => panic!("read the snapshot row: {e}"),
    };
    rows.first().map(|r| (r.get(0), r.get(1), r.get(2)))
}

/// Count of instances of `mcloud_instance.web` in a state.
fn web_count(state: &skyform::state::State) -> usize {
    state
        .resource(
            None,
            skyform::state::Mode::Managed,
            "mcloud_instance",
            "web",
        )
        .map_or(0, |r| r.instances.len())
}

/// A web fleet whose size is `var.n`.
fn fleet(endpoint: &str) -> String {
    provider_block(endpoint)
        + "variable \"n\" {\n  type = number\n}\n"
        + &instance_block("web", 0, "").replace("count                = 0", "count = var.n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_quickstart_keeps_no_local_state_and_a_second_plan_is_a_no_op() {
    let schema = unique_schema();
    let w = Work::example("quickstart");
    w.write("backend.sky.hcl", &pg_config(&schema));
    let out = w.run(&["init"]).ok();
    assert!(out.contains("Using the pg backend"), "{out}");
    w.run(&["apply", "-auto-approve"]).ok();
    assert!(!w.state_path().exists(), "a local state file was written");
    assert!(
        !w.path().join("state/default.json.journal").exists(),
        "a local journal was written"
    );
    let (lineage, serial, data) = snapshot_row(&schema, "default")
        .await
        .expect("the state row is in the database");
    assert!(serial >= 1);
    let stored: skyform::state::State = serde_json::from_slice(&data).expect("a state document");
    assert_eq!(stored.lineage, lineage);
    assert_eq!(web_count(&stored), 3, "the three instances are in the row");
    let journal: i64 = sql_client()
        .await
        .query_one(&format!("SELECT count(*) FROM \"{schema}\".journal"), &[])
        .await
        .expect("count journal rows")
        .get(0);
    assert_eq!(journal, 0, "the journal is folded at the end of the run");
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    assert!(plan.stdout().contains("No changes"), "{}", plan.stdout());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_concurrent_applies_one_waits_the_other_fails_naming_the_holder() {
    let schema = unique_schema();
    let sim = tokio::task::block_in_place(|| Sim::start(&["-latency-ms", "100"]));
    let w = Work::new(&[]);
    w.write(
        "main.sky.hcl",
        &(fleet(&sim.endpoint()) + &pg_config(&schema)),
    );
    let backend = open_pg(&schema, "default");
    let first = std::process::Command::new(bin())
        .args(["-no-color", "apply", "-auto-approve", "-var", "n=3"])
        .current_dir(w.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the first apply");
    // Wait until the first run holds the lock.
    let started = std::time::Instant::now();
    let holder = loop {
        if let Some(h) = backend.lock_holder().await.expect("lock holder") {
            break h;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the first apply never took the lock"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let second = std::process::Command::new(bin())
        .args([
            "-no-color",
            "apply",
            "-auto-approve",
            "-var",
            "n=5",
            "-lock-timeout=120s",
        ])
        .current_dir(w.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the waiting apply");
    // A third one that does not wait fails at once, naming the holder.
    let third = w.run(&["apply", "-auto-approve", "-var", "n=9"]);
    let err = third.fails();
    assert!(err.contains("is locked"), "{err}");
    assert!(err.contains(&holder.id), "{err}");
    assert!(err.contains("OperationTypeApply"), "{err}");

    let first = first.wait_with_output().expect("first apply");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = second.wait_with_output().expect("second apply");
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        out.contains("2 added"),
        "the waiting run built on the first one's state: {out}"
    );
    let state = backend.load_state().await.unwrap().expect("a state");
    assert_eq!(web_count(&state), 5);
    assert!(
        state.serial >= 4,
        "both runs wrote (serial {})",
        state.serial
    );
    assert_eq!(
        tokio::task::block_in_place(|| sim.instance_ids()).len(),
        5,
        "no duplicates in the cloud"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_killed_runner_and_killed_connection_lose_nothing_and_the_next_apply_finishes() {
    use std::io::{BufRead, BufReader};
    let schema = unique_schema();
    let sim = tokio::task::block_in_place(|| Sim::start(&["-latency-ms", "100"]));
    let w = Work::new(&[]);
    // The runner's sessions get a name of their own, so this test can end exactly them.
    let app = format!("skyform-{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}?application_name={app}", pg_url());
    let config = format!(
        "skyform {{\n  backend \"pg\" {{\n    conn_str    = \"{url}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n"
    );
    w.write("main.sky.hcl", &(fleet(&sim.endpoint()) + &config));
    let backend = open_pg(&schema, "default");

    for kill_connection in [false, true] {
        // Large enough that creates are still running once the first ones are reported
        // complete (finished creates are resolved in batches).
        let total = if kill_connection { 240 } else { 120 };
        let n = format!("n={total}");
        if kill_connection {
            // A slow cloud, so that most creates are still queued when the sessions end.
            tokio::task::block_in_place(|| sim.set_knobs(serde_json::json!({"latency_ms": 400})));
        }
        let in_cloud_before = tokio::task::block_in_place(|| sim.instance_ids()).len();
        let mut child = std::process::Command::new(bin())
            .args([
                "-no-color",
                "apply",
                "-auto-approve",
                "-parallelism=3",
                "-var",
                &n,
            ])
            .current_dir(w.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start skyform apply");
        let stdout = child.stdout.take().expect("stdout");
        // stderr is read as it comes: a run that reports many errors must not block on a
        // full pipe while this test waits for it.
        let stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut { stderr }, &mut err);
            err
        });
        let mut lines = BufReader::new(stdout).lines();
        let mut done = 0;
        while done < 3 {
            let line = lines.next().expect("output").expect("a line");
            if line.contains(": Creation complete") {
                done += 1;
            }
        }
        // The rest of stdout is read likewise.
        let stdout =
            std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
        if kill_connection {
            assert!(
                child.try_wait().expect("poll the run").is_none(),
                "the run was still working when its sessions were ended"
            );
            let client = sql_client().await;
            let killed: i64 = client
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                    &[&app],
                )
                .await
                .expect("end the runner's sessions")
                .get(0);
            assert!(
                killed >= 2,
                "the runner had a data and a lock session ({killed})"
            );
            let status = child.wait().expect("the run stops");
            let err = stderr.join().expect("stderr reader");
            let out = stdout.join().expect("stdout reader");
            assert_eq!(status.code(), Some(1), "{err}");
            // One error for the one cause, naming the database and what it means; not one
            // "Failed to persist state" per queued create.
            assert_eq!(err.matches("Error: ").count(), 1, "{err}");
            assert!(
                err.contains("Error: The state backend failed; the apply stopped"),
                "{err}"
            );
            assert!(
                err.contains("PostgreSQL"),
                "a clear error naming the database: {err}"
            );
            assert!(
                err.contains("skyform started nothing after this failure"),
                "{err}"
            );
            assert!(!err.contains("panicked"), "{err}");
            assert!(!out.contains("complete!"), "{out}");
            assert!(out.contains("Apply failed."), "{out}");
            // It stopped starting new work: most of the fleet was never sent.
            let made = tokio::task::block_in_place(|| sim.instance_ids()).len() - in_cloud_before;
            assert!(
                made < total - in_cloud_before,
                "{made} created: it did not stop"
            );
            tokio::task::block_in_place(|| sim.set_knobs(serde_json::json!({"latency_ms": 100})));
        } else {
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
            drop(stdout);
        }
        // What completed before is in the journal.
        let loaded = backend.load().await.unwrap().expect("a state");
        assert!(web_count(&loaded.state) >= 3, "{loaded:?}");
        // The next apply needs no force-unlock and finishes the job.
        let out = w.run(&["apply", "-auto-approve", "-var", &n]);
        let text = out.ok();
        assert!(text.contains("Apply complete!"), "{text}");
        let state = backend.load_state().await.unwrap().expect("a state");
        assert_eq!(web_count(&state), total);
        // Every instance in the state exists in the cloud (an object whose create was in
        // flight at the kill, before its intent was recorded, may be left over).
        let ids = tokio::task::block_in_place(|| sim.instance_ids());
        let web = state
            .resource(
                None,
                skyform::state::Mode::Managed,
                "mcloud_instance",
                "web",
            )
            .expect("web");
        for instance in &web.instances {
            let id = &instance.attributes.to_json().unwrap()["id"]
                .as_str()
                .expect("an id")
                .to_string();
            assert!(ids.iter().any(|i| i == id), "{id} is not in the cloud");
        }
        if kill_connection {
            // What was created but not recorded when the backend failed had its intent
            // recorded first: adopted by the next run, not left behind.
            assert_eq!(ids.len(), total, "no orphan in the cloud");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_migration_round_trips_local_state_exactly() {
    let schema = unique_schema();
    let w = Work::example("quickstart");
    w.run(&["init"]).ok();
    w.run(&["apply", "-auto-approve"]).ok();
    let original = std::fs::read(w.state_path()).expect("local state");

    // Switching the configuration alone is refused everywhere until init moves the state.
    w.write("backend.sky.hcl", &pg_config(&schema));
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("backend configuration changed"), "{err}");
    let err = w.run(&["init"]).fails();
    assert!(err.contains("init -migrate-state"), "{err}");
    assert!(
        snapshot_row(&schema, "default").await.is_none(),
        "nothing moved yet"
    );

    let out = w.run(&["init", "-migrate-state"]).ok();
    assert!(
        out.contains("Copied the state of workspace \"default\""),
        "{out}"
    );
    let (_, serial, data) = snapshot_row(&schema, "default").await.expect("moved to pg");
    assert_eq!(data, original, "the document moved byte for byte");
    let local: skyform::state::State = serde_json::from_slice(&original).unwrap();
    assert_eq!(serial as u64, local.serial);
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());

    // And back to local, after the local files are gone.
    std::fs::remove_file(w.state_path()).unwrap();
    let _ = std::fs::remove_file(w.path().join("state/default.json.backup"));
    std::fs::remove_file(w.path().join("backend.sky.hcl")).unwrap();
    w.run(&["init", "-migrate-state"]).ok();
    let back = std::fs::read(w.state_path()).expect("local state again");
    assert_eq!(
        back, original,
        "resources, serial and lineage round-trip exactly"
    );

    // A target holding another lineage is refused unless -force-copy.
    let other = unique_schema();
    let target = open_pg(&other, "default");
    target.write_full(&target.new_state()).await.unwrap();
    w.write("backend.sky.hcl", &pg_config(&other));
    let err = w.run(&["init", "-migrate-state"]).fails();
    assert!(err.contains("different state"), "{err}");
    assert!(err.contains("-force-copy"), "{err}");
    w.run(&["init", "-migrate-state", "-force-copy"]).ok();
    let moved = target.load_state().await.unwrap().unwrap();
    assert_eq!(moved.lineage, local.lineage);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_workspaces_keep_separate_state() {
    let schema = unique_schema();
    let w = Work::new(&[]);
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded")
            + &instance_block("web", 1, "").replace(
                "data_disk_size       = 100",
                "data_disk_size       = skyform.workspace == \"staging\" ? 50 : 100",
            )
            + "output \"ws\" {\n  value = terraform.workspace\n}\n"
            + &pg_config(&schema)),
    );
    w.run(&["init"]).ok();
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(w.run(&["workspace", "show"]).ok().trim(), "default");
    w.run(&["workspace", "new", "staging"]).ok();
    assert_eq!(w.run(&["workspace", "show"]).ok().trim(), "staging");
    assert!(
        w.run(&["state", "list"]).ok().trim().is_empty(),
        "a new workspace starts empty"
    );
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(w.run(&["output", "-raw", "ws"]).ok().trim(), "staging");
    let list = w.run(&["workspace", "list"]).ok();
    assert!(
        list.contains("  default") && list.contains("* staging"),
        "{list}"
    );

    let staging = open_pg(&schema, "staging")
        .load_state()
        .await
        .unwrap()
        .unwrap();
    let default = open_pg(&schema, "default")
        .load_state()
        .await
        .unwrap()
        .unwrap();
    assert_ne!(staging.lineage, default.lineage);
    let size = |s: &skyform::state::State| {
        s.resource(
            None,
            skyform::state::Mode::Managed,
            "mcloud_instance",
            "web",
        )
        .map(|r| r.instances[0].attributes.to_json().unwrap()["data_disk_size"].clone())
    };
    assert_eq!(size(&staging), Some(serde_json::json!(50)));
    assert_eq!(size(&default), Some(serde_json::json!(100)));

    let err = w.run(&["workspace", "delete", "staging"]).fails();
    assert!(err.contains("selected workspace"), "{err}");
    w.run(&["workspace", "select", "default"]).ok();
    let err = w.run(&["workspace", "delete", "staging"]).fails();
    assert!(err.contains("is not empty"), "{err}");
    assert!(open_pg(&schema, "staging")
        .load_state()
        .await
        .unwrap()
        .is_some());
    w.run(&["workspace", "delete", "-force", "staging"]).ok();
    assert!(open_pg(&schema, "staging")
        .load_state()
        .await
        .unwrap()
        .is_none());
    let err = w.run(&["workspace", "select", "staging"]).fails();
    assert!(err.contains("does not exist"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_encrypted_state_is_unreadable_without_the_key_and_rotates() {
    let schema = unique_schema();
    let w = Work::new(&[]);
    let secret_name = "web-7f3a9c-secret-name";
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded")
            + &instance_block("web", 1, "")
            + &format!("output \"marker\" {{\n  value = \"{secret_name}\"\n}}\n")
            + &pg_config(&schema)
            + "skyform {\n  encryption {\n    key_provider \"pbkdf2\" {\n      passphrase = var.state_key\n    }\n  }\n}\nvariable \"state_key\" {\n  type      = string\n  sensitive = true\n}\n"),
    );
    let key1 = "first passphrase, long enough";
    let key2 = "second passphrase, also long";
    let with = |k: &'static str| vec![("SKYFORM_VAR_state_key", k)];
    w.run_env(&["apply", "-auto-approve"], &with(key1)).ok();
    let (_, serial, data) = snapshot_row(&schema, "default").await.unwrap();
    let text = String::from_utf8_lossy(&data);
    assert!(text.contains("skyform-encrypted"), "{text}");
    assert!(
        !text.contains(secret_name),
        "an attribute value is visible in the row"
    );
    assert!(!text.contains("mcloud_instance"), "{text}");

    // A wrong key is a clear error and changes nothing.
    let err = w
        .run_env(
            &["apply", "-auto-approve"],
            &with("not the right passphrase"),
        )
        .fails();
    assert!(err.contains("cannot decrypt"), "{err}");
    assert!(
        !err.contains("not the right passphrase"),
        "the key is never shown: {err}"
    );
    let after = snapshot_row(&schema, "default").await.unwrap();
    assert_eq!((after.1, &after.2), (serial, &data), "nothing was written");
    // No key at all: the data is recognised as encrypted (backend settings reach init too).
    std::fs::write(
        w.path().join("main.sky.hcl"),
        std::fs::read_to_string(w.path().join("main.sky.hcl"))
            .unwrap()
            .replace(
                "passphrase = var.state_key",
                "passphrase = \"yet another wrong passphrase\"",
            ),
    )
    .unwrap();
    let err = w.run(&["state", "pull"]).fails();
    assert!(err.contains("cannot decrypt"), "{err}");
    std::fs::write(
        w.path().join("main.sky.hcl"),
        std::fs::read_to_string(w.path().join("main.sky.hcl"))
            .unwrap()
            .replace(
                "passphrase = \"yet another wrong passphrase\"",
                "passphrase = var.state_key\n      fallback {\n        passphrase = var.old_key\n      }",
            )
            + "variable \"old_key\" {\n  type = string\n}\n",
    )
    .unwrap();
    // Rotation: the new key with the old one as fallback reads the state, and the next write
    // re-encrypts it with the new key only.
    let rotate = vec![
        ("SKYFORM_VAR_state_key", key2),
        ("SKYFORM_VAR_old_key", key1),
    ];
    std::fs::write(
        w.path().join("main.sky.hcl"),
        std::fs::read_to_string(w.path().join("main.sky.hcl"))
            .unwrap()
            .replace("count                = 1", "count                = 2"),
    )
    .unwrap();
    w.run_env(&["apply", "-auto-approve"], &rotate).ok();
    let (_, rotated_serial, _) = snapshot_row(&schema, "default").await.unwrap();
    assert!(rotated_serial > serial);
    let only_new = vec![
        ("SKYFORM_VAR_state_key", key2),
        ("SKYFORM_VAR_old_key", key2),
    ];
    let pulled = w.run_env(&["state", "pull"], &only_new).ok();
    assert!(pulled.contains(secret_name), "the new key alone reads it");
    let old_only = vec![
        ("SKYFORM_VAR_state_key", key1),
        ("SKYFORM_VAR_old_key", key1),
    ];
    let err = w.run_env(&["state", "pull"], &old_only).fails();
    assert!(err.contains("cannot decrypt"), "{err}");
}

#[test]
fn local_encrypted_state_and_journal_hide_attribute_values() {
    let w = Work::new(&[]);
    let secret_name = "web-local-91c2-secret";
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded")
            + &instance_block("web", 2, "")
            + &format!("output \"marker\" {{\n  value = \"{secret_name}\"\n}}\n")),
    );
    let key = [("SKYFORM_STATE_KEY", "a local passphrase, long enough")];
    w.run_env(&["apply", "-auto-approve"], &key).ok();
    let bytes = std::fs::read(w.state_path()).expect("state file");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("skyform-encrypted") && !text.contains(secret_name),
        "{text}"
    );
    let err = w.run(&["state", "list"]).fails();
    assert!(
        err.contains("is encrypted, but no state key is configured"),
        "{err}"
    );
    let err = w
        .run_env(
            &["apply", "-auto-approve"],
            &[("SKYFORM_STATE_KEY", "the wrong passphrase here")],
        )
        .fails();
    assert!(err.contains("cannot decrypt"), "{err}");
    assert_eq!(
        std::fs::read(w.state_path()).unwrap(),
        bytes,
        "nothing was written"
    );
    let list = w.run_env(&["state", "list"], &key).ok();
    assert!(list.contains("mcloud_instance.web[1]"), "{list}");
}

#[test]
fn unknown_backends_and_settings_fail_at_init_plan_and_apply() {
    let w = Work::new(&[]);
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded")
            + "skyform {\n  backend \"s3\" {\n    bucket = \"x\"\n  }\n}\n"),
    );
    for cmd in [&["init"][..], &["plan"], &["apply", "-auto-approve"]] {
        let err = w.run(cmd).fails();
        assert!(
            err.contains("does not implement the backend type \"s3\""),
            "{cmd:?}: {err}"
        );
    }
    assert!(!w.state_path().exists());
    w.write(
        "main.sky.hcl",
        "skyform {\n  backend \"pg\" {\n    conn_str = \"postgres://me:hunter2hunter2@127.0.0.1:1/db\"\n    schema_name = \"s\"\n  }\n}\n",
    );
    let err = w.run(&["init"]).fails();
    assert!(
        err.contains("cannot connect to PostgreSQL at me@127.0.0.1:1/db"),
        "{err}"
    );
    assert!(
        !err.contains("hunter2"),
        "the password is never shown: {err}"
    );
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded") + "skyform {\n  required_version = \">= 99.0\"\n}\n"),
    );
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("requires skyform >= 99.0"), "{err}");
    // Tables that must exist but do not: said at init, nothing created.
    let schema = unique_schema();
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded")
            + &pg_config(&schema).replace(
                "schema_name =",
                "skip_schema_creation = true\n    schema_name =",
            )),
    );
    let err = w.run(&["init"]).fails();
    assert!(
        err.contains("skip_schema_creation is set") && err.contains(&schema),
        "{err}"
    );
}

#[test]
fn local_workspaces_live_in_state_dir_and_plan_files_are_encrypted_like_state() {
    let w = Work::new(&[]);
    w.write(
        "main.sky.hcl",
        &(provider_block("embedded") + &instance_block("web", 1, "")),
    );
    let key = [("SKYFORM_STATE_KEY", "a local passphrase, long enough")];
    w.run_env(&["workspace", "new", "dev"], &key).ok();
    assert!(w.path().join("state/dev.json").exists());
    w.run_env(&["plan", "-out", "dev.plan"], &key).ok();
    let plan = std::fs::read(w.path().join("dev.plan")).expect("plan file");
    let text = String::from_utf8_lossy(&plan);
    assert!(text.contains("skyform-encrypted"), "{text}");
    assert!(!text.contains("mcloud_instance"), "{text}");
    let err = w.run(&["show", "dev.plan"]).fails();
    assert!(err.contains("is encrypted, but no state key"), "{err}");
    let out = w.run_env(&["apply", "dev.plan"], &key).ok();
    assert!(out.contains("Apply complete!"), "{out}");
    assert!(
        !w.state_path().exists(),
        "the default workspace was not touched"
    );
    let list = w.run_env(&["workspace", "list"], &key).ok();
    assert!(
        list.contains("  default") && list.contains("* dev"),
        "{list}"
    );
    let env_selected = w.run_env(&["workspace", "show"], &[("SKYFORM_WORKSPACE", "default")]);
    assert_eq!(env_selected.ok().trim(), "default");
}
