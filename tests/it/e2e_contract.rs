//! End to end: provider contract v2 as `skyform apply` sees it — a failed create's state
//! is recorded before the error, and the status table comes from the provider block.

use crate::common::*;

#[test]
fn a_create_that_times_out_is_recorded_not_orphaned() {
    // Machines take a minute to boot; the resource allows one second.
    let sim = Sim::start(&["-transition-ms", "60000"]);
    let w = Work::new(&[
        ("provider.sky.hcl", &provider_block(&sim.endpoint())),
        (
            "main.sky.hcl",
            &instance_block("web", 1, "  timeouts {\n    create = \"1s\"\n  }\n"),
        ),
    ]);
    let err = w.run(&["apply", "-auto-approve"]).fails();
    assert!(
        err.contains("Failed to create mcloud_instance.web[0]"),
        "{err}"
    );
    assert!(err.contains("timed out"), "{err}");
    // The machine exists, and state says so (with the status it last had).
    let in_cloud = sim.instance_ids();
    assert_eq!(in_cloud.len(), 1);
    assert_eq!(state_instance_ids(&w), in_cloud, "recorded, not orphaned");
    let shown = w.run(&["state", "show", "mcloud_instance.web[0]"]).ok();
    assert!(shown.contains("\"starting\""), "{shown}");
}

#[test]
fn the_status_table_comes_from_the_provider_block() {
    // This cloud reports 1 for machines that are usable at once.
    let sim = Sim::start(&["-transition-ms", "60000"]);
    let provider = format!(
        "provider \"mcloud\" {{\n  endpoint     = \"{}\"\n  status_codes = {{ running = [1, 3], starting = [], stopped = [7] }}\n}}\n",
        sim.endpoint()
    );
    let w = Work::new(&[
        ("provider.sky.hcl", &provider),
        ("main.sky.hcl", &instance_block("web", 1, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let shown = w.run(&["state", "show", "mcloud_instance.web[0]"]).ok();
    assert!(shown.contains("\"running\""), "{shown}");

    let bad = provider.replace("starting = []", "starting = [1]");
    w.write("provider.sky.hcl", &bad);
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("code 1 is in both"), "{err}");
}
