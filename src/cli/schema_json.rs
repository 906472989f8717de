//! `skyform providers schema -json`: the provider schemas in Terraform's documented format
//! (`format_version` "1.0", `provider_schemas` keyed by the provider's full source address),
//! so editors, linters and documentation generators written for Terraform read them as is.
//!
//! The shapes follow Terraform's `jsonprovider` package: a schema is `{version, block}`; a
//! block has `attributes` and `block_types` (each left out when empty), a `description`
//! when there is one and `description_kind` "plain"; an attribute has its `type`, its
//! `description` when set, `description_kind` and only the flags that are true (`required`,
//! `optional`, `computed`, `sensitive`). A nested block has its `nesting_mode`, its `block`,
//! and `min_items`/`max_items` when not zero. skyform's `force_new` has no place in
//! Terraform's format and is not written (the plan shows it as `replace_paths`).

use crate::plan::json::{provider_address, type_json};
use crate::provider::registry::ProviderRegistry;
use crate::provider::schema::{Attribute, Nesting, Schema};
use serde_json::{json, Map, Value as J};

/// The version of Terraform's provider schema format this follows.
pub const FORMAT_VERSION: &str = "1.0";

/// Every provider of `registry`, keyed like the JSON plan's `provider_name`.
pub fn document(registry: &ProviderRegistry) -> J {
    let mut schemas = Map::new();
    for p in registry.iter() {
        let s = p.schema();
        let of = |m: &std::collections::BTreeMap<String, Schema>| -> Map<String, J> {
            m.iter().map(|(k, v)| (k.clone(), schema_json(v))).collect()
        };
        schemas.insert(
            provider_address(p.name()),
            json!({
                "provider": schema_json(&s.provider),
                "resource_schemas": of(&s.resources),
                "data_source_schemas": of(&s.data_sources),
            }),
        );
    }
    json!({ "format_version": FORMAT_VERSION, "provider_schemas": schemas })
}

fn schema_json(s: &Schema) -> J {
    json!({ "version": s.version, "block": block_json(s) })
}

fn block_json(s: &Schema) -> J {
    let mut b = Map::new();
    if !s.attributes.is_empty() {
        let attributes: Map<String, J> = s
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), attribute_json(a)))
            .collect();
        b.insert("attributes".into(), J::Object(attributes));
    }
    if !s.blocks.is_empty() {
        let block_types: Map<String, J> = s
            .blocks
            .iter()
            .map(|(k, nb)| {
                let mut e = json!({
                    "nesting_mode": match nb.nesting {
                        Nesting::Single => "single",
                        Nesting::List => "list",
                    },
                    "block": block_json(&nb.schema),
                });
                if nb.min_items > 0 {
                    e["min_items"] = J::from(nb.min_items);
                }
                if nb.max_items > 0 {
                    e["max_items"] = J::from(nb.max_items);
                }
                (k.clone(), e)
            })
            .collect();
        b.insert("block_types".into(), J::Object(block_types));
    }
    if !s.description.is_empty() {
        b.insert("description".into(), J::String(s.description.into()));
    }
    b.insert("description_kind".into(), J::String("plain".into()));
    J::Object(b)
}

fn attribute_json(a: &Attribute) -> J {
    let mut j = json!({ "type": type_json(&a.ty) });
    if !a.description.is_empty() {
        j["description"] = J::String(a.description.into());
    }
    j["description_kind"] = J::String("plain".into());
    for (flag, on) in [
        ("required", a.required),
        ("optional", a.optional),
        ("computed", a.computed),
        ("sensitive", a.sensitive),
    ] {
        if on {
            j[flag] = J::Bool(true);
        }
    }
    j
}
