//! The roma provider against the roma simulator over real HTTP on loopback: the seed's
//! answers parsed and mapped, every page fetched once, the IAM token shared and renewed
//! once, credential errors that name the setting (never its value), a miscounted
//! `total`, throttling retried, and the inventory contract.

use skyform::lang::Value;
use skyform::provider::http::Response;
use skyform::provider::{ConfigureContext, ErrorKind, Provider, ProviderType};
use skyform::providers::roma::client::{Client, PageQuery};
use skyform::providers::roma::errors::decode_roma;
use skyform::providers::roma::settings::{Credentials, Password};
use skyform::providers::roma::{self as rp, RomaProviderType};
use skyform::sim::roma::{self, inventory, Knobs, SimOptions, Simulator};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const LIST: &str = "GET /v2/{project_id}/instances";
const TOKENS: &str = "POST /v3/auth/tokens";

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roma")
        .join(name);
    std::fs::read_to_string(p).expect("read fixture")
}

struct Env {
    sim: Arc<Simulator>,
    base: String,
    _server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn env(options: SimOptions) -> Env {
    let sim = Simulator::open(options).expect("open simulator");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bound, server) = skyform::sim::serve(roma::router(sim.clone()), addr)
        .await
        .expect("serve");
    Env {
        sim,
        base: format!("http://{bound}"),
        _server: server,
        _dir: tempfile::tempdir().expect("tempdir"),
    }
}

fn with_instances(n: usize) -> SimOptions {
    SimOptions {
        instances: Some(inventory::generate(
            n,
            roma::DEFAULT_PROJECT_ID,
            roma::DEFAULT_USER,
        )),
        ..SimOptions::default()
    }
}

impl Env {
    /// The provider block: password credentials of the simulator's account.
    fn config(&self, extra: &[(&str, Value)]) -> Value {
        let mut m = Value::object([
            ("endpoint", Value::string(&self.base)),
            ("iam_endpoint", Value::string(&self.base)),
            ("user_name", Value::string(roma::DEFAULT_USER)),
            ("password", Value::string(roma::DEFAULT_PASSWORD)),
            ("domain_name", Value::string(roma::DEFAULT_DOMAIN)),
            ("project_name", Value::string(roma::DEFAULT_PROJECT_NAME)),
        ])
        .as_map()
        .cloned()
        .expect("object");
        for (k, v) in extra {
            m.insert(k.to_string(), v.clone());
        }
        Value::Object(m)
    }

    async fn provider(&self, extra: &[(&str, Value)]) -> Result<Arc<dyn Provider>, String> {
        RomaProviderType::new()
            .configure(
                &self.config(extra),
                &ConfigureContext::new(self._dir.path()),
            )
            .await
            .map_err(|e| e.to_string())
    }

    fn client(&self) -> Client {
        let settings = rp::settings_from(&self.config(&[]), |_| None).expect("settings");
        rp::client_for(&settings, &self.base, &self.base).expect("client")
    }
}

fn response(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: Default::default(),
        body: body.as_bytes().to_vec(),
    }
}

fn attr<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.get_attr(k).unwrap_or(&Value::Null)
}

#[test]
fn the_seed_error_answers_map_to_clear_messages_with_their_codes() {
    let password = Credentials::Password(Password {
        user_name: "alice".into(),
        password: "s3cret-pass".into(),
        domain_name: "acme".into(),
    });
    let token = Credentials::Token("MIIsecret-token-value".into());
    let cases = [
        (
            400,
            "error_400.json",
            "ROMA.00013000",
            ErrorKind::Invalid,
            "Invalid parameter value,parameterName:name.",
        ),
        (
            401,
            "error_401.json",
            "ROMA.00012000",
            ErrorKind::Auth,
            "Incorrect token or token resolution failed",
        ),
        (
            403,
            "error_403.json",
            "ROMA.00012000",
            ErrorKind::Auth,
            "No permissions to request this method",
        ),
        (
            500,
            "error_500.json",
            "ROMA.00011000",
            ErrorKind::Transient,
            "System error",
        ),
    ];
    for (status, file, code, kind, msg) in cases {
        let body = fixture(file);
        for creds in [&password, &token] {
            let e = decode_roma("GET /v2/p/instances", &response(status, &body), Some(creds))
                .expect("an error");
            assert_eq!(e.kind, kind, "{file}");
            assert_eq!(e.code.as_deref(), Some(code));
            assert_eq!(e.http_status, Some(status));
            let text = e.to_string();
            assert!(
                text.contains(&format!("HTTP {status}, code {code}")),
                "{text}"
            );
            assert!(text.contains(msg), "{text}");
            assert!(text.contains("some error details here"), "{text}");
            assert!(
                text.contains("request_id 13760c1fe8655e61209b75665e9bef43"),
                "{text}"
            );
            assert!(
                !text.contains("s3cret-pass") && !text.contains("MIIsecret"),
                "{text}"
            );
            if status == 401 || status == 403 {
                let names = match creds {
                    Credentials::Token(_) => "token (or ROMA_TOKEN)",
                    Credentials::Password(_) => "user_name, password and domain_name (or ROMA_USER_NAME, ROMA_PASSWORD, ROMA_DOMAIN_NAME)",
                };
                assert!(text.contains(names), "{text}");
            }
        }
    }
    // 429 from the gateway is throttling (retried by the shared toolkit).
    let e = decode_roma(
        "GET /x",
        &response(
            429,
            r#"{"error_code":"APIGW.0308","error_msg":"slow down","request_id":"r"}"#,
        ),
        None,
    )
    .expect("error");
    assert_eq!(e.kind, ErrorKind::Throttled);
}

#[tokio::test]
async fn the_seed_example_instance_reads_with_every_field_typed() {
    let e = env(SimOptions {
        instances: Some(inventory::parse(&fixture("list_200.json")).expect("seed")),
        ..SimOptions::default()
    })
    .await;
    let p = e.provider(&[]).await.expect("configure");
    let v = p
        .read_data("roma_instances", &Value::object([("status", Value::Null)]))
        .await
        .expect("read");
    assert_eq!(attr(&v, "total"), &Value::number(1));
    let list = attr(&v, "instances").as_seq().expect("list").to_vec();
    assert_eq!(list.len(), 1);
    let i = &list[0];
    let expected = Value::object([
        ("id", Value::string("e34610ca-0a37-4f04-8856-4101b08cc5e2")),
        ("name", Value::string("roma-test")),
        ("description", Value::string(" ")),
        ("flavor_id", Value::string("00400-30101-0--0")),
        ("flavor_type", Value::string("basic")),
        ("cpu_arch", Value::string("x86_64")),
        (
            "vpc_id",
            Value::string("000c3783-a9c0-4ee4-ac44-93bfdfbf3340"),
        ),
        (
            "subnet_id",
            Value::string("8e2ee0d5-0f1d-4067-965f-caf00dd65529"),
        ),
        (
            "security_group_id",
            Value::string("56275464-d5f1-417d-a73b-92ee479e91e2"),
        ),
        ("publicip_enable", Value::Bool(true)),
        (
            "publicip_id",
            Value::string("55a6ef1b-498d-42fb-bbc7-d01ba1652bfc"),
        ),
        ("publicip_address", Value::string("139.9.140.164")),
        ("status", Value::string("RUNNING")),
        ("error_code", Value::string("string")),
        ("error_msg", Value::string("string")),
        ("charge_type", Value::string("prePaid")),
        (
            "project_id",
            Value::string("106506b9a92342df9a5025fc12351cfc"),
        ),
        ("create_time", Value::string("2019-12-06T06:49:04Z")),
        ("update_time", Value::string("2019-12-06T06:49:04Z")),
        ("maintain_begin", Value::string("22:00:00")),
        ("maintain_end", Value::string("02:00:00")),
        (
            "available_zone_ids",
            Value::List(vec![Value::string("9f1c5806706d4c1fb0eb72f0a9b18c77")]),
        ),
        ("enterprise_project_id", Value::string("0")),
        (
            "created_user",
            Value::object([
                ("user_id", Value::string("string")),
                ("user_name", Value::string("string")),
            ]),
        ),
        (
            "last_updated_user",
            Value::object([
                ("user_id", Value::string("string")),
                ("user_name", Value::string("string")),
            ]),
        ),
    ]);
    assert_eq!(i, &expected);
    // The value has the schema's type exactly.
    let schema = &p.schema().data_sources["roma_instances"];
    assert_eq!(
        schema.attributes["instances"].ty,
        skyform::lang::Type::list(rp::instances::instance_type())
    );
    assert_eq!(i.type_of(), rp::instances::instance_type());
}

#[tokio::test]
async fn a_thousand_instances_are_fetched_page_by_page_once_each() {
    let e = env(with_instances(1000)).await;
    let p = e.provider(&[]).await.expect("configure");
    let v = p
        .read_data(
            "roma_instances",
            &Value::object([("limit", Value::number(100))]),
        )
        .await
        .expect("read");
    let list = attr(&v, "instances").as_seq().expect("list");
    assert_eq!(list.len(), 1000);
    assert_eq!(attr(&v, "total"), &Value::number(1000));
    let ids: BTreeSet<&str> = list.iter().filter_map(|i| attr(i, "id").as_str()).collect();
    assert_eq!(ids.len(), 1000);
    assert_eq!(e.sim.count(LIST), 10, "{:?}", e.sim.request_log());
    assert_eq!(e.sim.count(TOKENS), 1);
    let offsets: BTreeSet<String> = e
        .sim
        .request_log()
        .iter()
        .filter(|l| l.starts_with("GET "))
        .map(|l| {
            l.split("offset=")
                .nth(1)
                .unwrap_or("")
                .split('&')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let want: BTreeSet<String> = (0..10).map(|p| (p * 100).to_string()).collect();
    assert_eq!(offsets, want);

    // The status query and the name filters.
    e.sim.reset_request_counts();
    let v = p
        .read_data(
            "roma_instances",
            &Value::object([
                ("status", Value::string("ERROR")),
                ("name_regex", Value::string("^roma-00[0-4]")),
            ]),
        )
        .await
        .expect("read");
    let names: Vec<&str> = attr(&v, "instances")
        .as_seq()
        .expect("list")
        .iter()
        .filter_map(|i| attr(i, "name").as_str())
        .collect();
    assert_eq!(names, ["roma-0010", "roma-0021", "roma-0032", "roma-0043"]);
    assert_eq!(attr(&v, "total"), &Value::number(90), "every 11th of 1000");
    assert!(e
        .sim
        .request_log()
        .iter()
        .all(|l| !l.starts_with("GET ") || l.contains("status=ERROR")));
    let err = p
        .read_data(
            "roma_instances",
            &Value::object([("name_regex", Value::string("(["))]),
        )
        .await
        .expect_err("bad regex");
    assert!(err.message.contains("name_regex"), "{err}");
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_for_many_concurrent_calls() {
    let e = env(with_instances(50)).await;
    let client = e.client();
    let q = |o: u64| PageQuery {
        offset: o,
        limit: 10,
        status: None,
    };
    let never = skyform::provider::CancelToken::new();
    client.list_page(&q(0), &never).await.expect("first call");
    assert_eq!(e.sim.count(TOKENS), 1);
    // Past the token's day on the cloud's clock: the client still thinks it is fresh.
    e.sim.advance_clock(Duration::from_secs(86_401));
    let calls = (0..20u64).map(|i| {
        let client = client.clone();
        let never = never.clone();
        async move { client.list_page(&q(i % 5 * 10), &never).await }
    });
    let pages = futures::future::join_all(calls).await;
    for p in pages {
        assert_eq!(
            p.expect("renewed and repeated").instances.map(|i| i.len()),
            Some(10)
        );
    }
    assert_eq!(
        e.sim.count(TOKENS),
        2,
        "the first token, then one renewal for all 20 refused calls"
    );
    assert_eq!(
        e.sim.count(LIST),
        1 + 40,
        "each of the 20 calls refused once, then repeated once"
    );
    // Later calls use the renewed token: no more renewals.
    client.list_page(&q(0), &never).await.expect("later call");
    assert_eq!(e.sim.count(TOKENS), 2);
    assert_eq!(e.sim.count(LIST), 42);
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires_without_a_refusal() {
    let e = env(SimOptions {
        knobs: Knobs {
            token_ttl_s: 3,
            ..Knobs::default()
        },
        ..with_instances(5)
    })
    .await;
    let p = e.provider(&[]).await.expect("configure");
    let cfg = Value::object([("limit", Value::number(5))]);
    let read = || p.read_data("roma_instances", &cfg);
    read().await.expect("first");
    read().await.expect("second, same token");
    assert_eq!((e.sim.count(TOKENS), e.sim.count(LIST)), (1, 2));
    // Within the last tenth of its 3 s the token is renewed ahead of use.
    tokio::time::sleep(Duration::from_millis(2_800)).await;
    read().await.expect("third");
    assert_eq!(e.sim.count(TOKENS), 2);
    assert_eq!(e.sim.count(LIST), 3, "no call was refused");
}

#[tokio::test]
async fn wrong_credentials_name_the_setting_not_the_value() {
    let e = env(with_instances(3)).await;
    let p = e
        .provider(&[("password", Value::string("not-the-password-42"))])
        .await
        .expect("configure");
    let err = p
        .read_data("roma_instances", &Value::object([("limit", Value::Null)]))
        .await
        .expect_err("wrong password");
    let text = err.to_string();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(
        text.contains("The username or password is wrong."),
        "{text}"
    );
    assert!(
        text.contains("user_name, password and domain_name"),
        "{text}"
    );
    assert!(text.contains("ROMA_PASSWORD"), "{text}");
    assert!(!text.contains("not-the-password-42"), "{text}");
    assert_eq!(e.sim.count(TOKENS), 1, "a 401 from IAM is not retried");
    assert_eq!(e.sim.count(LIST), 0);

    // A fixed token the API does not know: the message names `token`, not its value.
    let p = RomaProviderType::new()
        .configure(
            &Value::object([
                ("endpoint", Value::string(&e.base)),
                ("token", Value::string("MIIforged-token-123")),
                ("project_id", Value::string(roma::DEFAULT_PROJECT_ID)),
            ]),
            &ConfigureContext::new(e._dir.path()),
        )
        .await
        .expect("configure");
    let err = p
        .read_data("roma_instances", &Value::object([("limit", Value::Null)]))
        .await
        .expect_err("unknown token");
    let text = err.to_string();
    assert!(text.contains("code ROMA.00012000"), "{text}");
    assert!(text.contains("token (or ROMA_TOKEN)"), "{text}");
    assert!(!text.contains("MIIforged"), "{text}");
    assert_eq!(e.sim.count(TOKENS), 1, "a fixed token is never renewed");
}

#[tokio::test]
async fn a_total_that_disagrees_with_the_instances_is_an_error() {
    let e = env(with_instances(250)).await;
    let p = e.provider(&[]).await.expect("configure");
    e.sim.set_knobs(Knobs {
        misreport_total: 7,
        ..Knobs::default()
    });
    let err = p
        .read_data(
            "roma_instances",
            &Value::object([("limit", Value::number(100))]),
        )
        .await
        .expect_err("miscounted");
    assert!(
        err.message.contains("reported total 257") && err.message.contains("250 instances arrived"),
        "{err}"
    );
    e.sim.set_knobs(Knobs {
        misreport_total: -1,
        ..Knobs::default()
    });
    let err = p
        .read_data(
            "roma_instances",
            &Value::object([("limit", Value::number(100))]),
        )
        .await
        .expect_err("undercounted");
    assert!(err.message.contains("reported total 249"), "{err}");
}

#[tokio::test]
async fn throttled_pages_are_retried_until_every_page_arrives() {
    let e = env(SimOptions {
        knobs: Knobs {
            throttle_fraction: 0.3,
            ..Knobs::default()
        },
        ..with_instances(300)
    })
    .await;
    let p = e
        .provider(&[("max_retries", Value::number(30))])
        .await
        .expect("configure");
    let v = p
        .read_data(
            "roma_instances",
            &Value::object([("limit", Value::number(50))]),
        )
        .await
        .expect("read despite 429s");
    assert_eq!(
        attr(&v, "instances").as_seq().map(<[Value]>::len),
        Some(300)
    );
    assert!(e.sim.count(LIST) >= 6);
}

#[tokio::test]
async fn the_inventory_lists_every_instance_with_its_public_address() {
    let e = env(with_instances(120)).await;
    let p = e.provider(&[]).await.expect("configure");
    let machines = p
        .list_machines()
        .await
        .expect("list")
        .expect("roma lists machines");
    assert_eq!(machines.len(), 120);
    assert_eq!(e.sim.count(LIST), 2, "pages of 100");
    let first = &machines[0];
    assert_eq!(first.resource_type, None);
    assert_eq!(first.name, "roma-0000");
    assert_eq!(first.address, "139.9.0.1");
    assert_eq!(first.status, "RUNNING");
    assert_eq!(machines[1].address, "", "odd instances have no public IP");
    let generated = inventory::generate(120, roma::DEFAULT_PROJECT_ID, roma::DEFAULT_USER);
    assert_eq!(first.id, generated[0].id);
}

#[test]
fn the_embedded_defaults_are_the_simulators() {
    assert_eq!(rp::EMBEDDED.user_name, roma::DEFAULT_USER);
    assert_eq!(rp::EMBEDDED.password, roma::DEFAULT_PASSWORD);
    assert_eq!(rp::EMBEDDED.domain_name, roma::DEFAULT_DOMAIN);
    assert_eq!(rp::EMBEDDED_PROJECT_NAME, roma::DEFAULT_PROJECT_NAME);
}

#[tokio::test]
async fn a_service_that_caps_limit_is_paged_by_what_it_gives() {
    let e = env(SimOptions {
        knobs: Knobs {
            page_cap: 30,
            ..Knobs::default()
        },
        ..with_instances(100)
    })
    .await;
    let p = e.provider(&[]).await.expect("configure");
    let v = p
        .read_data(
            "roma_instances",
            &Value::object([("limit", Value::number(50))]),
        )
        .await
        .expect("read");
    let ids: BTreeSet<&str> = attr(&v, "instances")
        .as_seq()
        .expect("list")
        .iter()
        .filter_map(|i| attr(i, "id").as_str())
        .collect();
    assert_eq!(ids.len(), 100, "no instance skipped");
    assert_eq!(e.sim.count(LIST), 4, "offsets 0, 30, 60, 90");
}
