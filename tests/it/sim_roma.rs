//! The roma simulator (ROMA Connect instance list + IAM tokens) over real HTTP on
//! loopback: the seed's paths, bodies, codes and messages; query validation; token
//! scope and expiry; knobs; the request counters.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use skyform::sim::roma::{self, inventory, Knobs, SimOptions, Simulator};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const PROJECT: &str = roma::DEFAULT_PROJECT_ID;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roma")
        .join(name);
    std::fs::read_to_string(p).expect("read fixture")
}

struct Cloud {
    sim: Arc<Simulator>,
    base: String,
    http: Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Cloud {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn cloud(options: SimOptions) -> Cloud {
    let sim = Simulator::open(options).expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(roma::router(sim.clone()), addr)
        .await
        .expect("serve");
    Cloud {
        sim,
        base: format!("http://{bound}"),
        http: Client::new(),
        server,
    }
}

fn password_body(user: &str, password: &str, domain: &str, scope: Value) -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password, "domain": {"name": domain}}}},
        "scope": scope
    }})
}

impl Cloud {
    async fn token_answer(&self, body: &Value, query: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/v3/auth/tokens{query}", self.base))
            .header("content-type", "application/json;charset=utf8")
            .body(body.to_string())
            .send()
            .await
            .expect("POST token")
    }

    async fn token(&self) -> String {
        let body = password_body(
            roma::DEFAULT_USER,
            roma::DEFAULT_PASSWORD,
            roma::DEFAULT_DOMAIN,
            json!({"project": {"name": roma::DEFAULT_PROJECT_NAME}}),
        );
        let r = self.token_answer(&body, "?nocatalog=true").await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.headers()["X-Subject-Token"]
            .to_str()
            .expect("token")
            .to_string()
    }

    async fn list(&self, project: &str, query: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .get(format!("{}/v2/{project}/instances{query}", self.base));
        if let Some(t) = token {
            req = req.header("X-Auth-Token", t);
        }
        let r = req.send().await.expect("GET");
        let status = r.status();
        (status, r.json().await.expect("JSON body"))
    }
}

/// The seed's error shape: exactly the four fields, the code and message given.
fn assert_roma_error(body: &Value, code: &str, msg: &str) {
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["error_code", "error_msg", "error_details", "request_id"],
        "{body}"
    );
    assert_eq!(body["error_code"], code, "{body}");
    assert_eq!(body["error_msg"], msg, "{body}");
    let rid = body["request_id"].as_str().expect("request_id");
    assert!(
        rid.len() == 32 && rid.chars().all(|c| c.is_ascii_hexdigit()),
        "{rid}"
    );
}

#[tokio::test]
async fn the_seed_example_is_served_back_exactly() {
    let seed: Value = serde_json::from_str(&fixture("list_200.json")).expect("seed JSON");
    let instances = inventory::parse(&fixture("list_200.json")).expect("seed loads");
    let c = cloud(SimOptions {
        instances: Some(instances),
        ..SimOptions::default()
    })
    .await;
    let token = c.token().await;
    let (status, body) = c.list(PROJECT, "", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, seed);
    // Field order as the seed writes it.
    let keys: Vec<&str> = body
        .as_object()
        .expect("obj")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["total", "size", "instances"]);
}

#[tokio::test]
async fn tokens_come_in_the_subject_header_with_expiry_and_scope() {
    let c = cloud(SimOptions::default()).await;
    let body = password_body(
        roma::DEFAULT_USER,
        roma::DEFAULT_PASSWORD,
        roma::DEFAULT_DOMAIN,
        json!({"project": {"id": PROJECT}}),
    );
    let r = c.token_answer(&body, "").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = r.headers()["x-subject-token"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(token.starts_with("MII") && token.len() > 100, "{token}");
    let b: Value = r.json().await.expect("json");
    let t = &b["token"];
    assert_eq!(t["project"]["id"], PROJECT);
    assert_eq!(t["project"]["name"], roma::DEFAULT_PROJECT_NAME);
    assert!(t.get("catalog").is_some(), "catalog without nocatalog");
    let expires = chrono::DateTime::parse_from_rfc3339(t["expires_at"].as_str().expect("s"))
        .expect("ISO 8601");
    let issued = chrono::DateTime::parse_from_rfc3339(t["issued_at"].as_str().expect("s"))
        .expect("ISO 8601");
    assert_eq!((expires - issued).num_seconds(), 86_400);
    assert!(
        t["expires_at"].as_str().expect("s").ends_with("000Z"),
        "microseconds"
    );
    // nocatalog drops the catalog.
    let r = c.token_answer(&body, "?nocatalog=true").await;
    let b: Value = r.json().await.expect("json");
    assert!(b["token"].get("catalog").is_none(), "{b}");
    assert_eq!(c.sim.request_counts().get("POST /v3/auth/tokens"), Some(&2));
}

#[tokio::test]
async fn wrong_credentials_and_bad_requests_are_refused_keystone_style() {
    let c = cloud(SimOptions::default()).await;
    let scope = json!({"project": {"name": roma::DEFAULT_PROJECT_NAME}});
    for (user, pass, domain) in [
        ("skyform", "wrong", "skyform"),
        ("nobody", roma::DEFAULT_PASSWORD, "skyform"),
        ("skyform", roma::DEFAULT_PASSWORD, "other"),
    ] {
        let r = c
            .token_answer(&password_body(user, pass, domain, scope.clone()), "")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().get("x-subject-token").is_none());
        let b: Value = r.json().await.expect("json");
        assert_eq!(
            b,
            json!({"error": {"code": 401, "message": roma::WRONG_CREDENTIALS, "title": "Unauthorized"}})
        );
    }
    let other_project = password_body(
        roma::DEFAULT_USER,
        roma::DEFAULT_PASSWORD,
        roma::DEFAULT_DOMAIN,
        json!({"project": {"name": "ap-southeast-1"}}),
    );
    let r = c.token_answer(&other_project, "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let b: Value = r.json().await.expect("json");
    assert_eq!(b["error"]["message"], roma::NO_SUCH_PROJECT);
    // Not JSON, or JSON without the identity: 400.
    let r = c
        .http
        .post(format!("{}/v3/auth/tokens", c.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = c
        .http
        .post(format!("{}/v3/auth/tokens", c.base))
        .body(password_body("skyform", roma::DEFAULT_PASSWORD, "skyform", scope).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "no Content-Type");
}

#[tokio::test]
async fn the_list_checks_token_project_and_query_with_the_seed_codes() {
    let c = cloud(SimOptions {
        instances: Some(inventory::generate(25, PROJECT, roma::DEFAULT_USER)),
        ..SimOptions::default()
    })
    .await;
    let (s, b) = c.list(PROJECT, "", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_roma_error(
        &b,
        "ROMA.00012000",
        "Incorrect token or token resolution failed",
    );
    let (s, b) = c.list(PROJECT, "", Some("MIInot-a-token")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_roma_error(
        &b,
        "ROMA.00012000",
        "Incorrect token or token resolution failed",
    );

    let token = c.token().await;
    let (s, b) = c
        .list("0123456789abcdef0123456789abcdef", "", Some(&token))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_roma_error(&b, "ROMA.00012000", "No permissions to request this method");

    // A domain-scoped token cannot list a project's instances.
    let body = password_body(
        roma::DEFAULT_USER,
        roma::DEFAULT_PASSWORD,
        roma::DEFAULT_DOMAIN,
        json!({"domain": {"name": roma::DEFAULT_DOMAIN}}),
    );
    let r = c.token_answer(&body, "").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let domain_token = r.headers()["x-subject-token"]
        .to_str()
        .expect("t")
        .to_string();
    let (s, _) = c.list(PROJECT, "", Some(&domain_token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    for (query, param) in [
        ("?limit=0", "limit"),
        ("?limit=1000", "limit"),
        ("?limit=ten", "limit"),
        ("?offset=-1", "offset"),
        ("?status=running", "status"),
    ] {
        let (s, b) = c.list(PROJECT, query, Some(&token)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}");
        assert_roma_error(
            &b,
            "ROMA.00013000",
            &format!("Invalid parameter value,parameterName:{param}. Please refer to the support documentation"),
        );
        assert!(b["error_details"].as_str().expect("s").len() <= 128);
    }

    // Paging: default limit 10; offset past the end is an empty page.
    let (s, b) = c.list(PROJECT, "", Some(&token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (b["total"].clone(), b["size"].clone()),
        (json!(25), json!(10))
    );
    let (_, b) = c.list(PROJECT, "?offset=20&limit=10", Some(&token)).await;
    assert_eq!(b["size"], 5);
    assert_eq!(b["instances"][0]["name"], "roma-0020");
    let (_, b) = c.list(PROJECT, "?offset=99", Some(&token)).await;
    assert_eq!(
        (b["total"].clone(), b["size"].clone()),
        (json!(25), json!(0))
    );
    // The status filter counts only matching instances in total.
    let (_, b) = c
        .list(PROJECT, "?status=ERROR&limit=50", Some(&token))
        .await;
    assert_eq!(b["total"], 2, "instances 10 and 21 are in ERROR");
    assert!(b["instances"]
        .as_array()
        .expect("list")
        .iter()
        .all(|i| i["status"] == "ERROR" && i["error_code"] == "ROMA.00011000"));

    let counts = c.sim.request_counts();
    assert_eq!(counts["GET /v2/{project_id}/instances"], 13);
    assert_eq!(counts["POST /v3/auth/tokens"], 2);
    let log = c.sim.request_log();
    assert!(
        log.contains(&format!("GET /v2/{PROJECT}/instances?offset=20&limit=10")),
        "{log:?}"
    );
}

#[tokio::test]
async fn tokens_expire_on_the_simulator_clock() {
    let c = cloud(SimOptions {
        knobs: Knobs {
            token_ttl_s: 60,
            ..Knobs::default()
        },
        ..SimOptions::default()
    })
    .await;
    let token = c.token().await;
    assert_eq!(c.list(PROJECT, "", Some(&token)).await.0, StatusCode::OK);
    c.sim.advance_clock(Duration::from_secs(59));
    assert_eq!(c.list(PROJECT, "", Some(&token)).await.0, StatusCode::OK);
    // Over HTTP, as tests of the real binary do it.
    let r = c
        .http
        .post(format!("{}/_sim/clock/advance/2", c.base))
        .send()
        .await
        .expect("advance");
    assert!(r.status().is_success());
    let (s, b) = c.list(PROJECT, "", Some(&token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_roma_error(
        &b,
        "ROMA.00012000",
        "Incorrect token or token resolution failed",
    );
    assert_eq!(b["error_details"], "the token has expired");
    let fresh = c.token().await;
    assert_eq!(c.list(PROJECT, "", Some(&fresh)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn knobs_throttle_fail_and_misreport() {
    let c = cloud(SimOptions::default()).await;
    let token = c.token().await;
    c.sim.set_knobs(Knobs {
        throttle_fraction: 1.0,
        ..Knobs::default()
    });
    let (s, b) = c.list(PROJECT, "", Some(&token)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b["error_code"], "APIGW.0308");
    c.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    let (s, b) = c.list(PROJECT, "", Some(&token)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert_roma_error(&b, "ROMA.00011000", "System error");
    // Knobs over HTTP: partial updates, checked ranges.
    let r = c
        .http
        .put(format!("{}/_sim/knobs", c.base))
        .json(&json!({"error_rate": 0.0, "misreport_total": 3}))
        .send()
        .await
        .expect("put");
    assert!(r.status().is_success());
    let (s, b) = c.list(PROJECT, "?limit=100", Some(&token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (b["total"].clone(), b["size"].clone()),
        (json!(13), json!(10))
    );
    let r = c
        .http
        .put(format!("{}/_sim/knobs", c.base))
        .json(&json!({"throttle_fraction": 2}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Unknown paths answer 404 in ROMA's error shape (not counted as API calls).
    let r = c
        .http
        .get(format!("{}/v1/{PROJECT}/instances", c.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let counts = c.sim.request_counts();
    assert_eq!(counts["GET /v2/{project_id}/instances"], 3);
}
