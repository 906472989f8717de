//! Where the simulated instances come from: a JSON file (`-roma-inventory FILE`) or a
//! deterministic generator (`-roma-instances N`).

use super::model::{Instance, UserRef};
use chrono::{Duration, TimeZone, Utc};

/// Instances generated when neither a file nor a count is given.
pub const DEFAULT_GENERATED: usize = 10;

/// Reads an inventory file: a JSON array of instances, or an answer of the API itself
/// (`{"total", "size", "instances": [...]}`, so the seed's own example loads as is).
/// Every instance must carry every field of the seed; ids must be unique. Errors read
/// `FILE:LINE:COLUMN: what`.
pub fn load(path: &std::path::Path) -> Result<Vec<Instance>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read roma inventory {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// The API's answer shape; `total` and `size` are recomputed when serving.
#[derive(serde::Deserialize)]
struct Answer {
    instances: Vec<Instance>,
    #[serde(rename = "total")]
    _total: Option<serde_json::Value>,
    #[serde(rename = "size")]
    _size: Option<serde_json::Value>,
}

/// `LINE:COLUMN: message` of a JSON error.
fn positioned(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    format!("{}:{}: {what}", e.line(), e.column())
}

/// [`load`] on text already read; errors read `LINE:COLUMN: what` (or `: what` for a
/// problem of the whole list).
pub fn parse(text: &str) -> Result<Vec<Instance>, String> {
    let items = if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<Instance>>(text).map_err(|e| positioned(&e))?
    } else {
        serde_json::from_str::<Answer>(text)
            .map_err(|e| positioned(&e))?
            .instances
    };
    let mut seen = std::collections::HashSet::new();
    for (i, instance) in items.iter().enumerate() {
        if instance.id.is_empty() {
            return Err(format!(" instance {i} (0-based) has an empty id"));
        }
        if !seen.insert(instance.id.as_str()) {
            return Err(format!(
                " instance {i} (0-based): id {:?} appears twice",
                instance.id
            ));
        }
    }
    Ok(items)
}

/// A 32-hex-digit id derived from `seed` (Huawei project, zone and user ids look so).
fn hex_id(seed: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, seed.as_bytes())
        .simple()
        .to_string()
}

/// A dashed UUID derived from `seed` (instance, VPC, subnet ids look so).
fn uuid_id(seed: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, seed.as_bytes()).to_string()
}

const FLAVORS: &[(&str, &str)] = &[
    ("basic", "00400-30101-0--0"),
    ("professional", "00400-30102-0--0"),
    ("enterprise", "00400-30103-0--0"),
    ("platinum", "00400-30104-0--0"),
];

/// `n` instances, the same ones every time for the same `n`, `project_id` and `user`:
/// mostly RUNNING (every 7th CREATING, every 11th ERROR with an error code), every
/// other one with a public IP, flavors and charge types in turn, created an hour apart
/// from the seed example's `2019-12-06T06:49:04Z`.
pub fn generate(n: usize, project_id: &str, user: &str) -> Vec<Instance> {
    let first = Utc
        .with_ymd_and_hms(2019, 12, 6, 6, 49, 4)
        .single()
        .unwrap_or_else(Utc::now);
    let owner = UserRef {
        user_id: hex_id(&format!("user-{user}")),
        user_name: user.to_string(),
    };
    (0..n)
        .map(|i| {
            let (flavor_type, flavor_id) = FLAVORS[i % FLAVORS.len()];
            let status = if i % 11 == 10 {
                "ERROR"
            } else if i % 7 == 6 {
                "CREATING"
            } else {
                "RUNNING"
            };
            let (error_code, error_msg) = if status == "ERROR" {
                ("ROMA.00011000", "System error")
            } else {
                ("", "")
            };
            let public = i % 2 == 0;
            let created = first + Duration::hours(i as i64);
            let updated = created + Duration::minutes(5);
            let stamp = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            Instance {
                id: uuid_id(&format!("roma-instance-{i}")),
                name: format!("roma-{i:04}"),
                description: format!("generated instance {i}"),
                flavor_id: flavor_id.to_string(),
                flavor_type: flavor_type.to_string(),
                cpu_arch: if i % 5 == 4 { "aarch64" } else { "x86_64" }.to_string(),
                vpc_id: uuid_id(&format!("vpc-{}", i % 3)),
                subnet_id: uuid_id(&format!("subnet-{}", i % 3)),
                security_group_id: uuid_id(&format!("sg-{}", i % 3)),
                publicip_enable: public,
                publicip_id: if public {
                    uuid_id(&format!("eip-{i}"))
                } else {
                    String::new()
                },
                publicip_address: if public {
                    format!("139.9.{}.{}", (i / 250) % 256, i % 250 + 1)
                } else {
                    String::new()
                },
                status: status.to_string(),
                error_code: error_code.to_string(),
                error_msg: error_msg.to_string(),
                charge_type: if i % 3 == 0 { "prePaid" } else { "postPaid" }.to_string(),
                project_id: project_id.to_string(),
                create_time: stamp(created),
                update_time: stamp(updated),
                maintain_begin: "22:00:00".to_string(),
                maintain_end: "02:00:00".to_string(),
                available_zone_ids: vec![hex_id(&format!("az-{}", i % 3))],
                enterprise_project_id: "0".to_string(),
                created_user: owner.clone(),
                last_updated_user: owner.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_ids_unique() {
        let a = generate(50, "p", "u");
        assert_eq!(a, generate(50, "p", "u"));
        let ids: std::collections::HashSet<_> = a.iter().map(|i| i.id.clone()).collect();
        assert_eq!(ids.len(), 50);
        assert_eq!(a[10].status, "ERROR");
        assert_eq!(a[6].status, "CREATING");
        assert_eq!(a[1].create_time, "2019-12-06T07:49:04Z");
    }

    #[test]
    fn files_missing_a_field_or_repeating_an_id_are_refused() {
        let one = serde_json::to_value(&generate(1, "p", "u")[0]).expect("json");
        let twice = serde_json::json!([one.clone(), one.clone()]).to_string();
        assert!(parse(&twice).expect_err("dup").contains("appears twice"));
        let mut partial = one.clone();
        if let Some(m) = partial.as_object_mut() {
            m.remove("status");
        }
        let text = serde_json::to_string_pretty(&serde_json::json!([partial])).expect("json");
        let err = parse(&text).expect_err("missing");
        assert!(err.contains("missing field `status`"), "{err}");
        assert!(
            // At the end of the instance missing it: the line before the closing `]`.
            err.starts_with(&format!("{}:", text.lines().count() - 1)),
            "line first: {err}"
        );
        let answer = serde_json::json!({"total": 1, "size": 1, "instances": [one]});
        assert_eq!(parse(&answer.to_string()).expect("answer shape").len(), 1);
    }
}
