//! The contract every state backend must honour, written once and run against each backend.
//!
//! [`backend_contract_suite!`] expands to one test per scenario for a factory `fn() -> Fixture`;
//! the factory is the only backend-specific part. Scenarios: lock exclusion (naming the holder)
//! and waiting, a holder process killed with SIGKILL freeing the lock, force-unlock, serial and
//! lineage checks on write, appended batches replayed on their base, and journal replay after a
//! crash (in process, and a real `skyform apply` killed mid-run whose records `load` and
//! `skyform state pull` show).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use serde_json::json;
use skyform::state::{
    Backend, Change, IndexKey, InstanceState, JournalBase, Mode, ResourceKey, State, StateError,
    StateWriter,
};

use crate::common::*;

/// One backend under test: how to open it, and a working directory where `skyform` uses it.
pub struct Fixture {
    /// The working directory; `skyform` run here must use the backend under test.
    pub work: Work,
    /// Configuration every configuration written in `work` must include (e.g. a `backend`
    /// block); empty for the local backend, which is the default.
    pub config: String,
    open: Box<dyn Fn() -> Arc<dyn Backend> + Send + Sync>,
}

impl Fixture {
    pub fn new(
        work: Work,
        config: &str,
        open: impl Fn() -> Arc<dyn Backend> + Send + Sync + 'static,
    ) -> Fixture {
        Fixture {
            work,
            config: config.to_string(),
            open: Box::new(open),
        }
    }

    /// A new client of the same state, as another process would open it.
    pub fn open(&self) -> Arc<dyn Backend> {
        (self.open)()
    }

    /// Write the configuration `main.sky.hcl` (plus the backend's own configuration).
    fn configure(&self, text: &str) {
        self.work
            .write("main.sky.hcl", &format!("{text}\n{}", self.config));
    }
}

/// One `#[test]` per scenario for the backend that `$make` (a `fn() -> Fixture`) creates.
macro_rules! backend_contract_suite {
    ($make:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_second_lock_fails_naming_the_holder() {
            $crate::backend_contract::a_second_lock_fails_naming_the_holder($make()).await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_waiting_lock_succeeds_once_the_holder_lets_go() {
            $crate::backend_contract::a_waiting_lock_succeeds_once_the_holder_lets_go($make()).await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_killed_holder_process_frees_the_lock_without_force_unlock() {
            $crate::backend_contract::a_killed_holder_process_frees_the_lock_without_force_unlock(
                $make(),
            )
            .await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn force_unlock_needs_a_holder_and_its_id() {
            $crate::backend_contract::force_unlock_needs_a_holder_and_its_id($make()).await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn stale_writers_and_other_lineages_are_refused() {
            $crate::backend_contract::stale_writers_and_other_lineages_are_refused($make()).await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn appended_batches_are_replayed_in_order_on_their_base() {
            $crate::backend_contract::appended_batches_are_replayed_in_order_on_their_base($make())
                .await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn records_of_an_unfinished_run_are_replayed_on_load() {
            $crate::backend_contract::records_of_an_unfinished_run_are_replayed_on_load($make())
                .await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_killed_apply_loses_no_acknowledged_record() {
            $crate::backend_contract::a_killed_apply_loses_no_acknowledged_record($make()).await
        }
    };
}

/// The local backend: `state/default.json` in the fixture's working directory.
mod local {
    use super::*;

    fn fixture() -> Fixture {
        let work = Work::new(&[]);
        let dir = work.path().to_path_buf();
        Fixture::new(work, "", move || {
            skyform::state::local_backend(&dir, "default").expect("local backend")
        })
    }

    backend_contract_suite!(fixture);
}

/// The pg backend: a schema of its own on the test server (`SKYFORM_TEST_PG_URL`).
pub mod pg_backend {
    backend_contract_suite!(crate::pg_state::fixture);
}

const EMBEDDED: &str = "provider \"mcloud\" {\n  endpoint = \"embedded\"\n}\n";

fn web() -> ResourceKey {
    ResourceKey::managed("mcloud_instance", "web", "provider[\"mcloud\"]")
}

fn upsert(i: i64) -> Change {
    Change::Upsert {
        resource: web(),
        index_key: Some(IndexKey::Int(i)),
        instance: InstanceState::new(json!({"id": format!("i-{i}")})),
    }
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

/// Polls the backend until someone holds its lock for `operation`; panics after `timeout`.
async fn holder_for(
    b: &dyn Backend,
    operation: &str,
    timeout: Duration,
    child: &mut Child,
) -> skyform::state::LockInfo {
    let started = Instant::now();
    loop {
        if let Some(holder) = b.lock_holder().await.expect("read the lock holder") {
            if holder.operation == operation {
                return holder;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the child exited ({status}) before taking the lock");
        }
        assert!(
            started.elapsed() < timeout,
            "nobody took the lock for {operation} within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Kill `child` with SIGKILL (no chance to clean up) and reap it.
fn kill_hard(child: &mut Child) {
    child.kill().expect("SIGKILL the child"); // std sends SIGKILL on Unix
    let status = child.wait().expect("reap the child");
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
}

pub async fn a_second_lock_fails_naming_the_holder(f: Fixture) {
    let (a, b) = (f.open(), f.open());
    let held = a.lock("OperationTypeApply", Duration::ZERO).await.unwrap();
    assert_eq!(held.info().operation, "OperationTypeApply");
    assert_eq!(b.lock_holder().await.unwrap().as_ref(), Some(held.info()));

    let started = Instant::now();
    let err = b
        .lock("OperationTypePlan", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "it should retry until the timeout"
    );
    let message = err.to_string();
    match err {
        StateError::Locked {
            holder, location, ..
        } => {
            assert_eq!(*holder, *held.info());
            assert_eq!(location, b.location());
        }
        other => panic!("expected a Locked error, got {other}"),
    }
    assert!(message.contains(&held.info().id), "{message}");
    assert!(message.contains("OperationTypeApply"), "{message}");

    drop(held);
    assert_eq!(b.lock_holder().await.unwrap(), None);
    let mine = b.lock("OperationTypePlan", Duration::ZERO).await.unwrap();
    assert_eq!(a.lock_holder().await.unwrap().as_ref(), Some(mine.info()));
}

pub async fn a_waiting_lock_succeeds_once_the_holder_lets_go(f: Fixture) {
    let (a, b) = (f.open(), f.open());
    let held = a.lock("OperationTypeApply", Duration::ZERO).await.unwrap();
    let waiter = tokio::spawn(async move {
        let started = Instant::now();
        let lock = b.lock("OperationTypePlan", Duration::from_secs(30)).await;
        (lock, started.elapsed())
    });
    // Hold the lock for a while: the waiter must still be waiting at the end of it.
    let hold = Duration::from_millis(300);
    tokio::time::sleep(hold).await;
    assert!(!waiter.is_finished(), "the lock was taken while held");
    drop(held);
    let (lock, waited) = waiter.await.unwrap();
    let lock = lock.expect("the waiter gets the lock once it is free");
    assert_eq!(lock.info().operation, "OperationTypePlan");
    assert!(waited >= hold, "{waited:?}");
}

pub async fn a_killed_holder_process_frees_the_lock_without_force_unlock(f: Fixture) {
    let b = f.open();
    // `apply` takes the lock before planning and holds it while it asks for approval; stdin
    // stays open, so it waits there.
    f.configure(&(EMBEDDED.to_string() + &instance_block("web", 1, "")));
    let mut child = Command::new(bin())
        .args(["-no-color", "apply"])
        .current_dir(f.work.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start skyform apply");
    let holder = holder_for(
        &*b,
        "OperationTypeApply",
        Duration::from_secs(60),
        &mut child,
    )
    .await;
    let err = b
        .lock("OperationTypePlan", Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StateError::Locked { holder: h, .. } if h.id == holder.id),
        "{err}"
    );

    kill_hard(&mut child);
    // Freed by the OS (or the server): no force-unlock, no waiting.
    assert_eq!(b.lock_holder().await.unwrap(), None);
    let lock = b.lock("OperationTypePlan", Duration::ZERO).await;
    assert!(lock.is_ok(), "{:?}", lock.err());
    drop(lock);
    // And force-unlock says it is not needed.
    let out = f.work.run(&["force-unlock", "-force", holder.id.as_str()]);
    let err = out.fails();
    assert!(err.contains("is not locked; nothing to unlock"), "{err}");
    assert!(err.contains("force-unlock is not needed"), "{err}");
}

pub async fn force_unlock_needs_a_holder_and_its_id(f: Fixture) {
    let (a, b) = (f.open(), f.open());
    let err = b.force_unlock("abc").await.unwrap_err();
    assert_eq!(
        err,
        StateError::NotLocked {
            location: b.location()
        }
    );

    let held = a.lock("OperationTypeApply", Duration::ZERO).await.unwrap();
    let id = held.info().id.clone();
    let err = b.force_unlock("abc").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "lock ID \"abc\" does not match the lock on the state (ID {id:?}); nothing was unlocked. \
             Use the ID shown in the lock error message"
        )
    );
    assert!(
        b.lock("OperationTypePlan", Duration::ZERO).await.is_err(),
        "a wrong ID leaves the lock held"
    );

    // The right ID breaks the lock of a live (stuck) holder.
    let broken = b.force_unlock(&id).await.unwrap();
    assert_eq!(&broken, held.info());
    let theirs = b.lock("OperationTypePlan", Duration::ZERO).await.unwrap();
    // The old holder letting go later must not release the new holder's lock.
    drop(held);
    assert_eq!(a.lock_holder().await.unwrap().as_ref(), Some(theirs.info()));
    assert!(a.lock("OperationTypeApply", Duration::ZERO).await.is_err());
}

pub async fn stale_writers_and_other_lineages_are_refused(f: Fixture) {
    let (a, b) = (f.open(), f.open());
    assert_eq!(a.load().await.unwrap(), None);
    let first = a.write_full(&a.new_state()).await.unwrap().state;
    assert_eq!(first.serial, 1);
    let loaded_by_b = b.load_state().await.unwrap().expect("b sees a's write");
    assert_eq!(loaded_by_b, first);

    let mut changed = first.clone();
    changed.apply_change(&upsert(1));
    let second = a.write_full(&changed).await.unwrap().state;
    assert_eq!(second.serial, 2);
    assert_eq!(second.lineage, first.lineage);

    // b still has serial 1: its write would lose a's change.
    let err = b.write_full(&loaded_by_b).await.unwrap_err();
    assert_eq!(
        err,
        StateError::StaleWrite {
            location: b.location(),
            loaded: 1,
            on_disk: 2
        }
    );
    // A state of another lineage is refused, whatever its serial.
    let mut foreign = b.new_state();
    foreign.serial = 10;
    assert_ne!(foreign.lineage, first.lineage);
    let err = b.write_full(&foreign).await.unwrap_err();
    assert!(
        matches!(&err, StateError::LineageOverwrite { on_disk, writing, .. }
            if *on_disk == first.lineage && *writing == foreign.lineage),
        "{err}"
    );
    assert_eq!(b.load_state().await.unwrap(), Some(second.clone()));

    // Only a deliberate replace (state push -force) overwrites, with a serial above both.
    let replaced = b.replace_full(&foreign).await.unwrap();
    assert_eq!(replaced.lineage, foreign.lineage);
    assert!(replaced.serial > 10, "{}", replaced.serial);
    assert_eq!(a.load_state().await.unwrap(), Some(replaced));
}

pub async fn appended_batches_are_replayed_in_order_on_their_base(f: Fixture) {
    let a = f.open();
    let base = a.write_full(&a.new_state()).await.unwrap().state;
    let on_base = JournalBase::of(&base);
    a.append(&on_base, &[]).await.unwrap();
    a.append(&on_base, &[upsert(0), upsert(1)]).await.unwrap();
    let remove_0 = Change::Remove {
        resource: web(),
        index_key: Some(IndexKey::Int(0)),
    };
    a.append(&on_base, &[remove_0, upsert(2)]).await.unwrap();

    let loaded = f.open().load().await.unwrap().expect("a state");
    assert_eq!(loaded.replayed, 4);
    assert_eq!(loaded.torn_tail_bytes, 0);
    assert_eq!(loaded.state.serial, base.serial);
    assert_eq!(web_indexes(&loaded.state), [1, 2], "applied in order");

    // A full write of the replayed state ends that journal: nothing is replayed twice.
    let written = a.write_full(&loaded.state).await.unwrap().state;
    assert_eq!(f.open().load().await.unwrap().unwrap().replayed, 0);
    a.append(&JournalBase::of(&written), &[upsert(3)])
        .await
        .unwrap();
    let again = f.open().load().await.unwrap().unwrap();
    assert_eq!(again.replayed, 1);
    assert_eq!(again.state.serial, written.serial);
    assert_eq!(web_indexes(&again.state), [1, 2, 3]);
}

pub async fn records_of_an_unfinished_run_are_replayed_on_load(f: Fixture) {
    let a = f.open();
    let writer = StateWriter::open(a.clone(), a.new_state()).await.unwrap();
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
    drop(writer); // the run ends without finish

    // Another client sees every acknowledged record, replayed on the base document.
    let b = f.open();
    let loaded = b.load().await.unwrap().expect("a state");
    assert_eq!(loaded.replayed, 6);
    assert_eq!(loaded.state.serial, 1, "only the base was written in full");
    assert_eq!(web_indexes(&loaded.state), [0, 1, 3, 4]);
    // Loading is read-only and repeatable.
    assert_eq!(b.load().await.unwrap().unwrap(), loaded);

    // The next run starts from the recovered state and folds the journal in.
    let writer = StateWriter::open(b.clone(), loaded.state.clone())
        .await
        .unwrap();
    writer.record(upsert(7)).await.unwrap();
    let done = writer.finish(BTreeMap::new()).await.unwrap();
    assert_eq!(web_indexes(&done), [0, 1, 3, 4, 7]);
    let after = a.load().await.unwrap().unwrap();
    assert_eq!(after.replayed, 0);
    assert_eq!(after.state, done);
}

pub async fn a_killed_apply_loses_no_acknowledged_record(f: Fixture) {
    let b = f.open();
    // A slow cloud, so the run is still going when it is killed.
    let sim = Sim::start(&["-latency-ms", "100"]);
    // Creates find their machines in one shared list once the batch is over, or after
    // `list_flight::MAX_HOLD` (5 s) while creates are still in flight: 240 creates at
    // parallelism 3 take about 8 s of POSTs, so the first creations complete mid-run.
    let count = 240;
    f.configure(&(provider_block(&sim.endpoint()) + &instance_block("web", count, "")));
    let mut child = Command::new(bin())
        .args(["-no-color", "apply", "-auto-approve", "-parallelism=3"])
        .current_dir(f.work.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start skyform apply");
    let stdout = child.stdout.take().expect("child stdout");
    let (tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // "Creation complete" is printed only after the record is durable.
    let acked = |line: &str| -> Option<i64> {
        let rest = line.strip_prefix("mcloud_instance.web[")?;
        let (index, tail) = rest.split_once(']')?;
        tail.starts_with(": Creation complete")
            .then(|| index.parse().ok())
            .flatten()
    };
    let mut acks = Vec::new();
    let mut output = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acks.len() < 3 {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no 3 creations ({e}); output so far:\n{output:#?}"));
        acks.extend(acked(&line));
        output.push(line);
    }
    kill_hard(&mut child);
    // Lines already in the pipe were acknowledged before the kill, too.
    reader.join().expect("reader thread");
    for line in lines.try_iter() {
        acks.extend(acked(&line));
        output.push(line);
    }
    assert!(
        !output.iter().any(|l| l.contains("Apply complete!")),
        "the run finished before it was killed: {output:#?}"
    );
    assert!(acks.len() < count, "{output:#?}");

    let loaded = b.load().await.unwrap().expect("a state");
    assert!(loaded.replayed > 0, "nothing came from the journal");
    for i in &acks {
        let instance = loaded
            .state
            .instance(
                None,
                Mode::Managed,
                "mcloud_instance",
                "web",
                Some(&IndexKey::Int(*i)),
            )
            .unwrap_or_else(|| panic!("web[{i}] was acknowledged but is not in the state"));
        assert!(!instance.is_pending_create(), "web[{i}]");
        assert!(
            instance.attributes.to_json().unwrap()["id"].is_string(),
            "web[{i}]"
        );
    }

    // `state pull` through the real binary shows the same, journal included.
    let pulled = f.work.run(&["state", "pull"]).ok();
    let pulled: State = serde_json::from_str(&pulled).expect("state pull prints a state");
    assert_eq!(pulled, loaded.state);
}
