//! The jdcloud simulator over real HTTP on loopback, every request signed
//! with the client's JDCLOUD2 signer (`providers::jdcloud::sign`).

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use skyform::providers::jdcloud::sign::{self, Credentials};
use skyform::sim::jdcloud::{self, Knobs, SimOptions, Simulator};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REGION: &str = "cn-north-1";
const UBUNTU: &str = "bba85cab-dfdc-4359-9218-7a2de429dd80"; // cloudDisk
const CENTOS: &str = "0b7a5d2e-3c61-4d8f-9a40-6f2c1e8b7d15"; // localDisk
const WINDOWS: &str = "5e2f9c4a-81d7-4b3e-a6c0-2d9f7e1b4a68"; // excludes g.n2.medium
const SHARED: &str = "7c3e1a9b-52f4-4e8d-b0a7-9e6d2c4f1b83";

struct Cloud {
    sim: Arc<Simulator>,
    base: String,
    client: Client,
    creds: Credentials,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Cloud {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A signed answer: HTTP status and body.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn result(&self) -> &Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "unexpected answer {}",
            self.body
        );
        assert!(self.body["requestId"]
            .as_str()
            .is_some_and(|r| r.len() == 32));
        assert!(self.body.get("error").is_none());
        &self.body["result"]
    }

    /// Asserts an error answer and returns its message.
    fn error(&self, code: u16, status: &str) -> String {
        assert_eq!(
            self.status.as_u16(),
            code,
            "unexpected answer {}",
            self.body
        );
        assert_eq!(self.body["error"]["code"], json!(code), "{}", self.body);
        assert_eq!(self.body["error"]["status"], json!(status), "{}", self.body);
        assert!(self.body["requestId"].as_str().is_some());
        assert!(self.body.get("result").is_none());
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

async fn cloud(knobs: Knobs) -> Cloud {
    let sim = Simulator::open(SimOptions {
        knobs,
        ..SimOptions::default()
    })
    .expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(jdcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    Cloud {
        sim,
        base: format!("http://{bound}"),
        client: Client::new(),
        creds: Credentials {
            access_key: jdcloud::DEFAULT_ACCESS_KEY.into(),
            secret_key: jdcloud::DEFAULT_SECRET_KEY.into(),
        },
        server,
    }
}

fn timed(ms: u64) -> Knobs {
    Knobs {
        transition_ms: ms,
        ..Knobs::default()
    }
}

/// A request as the client builds it before signing.
struct Prepared {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Cloud {
    fn prepare(&self, method: Method, path: &str, query: &str, body: Option<Value>) -> Prepared {
        let mut url = format!(
            "{}/v1/regions/{REGION}{}",
            self.base,
            sign::encode_path(path)
        );
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let body = body
            .map(|b| serde_json::to_vec(&b).expect("json"))
            .unwrap_or_default();
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("host".to_string(), sign::host_header(&url).expect("host")),
        ];
        Prepared {
            method,
            url,
            headers,
            body,
        }
    }

    fn signed(
        &self,
        p: &Prepared,
        service: &str,
        creds: &Credentials,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Vec<(String, String)> {
        let req = sign::Request {
            method: p.method.as_str(),
            url: &p.url,
            headers: &p.headers,
            body: &p.body,
            service,
        };
        let nonce = uuid::Uuid::new_v4().to_string();
        let mut all = p.headers.clone();
        all.extend(sign::sign(&req, creds, at, &nonce).expect("sign"));
        all
    }

    async fn send(&self, p: &Prepared, headers: &[(String, String)], body: &[u8]) -> Answer {
        let mut rb = self.client.request(p.method.clone(), &p.url);
        for (n, v) in headers {
            if n != "host" {
                rb = rb.header(n, v);
            }
        }
        let response = rb.body(body.to_vec()).send().await.expect("send");
        let status = response.status();
        let body = response.json().await.expect("json body");
        Answer { status, body }
    }

    async fn call_as(
        &self,
        service: &str,
        method: Method,
        path: &str,
        query: &str,
        body: Option<Value>,
    ) -> Answer {
        let p = self.prepare(method, path, query, body);
        let headers = self.signed(&p, service, &self.creds, chrono::Utc::now());
        self.send(&p, &headers, &p.body).await
    }

    async fn get(&self, path: &str, query: &str) -> Answer {
        self.call_as("vm", Method::GET, path, query, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call_as("vm", Method::POST, path, "", Some(body)).await
    }

    async fn delete(&self, path: &str, query: &str) -> Answer {
        self.call_as("vm", Method::DELETE, path, query, None).await
    }

    async fn status(&self, id: &str) -> String {
        let a = self.get(&format!("/instances/{id}"), "").await;
        a.result()["instance"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Polls until the instance is `want` (or gone, for `""`), within 10 s.
    async fn wait_for(&self, id: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let a = self.get(&format!("/instances/{id}"), "").await;
            let now = if a.status == StatusCode::NOT_FOUND {
                String::new()
            } else {
                a.result()["instance"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            if now == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "instance {id} is {now}, waited for {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn wait_image(&self, id: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let a = self.get(&format!("/images/{id}"), "").await;
            let now = if a.status == StatusCode::NOT_FOUND {
                String::new()
            } else {
                a.result()["image"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            if now == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "image {id} is {now}, waited for {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn create(&self, spec: Value) -> Vec<String> {
        let a = self.post("/instances", spec).await;
        a.result()["instanceIds"]
            .as_array()
            .expect("instanceIds")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect()
    }

    async fn create_one(&self, image: &str) -> String {
        let ids = self
            .create(json!({"instanceSpec": spec("web-1", image)}))
            .await;
        ids[0].clone()
    }
}

fn spec(name: &str, image: &str) -> Value {
    json!({
        "az": "cn-north-1a",
        "instanceType": "g.n2.large",
        "imageId": image,
        "name": name,
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-bj0001"}},
    })
}

#[tokio::test]
async fn sim_jdcloud_signature_accepted_and_tampering_refused() {
    let c = cloud(Knobs::default()).await;
    assert!(c
        .get("/instances", "pageNumber=1&pageSize=10")
        .await
        .result()["instances"]
        .is_array());

    let creds = c.creds.clone();
    let now = chrono::Utc::now();
    let p = c.prepare(
        Method::POST,
        "/instances/i-nothere:stopInstance",
        "",
        Some(json!({})),
    );
    let good = c.signed(&p, "vm", &creds, now);
    // The signature is right: the instance simply does not exist.
    let a = c.send(&p, &good, &p.body).await;
    assert_eq!(a.error(404, "NOT_FOUND"), "instance i-nothere not found");

    // A changed body.
    let p = c.prepare(
        Method::POST,
        "/instances/i-nothere:stopInstance",
        "",
        Some(json!({})),
    );
    let h = c.signed(&p, "vm", &creds, now);
    let a = c
        .send(&p, &h, br#"{"chargeOnStopped":"stopCharging"}"#)
        .await;
    assert_eq!(
        a.error(401, "UNAUTHENTICATED"),
        "sign result is not same [gw]"
    );

    // A changed path: signed for one instance, sent to another.
    let p = c.prepare(
        Method::POST,
        "/instances/i-one:stopInstance",
        "",
        Some(json!({})),
    );
    let h = c.signed(&p, "vm", &creds, now);
    let other = Prepared {
        url: p.url.replace("i-one", "i-two"),
        method: p.method.clone(),
        headers: p.headers.clone(),
        body: p.body.clone(),
    };
    let a = c.send(&other, &h, &p.body).await;
    assert_eq!(
        a.error(401, "UNAUTHENTICATED"),
        "sign result is not same [gw]"
    );

    // A changed query.
    let p = c.prepare(Method::GET, "/instances", "pageSize=10", None);
    let h = c.signed(&p, "vm", &creds, now);
    let moved = Prepared {
        url: p.url.replace("pageSize=10", "pageSize=20"),
        method: Method::GET,
        headers: p.headers.clone(),
        body: Vec::new(),
    };
    assert_eq!(
        c.send(&moved, &h, b"").await.error(401, "UNAUTHENTICATED"),
        "sign result is not same [gw]"
    );

    // The wrong secret key, and an unknown access key.
    let p = c.prepare(Method::GET, "/instances", "", None);
    let wrong = Credentials {
        access_key: creds.access_key.clone(),
        secret_key: "not-the-secret".into(),
    };
    let h = c.signed(&p, "vm", &wrong, now);
    assert_eq!(
        c.send(&p, &h, b"").await.error(401, "UNAUTHENTICATED"),
        "sign result is not same [gw]"
    );
    let stranger = Credentials {
        access_key: "someone-else".into(),
        secret_key: creds.secret_key.clone(),
    };
    let h = c.signed(&p, "vm", &stranger, now);
    assert_eq!(
        c.send(&p, &h, b"").await.error(401, "UNAUTHENTICATED"),
        "invalid access key someone-else"
    );

    // No Authorization at all.
    let a = c.send(&p, &p.headers, b"").await;
    assert_eq!(
        a.error(401, "UNAUTHENTICATED"),
        "missing Authorization header"
    );

    // Date or nonce header missing.
    let h = c.signed(&p, "vm", &creds, now);
    let without_date: Vec<_> = h
        .iter()
        .filter(|(n, _)| n != "x-jdcloud-date")
        .cloned()
        .collect();
    assert_eq!(
        c.send(&p, &without_date, b"")
            .await
            .error(401, "UNAUTHENTICATED"),
        "x-jdcloud-date must be present and signed"
    );
    let h = c.signed(&p, "vm", &creds, now);
    let without_nonce: Vec<_> = h
        .iter()
        .filter(|(n, _)| n != "x-jdcloud-nonce")
        .cloned()
        .collect();
    assert_eq!(
        c.send(&p, &without_nonce, b"")
            .await
            .error(401, "UNAUTHENTICATED"),
        "x-jdcloud-nonce must be present and signed"
    );

    // A stale date (10 minutes ago).
    let h = c.signed(&p, "vm", &creds, now - chrono::Duration::minutes(10));
    assert!(c
        .send(&p, &h, b"")
        .await
        .error(401, "UNAUTHENTICATED")
        .contains("more than 5 minutes"));

    // A replayed request (same nonce).
    let h = c.signed(&p, "vm", &creds, now);
    c.send(&p, &h, b"").await.result();
    assert!(c
        .send(&p, &h, b"")
        .await
        .error(401, "UNAUTHENTICATED")
        .contains("already used"));

    // Signed for the wrong service.
    let h = c.signed(&p, "vpc", &creds, now);
    assert!(c
        .send(&p, &h, b"")
        .await
        .error(401, "UNAUTHENTICATED")
        .contains("does not match"));

    // The raw-colon form of an action path is accepted too.
    let id = c.create_one(UBUNTU).await;
    c.wait_for(&id, "running").await;
    let url = format!("{}/v1/regions/{REGION}/instances/{id}:stopInstance", c.base);
    let p = Prepared {
        method: Method::POST,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("host".into(), sign::host_header(&url).expect("host")),
        ],
        url,
        body: b"{}".to_vec(),
    };
    let h = c.signed(&p, "vm", &creds, chrono::Utc::now());
    c.send(&p, &h, b"{}").await.result();
}

#[tokio::test]
async fn sim_jdcloud_instance_state_machine_with_transition_ms() {
    // Long enough that the checks made right after a request still see the transient state
    // on a busy machine; the waits poll, so a fast machine does not wait longer.
    let c = cloud(timed(500)).await;
    let id = c.create_one(UBUNTU).await;
    assert!(id.starts_with("i-") && id.len() == 12, "{id}");
    assert_eq!(c.status(&id).await, "pending");
    let a = c
        .post(&format!("/instances/{id}:stopInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is pending; stopInstance needs it to be running")
    );
    c.wait_for(&id, "running").await;

    // Running: start, resize, rebuild and createImage are refused.
    let a = c
        .post(&format!("/instances/{id}:startInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is running; startInstance needs it to be stopped")
    );
    let a = c
        .post(
            &format!("/instances/{id}:resizeInstance"),
            json!({"instanceType": "g.n2.xlarge"}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is running; resizeInstance needs it to be stopped")
    );
    let a = c
        .post(&format!("/instances/{id}:rebuildInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is running; rebuildInstance needs it to be stopped")
    );
    let a = c
        .post(
            &format!("/instances/{id}:createImage"),
            json!({"name": "img-1"}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is running; createImage needs it to be stopped")
    );

    // reboot: running → rebooting → running.
    c.post(&format!("/instances/{id}:rebootInstance"), json!({}))
        .await
        .result();
    assert_eq!(c.status(&id).await, "rebooting");
    let a = c.delete(&format!("/instances/{id}"), "").await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!(
            "instance {id} is rebooting; deleteInstance needs it to be running or stopped or error"
        )
    );
    c.wait_for(&id, "running").await;

    // stop: the Go SDK's body, nulls and path duplicates included, is accepted.
    c.post(
        &format!("/instances/{id}:stopInstance"),
        json!({"regionId": REGION, "instanceId": id, "chargeOnStopped": null}),
    )
    .await
    .result();
    assert_eq!(c.status(&id).await, "stopping");
    let a = c
        .post(&format!("/instances/{id}:startInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is stopping; startInstance needs it to be stopped")
    );
    let a = c.get(&format!("/instances/{id}/vnc"), "").await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is stopping; describeInstanceVncUrl needs it to be running")
    );
    c.wait_for(&id, "stopped").await;

    // resize: stopped → resizing → stopped, with the new type.
    c.post(
        &format!("/instances/{id}:resizeInstance"),
        json!({"instanceType": "g.n2.xlarge"}),
    )
    .await
    .result();
    assert_eq!(c.status(&id).await, "resizing");
    c.wait_for(&id, "stopped").await;
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    assert_eq!(inst["instanceType"], "g.n2.xlarge");

    // rebuild: stopped → rebuilding → stopped; a localDisk image does not fit a cloud system disk.
    let a = c
        .post(
            &format!("/instances/{id}:rebuildInstance"),
            json!({"imageId": CENTOS}),
        )
        .await;
    assert!(a
        .error(400, "FAILED_PRECONDITION")
        .contains("needs a cloudDisk image"));
    c.post(
        &format!("/instances/{id}:rebuildInstance"),
        json!({"password": "Skyform#2024", "passWordAuth": "yes"}),
    )
    .await
    .result();
    assert_eq!(c.status(&id).await, "rebuilding");
    c.wait_for(&id, "stopped").await;

    // createImage: only stopped (the seed); the image goes pending → ready and
    // the instance has a task meanwhile.
    let a = c
        .post(
            &format!("/instances/{id}:createImage"),
            json!({"name": "img-1", "description": "d"}),
        )
        .await;
    let image = a.result()["imageId"].as_str().expect("imageId").to_string();
    assert_eq!(image.len(), 36, "a UUID: {image}");
    let got = c.get(&format!("/images/{image}"), "").await;
    assert_eq!(got.result()["image"]["status"], "pending");
    let a = c
        .post(&format!("/instances/{id}:startInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("Conflict with underlay task: instance {id} has a createImage task in progress")
    );
    c.wait_image(&image, "ready").await;

    // start: stopped → starting → running; the VNC URL is then available.
    c.post(&format!("/instances/{id}:startInstance"), json!({}))
        .await
        .result();
    assert_eq!(c.status(&id).await, "starting");
    c.wait_for(&id, "running").await;
    let vnc = c.get(&format!("/instances/{id}/vnc"), "").await;
    assert!(vnc.result()["vncUrl"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));

    // modifyInstanceAttribute and modifyInstancePassword.
    c.post(
        &format!("/instances/{id}:modifyInstanceAttribute"),
        json!({"name": "web-renamed", "description": "new"}),
    )
    .await
    .result();
    let a = c
        .post(
            &format!("/instances/{id}:modifyInstanceAttribute"),
            json!({"name": ".bad"}),
        )
        .await;
    assert!(a.error(400, "INVALID_ARGUMENT").starts_with("invalid name"));
    c.post(
        &format!("/instances/{id}:modifyInstancePassword"),
        json!({"password": "Skyform#2025"}),
    )
    .await
    .result();
    let a = c
        .post(
            &format!("/instances/{id}:modifyInstancePassword"),
            json!({"password": "short"}),
        )
        .await;
    assert!(a
        .error(400, "INVALID_ARGUMENT")
        .starts_with("invalid password"));
    let a = c
        .post(
            &format!("/instances/{id}:modifyInstancePassword"),
            json!({}),
        )
        .await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "missing required parameter password"
    );
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    assert_eq!(inst["instanceName"], "web-renamed");
    assert_eq!(inst["description"], "new");

    // delete: running → deleting → gone (404).
    c.delete(&format!("/instances/{id}"), "").await.result();
    assert_eq!(c.status(&id).await, "deleting");
    c.wait_for(&id, "").await;
    let a = c.get(&format!("/instances/{id}"), "").await;
    assert_eq!(
        a.error(404, "NOT_FOUND"),
        format!("instance {id} not found")
    );
}

#[tokio::test]
async fn sim_jdcloud_create_validation_quota_and_client_token() {
    let c = cloud(Knobs::default()).await;
    let body =
        json!({"instanceSpec": spec("web-1", UBUNTU), "maxCount": 2, "clientToken": "tok-1"});
    let first = c.create(body.clone()).await;
    assert_eq!(first.len(), 2);
    let again = c.create(body).await;
    assert_eq!(first, again, "same clientToken, same instanceIds");
    let listed = c.get("/instances", "").await;
    assert_eq!(listed.result()["totalCount"], 2, "nothing new was created");

    // Invalid and missing parameters.
    let a = c.post("/instances", json!({})).await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "missing required parameter instanceSpec"
    );
    let mut s = spec("web-1", UBUNTU);
    s["primaryNetworkInterface"] = json!({"networkInterface": {}});
    let a = c.post("/instances", json!({"instanceSpec": s})).await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "missing required parameter primaryNetworkInterface.networkInterface.subnetId"
    );
    let a = c
        .post(
            "/instances",
            json!({"instanceSpec": spec("web-1", UBUNTU), "maxCount": 101}),
        )
        .await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "invalid maxCount 101: must be between 1 and 100"
    );
    let mut s = spec("web-1", UBUNTU);
    s["primaryNetworkInterface"]["networkInterface"]["subnetId"] = json!("subnet-nope");
    assert_eq!(
        c.post("/instances", json!({"instanceSpec": s}))
            .await
            .error(404, "NOT_FOUND"),
        "subnet subnet-nope not found"
    );
    let mut s = spec("web-1", UBUNTU);
    s["instanceType"] = json!("m.n2.large");
    assert_eq!(
        c.post("/instances", json!({"instanceSpec": s}))
            .await
            .error(400, "FAILED_PRECONDITION"),
        "instance type m.n2.large is sold out"
    );
    let mut s = spec("web-1", WINDOWS);
    s["instanceType"] = json!("g.n2.medium");
    assert_eq!(
        c.post("/instances", json!({"instanceSpec": s}))
            .await
            .error(400, "FAILED_PRECONDITION"),
        format!("image {WINDOWS} does not support instance type g.n2.medium")
    );
    let mut s = spec("web-1", UBUNTU);
    s["dataDisks"] =
        json!([{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 25}}]);
    assert!(c
        .post("/instances", json!({"instanceSpec": s}))
        .await
        .error(400, "INVALID_ARGUMENT")
        .starts_with("invalid diskSizeGB 25"));
    let mut s = spec("web-1", UBUNTU);
    s["dataDisks"] = json!((0..8)
        .map(|_| json!({"cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}))
        .collect::<Vec<_>>());
    assert!(c
        .post("/instances", json!({"instanceSpec": s}))
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("at most 7 data disks"));
    let mut s = spec("web-1", UBUNTU);
    s["elasticIp"] = json!({"bandwidthMbps": 0, "provider": "bgp"});
    assert!(c
        .post("/instances", json!({"instanceSpec": s}))
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("bandwidthMbps"));
    let mut s = spec("web-1", UBUNTU);
    s["primaryNetworkInterface"]["networkInterface"]["primaryIpAddress"] = json!("10.0.0.50");
    let a = c
        .post(
            "/instances",
            json!({"instanceSpec": s.clone(), "maxCount": 2}),
        )
        .await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "maxCount must be 1 when primaryIpAddress is given"
    );
    let fixed = c.create(json!({"instanceSpec": s.clone()})).await;
    let inst = c
        .get(&format!("/instances/{}", fixed[0]), "")
        .await
        .result()["instance"]
        .clone();
    assert_eq!(inst["privateIpAddress"], "10.0.0.50");
    assert_eq!(
        c.post("/instances", json!({"instanceSpec": s}))
            .await
            .error(400, "FAILED_PRECONDITION"),
        "primaryIpAddress 10.0.0.50 is already in use"
    );
    let mut s = spec("web-1", UBUNTU);
    s["primaryNetworkInterface"]["networkInterface"]["securityGroups"] = json!(["sg-bj0003"]);
    assert!(c
        .post("/instances", json!({"instanceSpec": s}))
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("not in the subnet's VPC"));

    let mut s = spec("web-1", CENTOS);
    s["systemDisk"] = json!({"diskCategory": "local", "autoDelete": false});
    assert!(c
        .post("/instances", json!({"instanceSpec": s}))
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("autoDelete cannot be false"));
    let mut s = spec("web-1", CENTOS);
    s["systemDisk"] = json!({"diskCategory": "cloud"});
    assert!(c
        .post("/instances", json!({"instanceSpec": s}))
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("needs local"));

    // Quota: 20 instances per region (3 exist).
    let a = c
        .post(
            "/instances",
            json!({"instanceSpec": spec("web-1", UBUNTU), "maxCount": 18}),
        )
        .await;
    assert_eq!(
        a.error(429, "QUOTA_EXCEEDED"),
        "Quota exceeded: instance quota is 20, 3 used, 18 requested"
    );
    let q = c
        .get(
            "/quotas",
            "filters.1.name=resourceTypes&filters.1.values.1=instance",
        )
        .await;
    assert_eq!(
        q.result()["quotas"],
        json!([{"resourceType": "instance", "limit": 20, "used": 3}])
    );
}

#[tokio::test]
async fn sim_jdcloud_disks_nics_and_elastic_ips() {
    let c = cloud(timed(400)).await;
    let mut s = spec("db-1", UBUNTU);
    s["elasticIp"] = json!({"bandwidthMbps": 10, "provider": "bgp"});
    s["dataDisks"] = json!([
        {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 50, "name": "keep"}, "autoDelete": false},
        {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "premium-hdd", "diskSizeGB": 100}},
    ]);
    let id = c.create(json!({"instanceSpec": s})).await.remove(0);
    c.wait_for(&id, "running").await;
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    let eip = inst["elasticIpId"].as_str().expect("eip").to_string();
    assert!(eip.starts_with("fip-"));
    assert_eq!(inst["dataDisks"].as_array().map(Vec::len), Some(2));
    assert_eq!(inst["dataDisks"][0]["deviceName"], "vdb");
    assert_eq!(inst["dataDisks"][0]["autoDelete"], false);
    assert_eq!(
        inst["dataDisks"][1]["autoDelete"], true,
        "the seed: data disks are deleted with the instance by default"
    );
    let kept = inst["dataDisks"][0]["cloudDisk"]["diskId"]
        .as_str()
        .expect("disk")
        .to_string();
    let dropped = inst["dataDisks"][1]["cloudDisk"]["diskId"]
        .as_str()
        .expect("disk")
        .to_string();

    // Elastic IPs: one per primary NIC.
    let a = c
        .post(
            &format!("/instances/{id}:associateElasticIp"),
            json!({"elasticIpId": "fip-bj0001"}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} already has elastic IP {eip} bound; only one is allowed")
    );
    c.post(
        &format!("/instances/{id}:disassociateElasticIp"),
        json!({"elasticIpId": eip}),
    )
    .await
    .result();
    let a = c
        .post(
            &format!("/instances/{id}:disassociateElasticIp"),
            json!({"elasticIpId": eip}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("elastic IP {eip} is not bound to instance {id}")
    );
    let a = c
        .post(
            &format!("/instances/{id}:associateElasticIp"),
            json!({"elasticIpId": "fip-bj0002"}),
        )
        .await;
    assert!(a.error(400, "FAILED_PRECONDITION").contains("same az"));
    let a = c
        .post(
            &format!("/instances/{id}:associateElasticIp"),
            json!({"elasticIpId": "fip-none"}),
        )
        .await;
    assert_eq!(a.error(404, "NOT_FOUND"), "elasticIp fip-none not found");
    c.post(
        &format!("/instances/{id}:associateElasticIp"),
        json!({"elasticIpId": "fip-bj0001"}),
    )
    .await
    .result();
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    assert_eq!(inst["elasticIpId"], "fip-bj0001");

    // Disks: attach a catalogue disk, attaching → attached.
    c.post(
        &format!("/instances/{id}:attachDisk"),
        json!({"diskId": "vol-bj0001", "autoDelete": true}),
    )
    .await
    .result();
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    assert_eq!(inst["dataDisks"][2]["status"], "attaching");
    assert_eq!(inst["dataDisks"][2]["deviceName"], "vdd");
    let a = c
        .post(&format!("/instances/{id}:stopInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("Conflict with underlay task: instance {id} has a attachDisk task in progress")
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
        if inst["dataDisks"][2]["status"] == "attached" {
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let a = c
        .post(
            &format!("/instances/{id}:attachDisk"),
            json!({"diskId": "vol-bj0001"}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("disk vol-bj0001 already attached to instance {id}")
    );
    let a = c
        .post(
            &format!("/instances/{id}:attachDisk"),
            json!({"diskId": "vol-bj0002"}),
        )
        .await;
    assert!(a.error(400, "FAILED_PRECONDITION").contains("same az"));
    let a = c
        .post(&format!("/instances/{id}:attachDisk"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "missing required parameter diskId"
    );

    // modifyInstanceDiskAttribute, then detach: detaching → detached (still listed).
    c.post(
        &format!("/instances/{id}:modifyInstanceDiskAttribute"),
        json!({"dataDisks": [{"diskId": "vol-bj0001", "autoDelete": false}]}),
    )
    .await
    .result();
    let a = c
        .post(
            &format!("/instances/{id}:modifyInstanceDiskAttribute"),
            json!({"dataDisks": [{"diskId": "vol-x", "autoDelete": false}]}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("disk vol-x is not a data disk of instance {id}")
    );
    c.post(
        &format!("/instances/{id}:detachDisk"),
        json!({"diskId": "vol-bj0001"}),
    )
    .await
    .result();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
        let st = inst["dataDisks"][2]["status"].clone();
        if st == "detached" {
            break;
        }
        assert_eq!(st, "detaching");
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // NICs: a spare catalogue NIC in the same VPC; limits; never the primary.
    let a = c
        .post(
            &format!("/instances/{id}:attachNetworkInterface"),
            json!({"networkInterfaceId": "port-bj0003"}),
        )
        .await;
    assert!(a.error(400, "FAILED_PRECONDITION").contains("same vpc"));
    c.post(
        &format!("/instances/{id}:attachNetworkInterface"),
        json!({"networkInterfaceId": "port-bj0001", "autoDelete": true}),
    )
    .await
    .result();
    c.post(
        &format!("/instances/{id}:attachNetworkInterface"),
        json!({"networkInterfaceId": "port-bj0002"}),
    )
    .await
    .result();
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    assert_eq!(inst["secondaryNetworkInterfaces"][0]["deviceIndex"], 2);
    assert_eq!(inst["secondaryNetworkInterfaces"][0]["autoDelete"], true);
    let primary = inst["primaryNetworkInterface"]["networkInterface"]["networkInterfaceId"]
        .as_str()
        .expect("nic")
        .to_string();
    assert_eq!(inst["primaryNetworkInterface"]["deviceIndex"], 1);
    let a = c
        .post(
            &format!("/instances/{id}:detachNetworkInterface"),
            json!({"networkInterfaceId": primary}),
        )
        .await;
    assert!(a
        .error(400, "FAILED_PRECONDITION")
        .contains("cannot be detached"));
    let a = c
        .post(
            &format!("/instances/{id}:modifyInstanceNetworkAttribute"),
            json!({"networks": [{"networkInterfaceId": primary, "autoDelete": false}]}),
        )
        .await;
    assert!(a
        .error(400, "FAILED_PRECONDITION")
        .contains("cannot be modified"));
    c.post(
        &format!("/instances/{id}:modifyInstanceNetworkAttribute"),
        json!({"networks": [{"networkInterfaceId": "port-bj0002", "autoDelete": false}]}),
    )
    .await
    .result();
    c.post(
        &format!("/instances/{id}:detachNetworkInterface"),
        json!({"networkInterfaceId": "port-bj0002"}),
    )
    .await
    .result();
    // g.n2.large allows 3 NICs: shrinking to g.n2.medium (2) would not fit after re-attaching.
    c.post(
        &format!("/instances/{id}:attachNetworkInterface"),
        json!({"networkInterfaceId": "port-bj0002"}),
    )
    .await
    .result();
    c.post(&format!("/instances/{id}:stopInstance"), json!({}))
        .await
        .result();
    c.wait_for(&id, "stopped").await;
    let a = c
        .post(
            &format!("/instances/{id}:resizeInstance"),
            json!({"instanceType": "g.n2.medium"}),
        )
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} has 3 network interfaces; instance type g.n2.medium allows 2")
    );
    let a = c
        .post(
            &format!("/instances/{id}:resizeInstance"),
            json!({"instanceType": "g.n2.xlarge"}),
        )
        .await;
    a.result();
    c.wait_for(&id, "stopped").await;
    let a = c
        .post(
            &format!("/instances/{id}:attachNetworkInterface"),
            json!({"networkInterfaceId": "port-bj0003"}),
        )
        .await;
    assert!(a.error(400, "FAILED_PRECONDITION").contains("same vpc"));

    // Delete: autoDelete disks and NICs go, the rest are released.
    c.delete(&format!("/instances/{id}"), "").await.result();
    c.wait_for(&id, "").await;
    let state = c.sim.snapshot();
    assert!(state["disks"].get(&dropped).is_none());
    assert_eq!(state["disks"][&kept]["status"], "available");
    assert_eq!(state["disks"]["vol-bj0001"]["status"], "available");
    assert!(
        state["network_interfaces"].get("port-bj0001").is_none(),
        "autoDelete NIC deleted"
    );
    assert_eq!(state["network_interfaces"]["port-bj0002"]["instanceId"], "");
    assert_eq!(
        state["elastic_ips"]["fip-bj0001"]["instanceId"], "",
        "EIP unbound, kept"
    );
    assert!(
        state["elastic_ips"].get(&eip).is_some(),
        "the created EIP is kept by default"
    );
}

#[tokio::test]
async fn sim_jdcloud_images() {
    let c = cloud(Knobs::default()).await;
    let a = c.get("/images", "").await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "missing required parameter imageSource"
    );
    let public = c.get("/images", "imageSource=public&pageSize=10").await;
    assert_eq!(public.result()["totalCount"], 3);
    let linux = c.get("/images", "imageSource=public&platform=Ubuntu").await;
    assert_eq!(linux.result()["images"][0]["imageId"], UBUNTU);
    let by_id = c.get("/images", &format!("ids.1={CENTOS}")).await;
    assert_eq!(by_id.result()["images"][0]["rootDeviceType"], "localDisk");
    let shared = c.get("/images", "imageSource=shared").await;
    assert_eq!(shared.result()["images"][0]["imageId"], SHARED);

    let a = c.get(&format!("/images/{WINDOWS}/constraints"), "").await;
    assert_eq!(
        a.result()["imageConstraints"],
        json!({"imageId": WINDOWS, "imageInstanceTypeConstraint": {"constraintsType": "excludes", "instanceTypes": ["g.n2.medium"]}})
    );
    let a = c
        .get(
            "/imageConstraints",
            &format!("ids.1={WINDOWS}&ids.2={UBUNTU}"),
        )
        .await;
    assert_eq!(
        a.result()["imageConstraints"].as_array().map(Vec::len),
        Some(2)
    );

    // Public images are not ours to change.
    let a = c.delete(&format!("/images/{UBUNTU}"), "").await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!(
            "image {UBUNTU} is a public image; deleteImage only operates on your private images"
        )
    );

    let id = c.create_one(UBUNTU).await;
    c.wait_for(&id, "running").await;
    c.post(&format!("/instances/{id}:stopInstance"), json!({}))
        .await
        .result();
    c.wait_for(&id, "stopped").await;
    let image = c
        .post(
            &format!("/instances/{id}:createImage"),
            json!({"name": "mine"}),
        )
        .await
        .result()["imageId"]
        .as_str()
        .expect("id")
        .to_string();
    c.wait_image(&image, "ready").await;
    let private = c.get("/images", "imageSource=private").await;
    assert_eq!(private.result()["images"][0]["imageId"], image.as_str());
    assert_eq!(
        private.result()["images"][0]["launchPermission"],
        "ownerOnly"
    );

    c.post(
        &format!("/images/{image}:modifyImageAttribute"),
        json!({"name": "mine-2", "description": "x"}),
    )
    .await
    .result();
    c.post(
        &format!("/images/{image}:share"),
        json!({"pins": ["friend-1", "friend-2"]}),
    )
    .await
    .result();
    let a = c
        .post(
            &format!("/images/{image}:share"),
            json!({"pins": ["skyform-user"]}),
        )
        .await;
    assert_eq!(
        a.error(400, "INVALID_ARGUMENT"),
        "an image cannot be shared with its own account"
    );
    let m = c.get(&format!("/images/{image}/members"), "").await;
    assert_eq!(m.result()["pins"], json!(["friend-1", "friend-2"]));
    let q = c
        .get(
            "/quotas",
            &format!("filters.1.name=resourceTypes&filters.1.values.1=imageShare&imageId={image}"),
        )
        .await;
    assert_eq!(
        q.result()["quotas"][0],
        json!({"resourceType": "imageShare", "limit": 20, "used": 2})
    );
    let a = c.delete(&format!("/images/{image}"), "").await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("image {image} is shared with other accounts; unshare it before deleting it")
    );
    c.post(
        &format!("/images/{image}:unshare"),
        json!({"pins": ["friend-1", "friend-2"]}),
    )
    .await
    .result();

    let copied = c
        .post(
            "/images:copyImages",
            json!({"sourceImageIds": [image], "destinationRegion": "cn-east-2"}),
        )
        .await;
    let pair = copied.result()["copyImages"][0].clone();
    assert_eq!(pair["sourceImageId"], image.as_str());
    assert!(pair["destinationImageId"]
        .as_str()
        .is_some_and(|d| d.len() == 36));
    let a = c
        .post(
            "/images:copyImages",
            json!({"sourceImageIds": [CENTOS], "destinationRegion": "cn-east-2"}),
        )
        .await;
    a.error(400, "FAILED_PRECONDITION");

    c.delete(&format!("/images/{image}"), "").await.result();
    c.wait_image(&image, "").await;
    let a = c.get(&format!("/images/{image}"), "").await;
    assert_eq!(
        a.error(404, "NOT_FOUND"),
        format!("image {image} not found")
    );
}

#[tokio::test]
async fn sim_jdcloud_paging_and_filters() {
    let c = cloud(Knobs::default()).await;
    let ids = c
        .create(json!({"instanceSpec": spec("app", UBUNTU), "maxCount": 12}))
        .await;
    let mut other = spec("batch", CENTOS);
    other["az"] = json!("cn-north-1b");
    let odd = c.create(json!({"instanceSpec": other})).await.remove(0);

    let p1 = c.get("/instances", "pageNumber=1&pageSize=10").await;
    assert_eq!(p1.result()["totalCount"], 13);
    assert_eq!(p1.result()["instances"].as_array().map(Vec::len), Some(10));
    assert_eq!(
        p1.result()["instances"][0]["instanceId"],
        ids[0].as_str(),
        "creation order"
    );
    let p2 = c.get("/instances", "pageNumber=2&pageSize=10").await;
    assert_eq!(p2.result()["instances"].as_array().map(Vec::len), Some(3));
    let p3 = c.get("/instances", "pageNumber=3&pageSize=10").await;
    assert_eq!(p3.result()["instances"], json!([]));
    assert_eq!(p3.result()["totalCount"], 13);
    assert!(c
        .get("/instances", "pageSize=5")
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("between 10 and 100"));
    assert!(c
        .get("/instances", "pageNumber=0")
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("pageNumber"));

    let by_az = c
        .get(
            "/instances",
            "filters.1.name=az&filters.1.values.1=cn-north-1b",
        )
        .await;
    assert_eq!(by_az.result()["totalCount"], 1);
    assert_eq!(by_az.result()["instances"][0]["instanceId"], odd.as_str());
    let by_name = c
        .get("/instances", "filters.1.name=name&filters.1.values.1=bat")
        .await;
    assert_eq!(by_name.result()["totalCount"], 1, "name is a fuzzy filter");
    let by_ids = c
        .get(
            "/instances",
            &format!(
                "filters.1.name=instanceId&filters.1.values.1={}&filters.1.values.2={odd}",
                ids[3]
            ),
        )
        .await;
    assert_eq!(by_ids.result()["totalCount"], 2);
    let anded = c
        .get("/instances", &format!("filters.1.name=instanceId&filters.1.values.1={odd}&filters.2.name=status&filters.2.values.1=stopped"))
        .await;
    assert_eq!(anded.result()["totalCount"], 0, "filters are ANDed");
    let a = c
        .get("/instances", "filters.1.name=colour&filters.1.values.1=red")
        .await;
    assert!(a
        .error(400, "INVALID_ARGUMENT")
        .starts_with("invalid filter name \"colour\""));

    let statuses = c
        .get(
            "/instanceStatus",
            "filters.1.name=status&filters.1.values.1=running&pageSize=100",
        )
        .await;
    assert_eq!(statuses.result()["totalCount"], 13);
    assert_eq!(
        statuses.result()["instanceStatuses"][0],
        json!({"instanceId": ids[0], "status": "running"})
    );
    let ips = c
        .get(
            "/instancePrivateIpAddress",
            &format!("filters.1.name=instanceId&filters.1.values.1={}", ids[0]),
        )
        .await;
    assert_eq!(
        ips.result()["instancePrivateIpAddress"],
        json!([{"instanceId": ids[0], "privateIpAddress": "10.0.0.3"}])
    );

    let types = c.get("/instanceTypes", "filters.1.name=instanceTypes&filters.1.values.1=g.n2.large&filters.2.name=az&filters.2.values.1=cn-north-1a").await;
    let t = &types.result()["instanceTypes"];
    assert_eq!(types.result()["totalCount"], 1);
    assert_eq!(t[0]["nicLimit"], 3);
    assert_eq!(
        t[0]["state"],
        json!([{"az": "cn-north-1a", "inStock": true, "availableCount": 0}])
    );
    assert_eq!(types.result()["specificInstanceTypes"], json!([]));

    let quotas = c.get("/quotas", "").await;
    let q = quotas.result()["quotas"]
        .as_array()
        .expect("quotas")
        .clone();
    assert!(q.contains(&json!({"resourceType": "instance", "limit": 20, "used": 13})));
    assert!(q.contains(&json!({"resourceType": "instance_cpu", "limit": 80, "used": 26})));
    assert!(c
        .get(
            "/quotas",
            "filters.1.name=resourceTypes&filters.1.values.1=imageShare"
        )
        .await
        .error(400, "INVALID_ARGUMENT")
        .contains("imageId"));
}

#[tokio::test]
async fn sim_jdcloud_vpc_lists_for_discovery() {
    let c = cloud(Knobs::default()).await;
    let subnets = c
        .call_as(
            "vpc",
            Method::GET,
            "/subnets",
            "filters.1.name=vpcId&filters.1.values.1=vpc-bj0001",
            None,
        )
        .await;
    let r = subnets.result();
    assert_eq!(r["totalCount"], 2);
    assert_eq!(r["subnets"][0]["subnetId"], "subnet-bj0001");
    assert_eq!(r["subnets"][0]["addressPrefix"], "10.0.0.0/24");
    let nics = c
        .call_as(
            "vpc",
            Method::GET,
            "/networkInterfaces",
            "filters.1.name=role&filters.1.values.1=Secondary",
            None,
        )
        .await;
    assert_eq!(nics.result()["totalCount"], 3);
    assert_eq!(nics.result()["networkInterfaces"][0]["instanceId"], "");
    // Signed for vm, the VPC calls are refused.
    let a = c.call_as("vm", Method::GET, "/subnets", "", None).await;
    a.error(401, "UNAUTHENTICATED");
    // A primary NIC made by createInstances shows up there too.
    let id = c.create_one(UBUNTU).await;
    let nics = c
        .call_as(
            "vpc",
            Method::GET,
            "/networkInterfaces",
            "filters.1.name=role&filters.1.values.1=Primary",
            None,
        )
        .await;
    assert_eq!(
        nics.result()["networkInterfaces"][0]["instanceId"],
        id.as_str()
    );
    let one = c
        .call_as(
            "vpc",
            Method::GET,
            "/networkInterfaces/port-bj0001",
            "",
            None,
        )
        .await;
    assert_eq!(
        one.result()["networkInterface"]["primaryIp"]["privateIpAddress"],
        "10.0.0.201"
    );
    let none = c
        .call_as("vpc", Method::GET, "/networkInterfaces/port-none", "", None)
        .await;
    assert_eq!(
        none.error(404, "NOT_FOUND"),
        "networkInterface port-none not found"
    );

    // Elastic IPs and disks from the catalogue are discoverable as well.
    c.wait_for(&id, "running").await;
    c.post(
        &format!("/instances/{id}:associateElasticIp"),
        json!({"elasticIpId": "fip-bj0001"}),
    )
    .await
    .result();
    let eips = c.call_as("vpc", Method::GET, "/elasticIps", "", None).await;
    assert_eq!(eips.result()["totalCount"], 2);
    let eip = c
        .call_as("vpc", Method::GET, "/elasticIps/fip-bj0001", "", None)
        .await;
    assert_eq!(eip.result()["elasticIp"]["instanceId"], id.as_str());
    assert_eq!(eip.result()["elasticIp"]["privateIpAddress"], "10.0.0.3");
    let disks = c
        .call_as(
            "disk",
            Method::GET,
            "/disks",
            "filters.1.name=status&filters.1.values.1=available",
            None,
        )
        .await;
    assert_eq!(disks.result()["totalCount"], 2);
    assert_eq!(disks.result()["disks"][0]["diskId"], "vol-bj0001");
    let vpcs = c.call_as("vpc", Method::GET, "/vpcs", "", None).await;
    assert_eq!(
        vpcs.result()["vpcs"][0]["subnets"].as_array().map(Vec::len),
        Some(2)
    );
    let groups = c
        .call_as(
            "vpc",
            Method::GET,
            "/networkSecurityGroups",
            "filters.1.name=vpcId&filters.1.values.1=vpc-bj0001",
            None,
        )
        .await;
    assert_eq!(groups.result()["totalCount"], 2);
    let keys = c.get("/keypairs", "").await;
    assert_eq!(keys.result()["keypairs"][0]["keyName"], "skyform-key");
    c.call_as("vm", Method::GET, "/disks", "", None)
        .await
        .error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn sim_jdcloud_catalogue_file_extends_the_builtin_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("catalogue.json");
    std::fs::write(
        &file,
        r#"{"subnets": [{"subnetId": "subnet-extra", "subnetName": "extra", "vpcId": "vpc-bj0001", "region": "cn-north-1", "addressPrefix": "10.0.9.0/24"},
                        {"subnetId": "subnet-tiny", "subnetName": "tiny", "vpcId": "vpc-bj0001", "region": "cn-north-1", "addressPrefix": "10.0.8.0/29"}],
            "quotas": {"instance": 6}}"#,
    )
    .expect("write");
    let sim = Simulator::open(SimOptions {
        catalogue_path: Some(file),
        ..SimOptions::default()
    })
    .expect("open");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(jdcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    let c = Cloud {
        sim,
        base: format!("http://{bound}"),
        client: Client::new(),
        creds: Credentials {
            access_key: jdcloud::DEFAULT_ACCESS_KEY.into(),
            secret_key: jdcloud::DEFAULT_SECRET_KEY.into(),
        },
        server,
    };
    let subnets = c
        .call_as(
            "vpc",
            Method::GET,
            "/subnets",
            "filters.1.name=subnetIds&filters.1.values.1=subnet-extra",
            None,
        )
        .await;
    assert_eq!(
        subnets.result()["subnets"][0]["addressPrefix"],
        "10.0.9.0/24"
    );
    let mut s = spec("extra-1", UBUNTU);
    s["primaryNetworkInterface"]["networkInterface"]["subnetId"] = json!("subnet-extra");
    let id = c.create(json!({"instanceSpec": s.clone()})).await.remove(0);
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    assert_eq!(inst["privateIpAddress"], "10.0.9.3");
    // A /29 has 4 usable addresses (from .3): a batch of 5 is refused whole.
    let mut tiny = s.clone();
    tiny["primaryNetworkInterface"]["networkInterface"]["subnetId"] = json!("subnet-tiny");
    let a = c
        .post("/instances", json!({"instanceSpec": tiny, "maxCount": 5}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        "subnet subnet-tiny has fewer than 5 free addresses"
    );
    assert_eq!(
        c.get("/instances", "").await.result()["totalCount"],
        1,
        "nothing was made"
    );
    let a = c
        .post("/instances", json!({"instanceSpec": s, "maxCount": 6}))
        .await;
    assert_eq!(
        a.error(429, "QUOTA_EXCEEDED"),
        "Quota exceeded: instance quota is 6, 1 used, 6 requested"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"planets": []}"#).expect("write");
    let err = Simulator::open(SimOptions {
        catalogue_path: Some(bad),
        ..SimOptions::default()
    })
    .expect_err("unknown catalogue field");
    assert!(err.to_string().contains("planets"), "{err}");
}

#[tokio::test]
async fn sim_jdcloud_knobs_throttle_failures_and_counts() {
    let c = cloud(Knobs::default()).await;
    c.get("/instances", "").await.result();
    c.create_one(UBUNTU).await;
    c.get("/instanceStatus", "").await.result();
    assert_eq!(
        c.sim.call_log(),
        vec![
            "describeInstances",
            "createInstances",
            "describeInstanceStatus"
        ]
    );
    assert_eq!(c.sim.request_counts().get("createInstances"), Some(&1));

    c.sim.set_knobs(Knobs {
        throttle: 2,
        ..Knobs::default()
    });
    c.sim.reset_request_counts();
    // Quick requests until one is refused (a slow machine may cross a window edge).
    let mut sent = 0;
    let mut limited = false;
    while sent < 50 && !limited {
        let a = c.get("/instances", "").await;
        sent += 1;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(
                a.error(429, "RATE_LIMIT"),
                "Request rate limit exceeded, please retry later"
            );
            limited = true;
        } else {
            a.result();
        }
    }
    assert!(limited, "a 2-per-second throttle refuses quick requests");
    assert_eq!(
        c.sim.request_counts().get("describeInstances"),
        Some(&sent),
        "refused requests are counted too"
    );

    c.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    let a = c
        .post("/instances", json!({"instanceSpec": spec("x1", UBUNTU)}))
        .await;
    assert_eq!(a.error(500, "INTERNAL"), "Unknown server error");
    c.sim.set_knobs(Knobs::default());
    assert_eq!(
        c.get("/instances", "").await.result()["totalCount"],
        1,
        "a failed request changes nothing"
    );

    // The inspection endpoints.
    let calls: Value = c
        .client
        .get(format!("{}/_sim/calls", c.base))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        calls.as_array().and_then(|a| a.last()),
        Some(&json!("describeInstances"))
    );
    let counts: Value = c
        .client
        .get(format!("{}/_sim/requests", c.base))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(counts["createInstances"], 1);
    let knobs: Value = c
        .client
        .put(format!("{}/_sim/knobs", c.base))
        .body(r#"{"transition_ms": 5}"#)
        .send()
        .await
        .expect("put")
        .json()
        .await
        .expect("json");
    assert_eq!(knobs["transition_ms"], 5);
    // An unknown path answers with the error envelope.
    let a = c.get("/nothing", "").await;
    assert!(a.error(404, "NOT_FOUND").starts_with("no such API"));
}

#[tokio::test]
async fn sim_jdcloud_failed_creation_is_error_then_removed() {
    let c = cloud(Knobs {
        transition_ms: 400,
        create_failure_rate: 1.0,
        ..Knobs::default()
    })
    .await;
    let mut s = spec("doomed", UBUNTU);
    s["elasticIp"] = json!({"bandwidthMbps": 1, "provider": "bgp"});
    let id = c.create(json!({"instanceSpec": s})).await.remove(0);
    assert_eq!(c.status(&id).await, "pending");
    c.wait_for(&id, "error").await;
    let a = c
        .post(&format!("/instances/{id}:startInstance"), json!({}))
        .await;
    assert_eq!(
        a.error(400, "FAILED_PRECONDITION"),
        format!("instance {id} is error; startInstance needs it to be stopped")
    );
    c.wait_for(&id, "").await;
    let state = c.sim.snapshot();
    assert_eq!(
        state["elastic_ips"].as_object().map(|m| m.len()),
        Some(8),
        "only the catalogue's EIPs remain"
    );
    let q = c
        .get(
            "/quotas",
            "filters.1.name=resourceTypes&filters.1.values.1=instance",
        )
        .await;
    assert_eq!(q.result()["quotas"][0]["used"], 0, "quota released");
}

/// Field names of the reference's object schemas (1.6, 1.8) as the simulator returns them.
#[tokio::test]
async fn sim_jdcloud_answers_have_the_reference_shapes() {
    let c = cloud(Knobs::default()).await;
    let mut s = spec("shape-1", UBUNTU);
    s["dataDisks"] = json!([{"cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}]);
    let id = c.create(json!({"instanceSpec": s})).await.remove(0);
    let inst = c.get(&format!("/instances/{id}"), "").await.result()["instance"].clone();
    for key in [
        "instanceId",
        "instanceName",
        "hostname",
        "instanceType",
        "vpcId",
        "subnetId",
        "privateIpAddress",
        "elasticIpId",
        "elasticIpAddress",
        "status",
        "description",
        "imageId",
        "systemDisk",
        "dataDisks",
        "primaryNetworkInterface",
        "secondaryNetworkInterfaces",
        "launchTime",
        "az",
        "keyNames",
        "charge",
        "ag",
        "faultDomain",
        "tags",
        "chargeOnStopped",
        "osType",
        "platform",
        "architecture",
    ] {
        assert!(inst.get(key).is_some(), "Instance.{key}");
    }
    for key in [
        "diskCategory",
        "autoDelete",
        "cloudDisk",
        "deviceName",
        "status",
    ] {
        assert!(
            inst["dataDisks"][0].get(key).is_some(),
            "InstanceDiskAttachment.{key}"
        );
    }
    for key in [
        "diskId",
        "az",
        "diskType",
        "diskSizeGB",
        "status",
        "createTime",
    ] {
        assert!(
            inst["dataDisks"][0]["cloudDisk"].get(key).is_some(),
            "Disk.{key}"
        );
    }
    let nic = &inst["primaryNetworkInterface"];
    for key in ["deviceIndex", "autoDelete", "networkInterface"] {
        assert!(
            nic.get(key).is_some(),
            "InstanceNetworkInterfaceAttachment.{key}"
        );
    }
    for key in [
        "networkInterfaceId",
        "macAddress",
        "vpcId",
        "subnetId",
        "securityGroups",
        "sanityCheck",
        "primaryIp",
        "secondaryIps",
    ] {
        assert!(
            nic["networkInterface"].get(key).is_some(),
            "NetworkInterface.{key}"
        );
    }
    assert_eq!(
        nic["networkInterface"]["securityGroups"][0]["groupId"], "sg-bj0001",
        "the VPC's default group"
    );
    assert!(inst["launchTime"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    let image = c.get(&format!("/images/{UBUNTU}"), "").await.result()["image"].clone();
    for key in [
        "imageId",
        "name",
        "platform",
        "osVersion",
        "architecture",
        "systemDiskSizeGB",
        "imageSource",
        "osType",
        "status",
        "createTime",
        "sizeMB",
        "desc",
        "systemDisk",
        "dataDisks",
        "snapshotId",
        "rootDeviceType",
        "progress",
        "launchPermission",
        "ownerPin",
        "offline",
    ] {
        assert!(image.get(key).is_some(), "Image.{key}");
    }
    let t = c.get("/instanceTypes", "").await.result()["instanceTypes"][0].clone();
    for key in [
        "family",
        "instanceType",
        "cpu",
        "memoryMB",
        "nicLimit",
        "cloudDiskCountLimit",
        "desc",
        "state",
        "generation",
        "architecture",
    ] {
        assert!(t.get(key).is_some(), "InstanceType.{key}");
    }
}

#[tokio::test]
async fn sim_jdcloud_embedded_persists_and_is_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = tokio::task::spawn_blocking({
        let path = dir.path().to_path_buf();
        move || jdcloud::start_embedded(&path)
    })
    .await
    .expect("join")
    .expect("start");
    let again = tokio::task::spawn_blocking({
        let path = dir.path().to_path_buf();
        move || jdcloud::start_embedded(&path)
    })
    .await
    .expect("join")
    .expect("start");
    assert_eq!(addr, again);
    let base = format!("http://{addr}");
    let url = format!("{base}/v1/regions/{REGION}/instances");
    let body = serde_json::to_vec(&json!({"instanceSpec": spec("emb-1", UBUNTU)})).expect("json");
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("host".to_string(), sign::host_header(&url).expect("host")),
    ];
    let req = sign::Request {
        method: "POST",
        url: &url,
        headers: &headers,
        body: &body,
        service: "vm",
    };
    let creds = Credentials {
        access_key: jdcloud::DEFAULT_ACCESS_KEY.into(),
        secret_key: jdcloud::DEFAULT_SECRET_KEY.into(),
    };
    let added = sign::sign(&req, &creds, chrono::Utc::now(), "embedded-nonce-1").expect("sign");
    let mut rb = Client::new()
        .post(&url)
        .header("content-type", "application/json");
    for (n, v) in &added {
        rb = rb.header(n, v);
    }
    let response = rb.body(body).send().await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("jdcloud.json")).expect("state file"),
    )
    .expect("json");
    assert_eq!(state["format"], "skyform-jdcloud-sim/1");
    assert_eq!(state["instances"].as_object().map(|m| m.len()), Some(1));
}

#[test]
fn sim_jdcloud_standalone_cli() {
    let sim = crate::common::Sim::start(&[
        "-cloud",
        "jdcloud",
        "-transition-ms",
        "50",
        "-jdcloud-access-key",
        "cli-ak",
        "-jdcloud-secret-key",
        "cli-sk",
    ]);
    let url = format!("{}/v1/regions/{REGION}/instanceTypes", sim.endpoint());
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let req = sign::Request {
        method: "GET",
        url: &url,
        headers: &headers,
        body: b"",
        service: "vm",
    };
    let get = |creds: &Credentials, nonce: &str| {
        let added = sign::sign(&req, creds, chrono::Utc::now(), nonce).expect("sign");
        let mut rb = reqwest::blocking::Client::new()
            .get(&url)
            .header("content-type", "application/json");
        for (n, v) in &added {
            rb = rb.header(n, v);
        }
        let response = rb.send().expect("send");
        (response.status(), response.json::<Value>().expect("json"))
    };
    let (status, body) = get(
        &Credentials {
            access_key: "cli-ak".into(),
            secret_key: "cli-sk".into(),
        },
        "n-1",
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["result"]["totalCount"]
        .as_u64()
        .is_some_and(|n| n >= 5));
    let (status, body) = get(
        &Credentials {
            access_key: jdcloud::DEFAULT_ACCESS_KEY.into(),
            secret_key: jdcloud::DEFAULT_SECRET_KEY.into(),
        },
        "n-2",
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let counts = sim.get("/_sim/requests");
    assert_eq!(counts["describeInstanceTypes"], 2);
}

/// Every one of the 35 operations once, each `result` with the keys of the
/// reference's table (1.6), and the counters naming all 35.
#[tokio::test]
async fn sim_jdcloud_every_operation_answers_with_the_reference_result_keys() {
    let c = cloud(Knobs::default()).await;
    let keys = |a: &Answer| -> Vec<String> {
        let mut k: Vec<String> = a
            .result()
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    let expect = |a: Answer, want: &[&str]| {
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(keys(&a), want, "{}", a.body);
    };
    let mut s = spec("all-1", UBUNTU);
    s["elasticIp"] = json!({"bandwidthMbps": 2, "provider": "no_bgp"});
    let a = c.post("/instances", json!({"instanceSpec": s})).await;
    let id = a.result()["instanceIds"][0]
        .as_str()
        .expect("id")
        .to_string();
    expect(a, &["instanceIds"]);
    c.wait_for(&id, "running").await;
    let i = format!("/instances/{id}");
    expect(c.get("/instances", "").await, &["instances", "totalCount"]);
    expect(c.get(&i, "").await, &["instance"]);
    expect(
        c.get("/instanceStatus", "").await,
        &["instanceStatuses", "totalCount"],
    );
    expect(
        c.get("/instancePrivateIpAddress", "").await,
        &["instancePrivateIpAddress", "totalCount"],
    );
    expect(
        c.get("/instanceTypes", "").await,
        &["instanceTypes", "specificInstanceTypes", "totalCount"],
    );
    expect(c.get(&format!("{i}/vnc"), "").await, &["vncUrl"]);
    expect(c.get("/quotas", "").await, &["quotas"]);
    let eip = c.get(&i, "").await.result()["instance"]["elasticIpId"]
        .as_str()
        .expect("eip")
        .to_string();
    expect(
        c.post(
            &format!("{i}:disassociateElasticIp"),
            json!({"elasticIpId": eip}),
        )
        .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:associateElasticIp"),
            json!({"elasticIpId": eip}),
        )
        .await,
        &[],
    );
    expect(
        c.post(&format!("{i}:attachDisk"), json!({"diskId": "vol-bj0001"}))
            .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:modifyInstanceDiskAttribute"),
            json!({"dataDisks": [{"diskId": "vol-bj0001", "autoDelete": true}]}),
        )
        .await,
        &[],
    );
    expect(
        c.post(&format!("{i}:detachDisk"), json!({"diskId": "vol-bj0001"}))
            .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:attachNetworkInterface"),
            json!({"networkInterfaceId": "port-bj0001"}),
        )
        .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:modifyInstanceNetworkAttribute"),
            json!({"networks": [{"networkInterfaceId": "port-bj0001", "autoDelete": false}]}),
        )
        .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:detachNetworkInterface"),
            json!({"networkInterfaceId": "port-bj0001"}),
        )
        .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:modifyInstanceAttribute"),
            json!({"name": "all-2"}),
        )
        .await,
        &[],
    );
    expect(
        c.post(
            &format!("{i}:modifyInstancePassword"),
            json!({"password": "Skyform#2026"}),
        )
        .await,
        &[],
    );
    expect(c.post(&format!("{i}:rebootInstance"), json!({})).await, &[]);
    c.wait_for(&id, "running").await;
    expect(c.post(&format!("{i}:stopInstance"), json!({})).await, &[]);
    c.wait_for(&id, "stopped").await;
    expect(
        c.post(
            &format!("{i}:resizeInstance"),
            json!({"instanceType": "g.n2.xlarge"}),
        )
        .await,
        &[],
    );
    c.wait_for(&id, "stopped").await;
    expect(
        c.post(&format!("{i}:rebuildInstance"), json!({"imageId": UBUNTU}))
            .await,
        &[],
    );
    c.wait_for(&id, "stopped").await;
    let a = c
        .post(&format!("{i}:createImage"), json!({"name": "all-img"}))
        .await;
    let image = a.result()["imageId"].as_str().expect("image").to_string();
    expect(a, &["imageId"]);
    c.wait_image(&image, "ready").await;
    expect(c.post(&format!("{i}:startInstance"), json!({})).await, &[]);
    let m = format!("/images/{image}");
    expect(
        c.get("/images", "imageSource=private").await,
        &["images", "totalCount"],
    );
    expect(c.get(&m, "").await, &["image"]);
    expect(
        c.get(&format!("{m}/constraints"), "").await,
        &["imageConstraints"],
    );
    expect(
        c.get("/imageConstraints", &format!("ids.1={image}")).await,
        &["imageConstraints"],
    );
    expect(
        c.post(
            &format!("{m}:modifyImageAttribute"),
            json!({"name": "all-img-2"}),
        )
        .await,
        &[],
    );
    expect(
        c.post(&format!("{m}:share"), json!({"pins": ["friend"]}))
            .await,
        &[],
    );
    expect(
        c.get(&format!("{m}/members"), "").await,
        &["pins", "loginNames"],
    );
    expect(
        c.post(&format!("{m}:unshare"), json!({"pins": ["friend"]}))
            .await,
        &[],
    );
    expect(
        c.post(
            "/images:copyImages",
            json!({"sourceImageIds": [image], "destinationRegion": REGION}),
        )
        .await,
        &["copyImages"],
    );
    expect(c.delete(&m, "").await, &[]);
    c.wait_for(&id, "running").await;
    expect(
        c.delete(&i, "deletePrimaryNetworkInterfaceAllElasticIp=true")
            .await,
        &[],
    );

    let counted: Vec<String> = c.sim.request_counts().into_keys().collect();
    let all = [
        "associateElasticIp",
        "attachDisk",
        "attachNetworkInterface",
        "copyImages",
        "createImage",
        "createInstances",
        "deleteImage",
        "deleteInstance",
        "describeImage",
        "describeImageConstraints",
        "describeImageConstraintsBatch",
        "describeImageMembers",
        "describeImages",
        "describeInstance",
        "describeInstancePrivateIpAddress",
        "describeInstanceStatus",
        "describeInstanceTypes",
        "describeInstanceVncUrl",
        "describeInstances",
        "describeQuotas",
        "detachDisk",
        "detachNetworkInterface",
        "disassociateElasticIp",
        "modifyImageAttribute",
        "modifyInstanceAttribute",
        "modifyInstanceDiskAttribute",
        "modifyInstanceNetworkAttribute",
        "modifyInstancePassword",
        "rebootInstance",
        "rebuildInstance",
        "resizeInstance",
        "shareImage",
        "startInstance",
        "stopInstance",
        "unShareImage",
    ];
    assert_eq!(all.len(), 35);
    for op in all {
        assert!(counted.iter().any(|k| k == op), "{op} was not called");
    }
    assert_eq!(counted.len(), 35, "{counted:?}");
}

#[tokio::test]
async fn sim_jdcloud_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("jdcloud.json");
    let open = |path: std::path::PathBuf| {
        Simulator::open(SimOptions {
            persist_path: Some(path),
            knobs: timed(100),
            ..SimOptions::default()
        })
    };
    let sim = open(path.clone()).expect("open");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(jdcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    let c = Cloud {
        sim,
        base: format!("http://{bound}"),
        client: Client::new(),
        creds: Credentials {
            access_key: jdcloud::DEFAULT_ACCESS_KEY.into(),
            secret_key: jdcloud::DEFAULT_SECRET_KEY.into(),
        },
        server,
    };
    let body = json!({"instanceSpec": spec("keep-1", UBUNTU), "clientToken": "restart-token"});
    let ids = c.create(body.clone()).await;
    assert!(matches!(
        open(path.clone()),
        Err(skyform::sim::SimError::InUse(_))
    ));
    drop(c);

    // Reopen once the first simulator has let go of the state file.
    let deadline = Instant::now() + Duration::from_secs(10);
    let sim = loop {
        match open(path.clone()) {
            Ok(sim) => break sim,
            Err(skyform::sim::SimError::InUse(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("reopen: {e}"),
        }
    };
    let (bound, server) = skyform::sim::serve(jdcloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    let c = Cloud {
        sim,
        base: format!("http://{bound}"),
        client: Client::new(),
        creds: Credentials {
            access_key: jdcloud::DEFAULT_ACCESS_KEY.into(),
            secret_key: jdcloud::DEFAULT_SECRET_KEY.into(),
        },
        server,
    };
    c.wait_for(&ids[0], "running").await;
    assert_eq!(
        c.create(body).await,
        ids,
        "client tokens survive the restart"
    );

    std::fs::write(
        dir.path().join("other.json"),
        r#"{"format": "something-else"}"#,
    )
    .expect("write");
    let err = open(dir.path().join("other.json")).expect_err("foreign format");
    assert!(err.to_string().contains("skyform-jdcloud-sim/1"), "{err}");
}

#[tokio::test]
async fn sim_jdcloud_lost_and_late_answers_and_client_token_retry() {
    let c = cloud(Knobs {
        lose_answers: 1.0,
        ..Knobs::default()
    })
    .await;
    let body = json!({"instanceSpec": spec("lost-1", UBUNTU), "clientToken": "retry-me"});
    // The change is made, but the answer never arrives.
    let p = c.prepare(Method::POST, "/instances", "", Some(body.clone()));
    let h = c.signed(&p, "vm", &c.creds, chrono::Utc::now());
    let mut rb = c.client.post(&p.url);
    for (n, v) in &h {
        if n != "host" {
            rb = rb.header(n, v);
        }
    }
    let broken = match rb.body(p.body.clone()).send().await {
        Ok(response) => response.bytes().await.is_err(),
        Err(_) => true,
    };
    assert!(broken, "the answer is lost");
    // GETs are never lost; the instance exists.
    assert_eq!(c.get("/instances", "").await.result()["totalCount"], 1);
    // Retrying with the same clientToken finds it instead of making another.
    c.sim.set_knobs(Knobs {
        answer_delay_ms: 300,
        ..Knobs::default()
    });
    let started = Instant::now();
    let ids = c.create(body).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the answer is late"
    );
    assert_eq!(ids.len(), 1);
    assert_eq!(c.get("/instances", "").await.result()["totalCount"], 1);
    let log = c.sim.request_log();
    assert!(
        log[0].starts_with("POST /v1/regions/cn-north-1/instances"),
        "{log:?}"
    );
    assert_eq!(log.len(), 4);
}

#[tokio::test]
async fn sim_jdcloud_clock_moves_long_transitions_forward() {
    let c = cloud(timed(60_000)).await;
    let id = c.create_one(UBUNTU).await;
    assert_eq!(c.status(&id).await, "pending");
    c.sim.clock().advance(Duration::from_millis(60_000));
    assert_eq!(c.status(&id).await, "running");
    c.post(&format!("/instances/{id}:stopInstance"), json!({}))
        .await
        .result();
    c.sim.clock().advance(Duration::from_millis(59_000));
    assert_eq!(c.status(&id).await, "stopping");
    c.sim.clock().advance(Duration::from_millis(1_000));
    assert_eq!(c.status(&id).await, "stopped");
    // Signatures are still checked against the wall clock.
    c.get("/instances", "").await.result();
}

#[tokio::test]
async fn sim_jdcloud_fail_operations_knob_fails_only_the_listed_operation() {
    let c = cloud(Knobs::default()).await;
    let id = c.create_one(UBUNTU).await;
    c.wait_for(&id, "running").await;
    c.sim.set_knobs(Knobs {
        fail_operations: vec!["startInstance".into()],
        ..Knobs::default()
    });
    c.post(&format!("/instances/{id}:stopInstance"), json!({}))
        .await
        .result();
    c.wait_for(&id, "stopped").await;
    let msg = c
        .post(&format!("/instances/{id}:startInstance"), json!({}))
        .await
        .error(500, "INTERNAL");
    assert_eq!(msg, "Unknown server error");
    assert_eq!(c.status(&id).await, "stopped", "nothing changed");
    c.sim.set_knobs(Knobs::default());
    c.post(&format!("/instances/{id}:startInstance"), json!({}))
        .await
        .result();
    c.wait_for(&id, "running").await;
}
