//! skyform's dynamic value: what expressions evaluate to, what providers take and return,
//! and what state stores (as JSON).
//!
//! Like Terraform's cty, a value may be **unknown** (computed by a provider during apply,
//! shown as `(known after apply)`) and may be marked **sensitive** (never printed). Lists
//! and tuples, maps and objects are distinct because Terraform's equality and conversion
//! rules tell them apart (`{a = 1} == tomap({a = 1})` is false).

use super::number::Number;
use super::types::Type;
pub use super::value_map::ValueMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Not known until apply. Carries the type when it is known (`Type::Dynamic` otherwise).
    Unknown(Type),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    /// Elements are kept sorted (Terraform's set order) and unique.
    Set(Vec<Value>),
    Map(ValueMap),
    Object(ValueMap),
    /// A sensitive value: behaves as the inner value, is never printed.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: i64) -> Value {
        Value::Number(Number::from_i64(n))
    }

    pub fn unknown() -> Value {
        Value::Unknown(Type::Dynamic)
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn sensitive(v: Value) -> Value {
        match v {
            Value::Sensitive(_) => v,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// The value with its top-level sensitive mark removed.
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(inner) => inner.unmarked(),
            other => other,
        }
    }

    /// The value with every sensitive mark removed, at any depth.
    pub fn deep_unmarked(&self) -> Value {
        match self {
            Value::Sensitive(inner) => inner.deep_unmarked(),
            Value::List(xs) => Value::List(xs.iter().map(Value::deep_unmarked).collect()),
            Value::Tuple(xs) => Value::Tuple(xs.iter().map(Value::deep_unmarked).collect()),
            Value::Set(xs) => Value::Set(xs.iter().map(Value::deep_unmarked).collect()),
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.deep_unmarked()))
                    .collect(),
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.deep_unmarked()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// True when a sensitive mark appears anywhere inside.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().any(Value::contains_sensitive)
            }
            Value::Map(m) | Value::Object(m) => m.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.unmarked(), Value::Null)
    }

    /// True when this value itself is unknown (not looking inside collections).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unmarked(), Value::Unknown(_))
    }

    /// True when nothing inside is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(inner) => inner.is_wholly_known(),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The value of a literal index key (`[0]`, `["a"]`) of a static reference.
    pub fn from_literal(lit: &crate::hcl::ast::Literal) -> Option<Value> {
        match lit {
            crate::hcl::ast::Literal::Number(n) => Number::from_literal(n).map(Value::Number),
            crate::hcl::ast::Literal::String(s) => Some(Value::String(s.clone())),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.unmarked() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::to_i64)
    }

    /// Elements of a list, tuple or set.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.unmarked() {
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => Some(xs),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_map(&self) -> Option<&ValueMap> {
        match self.unmarked() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An attribute of an object (or key of a map).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// The type of a known value; `Dynamic` for null and untyped unknowns.
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Dynamic,
            Value::Unknown(t) => t.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(xs) => Type::list(xs.first().map(Value::type_of).unwrap_or(Type::Dynamic)),
            Value::Set(xs) => Type::set(xs.first().map(Value::type_of).unwrap_or(Type::Dynamic)),
            Value::Tuple(xs) => Type::Tuple(xs.iter().map(Value::type_of).collect()),
            Value::Map(m) => Type::map(
                m.values()
                    .next()
                    .map(Value::type_of)
                    .unwrap_or(Type::Dynamic),
            ),
            Value::Object(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), v.type_of())).collect())
            }
            Value::Sensitive(inner) => inner.type_of(),
        }
    }

    /// Encodes a value as JSON the way `jsonencode` does (sensitive marks dropped).
    /// Unknown values have no JSON form and become `null`; callers that store state
    /// must not have unknowns left (apply replaces them all).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(n),
            Value::String(s) => J::String(s.clone()),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                J::Array(xs.iter().map(Value::to_json).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Sensitive(inner) => inner.to_json(),
        }
    }

    /// Decodes JSON without a type: arrays become tuples, objects become objects
    /// (what `jsondecode` does).
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Number::parse(&n.to_string())
                .map(Value::Number)
                .unwrap_or(Value::Null),
            J::String(s) => Value::String(s.clone()),
            J::Array(xs) => Value::Tuple(xs.iter().map(Value::from_json).collect()),
            J::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Decodes JSON into a value of the given type (how state attributes that went through a
    /// schema upgrade are read back; stored text is read by [`Value::from_json_text_typed`]
    /// with the same rules). Mismatches fall back to the untyped decoding.
    pub fn from_json_typed(json: &serde_json::Value, ty: &Type) -> Value {
        use serde_json::Value as J;
        match (ty, json) {
            (_, J::Null) => Value::Null,
            (Type::List(et), J::Array(xs)) => {
                Value::List(xs.iter().map(|x| Value::from_json_typed(x, et)).collect())
            }
            (Type::Set(et), J::Array(xs)) => {
                Value::set_from(xs.iter().map(|x| Value::from_json_typed(x, et)).collect())
            }
            (Type::Tuple(ts), J::Array(xs)) => Value::Tuple(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| Value::from_json_typed(x, ts.get(i).unwrap_or(&Type::Dynamic)))
                    .collect(),
            ),
            (Type::Map(et), J::Object(m)) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json_typed(v, et)))
                    .collect(),
            ),
            // Collected from the schema's attributes, already in key order: one
            // allocation of exact size, no sorting.
            (Type::Object(attrs), J::Object(m)) => Value::Object(
                attrs
                    .iter()
                    .map(|(k, t)| {
                        let v = m
                            .get(k)
                            .map(|v| Value::from_json_typed(v, t))
                            .unwrap_or(Value::Null);
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            (Type::String, J::Number(n)) => Value::String(n.to_string()),
            (Type::String, J::Bool(b)) => Value::String(b.to_string()),
            _ => Value::from_json(json),
        }
    }

    /// Builds a set: sorts into Terraform's set order and removes duplicates.
    pub fn set_from(mut xs: Vec<Value>) -> Value {
        xs.sort_by(compare_for_set);
        xs.dedup();
        Value::Set(xs)
    }
}

fn number_to_json(n: &Number) -> serde_json::Value {
    if let Some(i) = n.to_i64() {
        return serde_json::Value::from(i);
    }
    // Keep as many digits as JSON consumers can use; the exact value lives in Number.
    match serde_json::Number::from_f64(n.to_f64()) {
        Some(f) => serde_json::Value::Number(f),
        None => serde_json::Value::Null,
    }
}

/// Terraform's set order: strings by bytes, numbers numerically, otherwise by the JSON
/// rendering so the order is at least stable.
pub fn compare_for_set(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.unmarked(), b.unmarked()) {
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Number(x), Value::Number(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (x, y) => x.to_json().to_string().cmp(&y.to_json().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every attribute of every instance is a `Value`, so its width is the engine's memory
    /// per attribute: a plan of 100,000 instances holds millions of them (issue 12).
    #[test]
    fn a_value_is_at_most_32_bytes() {
        assert!(
            std::mem::size_of::<Value>() <= 32,
            "{}",
            std::mem::size_of::<Value>()
        );
    }
}
