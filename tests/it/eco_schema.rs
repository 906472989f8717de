//! `skyform providers schema -json` against Terraform's documented provider schema format:
//! `format_version`, `provider_schemas` keyed by the full provider address that the JSON
//! plan's `provider_name` uses, `{version, block}` schemas, blocks with `attributes` and
//! `block_types`, attributes with their type and only the flags that are set.

use crate::common::*;
use serde_json::{json, Value as J};

fn keys(v: &J) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// Every attribute of a block and its nested blocks, with its path.
fn attributes<'a>(block: &'a J, path: &str, out: &mut Vec<(String, &'a J)>) {
    if let Some(attrs) = block["attributes"].as_object() {
        for (k, a) in attrs {
            out.push((format!("{path}.{k}"), a));
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (k, b) in blocks {
            attributes(&b["block"], &format!("{path}.{k}"), out);
        }
    }
}

#[test]
fn eco_providers_schema_json_follows_terraforms_format() {
    let w = Work::example("quickstart");
    let out = w.run(&["providers", "schema", "-json"]).ok();
    assert_eq!(out.lines().count(), 1, "one JSON document on one line");
    let doc: J = serde_json::from_str(&out).expect("JSON");
    assert_eq!(keys(&doc), vec!["format_version", "provider_schemas"]);
    assert_eq!(doc["format_version"], "1.0");
    let schemas = &doc["provider_schemas"];
    assert_eq!(
        keys(schemas),
        vec![
            "skyform.io/builtin/jdcloud",
            "skyform.io/builtin/mcloud",
            "skyform.io/builtin/roma",
            "skyform.io/builtin/twocloud"
        ]
    );
    let mcloud = &schemas["skyform.io/builtin/mcloud"];
    assert_eq!(
        keys(mcloud),
        vec!["data_source_schemas", "provider", "resource_schemas"]
    );

    // The provider block.
    assert_eq!(keys(&mcloud["provider"]), vec!["block", "version"]);
    assert_eq!(mcloud["provider"]["version"], 0);
    let endpoint = &mcloud["provider"]["block"]["attributes"]["endpoint"];
    assert_eq!(
        keys(endpoint),
        vec!["description", "description_kind", "optional", "type"]
    );
    assert_eq!(endpoint["type"], "string");
    assert_eq!(endpoint["optional"], true);
    assert_eq!(endpoint["description_kind"], "plain");
    assert_eq!(
        mcloud["provider"]["block"]["attributes"]["status_codes"]["type"],
        json!(["map", ["list", "number"]])
    );
    assert!(
        mcloud["provider"]["block"].get("block_types").is_none(),
        "an empty block_types is left out"
    );

    // A resource: computed, required, optional+computed attributes and a nested block.
    let instance = &mcloud["resource_schemas"]["mcloud_instance"];
    assert_eq!(instance["version"], 0);
    let block = &instance["block"];
    assert_eq!(block["description_kind"], "plain");
    assert_eq!(
        keys(&block["attributes"]["id"]),
        vec!["computed", "description", "description_kind", "type"]
    );
    assert_eq!(block["attributes"]["id"]["computed"], true);
    assert_eq!(
        keys(&block["attributes"]["cloud"]),
        vec!["description", "description_kind", "required", "type"]
    );
    assert_eq!(block["attributes"]["cloud"]["required"], true);
    let network = &block["block_types"]["network"];
    assert_eq!(
        keys(network),
        vec!["block", "max_items", "min_items", "nesting_mode"]
    );
    assert_eq!(network["nesting_mode"], "single");
    assert_eq!(network["min_items"], 1);
    assert_eq!(network["max_items"], 1);
    let bw = &network["block"]["attributes"]["internet_max_bandwidth_out"];
    assert_eq!(bw["type"], "number");
    assert_eq!(
        (&bw["optional"], &bw["computed"]),
        (&J::Bool(true), &J::Bool(true))
    );

    // A sensitive attribute says so.
    let metal = &mcloud["resource_schemas"]["mcloud_physical_machine"]["block"];
    assert_eq!(metal["attributes"]["password"]["sensitive"], true);
    assert!(metal["attributes"]["public_ip"].get("sensitive").is_none());

    // Data sources have their own schemas.
    let zones = &mcloud["data_source_schemas"]["mcloud_zones"]["block"]["attributes"];
    assert_eq!(zones["cloud"]["required"], true);
    assert_eq!(zones["names"]["type"], json!(["list", "string"]));
    assert_eq!(zones["names"]["computed"], true);

    // Every attribute of every schema: only Terraform's fields, flags only when true, and
    // each attribute is settable or computed, never required and optional at once.
    let allowed = [
        "computed",
        "description",
        "description_kind",
        "optional",
        "required",
        "sensitive",
        "type",
    ];
    let mut all = Vec::new();
    for (pname, p) in schemas.as_object().expect("providers") {
        attributes(&p["provider"]["block"], pname, &mut all);
        for kind in ["resource_schemas", "data_source_schemas"] {
            for (name, s) in p[kind].as_object().expect(kind) {
                assert!(s["version"].is_u64(), "{name}");
                attributes(&s["block"], name, &mut all);
            }
        }
    }
    assert!(all.len() > 100, "{} attributes", all.len());
    for (path, a) in &all {
        for k in keys(a) {
            assert!(allowed.contains(&k), "{path}: unexpected field {k}");
        }
        for flag in ["required", "optional", "computed", "sensitive"] {
            assert_ne!(a.get(flag), Some(&J::Bool(false)), "{path}: {flag} false");
        }
        let set = |f: &str| a.get(f) == Some(&J::Bool(true));
        assert!(
            set("required") || set("optional") || set("computed"),
            "{path}"
        );
        assert!(
            !(set("required") && (set("optional") || set("computed"))),
            "{path}"
        );
        assert!(!a["type"].is_null(), "{path}");
    }

    // The key is the address the JSON plan names the provider by.
    w.run(&["plan", "-out=tfplan"]).ok();
    let plan: J = serde_json::from_str(&w.run(&["show", "-json", "tfplan"]).ok()).expect("plan");
    let changes = plan["resource_changes"].as_array().expect("changes");
    assert!(!changes.is_empty());
    for c in changes {
        let name = c["provider_name"].as_str().expect("provider_name");
        let ty = c["type"].as_str().expect("type");
        assert!(
            schemas[name]["resource_schemas"].get(ty).is_some(),
            "{name} {ty} has no schema"
        );
    }
    let full_name = plan["configuration"]["provider_config"]["mcloud"]["full_name"].clone();
    assert!(schemas.get(full_name.as_str().unwrap_or("")).is_some());

    // What an editor or a docs generator sees for one resource, whole.
    insta::assert_snapshot!(
        "providers_schema_physical_machine",
        serde_json::to_string_pretty(&mcloud["resource_schemas"]["mcloud_physical_machine"])
            .expect("pretty")
    );

    // Without -json: Terraform's refusal.
    let err = w.run(&["providers", "schema"]).fails();
    assert!(err.contains("The -json flag is required"), "{err}");
}
