//! Every endpoint of seed 003: its own example answers, verbatim, through the client's
//! envelope parser and the typed API structs the provider uses.
//!
//! The client is strict JSON (a real server sends valid JSON). Where the seed's printed
//! example is not JSON, the test repairs exactly that and says so:
//! - trailing commas before `}`/`]` are removed by [`strip_trailing_commas`];
//! - the "machine count" example lacks its opening `{`, which is added;
//! - placeholders such as `{日志信息}` ("log records") stand for content the seed does not
//!   show; they are replaced by a JSON string with the same words.

use super::seed_examples::*;
use skyform::providers::mcloud::api::*;
use skyform::providers::mcloud::client::{parse_envelope, parse_raw_or_envelope, Envelope};

/// Removes the commas that directly precede a closing `}` or `]` (the only non-JSON in
/// most of the seed's examples). No example has such a sequence inside a string.
fn strip_trailing_commas(text: &str) -> String {
    let re = regex::Regex::new(r",(\s*[}\]])").expect("static regex");
    re.replace_all(text, "$1").into_owned()
}

fn envelope(op: &str, text: &str) -> Envelope {
    let json = strip_trailing_commas(text);
    match parse_envelope(op, 200, json.as_bytes()) {
        Ok(env) => env,
        Err(e) => panic!("{op}: the seed's example did not parse: {e}"),
    }
}

fn content<T: serde::de::DeserializeOwned>(op: &str, text: &str) -> T {
    let env = envelope(op, text);
    match serde_json::from_value(env.content) {
        Ok(v) => v,
        Err(e) => panic!("{op}: content did not decode: {e}"),
    }
}

/// The Display of the error the client makes of an error example.
fn error(op: &str, text: &str) -> String {
    let json = strip_trailing_commas(text);
    match parse_envelope(op, 200, json.as_bytes()) {
        Ok(env) => panic!("{op}: expected an error, got {env:?}"),
        Err(e) => e.to_string(),
    }
}

/// The seed's placeholder content (`{日志信息}`) as a JSON string.
fn fill_placeholder(text: &str, placeholder: &str) -> String {
    assert!(
        text.contains(placeholder),
        "placeholder {placeholder} not in example"
    );
    let inner = placeholder.trim_start_matches('{').trim_end_matches('}');
    text.replace(placeholder, &format!("\"{inner}\""))
}

#[test]
fn strip_removes_only_trailing_commas() {
    assert_eq!(strip_trailing_commas("[1, 2,\n ]"), "[1, 2\n ]");
    assert_eq!(strip_trailing_commas(r#"{"a": 1,}"#), r#"{"a": 1}"#);
    assert_eq!(
        strip_trailing_commas(r#"{"a": [1, 2]}"#),
        r#"{"a": [1, 2]}"#
    );
    // The template list example really has one (so the strict parser refuses it as printed).
    assert!(serde_json::from_str::<serde_json::Value>(CLUSTER_LIST_OK).is_err());
}

#[test]
fn cluster_list() {
    let op = "GET /v1/cluster";
    let list: Vec<Cluster> = content(op, CLUSTER_LIST_OK);
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(
        (c.id, c.name.as_str(), c.provider.as_str()),
        (16, "test2", "aliyun")
    );
    assert_eq!((c.cpu, c.ram), (16, 64));
    assert_eq!(c.network.internet_charge_type, "PayByBandwidth");
    assert_eq!(c.network.internet_max_bandwidth_out, 5);
    assert_eq!(c.zone.zone_name, "cn-beijing-test-3");
    assert_eq!((c.data_disk_size, c.data_disk_num), (1024, 2));
    assert_eq!(c.data_disk_category, "cloud_efficiency");
    assert_eq!(
        error(op, CLUSTER_LIST_ERR),
        r#"mcloud: GET /v1/cluster: code 10999 "QuerySeter no row found""#
    );
}

#[test]
fn cluster_get() {
    let op = "GET /v1/cluster/3";
    let c: Cluster = content(op, CLUSTER_GET_OK);
    assert_eq!(c.id, 3);
    assert_eq!(c.name, "1Core1G经典网");
    assert_eq!(c.key_name, "key");
    assert_eq!(c.zone.region_name, "cn-beijing");
    assert_eq!(c.create_time, "2017-07-05T10:01:48+08:00");
    assert!(error(op, CLUSTER_GET_ERR).contains("code 10999"));
    assert_eq!(
        error(op, CLUSTER_GET_BAD),
        r#"mcloud: GET /v1/cluster/3: code 12996 "Input error!""#
    );
}

#[test]
fn cluster_create() {
    let op = "POST /v1/cluster";
    let env = envelope(op, CLUSTER_CREATE_OK);
    assert_eq!(
        skyform::providers::mcloud::template::created_id(op, &env.content).unwrap(),
        19
    );
    assert_eq!(
        error(op, CLUSTER_CREATE_ERR),
        r#"mcloud: POST /v1/cluster: code 10999 "Ceate cluster err""#
    );
    assert_eq!(
        error(op, CLUSTER_CREATE_BAD),
        r#"mcloud: POST /v1/cluster: code 11996 "The paramter (DataDiskNum) over size limited and the size range is larger than 0 and less equal 4.!""#
    );
    // The request example decodes into the body type the provider sends.
    let req: Cluster = serde_json::from_str(&strip_trailing_commas(REQ_CLUSTER_CREATE)).unwrap();
    assert_eq!(req.data_disk_num, 1);
    assert_eq!(req.network.internet_max_bandwidth_out, 5);
}

#[test]
fn cluster_delete() {
    let op = "DELETE /v1/cluster/3";
    assert_eq!(
        envelope(op, CLUSTER_DELETE_OK).content,
        serde_json::json!(true)
    );
    assert!(error(op, CLUSTER_DELETE_ERR).ends_with(r#"code 10999 "Delete cluster err""#));
    assert!(error(op, CLUSTER_DELETE_BAD).ends_with(r#"code 12996 "Input error!""#));
}

#[test]
fn cluster_expand() {
    let op = "POST /v1/cluster/3/expand/1";
    let env = envelope(op, EXPAND_OK);
    let ids: Vec<String> = serde_json::from_value(env.content).unwrap();
    assert_eq!(ids, vec!["i-2ze1v31lnkfgubznmmtz"]);
    assert_eq!(env.ext, serde_json::json!(3));
    assert!(error(op, EXPAND_ERR).contains("code 10999"));
    assert!(error(op, EXPAND_BAD).contains("code 12996"));
    let req: Cluster = serde_json::from_str(&strip_trailing_commas(REQ_EXPAND)).unwrap();
    assert_eq!(req.name, "1Core1G经典网");
}

#[test]
fn cluster_number() {
    let op = "GET /v1/cluster/number/3";
    // The seed prints this example without its opening brace.
    assert!(NUMBER_OK.trim_start().starts_with("\"code\""));
    let fixed = format!("{{{NUMBER_OK}");
    let counts: Vec<MachineCount> = content(op, &fixed);
    assert_eq!(counts.len(), 2);
    assert_eq!(counts[0].time, "2017-08-02 17:52:29");
    assert_eq!(counts[1].total, "7");
    assert_eq!(
        counts[0].by_cloud.get("phydev"),
        Some(&serde_json::json!("5"))
    );
    assert!(error(op, NUMBER_ERR).contains(r#""Get instance detail err""#));
    assert!(error(op, NUMBER_BAD).contains("code 12996"));
}

#[test]
fn cluster_oldnumber() {
    let op = "GET /v1/cluster/oldnumber/2017-08-02%2017:52:29";
    let c: MachineCount = content(op, OLDNUMBER_OK);
    assert_eq!(c.total, "7");
    assert_eq!(c.by_cloud.get("aliyun"), Some(&serde_json::json!("2")));
    assert!(error(op, OLDNUMBER_ERR).contains("Get instance detail at the time err"));
    assert!(error(op, OLDNUMBER_BAD).contains("code 12996"));
}

#[test]
fn instance_create() {
    let op = "POST /v1/instance";
    assert_eq!(
        envelope(op, INSTANCE_CREATE_OK).content,
        serde_json::json!("10.41.52.201")
    );
    assert_eq!(
        error(op, INSTANCE_CREATE_BAD),
        r#"mcloud: POST /v1/instance: code 12996 "Input error""#
    );
    let req: InstanceCreate =
        serde_json::from_str(&strip_trailing_commas(REQ_INSTANCE_CREATE)).unwrap();
    assert_eq!(req.instance_type, "ecs.c2.medium");
    assert_eq!(req.zone.zone_name, "cn-beijing-c");
    // What the provider sends has every key of the seed's example.
    let sent = serde_json::to_value(&req).unwrap();
    let example: serde_json::Value =
        serde_json::from_str(&strip_trailing_commas(REQ_INSTANCE_CREATE)).unwrap();
    for key in example.as_object().unwrap().keys() {
        assert!(sent.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn instance_get() {
    let op = "GET /v1/instance/i-b5omql5sajq2oum6srf0";
    let i: Instance = content(op, INSTANCE_GET_OK);
    assert_eq!(i.instance_id, "i-b5omql5sajq2oum6srf0");
    assert_eq!(i.provider, "phydev");
    assert_eq!(i.public_ip_address, "101.1.2.42");
    assert_eq!(i.status, 3);
    assert_eq!(i.cluster.as_ref().map(|c| c.id), Some(4));
    assert!(error(op, INSTANCE_GET_ERR).contains("get one instance err"));
    assert!(error(op, INSTANCE_GET_BAD).contains(r#"code 12997 "Missing requisite parameter!""#));
}

#[test]
fn instance_start() {
    let op = "GET /v1/start/i-2ze1v31lnkfgubznmmtz";
    assert_eq!(envelope(op, START_OK).content, serde_json::json!(true));
    // The failure carries `content: false` and code 10999.
    assert!(error(op, START_ERR).contains(r#"code 10999 "Could not start instances""#));
    assert!(error(op, START_BAD).contains("code 12997"));
}

#[test]
fn instance_status() {
    let op = "GET /v1/status/i-fsfsfasfaflflsj23";
    let s: Vec<StatusEntry> = content(op, STATUS_OK);
    assert_eq!(s[0].instance_id, "i-fsfsfasfaflflsj23");
    assert_eq!(s[0].status, 7);
    assert!(error(op, STATUS_ERR).contains("get multi instance err:"));
    assert!(error(op, STATUS_BAD).contains("code 12997"));
}

#[test]
fn instance_status_update() {
    let op = "POST /v1/status";
    assert_eq!(envelope(op, STATUS_UPDATE_OK).content, serde_json::json!(1));
    assert!(error(op, STATUS_UPDATE_ERR).contains("update instance status err"));
    assert!(error(op, STATUS_UPDATE_BAD).contains(r#"code 12996 "Input error""#));
    let req: StatusUpdate = serde_json::from_str(REQ_STATUS_UPDATE).unwrap();
    assert_eq!(req.instance_id, "i-b5omql5sajq2oum6srf0");
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        serde_json::from_str::<serde_json::Value>(REQ_STATUS_UPDATE).unwrap()
    );
}

#[test]
fn instance_delete() {
    let op = "DELETE /v1/instance/i-2ze1v31lnkfgubznmmtz";
    assert!(envelope(op, INSTANCE_DELETE_OK).content.is_null());
    assert_eq!(
        error(op, INSTANCE_DELETE_BAD),
        r#"mcloud: DELETE /v1/instance/i-2ze1v31lnkfgubznmmtz: code 12997 "Missing requisite parameter(X-CORRELATION-ID)!""#
    );
}

#[test]
fn sshkey_download() {
    let op = "GET /v1/instance/sshkey/101.1.2.42";
    // Success is a file download, not an envelope: the body is passed through.
    let key = parse_raw_or_envelope(op, 200, SSHKEY_DOWNLOAD_OK.as_bytes()).unwrap();
    assert_eq!(key.trim(), "开始下载密钥");
    let err = parse_raw_or_envelope(op, 200, SSHKEY_DOWNLOAD_BAD.as_bytes()).unwrap_err();
    assert!(err
        .to_string()
        .contains(r#"code 12997 "QuerySeter no row found""#));
}

#[test]
fn sshkey_upload() {
    let op = "PUT /v1/instance/sshkey/i-2ze1v31lnkfgubznmmtz";
    let fixed = fill_placeholder(SSHKEY_UPLOAD_OK, "{密钥内容}");
    assert_eq!(envelope(op, &fixed).content, serde_json::json!("密钥内容"));
    assert!(error(op, SSHKEY_UPLOAD_BAD).contains("code 12997"));
}

#[test]
fn provider_list() {
    let op = "GET /v1/instance/provider";
    let names: Vec<String> = content(op, PROVIDERS_OK);
    assert_eq!(names, vec!["aliyun", "aws", "openstack"]);
    assert!(error(op, PROVIDERS_BAD).contains("code 12997"));
}

#[test]
fn regions() {
    let op = "GET /v1/instance/regions/aliyun";
    let r: Vec<Region> = content(op, REGIONS_OK);
    assert_eq!(r[1].region_name, "cn-zhangjiakou");
    assert_eq!(
        error(op, REGIONS_ERR),
        r#"mcloud: GET /v1/instance/regions/aliyun: code 10999 "unknown backend provider driver: ""#
    );
}

#[test]
fn zones() {
    let op = "GET /v1/instance/zones/aliyun/cn-beijing";
    let z: Vec<ZoneInfo> = content(op, ZONES_OK);
    assert_eq!(z[0].zone_name, "cn-beijing-d");
    assert_eq!(z[1].region_name, "华北 2 可用区 A");
    assert!(error(op, ZONES_ERR).contains("unknown backend provider driver"));
}

#[test]
fn vpcs() {
    let op = "GET /v1/instance/vpc/aliyun/cn-beijing";
    let v: Vec<Vpc> = content(op, VPC_OK);
    assert_eq!(v[0].vpc_id, "vpc-2ze0sufdt8yiguyg8u2lp");
    assert_eq!(v[0].cidr_block, "172.17.0.0/16");
    assert!(!v[0].is_default);
    assert!(error(op, VPC_ERR).contains("unknown backend provider driver"));
}

#[test]
fn subnets() {
    let op = "GET /v1/instance/subnet/aliyun/cn-beijing-a/vpc-2ze0sufdt8yiguyg8u2lp";
    let s: Vec<Subnet> = content(op, SUBNET_OK);
    assert_eq!(s[0].subnet_id, "vsw-2zeci6ok1lzo3wjdgvtua");
    assert_eq!(s[0].availability_zone, "cn-beijing-a");
    assert!(error(op, SUBNET_ERR).contains("unknown backend provider driver"));
}

#[test]
fn instance_types() {
    let op = "GET /v1/instance/type/aliyun";
    let t: Vec<String> = content(op, TYPES_OK);
    assert_eq!(t.len(), 5);
    assert_eq!(t[4], "16Cores-64GB");
    assert!(error(op, TYPES_ERR).contains("code 10999"));
}

#[test]
fn charge_types() {
    let op = "GET /v1/instance/charge/aliyun";
    let t: Vec<String> = content(op, CHARGE_OK);
    assert_eq!(t, vec!["PayByBandwidth", "PayByTraffic"]);
    assert!(error(op, CHARGE_ERR).contains("code 10999"));
}

#[test]
fn disk_categories() {
    let op = "GET /v1/instance/disk_category/aliyun";
    let t: Vec<String> = content(op, DISK_OK);
    assert_eq!(t, vec!["cloud_efficiency", "cloud_ssd"]);
    assert!(error(op, DISK_ERR).contains("code 10999"));
}

#[test]
fn images() {
    let op = "GET /v1/instance/image/aliyun/cn-beijing";
    let i: Vec<Image> = content(op, IMAGE_OK);
    assert_eq!(i[0].image_id, "m-2zefnwiq237sjwnt7oez");
    assert_eq!(i[0].description, "升级docker到1.12\n添加mesos-slave");
    assert_eq!(i[0].state, "Available");
    assert!(error(op, IMAGE_ERR).contains("code 10999"));
}

#[test]
fn security_groups() {
    let op = "GET /v1/instance/security_group/aliyun/cn-beijing";
    let g: Vec<SecurityGroup> = content(op, SECURITY_GROUP_OK);
    assert_eq!(g.len(), 2);
    assert_eq!(g[0].group_id, "sg-2ze727lmif5l3o5x5vf5");
    assert_eq!(g[1].description, "System created security group.");
    assert!(error(op, SECURITY_GROUP_ERR).contains("code 10999"));
}

#[test]
fn instance_list() {
    let op = "GET /v1/instance/list";
    let l: Vec<Instance> = content(op, INSTANCE_LIST_OK);
    assert_eq!(l[0].instance_id, "i-0b2fbd8b652431b62");
    assert_eq!(l[0].private_ip_address, "172.31.0.233");
    assert_eq!(l[0].status, 7);
    assert_eq!(
        l[0].cluster.as_ref().map(|c| c.key_name.as_str()),
        Some("zhaowei9")
    );
    assert_eq!(
        error(op, INSTANCE_LIST_ERR),
        r#"mcloud: GET /v1/instance/list: code 10999 "get all instances error ""#
    );
}

#[test]
fn cluster_instances() {
    let op = "GET /v1/instance/cluster/3";
    let l: Vec<Instance> = content(op, CLUSTER_INSTANCES_OK);
    assert_eq!(l[0].instance_id, "i-2zeeptz3hom3c5c9xl5s");
    assert_eq!(l[0].public_ip_address, "101.201.227.192");
    assert_eq!(l[0].security_group_id, "sg-25vpbkswc");
    assert_eq!(l[0].cluster.as_ref().map(|c| c.id), Some(3));
    assert!(error(op, CLUSTER_INSTANCES_ERR).contains("code 10999"));
    assert!(error(op, CLUSTER_INSTANCES_BAD).contains("code 12996"));
}

#[test]
fn log_by_correlation_and_instance() {
    let op = "GET /v1/instance/log/20-20/i-2zeeptz3hom3c5c";
    let fixed = fill_placeholder(LOG_BY_CORRELATION_OK, "{日志信息}");
    assert_eq!(envelope(op, &fixed).content, serde_json::json!("日志信息"));
    // Failure is code 0 with a message: still an error.
    assert_eq!(
        error(op, LOG_BY_CORRELATION_ERR),
        r#"mcloud: GET /v1/instance/log/20-20/i-2zeeptz3hom3c5c: code 0 "result to json error""#
    );
    assert!(error(op, LOG_BY_CORRELATION_BAD).contains("code 12996"));
}

#[test]
fn log_by_instance() {
    let op = "GET /v1/instance/log/i-2zeeptz3hom3c5c";
    let fixed = fill_placeholder(LOG_BY_INSTANCE_OK, "{日志信息}");
    assert_eq!(envelope(op, &fixed).content, serde_json::json!("日志信息"));
    assert!(error(op, LOG_BY_INSTANCE_ERR).contains(r#"code 0 "result to json error""#));
    assert!(error(op, LOG_BY_INSTANCE_BAD).contains("code 12996"));
}

#[test]
fn phydev_describe() {
    let op = "PUT /v1/instance/phydev";
    let fixed = fill_placeholder(PHYDEV_DESCRIBE_OK, "{机器信息}");
    assert_eq!(envelope(op, &fixed).content, serde_json::json!("机器信息"));
    assert!(error(op, PHYDEV_DESCRIBE_ERR).contains("result to json error"));
    assert!(error(op, PHYDEV_DESCRIBE_BAD).contains("code 12996"));
    // The request example also lacks a comma after "ecs.n2.3xlarge"; added here.
    let fixed_req = strip_trailing_commas(REQ_PHYDEV_DESCRIBE).replacen(
        "\"ecs.n2.3xlarge\"",
        "\"ecs.n2.3xlarge\",",
        1,
    );
    let req: InstanceCreate = serde_json::from_str(&fixed_req).unwrap();
    assert_eq!(req.instance_type, "ecs.n2.3xlarge");
}

#[test]
fn phydev_register() {
    let op = "POST /v1/instance/phydev";
    let ok: BatchResult = content(op, PHYDEV_REGISTER_OK);
    assert_eq!((ok.success, ok.failed), (1, 0));
    use skyform::providers::mcloud::phydev::check_registered;
    assert!(check_registered(op, "101.1.2.146", &ok).is_ok());
    let failed: BatchResult = content(op, PHYDEV_REGISTER_FAILED);
    assert_eq!(
        check_registered(op, "101.1.2.46", &failed).unwrap_err().to_string(),
        "mcloud: POST /v1/instance/phydev: machine 101.1.2.46 was not registered: Instance: 101.1.2.46 is already in DB"
    );
    assert!(error(op, PHYDEV_REGISTER_BAD).contains("code 12996"));
    assert!(error(op, PHYDEV_REGISTER_MISSING)
        .contains(r#"code 12997 "Missing requisite parameter(X-CORRELATION-ID)!""#));
    let req: PhysicalMachineList = serde_json::from_str(REQ_PHYDEV_REGISTER).unwrap();
    assert_eq!(req.instancelist[0].public_ip, "101.1.2.146");
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        serde_json::from_str::<serde_json::Value>(REQ_PHYDEV_REGISTER).unwrap()
    );
}

#[test]
fn openstack_config() {
    let op = "POST /v1/instance/openstack";
    let fixed = fill_placeholder(OPENSTACK_OK, "{配置信息}");
    let env = envelope(op, &fixed);
    use skyform::providers::mcloud::openstack::check_result;
    assert!(check_result(op, &env.content).is_ok());
    let failed = envelope(op, OPENSTACK_FAILED);
    assert!(check_result(op, &failed.content)
        .unwrap_err()
        .to_string()
        .contains("already in DB"));
    assert!(error(op, OPENSTACK_BAD).contains("code 12996"));
    let req: OpenstackConfig = serde_json::from_str(REQ_OPENSTACK).unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        serde_json::from_str::<serde_json::Value>(REQ_OPENSTACK).unwrap()
    );
}
