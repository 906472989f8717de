//! Values as JSON with their marks split out, the way Terraform's JSON plan does it:
//! the value (`after`), a mirror marking unknowns (`after_unknown`) and a mirror marking
//! sensitive parts (`after_sensitive`).
//!
//! Unlike Terraform, the JSON plan skyform prints never contains sensitive values: they are
//! written as `null` and flagged in the sensitive mirror, so a plan posted to a pull request
//! or a policy tool cannot leak a secret. Saved plan files keep them (`Redact::Keep`).

use crate::addr::InstanceKey;
use crate::lang::{Type, Value};
use serde_json::{json, Map, Value as J};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redact {
    /// Sensitive values become null (what people and tools see).
    Hide,
    /// Sensitive values are kept (saved plan files, which apply reads back).
    Keep,
}

/// Splits a value into (json, unknown mirror, sensitive mirror).
pub fn encode(v: &Value, redact: Redact) -> (J, J, J) {
    encode_inner(v, redact, false)
}

fn encode_inner(v: &Value, redact: Redact, in_sensitive: bool) -> (J, J, J) {
    match v {
        Value::Unknown(_) => (J::Null, J::Bool(true), J::Bool(in_sensitive)),
        Value::Sensitive(inner) => {
            let (j, u, _) = encode_inner(inner, redact, true);
            let j = if redact == Redact::Hide { J::Null } else { j };
            (j, u, J::Bool(true))
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            let mut js = Vec::with_capacity(xs.len());
            let mut us = Vec::with_capacity(xs.len());
            let mut ss = Vec::with_capacity(xs.len());
            for x in xs {
                let (j, u, s) = encode_inner(x, redact, in_sensitive);
                js.push(j);
                us.push(u);
                ss.push(s);
            }
            (J::Array(js), J::Array(us), J::Array(ss))
        }
        Value::Map(m) | Value::Object(m) => {
            let mut js = Map::new();
            let mut us = Map::new();
            let mut ss = Map::new();
            for (k, x) in m {
                let (j, u, s) = encode_inner(x, redact, in_sensitive);
                js.insert(k.clone(), j);
                if u != J::Bool(false) {
                    us.insert(k.clone(), u);
                }
                if s != J::Bool(false) {
                    ss.insert(k.clone(), s);
                }
            }
            (J::Object(js), J::Object(us), J::Object(ss))
        }
        other => (other.to_json(), J::Bool(false), J::Bool(in_sensitive)),
    }
}

/// Rebuilds a value from its JSON and mirrors, typed by `ty`.
pub fn decode(j: &J, unknown: &J, sensitive: &J, ty: &Type) -> Value {
    if unknown == &J::Bool(true) {
        let v = Value::Unknown(ty.clone());
        return if sensitive == &J::Bool(true) {
            Value::sensitive(v)
        } else {
            v
        };
    }
    if sensitive == &J::Bool(true) {
        return Value::sensitive(decode(j, unknown, &J::Bool(false), ty));
    }
    let elem_ty = |i: usize| match ty {
        Type::List(t) | Type::Set(t) | Type::Map(t) => (**t).clone(),
        Type::Tuple(ts) => ts.get(i).cloned().unwrap_or(Type::Dynamic),
        _ => Type::Dynamic,
    };
    match j {
        J::Array(xs) if unknown.is_array() || sensitive.is_array() => {
            let items: Vec<Value> = xs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    decode(
                        x,
                        unknown.get(i).unwrap_or(&J::Bool(false)),
                        sensitive.get(i).unwrap_or(&J::Bool(false)),
                        &elem_ty(i),
                    )
                })
                .collect();
            match ty {
                Type::List(_) => Value::List(items),
                Type::Set(_) => Value::set_from(items),
                _ => Value::Tuple(items),
            }
        }
        J::Object(m) if unknown.is_object() || sensitive.is_object() => {
            let items = m
                .iter()
                .map(|(k, x)| {
                    let t = match ty {
                        Type::Object(attrs) => attrs.get(k).cloned().unwrap_or(Type::Dynamic),
                        Type::Map(t) => (**t).clone(),
                        _ => Type::Dynamic,
                    };
                    (
                        k.clone(),
                        decode(
                            x,
                            unknown.get(k).unwrap_or(&J::Bool(false)),
                            sensitive.get(k).unwrap_or(&J::Bool(false)),
                            &t,
                        ),
                    )
                })
                .collect();
            match ty {
                Type::Map(_) => Value::Map(items),
                _ => Value::Object(items),
            }
        }
        _ => Value::from_json_typed(j, ty),
    }
}

/// A value in one JSON document (`{"value":…, "unknown":…, "sensitive":…}`), for plan files.
pub fn encode_full(v: &Value) -> J {
    let (value, unknown, sensitive) = encode(v, Redact::Keep);
    json!({ "value": value, "unknown": unknown, "sensitive": sensitive })
}

pub fn decode_full(j: &J, ty: &Type) -> Value {
    let f = J::Bool(false);
    decode(
        j.get("value").unwrap_or(&J::Null),
        j.get("unknown").unwrap_or(&f),
        j.get("sensitive").unwrap_or(&f),
        ty,
    )
}

/// The `index` field of Terraform's JSON resource entries.
pub fn index_json(key: &InstanceKey) -> Option<J> {
    key.to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_sensitive_round_trip() {
        let v = Value::object([
            ("id", Value::Unknown(Type::String)),
            ("name", Value::string("web")),
            ("password", Value::sensitive(Value::string("hunter2"))),
            (
                "tags",
                Value::List(vec![Value::string("a"), Value::Unknown(Type::String)]),
            ),
        ]);
        let (j, u, s) = encode(&v, Redact::Hide);
        assert_eq!(j["password"], J::Null);
        assert_eq!(u["id"], J::Bool(true));
        assert_eq!(u["tags"], json!([false, true]));
        assert_eq!(s["password"], J::Bool(true));
        assert!(!j.to_string().contains("hunter2"));
        let ty = Type::Object(
            [
                ("id".to_string(), Type::String),
                ("name".to_string(), Type::String),
                ("password".to_string(), Type::String),
                ("tags".to_string(), Type::list(Type::String)),
            ]
            .into_iter()
            .collect(),
        );
        let back = decode_full(&encode_full(&v), &ty);
        assert_eq!(back, v);
    }
}
