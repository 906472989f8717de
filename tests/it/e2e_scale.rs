//! Fleet-scale call counts (#12): the figures in docs/benchmarks.md depend on these. Against a
//! `skyform sim` process with 20 ms per request, so creates really are in flight together.

use crate::common::*;

fn get(counts: &serde_json::Map<String, serde_json::Value>, k: &str) -> u64 {
    counts.get(k).and_then(|v| v.as_u64()).unwrap_or(0)
}

fn total(counts: &serde_json::Map<String, serde_json::Value>) -> u64 {
    counts.values().filter_map(|v| v.as_u64()).sum()
}

#[test]
fn a_thousand_creates_cost_at_most_1020_calls_and_their_destroy_at_most_25() {
    let sim = Sim::start(&["-latency-ms", "20"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("fleet", 1000, "")),
    ]);
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-parallelism=10"]).ok();
    let counts = sim.counts();
    assert_eq!(get(&counts, "POST /v1/instance"), 1000, "{counts:?}");
    assert!(total(&counts) <= 1020, "{counts:?}");
    assert_eq!(
        get(&counts, "GET /v1/instance/:instanceId"),
        0,
        "{counts:?}"
    );
    assert_eq!(get(&counts, "GET /v1/status/:instanceId"), 0, "{counts:?}");
    let mut in_state = state_instance_ids(&w);
    let mut in_cloud = sim.instance_ids();
    in_state.sort();
    in_cloud.sort();
    assert_eq!(in_state.len(), 1000);
    assert_eq!(in_state, in_cloud, "every machine in state once, no orphan");

    // Refresh: lists, never one GET per instance.
    sim.reset_counts();
    let plan = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 0, "{}{}", plan.stdout(), plan.stderr());
    let counts = sim.counts();
    assert!(total(&counts) <= 3, "{counts:?}");
    assert_eq!(
        get(&counts, "GET /v1/instance/:instanceId"),
        0,
        "{counts:?}"
    );

    sim.reset_counts();
    w.run(&["destroy", "-auto-approve", "-parallelism=10"]).ok();
    let counts = sim.counts();
    assert!(total(&counts) <= 25, "{counts:?}");
    assert!(sim.instance_ids().is_empty());
    assert!(state_list(&w).is_empty());
}

#[test]
fn two_module_instances_create_together() {
    // 100 ms a request: pool["a"]'s creates take 200 ms, time enough for the engine to reach
    // pool["b"] even on a loaded machine (at 20 ms a CPU-starved walk could miss it).
    let sim = Sim::start(&["-latency-ms", "100"]);
    let module = instance_block("node", 20, "").replace(
        "data_disk_size       = 100",
        "data_disk_size       = var.disk",
    );
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            "module \"pool\" {\n  source   = \"./pool\"\n  for_each = { a = 100, b = 200 }\n  disk     = each.value\n}\n",
        ),
        ("pool/main.sky.hcl", &format!("variable \"disk\" {{\n  type = number\n}}\n\n{module}")),
    ]);
    sim.reset_counts();
    w.run(&["apply", "-auto-approve", "-parallelism=10"]).ok();
    let log = sim.log();
    let posts_before_first_list = log
        .iter()
        .take_while(|l| !l.starts_with("GET /v1/instance/list"))
        .filter(|l| l.starts_with("POST /v1/instance"))
        .count();
    // One module after the other would list (to find pool["a"]'s machines) after its 20
    // creates, before pool["b"] starts.
    assert!(posts_before_first_list > 20, "{log:?}");
    // And the cloud saw the two modules' machines created interleaved or back to back
    // within one resolution round: both sizes exist, 20 each.
    let listed = sim.get("/v1/instance/list");
    let sizes: Vec<i64> = listed["content"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["DataDiskSize"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sizes.iter().filter(|s| **s == 100).count(), 20);
    assert_eq!(sizes.iter().filter(|s| **s == 200).count(), 20);
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}

/// Adaptive concurrency (#12): a cloud allowing 10 requests a second is met at that rate.
/// On a 429 the provider's HTTP client halves the calls it has on the wire and holds every
/// new call for the `Retry-After`, instead of each refused call retrying on its own (the
/// storm that, with three retries per call, used to fail creates: before this, the same
/// apply drew 95 answers of 429 and failed half its creates; now about 20 and none).
#[test]
fn a_throttled_cloud_is_called_at_its_rate_with_few_429s() {
    const INSTANCES: usize = 100;
    const RATE: u64 = 10;
    const PARALLELISM: u64 = 10;
    let sim = Sim::start(&["-latency-ms", "20", "-throttle", "10"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        ("main.sky.hcl", &instance_block("fleet", INSTANCES, "")),
    ]);
    sim.reset_counts();
    let apply = w.run(&["apply", "-auto-approve", "-parallelism=10"]);
    assert_eq!(apply.code(), 0, "{}{}", apply.stdout(), apply.stderr());
    assert_eq!(state_instance_ids(&w).len(), INSTANCES);
    assert_eq!(sim.instance_ids().len(), INSTANCES, "no machine made twice");
    let log = sim.log();
    let refused = log
        .iter()
        // The simulator marks a refused request's log line (`THROTTLED_LOG_MARK`).
        .filter(|l| l.ends_with(" -> 429"))
        .count() as u64;
    let answered = log.len() as u64 - refused;
    // The first refusals can catch every call on the wire at once (at most -parallelism);
    // after that the client probes once per reopened one-second window, so about one
    // refusal per window: two per second of the cloud's allowed rate is a generous bound.
    let bound = PARALLELISM + 2 * (answered / RATE + 1);
    assert!(
        refused <= bound,
        "{refused} answers of 429 for {answered} answered calls (bound {bound}): {log:?}"
    );
}
