//! The twocloud provider against the twocloud simulator over real HTTP on loopback: the
//! seed's example answer read into the typed value, every error answer with its code, auth
//! failures that never show the credentials, paging of a thousand servers with each window
//! fetched once, and lists that do not add up refused.

use serde_json::Value as Json;
use skyform::lang::Value;
use skyform::provider::http::Response;
use skyform::provider::inventory::ListedMachine;
use skyform::provider::{ConfigureContext, ErrorKind, Provider, ProviderType};
use skyform::providers::twocloud::client::{decode_error, Window};
use skyform::providers::twocloud::wire::ServersAnswer;
use skyform::providers::twocloud::TwoCloudProviderType;
use skyform::sim::twocloud::{self, Inventory, Knobs, Server, SimOptions, Simulator};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

const SEED_ANSWER: &str = include_str!("../fixtures/twocloud/seed_servers_answer.json");

struct Env {
    sim: Arc<Simulator>,
    base: String,
    _server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn env_with(options: SimOptions) -> Env {
    let sim = Simulator::open(options).expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(twocloud::router(sim.clone()), addr)
        .await
        .expect("serve");
    Env {
        sim,
        base: format!("http://{bound}"),
        _server: server,
        _dir: tempfile::tempdir().expect("tempdir"),
    }
}

/// `n` servers, all in tenant 123, region gz, party qcloud.
fn one_scope(n: usize) -> Inventory {
    let servers = Inventory::generate(n)
        .servers()
        .iter()
        .map(|s| Server {
            tenant_id: "123".into(),
            region: "gz".into(),
            party: "qcloud".into(),
            ..s.clone()
        })
        .collect();
    Inventory::new(servers).expect("inventory")
}

impl Env {
    /// A provider on this simulator: the default token, scope 123/gz/qcloud, plus `extra`.
    async fn provider(&self, extra: &[(&str, Value)]) -> Arc<dyn Provider> {
        self.try_provider(extra).await.expect("configure")
    }

    async fn try_provider(
        &self,
        extra: &[(&str, Value)],
    ) -> Result<Arc<dyn Provider>, skyform::provider::ProviderError> {
        let mut m: BTreeMap<String, Value> = [
            ("endpoint", Value::string(&self.base)),
            ("token", Value::string(twocloud::DEFAULT_TOKEN)),
            ("password", Value::string("pw")),
            ("tenant_id", Value::string("123")),
            ("region", Value::string("gz")),
            ("party", Value::string("qcloud")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            m.insert(k.to_string(), v.clone());
        }
        TwoCloudProviderType::new()
            .configure(
                &Value::Object(m.into()),
                &ConfigureContext::new(self._dir.path()),
            )
            .await
    }

    /// The `(f, t)` of every list call so far, in arrival order.
    fn windows(&self) -> Vec<(u64, u64)> {
        self.sim
            .request_log()
            .iter()
            .map(|line| {
                let q = line.split_once('?').map(|(_, q)| q).unwrap_or("");
                let get = |name: &str| {
                    q.split('&')
                        .find_map(|p| p.strip_prefix(&format!("{name}=")))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0)
                };
                (get("f"), get("t"))
            })
            .collect()
    }
}

async fn read(p: &Arc<dyn Provider>, config: &[(&str, &str)]) -> Result<Value, String> {
    let cfg = Value::object(config.iter().map(|(k, v)| (*k, Value::string(*v))));
    p.read_data("twocloud_servers", &cfg)
        .await
        .map_err(|e| e.to_string())
}

fn num(v: &Value, name: &str) -> i64 {
    v.get_attr(name).and_then(Value::as_i64).expect(name)
}

fn servers_of(v: &Value) -> Vec<Value> {
    v.get_attr("servers")
        .and_then(Value::as_seq)
        .expect("servers")
        .to_vec()
}

/// The seed's example servers as simulator servers in scope 123/gz/qcloud.
fn seed_inventory() -> Inventory {
    let answer: Json = serde_json::from_str(SEED_ANSWER).expect("seed JSON");
    let servers = answer["vm_servers"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s["tenant_id"] = "123".into();
            s["region"] = "gz".into();
            s["party"] = "qcloud".into();
            serde_json::from_value::<Server>(s).expect("server")
        })
        .collect();
    Inventory::new(servers).expect("inventory")
}

#[test]
fn the_seed_example_answer_parses_field_by_field() {
    let a = ServersAnswer::parse(SEED_ANSWER.as_bytes()).expect("seed answer");
    assert_eq!(a.code, 200);
    assert_eq!(a.msg, "");
    assert_eq!(a.vm_servers.len(), 2);
    let s = &a.vm_servers[0];
    assert_eq!(s.instance_name, "hehe");
    assert_eq!(s.instance_id, "u23j34j234j23h4");
    assert_eq!((s.cpu_num, s.mem_size, s.disk_size), (8, 16, 20));
    assert_eq!(s.lan_ips(), ["192.168.0.2", "192.168.0.3"]);
    assert_eq!(s.wan_ips(), ["122.22.3.45", "122.22.3.46"]);
    assert_eq!(s.status, "ACTIVE");
    assert_eq!(s.create_at, "2014-07-29 15:08:39");
    assert_eq!(s.update_at, "2014-08-05 17:37:56");
    assert_eq!(a.vm_servers[1].status, "ERROR");
    assert!(decode_error(
        "GET /twocloud/servers",
        &Response {
            status: 200,
            headers: Default::default(),
            body: SEED_ANSWER.as_bytes().to_vec()
        }
    )
    .is_none());
}

#[tokio::test]
async fn the_seed_servers_come_back_as_typed_values() {
    let env = env_with(SimOptions {
        inventory: seed_inventory(),
        ..SimOptions::default()
    })
    .await;
    let p = env.provider(&[]).await;
    let v = read(&p, &[]).await.expect("read");
    assert_eq!(num(&v, "total"), 2);
    assert_eq!(num(&v, "count"), 2);
    assert_eq!(v.get_attr("id"), Some(&Value::string("123/gz/qcloud")));
    let servers = servers_of(&v);
    let strs = |xs: &[&str]| Value::List(xs.iter().map(|x| Value::string(*x)).collect());
    let expected = Value::object([
        ("instance_name", Value::string("hehe")),
        ("instance_id", Value::string("u23j34j234j23h4")),
        ("cpu_num", Value::number(8)),
        ("mem_size", Value::number(16)),
        ("disk_size", Value::number(20)),
        ("lan_ip_set", Value::string("192.168.0.2,192.168.0.3")),
        ("wan_ip_set", Value::string("122.22.3.45,122.22.3.46")),
        ("status", Value::string("ACTIVE")),
        ("create_at", Value::string("2014-07-29 15:08:39")),
        ("update_at", Value::string("2014-08-05 17:37:56")),
        ("lan_ips", strs(&["192.168.0.2", "192.168.0.3"])),
        ("wan_ips", strs(&["122.22.3.45", "122.22.3.46"])),
    ]);
    assert_eq!(servers[0], expected);
    // The value matches the schema's declared type.
    let schema = &p.schema().data_sources["twocloud_servers"];
    assert_eq!(
        servers[0].type_of(),
        match &schema.attributes["servers"].ty {
            skyform::lang::Type::List(t) => (**t).clone(),
            other => panic!("servers is {other:?}"),
        }
    );
    // Filters are applied on the client; total still counts every server.
    let v = read(&p, &[("status", "error")]).await.expect("read");
    assert_eq!((num(&v, "count"), num(&v, "total")), (1, 2));
    assert_eq!(v.get_attr("ids"), Some(&strs(&["234sdf342323"])));
    let v = read(&p, &[("name_regex", "^he")]).await.expect("read");
    assert_eq!(v.get_attr("ids"), Some(&strs(&["u23j34j234j23h4"])));
}

#[tokio::test]
async fn a_thousand_servers_come_back_with_each_window_fetched_once() {
    let env = env_with(SimOptions {
        inventory: one_scope(1000),
        ..SimOptions::default()
    })
    .await;
    let expected: Vec<String> = env
        .sim
        .inventory()
        .servers()
        .iter()
        .map(|s| s.instance_id.clone())
        .collect();
    let ids_of = |v: &Value| -> Vec<String> {
        v.get_attr("ids")
            .and_then(Value::as_seq)
            .expect("ids")
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };

    // Page 100, 4 in flight: windows 1..=10 are full, 11 is the first short (empty) one,
    // and 12..=14 were already asked for: floor(1000/100) + 4 = 14 calls.
    let p = env.provider(&[]).await;
    let v = read(&p, &[]).await.expect("read");
    assert_eq!(num(&v, "total"), 1000);
    assert_eq!(ids_of(&v), expected, "every server, in the API's order");
    let mut windows = env.windows();
    windows.sort();
    let want: Vec<(u64, u64)> = (1..=14)
        .map(|k| {
            let w = Window::nth(k, 100);
            (w.f, w.t)
        })
        .collect();
    assert_eq!(windows, want, "each window once");
    assert_eq!(env.sim.request_counts()["GET /twocloud/servers"], 14);

    // One at a time: ceil(1000/100) + 1 = 11 calls (the 11th, empty, says it is the end).
    env.sim.reset_requests();
    let p = env.provider(&[("parallel_pages", Value::number(1))]).await;
    let v = read(&p, &[]).await.expect("read");
    assert_eq!(num(&v, "total"), 1000);
    let windows = env.windows();
    assert_eq!(windows.len(), 11);
    assert_eq!(windows[10], (1001, 1100));

    // Another page size: 1000 = 3 * 300 + 100, so window 4 is short and ends the list;
    // windows 5..=7 were in flight: 3 + 4 = 7 calls.
    env.sim.reset_requests();
    let p = env.provider(&[("page_size", Value::number(300))]).await;
    let v = read(&p, &[]).await.expect("read");
    assert_eq!(ids_of(&v), expected);
    assert_eq!(env.sim.request_counts()["GET /twocloud/servers"], 7);
}

#[tokio::test]
async fn a_list_that_does_not_add_up_is_an_error() {
    let env = env_with(SimOptions {
        inventory: one_scope(1000),
        ..SimOptions::default()
    })
    .await;
    let p = env.provider(&[]).await;
    // The API drops a server from window 3: the list seems to end there, yet window 4 has
    // servers.
    env.sim.set_knobs(Knobs {
        short_windows: vec![201],
        ..Knobs::default()
    });
    let e = read(&p, &[]).await.expect_err("dropped server");
    assert!(e.contains("does not add up"), "{e}");
    assert!(
        e.contains("window f=201 t=300 answered 99 of 100 servers"),
        "{e}"
    );
    assert!(e.contains("window f=301 t=400 answered 100 more"), "{e}");

    // The API answers at most 50 per window: caught on the first round.
    env.sim.set_knobs(Knobs {
        max_window: 50,
        ..Knobs::default()
    });
    let e = read(&p, &[]).await.expect_err("capped");
    assert!(e.contains("window f=1 t=100 answered 50 of 100"), "{e}");
    assert!(e.contains("lower page_size"), "{e}");
    // ... and with a page size the API honours, all is well again.
    let p = env.provider(&[("page_size", Value::number(50))]).await;
    let v = read(&p, &[]).await.expect("read");
    assert_eq!(num(&v, "total"), 1000);
}

#[tokio::test]
async fn error_answers_keep_the_api_code_and_message() {
    let env = env_with(SimOptions {
        inventory: one_scope(10),
        ..SimOptions::default()
    })
    .await;
    // A query the API refuses (the provider always sends the three parameters, so the
    // answer is fetched by hand and read by the provider's decoder).
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/twocloud/servers?region=gz&party=qcloud",
            env.base
        ))
        .basic_auth(twocloud::DEFAULT_TOKEN, Some("x"))
        .send()
        .await
        .expect("GET");
    let status = raw.status().as_u16();
    let body = raw.bytes().await.expect("body").to_vec();
    let e = decode_error(
        "GET /twocloud/servers?region=gz&party=qcloud",
        &Response {
            status,
            headers: Default::default(),
            body,
        },
    )
    .expect("an error");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "twocloud: GET /twocloud/servers?region=gz&party=qcloud: HTTP 400, code 400 \"tenant_id is required\""
    );

    // 500s are retried, then reported with the code.
    let p = env.provider(&[("max_retries", Value::number(1))]).await;
    env.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    env.sim.reset_requests();
    let e = read(&p, &[]).await.expect_err("500");
    assert!(
        e.contains("HTTP 500, code 500 \"Internal Server Error\""),
        "{e}"
    );
    assert!(
        e.starts_with("twocloud: GET /twocloud/servers?party=qcloud&tenant_id=123&region=gz&f="),
        "{e}"
    );
    let attempts = env.sim.request_log().len();
    assert!(
        (2..=8).contains(&attempts),
        "each window tried twice at most: {attempts}"
    );

    // Throttled answers are retried after Retry-After, then reported.
    env.sim.set_knobs(Knobs {
        throttle_rate: 1.0,
        ..Knobs::default()
    });
    let p = env
        .provider(&[
            ("max_retries", Value::number(1)),
            ("parallel_pages", Value::number(1)),
        ])
        .await;
    env.sim.reset_requests();
    let e = read(&p, &[]).await.expect_err("429");
    assert!(
        e.contains("HTTP 429, code 429 \"Too Many Requests\""),
        "{e}"
    );
    assert_eq!(env.sim.request_log().len(), 2, "one retry");
}

#[tokio::test]
async fn throttling_is_ridden_out() {
    let env = env_with(SimOptions {
        inventory: one_scope(250),
        knobs: Knobs {
            throttle: 2,
            ..Knobs::default()
        },
        ..SimOptions::default()
    })
    .await;
    let p = env.provider(&[("max_retries", Value::number(10))]).await;
    let v = read(&p, &[]).await.expect("read despite 429s");
    assert_eq!(num(&v, "total"), 250);
    let mut windows = env.windows();
    assert!(windows.len() > 6, "some windows were retried: {windows:?}");
    windows.sort();
    windows.dedup();
    assert_eq!(windows.len(), 6, "windows 1..=6 (3 + 4 - 1)");
}

#[tokio::test]
async fn auth_failures_name_the_settings_never_their_values() {
    let env = env_with(SimOptions {
        inventory: one_scope(3),
        token: "right-token".into(),
        password: Some("right-password".into()),
        ..SimOptions::default()
    })
    .await;
    let p = env
        .provider(&[
            ("token", Value::string("wrong-token-s3cr3t")),
            ("password", Value::string("wrong-password-s3cr3t")),
            ("parallel_pages", Value::number(1)),
        ])
        .await;
    let e = read(&p, &[]).await.expect_err("auth");
    assert!(
        e.contains("HTTP 401, code 401 \"Invalid token or password"),
        "{e}"
    );
    assert!(e.contains("check token and password in the provider block (or TWOCLOUD_TOKEN and TWOCLOUD_PASSWORD)"), "{e}");
    assert!(!e.contains("s3cr3t"), "{e}");
    assert!(!e.contains("right-"), "{e}");
    assert_eq!(env.sim.request_log().len(), 1, "not retried");
    let p = env
        .provider(&[
            ("token", Value::string("right-token")),
            ("password", Value::string("right-password")),
        ])
        .await;
    assert_eq!(num(&read(&p, &[]).await.expect("read"), "total"), 3);
}

#[tokio::test]
async fn a_missing_scope_names_the_attribute_and_variable() {
    let env = env_with(SimOptions::default()).await;
    let p = env
        .provider(&[("tenant_id", Value::Null), ("party", Value::Null)])
        .await;
    let e = read(&p, &[]).await.expect_err("no tenant");
    assert!(
        e.contains("twocloud_servers needs tenant_id (or TWOCLOUD_TENANT_ID), party (or TWOCLOUD_PARTY): set them in the data source or the provider block"),
        "{e}"
    );
    assert!(env.sim.request_log().is_empty(), "nothing was asked");
    // Given in the data source, the read works.
    let v = read(&p, &[("tenant_id", "123"), ("party", "qcloud")])
        .await
        .expect("read");
    let expected = env.sim.inventory().scope("123", "gz", "qcloud").len() as i64;
    assert_eq!(num(&v, "total"), expected);
    assert!(expected > 0);
    let listed = p.list_machines().await.expect_err("no defaults");
    assert!(
        listed.message.contains("set them in the provider block"),
        "{listed}"
    );
}

#[tokio::test]
async fn the_inventory_lists_the_default_scope() {
    let env = env_with(SimOptions {
        inventory: seed_inventory(),
        ..SimOptions::default()
    })
    .await;
    let p = env.provider(&[]).await;
    let listed = p
        .list_machines()
        .await
        .expect("list")
        .expect("an inventory");
    assert_eq!(
        listed,
        vec![
            ListedMachine {
                resource_type: None,
                id: "u23j34j234j23h4".into(),
                name: "hehe".into(),
                address: "192.168.0.2".into(),
                status: "ACTIVE".into(),
            },
            ListedMachine {
                resource_type: None,
                id: "234sdf342323".into(),
                name: "haha".into(),
                address: "192.168.0.2".into(),
                status: "ERROR".into(),
            },
        ]
    );
}
