//! Contract v2 as the mcloud provider keeps it, against the simulator over loopback: the
//! status table from the provider block, waits that stop on an unknown status, failures
//! that carry the latest state, cancellation, and error kinds.

use super::against_sim::*;
use skyform::lang::Value;
use skyform::provider::{CancelToken, ConfigureContext, ErrorKind, OperationContext, ProviderType};
use skyform::providers::mcloud::MCloudProviderType;
use skyform::sim::mcloud::Knobs;
use std::time::{Duration, Instant};

const INSTANCE: &str = "mcloud_instance";

fn codes(running: &[i64], starting: &[i64], stopped: &[i64]) -> Value {
    let l = |xs: &[i64]| Value::List(xs.iter().map(|x| Value::number(*x)).collect());
    Value::object([
        ("running", l(running)),
        ("starting", l(starting)),
        ("stopped", l(stopped)),
    ])
}

/// The simulator keeps new machines at code 1 for a minute.
fn slow() -> Knobs {
    Knobs {
        transition_ms: 60_000,
        ..Knobs::default()
    }
}

#[tokio::test]
async fn status_codes_come_from_the_provider_block() {
    // This server's machines are usable as soon as they report 1.
    let e = env_configured(slow(), &[("status_codes", codes(&[1, 3], &[], &[7]))]).await;
    let i = e.create(INSTANCE, &instance_args()).await;
    assert_eq!(text(&i, "status"), "running");
    assert_eq!(attr(&i, "running"), &Value::Bool(true));
    assert_eq!(
        e.count("GET /v1/status/:instanceId"),
        0,
        "no wait was needed"
    );

    // Through the default table the same machine is still starting: the create waits.
    let d = env_with(slow()).await;
    let p = planned(&d.schema(INSTANCE), &instance_args());
    let op =
        OperationContext::new("mcloud_instance.d").with_timeout(Some(Duration::from_millis(300)));
    let failure = d
        .provider
        .create(INSTANCE, &p, &op)
        .await
        .expect_err("waits");
    assert_eq!(failure.error.kind, ErrorKind::Timeout);
    assert!(d.count("GET /v1/status/:instanceId") >= 1);
}

#[tokio::test]
async fn a_wait_on_an_unknown_status_stops_and_names_it() {
    // A table without 1: the machine's status is one the provider does not know.
    let e = env_configured(slow(), &[("status_codes", codes(&[3], &[], &[7]))]).await;
    let started = Instant::now();
    let failure = e
        .try_create(INSTANCE, &instance_args())
        .await
        .expect_err("unknown status");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped at once, not at the 20 s timeout"
    );
    assert!(
        failure
            .error
            .message
            .contains("unexpected status unknown(1)"),
        "{}",
        failure.error
    );
    let state = failure.state.expect("the machine exists");
    assert_eq!(text(&state, "status"), "unknown(1)");
    assert_eq!(e.count("POST /v1/instance"), 1);
    assert_eq!(e.sim_instance_count(), 1);
}

#[tokio::test]
async fn bad_status_codes_are_refused_when_configuring() {
    let config = Value::object([
        ("endpoint", s("http://127.0.0.1:9")),
        ("status_codes", codes(&[3], &[3], &[7])),
    ]);
    let err = match MCloudProviderType::new()
        .configure(&config, &ConfigureContext::new(std::env::temp_dir()))
        .await
    {
        Ok(_) => panic!("overlapping codes accepted"),
        Err(e) => e,
    };
    assert!(err.message.contains("code 3 is in both"), "{err}");
    assert_eq!(err.kind, ErrorKind::Invalid);
}

#[tokio::test]
async fn an_update_that_fails_after_starting_reports_the_machine_as_it_is() {
    let e = env().await;
    let i = e.create(INSTANCE, &instance_args()).await;
    let stopped = e
        .update(INSTANCE, &i, &[("running", Value::Bool(false))])
        .await;
    assert_eq!(text(&stopped, "status"), "stopped");
    // Starting now takes a minute; the update gives up long before.
    e.sim.set_knobs(slow());
    let mut planned = stopped.as_map().cloned().expect("object");
    planned.insert("running".into(), Value::Bool(true));
    let op =
        OperationContext::new("mcloud_instance.x").with_timeout(Some(Duration::from_millis(300)));
    let failure = e
        .provider
        .update(INSTANCE, &stopped, &Value::Object(planned), &op)
        .await
        .expect_err("times out");
    assert_eq!(failure.error.kind, ErrorKind::Timeout);
    // The start happened: state must not keep saying "stopped".
    let state = failure.state.expect("the machine as it is now");
    assert_eq!(text(&state, "status"), "starting");
    assert_eq!(e.count("GET /v1/start/:instanceId"), 1);
}

#[tokio::test]
async fn cancelling_a_create_ends_its_wait_with_the_machine_in_hand() {
    let e = env_with(slow()).await;
    let p = planned(&e.schema(INSTANCE), &instance_args());
    let token = CancelToken::new();
    let op = OperationContext::new("mcloud_instance.c")
        .with_timeout(Some(Duration::from_secs(600)))
        .with_cancel(token.clone());
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel();
    });
    let started = Instant::now();
    let failure = e
        .provider
        .create(INSTANCE, &p, &op)
        .await
        .expect_err("cancelled");
    canceller.await.expect("joined");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(failure.error.kind, ErrorKind::Cancelled);
    let state = failure.state.expect("the machine exists");
    assert!(text(&state, "id").starts_with("i-"));
    assert_eq!(text(&state, "status"), "starting");
}

#[tokio::test]
async fn api_errors_carry_their_kind() {
    let e = env_configured(Knobs::default(), &[("max_retries", n(0))]).await;
    // Bad input: 12996, never retried.
    let bad = with(instance_args(), "data_disk_size", n(999_999));
    let failure = e.try_create(INSTANCE, &bad).await.expect_err("bad input");
    assert_eq!(failure.error.kind, ErrorKind::Invalid);
    assert_eq!(failure.error.code.as_deref(), Some("12996"));
    assert!(failure.state.is_none(), "nothing was made");
    // Service errors: 10999, transient.
    e.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    let err = e
        .provider
        .read_resources("mcloud_template", &[Value::object([("id", s("1"))])])
        .await
        .expect_err("service error");
    assert_eq!(err.kind, ErrorKind::Transient);
    assert!(err.retryable());
    // Throttling: HTTP 429 (no retries configured, so it surfaces).
    e.sim.set_knobs(Knobs {
        throttle: 1,
        ..Knobs::default()
    });
    let schema = e.data_schema("mcloud_templates");
    let mut errors = Vec::new();
    for _ in 0..3 {
        if let Err(err) = e
            .provider
            .read_data("mcloud_templates", &planned(&schema, &[]))
            .await
        {
            errors.push((err.kind, err.http_status));
        }
    }
    assert!(
        errors.contains(&(ErrorKind::Throttled, Some(429))),
        "{errors:?}"
    );
}

/// Records every back-off wait and returns at once.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<Duration>>);

impl skyform::provider::http::Sleeper for Recorder {
    fn sleep(&self, d: Duration) -> futures::future::BoxFuture<'static, ()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(d);
        Box::pin(async {})
    }
}

#[tokio::test]
async fn throttled_calls_honour_retry_after_and_creates_are_retried_too() {
    use skyform::provider::http::RetryPolicy;
    use skyform::provider::resource::Registered;
    use skyform::provider::Provider;
    use skyform::providers::mcloud::client::Client;
    use std::sync::Arc;

    // One request a second: every retry within the same second is throttled again.
    let e = env_with(Knobs {
        throttle: 1,
        ..Knobs::default()
    })
    .await;
    let waits = Arc::new(Recorder::default());
    let retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
        sleeper: waits.clone(),
        ..RetryPolicy::default()
    };
    let client = Client::new(&e.base, Duration::from_secs(5), retry).expect("client");
    let provider = Registered::new(Arc::new(skyform::providers::mcloud::types()), client);
    let schema = e.data_schema("mcloud_templates");
    let cfg = planned(&schema, &[]);
    provider
        .read_data("mcloud_templates", &cfg)
        .await
        .expect("first call admitted");
    e.sim.reset_request_counts();
    let err = provider
        .read_data("mcloud_templates", &cfg)
        .await
        .expect_err("throttled throughout");
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert_eq!(e.count("GET /v1/cluster"), 3, "1 try + 2 retries");
    // The simulator says `Retry-After: 1`; that beats the 1 ms back-off.
    let seen = waits.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(seen, vec![Duration::from_secs(1); 2]);

    // A throttled create was never processed, so it is retried (here until the limit).
    let p = planned(&e.schema(INSTANCE), &instance_args());
    let failure = provider
        .create(INSTANCE, &p, &OperationContext::new("mcloud_instance.t"))
        .await
        .expect_err("throttled throughout");
    assert_eq!(failure.error.kind, ErrorKind::Throttled);
    assert_eq!(e.count("POST /v1/instance"), 3);
    assert_eq!(e.sim_instance_count(), 0, "nothing was made");
}
