//! What identifies each jdcloud object a create makes, and how an interrupted create's
//! object is found again (`Provider::create_fingerprint` / `recover_creates`): one listing
//! per type (per destination region for copies) for all the open intents, matched through
//! [`recovery::by_token`].
//!
//! - `jdcloud_instance`: the client token, recorded before createInstances and sent both as
//!   `clientToken` and as the user tag `skyform-client-token`. Every intent of an instance
//!   create that was sent has a token, so one describeInstances filtered by that tag with
//!   every open token as a value (the seed's TagFilter takes several values; 100 a call, all
//!   pages) finds them all. An intent without a token never reached createInstances.
//! - `jdcloud_image`: the image id is known only once createImage answered, so a lost answer
//!   leaves no token. The fingerprint (the planned attributes) holds what describeImages
//!   shows of an image before anyone knows its id: `name`, the source `instanceId` and the
//!   description. One describeImages of the private images made from the intents' instances
//!   (`imageSource=private`, `instanceIds.N`) matches answered intents by id and the others
//!   by fingerprint and `createTime` after the intent; more matches than intents are shown as
//!   possible orphans.
//! - `jdcloud_image_copy`: likewise, the copy's id comes in copyImages' answer. The copy is a
//!   private image of the destination region with the planned name and description (or,
//!   when unset, the source's, as copyImages fills them in) and the source's size, platform
//!   and disk type; the source itself never counts. One describeImages of the private images
//!   per destination region, plus one describeImages by id of the sources when a copy
//!   without a planned name or description has to be told by the source's.
//! - The association types (`jdcloud_disk_attachment`, `jdcloud_elastic_ip_association`,
//!   `jdcloud_network_interface_attachment`, `jdcloud_image_share`) have no fingerprint:
//!   they name objects that exist already, so a lost answer orphans nothing, and their create
//!   adopts the association when it finds it made (`attachment::attach_or_adopt`).

use super::client::{Call, Client, Query, PAGE_SIZE};
use super::image::{describe_images, image_value};
use super::image_copy::copy_value;
use super::instance::{value_from, TOKEN_TAG};
use super::wire::{Image, Instance};
use crate::lang::Value;
use crate::provider::recovery::{
    self, base_of, open_tokens, parse_time, CreateIntent, Listed, Recovered,
};
use crate::provider::ProviderError;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The status of an object on its way out: never adopted.
const DELETING: &str = "deleting";

/// The client token an instance's create put in its user tag.
fn token_of(i: &Instance) -> Option<String> {
    i.tags
        .iter()
        .find(|t| t.key == TOKEN_TAG)
        .map(|t| t.value.clone())
}

fn listed_instance(i: Instance) -> Listed<Instance> {
    Listed {
        id: i.instance_id.clone(),
        created_at: parse_time(&i.launch_time),
        summary: format!(
            "{} {} {}, launched {}",
            i.instance_name, i.instance_type, i.private_ip_address, i.launch_time
        ),
        object: i,
    }
}

/// The instances carrying one of `tokens` in the client-token tag: one describeInstances
/// (all pages) per 100 tokens.
async fn instances_by_token(
    client: &Client,
    tokens: &[String],
) -> Result<Vec<Instance>, ProviderError> {
    let mut out = Vec::new();
    for chunk in tokens.chunks(PAGE_SIZE) {
        let call = Call::get("describeInstances", "/instances").query(
            Query::new()
                .add("tags.1.key", TOKEN_TAG)
                .list("tags.1.values", chunk),
        );
        out.extend(client.all_pages::<Instance>(&call, "instances").await?);
    }
    Ok(out)
}

/// Every open instance intent at once: see the module comment.
pub async fn recover_instances(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let tokens = open_tokens(intents);
    if tokens.is_empty() {
        return Ok(recovery::none_created(intents));
    }
    let listed: Vec<Listed<Instance>> = instances_by_token(client, &tokens)
        .await?
        .into_iter()
        .filter(|i| i.status != DELETING)
        .map(listed_instance)
        .collect();
    Ok(recovery::by_token(
        intents,
        &listed,
        claimed,
        token_of,
        // Without a token the call was never sent: nothing to find by spec.
        |_, _| false,
        |intent, i| value_from(i, &base_of(intent)),
    ))
}

fn listed_image(img: Image) -> Listed<Image> {
    Listed {
        id: img.image_id.clone(),
        created_at: parse_time(&img.create_time),
        summary: format!(
            "image {:?} ({}, {} MB), created {}",
            img.name, img.status, img.size_mb, img.create_time
        ),
        object: img,
    }
}

fn text<'a>(fp: &'a Json, name: &str) -> Option<&'a str> {
    fp.get(name).and_then(Json::as_str)
}

/// Whether `img` is what createImage with fingerprint `fp` makes: the planned name, from
/// the planned instance, with the planned description (when one was given).
fn image_fits(fp: &Json, img: &Image) -> bool {
    text(fp, "name") == Some(img.name.as_str())
        && text(fp, "instance_id") == Some(img.instance_id.as_str())
        && text(fp, "description").is_none_or(|d| d == img.desc)
}

/// The private images of the region, all pages; only those made from `instances` when
/// every intent names its instance.
async fn private_images(
    client: &Client,
    instances: Option<&[String]>,
) -> Result<Vec<Image>, ProviderError> {
    let base = Query::new().add("imageSource", "private");
    let Some(instances) = instances else {
        let call = Call::get("describeImages", "/images").query(base);
        return client.all_pages::<Image>(&call, "images").await;
    };
    let mut out = Vec::new();
    for chunk in instances.chunks(PAGE_SIZE) {
        let call =
            Call::get("describeImages", "/images").query(base.clone().list("instanceIds", chunk));
        out.extend(client.all_pages::<Image>(&call, "images").await?);
    }
    Ok(out)
}

/// Every open image intent at once: see the module comment.
pub async fn recover_images(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    if intents.is_empty() {
        return Ok(Vec::new());
    }
    let sources: Option<BTreeSet<String>> = intents
        .iter()
        .map(|i| {
            i.fingerprint
                .as_ref()
                .and_then(|fp| text(fp, "instance_id"))
                .map(str::to_string)
        })
        .collect();
    let sources: Option<Vec<String>> = sources.map(|s| s.into_iter().collect());
    let listed: Vec<Listed<Image>> = private_images(client, sources.as_deref())
        .await?
        .into_iter()
        .filter(|i| i.status != DELETING)
        .map(listed_image)
        .collect();
    Ok(recovery::by_token(
        intents,
        &listed,
        claimed,
        |img| Some(img.image_id.clone()),
        image_fits,
        |intent, img| image_value(img, &base_of(intent)),
    ))
}

/// Whether `img` (a private image of the destination region) is what copyImages with
/// fingerprint `fp` makes from `source` (`None`: the source could not be read).
fn copy_fits(fp: &Json, img: &Image, source: Option<&Image>) -> bool {
    if text(fp, "source_image_id") == Some(img.image_id.as_str()) {
        return false;
    }
    let name = text(fp, "name").or(source.map(|s| s.name.as_str()));
    let desc = text(fp, "description").or(source.map(|s| s.desc.as_str()));
    let same_disk = source.is_none_or(|s| {
        s.size_mb == img.size_mb
            && s.platform == img.platform
            && s.root_device_type == img.root_device_type
            && s.architecture == img.architecture
    });
    name == Some(img.name.as_str()) && desc.is_none_or(|d| d == img.desc) && same_disk
}

/// The planned value of a copy intent with the arguments left unset (dropped from the
/// fingerprint) back as `null`, so the adopted state keeps them unset as the plan does.
fn copy_base(intent: &CreateIntent) -> Value {
    let mut base = base_of(intent).as_map().cloned().unwrap_or_default();
    for name in ["name", "description"] {
        if !base.contains_key(name) {
            base.insert(name.to_string(), Value::Null);
        }
    }
    Value::Object(base)
}

/// Every open copy intent at once: see the module comment.
pub async fn recover_copies(
    client: &Client,
    intents: &[CreateIntent],
    claimed: &BTreeSet<String>,
) -> Result<Vec<Recovered>, ProviderError> {
    let mut out = recovery::none_created(intents);
    let mut by_region: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, intent) in intents.iter().enumerate() {
        if let Some(region) = intent
            .fingerprint
            .as_ref()
            .and_then(|fp| text(fp, "destination_region"))
        {
            by_region.entry(region.to_string()).or_default().push(n);
        }
    }
    if by_region.is_empty() {
        return Ok(out);
    }
    // The sources, only where a copy takes its name or description from its source.
    let needs_source = |i: &CreateIntent| {
        i.token.is_none()
            && i.fingerprint
                .as_ref()
                .is_some_and(|fp| text(fp, "name").is_none() || text(fp, "description").is_none())
    };
    let source_ids: BTreeSet<String> = intents
        .iter()
        .filter(|i| needs_source(i))
        .filter_map(|i| i.fingerprint.as_ref())
        .filter_map(|fp| text(fp, "source_image_id").map(str::to_string))
        .collect();
    let sources: HashMap<String, Image> = if source_ids.is_empty() {
        HashMap::new()
    } else {
        describe_images(client, &source_ids.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|s| (s.image_id.clone(), s))
            .collect()
    };
    let source_of = |fp: &Json| text(fp, "source_image_id").and_then(|id| sources.get(id));
    for (region, members) in by_region {
        let dest = client.in_region(&region);
        let listed: Vec<Listed<Image>> = private_images(&dest, None)
            .await?
            .into_iter()
            .filter(|i| i.status != DELETING)
            .map(listed_image)
            .collect();
        let group: Vec<CreateIntent> = members.iter().map(|&n| intents[n].clone()).collect();
        let found = recovery::by_token(
            &group,
            &listed,
            claimed,
            |img| Some(img.image_id.clone()),
            |fp, img| copy_fits(fp, img, source_of(fp)),
            |intent, img| copy_value(img, &copy_base(intent)),
        );
        for (n, r) in members.into_iter().zip(found) {
            out[n] = r;
        }
    }
    Ok(out)
}

/// The fingerprint of an image or copy create: the planned attributes that are known (the
/// name, the source and the description identify it; the rest is the base of the adopted
/// state).
pub fn planned(planned: &Value) -> Option<Json> {
    Some(recovery::planned_fingerprint(planned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn image(id: &str, name: &str, instance: &str, desc: &str) -> Image {
        Image {
            image_id: id.into(),
            name: name.into(),
            instance_id: instance.into(),
            desc: desc.into(),
            size_mb: 40960,
            platform: "Ubuntu".into(),
            root_device_type: "cloudDisk".into(),
            architecture: "x86_64".into(),
            ..Image::default()
        }
    }

    #[test]
    fn an_image_fits_by_name_instance_and_a_given_description() {
        let fp = json!({"name": "golden", "instance_id": "i-1"});
        assert!(image_fits(&fp, &image("a", "golden", "i-1", "any")));
        assert!(!image_fits(&fp, &image("a", "golden", "i-2", "")));
        assert!(!image_fits(&fp, &image("a", "golden2", "i-1", "")));
        let fp = json!({"name": "golden", "instance_id": "i-1", "description": "d"});
        assert!(image_fits(&fp, &image("a", "golden", "i-1", "d")));
        assert!(!image_fits(&fp, &image("a", "golden", "i-1", "other")));
    }

    #[test]
    fn a_copy_fits_by_its_own_or_its_sources_name_and_never_is_the_source() {
        let source = image("src", "golden", "i-1", "made");
        let unnamed = json!({"source_image_id": "src", "destination_region": "cn-south-1"});
        assert!(copy_fits(
            &unnamed,
            &image("c", "golden", "i-1", "made"),
            Some(&source)
        ));
        assert!(!copy_fits(&unnamed, &source, Some(&source)), "the source");
        let mut smaller = image("c", "golden", "i-1", "made");
        smaller.size_mb = 1;
        assert!(!copy_fits(&unnamed, &smaller, Some(&source)));
        let named = json!({"source_image_id": "src", "name": "copy", "description": "x"});
        assert!(copy_fits(&named, &image("c", "copy", "", "x"), None));
        assert!(!copy_fits(&named, &image("c", "golden", "", "x"), None));
        assert!(
            !copy_fits(&unnamed, &image("c", "golden", "", "made"), None),
            "no name to tell it by"
        );
    }

    #[test]
    fn an_instance_is_told_by_its_token_tag_only() {
        let mut i = Instance::default();
        assert_eq!(token_of(&i), None);
        i.tags.push(super::super::wire::Tag {
            key: "team".into(),
            value: "a".into(),
        });
        i.tags.push(super::super::wire::Tag {
            key: TOKEN_TAG.into(),
            value: "sky-1".into(),
        });
        assert_eq!(token_of(&i).as_deref(), Some("sky-1"));
    }
}
