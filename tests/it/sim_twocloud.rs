//! The twocloud simulator over real HTTP on loopback: the seed's request and answer shape,
//! `f`/`t` windows (1-based, inclusive), query validation, basic auth, knobs and the
//! `/_sim/` inspection endpoints.

use reqwest::StatusCode;
use serde_json::{json, Value};
use skyform::sim::twocloud::{self, Inventory, Knobs, SimOptions, Simulator};
use std::net::SocketAddr;
use std::sync::Arc;

const TOKEN: &str = twocloud::DEFAULT_TOKEN;

struct Cloud {
    sim: Arc<Simulator>,
    base: String,
    http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Cloud {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn cloud_with(options: SimOptions) -> Cloud {
    let sim = Simulator::open(options).expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(twocloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    Cloud {
        sim,
        base: format!("http://{bound}"),
        http: reqwest::Client::new(),
        server,
    }
}

async fn cloud() -> Cloud {
    cloud_with(SimOptions {
        inventory: Inventory::generate(400),
        ..SimOptions::default()
    })
    .await
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Cloud {
    /// `GET /twocloud/servers?QUERY` with basic auth `token:password` (none when `None`).
    async fn list(&self, query: &str, auth: Option<(&str, &str)>) -> Answer {
        let mut req = self
            .http
            .get(format!("{}/twocloud/servers?{query}", self.base));
        if let Some((user, password)) = auth {
            req = req.basic_auth(user, Some(password));
        }
        let resp = req.send().await.expect("GET");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.json().await.expect("JSON body");
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn servers(&self, query: &str) -> Vec<Value> {
        let a = self.list(query, Some((TOKEN, "password"))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["code"], 200, "{}", a.body);
        assert_eq!(a.body["msg"], "", "{}", a.body);
        a.body["vm_servers"].as_array().expect("list").clone()
    }

    fn set_knobs(&self, knobs: Knobs) {
        self.sim.set_knobs(knobs);
    }
}

fn ids(servers: &[Value]) -> Vec<String> {
    servers
        .iter()
        .map(|s| s["instance_id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn the_seed_request_gets_the_seed_answer_shape() {
    let c = cloud().await;
    // The seed's own example request, parameters in its order.
    let a = c
        .list(
            "party=qcloud&tenant_id=123&region=gz&f=1&t=10",
            Some((TOKEN, "password")),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.headers["content-type"], "application/json",
        "{:?}",
        a.headers
    );
    let top: Vec<&String> = a.body.as_object().expect("object").keys().collect();
    assert_eq!(top, ["code", "msg", "vm_servers"]);
    let list = a.body["vm_servers"].as_array().expect("list");
    assert_eq!(list.len(), 10);
    let keys: Vec<&String> = list[0].as_object().expect("server").keys().collect();
    assert_eq!(
        keys,
        [
            "instance_name",
            "instance_id",
            "cpu_num",
            "mem_size",
            "disk_size",
            "lan_ip_set",
            "wan_ip_set",
            "status",
            "create_at",
            "update_at"
        ]
    );
    assert!(list[0]["cpu_num"].is_i64());
    assert!(
        list[0]["lan_ip_set"].is_string(),
        "comma-separated, as the seed's example"
    );
    // Every server listed belongs to the scope asked for.
    let expected = c.sim.inventory().scope("123", "gz", "qcloud");
    let want: Vec<&str> = expected
        .iter()
        .take(10)
        .map(|s| s.instance_id.as_str())
        .collect();
    assert_eq!(ids(list), want);
}

#[tokio::test]
async fn windows_are_one_based_and_include_both_ends() {
    let c = cloud().await;
    let scope = "tenant_id=123&region=gz&party=qcloud";
    let all = c.servers(scope).await;
    assert_eq!(all.len(), 50, "400 servers over 8 scopes; no f/t lists all");
    assert_eq!(
        c.servers(&format!("{scope}&f=3&t=5")).await,
        all[2..5].to_vec()
    );
    assert_eq!(
        c.servers(&format!("{scope}&f=1&t=1")).await,
        all[..1].to_vec()
    );
    assert_eq!(
        c.servers(&format!("{scope}&f=41")).await,
        all[40..].to_vec()
    );
    assert_eq!(c.servers(&format!("{scope}&t=7")).await, all[..7].to_vec());
    assert_eq!(
        c.servers(&format!("{scope}&f=45&t=60")).await,
        all[44..].to_vec()
    );
    assert!(c.servers(&format!("{scope}&f=51&t=60")).await.is_empty());
    assert!(c
        .servers("tenant_id=999&region=gz&party=qcloud")
        .await
        .is_empty());
}

#[tokio::test]
async fn bad_queries_are_refused_with_the_envelope() {
    let c = cloud().await;
    let auth = Some((TOKEN, "x"));
    for (query, message) in [
        ("region=gz&party=qcloud", "tenant_id is required"),
        ("tenant_id=123&party=qcloud", "region is required"),
        ("tenant_id=123&region=gz", "party is required"),
        ("tenant_id=&region=gz&party=qcloud", "tenant_id is required"),
        (
            "tenant_id=123&region=gz&party=qcloud&f=0",
            "f must be an integer of at least 1, got \"0\"",
        ),
        (
            "tenant_id=123&region=gz&party=qcloud&t=ten",
            "t must be an integer of at least 1, got \"ten\"",
        ),
        (
            "tenant_id=123&region=gz&party=qcloud&f=9&t=3",
            "f must not be greater than t (f=9, t=3)",
        ),
    ] {
        let a = c.list(query, auth).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            a.body,
            json!({"code": 400, "msg": message, "vm_servers": []}),
            "{query}"
        );
    }
}

#[tokio::test]
async fn basic_auth_checks_the_token_and_by_default_any_password() {
    let c = cloud().await;
    let q = "tenant_id=123&region=gz&party=qcloud&f=1&t=1";
    let a = c.list(q, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body["code"], 401);
    assert_eq!(a.body["msg"], "Authentication required");
    assert_eq!(a.headers["www-authenticate"], "Basic realm=\"twocloud\"");
    let a = c.list(q, Some(("other-token", "password"))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body["msg"], "Invalid token or password");
    // The seed: password is "任意字符串" (any string).
    assert_eq!(
        c.list(q, Some((TOKEN, "anything"))).await.status,
        StatusCode::OK
    );
    // Auth comes before validation: a stranger learns nothing about the query.
    let a = c.list("region=gz", Some(("other-token", "p"))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    let strict = cloud_with(SimOptions {
        token: "T".into(),
        password: Some("P".into()),
        ..SimOptions::default()
    })
    .await;
    assert_eq!(
        strict.list(q, Some(("T", "P"))).await.status,
        StatusCode::OK
    );
    let a = strict.list(q, Some(("T", "wrong"))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body["msg"], "Invalid token or password");
}

#[tokio::test]
async fn knobs_throttle_fail_cap_and_drop() {
    let c = cloud().await;
    let scope = "tenant_id=123&region=gz&party=qcloud";
    c.set_knobs(Knobs {
        throttle_rate: 1.0,
        ..Knobs::default()
    });
    let a = c.list(scope, Some((TOKEN, ""))).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(
        a.body,
        json!({"code": 429, "msg": "Too Many Requests", "vm_servers": []})
    );
    c.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    let a = c.list(scope, Some((TOKEN, ""))).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(a.body["code"], 500);
    assert_eq!(a.body["msg"], "Internal Server Error");

    c.set_knobs(Knobs::default());
    let all = c.servers(scope).await;
    c.set_knobs(Knobs {
        max_window: 4,
        short_windows: vec![11],
        ..Knobs::default()
    });
    assert_eq!(
        c.servers(&format!("{scope}&f=1&t=10")).await,
        all[..4].to_vec()
    );
    assert_eq!(
        c.servers(&format!("{scope}&f=11&t=20")).await,
        all[10..13].to_vec(),
        "capped at 4, then the last one dropped"
    );
}

#[tokio::test]
async fn requests_are_counted_logged_and_reset() {
    let c = cloud().await;
    c.servers("tenant_id=123&region=gz&party=qcloud&f=1&t=5")
        .await;
    c.list("region=gz", None).await;
    let log: Vec<String> = c
        .http
        .get(format!("{}/_sim/log", c.base))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        log,
        [
            "GET /twocloud/servers?tenant_id=123&region=gz&party=qcloud&f=1&t=5",
            "GET /twocloud/servers?region=gz"
        ]
    );
    let counts: Value = c
        .http
        .get(format!("{}/_sim/requests", c.base))
        .send()
        .await
        .expect("counts")
        .json()
        .await
        .expect("JSON");
    assert_eq!(counts, json!({"GET /twocloud/servers": 2}));
    let r = c
        .http
        .delete(format!("{}/_sim/requests", c.base))
        .send()
        .await
        .expect("reset");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(c.sim.request_log().is_empty());

    // Knobs over HTTP, checked.
    let r = c
        .http
        .put(format!("{}/_sim/knobs", c.base))
        .json(&json!({"error_rate": 2}))
        .send()
        .await
        .expect("knobs");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = c
        .http
        .put(format!("{}/_sim/knobs", c.base))
        .json(&json!({"short_windows": [1]}))
        .send()
        .await
        .expect("knobs");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(c.sim.knobs().short_windows, vec![1]);
    let state: Value = c
        .http
        .get(format!("{}/_sim/state", c.base))
        .send()
        .await
        .expect("state")
        .json()
        .await
        .expect("JSON");
    assert_eq!(state["servers"].as_array().map(Vec::len), Some(400));
}

#[tokio::test]
async fn other_paths_and_methods_get_the_envelope() {
    let c = cloud().await;
    let r = c
        .http
        .get(format!("{}/twocloud/server", c.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["code"], 404);
    assert_eq!(body["msg"], "no such endpoint: GET /twocloud/server");
    let r = c
        .http
        .post(format!("{}/twocloud/servers", c.base))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn inventory_files_are_checked_with_a_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inv.json");
    std::fs::write(&path, "{\"servers\": [\n  {\"tenant_id\": \"1\",}\n]}").expect("write");
    let e = Inventory::load(&path).expect_err("bad JSON");
    assert!(e.starts_with(&format!("{}:2:", path.display())), "{e}");
    let server = Inventory::generate(1).servers()[0].clone();
    let text = json!({"servers": [server, server]}).to_string();
    std::fs::write(&path, text).expect("write");
    let e = Inventory::load(&path).expect_err("duplicate");
    assert!(e.contains("servers[1]: instance_id"), "{e}");
    assert!(e.contains("appears twice"), "{e}");
    std::fs::write(&path, json!({"servers": [server]}).to_string()).expect("write");
    assert_eq!(Inventory::load(&path).expect("good").servers().len(), 1);
}
