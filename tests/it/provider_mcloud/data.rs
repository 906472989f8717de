//! Data sources against the simulator, and `endpoint = "embedded"`.

use super::against_sim::*;
use skyform::lang::Value;
use skyform::provider::{ConfigureContext, ProviderType};
use skyform::providers::mcloud::MCloudProviderType;

fn names(v: &Value, attr_name: &str) -> Vec<String> {
    attr(v, attr_name)
        .as_seq()
        .unwrap_or_else(|| panic!("{attr_name} not a list: {v:?}"))
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn catalog_data_sources() {
    let e = env().await;
    let p = e.read_data("mcloud_providers", &[]).await;
    assert!(names(&p, "names").contains(&"aliyun".to_string()));

    let cloud = ("cloud", s("aliyun"));
    let r = e
        .read_data("mcloud_regions", std::slice::from_ref(&cloud))
        .await;
    assert!(names(&r, "names").contains(&"cn-beijing".to_string()));

    let z = e
        .read_data(
            "mcloud_zones",
            &[cloud.clone(), ("region", s("cn-beijing"))],
        )
        .await;
    assert!(names(&z, "names").contains(&"cn-beijing-c".to_string()));
    assert_eq!(text(&z, "cloud"), "aliyun", "inputs are echoed");
    assert!(z.is_wholly_known());

    let v = e
        .read_data("mcloud_vpcs", &[cloud.clone(), ("region", s("cn-beijing"))])
        .await;
    let vpc = names(&v, "ids")[0].clone();
    let sn = e
        .read_data(
            "mcloud_subnets",
            &[
                cloud.clone(),
                ("zone", s("cn-beijing-a")),
                ("vpc_id", s(&vpc)),
            ],
        )
        .await;
    assert_eq!(names(&sn, "ids").len(), 1, "{sn:?}");

    for (ds, expect) in [
        ("mcloud_instance_types", "1Core-1GB"),
        ("mcloud_charge_types", "PayByTraffic"),
        ("mcloud_disk_categories", "cloud_ssd"),
    ] {
        let got = e.read_data(ds, std::slice::from_ref(&cloud)).await;
        assert!(
            names(&got, "names").contains(&expect.to_string()),
            "{ds}: {got:?}"
        );
    }
    let img = e
        .read_data(
            "mcloud_images",
            &[cloud.clone(), ("region", s("cn-beijing"))],
        )
        .await;
    assert!(names(&img, "ids").contains(&"m-2zefnwiq237sjwnt7oez".to_string()));
    let sg = e
        .read_data(
            "mcloud_security_groups",
            &[cloud.clone(), ("region", s("cn-beijing"))],
        )
        .await;
    assert!(names(&sg, "ids").contains(&"sg-25vpbkswc".to_string()));
}

#[tokio::test]
async fn unknown_cloud_gives_the_seeds_message() {
    let e = env().await;
    let cfg = planned(&e.data_schema("mcloud_regions"), &[("cloud", s("nimbus"))]);
    let err = e
        .provider
        .read_data("mcloud_regions", &cfg)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"mcloud: GET /v1/instance/regions/nimbus: code 10999 "unknown backend provider driver: nimbus""#
    );
}

#[tokio::test]
async fn inventory_and_count_data_sources() {
    let e = env().await;
    let t = e.create("mcloud_template", &template_args("inv")).await;
    let i = e.create("mcloud_instance", &instance_args()).await;
    let all = e.read_data("mcloud_instances", &[]).await;
    assert_eq!(names(&all, "ids"), vec![text(&i, "id")]);
    let tpls = e.read_data("mcloud_templates", &[]).await;
    let listed = attr(&tpls, "templates").as_seq().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(text(&listed[0], "id"), text(&t, "id"));

    let logs = e
        .read_data(
            "mcloud_instance_logs",
            &[("instance_id", s(&text(&i, "id")))],
        )
        .await;
    assert!(!text(&logs, "content").is_empty());

    let counts = e
        .read_data("mcloud_machine_counts", &[("hours", n(1))])
        .await;
    let samples = attr(&counts, "counts").as_seq().unwrap();
    assert!(!samples.is_empty());
    let last = samples.last().unwrap();
    assert_eq!(attr(last, "total"), &n(1), "{last:?}");
    assert_eq!(attr(last, "by_cloud").get_attr("aliyun"), Some(&n(1)));

    // Whole seconds: the next second is after the instance's sample.
    let now = (chrono::Utc::now() + chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let at = e
        .read_data("mcloud_machine_count_at", &[("time", s(&now))])
        .await;
    assert_eq!(attr(&at, "total"), &n(1), "{at:?}");
    assert!(!text(&at, "sample_time").is_empty());
}

#[tokio::test]
async fn logs_error_with_code_zero_is_an_error() {
    let e = env().await;
    let cfg = planned(
        &e.data_schema("mcloud_instance_logs"),
        &[("instance_id", s("i-nothing-here"))],
    );
    let err = e
        .provider
        .read_data("mcloud_instance_logs", &cfg)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("0"), "{err}");
    assert!(err.to_string().contains("result to json error"), "{err}");
}

#[tokio::test]
async fn embedded_endpoint_serves_over_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = Value::object([
        ("endpoint", s("embedded")),
        ("timeout", Value::Null),
        ("max_retries", Value::Null),
    ]);
    let ctx = ConfigureContext::new(dir.path())
        .with_embedded(std::sync::Arc::new(skyform::sim::embedded::Launcher));
    let provider = MCloudProviderType::new()
        .configure(&config, &ctx)
        .await
        .unwrap();
    let schema = provider.schema().data_sources["mcloud_providers"].clone();
    let got = provider
        .read_data("mcloud_providers", &planned(&schema, &[]))
        .await
        .unwrap();
    assert!(names(&got, "names").contains(&"aws".to_string()));
    assert!(dir.path().join("state/sim").is_dir());
}

#[tokio::test]
async fn unreachable_endpoint_is_a_clear_error() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = Value::object([
        ("endpoint", s(&format!("http://127.0.0.1:{port}"))),
        ("timeout", s("2s")),
        ("max_retries", n(1)),
    ]);
    let ctx = ConfigureContext::new(std::env::temp_dir());
    let provider = MCloudProviderType::new()
        .configure(&config, &ctx)
        .await
        .unwrap();
    let schema = provider.schema().data_sources["mcloud_providers"].clone();
    let err = provider
        .read_data("mcloud_providers", &planned(&schema, &[]))
        .await
        .unwrap_err();
    assert_eq!(err.kind, skyform::provider::ErrorKind::Transient);
    assert!(
        err.to_string()
            .starts_with("mcloud: GET /v1/instance/provider: cannot connect"),
        "{err}"
    );
}
