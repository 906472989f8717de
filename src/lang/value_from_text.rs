//! Decoding JSON text straight into a typed [`Value`], without a JSON tree in between.
//!
//! State holds each instance's attributes as text, and a plan decodes every one of them by
//! its resource's schema. Going through `serde_json::Value` built an ordered hash map per
//! object only to walk and drop it: a third of a 10,000-instance plan's CPU. This reads the
//! text once and builds the [`Value`] directly, with exactly the rules of
//! [`Value::from_json_typed`] (the tests below hold the two to the same answers).

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::number::Number;
use super::types::Type;
use super::value::Value;
use super::value_map::ValueMap;

impl Value {
    /// `text` (JSON) decoded as [`Value::from_json_typed`] decodes its tree.
    pub fn from_json_text_typed(text: &str, ty: &Type) -> Result<Value, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Typed(ty).deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

/// Decodes one JSON value as type `.0` (`Dynamic`: untyped, as [`Value::from_json`]).
#[derive(Clone, Copy)]
struct Typed<'t>(&'t Type);

const DYNAMIC: Typed<'static> = Typed(&Type::Dynamic);

impl<'de> DeserializeSeed<'de> for Typed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Typed<'_> {
    fn number(self, n: serde_json::Number) -> Value {
        if matches!(self.0, Type::String) {
            return Value::String(n.to_string());
        }
        // Integers exactly, without printing and parsing them; the rest as printed.
        let exact = match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Some(Number::from(bigdecimal::BigDecimal::from(i))),
            (None, Some(u)) => Some(Number::from(bigdecimal::BigDecimal::from(u))),
            _ => Number::parse(&n.to_string()),
        };
        exact.map(Value::Number).unwrap_or(Value::Null)
    }
}

impl<'de> Visitor<'de> for Typed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(match self.0 {
            Type::String => Value::String(b.to_string()),
            _ => Value::Bool(b),
        })
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(self.number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(self.number(n.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Value, E> {
        // JSON text cannot hold NaN or infinities, so serde_json never hands them over.
        match serde_json::Number::from_f64(n) {
            Some(n) => Ok(self.number(n)),
            None => Err(E::custom("a number that is not finite")),
        }
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        match self.0 {
            Type::List(et) | Type::Set(et) => {
                while let Some(x) = seq.next_element_seed(Typed(et))? {
                    items.push(x);
                }
            }
            Type::Tuple(ts) => loop {
                let seed = ts.get(items.len()).map(Typed).unwrap_or(DYNAMIC);
                match seq.next_element_seed(seed)? {
                    Some(x) => items.push(x),
                    None => break,
                }
            },
            _ => {
                while let Some(x) = seq.next_element_seed(DYNAMIC)? {
                    items.push(x);
                }
            }
        }
        Ok(match self.0 {
            Type::List(_) => Value::List(items),
            Type::Set(_) => Value::set_from(items),
            _ => Value::Tuple(items),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        match self.0 {
            Type::Object(attrs) => {
                // Only the schema's attributes are kept, each decoded by its type; one
                // missing from the text is null.
                let mut found: Vec<(String, Value)> = Vec::with_capacity(attrs.len());
                while let Some(key) = map.next_key::<String>()? {
                    match attrs.get(&key) {
                        Some(t) => {
                            let v = map.next_value_seed(Typed(t))?;
                            found.push((key, v));
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                // Merged with the schema's names in one pass; text that skyform did not
                // write may be out of order or repeat a key (the last one counts).
                if !found.windows(2).all(|w| w[0].0 < w[1].0) {
                    found = ValueMap::from_iter(found).into_iter().collect();
                }
                let mut found = found.into_iter().peekable();
                let object = attrs
                    .keys()
                    .map(|k| {
                        while found.next_if(|(f, _)| f < k).is_some() {}
                        match found.next_if(|(f, _)| f == k) {
                            Some(entry) => entry,
                            None => (k.clone(), Value::Null),
                        }
                    })
                    .collect();
                Ok(Value::Object(object))
            }
            Type::Map(et) => {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key::<String>()? {
                    entries.push((key, map.next_value_seed(Typed(et))?));
                }
                Ok(Value::Map(entries.into_iter().collect()))
            }
            _ => {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key::<String>()? {
                    entries.push((key, map.next_value_seed(DYNAMIC)?));
                }
                Ok(Value::Object(entries.into_iter().collect()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn object(attrs: &[(&str, Type)]) -> Type {
        Type::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.to_string(), t.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// Every pair of text and type decodes as the tree-based decoder decodes it.
    #[test]
    fn agrees_with_the_tree_decoder() {
        let types = [
            Type::Dynamic,
            Type::String,
            Type::Number,
            Type::Bool,
            Type::list(Type::String),
            Type::set(Type::Number),
            Type::map(Type::String),
            Type::Tuple(vec![Type::String, Type::Number]),
            Type::Optional(Box::new(Type::String)),
            object(&[
                ("a", Type::String),
                ("b", Type::set(Type::String)),
                (
                    "c",
                    object(&[("x", Type::Number), ("y", Type::list(Type::Bool))]),
                ),
                ("missing", Type::String),
            ]),
        ];
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "-17",
            "18446744073709551615",
            "1.5",
            "1e-7",
            "-2.5E+30",
            r#""text""#,
            r#""a \"quoted\" \u00e9 \ud83d\ude00""#,
            "[]",
            "{}",
            r#"[3, 1, 2, 1]"#,
            r#"["b", "a", "b", null]"#,
            r#"[1, "two", true, null, [1], {"k": 1}]"#,
            r#"{"a": 1, "b": ["z", "y", "z"], "c": {"x": 2, "y": [true, 1], "extra": 0}, "z": {"deep": [1]}}"#,
            r#"{"b": 1, "a": 2, "a": 3}"#,
            r#"{"a": null, "c": null}"#,
            r#"{"a": {"nested": "object"}, "b": "not a set"}"#,
        ];
        for text in texts {
            let json: serde_json::Value = serde_json::from_str(text).unwrap();
            for ty in &types {
                assert_eq!(
                    Value::from_json_text_typed(text, ty).unwrap(),
                    Value::from_json_typed(&json, ty),
                    "{text} as {ty:?}"
                );
            }
        }
    }

    #[test]
    fn bad_text_is_an_error() {
        for text in ["", "{", r#"{"a": 1} x"#, "1e400", "[1,]"] {
            assert!(
                Value::from_json_text_typed(text, &Type::Dynamic).is_err(),
                "{text}"
            );
        }
    }
}
