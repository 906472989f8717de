//! Schema rules that turn (prior state, configuration) into a planned state and an action.
//!
//! - An attribute set in configuration takes the configured value.
//! - An unset computed attribute keeps its prior value (provider defaults and normalisation
//!   do not show up as changes), or is unknown when there is no prior object.
//! - A change to a force-new attribute replaces the object; then every unset computed
//!   attribute becomes unknown again, because the new object's values are not known yet.

use super::Action;
use crate::config::IgnoreChanges;
use crate::lang::{Value, ValueMap};
use crate::provider::schema::{Nesting, Schema};

#[derive(Debug, Clone, PartialEq)]
pub struct InstancePlan {
    pub action: Action,
    pub planned: Value,
    /// Top-level attributes (or blocks) whose change forces replacement.
    pub replace_paths: Vec<String>,
}

/// Plans one managed resource instance.
pub fn plan_instance(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    ignore: &IgnoreChanges,
    force_replace: bool,
    create_before_destroy: bool,
) -> InstancePlan {
    let Some(prior) = prior else {
        return InstancePlan {
            action: Action::Create,
            planned: merge(schema, None, config, &IgnoreChanges::None),
            replace_paths: Vec::new(),
        };
    };
    let planned = merge(schema, Some(prior), config, ignore);
    let changed = changed_attributes(schema, prior, &planned);
    let replace_paths: Vec<String> = changed
        .iter()
        .filter(|name| is_force_new(schema, name))
        .cloned()
        .collect();
    if !replace_paths.is_empty() || force_replace {
        let action = if create_before_destroy {
            Action::CreateThenDelete
        } else {
            Action::DeleteThenCreate
        };
        return InstancePlan {
            action,
            planned: merge(schema, None, config, &IgnoreChanges::None),
            replace_paths,
        };
    }
    let action = if changed.is_empty() {
        Action::NoOp
    } else {
        Action::Update
    };
    InstancePlan {
        action,
        planned,
        replace_paths,
    }
}

/// Names of the top-level attributes and blocks whose planned value differs from prior.
pub fn changed_attributes(schema: &Schema, prior: &Value, planned: &Value) -> Vec<String> {
    let mut prior_attrs = prior.as_map().map(ValueMap::ascending_lookup);
    let mut planned_attrs = planned.as_map().map(ValueMap::ascending_lookup);
    schema
        .names()
        .filter(|name| {
            let a = prior_attrs.as_mut().and_then(|l| l.get(name));
            let b = planned_attrs.as_mut().and_then(|l| l.get(name));
            !same(a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null))
        })
        .map(str::to_string)
        .collect()
}

/// Equality that treats an empty collection and null alike (providers normalise one into
/// the other) and unknown as different from everything; sensitive marks are ignored.
fn same(a: &Value, b: &Value) -> bool {
    let (a, b) = (a.unmarked(), b.unmarked());
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::List(x) | Value::Tuple(x) | Value::Set(x) => x.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    };
    if empty(a) && empty(b) {
        return true;
    }
    if a.is_unknown() || b.is_unknown() || !a.is_wholly_known() || !b.is_wholly_known() {
        return false;
    }
    eq_unmarked(a, b)
}

/// `a.deep_unmarked() == b.deep_unmarked()` without copying either value: this runs for
/// every attribute of every instance a plan compares.
fn eq_unmarked(a: &Value, b: &Value) -> bool {
    match (a.unmarked(), b.unmarked()) {
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq_unmarked(p, q))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, p), (l, q))| k == l && eq_unmarked(p, q))
        }
        (x, y) => x == y,
    }
}

fn is_force_new(schema: &Schema, name: &str) -> bool {
    if let Some(a) = schema.attributes.get(name) {
        return a.force_new;
    }
    if let Some(b) = schema.blocks.get(name) {
        return b.force_new || block_has_force_new(&b.schema);
    }
    false
}

fn block_has_force_new(schema: &Schema) -> bool {
    schema.attributes.values().any(|a| a.force_new)
        || schema
            .blocks
            .values()
            .any(|b| b.force_new || block_has_force_new(&b.schema))
}

/// The planned object: configuration, prior values for unset computed attributes, unknown
/// for computed attributes without a prior value, sensitive marks from the schema.
pub fn merge<'a>(
    schema: &Schema,
    prior: Option<&'a Value>,
    config: &'a Value,
    ignore: &IgnoreChanges,
) -> Value {
    // Entries are pushed in the schema's (sorted) order and the map is made once at the end,
    // in one allocation of exact size (this runs per instance).
    let mut out: Vec<(String, Value)> =
        Vec::with_capacity(schema.attributes.len() + schema.blocks.len());
    // The schema's names are sorted, as are objects' keys: one walk over each object for the
    // attributes and one for the blocks.
    let lookup = |v: Option<&'a Value>| v.and_then(Value::as_map).map(ValueMap::ascending_lookup);
    let (mut config_attrs, mut prior_attrs) = (lookup(Some(config)), lookup(prior));
    for (name, attr) in &schema.attributes {
        let cfg = config_attrs
            .as_mut()
            .and_then(|l| l.get(name))
            .filter(|v| !v.is_null());
        // Borrowed: the prior value is copied only where the planned object keeps it.
        let old = prior_attrs.as_mut().and_then(|l| l.get(name));
        let v = if prior.is_some() && ignore.ignores(name) {
            old.cloned().unwrap_or(Value::Null)
        } else if let Some(cfg) = cfg {
            cfg.clone()
        } else if attr.computed {
            let recomputed = attr.recomputed_when.iter().any(|a| {
                let now = config.get_attr(a).filter(|v| !v.is_null());
                now.is_some() && now != prior.and_then(|p| p.get_attr(a))
            });
            match old {
                Some(_) if recomputed => Value::Unknown(attr.ty.clone()),
                Some(v) if !v.is_null() => v.clone(),
                _ if prior.is_some() && !attr.optional => Value::Null,
                _ => Value::Unknown(attr.ty.clone()),
            }
        } else {
            Value::Null
        };
        let v = if attr.sensitive && !v.is_null() {
            Value::sensitive(v)
        } else {
            v
        };
        out.push((name.clone(), v));
    }
    for (name, block) in &schema.blocks {
        let cfg = config_attrs
            .as_mut()
            .and_then(|l| l.get(name))
            .unwrap_or(&Value::Null);
        let old = prior_attrs.as_mut().and_then(|l| l.get(name));
        let v = if prior.is_some() && ignore.ignores(name) {
            old.cloned().unwrap_or(Value::Null)
        } else {
            match block.nesting {
                Nesting::Single => {
                    if cfg.is_null() {
                        Value::Null
                    } else {
                        merge(
                            &block.schema,
                            old.filter(|o| !o.is_null()),
                            cfg,
                            &IgnoreChanges::None,
                        )
                    }
                }
                Nesting::List => {
                    let items = cfg.as_seq().unwrap_or(&[]);
                    let olds = old.and_then(Value::as_seq).unwrap_or(&[]);
                    Value::List(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                merge(&block.schema, olds.get(i), item, &IgnoreChanges::None)
                            })
                            .collect(),
                    )
                }
            }
        };
        out.push((name.clone(), v));
    }
    Value::Object(out.into_iter().collect())
}

/// Marks every schema-sensitive attribute of a state value (as read back from JSON).
pub fn mark_sensitive(schema: &Schema, v: Value) -> Value {
    let Value::Object(mut m) = v else { return v };
    // In place: no key is copied or re-inserted for the objects of every instance.
    for (name, attr) in &schema.attributes {
        if attr.sensitive {
            if let Some(slot) = m.get_mut(name) {
                if !slot.is_null() {
                    *slot = Value::sensitive(std::mem::replace(slot, Value::Null));
                }
            }
        }
    }
    for (name, block) in &schema.blocks {
        if let Some(slot) = m.get_mut(name) {
            let x = std::mem::replace(slot, Value::Null);
            *slot = match x {
                Value::List(items) | Value::Tuple(items) => Value::List(
                    items
                        .into_iter()
                        .map(|i| mark_sensitive(&block.schema, i))
                        .collect(),
                ),
                other => mark_sensitive(&block.schema, other),
            };
        }
    }
    Value::Object(m)
}

/// Carries sensitive marks from the planned value onto the object a provider returned:
/// a value derived from a sensitive variable stays sensitive in state and in every later
/// plan, even though the provider knows nothing of marks.
pub fn carry_sensitive_marks(planned: &Value, actual: Value) -> Value {
    if planned.is_sensitive() {
        return Value::sensitive(actual);
    }
    match (planned, actual) {
        (Value::Object(pm) | Value::Map(pm), Value::Object(mut am)) => {
            for (k, pv) in pm {
                if let Some(av) = am.remove(k) {
                    am.insert(k.clone(), carry_sensitive_marks(pv, av));
                }
            }
            Value::Object(am)
        }
        (Value::List(ps) | Value::Tuple(ps), Value::List(items)) => Value::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, a)| match ps.get(i) {
                    Some(p) => carry_sensitive_marks(p, a),
                    None => a,
                })
                .collect(),
        ),
        (_, actual) => actual,
    }
}

/// Marks the parts of a value named by state's `sensitive_attributes` paths
/// (`[{"type":"get_attr","value":"desc"}]`).
pub fn mark_paths(v: Value, paths: &[serde_json::Value]) -> Value {
    let mut v = v;
    for p in paths {
        if let Some(steps) = p.as_array() {
            v = mark_path(v, steps);
        }
    }
    v
}

fn mark_path(v: Value, steps: &[serde_json::Value]) -> Value {
    let Some((step, rest)) = steps.split_first() else {
        return Value::sensitive(v);
    };
    let key = step.get("value").and_then(|k| match k {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("value").map(|x| match x {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        other => Some(other.to_string()),
    });
    let Some(key) = key else { return v };
    match v {
        Value::Object(mut m) => {
            if let Some(x) = m.remove(&key) {
                m.insert(key, mark_path(x, rest));
            }
            Value::Object(m)
        }
        Value::Map(mut m) => {
            if let Some(x) = m.remove(&key) {
                m.insert(key, mark_path(x, rest));
            }
            Value::Map(m)
        }
        Value::List(mut xs) => {
            if let Some(i) = key.parse::<usize>().ok().filter(|i| *i < xs.len()) {
                let x = std::mem::replace(&mut xs[i], Value::Null);
                xs[i] = mark_path(x, rest);
            }
            Value::List(xs)
        }
        other => other,
    }
}

/// The unknown value of a whole object of this schema (a resource whose creation is
/// planned but whose config is not yet known, or a deferred data source).
pub fn unknown_object(schema: &Schema) -> Value {
    Value::Unknown(schema.value_type())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Type;
    use crate::provider::schema::{Attribute, NestedBlock};

    fn schema() -> Schema {
        Schema::new("test")
            .attr("name", Attribute::required(Type::String))
            .attr("image_id", Attribute::required(Type::String).force_new())
            .attr("running", Attribute::optional_computed(Type::Bool))
            .attr("id", Attribute::computed(Type::String))
            .attr("password", Attribute::optional(Type::String).sensitive())
            .block(
                "network",
                NestedBlock {
                    nesting: Nesting::Single,
                    schema: Schema::new("net")
                        .attr("vpc_id", Attribute::optional(Type::String).force_new()),
                    min_items: 0,
                    max_items: 1,
                    force_new: false,
                },
            )
    }

    fn cfg(name: &str, image: &str) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("image_id", Value::string(image)),
            ("running", Value::Null),
            ("id", Value::Null),
            ("password", Value::Null),
            ("network", Value::Null),
        ])
    }

    fn prior(name: &str, image: &str) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("image_id", Value::string(image)),
            ("running", Value::Bool(true)),
            ("id", Value::string("i-1")),
            ("password", Value::Null),
            ("network", Value::Null),
        ])
    }

    #[test]
    fn create_has_unknown_computed() {
        let p = plan_instance(
            &schema(),
            None,
            &cfg("a", "img"),
            &IgnoreChanges::None,
            false,
            false,
        );
        assert_eq!(p.action, Action::Create);
        assert!(p.planned.get_attr("id").unwrap().is_unknown());
        assert!(p.planned.get_attr("running").unwrap().is_unknown());
    }

    #[test]
    fn unset_computed_keeps_prior_so_no_op() {
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &cfg("a", "img"),
            &IgnoreChanges::None,
            false,
            false,
        );
        assert_eq!(p.action, Action::NoOp);
    }

    #[test]
    fn plain_change_updates_force_new_replaces() {
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &cfg("b", "img"),
            &IgnoreChanges::None,
            false,
            false,
        );
        assert_eq!(p.action, Action::Update);
        assert_eq!(p.planned.get_attr("id"), Some(&Value::string("i-1")));
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &cfg("a", "img2"),
            &IgnoreChanges::None,
            false,
            false,
        );
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, vec!["image_id".to_string()]);
        assert!(p.planned.get_attr("id").unwrap().is_unknown());
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &cfg("a", "img2"),
            &IgnoreChanges::None,
            false,
            true,
        );
        assert_eq!(p.action, Action::CreateThenDelete);
    }

    #[test]
    fn force_new_inside_block_replaces() {
        let mut c = cfg("a", "img");
        if let Value::Object(m) = &mut c {
            m.insert(
                "network".into(),
                Value::object([("vpc_id", Value::string("vpc-2"))]),
            );
        }
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &c,
            &IgnoreChanges::None,
            false,
            false,
        );
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, vec!["network".to_string()]);
    }

    #[test]
    fn ignore_changes_and_forced_replace() {
        let ignore = IgnoreChanges::Attributes(vec!["image_id".into()]);
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &cfg("a", "img2"),
            &ignore,
            false,
            false,
        );
        assert_eq!(p.action, Action::NoOp);
        let p = plan_instance(
            &schema(),
            Some(&prior("a", "img")),
            &cfg("a", "img"),
            &IgnoreChanges::None,
            true,
            false,
        );
        assert_eq!(p.action, Action::DeleteThenCreate);
    }

    #[test]
    fn sensitive_attributes_are_marked() {
        let mut c = cfg("a", "img");
        if let Value::Object(m) = &mut c {
            m.insert("password".into(), Value::string("hunter2"));
        }
        let p = plan_instance(&schema(), None, &c, &IgnoreChanges::None, false, false);
        assert!(p.planned.get_attr("password").unwrap().is_sensitive());
    }
}
