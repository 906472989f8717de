//! Meta-arguments and lifecycle: moved, replace_triggered_by, prevent_destroy,
//! create_before_destroy, ignore_changes, dynamic blocks, provider aliases, for_each keys,
//! -target and -replace.

use crate::common::*;

const EMBEDDED: &str = "provider \"mcloud\" {\n  endpoint = \"embedded\"\n}\n";

fn template(name: &str, extra: &str) -> String {
    format!(
        r#"resource "mcloud_template" "{name}" {{
  name                 = "{name}"
  cloud                = "aliyun"
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"
{extra}
  network {{
    internet_charge_type = "PayByBandwidth"
  }}
  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}
"#
    )
}

#[test]
fn moved_block_renames_without_replacing() {
    let w = Work::new(&[
        ("p.sky.hcl", EMBEDDED),
        ("main.sky.hcl", &instance_block("old", 2, "")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let ids = state_instance_ids(&w);
    w.write(
        "main.sky.hcl",
        &(instance_block("new", 2, "")
            + "\nmoved {\n  from = mcloud_instance.old\n  to   = mcloud_instance.new\n}\n"),
    );
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("# mcloud_instance.old[0] has moved to mcloud_instance.new[0]"),
        "{plan}"
    );
    assert!(
        !plan.contains("will be destroyed") && !plan.contains("will be created"),
        "{plan}"
    );
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(
        state_list(&w),
        vec!["mcloud_instance.new[0]", "mcloud_instance.new[1]"]
    );
    let mut after = state_instance_ids(&w);
    after.sort();
    let mut before = ids.clone();
    before.sort();
    assert_eq!(after, before, "same machines, new addresses");
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);
}

#[test]
fn replace_triggered_by_and_replace_flag() {
    let w = Work::new(&[
        ("p.sky.hcl", EMBEDDED),
        ("t.sky.hcl", &template("base", "")),
        (
            "i.sky.hcl",
            &instance_block(
                "web",
                1,
                "  lifecycle {\n    replace_triggered_by = [mcloud_template.base]\n  }\n",
            ),
        ),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    // A force-new change to the template replaces it, and so the instance too.
    w.write("t.sky.hcl", &template("base", "  desc = \"v2\"\n"));
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("# mcloud_template.base must be replaced"),
        "{plan}"
    );
    assert!(
        plan.contains("# mcloud_instance.web[0] must be replaced"),
        "{plan}"
    );
    assert!(
        plan.contains("replace_triggered_by: mcloud_template.base changes"),
        "{plan}"
    );
    w.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);

    let plan = w.run(&["plan", "-replace=mcloud_instance.web[0]"]).ok();
    assert!(
        plan.contains("# mcloud_instance.web[0] must be replaced"),
        "{plan}"
    );
    assert!(
        plan.contains("replacement requested with -replace"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 1 to destroy."),
        "{plan}"
    );
}

#[test]
fn prevent_destroy_blocks_the_plan() {
    let w = Work::new(&[
        ("p.sky.hcl", EMBEDDED),
        (
            "t.sky.hcl",
            &template("keep", "  lifecycle {\n    prevent_destroy = true\n  }\n"),
        ),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    let err = w.run(&["destroy", "-auto-approve"]).fails();
    assert!(err.contains("Error: Instance cannot be destroyed"), "{err}");
    assert!(
        err.contains("mcloud_template.keep has lifecycle.prevent_destroy set"),
        "{err}"
    );
    assert!(err.contains("t.sky.hcl:1:1"), "{err}");
    assert_eq!(state_list(&w), vec!["mcloud_template.keep"]);
}

#[test]
fn create_before_destroy_and_ignore_changes() {
    let w = Work::new(&[
        ("p.sky.hcl", EMBEDDED),
        ("t.sky.hcl", &template("a", "  lifecycle {\n    create_before_destroy = true\n    ignore_changes        = [post_script]\n  }\n")),
    ]);
    w.run(&["apply", "-auto-approve"]).ok();
    w.write(
        "t.sky.hcl",
        &template("a", "  post_script = \"echo hi\"\n  lifecycle {\n    create_before_destroy = true\n    ignore_changes        = [post_script]\n  }\n"),
    );
    assert_eq!(
        w.run(&["plan", "-detailed-exitcode"]).code(),
        0,
        "ignored attribute changes nothing"
    );
    w.write(
        "t.sky.hcl",
        &template(
            "a",
            "  desc = \"x\"\n  lifecycle {\n    create_before_destroy = true\n  }\n",
        ),
    );
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("+/- resource \"mcloud_template\" \"a\""),
        "{plan}"
    );
    assert!(
        plan.contains("+/- create replacement and then destroy"),
        "{plan}"
    );
    let out = w.run(&["apply", "-auto-approve"]).ok();
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
}

#[test]
fn dynamic_blocks_and_provider_alias() {
    let cfg = format!(
        "{EMBEDDED}provider \"mcloud\" {{\n  alias    = \"other\"\n  endpoint = \"embedded\"\n}}\n\nlocals {{\n  nets = [{{ charge = \"PayByTraffic\", bw = 7 }}]\n}}\n\n{}",
        template("dyn", "  provider = mcloud.other\n")
            .replace(
                "  network {\n    internet_charge_type = \"PayByBandwidth\"\n  }\n",
                "  dynamic \"network\" {\n    for_each = local.nets\n    content {\n      internet_charge_type       = network.value.charge\n      internet_max_bandwidth_out = network.value.bw\n    }\n  }\n"
            )
    );
    let w = Work::new(&[("main.sky.hcl", &cfg)]);
    let plan = w.run(&["plan"]).ok();
    assert!(
        plan.contains("+ internet_charge_type       = \"PayByTraffic\""),
        "{plan}"
    );
    assert!(plan.contains("+ internet_max_bandwidth_out = 7"), "{plan}");
    w.run(&["apply", "-auto-approve"]).ok();
    let state = std::fs::read_to_string(w.state_path()).unwrap();
    assert!(state.contains("provider[\\\"mcloud\\\"].other"), "{state}");
    assert_eq!(w.run(&["plan", "-detailed-exitcode"]).code(), 0);

    let bad = cfg.replace("provider = mcloud.other", "provider = mcloud.nope");
    w.write("main.sky.hcl", &bad);
    let err = w.run(&["plan"]).fails();
    assert!(
        err.contains("Error: Provider configuration not present"),
        "{err}"
    );
}

#[test]
fn for_each_keys_must_be_known_at_plan_time() {
    let cfg = format!(
        "{EMBEDDED}{}\n{}",
        template("t", ""),
        instance_block("web", 1, "").replace(
            "  count                = 1\n",
            "  for_each = toset([mcloud_template.t.id])\n"
        )
    );
    let w = Work::new(&[("main.sky.hcl", &cfg)]);
    let err = w.run(&["plan"]).fails();
    assert!(err.contains("Error: Invalid for_each argument"), "{err}");
    assert!(err.contains("cannot be determined until apply"), "{err}");
    assert!(err.contains("main.sky.hcl:"), "{err}");
}

#[test]
fn target_limits_the_plan() {
    let w = Work::new(&[
        ("p.sky.hcl", EMBEDDED),
        ("a.sky.hcl", &instance_block("a", 1, "")),
        ("b.sky.hcl", &instance_block("b", 1, "")),
    ]);
    let plan = w.run(&["plan", "-target=mcloud_instance.a"]).ok();
    assert!(
        plan.contains("# mcloud_instance.a[0] will be created"),
        "{plan}"
    );
    assert!(!plan.contains("mcloud_instance.b"), "{plan}");
    w.run(&["apply", "-auto-approve", "-target=mcloud_instance.a"])
        .ok();
    assert_eq!(state_list(&w), vec!["mcloud_instance.a[0]"]);
}
