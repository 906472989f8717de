//! The mcloud simulator over real HTTP on loopback.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use skyform::sim::mcloud::{self, Knobs, SimOptions, Simulator};
use skyform::sim::SimError;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

struct Cloud {
    sim: Arc<Simulator>,
    base: String,
    client: Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Cloud {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn cloud_with(persist_path: Option<PathBuf>, knobs: Knobs) -> Cloud {
    let sim = Simulator::open(SimOptions {
        persist_path,
        knobs,
    })
    .expect("open simulator");
    serve(sim).await
}

async fn serve(sim: Arc<Simulator>) -> Cloud {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(mcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    Cloud {
        sim,
        base: format!("http://{bound}"),
        client: Client::new(),
        server,
    }
}

/// Opens a state file once the previous simulator on it (being shut down
/// by a dropped `Cloud`) has let go of it.
async fn open_when_free(path: &std::path::Path) -> Result<Arc<Simulator>, SimError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let opened = Simulator::open(SimOptions {
            persist_path: Some(path.to_path_buf()),
            knobs: Knobs::default(),
        });
        match opened {
            Err(SimError::InUse(_)) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            other => return other,
        }
    }
}

async fn cloud() -> Cloud {
    cloud_with(None, Knobs::default()).await
}

impl Cloud {
    async fn call(
        &self,
        method: Method,
        path: &str,
        correlation: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(id) = correlation {
            request = request.header("X-CORRELATION-ID", id);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, body) = self.call(Method::POST, path, Some("t-1"), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {body}");
        body
    }

    async fn raw(&self, method: Method, path: &str, body: &'static str) -> Value {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    async fn create_template(&self) -> u64 {
        let body = self.post("/v1/cluster", template_body()).await;
        assert_eq!(body["code"], 0, "{body}");
        body["content"].as_u64().expect("template id")
    }

    async fn create_instance(&self) -> String {
        let body = self.post("/v1/instance", instance_body()).await;
        assert_eq!(body["code"], 0, "{body}");
        body["content"].as_str().expect("ip").to_string()
    }

    async fn instance_id_by_ip(&self, ip: &str) -> String {
        let list = self.get("/v1/instance/list").await;
        list["content"]
            .as_array()
            .expect("list")
            .iter()
            .find(|i| i["PrivateIpAddress"] == ip)
            .and_then(|i| i["InstanceId"].as_str())
            .expect("instance with that ip")
            .to_string()
    }
}

/// The seed's template-create example (with a catalog instance type).
fn template_body() -> Value {
    json!({
        "Id": 0,
        "Name": "1Core1G经典网",
        "Provider": "aliyun",
        "Cpu": 1,
        "Ram": 2,
        "InstanceType": "ecs.n1.tiny",
        "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
        "Network": {"Id": 0, "VpcId": "", "SubnetId": "", "SecurityGroup": "",
                    "InternetChargeType": "PayByBandwidth", "InternetMaxBandwidthOut": 5},
        "Zone": {"Id": 0, "RegionName": "cn-beijing", "ZoneName": "cn-beijing-c"},
        "Replication": null,
        "SystemDiskCategory": "cloud_efficiency",
        "DataDiskSize": 100,
        "DataDiskNum": 1,
        "DataDiskCategory": "cloud_efficiency",
        "FlavorId": ""
    })
}

/// The seed's instance-create example.
fn instance_body() -> Value {
    json!({
        "Provider": "aliyun",
        "InstanceType": "ecs.c2.medium",
        "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
        "Network": {"Id": 0, "VpcId": "", "SubnetId": "", "SecurityGroup": "",
                    "InternetChargeType": "PayByBandwidth", "InternetMaxBandwidthOut": 5},
        "Zone": {"Id": 0, "RegionName": "cn-beijing", "ZoneName": "cn-beijing-c"},
        "SystemDiskCategory": "cloud_efficiency",
        "DataDiskSize": 100,
        "DataDiskNum": 1,
        "DataDiskCategory": "cloud_efficiency"
    })
}

fn assert_error(body: &Value, code: i64, msg: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["msg"], msg, "{body}");
}

fn is_instance_id(id: &str) -> bool {
    id.len() == 22
        && id.starts_with("i-")
        && id[2..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

// ---------------------------------------------------------------- templates

#[tokio::test]
async fn template_create_get_list_delete() {
    let c = cloud().await;
    let empty = c.get("/v1/cluster").await;
    assert_eq!(
        empty,
        json!({"code": 0, "msg": null, "content": [], "ext": null})
    );

    let id = c.create_template().await;
    let got = c.get(&format!("/v1/cluster/{id}")).await;
    let t = &got["content"];
    assert_eq!(t["Id"], id);
    assert_eq!(t["Name"], "1Core1G经典网");
    assert_eq!(t["Provider"], "aliyun");
    assert_eq!(t["Cpu"], 1);
    assert_eq!(t["Ram"], 2);
    assert_eq!(t["InstanceType"], "ecs.n1.tiny");
    assert_eq!(t["Network"]["InternetChargeType"], "PayByBandwidth");
    assert!(t["Network"]["Id"].as_u64().unwrap_or(0) > 0);
    assert_eq!(t["Zone"]["ZoneName"], "cn-beijing-c");
    assert_eq!(t["DeleteTime"], "0001-01-01T00:00:00Z");
    assert_eq!(t["Replication"], Value::Null);
    let created = t["CreateTime"].as_str().expect("CreateTime");
    assert!(
        created.ends_with("+08:00") && created.len() == 25,
        "{created}"
    );
    for key in [
        "LastestPartNum",
        "Desc",
        "ImageId",
        "PostScript",
        "KeyName",
        "SystemDiskCategory",
        "DataDiskSize",
        "DataDiskNum",
        "DataDiskCategory",
        "FlavorId",
    ] {
        assert!(t.get(key).is_some(), "missing {key}");
    }

    let list = c.get("/v1/cluster").await;
    assert_eq!(list["content"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["content"][0], *t);

    let (_, deleted) = c
        .call(Method::DELETE, &format!("/v1/cluster/{id}"), None, None)
        .await;
    assert_eq!(
        deleted,
        json!({"code": 0, "msg": null, "content": true, "ext": null})
    );
    assert_error(
        &c.get(&format!("/v1/cluster/{id}")).await,
        10999,
        "QuerySeter no row found",
    );
    assert_eq!(c.get("/v1/cluster").await["content"], json!([]));
    let (_, again) = c
        .call(Method::DELETE, &format!("/v1/cluster/{id}"), None, None)
        .await;
    assert_error(&again, 10999, "Delete cluster err");
}

#[tokio::test]
async fn template_errors() {
    let c = cloud().await;
    assert_error(&c.get("/v1/cluster/abc").await, 12996, "Input error!");
    assert_error(
        &c.get("/v1/cluster/99").await,
        10999,
        "QuerySeter no row found",
    );
    let (_, bad_delete) = c.call(Method::DELETE, "/v1/cluster/x1", None, None).await;
    assert_error(&bad_delete, 12996, "Input error!");

    let mut too_many_disks = template_body();
    too_many_disks["DataDiskNum"] = json!(5);
    assert_error(
        &c.post("/v1/cluster", too_many_disks).await,
        11996,
        "The paramter (DataDiskNum) over size limited and the size range is larger than 0 and less equal 4.!",
    );
    let mut zero_disks = template_body();
    zero_disks["DataDiskNum"] = json!(0);
    assert_eq!(c.post("/v1/cluster", zero_disks).await["code"], 11996);

    let mut no_name = template_body();
    no_name.as_object_mut().map(|o| o.remove("Name"));
    let answer = c.post("/v1/cluster", no_name).await;
    assert_error(&answer, 12996, "Input error!");
    assert!(
        answer["ext"].as_str().unwrap_or("").contains("Name"),
        "{answer}"
    );

    let mut unknown = template_body();
    unknown["Provider"] = json!("gcp");
    assert_error(
        &c.post("/v1/cluster", unknown).await,
        10999,
        "unknown backend provider driver: gcp",
    );

    let mut bad_zone = template_body();
    bad_zone["Zone"]["ZoneName"] = json!("cn-beijing-z");
    assert_error(
        &c.post("/v1/cluster", bad_zone).await,
        12996,
        "Input error!",
    );

    let mut wrong_type = template_body();
    wrong_type["DataDiskSize"] = json!("100");
    assert_error(
        &c.post("/v1/cluster", wrong_type).await,
        12996,
        "Input error!",
    );

    let not_json = c.raw(Method::POST, "/v1/cluster", "{\"Name\": ").await;
    assert_error(&not_json, 12996, "Input error!");
    assert_eq!(
        c.get("/v1/cluster").await["content"],
        json!([]),
        "errors change nothing"
    );
}

#[tokio::test]
async fn expand_creates_instances_of_the_template() {
    let c = cloud().await;
    let id = c.create_template().await;
    let path = format!("/v1/cluster/{id}/expand/3");
    let (_, missing) = c
        .call(Method::POST, &path, None, Some(template_body()))
        .await;
    assert_error(
        &missing,
        12997,
        "Missing requisite parameter(X-CORRELATION-ID)!",
    );

    let expanded = c.post(&path, template_body()).await;
    assert_eq!(expanded["code"], 0, "{expanded}");
    assert_eq!(expanded["ext"], id, "ext is the template id");
    let ids: Vec<String> = expanded["content"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|i| is_instance_id(i)), "{ids:?}");

    // an empty body is fine too
    let (_, no_body) = c
        .call(
            Method::POST,
            &format!("/v1/cluster/{id}/expand/1"),
            Some("t-2"),
            None,
        )
        .await;
    assert_eq!(no_body["code"], 0, "{no_body}");

    let members = c.get(&format!("/v1/instance/cluster/{id}")).await;
    let members = members["content"].as_array().expect("members").clone();
    assert_eq!(members.len(), 4);
    assert!(members.iter().all(|m| m["Cluster"]["Id"] == id));
    assert_eq!(members[0]["InstanceType"], "ecs.n1.tiny");
    assert_eq!(members[0]["RegionId"], "cn-beijing");
    assert_eq!(members[0]["ZoneId"], "cn-beijing-c");

    // a directly created instance does not belong to the template
    c.create_instance().await;
    let members = c.get(&format!("/v1/instance/cluster/{id}")).await;
    assert_eq!(members["content"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        c.get(&format!("/v1/cluster/{id}")).await["content"]["LastestPartNum"],
        2
    );

    assert_error(
        &c.post("/v1/cluster/77/expand/1", json!({})).await,
        10999,
        "QuerySeter no row found",
    );
    assert_error(
        &c.post(&format!("/v1/cluster/{id}/expand/0"), json!({}))
            .await,
        12996,
        "Input error!",
    );
    assert_error(
        &c.post(&format!("/v1/cluster/{id}/expand/two"), json!({}))
            .await,
        12996,
        "Input error!",
    );
    assert_error(
        &c.get("/v1/instance/cluster/x").await,
        12996,
        "Input error!",
    );
    assert_eq!(c.get("/v1/instance/cluster/55").await["content"], json!([]));
}

// ---------------------------------------------------------------- instances

#[tokio::test]
async fn instance_create_get_list_delete() {
    let c = cloud().await;
    let ip = c.create_instance().await;
    assert_eq!(ip, "10.41.0.1", "the first private address");
    let id = c.instance_id_by_ip(&ip).await;
    assert!(is_instance_id(&id), "{id}");

    let got = c.get(&format!("/v1/instance/{id}")).await;
    let i = &got["content"];
    assert_eq!(i["InstanceId"], id.as_str());
    assert_eq!(i["PrivateIpAddress"], ip.as_str());
    assert_eq!(i["Provider"], "aliyun");
    assert_eq!(i["Status"], 3);
    assert_eq!(i["Cpu"], 2);
    assert_eq!(i["Ram"], 4);
    assert_eq!(i["Cluster"], Value::Null);
    assert_eq!(i["CostWay"], "PostPaid");
    for key in [
        "Id",
        "CreateTime",
        "ImageId",
        "InstanceType",
        "KeyName",
        "VpcId",
        "SubnetId",
        "SecurityGroupId",
        "RegionId",
        "ZoneId",
        "DataDiskNum",
        "DataDiskSize",
        "DataDiskCategory",
        "SystemDiskCategory",
        "PreBuyMonth",
        "PublicIpAddress",
        "NatIpAddress",
        "TenantID",
        "UserID",
        "Name",
    ] {
        assert!(i.get(key).is_some(), "missing {key}");
    }

    let second_ip = c.create_instance().await;
    let second = c.instance_id_by_ip(&second_ip).await;
    let third = c.instance_id_by_ip(&c.create_instance().await).await;
    assert_eq!(
        c.get("/v1/instance/list").await["content"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    let path = format!("/v1/instance/{id},{second}");
    let (_, no_header) = c.call(Method::DELETE, &path, None, None).await;
    assert_error(
        &no_header,
        12997,
        "Missing requisite parameter(X-CORRELATION-ID)!",
    );
    let (_, unknown) = c
        .call(
            Method::DELETE,
            &format!("{path},i-doesnotexist"),
            Some("d-1"),
            None,
        )
        .await;
    assert_error(&unknown, 10999, "QuerySeter no row found");
    assert_eq!(
        c.get("/v1/instance/list").await["content"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    let (_, deleted) = c.call(Method::DELETE, &path, Some("d-1"), None).await;
    assert_eq!(
        deleted,
        json!({"code": 0, "msg": null, "content": null, "ext": null})
    );
    let left = c.get("/v1/instance/list").await;
    assert_eq!(left["content"].as_array().map(Vec::len), Some(1));
    assert_eq!(left["content"][0]["InstanceId"], third.as_str());
    assert_error(
        &c.get(&format!("/v1/instance/{id}")).await,
        10999,
        "get one instance err",
    );
}

#[tokio::test]
async fn instance_create_errors() {
    let c = cloud().await;
    let mut no_image = instance_body();
    no_image.as_object_mut().map(|o| o.remove("ImageId"));
    assert_error(
        &c.post("/v1/instance", no_image).await,
        12996,
        "Input error",
    );
    let mut unknown = instance_body();
    unknown["Provider"] = json!("azure");
    assert_error(
        &c.post("/v1/instance", unknown).await,
        10999,
        "unknown backend provider driver: azure",
    );
    let mut bad_image = instance_body();
    bad_image["ImageId"] = json!("no-such-image");
    assert_error(
        &c.post("/v1/instance", bad_image).await,
        12996,
        "Input error",
    );
    let mut bad_disk = instance_body();
    bad_disk["DataDiskCategory"] = json!("floppy");
    assert_error(
        &c.post("/v1/instance", bad_disk).await,
        12996,
        "Input error",
    );
    assert_eq!(c.get("/v1/instance/list").await["content"], json!([]));
}

#[tokio::test]
async fn fields_match_case_insensitively_like_go() {
    let c = cloud().await;
    let mut body = instance_body();
    let provider = body.as_object_mut().and_then(|o| o.remove("Provider"));
    body["provider"] = provider.unwrap_or(Value::Null);
    assert_eq!(c.post("/v1/instance", body).await["code"], 0);
}

#[tokio::test]
async fn start_and_status() {
    let c = cloud().await;
    let ip = c.create_instance().await;
    let id = c.instance_id_by_ip(&ip).await;

    let status = c.get(&format!("/v1/status/{id}")).await;
    assert_eq!(
        status["content"],
        json!([{"instance_id": id, "status": 3, "ip_address": ip}])
    );

    let set = c
        .post("/v1/status", json!({"InstanceId": id, "Status": 7}))
        .await;
    assert_eq!(
        set,
        json!({"code": 0, "msg": null, "content": 7, "ext": null})
    );
    assert_eq!(
        c.get(&format!("/v1/status/{id}")).await["content"][0]["status"],
        7
    );
    assert_eq!(
        c.get(&format!("/v1/instance/{id}")).await["content"]["Status"],
        7
    );

    let started = c.get(&format!("/v1/start/{id}")).await;
    assert_eq!(
        started,
        json!({"code": 0, "msg": null, "content": true, "ext": null})
    );
    assert_eq!(
        c.get(&format!("/v1/status/{id}")).await["content"][0]["status"],
        3
    );

    let unknown_start = c.get("/v1/start/i-nope").await;
    assert_error(&unknown_start, 10999, "Could not start instances");
    assert_eq!(unknown_start["content"], false);
    let unknown_status = c.get("/v1/status/i-nope").await;
    assert_error(&unknown_status, 10999, "get multi instance err:");
    assert_eq!(unknown_status["content"], false);
    let unknown_set = c
        .post("/v1/status", json!({"InstanceId": "i-nope", "Status": 1}))
        .await;
    assert_error(&unknown_set, 10999, "update instance status err");
    assert_eq!(unknown_set["content"], false);
    assert_error(
        &c.post("/v1/status", json!({"InstanceId": id, "Status": 2}))
            .await,
        12996,
        "Input error",
    );
    assert_error(
        &c.post("/v1/status", json!({"Status": 1})).await,
        12996,
        "Input error",
    );
    assert_error(
        &c.get("/v1/instance/%20").await,
        12997,
        "Missing requisite parameter!",
    );
    assert_error(
        &c.get("/v1/start/%20").await,
        12997,
        "Missing requisite parameter!",
    );
    assert_error(
        &c.get("/v1/status/%20").await,
        12997,
        "Missing requisite parameter!",
    );

    let second = c.instance_id_by_ip(&c.create_instance().await).await;
    let both = c.get(&format!("/v1/status/{id},{second}")).await;
    assert_eq!(both["content"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn transition_knob_keeps_instances_starting() {
    let c = cloud_with(
        None,
        Knobs {
            transition_ms: 400_000,
            ..Knobs::default()
        },
    )
    .await;
    let ip = c.create_instance().await;
    let id = c.instance_id_by_ip(&ip).await;
    assert_eq!(
        c.get(&format!("/v1/instance/{id}")).await["content"]["Status"],
        1
    );
    // Just before the transition ends it is still starting; just after, running.
    c.sim
        .clock()
        .advance(std::time::Duration::from_millis(399_000));
    assert_eq!(
        c.get(&format!("/v1/instance/{id}")).await["content"]["Status"],
        1
    );
    c.sim
        .clock()
        .advance(std::time::Duration::from_millis(2_000));
    assert_eq!(
        c.get(&format!("/v1/instance/{id}")).await["content"]["Status"],
        3
    );

    c.post("/v1/status", json!({"InstanceId": id, "Status": 7}))
        .await;
    c.get(&format!("/v1/start/{id}")).await;
    assert_eq!(
        c.get(&format!("/v1/status/{id}")).await["content"][0]["status"],
        1
    );
    c.sim
        .clock()
        .advance(std::time::Duration::from_millis(401_000));
    assert_eq!(
        c.get(&format!("/v1/status/{id}")).await["content"][0]["status"],
        3
    );
}

// ---------------------------------------------------------------- catalogs

#[tokio::test]
async fn catalog_endpoints() {
    let c = cloud().await;
    assert_eq!(
        c.get("/v1/instance/provider").await["content"],
        json!(["aliyun", "aws", "openstack"])
    );
    let regions = c.get("/v1/instance/regions/aliyun").await;
    assert_eq!(
        regions["content"][0],
        json!({"Endpoint": "", "RegionName": "cn-beijing"})
    );
    let zones = c.get("/v1/instance/zones/aliyun/cn-beijing").await;
    let zones = zones["content"].as_array().expect("zones").clone();
    assert!(zones.contains(&json!({"Messages": null, "RegionName": "华北 2 可用区 D", "State": "", "ZoneName": "cn-beijing-d"})));
    assert_eq!(
        c.get("/v1/instance/zones/aliyun/mars-1").await["content"],
        json!([])
    );
    let vpcs = c.get("/v1/instance/vpc/aliyun/cn-beijing").await;
    assert_eq!(vpcs["content"][0]["VpcId"], "vpc-2ze0sufdt8yiguyg8u2lp");
    assert_eq!(vpcs["content"][0]["CidrBlock"], "172.17.0.0/16");
    let subnets = c
        .get("/v1/instance/subnet/aliyun/cn-beijing-a/vpc-2ze0sufdt8yiguyg8u2lp")
        .await;
    assert_eq!(
        subnets["content"][0]["SubnetId"],
        "vsw-2zeci6ok1lzo3wjdgvtua"
    );
    assert_eq!(subnets["content"][0]["CidrBlock"], "172.17.192.0/20");
    let types = c.get("/v1/instance/type/aliyun").await;
    assert_eq!(types["content"][0], "1Core-1GB");
    assert_eq!(
        c.get("/v1/instance/charge/aliyun").await["content"],
        json!(["PayByBandwidth", "PayByTraffic"])
    );
    assert_eq!(
        c.get("/v1/instance/disk_category/aliyun").await["content"],
        json!(["cloud_efficiency", "cloud_ssd"])
    );
    let images = c.get("/v1/instance/image/aliyun/cn-beijing").await;
    assert!(images["content"]
        .as_array()
        .expect("images")
        .iter()
        .any(|i| i["ImageId"] == "m-2zefnwiq237sjwnt7oez"));
    let groups = c.get("/v1/instance/security_group/aliyun/cn-beijing").await;
    assert_eq!(groups["content"][1]["GroupId"], "sg-25vpbkswc");

    for path in [
        "/v1/instance/regions/nope",
        "/v1/instance/zones/nope/r",
        "/v1/instance/vpc/nope/r",
        "/v1/instance/subnet/nope/z/v",
        "/v1/instance/type/nope",
        "/v1/instance/charge/nope",
        "/v1/instance/disk_category/nope",
        "/v1/instance/image/nope/r",
        "/v1/instance/security_group/nope/r",
    ] {
        assert_error(
            &c.get(path).await,
            10999,
            "unknown backend provider driver: nope",
        );
    }
}

#[tokio::test]
async fn catalog_network_validates_template_networks() {
    let c = cloud().await;
    let mut vpc = template_body();
    vpc["Zone"]["ZoneName"] = json!("cn-beijing-a");
    vpc["Network"]["VpcId"] = json!("vpc-2ze0sufdt8yiguyg8u2lp");
    vpc["Network"]["SubnetId"] = json!("vsw-2zeci6ok1lzo3wjdgvtua");
    vpc["Network"]["SecurityGroup"] = json!("sg-2ze727lmif5l3o5x5vf5");
    assert_eq!(c.post("/v1/cluster", vpc.clone()).await["code"], 0);
    vpc["Zone"]["ZoneName"] = json!("cn-beijing-b");
    assert_error(&c.post("/v1/cluster", vpc).await, 12996, "Input error!");
}

// ---------------------------------------------------------------- counts, logs

#[tokio::test]
async fn machine_counts() {
    let c = cloud().await;
    c.create_instance().await;
    c.create_instance().await;
    let counts = c.get("/v1/cluster/number/1").await;
    let samples = counts["content"].as_array().expect("samples").clone();
    let last = samples.last().expect("a sample");
    assert_eq!(last["aliyun"], "2");
    assert_eq!(last["total"], "2");
    assert_eq!(last["time"].as_str().map(str::len), Some(19));
    assert_error(&c.get("/v1/cluster/number/x").await, 12996, "Input error!");
    assert_error(&c.get("/v1/cluster/number/0").await, 12996, "Input error!");

    let now = c.get("/v1/cluster/oldnumber/4102444800").await; // 2100-01-01
    assert_eq!(now["content"]["total"], "2", "{now}");
    // The seed writes times to the second; a sample taken within that second counts.
    let stamp = last["time"].as_str().expect("time").replace(' ', "%20");
    let same_second = c.get(&format!("/v1/cluster/oldnumber/{stamp}")).await;
    assert_eq!(same_second["code"], 0, "{same_second}");
    assert_eq!(same_second["content"]["total"], "2", "{same_second}");
    assert_error(
        &c.get("/v1/cluster/oldnumber/2017-08-02%2017:52:29").await,
        10999,
        "Get instance detail at the time err",
    );
    assert_error(
        &c.get("/v1/cluster/oldnumber/someday").await,
        12996,
        "Input error!",
    );
}

#[tokio::test]
async fn logs_by_correlation_and_instance() {
    let c = cloud().await;
    let (_, created) = c
        .call(
            Method::POST,
            "/v1/instance",
            Some("20-20"),
            Some(instance_body()),
        )
        .await;
    let ip = created["content"].as_str().expect("ip").to_string();
    let id = c.instance_id_by_ip(&ip).await;
    let by_both = c.get(&format!("/v1/instance/log/20-20/{id}")).await;
    assert_eq!(by_both["code"], 0);
    assert_eq!(by_both["content"][0]["InstanceId"], id.as_str());
    assert_eq!(by_both["content"][0]["CorrelationId"], "20-20");
    assert_eq!(by_both["content"][0]["Action"], "create");

    c.call(
        Method::DELETE,
        &format!("/v1/instance/{id}"),
        Some("20-21"),
        None,
    )
    .await;
    let by_instance = c.get(&format!("/v1/instance/log/{id}")).await;
    assert_eq!(by_instance["content"].as_array().map(Vec::len), Some(2));

    let nothing = c.get("/v1/instance/log/none/i-none").await;
    assert_eq!(
        nothing,
        json!({"code": 0, "msg": "result to json error", "content": null, "ext": null})
    );
    let nothing = c.get("/v1/instance/log/i-none").await;
    assert_eq!(nothing["msg"], "result to json error");
}

// ---------------------------------------------------------------- phydev, keys, openstack

#[tokio::test]
async fn physical_machines() {
    let c = cloud().await;
    let body = json!({"instancelist": [
        {"PublicIp": "101.1.2.146", "PrivateIp": "1.11.1.123", "Password": "adminpadd", "Port": 0},
        {"PublicIP": "101.1.2.147", "PrivateIP": "1.11.1.124", "Password": "x", "Port": 22}
    ]});
    let (_, missing) = c
        .call(
            Method::POST,
            "/v1/instance/phydev",
            None,
            Some(body.clone()),
        )
        .await;
    assert_error(
        &missing,
        12997,
        "Missing requisite parameter(X-CORRELATION-ID)!",
    );
    let entered = c.post("/v1/instance/phydev", body.clone()).await;
    assert_eq!(
        entered,
        json!({"code": 0, "msg": null, "content": {"success": 2, "failed": 0, "errors": []}, "ext": null})
    );
    let again = c.post("/v1/instance/phydev", body).await;
    assert_eq!(again["content"]["success"], 0);
    assert_eq!(again["content"]["failed"], 2);
    assert_eq!(
        again["content"]["errors"][0],
        "Instance: 101.1.2.146 is already in DB"
    );
    let bad = c
        .post("/v1/instance/phydev", json!({"instancelist": [{"PublicIp": "nope", "PrivateIp": "1.1.1.1", "Password": "p"}]}))
        .await;
    assert_eq!(bad["content"]["failed"], 1);
    assert_error(
        &c.post("/v1/instance/phydev", json!({"x": 1})).await,
        12996,
        "Input error!",
    );

    let list = c.get("/v1/instance/list").await;
    let machine = &list["content"][0];
    assert_eq!(machine["Provider"], "phydev");
    assert_eq!(machine["Status"], 3);
    assert_eq!(machine["Cluster"]["Name"], "Physical device");
    assert_eq!(machine["Cluster"]["Provider"], "phydev");
    assert!(machine.get("Password").is_none());
    let counts = c.get("/v1/cluster/number/1").await;
    let last = counts["content"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["phydev"], "2");

    let uploaded = c
        .raw(Method::PUT, "/v1/instance/phydev", r#"{"Provider":"aliyun","InstanceType":"ecs.n2.3xlarge","ImageId":"centos7u2_64_40G_cloudinit_20160728.raw","Network":{"Id":0,"VpcId":"","SubnetId":"","SecurityGroup":"","InternetChargeType":"PayByBandwidth","InternetMaxBandwidthOut":5},"Zone":{"Id":0,"RegionName":"cn-beijing","ZoneName":"cn-beijing-c"},"SystemDiskCategory":"cloud_efficiency","DataDiskSize":100,"DataDiskNum":1,"DataDiskCategory":"cloud_efficiency"}"#)
        .await;
    assert_eq!(uploaded["code"], 0, "{uploaded}");
    assert_eq!(uploaded["content"]["Cpu"], 16);
    assert_eq!(uploaded["content"]["Status"], 3);
    assert_error(
        &c.raw(Method::PUT, "/v1/instance/phydev", "{}").await,
        12996,
        "Input error!",
    );
}

#[tokio::test]
async fn ssh_keys() {
    let c = cloud().await;
    let ip = c.create_instance().await;
    let id = c.instance_id_by_ip(&ip).await;
    let response = c
        .client
        .get(format!("{}/v1/instance/sshkey/{ip}", c.base))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(disposition.contains(&format!("{ip}.pem")), "{disposition}");
    let key = response.text().await.expect("key");
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{key}");

    let uploaded = c
        .client
        .put(format!("{}/v1/instance/sshkey/{id}", c.base))
        .body("my-own-key")
        .send()
        .await
        .expect("send");
    let uploaded: Value = uploaded.json().await.expect("json");
    assert_eq!(
        uploaded,
        json!({"code": 0, "msg": null, "content": "my-own-key", "ext": null})
    );
    let key = c
        .client
        .get(format!("{}/v1/instance/sshkey/{ip}", c.base))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert_eq!(key, "my-own-key");

    assert_error(
        &c.get("/v1/instance/sshkey/9.9.9.9").await,
        12997,
        "QuerySeter no row found",
    );
    let (_, unknown) = c
        .call(Method::PUT, "/v1/instance/sshkey/i-none", None, None)
        .await;
    assert_error(&unknown, 12997, "QuerySeter no row found");
}

#[tokio::test]
async fn openstack_settings() {
    let c = cloud().await;
    let settings = json!({"OpIP": "127.0.0.1", "OpPort": "26018", "OpUserName": "root", "OpPassword": "test12345"});
    let answer = c.post("/v1/instance/openstack", settings.clone()).await;
    assert_eq!(
        answer,
        json!({"code": 0, "msg": null, "content": settings, "ext": null})
    );
    assert_eq!(c.sim.snapshot()["openstack"], settings);
    assert_error(
        &c.post("/v1/instance/openstack", json!({"OpIP": "127.0.0.1"}))
            .await,
        12996,
        "Input error!",
    );
    assert_error(
        &c.post(
            "/v1/instance/openstack",
            json!({"OpIP": "x", "OpPort": "1", "OpUserName": "u", "OpPassword": "p"}),
        )
        .await,
        12996,
        "Input error!",
    );
}

// ---------------------------------------------------------------- simulator features

#[tokio::test]
async fn request_counts_use_seed_patterns() {
    let c = cloud().await;
    let ip = c.create_instance().await;
    let id = c.instance_id_by_ip(&ip).await;
    c.get(&format!("/v1/instance/{id}")).await;
    c.get(&format!("/v1/instance/{id}")).await;
    c.call(
        Method::DELETE,
        &format!("/v1/instance/{id}"),
        Some("x"),
        None,
    )
    .await;
    c.get("/v1/instance/log/abc").await;
    c.call(Method::PUT, "/v1/instance/sshkey/i-x", None, None)
        .await;
    let counts = c.get("/_sim/requests").await;
    assert_eq!(counts["POST /v1/instance"], 1);
    assert_eq!(counts["GET /v1/instance/list"], 1);
    assert_eq!(counts["GET /v1/instance/:instanceId"], 2);
    assert_eq!(counts["DELETE /v1/instance/:instanceIds"], 1);
    assert_eq!(counts["GET /v1/instance/log/:instanceId"], 1);
    assert_eq!(counts["PUT /v1/instance/sshkey/:instanceId"], 1);
    assert!(counts.get("GET /_sim/requests").is_none());
    assert_eq!(
        c.sim.request_counts().get("GET /v1/instance/:instanceId"),
        Some(&2)
    );

    let (status, _) = c.call(Method::DELETE, "/_sim/requests", None, None).await;
    assert!(status.is_success());
    assert_eq!(c.get("/_sim/requests").await, json!({}));
}

#[tokio::test]
async fn unknown_paths_get_404_with_an_envelope() {
    let c = cloud().await;
    let (status, body) = c.call(Method::GET, "/v2/nothing", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], 10999);
    let (status, body) = c
        .call(Method::DELETE, "/v1/instance/list", Some("x"), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["msg"], "method not allowed: DELETE /v1/instance/list");
}

#[tokio::test]
async fn error_rate_one_fails_everything_without_changes() {
    let c = cloud_with(
        None,
        Knobs {
            error_rate: 1.0,
            ..Knobs::default()
        },
    )
    .await;
    assert_error(
        &c.post("/v1/instance", instance_body()).await,
        10999,
        "Create instance err",
    );
    assert_error(
        &c.get("/v1/instance/i-abc").await,
        10999,
        "get one instance err",
    );
    assert_error(
        &c.get("/v1/cluster").await,
        10999,
        "QuerySeter no row found",
    );
    assert_eq!(c.sim.snapshot()["instances"], json!([]));
    let (status, knobs) = c
        .call(
            Method::PUT,
            "/_sim/knobs",
            None,
            Some(json!({"error_rate": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{knobs}");
    assert_eq!(c.post("/v1/instance", instance_body()).await["code"], 0);
    let (status, _) = c
        .call(
            Method::PUT,
            "/_sim/knobs",
            None,
            Some(json!({"error_rate": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = c
        .call(
            Method::PUT,
            "/_sim/knobs",
            None,
            Some(json!({"no_such_knob": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn throttle_answers_429() {
    let c = cloud_with(
        None,
        Knobs {
            throttle: 3,
            ..Knobs::default()
        },
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, body) = c.call(Method::GET, "/v1/cluster", None, None).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["code"], 10999);
            assert_eq!(body["msg"], mcloud::THROTTLED_MSG);
        }
        statuses.push(status);
    }
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(throttled >= 2, "{statuses:?}");
    assert_eq!(statuses[0], StatusCode::OK);
}

#[tokio::test]
async fn latency_knob_delays_answers() {
    let c = cloud_with(
        None,
        Knobs {
            latency_ms: 150,
            ..Knobs::default()
        },
    )
    .await;
    let start = std::time::Instant::now();
    c.get("/v1/cluster").await;
    assert!(start.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn fifty_parallel_creates_give_distinct_ids_and_ips() {
    let c = Arc::new(cloud().await);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move { c.create_instance().await }));
    }
    let mut ips = std::collections::HashSet::new();
    for task in tasks {
        ips.insert(task.await.expect("task"));
    }
    assert_eq!(ips.len(), 50);
    let list = c.get("/v1/instance/list").await;
    let ids: std::collections::HashSet<String> = list["content"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["InstanceId"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 50);
    let publics: std::collections::HashSet<String> = list["content"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["PublicIpAddress"].as_str().map(str::to_string))
        .collect();
    assert_eq!(publics.len(), 50);
}

#[tokio::test]
async fn state_persists_across_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mcloud.json");
    let (template, ip) = {
        let c = cloud_with(Some(path.clone()), Knobs::default()).await;
        let template = c.create_template().await;
        c.post(&format!("/v1/cluster/{template}/expand/2"), json!({}))
            .await;
        let in_use = Simulator::open(SimOptions {
            persist_path: Some(path.clone()),
            knobs: Knobs::default(),
        });
        assert!(
            matches!(in_use, Err(SimError::InUse(_))),
            "one simulator per state file"
        );
        (template, c.create_instance().await)
    };
    let c = serve(open_when_free(&path).await.expect("reopen")).await;
    assert_eq!(c.get(&format!("/v1/cluster/{template}")).await["code"], 0);
    let list = c.get("/v1/instance/list").await;
    assert_eq!(list["content"].as_array().map(Vec::len), Some(3));
    // new ids and addresses do not collide with the reloaded ones
    let next = c.create_template().await;
    assert!(next > template);
    let next_ip = c.create_instance().await;
    assert_ne!(next_ip, ip);
    drop(c);

    std::fs::write(&path, "{ not json").expect("write");
    let err = open_when_free(&path)
        .await
        .expect_err("corrupt state refused");
    assert!(err.to_string().contains("not valid"), "{err}");
}

#[tokio::test]
async fn start_embedded_reuses_and_persists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = mcloud::start_embedded(dir.path()).expect("start");
    let second = mcloud::start_embedded(dir.path()).expect("reuse");
    assert_eq!(first, second);
    let client = Client::new();
    let created: Value = client
        .post(format!("http://{first}/v1/cluster"))
        .json(&template_body())
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(created["code"], 0);
    let saved = std::fs::read_to_string(dir.path().join("mcloud.json")).expect("state file");
    assert!(saved.contains("1Core1G经典网"));
}

#[tokio::test]
async fn inspection_state_lists_everything() {
    let c = cloud().await;
    let template = c.create_template().await;
    c.post(&format!("/v1/cluster/{template}/expand/2"), json!({}))
        .await;
    let state = c.get("/_sim/state").await;
    assert_eq!(state["templates"].as_array().map(Vec::len), Some(1));
    let instances = state["instances"].as_array().expect("instances");
    assert_eq!(instances.len(), 2);
    assert_eq!(instances[0]["ClusterId"], template);
    assert_eq!(instances[0]["SshKey"], "generated");
    assert_eq!(instances[0]["Status"], 3);
}

#[tokio::test]
async fn many_instances_with_persistence_stay_cheap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mcloud.json");
    let c = Arc::new(cloud_with(Some(path.clone()), Knobs::default()).await);
    let template = c.create_template().await;
    let expanded = c
        .post(&format!("/v1/cluster/{template}/expand/800"), json!({}))
        .await;
    assert_eq!(expanded["content"].as_array().map(Vec::len), Some(800));
    let start = std::time::Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..10 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                c.create_instance().await;
            }
            worker
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    eprintln!(
        "200 creates over 10 workers with 800 existing: {:?}",
        start.elapsed()
    );
    let list = c.get("/v1/instance/list").await;
    assert_eq!(list["content"].as_array().map(Vec::len), Some(1000));
    drop(c);
    let reopened = open_when_free(&path).await.expect("reopen");
    assert_eq!(
        reopened.snapshot()["instances"].as_array().map(Vec::len),
        Some(1000)
    );
}

#[tokio::test]
async fn each_change_appends_a_small_journal_line_and_reopen_replays_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mcloud.json");
    let journal = dir.path().join("mcloud.json.journal");
    let c = cloud_with(Some(path.clone()), Knobs::default()).await;
    let template = c.create_template().await;
    c.post(&format!("/v1/cluster/{template}/expand/300"), json!({}))
        .await;
    let file_before = std::fs::read(&path).expect("state file");
    let lines_before = std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .lines()
        .count();
    let mut ips = Vec::new();
    for _ in 0..5 {
        ips.push(c.create_instance().await);
    }
    // The 300 machines are not rewritten for each create: one line per change, each small.
    assert_eq!(std::fs::read(&path).expect("state file"), file_before);
    let text = std::fs::read_to_string(&journal).expect("journal");
    let new: Vec<&str> = text.lines().skip(lines_before).collect();
    assert_eq!(new.len(), 5, "{text}");
    for line in &new {
        assert!(
            line.len() < 8 * 1024,
            "a create's record is small: {}",
            line.len()
        );
    }
    let deleted_id = c.instance_id_by_ip(&ips[0]).await;
    let gone = reqwest::Client::new()
        .delete(format!("{}/v1/instance/{deleted_id}", c.base))
        .header("X-CORRELATION-ID", "journal-test")
        .send()
        .await
        .expect("delete");
    assert!(gone.status().is_success());
    drop(c);
    let reopened = serve(open_when_free(&path).await.expect("reopen")).await;
    let list = reopened.get("/v1/instance/list").await;
    let listed: Vec<String> = list["content"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["PrivateIpAddress"].as_str().map(str::to_string))
        .collect();
    assert_eq!(listed.len(), 304);
    assert!(!listed.contains(&ips[0]), "the delete was replayed");
    for ip in &ips[1..] {
        assert!(listed.contains(ip), "{ip} was replayed");
    }
}

/// Every endpoint of the seed, as the seed writes it, answers with an envelope
/// and is counted under exactly that key.
#[tokio::test]
async fn all_32_seed_endpoints_are_served_and_counted() {
    let c = cloud().await;
    let template = c.create_template().await;
    let ip = c.create_instance().await;
    let id = c.instance_id_by_ip(&ip).await;
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/v1/cluster".into(), None),
        (Method::GET, format!("/v1/cluster/{template}"), None),
        (
            Method::POST,
            format!("/v1/cluster/{template}/expand/1"),
            None,
        ),
        (Method::GET, "/v1/cluster/number/1".into(), None),
        (Method::GET, "/v1/cluster/oldnumber/4102444800".into(), None),
        (Method::GET, format!("/v1/instance/{id}"), None),
        (Method::GET, format!("/v1/start/{id}"), None),
        (Method::GET, format!("/v1/status/{id}"), None),
        (
            Method::POST,
            "/v1/status".into(),
            Some(json!({"InstanceId": id, "Status": 3})),
        ),
        (Method::PUT, format!("/v1/instance/sshkey/{id}"), None),
        (Method::GET, "/v1/instance/provider".into(), None),
        (Method::GET, "/v1/instance/regions/aliyun".into(), None),
        (
            Method::GET,
            "/v1/instance/zones/aliyun/cn-beijing".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/instance/vpc/aliyun/cn-beijing".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/instance/subnet/aliyun/cn-beijing-a/vpc-2ze0sufdt8yiguyg8u2lp".into(),
            None,
        ),
        (Method::GET, "/v1/instance/type/aliyun".into(), None),
        (Method::GET, "/v1/instance/charge/aliyun".into(), None),
        (
            Method::GET,
            "/v1/instance/disk_category/aliyun".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/instance/image/aliyun/cn-beijing".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/instance/security_group/aliyun/cn-beijing".into(),
            None,
        ),
        (
            Method::GET,
            format!("/v1/instance/cluster/{template}"),
            None,
        ),
        (Method::GET, format!("/v1/instance/log/t-1/{id}"), None),
        (Method::GET, format!("/v1/instance/log/{id}"), None),
        (
            Method::PUT,
            "/v1/instance/phydev".into(),
            Some(instance_body()),
        ),
        (
            Method::POST,
            "/v1/instance/phydev".into(),
            Some(json!({"instancelist": []})),
        ),
        (
            Method::POST,
            "/v1/instance/openstack".into(),
            Some(
                json!({"OpIP": "127.0.0.1", "OpPort": "26018", "OpUserName": "root", "OpPassword": "p"}),
            ),
        ),
        (Method::DELETE, format!("/v1/cluster/{template}"), None),
        (Method::DELETE, format!("/v1/instance/{id}"), None),
    ];
    for (method, path, body) in calls {
        let (status, answer) = c.call(method.clone(), &path, Some("t-1"), body).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}");
        assert_eq!(answer["code"], 0, "{method} {path}: {answer}");
    }
    let (status, _) = c
        .call(
            Method::GET,
            &format!("/v1/instance/sshkey/{ip}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let expected = [
        "GET /v1/cluster",
        "GET /v1/cluster/:clusterId",
        "POST /v1/cluster",
        "DELETE /v1/cluster/:clusterId",
        "POST /v1/cluster/:clusterId/expand/:number",
        "GET /v1/cluster/number/:hour",
        "GET /v1/cluster/oldnumber/:time",
        "POST /v1/instance",
        "GET /v1/instance/:instanceId",
        "GET /v1/start/:instanceId",
        "GET /v1/status/:instanceId",
        "POST /v1/status",
        "DELETE /v1/instance/:instanceIds",
        "GET /v1/instance/sshkey/:ip",
        "PUT /v1/instance/sshkey/:instanceId",
        "GET /v1/instance/provider",
        "GET /v1/instance/regions/:provider",
        "GET /v1/instance/zones/:provider/:regionId",
        "GET /v1/instance/vpc/:provider/:regionId",
        "GET /v1/instance/subnet/:provider/:zoneId/:vpcId",
        "GET /v1/instance/type/:provider",
        "GET /v1/instance/charge/:provider",
        "GET /v1/instance/disk_category/:provider",
        "GET /v1/instance/image/:provider/:regionId",
        "GET /v1/instance/security_group/:provider/:regionId",
        "GET /v1/instance/list",
        "GET /v1/instance/cluster/:clusterId",
        "GET /v1/instance/log/:correlationId/:instanceId",
        "GET /v1/instance/log/:instanceId",
        "PUT /v1/instance/phydev",
        "POST /v1/instance/phydev",
        "POST /v1/instance/openstack",
    ];
    assert_eq!(expected.len(), 32);
    let counts = c.sim.request_counts();
    let keys: Vec<&str> = counts.keys().map(String::as_str).collect();
    let mut sorted = expected.to_vec();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
}

// ---------------------------------------------------------------- hostile answers

#[tokio::test]
async fn a_late_answer_follows_a_change_already_made() {
    let c = cloud_with(
        None,
        Knobs {
            answer_delay_ms: 400,
            ..Knobs::default()
        },
    )
    .await;
    let started = std::time::Instant::now();
    let create = c.post("/v1/instance", instance_body());
    let look = async {
        // While the create's answer is still on its way, the machine already exists.
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(300);
        loop {
            let n = c.sim.snapshot()["instances"].as_array().map_or(0, Vec::len);
            if n == 1 || std::time::Instant::now() > deadline {
                return (n, started.elapsed());
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let (answer, (seen, when)) = tokio::join!(create, look);
    assert_eq!(answer["code"], 0, "{answer}");
    assert_eq!(seen, 1, "the instance exists before the answer arrives");
    assert!(when < std::time::Duration::from_millis(300), "{when:?}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
}

#[tokio::test]
async fn a_lost_answer_breaks_the_connection_after_the_change() {
    let c = cloud_with(
        None,
        Knobs {
            lose_answers: 1.0,
            ..Knobs::default()
        },
    )
    .await;
    let sent = c
        .client
        .post(format!("{}/v1/instance", c.base))
        .json(&instance_body())
        .send()
        .await;
    let body = match sent {
        Ok(response) => response.bytes().await.map(|b| b.to_vec()),
        Err(e) => Err(e),
    };
    assert!(body.is_err(), "the answer must not arrive: {body:?}");
    // The create happened all the same.
    let list = c.get("/v1/instance/list").await;
    assert_eq!(list["content"].as_array().map_or(0, Vec::len), 1, "{list}");
    // Reads are never lost, and failed writes are answered.
    let bad = c
        .client
        .post(format!("{}/v1/instance", c.base))
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    let bad: Value = bad.json().await.expect("an error answer arrives whole");
    assert_ne!(bad["code"], 0);
}
