//! The prior state as a plan decodes it: the `plan` command consumes the loaded document
//! (`prior_from_owned_state`, dropping each instance's JSON once decoded) and must see
//! exactly what the borrowing decode (`prior_from_state`, used by apply and the other
//! commands) sees.

use skyform::plan::prior::{prior_from_owned_state, prior_from_state};
use skyform::providers::builtin_registry;
use skyform::state::file::parse_state;

/// A state with what the decode treats differently: count and for_each keys, a module, a
/// sensitive path, a pending create, a deposed object, a data source and a resource type
/// no provider knows (decoded without a schema).
const STATE: &str = r#"{
  "version": 4, "serial": 7, "lineage": "0b7ad3b6-2a57-4b7e-9d7f-0d6f6f0a1c11",
  "skyform_version": "0.1.0",
  "outputs": {"ip": {"value": "10.0.0.1"}, "pw": {"value": "s3cret", "sensitive": true}},
  "resources": [
    {"mode": "managed", "type": "mcloud_instance", "name": "web", "provider": "provider[\"mcloud\"]",
     "instances": [
       {"index_key": 0, "attributes": {"id": "i-1", "cloud": "aliyun", "data_disk_num": 1,
         "data_disk_size": 100, "zone": {"region_name": "cn-beijing", "zone_name": "cn-beijing-c"},
         "network": {"internet_max_bandwidth_out": 5, "vpc_id": ""}, "running": true},
        "sensitive_attributes": [[{"type": "get_attr", "value": "image_id"}]],
        "dependencies": ["mcloud_template.t"]},
       {"index_key": 1, "status": "pending_create", "attributes": {}, "create_token": "10.0.0.9"},
       {"index_key": 1, "deposed": "00000001", "attributes": {"id": "i-old", "cloud": "aliyun"}}
     ]},
    {"module": "module.group[\"g0\"]", "mode": "managed", "type": "mcloud_instance", "name": "fleet",
     "provider": "provider[\"mcloud\"]",
     "instances": [
       {"index_key": "a", "attributes": {"id": "i-2", "private_ip": "10.0.0.2", "data_disk_size": 1.5}},
       {"index_key": "b", "attributes": {"id": "i-3", "private_ip": "10.0.0.3"}}
     ]},
    {"mode": "data", "type": "mcloud_images", "name": "all", "provider": "provider[\"mcloud\"]",
     "instances": [{"attributes": {"id": "images", "names": ["a", "b"]}}]},
    {"mode": "managed", "type": "nobody_knows", "name": "x", "provider": "provider[\"other\"]",
     "instances": [{"attributes": {"id": "x-1", "list": [1, {"k": "v"}], "n": 12345678901234567890123}}]}
  ]
}"#;

#[test]
fn consuming_decode_sees_what_the_borrowing_decode_sees() {
    let registry = builtin_registry();
    let state = parse_state(STATE.as_bytes(), "test.json").expect("a valid state");
    let borrowed = prior_from_state(&state, &registry);
    let owned = prior_from_owned_state(state, &registry);
    assert_eq!(owned, borrowed);
    // And the decode did find every kind of object, so the comparison is not of two empties.
    assert_eq!(owned.serial, 7);
    assert_eq!(owned.instances.len(), 5, "{:?}", owned.instances.keys());
    assert_eq!(owned.pending.len(), 1);
    assert_eq!(owned.deposed.len(), 1);
    assert_eq!(owned.outputs.len(), 2);
    let web0 = owned
        .instances
        .iter()
        .find(|(a, _)| a.to_string() == "mcloud_instance.web[0]")
        .map(|(_, p)| p)
        .expect("web[0] decoded");
    assert_eq!(web0.dependencies, vec!["mcloud_template.t".to_string()]);
    assert_eq!(
        web0.value
            .get_attr("data_disk_size")
            .and_then(|v| v.as_i64()),
        Some(100)
    );
}
