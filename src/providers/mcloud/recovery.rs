//! What identifies each mcloud object a create makes, and how an interrupted create's object
//! is found again (`Provider::create_fingerprint` / `recover_creates`).
//!
//! - `mcloud_instance`: the spec fields `GET /v1/instance/list` reports (cloud, type, image,
//!   disks, network ids, zone), plus what the list does not report (bandwidth, charge type,
//!   `running`) to rebuild the state from. A machine fits when every reported field equals
//!   the fingerprint's (empty network ids in the fingerprint match anything: the server may
//!   fill them in), it belongs to no template, and its `CreateTime` is no earlier than the
//!   intent's time minus the clock margin. An acknowledged intent is found by its IP.
//! - `mcloud_template`: its `Name` in `GET /v1/cluster` (or the id the POST answered).
//! - `mcloud_instance_group`: the template and the count; the machines of that template
//!   (`GET /v1/instance/cluster/:id`) that no state owns and that were made after the intent
//!   are the group's. More of them than the count asked for is ambiguous: since no single
//!   machine id imports a group, the answer proposes a group import id naming the template
//!   and the oldest machines (`Recovered::AmbiguousMembers`, `group_import`).
//! - `mcloud_physical_machine` (`POST /v1/instance/phydev`): its IPs, which the server
//!   keeps unique; `mcloud_machine_record` (`PUT /v1/instance/phydev`): the spec, the id and
//!   IPs its body fixes, and the create time. Both in `phydev_recovery`, with why.
//! - `mcloud_ssh_key`, `mcloud_openstack_config`: no fingerprint; sending them again sets
//!   the same thing, so nothing can be left behind.
//!
//! Every type whose create makes a new object in the cloud has a fingerprint; each recovery
//! is one list call, decided by `provider::recovery` (groups: one members call per intent).

use super::api::{Cluster, Instance, InstanceCreate};
use super::client::Client;
use super::group_import::GroupImportId;
use super::instance::{create_body, list, value_from};
use super::values::Obj;
use crate::lang::Value;
use crate::provider::recovery::{
    self, base_of, parse_time, Candidate, CreateIntent, Listed, Recovered, CLOCK_MARGIN,
};
use crate::provider::ProviderError;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;

/// The fingerprint of an instance create: the spec as sent, in the resource's names.
pub fn instance_fingerprint(planned: &Value) -> Option<Json> {
    let body = create_body(planned).ok()?;
    let running = Obj::new(planned, super::schema::INSTANCE).opt_bool("running");
    let mut fp = spec_fingerprint(&body);
    fp["running"] = json!(running);
    Some(fp)
}

/// A machine spec as a create or upload body sends it, in the resource's names (what
/// [`instance_fits`] compares, and what the state of a found machine is rebuilt from).
pub fn spec_fingerprint(body: &InstanceCreate) -> Json {
    json!({
        "cloud": body.provider,
        "instance_type": body.instance_type,
        "image_id": body.image_id,
        "system_disk_category": body.system_disk_category,
        "data_disk_size": body.data_disk_size,
        "data_disk_num": body.data_disk_num,
        "data_disk_category": body.data_disk_category,
        "network": {
            "vpc_id": body.network.vpc_id,
            "subnet_id": body.network.subnet_id,
            "security_group": body.network.security_group,
            "internet_charge_type": body.network.internet_charge_type,
            "internet_max_bandwidth_out": body.network.internet_max_bandwidth_out,
        },
        "zone": {
            "region_name": body.zone.region_name,
            "zone_name": body.zone.zone_name,
        },
    })
}

/// Whether a listed machine is one a create with fingerprint `fp` could have made.
pub fn instance_fits(fp: &Json, i: &Instance) -> bool {
    let text = |v: &Json| v.as_str().unwrap_or_default().to_string();
    let num = |v: &Json| v.as_i64().unwrap_or_default();
    let same_or_open = |want: &Json, got: &str| {
        let want = text(want);
        want.is_empty() || want == got
    };
    i.cluster.is_none()
        && text(&fp["cloud"]) == i.provider
        && text(&fp["instance_type"]) == i.instance_type
        && text(&fp["image_id"]) == i.image_id
        && text(&fp["system_disk_category"]) == i.system_disk_category
        && num(&fp["data_disk_size"]) == i.data_disk_size
        && num(&fp["data_disk_num"]) == i.data_disk_num
        && text(&fp["data_disk_category"]) == i.data_disk_category
        && text(&fp["zone"]["region_name"]) == i.region_id
        && text(&fp["zone"]["zone_name"]) == i.zone_id
        && same_or_open(&fp["network"]["vpc_id"], &i.vpc_id)
        && same_or_open(&fp["network"]["subnet_id"], &i.subnet_id)
        && same_or_open(&fp["network"]["security_group"], &i.security_group_id)
}

/// A listed machine as [`recovery::assign`] sees it.
pub fn listed_machine(i: Instance) -> Listed<Instance> {
    Listed {
        id: i.instance_id.clone(),
        created_at: parse_time(&i.create_time),
        summary: format!(
            "{} {} {}, created {}",
            i.provider, i.instance_type, i.private_ip_address, i.create_time
        ),
        object: i,
    }
}

/// One `GET /v1/instance/list`, then [`recovery::recover`].
pub async fn recover_instances(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let listed: Vec<Listed<Instance>> = list(client)
        .await?
        .into_iter()
        .map(listed_machine)
        .collect();
    let table = client.status_table();
    Ok(recovery::recover(
        intents,
        &listed,
        claimed,
        |ip, i| i.private_ip_address == ip || i.public_ip_address == ip,
        instance_fits,
        |intent, i| value_from(i, &base_of(intent), None, table),
    ))
}

/// The fingerprint of a template create: its name.
pub fn template_fingerprint(planned: &Value) -> Option<Json> {
    let name = Obj::new(planned, super::schema::TEMPLATE).opt_str("name")?;
    Some(json!({ "name": name }))
}

/// One `GET /v1/cluster`, then [`recovery::recover`] by name (or the answered id).
pub async fn recover_templates(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let listed: Vec<Listed<Cluster>> = super::template::list(client)
        .await?
        .into_iter()
        .map(|c| Listed {
            id: c.id.to_string(),
            created_at: parse_time(&c.create_time),
            summary: format!("template {:?}, created {}", c.name, c.create_time),
            object: c,
        })
        .collect();
    Ok(recovery::recover(
        intents,
        &listed,
        claimed,
        |id, c| c.id.to_string() == id,
        |fp, c| fp["name"].as_str() == Some(c.name.as_str()),
        |_, c| super::template::value_from(c),
    ))
}

/// The fingerprint of an instance group create: its template and how many machines.
pub fn group_fingerprint(planned: &Value) -> Option<Json> {
    let o = Obj::new(planned, super::schema::INSTANCE_GROUP);
    Some(json!({
        "template_id": o.opt_str("template_id")?,
        "instance_count": o.i64_or_zero("instance_count").ok()?,
    }))
}

/// Per intent (oldest first), the template's machines that no state owns and that were made
/// after the intent (minus the margin): all of them become the group's when there are no
/// more than it asked for; none means the expand never happened. More is ambiguous: nothing
/// is adopted, and the import proposed is the oldest machines, as many as the group asked
/// for, not proposed to another ambiguous group of the same template
/// (`group_import::GroupImportId`: `TEMPLATE:ID,ID,…`).
pub async fn recover_groups(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let mut taken: BTreeSet<String> = claimed.clone();
    let mut proposed: BTreeSet<String> = BTreeSet::new();
    let mut order: Vec<usize> = (0..intents.len()).collect();
    order.sort_by(|&a, &b| {
        (intents[a].started_at, &intents[a].address)
            .cmp(&(intents[b].started_at, &intents[b].address))
    });
    let margin = chrono::Duration::from_std(CLOCK_MARGIN).unwrap_or(chrono::Duration::zero());
    let mut out = vec![Recovered::NotCreated; intents.len()];
    for n in order {
        let intent = &intents[n];
        let Some(fp) = &intent.fingerprint else {
            continue;
        };
        let Some(template_id) = fp["template_id"].as_str() else {
            continue;
        };
        let wanted = fp["instance_count"].as_i64().unwrap_or(0);
        if wanted <= 0 {
            // An empty group expands nothing: no machine of the template can be its.
            continue;
        }
        let floor = intent.started_at.map(|t| t - margin);
        let mut mine: Vec<Instance> = super::instance_group::members(client, template_id)
            .await?
            .into_iter()
            .filter(|i| !taken.contains(&i.instance_id))
            .filter(|i| match (parse_time(&i.create_time), floor) {
                (Some(c), Some(f)) => c >= f,
                _ => true,
            })
            .collect();
        mine.sort_by_key(|i| (parse_time(&i.create_time), i.id));
        if mine.is_empty() {
            continue;
        }
        if mine.len() as i64 > wanted {
            let chosen: Vec<String> = mine
                .iter()
                .map(|i| &i.instance_id)
                .filter(|id| !proposed.contains(*id))
                .take(usize::try_from(wanted).unwrap_or(0))
                .cloned()
                .collect();
            proposed.extend(chosen.iter().cloned());
            out[n] = Recovered::AmbiguousMembers {
                import_id: GroupImportId::format(template_id, &chosen),
                candidates: mine
                    .into_iter()
                    .map(|i| Candidate {
                        summary: listed_machine(i.clone()).summary,
                        id: i.instance_id,
                    })
                    .collect(),
            };
            continue;
        }
        let owned: Vec<String> = mine.iter().map(|i| i.instance_id.clone()).collect();
        taken.extend(owned.iter().cloned());
        out[n] = Recovered::Found(super::instance_group::value_from(
            client.status_table(),
            template_id,
            &owned,
            &mine,
            "",
        ));
    }
    Ok(out)
}
