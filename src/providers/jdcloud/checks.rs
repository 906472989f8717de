//! Plan-time checks of the seed's rules that need no API call, each quoting the rule.

use super::values::{blocks, get, opt_i64, opt_str, str_list};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;

fn err(diags: &mut Diagnostics, attr: &str, summary: String, rule: &str) {
    diags.push(Diagnostic::error(
        summary,
        format!("attribute {attr}: the API's rule: {rule}"),
    ));
}

/// Size range and step of a data disk type: (min, max, step).
pub fn disk_range(disk_type: &str) -> Option<(i64, i64, i64, &'static str)> {
    match disk_type {
        "ssd" => Some((
            20,
            1000,
            10,
            "ssd：范围[20,1000]GB，步长为10G (ssd: 20–1000 GB in 10 GB steps)",
        )),
        "premium-hdd" => Some((
            20,
            3000,
            10,
            "premium-hdd：范围[20,3000]GB，步长为10G (premium-hdd: 20–3000 GB in 10 GB steps)",
        )),
        "ssd.gp1" | "ssd.io1" | "hdd.std1" | "ssd.io2" | "ssd.gp2" => {
            Some((20, 16000, 1, "cloud disk sizes are 20–16000 GB"))
        }
        _ => None,
    }
}

/// The checks of a `jdcloud_instance` configuration.
pub fn instance(config: &Value, diags: &mut Diagnostics) {
    let disks = blocks(config, "data_disk");
    let cloud_system = opt_i64(config, "system_disk_size_gb").is_some();
    let max = if cloud_system { 7 } else { 8 };
    if disks.len() > max {
        err(
            diags,
            "data_disk",
            format!("Too many data disks: {} (at most {max})", disks.len()),
            "local类型系统的云主机可以挂载8块云硬盘, cloud类型系统的云主机可以挂载7块云硬盘 (8 data disks with a local system disk, 7 with a cloud one)",
        );
    }
    for (k, d) in disks.iter().enumerate() {
        let Some(t) = opt_str(d, "disk_type") else {
            continue;
        };
        let Some((min, maxg, step, rule)) = disk_range(&t) else {
            err(
                diags,
                &format!("data_disk[{k}].disk_type"),
                format!("Unknown data disk type {t:?}"),
                "云硬盘类型可以选择ssd、premium-hdd (also ssd.gp1, ssd.io1, hdd.std1, ssd.io2, ssd.gp2)",
            );
            continue;
        };
        if let Some(size) = opt_i64(d, "disk_size_gb") {
            if size < min || size > maxg || size % step != 0 {
                err(
                    diags,
                    &format!("data_disk[{k}].disk_size_gb"),
                    format!("Data disk size {size} GB is not allowed for {t}"),
                    rule,
                );
            }
        }
    }
    if let Some(size) = opt_i64(config, "system_disk_size_gb") {
        if !(40..=500).contains(&size) {
            err(
                diags,
                "system_disk_size_gb",
                format!("System disk size {size} GB is out of range"),
                "cloud：取值范围: 40-500GB (a cloud system disk is 40–500 GB)",
            );
        }
    }
    if str_list(config, "security_group_ids").len() > 5 {
        err(
            diags,
            "security_group_ids",
            "Too many security groups".to_string(),
            "至多指定5个安全组 (at most 5 security groups)",
        );
    }
    if let Some(name) = opt_str(config, "instance_name") {
        let len = name.chars().count();
        if !(2..=128).contains(&len) || name.starts_with('.') || name.ends_with('.') {
            err(
                diags,
                "instance_name",
                format!("Instance name {name:?} is not allowed"),
                "2–128 characters (Chinese, letters, digits, _ - .), not starting or ending with .",
            );
        }
    }
    if let Some(d) = opt_str(config, "description") {
        if d.chars().count() > 256 {
            err(
                diags,
                "description",
                "Description too long".to_string(),
                "at most 256 characters",
            );
        }
    }
    if let Some(pw) = get(config, "password").and_then(Value::as_str) {
        if !password_ok(pw) {
            err(
                diags,
                "password",
                "The password does not meet the API's rule".to_string(),
                "8–30 characters from at least three of: upper case, lower case, digits, special characters",
            );
        }
    }
}

/// 8–30 ASCII characters from at least three classes.
pub fn password_ok(pw: &str) -> bool {
    let len = pw.chars().count();
    if !(8..=30).contains(&len) || !pw.is_ascii() {
        return false;
    }
    let classes = [
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| c.is_ascii_punctuation()),
    ];
    classes.iter().filter(|x| **x).count() >= 3
}

/// At most 20 accounts per image (shareImage).
pub fn image_share(config: &Value, diags: &mut Diagnostics) {
    let n = str_list(config, "pins").len();
    if n > 20 {
        err(
            diags,
            "pins",
            format!("An image can be shared with at most 20 accounts; {n} given"),
            "单个镜像最多可共享给20个京东云帐户 (one image can be shared with at most 20 JD Cloud accounts)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(t: &str, size: i64) -> Value {
        Value::object([
            ("disk_type", Value::string(t)),
            ("disk_size_gb", Value::number(size)),
        ])
    }

    #[test]
    fn disk_rules_quote_the_seed() {
        let mut d = Diagnostics::new();
        let cfg = Value::object([(
            "data_disk",
            Value::List(vec![
                disk("ssd", 25),
                disk("premium-hdd", 3000),
                disk("ssd", 1010),
            ]),
        )]);
        instance(&cfg, &mut d);
        assert_eq!(d.0.len(), 2, "{:?}", d.0);
        assert!(d.0[0].detail.contains("步长为10G"), "{:?}", d.0[0]);
        assert!(d.0[0].detail.contains("data_disk[0].disk_size_gb"));
        let mut d = Diagnostics::new();
        let cfg = Value::object([("data_disk", Value::List(vec![disk("ssd", 20); 9]))]);
        instance(&cfg, &mut d);
        assert!(d.0[0].summary.contains("Too many data disks"));
    }

    #[test]
    fn passwords_need_three_classes() {
        assert!(password_ok("Sky-form2024"));
        assert!(!password_ok("skyform2024"));
        assert!(!password_ok("Ab1!"));
    }
}
