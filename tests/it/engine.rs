//! Engine and run-layer tests through a scripted provider: the one place a provider is
//! scripted (`engine/scripted.rs`, a test double of the public `Provider` trait). Providers
//! themselves are tested against their simulators over HTTP.

mod scripted;

use scripted::{Script, Scripted};
use skyform::diag::Sources;
use skyform::engine::{Cancel, Event, EventSink, Options};
use skyform::plan::PlanMode;
use skyform::run::{RunContext, Session};
use skyform::state::LocalBackend;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A working directory with one configuration file.
fn workdir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.sky.hcl"), config).expect("write config");
    dir
}

/// Everything a run needs, with the scripted provider as the only provider.
fn context(dir: &Path, script: &Script, events: Option<EventSink>) -> RunContext {
    let mut sources = Sources::default();
    let config = skyform::config::load(dir, &mut sources).expect("configuration loads");
    RunContext {
        config: Arc::new(config),
        config_digest: String::new(),
        registry: Arc::new(script.registry()),
        mode: PlanMode::Normal,
        options: Options {
            work_dir: dir.to_path_buf(),
            ..Options::default()
        },
        inputs: Default::default(),
        events,
        cancel: Cancel::new(),
        embedded: None,
    }
}

async fn session(dir: &Path) -> Session {
    let backend = skyform::state::local_backend(dir, "default").expect("backend");
    Session::open(backend, "OperationTypeApply", Some(Duration::ZERO))
        .await
        .expect("session")
}

/// Records every event for assertions.
fn recorder() -> (EventSink, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    let sink: EventSink = Arc::new(move |e| sink_seen.lock().expect("events").push(e));
    (sink, seen)
}

/// The attributes of the one instance of `addr` (`type.name`) in the state on disk.
fn state_attributes(dir: &Path, addr: &str) -> serde_json::Value {
    let state = LocalBackend::new(dir, "default")
        .expect("backend")
        .load()
        .expect("state loads")
        .expect("a state exists");
    state
        .resources
        .iter()
        .find(|r| format!("{}.{}", r.type_, r.name) == addr)
        .and_then(|r| r.instances.first())
        .map(|i| i.attributes.to_json().unwrap())
        .unwrap_or_else(|| panic!("{addr} is not in state"))
}

/// Addresses of the managed objects in the state file on disk (journal replayed).
fn state_addresses(dir: &Path) -> Vec<String> {
    let state = LocalBackend::new(dir, "default")
        .expect("backend")
        .load()
        .expect("state loads")
        .expect("a state exists");
    let mut out = Vec::new();
    for r in &state.resources {
        for _ in &r.instances {
            out.push(format!("{}.{}", r.type_, r.name));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_failing_branch_does_not_stop_an_independent_one() {
    let dir = workdir(
        r#"
resource "scripted_thing" "good" { name = "good" }
resource "scripted_thing" "bad"  { name = "bad" }
resource "scripted_thing" "after_bad" { name = scripted_thing.bad.id }
"#,
    );
    let script = Scripted::new();
    script.fail_create("bad", "the cloud said no");
    let script = script.into_script();
    let ctx = context(dir.path(), &script, None);
    let mut session = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &session).await.expect("plan");
    assert_eq!(planned.plan.counts(), (3, 0, 0));
    let applied = skyform::run::apply(&ctx, &mut session, planned)
        .await
        .expect("apply runs");
    assert!(!applied.is_complete());
    let errors = applied
        .result
        .clone()
        .expect_err("the apply fails")
        .to_string();
    assert!(errors.contains("scripted_thing.bad"), "{errors}");
    assert!(errors.contains("the cloud said no"), "{errors}");
    assert!(!errors.contains("scripted_thing.good"), "{errors}");
    assert!(applied.state_written.is_ok());
    assert!(!applied.is_complete());
    assert_eq!(applied.report.added, 1);
    // The independent branch completed and is in state; the dependent of the failure
    // never started.
    assert_eq!(state_addresses(dir.path()), ["scripted_thing.good"]);
    assert_eq!(script.created(), ["good"]);
}

#[tokio::test]
async fn a_failed_create_is_reported_as_a_failed_event() {
    let dir = workdir(r#"resource "scripted_thing" "only" { name = "only" }"#);
    let script = Scripted::new();
    script.fail_create("only", "quota exceeded");
    let script = script.into_script();
    let (events, seen) = recorder();
    let ctx = context(dir.path(), &script, Some(events));
    let mut session = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &session).await.expect("plan");
    let applied = skyform::run::apply(&ctx, &mut session, planned)
        .await
        .expect("apply runs");
    assert!(applied.result.is_err());
    let seen = seen.lock().expect("events");
    assert!(
        seen.iter().any(
            |e| matches!(e, Event::Failed { addr, .. } if addr.to_string() == "scripted_thing.only")
        ),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_create_that_fails_after_making_the_object_records_it() {
    let dir = workdir(r#"resource "scripted_thing" "half" { name = "half" }"#);
    let script = Scripted::new();
    script.fail_create_after_making("half", "it never became usable");
    let script = script.into_script();
    let (events, seen) = recorder();
    let ctx = context(dir.path(), &script, Some(events));
    let mut session = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &session).await.expect("plan");
    let applied = skyform::run::apply(&ctx, &mut session, planned)
        .await
        .expect("apply runs");
    let errors = applied
        .result
        .clone()
        .expect_err("the apply fails")
        .to_string();
    assert!(errors.contains("it never became usable"), "{errors}");
    assert!(applied.state_written.is_ok());
    // Recorded, not orphaned: the object the provider reported is in state.
    assert_eq!(state_addresses(dir.path()), ["scripted_thing.half"]);
    assert_eq!(
        state_attributes(dir.path(), "scripted_thing.half")["id"],
        "id-half"
    );
    // The provider's progress reached the run's events.
    let seen = seen.lock().expect("events");
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Progress { message, .. } if message == "making half")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn an_update_that_fails_part_way_records_what_is_now_true() {
    let dir =
        workdir("resource \"scripted_thing\" \"vm\" {\n  name = \"vm\"\n  size = \"small\"\n}\n");
    let script = Scripted::new().into_script();
    let ctx = context(dir.path(), &script, None);
    let mut first = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &first).await.expect("plan");
    let applied = skyform::run::apply(&ctx, &mut first, planned)
        .await
        .expect("apply");
    assert!(applied.result.is_ok());
    drop(first);

    // Resizing stops the machine, then fails: state must not keep believing "small".
    std::fs::write(
        dir.path().join("main.sky.hcl"),
        "resource \"scripted_thing\" \"vm\" {\n  name = \"vm\"\n  size = \"large\"\n}\n",
    )
    .expect("write config");
    script.fail_update("vm", "resize failed after the stop", "stopped");
    let ctx = context(dir.path(), &script, None);
    let mut session = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &session).await.expect("plan");
    assert_eq!(planned.plan.counts(), (0, 1, 0));
    let applied = skyform::run::apply(&ctx, &mut session, planned)
        .await
        .expect("apply runs");
    let errors = applied
        .result
        .clone()
        .expect_err("the apply fails")
        .to_string();
    assert!(errors.contains("resize failed after the stop"), "{errors}");
    assert!(applied.state_written.is_ok());
    assert_eq!(
        state_attributes(dir.path(), "scripted_thing.vm")["size"],
        "stopped"
    );
}

#[tokio::test]
async fn a_batched_read_with_the_wrong_length_is_an_internal_error() {
    let dir = workdir(r#"resource "scripted_thing" "one" { name = "one" }"#);
    let script = Scripted::new().into_script();
    let ctx = context(dir.path(), &script, None);
    let mut first = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &first).await.expect("plan");
    let applied = skyform::run::apply(&ctx, &mut first, planned)
        .await
        .expect("apply");
    assert!(applied.result.is_ok());
    drop(first);

    script.short_refresh();
    let session = session(dir.path()).await;
    let err = match skyform::run::plan(&ctx, &session).await {
        Ok(_) => panic!("a short batched read was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("internal error: provider"), "{err}");
    assert!(
        err.contains("returned 0 results for 1 scripted_thing objects"),
        "{err}"
    );
}

#[tokio::test]
async fn cancelling_stops_a_long_wait_and_saves_what_it_made() {
    let dir = workdir(
        r#"
resource "scripted_thing" "slow" { name = "slow" }
resource "scripted_thing" "after" { name = scripted_thing.slow.id }
"#,
    );
    let script = Scripted::new();
    script.wait_forever("slow");
    let script = script.into_script();
    let (events, seen) = recorder();
    let ctx = context(dir.path(), &script, Some(events));
    let mut session = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &session).await.expect("plan");
    let cancel = ctx.cancel.clone();
    let watcher = {
        let seen = seen.clone();
        tokio::spawn(async move {
            // Cancel once the create is waiting, as Ctrl-C would.
            loop {
                let waiting = seen.lock().expect("events").iter().any(|e| {
                    matches!(e, Event::Progress { message, .. } if message.contains("waiting for slow"))
                });
                if waiting {
                    cancel.cancel();
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let applied = tokio::time::timeout(
        Duration::from_secs(20),
        skyform::run::apply(&ctx, &mut session, planned),
    )
    .await
    .expect("the wait stopped when cancelled")
    .expect("apply runs");
    watcher.await.expect("watcher");
    assert!(applied.cancelled);
    assert!(!applied.is_complete());
    // The cancellation is reported once by the caller, not as an error per operation.
    assert!(applied.result.is_ok(), "{:?}", applied.result);
    assert_eq!(applied.report.interrupted, ["scripted_thing.slow"]);
    assert!(applied.state_written.is_ok());
    // What the create made is in state as it was when the wait stopped; its dependent
    // never started.
    assert_eq!(state_addresses(dir.path()), ["scripted_thing.slow"]);
    assert_eq!(
        state_attributes(dir.path(), "scripted_thing.slow")["size"],
        "booting"
    );
    assert_eq!(script.created(), ["slow"]);
    let message = skyform::run::cancelled_diagnostic("apply", &applied.report.interrupted);
    assert!(
        message.detail.contains("scripted_thing.slow"),
        "{}",
        message.detail
    );
}

fn cbd_config(kind: &str, fail_create: bool) -> String {
    let name = if fail_create { "broken" } else { "vm" };
    format!(
        "resource \"scripted_thing\" \"vm\" {{\n  name = \"{name}\"\n  kind = \"{kind}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
    )
}

/// Plans and applies the configuration in `dir` once.
async fn plan_and_apply(
    dir: &Path,
    script: &Script,
) -> (skyform::plan::Plan, skyform::run::Applied) {
    let ctx = context(dir, script, None);
    let mut session = session(dir).await;
    let planned = skyform::run::plan(&ctx, &session).await.expect("plan");
    let plan = planned.plan.clone();
    let applied = skyform::run::apply(&ctx, &mut session, planned)
        .await
        .expect("apply runs");
    (plan, applied)
}

fn objects_in_state(dir: &Path) -> Vec<(Option<String>, String)> {
    let state = LocalBackend::new(dir, "default")
        .expect("backend")
        .load()
        .expect("state loads")
        .expect("a state exists");
    state
        .resources
        .iter()
        .flat_map(|r| r.instances.iter())
        .map(|i| {
            (
                i.deposed.clone(),
                i.attributes.to_json().unwrap()["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn create_before_destroy_keeps_the_old_object_deposed_until_its_delete_succeeds() {
    let dir = workdir(&cbd_config("a", false));
    let script = Scripted::new().into_script();
    let (_, applied) = plan_and_apply(dir.path(), &script).await;
    assert!(applied.is_complete());

    // Replace it; the old object's delete fails.
    std::fs::write(dir.path().join("main.sky.hcl"), cbd_config("b", false)).expect("write");
    script.fail_deletes_of_kind("a");
    let (plan, applied) = plan_and_apply(dir.path(), &script).await;
    assert_eq!(plan.counts(), (1, 0, 1));
    let errors = applied
        .result
        .clone()
        .expect_err("the delete fails")
        .to_string();
    assert!(errors.contains("cannot delete kind a"), "{errors}");
    let objects = objects_in_state(dir.path());
    assert_eq!(objects.len(), 2, "{objects:?}");
    assert!(objects.contains(&(None, "b".to_string())), "{objects:?}");
    let deposed_key = objects
        .iter()
        .find_map(|(d, kind)| (kind == "a").then(|| d.clone()).flatten())
        .expect("the old object is deposed, not lost");
    assert_eq!(deposed_key.len(), 8);

    // The next plan deletes the deposed object, and only that.
    script.allow_deletes();
    let (plan, applied) = plan_and_apply(dir.path(), &script).await;
    assert_eq!(plan.counts(), (0, 0, 1));
    let change = plan
        .changes
        .iter()
        .find(|c| c.deposed.is_some())
        .expect("a change for the deposed object");
    assert_eq!(change.deposed.as_deref(), Some(deposed_key.as_str()));
    let shown =
        skyform::plan::render::render_change(change, skyform::plan::render::Style { color: false });
    assert!(
        shown.contains(&format!(
            "# scripted_thing.vm (deposed object {deposed_key}) will be destroyed"
        )),
        "{shown}"
    );
    assert!(applied.is_complete(), "{:?}", applied.result);
    assert_eq!(objects_in_state(dir.path()), [(None, "b".to_string())]);
    assert_eq!(script.deleted(), ["a"]);
}

#[tokio::test]
async fn a_failed_create_before_destroy_restores_the_old_object() {
    let dir = workdir(&cbd_config("a", false));
    let script = Scripted::new().into_script();
    let (_, applied) = plan_and_apply(dir.path(), &script).await;
    assert!(applied.is_complete());

    // The replacement's create fails before anything is made: the old object is current
    // again, not deposed (so no later plan deletes the only machine).
    std::fs::write(dir.path().join("main.sky.hcl"), cbd_config("b", true)).expect("write");
    script.fail_create("broken", "no capacity");
    let (plan, applied) = plan_and_apply(dir.path(), &script).await;
    assert_eq!(plan.counts(), (1, 0, 1));
    assert!(applied.result.is_err());
    assert_eq!(objects_in_state(dir.path()), [(None, "a".to_string())]);
    assert!(script.deleted().is_empty());
}

/// Rewrites the state file: `f` edits the one instance object.
fn edit_state_instance(dir: &Path, f: impl Fn(&mut serde_json::Value)) {
    let path = dir.join("state/default.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read state")).expect("json");
    f(&mut state["resources"][0]["instances"][0]);
    std::fs::write(&path, serde_json::to_string_pretty(&state).expect("encode")).expect("write");
}

#[tokio::test]
async fn state_of_an_older_schema_version_is_upgraded_through_the_provider() {
    let dir =
        workdir("resource \"scripted_thing\" \"vm\" {\n  name = \"vm\"\n  size = \"small\"\n}\n");
    let script = Scripted::new().into_script();
    let (_, applied) = plan_and_apply(dir.path(), &script).await;
    assert!(applied.is_complete());
    let written: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("state/default.json")).expect("state"),
    )
    .expect("json");
    assert_eq!(written["resources"][0]["instances"][0]["schema_version"], 1);

    // As an older skyform wrote it: version 0, where `size` was called `sz`.
    edit_state_instance(dir.path(), |i| {
        let attrs = i["attributes"].as_object_mut().expect("attributes");
        let size = attrs.remove("size").expect("size");
        attrs.insert("sz".into(), size);
        i.as_object_mut()
            .expect("instance")
            .remove("schema_version");
    });
    let ctx = context(dir.path(), &script, None);
    let first = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &first).await.expect("plan");
    assert!(!planned.plan.has_changes(), "{:?}", planned.plan.changes);
    drop(first);

    // A state written under a newer schema than this build knows is refused, not guessed.
    edit_state_instance(dir.path(), |i| i["schema_version"] = serde_json::json!(7));
    let session = session(dir.path()).await;
    let err = match skyform::run::plan(&ctx, &session).await {
        Ok(_) => panic!("a newer state was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("scripted_thing.vm"), "{err}");
    assert!(err.contains("schema version 7"), "{err}");
}

/// The kinds in `deleted` (in delete order) form runs: every `first` before any `then`.
fn all_before(deleted: &[String], first: &str, then: &str) -> bool {
    let last_first = deleted.iter().rposition(|k| k == first);
    let first_then = deleted.iter().position(|k| k == then);
    match (last_first, first_then) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    }
}

#[tokio::test]
async fn a_destroy_of_two_thousand_deletes_dependents_first_and_stops_above_a_failure() {
    // 1,000 bases; 500 mids on them; 500 tops on the mids. Dependencies are recorded per
    // resource, so a destroy deletes every top before any mid, and every mid before any
    // base: 2,000 deletes whose order rests on 500 x 500 + 500 x 1,000 instance pairs.
    let dir = workdir(
        r#"
resource "scripted_thing" "base" {
  count = 1000
  name  = "base-${count.index}"
  kind  = "base"
}
resource "scripted_thing" "mid" {
  count = 500
  name  = "mid-${count.index}"
  kind  = "mid"
  size  = scripted_thing.base[count.index].id
}
resource "scripted_thing" "top" {
  count = 500
  name  = "top-${count.index}"
  kind  = "top"
  size  = scripted_thing.mid[count.index].id
}
"#,
    );
    let script = Scripted::new().into_script();
    let (_, applied) = plan_and_apply(dir.path(), &script).await;
    assert!(applied.is_complete(), "{:?}", applied.result);
    assert_eq!(applied.report.added, 2000);

    let destroy = |script: &Script| {
        let mut ctx = context(dir.path(), script, None);
        ctx.mode = PlanMode::Destroy;
        ctx
    };
    // The mids cannot be deleted: every top goes, no base is touched.
    script.fail_deletes_of_kind("mid");
    let ctx = destroy(&script);
    let mut run = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &run).await.expect("plan");
    assert_eq!(planned.plan.counts(), (0, 0, 2000));
    let applied = skyform::run::apply(&ctx, &mut run, planned)
        .await
        .expect("apply runs");
    drop(run);
    let errors = applied.result.expect_err("the mids fail").to_string();
    assert!(
        errors.contains("cannot delete kind mid"),
        "{}",
        errors.chars().take(300).collect::<String>()
    );
    let deleted = script.deleted();
    assert_eq!(deleted.len(), 500, "only the tops");
    assert!(deleted.iter().all(|k| k == "top"));
    let left = state_addresses(dir.path());
    assert_eq!(left.len(), 1500);
    assert!(left.iter().all(|a| !a.starts_with("scripted_thing.top")));

    // Once they can: mids before bases, and nothing is left.
    script.allow_deletes();
    let ctx = destroy(&script);
    let mut run = session(dir.path()).await;
    let planned = skyform::run::plan(&ctx, &run).await.expect("plan");
    assert_eq!(planned.plan.counts(), (0, 0, 1500));
    let applied = skyform::run::apply(&ctx, &mut run, planned)
        .await
        .expect("apply runs");
    assert!(applied.is_complete(), "{:?}", applied.result);
    let deleted = script.deleted();
    assert_eq!(deleted.len(), 2000);
    let count = |kind: &str| deleted.iter().filter(|k| *k == kind).count();
    assert_eq!(
        (count("top"), count("mid"), count("base")),
        (500, 500, 1000)
    );
    assert!(
        all_before(&deleted, "top", "mid"),
        "a mid went before a top"
    );
    assert!(
        all_before(&deleted, "mid", "base"),
        "a base went before a mid"
    );
    assert!(state_addresses(dir.path()).is_empty());
}

#[tokio::test]
async fn an_apply_uses_the_plans_data_reads_unless_what_they_depend_on_changes() {
    let dir = workdir(
        r#"
resource "scripted_thing" "a" { name = "a" }

data "scripted_lookup" "fixed" { name = "fixed" }

data "scripted_lookup" "after" {
  name       = "after"
  depends_on = [scripted_thing.a]
}

output "fixed_reads" { value = data.scripted_lookup.fixed.reads }
output "after_reads" { value = data.scripted_lookup.after.reads }
"#,
    );
    let script = Scripted::new().into_script();
    let (plan, applied) = plan_and_apply(dir.path(), &script).await;
    assert!(applied.is_complete(), "{:?}", applied.result);
    assert_eq!(plan.counts(), (1, 0, 0));
    // Both were read while planning (their configuration is known). `fixed` depends on
    // nothing the apply changes: the apply uses that read. `after` waits for the create
    // of `a` and is read again once it is done.
    let mut lookups = script.lookups();
    lookups.sort();
    assert_eq!(lookups, ["after", "after", "fixed"]);
    let number = |n: i64| skyform::lang::Value::number(n);
    assert_eq!(applied.outputs["fixed_reads"], number(1));
    assert_eq!(applied.outputs["after_reads"], number(2));
    let in_state = state_addresses(dir.path());
    assert_eq!(
        in_state,
        [
            "scripted_lookup.after",
            "scripted_lookup.fixed",
            "scripted_thing.a"
        ]
    );

    // Nothing changes now: one read of each, in the plan, and the apply uses both.
    let (plan, applied) = plan_and_apply(dir.path(), &script).await;
    assert!(applied.is_complete(), "{:?}", applied.result);
    assert_eq!(plan.counts(), (0, 0, 0));
    assert_eq!(script.lookups().len(), 5);
    assert_eq!(applied.outputs["fixed_reads"], number(2));
    assert_eq!(applied.outputs["after_reads"], number(3));
}
