//! The machine spec shared by templates and instances: the `network` and `zone` blocks,
//! their conversion to the API's `Network`/`Zone` objects, and the plan-time checks of the
//! seed's documented limits.

use super::api::{Network, Zone};
use super::values::{n, s, Obj};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::ProviderError;

/// The seed's limit on DataDiskNum: "larger than 0 and less equal 4".
pub const DATA_DISK_NUM_MAX: i64 = 4;

/// The `network` block as the API's `Network` object (unset attributes as `""`/0).
pub fn network_from(config: &Value, context: &str) -> Result<Network, ProviderError> {
    let Some(block) = Obj::new(config, context).block("network") else {
        return Ok(Network::default());
    };
    let o = Obj::new(block, context);
    Ok(Network {
        id: 0,
        vpc_id: o.str_or_empty("vpc_id"),
        subnet_id: o.str_or_empty("subnet_id"),
        security_group: o.str_or_empty("security_group"),
        internet_charge_type: o.str_or_empty("internet_charge_type"),
        internet_max_bandwidth_out: o.i64_or_zero("internet_max_bandwidth_out")?,
    })
}

/// The `zone` block as the API's `Zone` object.
pub fn zone_from(config: &Value, context: &str) -> Result<Zone, ProviderError> {
    let Some(block) = Obj::new(config, context).block("zone") else {
        return Ok(Zone::default());
    };
    let o = Obj::new(block, context);
    Ok(Zone {
        id: 0,
        region_name: o.str_or_empty("region_name"),
        zone_name: o.str_or_empty("zone_name"),
    })
}

/// The `network` block's value.
pub fn network_value(net: &Network) -> Value {
    Value::object([
        ("vpc_id", s(&net.vpc_id)),
        ("subnet_id", s(&net.subnet_id)),
        ("security_group", s(&net.security_group)),
        ("internet_charge_type", s(&net.internet_charge_type)),
        (
            "internet_max_bandwidth_out",
            n(net.internet_max_bandwidth_out),
        ),
    ])
}

/// The `zone` block's value.
pub fn zone_value(zone: &Zone) -> Value {
    Value::object([
        ("region_name", s(&zone.region_name)),
        ("zone_name", s(&zone.zone_name)),
    ])
}

/// Checks the documented limits that need no API call. Unknown values are skipped (they
/// are checked again at apply time by the server).
pub fn validate_machine_spec(config: &Value, diags: &mut Diagnostics) {
    let o = Obj::new(config, "");
    check_range(
        &o,
        "data_disk_num",
        1,
        DATA_DISK_NUM_MAX,
        "DataDiskNum",
        diags,
    );
    check_range(&o, "data_disk_size", 1, i64::MAX, "DataDiskSize", diags);
    check_range(&o, "cpu", 1, i64::MAX, "Cpu", diags);
    check_range(&o, "ram", 1, i64::MAX, "Ram", diags);
    if let Some(block) = o.block("network") {
        let net = Obj::new(block, "");
        check_range(
            &net,
            "internet_max_bandwidth_out",
            0,
            i64::MAX,
            "InternetMaxBandwidthOut",
            diags,
        );
    }
}

/// `name` must be a whole number in `min..=max` when it is known.
pub fn check_range(
    o: &Obj<'_>,
    name: &str,
    min: i64,
    max: i64,
    api_name: &str,
    diags: &mut Diagnostics,
) {
    let Some(v) = o.get(name) else { return };
    let Some(num) = v.as_number() else { return };
    let whole = num.to_i64().filter(|_| num.is_integer());
    let ok = whole.is_some_and(|x| x >= min && x <= max);
    if ok {
        return;
    }
    let range = if max == i64::MAX {
        format!("at least {min}")
    } else {
        format!("between {min} and {max}")
    };
    diags.push(Diagnostic::error(
        format!("Invalid value for \"{name}\""),
        format!(
            "\"{name}\" must be a whole number {range} (the API's {api_name} limit); got {}",
            crate::lang::Value::Number(num.clone()).to_json()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(num: i64, size: i64) -> Value {
        Value::object([
            ("data_disk_num", n(num)),
            ("data_disk_size", n(size)),
            ("cpu", Value::Null),
            ("ram", Value::unknown()),
            (
                "network",
                Value::object([("internet_max_bandwidth_out", n(-1))]),
            ),
        ])
    }

    #[test]
    fn limits_name_the_attribute() {
        let mut d = Diagnostics::new();
        validate_machine_spec(&spec(5, 0), &mut d);
        let text: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("\"data_disk_num\"") && text[0].contains("between 1 and 4"));
        assert!(text[1].contains("\"data_disk_size\"") && text[1].contains("at least 1"));
        assert!(text[2].contains("internet_max_bandwidth_out"));
    }

    #[test]
    fn valid_spec_passes() {
        let mut d = Diagnostics::new();
        let v = Value::object([("data_disk_num", n(4)), ("data_disk_size", n(100))]);
        validate_machine_spec(&v, &mut d);
        assert!(d.is_empty());
    }

    #[test]
    fn blocks_convert_both_ways() {
        let cfg = Value::object([(
            "network",
            Value::object([
                ("vpc_id", s("vpc-1")),
                ("subnet_id", Value::Null),
                ("internet_max_bandwidth_out", n(5)),
            ]),
        )]);
        let net = network_from(&cfg, "t").unwrap();
        assert_eq!(net.vpc_id, "vpc-1");
        assert_eq!(net.subnet_id, "");
        assert_eq!(net.internet_max_bandwidth_out, 5);
        let back = network_value(&net);
        assert_eq!(back.get_attr("vpc_id"), Some(&s("vpc-1")));
    }
}
