//! The catalog GET endpoints (`/v1/instance/provider`, `regions`, `zones`, ...).

use super::catalog::{self, ProviderCatalog, RegionDef};
use super::envelope::Reply;
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use serde_json::{json, Value};

fn with_provider(
    path: Result<Path<String>, PathRejection>,
    f: impl FnOnce(&'static ProviderCatalog) -> Value,
) -> Reply {
    let name = path.map(|Path(p)| p).unwrap_or_default();
    match catalog::provider(&name) {
        Some(provider) => Reply::ok(f(provider)),
        None => Reply::unknown_provider(&name),
    }
}

/// Unknown regions give an empty list (the seed shows no error for them).
fn with_region(
    path: Result<Path<(String, String)>, PathRejection>,
    f: impl FnOnce(&'static RegionDef) -> Value,
) -> Reply {
    let (name, region) = path.map(|Path(p)| p).unwrap_or_default();
    match catalog::provider(&name) {
        Some(provider) => Reply::ok(provider.region(&region).map(f).unwrap_or(json!([]))),
        None => Reply::unknown_provider(&name),
    }
}

/// `GET /v1/instance/provider`.
pub async fn providers() -> Reply {
    Reply::ok(json!(catalog::PROVIDERS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()))
}

/// `GET /v1/instance/regions/:provider`.
pub async fn regions(path: Result<Path<String>, PathRejection>) -> Reply {
    with_provider(path, |p| p.regions_wire())
}

/// `GET /v1/instance/zones/:provider/:regionId`.
pub async fn zones(path: Result<Path<(String, String)>, PathRejection>) -> Reply {
    with_region(path, |r| r.zones_wire())
}

/// `GET /v1/instance/vpc/:provider/:regionId`.
pub async fn vpcs(path: Result<Path<(String, String)>, PathRejection>) -> Reply {
    with_region(path, |r| r.vpcs_wire())
}

/// `GET /v1/instance/image/:provider/:regionId`.
pub async fn images(path: Result<Path<(String, String)>, PathRejection>) -> Reply {
    with_region(path, |r| r.images_wire())
}

/// `GET /v1/instance/security_group/:provider/:regionId`.
pub async fn security_groups(path: Result<Path<(String, String)>, PathRejection>) -> Reply {
    with_region(path, |r| r.security_groups_wire())
}

/// `GET /v1/instance/subnet/:provider/:zoneId/:vpcId`.
pub async fn subnets(path: Result<Path<(String, String, String)>, PathRejection>) -> Reply {
    let (name, zone, vpc) = path.map(|Path(p)| p).unwrap_or_default();
    let Some(provider) = catalog::provider(&name) else {
        return Reply::unknown_provider(&name);
    };
    let subnets: Vec<Value> = provider
        .region_of_zone(&zone)
        .and_then(|region| region.vpc(&vpc).map(|v| region.subnets(&zone, v)))
        .unwrap_or_default()
        .iter()
        .map(|s| s.to_wire())
        .collect();
    Reply::ok(Value::Array(subnets))
}

/// `GET /v1/instance/type/:provider`.
pub async fn instance_types(path: Result<Path<String>, PathRejection>) -> Reply {
    with_provider(path, |p| {
        json!(p
            .instance_types
            .iter()
            .map(|(name, _, _)| *name)
            .collect::<Vec<_>>())
    })
}

/// `GET /v1/instance/charge/:provider`.
pub async fn charge_types(path: Result<Path<String>, PathRejection>) -> Reply {
    with_provider(path, |p| json!(p.charge_types))
}

/// `GET /v1/instance/disk_category/:provider`.
pub async fn disk_categories(path: Result<Path<String>, PathRejection>) -> Reply {
    with_provider(path, |p| json!(p.disk_categories))
}
