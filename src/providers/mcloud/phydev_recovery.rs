//! Create recovery for the two machine types of `/v1/instance/phydev`:
//! `mcloud_physical_machine` (`POST`, registers a machine by its IPs) and
//! `mcloud_machine_record` (`PUT`, records a machine described like a cloud instance).
//!
//! Both calls make a machine that `GET /v1/instance/list` then reports, and both can be
//! acted on by the server with the answer lost (or the run killed before it was recorded).
//! Without recovery the next apply either fails (`Instance: … is already in DB`, for an IP
//! or id given in the configuration) or records a second machine (a record with no fixed
//! IP or id). So each type has a fingerprint written before the call, and the next plan
//! looks for the machine with one list ([`crate::provider::recovery::recover`]):
//!
//! - a physical machine is identified by its IPs: the server refuses a second machine with
//!   either IP, so a listed `phydev` machine with the fingerprint's public and private IP,
//!   made after the intent (less the clock margin), is the one the intent registered. The
//!   create also reports its public IP as the ack token once the POST answered.
//! - a machine record is identified by what the PUT body sets that the list reports: the
//!   spec (cloud, type, image, disks, network ids, zone), the `InstanceId` and IPs when the
//!   configuration fixes them, no template, plus the create time. A record that fixes
//!   neither id nor IP looks like any other machine of that spec made in the same minutes
//!   (a `mcloud_instance` of the same spec included): more such machines than open intents
//!   are shown as possible orphans, never adopted. When instances and records of one spec
//!   both have open intents, the engine recovers one type at a time and counts what the
//!   first adopted as claimed, so one machine is never adopted twice
//!   (`engine::recover`; `e2e_orphans::two_types_whose_listings_overlap_never_adopt_one_machine_twice`).
//!
//! The fingerprint is the planned attributes (so an adopted machine's state has what the
//! list does not report: the password, port, bandwidth, charge type), stored like the state
//! itself (sealed when state encryption is on); it appears in no message.

use super::api::Instance;
use super::client::Client;
use super::instance::list;
use super::recovery::{instance_fits, listed_machine, spec_fingerprint};
use crate::lang::Value;
use crate::provider::recovery::{
    self, base_of, planned_fingerprint, CreateIntent, Listed, Recovered,
};
use crate::provider::ProviderError;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;

/// The provider name the list reports for registered physical machines.
pub const PHYDEV_PROVIDER: &str = "phydev";

/// The fingerprint of a physical machine registration: its planned attributes (the IPs
/// identify it; the rest rebuilds the state).
pub fn physical_machine_fingerprint(planned: &Value) -> Option<Json> {
    let fp = planned_fingerprint(planned);
    fp.get("public_ip")?.as_str()?;
    Some(fp)
}

/// A listed machine is the registration of `fp`: a physical machine with its IPs.
fn physical_machine_fits(fp: &Json, i: &Instance) -> bool {
    i.provider == PHYDEV_PROVIDER
        && fp["public_ip"].as_str() == Some(i.public_ip_address.as_str())
        && fp["private_ip"]
            .as_str()
            .is_none_or(|ip| ip == i.private_ip_address)
}

/// One `GET /v1/instance/list`, then [`recovery::recover`] by IP.
pub async fn recover_physical_machines(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let listed: Vec<Listed<Instance>> = list(client)
        .await?
        .into_iter()
        .filter(|i| i.provider == PHYDEV_PROVIDER)
        .map(|i| Listed {
            id: i.instance_id.clone(),
            created_at: recovery::parse_time(&i.create_time),
            summary: format!(
                "physical machine {} ({}), registered {}",
                i.public_ip_address, i.private_ip_address, i.create_time
            ),
            object: i,
        })
        .collect();
    Ok(recovery::recover(
        intents,
        &listed,
        claimed,
        |ip, i| i.public_ip_address == ip,
        physical_machine_fits,
        |intent, i| super::phydev::value_from(i, &base_of(intent), "", client),
    ))
}

/// The fingerprint of a machine record: the spec as the PUT body sends it (in the
/// resource's names, like an instance's), the id and IPs it fixes, and the rest of the
/// planned attributes for the state.
pub fn machine_record_fingerprint(planned: &Value) -> Option<Json> {
    let body = super::machine_record::upload_body(planned).ok()?;
    let mut fp = planned_fingerprint(planned);
    let spec = spec_fingerprint(&body.spec);
    if let (Json::Object(m), Json::Object(spec)) = (&mut fp, spec) {
        m.extend(spec);
        m.insert("instance_id".into(), json!(body.instance_id));
        m.insert("private_ip".into(), json!(body.private_ip_address));
        m.insert("public_ip".into(), json!(body.public_ip_address));
    }
    Some(fp)
}

/// A listed machine is the record of `fp`: its spec, and the id and IPs the body fixed.
fn machine_record_fits(fp: &Json, i: &Instance) -> bool {
    let fixed = |key: &str, got: &str| {
        let want = fp[key].as_str().unwrap_or_default();
        want.is_empty() || want == got
    };
    instance_fits(fp, i)
        && fixed("instance_id", &i.instance_id)
        && fixed("private_ip", &i.private_ip_address)
        && fixed("public_ip", &i.public_ip_address)
}

/// One `GET /v1/instance/list`, then [`recovery::recover`] by spec, fixed id and IPs, and
/// create time.
pub async fn recover_machine_records(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let listed: Vec<Listed<Instance>> = list(client)
        .await?
        .into_iter()
        .map(listed_machine)
        .collect();
    Ok(recovery::recover(
        intents,
        &listed,
        claimed,
        // The PUT's answer is the machine itself; no token is reported before it.
        |id, i| i.instance_id == id,
        machine_record_fits,
        |intent, i| super::machine_record::value_from(i, &base_of(intent), None, client),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::mcloud::values::{n, s};

    fn record_planned(public_ip: &str) -> Value {
        Value::object([
            ("cloud", s("aliyun")),
            ("instance_type", s("ecs.n2.3xlarge")),
            ("image_id", s("centos")),
            ("system_disk_category", s("cloud_efficiency")),
            ("data_disk_size", n(100)),
            ("data_disk_num", n(1)),
            ("data_disk_category", s("cloud_efficiency")),
            (
                "network",
                Value::List(vec![Value::object([
                    ("vpc_id", s("")),
                    ("internet_charge_type", s("PayByBandwidth")),
                    ("internet_max_bandwidth_out", n(5)),
                ])]),
            ),
            (
                "zone",
                Value::List(vec![Value::object([
                    ("region_name", s("cn-beijing")),
                    ("zone_name", s("cn-beijing-c")),
                ])]),
            ),
            ("instance_id", Value::Null),
            ("private_ip", Value::unknown()),
            ("public_ip", s(public_ip)),
            ("id", Value::unknown()),
        ])
    }

    fn listed(public_ip: &str) -> Instance {
        Instance {
            instance_id: "i-1".into(),
            provider: "aliyun".into(),
            instance_type: "ecs.n2.3xlarge".into(),
            image_id: "centos".into(),
            system_disk_category: "cloud_efficiency".into(),
            data_disk_size: 100,
            data_disk_num: 1,
            data_disk_category: "cloud_efficiency".into(),
            region_id: "cn-beijing".into(),
            zone_id: "cn-beijing-c".into(),
            private_ip_address: "10.0.0.7".into(),
            public_ip_address: public_ip.into(),
            ..Instance::default()
        }
    }

    #[test]
    fn a_record_fits_by_spec_and_the_ips_it_fixes() {
        let fp = machine_record_fingerprint(&record_planned("1.2.3.4")).expect("fingerprint");
        assert_eq!(fp["network"]["internet_max_bandwidth_out"], 5);
        assert!(machine_record_fits(&fp, &listed("1.2.3.4")));
        assert!(!machine_record_fits(&fp, &listed("1.2.3.5")));
        let other_type = Instance {
            instance_type: "ecs.c2.medium".into(),
            ..listed("1.2.3.4")
        };
        assert!(!machine_record_fits(&fp, &other_type));
        // A record that fixes no IP fits any machine of its spec.
        let open = machine_record_fingerprint(&record_planned("")).expect("fingerprint");
        assert!(machine_record_fits(&open, &listed("9.9.9.9")));
    }

    #[test]
    fn a_physical_machine_fits_by_both_ips_and_only_as_phydev() {
        let planned = Value::object([
            ("public_ip", s("101.1.2.146")),
            ("private_ip", s("1.11.1.123")),
            ("password", Value::sensitive(s("adminpadd"))),
            ("port", Value::Null),
            ("id", Value::unknown()),
        ]);
        let fp = physical_machine_fingerprint(&planned).expect("fingerprint");
        let machine = Instance {
            provider: PHYDEV_PROVIDER.into(),
            public_ip_address: "101.1.2.146".into(),
            private_ip_address: "1.11.1.123".into(),
            ..Instance::default()
        };
        assert!(physical_machine_fits(&fp, &machine));
        let other_private = Instance {
            private_ip_address: "1.11.1.124".into(),
            ..machine.clone()
        };
        assert!(!physical_machine_fits(&fp, &other_private));
        let cloud_machine = Instance {
            provider: "aliyun".into(),
            ..machine
        };
        assert!(!physical_machine_fits(&fp, &cloud_machine));
    }
}
