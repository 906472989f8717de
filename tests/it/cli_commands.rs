//! The smaller commands: init, version, graph, providers schema, show, output, state rm/mv.

use crate::common::*;

#[test]
fn init_version_graph_and_schema() {
    let w = Work::example("quickstart");
    let out = w.run(&["init"]).ok();
    assert!(
        out.contains("skyform has been successfully initialized!"),
        "{out}"
    );
    assert!(w.path().join("state").is_dir());

    assert_eq!(
        w.run(&["version"]).ok(),
        format!(
            "skyform v{}\non {}_{}\n",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            match std::env::consts::ARCH {
                "x86_64" => "amd64",
                "aarch64" => "arm64",
                other => other,
            }
        )
    );
    assert_eq!(
        w.run(&["--version"]).ok(),
        format!("skyform {}\n", env!("CARGO_PKG_VERSION"))
    );

    let graph = w.run(&["graph"]).ok();
    assert!(graph.starts_with("digraph {"), "{graph}");
    assert!(
        graph.contains("\"mcloud_instance.web\" -> \"mcloud_template.web\""),
        "{graph}"
    );
    assert!(
        graph.contains("\"mcloud_instance.web\" -> \"provider[\\\"mcloud\\\"]\""),
        "{graph}"
    );

    let schema: serde_json::Value =
        serde_json::from_str(&w.run(&["providers", "schema", "-json"]).ok()).unwrap();
    let inst = &schema["provider_schemas"]["skyform.io/builtin/mcloud"]["resource_schemas"]
        ["mcloud_instance"]["block"];
    assert_eq!(inst["attributes"]["id"]["computed"], true);
    assert_eq!(inst["attributes"]["cloud"]["required"], true);
    assert_eq!(inst["block_types"]["network"]["nesting_mode"], "single");

    let bad = Work::new(&[("main.sky.hcl", "resource \"mcloud_instanse\" \"x\" {}\n")]);
    let err = bad.run(&["init"]).fails();
    assert!(err.contains("Error: Invalid resource type"), "{err}");
    assert!(err.contains("Did you mean \"mcloud_instance\"?"), "{err}");
}

#[test]
fn show_output_and_state_editing() {
    let w = Work::example("quickstart");
    assert_eq!(w.run(&["show"]).ok(), "No state.\n");
    w.run(&["apply", "-auto-approve"]).ok();

    let show = w.run(&["show"]).ok();
    assert!(
        show.contains("# mcloud_template.web:\nresource \"mcloud_template\" \"web\" {"),
        "{show}"
    );
    let outputs: serde_json::Value =
        serde_json::from_str(&w.run(&["output", "-json"]).ok()).unwrap();
    assert_eq!(
        outputs["web_ips"]["value"].as_array().map(Vec::len),
        Some(3)
    );
    let raw = w.run(&["output", "-raw", "web_ips"]);
    assert_eq!(raw.code(), 1, "-raw only takes strings, numbers and bools");
    let err = w.run(&["output", "nope"]).fails();
    assert!(err.contains("Error: Output not found"), "{err}");

    // mv renames in state only; the next plan sees the object at its new address.
    let out = w
        .run(&[
            "state",
            "mv",
            "mcloud_instance.web[2]",
            "mcloud_instance.web[7]",
        ])
        .ok();
    assert!(out.contains("Successfully moved 1 object(s)."), "{out}");
    assert!(state_list(&w).contains(&"mcloud_instance.web[7]".to_string()));
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("# mcloud_instance.web[7] will be destroyed"),
        "{plan}"
    );
    assert!(
        plan.contains("# mcloud_instance.web[2] will be created"),
        "{plan}"
    );

    // rm forgets without deleting: dry run first, then for real.
    let out = w
        .run(&["state", "rm", "-dry-run", "mcloud_instance.web[7]"])
        .ok();
    assert!(out.contains("Would remove mcloud_instance.web[7]"), "{out}");
    assert!(state_list(&w).contains(&"mcloud_instance.web[7]".to_string()));
    w.run(&["state", "rm", "mcloud_instance.web[7]"]).ok();
    assert!(!state_list(&w).contains(&"mcloud_instance.web[7]".to_string()));
    let err = w.run(&["state", "rm", "mcloud_instance.nope"]).fails();
    assert!(err.contains("No matching objects found"), "{err}");

    let pulled: serde_json::Value = serde_json::from_str(&w.run(&["state", "pull"]).ok()).unwrap();
    assert_eq!(pulled["version"], 4);
}
