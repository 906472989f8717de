//! What `skyform import mcloud_instance_group.ADDR ID` takes, and the import itself.
//!
//! A group's object is a template and the machines it owns, so its import id names both:
//!
//! - `TEMPLATE` (`3`): every machine of template 3 becomes the group's (the whole template
//!   was made for this group);
//! - `TEMPLATE:ID,ID,…` (`3:i-a1,i-b2`): exactly these machines, each of which must be one
//!   of the template's. This is what the possible-orphans error of an interrupted group
//!   create proposes (the oldest machines, as many as the group asked for), because the
//!   template then also holds machines that are not this group's, and importing all of them
//!   would leave a plan that deletes the surplus.

use super::client::{Client, PROVIDER};
use super::schema::INSTANCE_GROUP;
use super::template;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

/// A parsed group import id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupImportId {
    pub template_id: String,
    /// `None`: every machine of the template.
    pub machines: Option<Vec<String>>,
}

impl GroupImportId {
    /// Reads `TEMPLATE` or `TEMPLATE:ID,ID,…`; the message says what is wrong.
    pub fn parse(text: &str) -> Result<Self, ProviderError> {
        let invalid = |why: String| {
            ProviderError::new(PROVIDER, format!("import {INSTANCE_GROUP}"), why)
                .kind(ErrorKind::Invalid)
        };
        let (template_part, machines_part) = match text.split_once(':') {
            Some((t, m)) => (t, Some(m)),
            None => (text, None),
        };
        template::parse_id(template_part).map_err(|e| {
            invalid(format!(
                "{}; an instance group is imported as TEMPLATE_ID or TEMPLATE_ID:MACHINE_ID,MACHINE_ID,…",
                e.message
            ))
        })?;
        let machines = match machines_part {
            None => None,
            Some(list) => {
                let ids: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
                if ids.iter().any(String::is_empty) {
                    return Err(invalid(format!(
                        "{text:?} has an empty machine id; after the template id and ':' list the machine ids separated by ','"
                    )));
                }
                Some(ids)
            }
        };
        Ok(GroupImportId {
            template_id: template_part.trim().to_string(),
            machines,
        })
    }

    /// The id that imports exactly `machines` of `template_id`.
    pub fn format(template_id: &str, machines: &[String]) -> String {
        format!("{template_id}:{}", machines.join(","))
    }
}

/// Imports a group by [`GroupImportId`]: one `GET /v1/instance/cluster/:clusterId`.
pub async fn import(client: &Client, id: &str) -> Result<Value, ProviderError> {
    let id = GroupImportId::parse(id)?;
    let live = super::instance_group::members(client, &id.template_id).await?;
    let owned: Vec<String> = match id.machines {
        None => live.iter().map(|i| i.instance_id.clone()).collect(),
        Some(wanted) => {
            let missing: Vec<&str> = wanted
                .iter()
                .filter(|w| !live.iter().any(|i| &i.instance_id == *w))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                return Err(ProviderError::new(
                    PROVIDER,
                    format!("import {INSTANCE_GROUP}"),
                    format!(
                        "template {} has no machine {} (GET /v1/instance/cluster/{} lists {})",
                        id.template_id,
                        missing.join(", "),
                        id.template_id,
                        live.len()
                    ),
                )
                .kind(ErrorKind::NotFound));
            }
            wanted
        }
    };
    Ok(super::instance_group::value_from(
        client.status_table(),
        &id.template_id,
        &owned,
        &live,
        "",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_template_and_optionally_the_machines() {
        assert_eq!(
            GroupImportId::parse("3").expect("plain"),
            GroupImportId {
                template_id: "3".into(),
                machines: None
            }
        );
        let id = GroupImportId::format("3", &["i-a".into(), "i-b".into()]);
        assert_eq!(id, "3:i-a,i-b");
        assert_eq!(
            GroupImportId::parse(&id).expect("listed"),
            GroupImportId {
                template_id: "3".into(),
                machines: Some(vec!["i-a".into(), "i-b".into()])
            }
        );
    }

    #[test]
    fn malformed_ids_say_what_is_expected() {
        let e = GroupImportId::parse("web:i-a").expect_err("not a number");
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("TEMPLATE_ID:MACHINE_ID"), "{e}");
        let e = GroupImportId::parse("3:i-a,,i-b").expect_err("empty");
        assert!(e.message.contains("empty machine id"), "{e}");
        let e = GroupImportId::parse("3:").expect_err("empty");
        assert!(e.message.contains("empty machine id"), "{e}");
    }
}
