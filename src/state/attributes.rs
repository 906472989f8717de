//! An object's attributes as state stores them: the compact JSON text of one object.
//!
//! State documents are read whole on every run, and most instances are only carried through
//! (written back unchanged) or decoded once into the engine's values. Held as a JSON tree, an
//! instance's attributes cost about 3.4 KB (every object an ordered hash map, every key and
//! string its own allocation): 34 MB of a 10,000-instance plan's 52 MB peak. Held as text they
//! cost their length in one allocation (about 600 bytes), are written back without being
//! serialised again, and are parsed only where something reads them.
//!
//! The text is compact (no whitespace outside strings). What skyform makes from a provider's
//! answer has its object keys sorted, so written files have a stable order whatever order
//! the provider produced, and equal attributes are equal texts. The document file shows
//! them indented like the rest ([`super::pretty`]); reading takes the whitespace out again
//! in one pass over the text, without parsing it.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value as Json;

use super::model::sort_object_keys;

/// The attributes of one object: a JSON object, as compact text (keys sorted when skyform
/// made it).
#[derive(Clone)]
pub struct Attributes(Box<RawValue>);

impl Attributes {
    /// The canonical text of `value` (keys sorted at every depth).
    pub fn from_json(mut value: Json) -> Self {
        sort_object_keys(&mut value);
        Attributes::compact(&value)
    }

    /// `{}`.
    pub fn empty() -> Self {
        Attributes::from_json(Json::Object(serde_json::Map::new()))
    }

    fn compact(value: &Json) -> Self {
        // Invariants, not input: a JSON tree always serialises, into valid JSON.
        let text = serde_json::to_string(value).expect("a JSON tree serialises");
        Attributes(RawValue::from_string(text).expect("serde_json writes valid JSON"))
    }

    /// The attributes as a JSON tree (parsed on each call: keep the result if it is needed
    /// more than once). Text read from a file is valid JSON but may still not parse into a
    /// tree: a number beyond what a float holds, written by hand.
    pub fn to_json(&self) -> Result<Json, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// One top-level attribute, parsed (`None` also when the text does not parse).
    pub fn get(&self, name: &str) -> Option<Json> {
        match self.to_json() {
            Ok(Json::Object(mut map)) => map.swap_remove(name),
            _ => None,
        }
    }

    /// The compact JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// True when the text is a JSON object (a state document requires it).
    pub fn is_object(&self) -> bool {
        self.0.get().starts_with('{')
    }
}

impl PartialEq for Attributes {
    /// Equal when the texts are equal, which for texts skyform made is equal JSON.
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl std::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.get())
    }
}

impl From<Json> for Attributes {
    fn from(value: Json) -> Self {
        Attributes::from_json(value)
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// The name under which serde_json hands a value over as its raw text (how its own
/// `RawValue` is read). Any other deserializer, or serde_json reading from buffered content
/// (an internally tagged enum such as a journal record), gives the value itself instead,
/// which is read as a JSON tree and written canonically: slower, same result.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'de> Deserialize<'de> for Attributes {
    /// Keeps the text with its whitespace removed; the keys keep the order they were read in
    /// (what skyform wrote is sorted already).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(RAW_VALUE_TOKEN, AttributesVisitor)
    }
}

struct AttributesVisitor;

impl<'de> serde::de::Visitor<'de> for AttributesVisitor {
    type Value = Attributes;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    /// serde_json's raw text: one entry named [`RAW_VALUE_TOKEN`] holding the text.
    /// Anything else that arrives as a map is an object of attributes.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Attributes::empty());
        };
        if first == RAW_VALUE_TOKEN {
            let text: String = map.next_value()?;
            return Attributes::from_text(text).map_err(serde::de::Error::custom);
        }
        let mut object = serde_json::Map::new();
        object.insert(first, map.next_value()?);
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            object.insert(key, value);
        }
        Ok(Attributes::from_json(Json::Object(object)))
    }

    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> Result<Attributes, D::Error> {
        Json::deserialize(d).map(Attributes::from_json)
    }
}

impl Attributes {
    /// Text as read, made compact (skyform writes it indented, see [`super::pretty`]).
    fn from_text(text: String) -> Result<Attributes, serde_json::Error> {
        let compact = match super::pretty::minify(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(compact) => compact,
        };
        RawValue::from_string(compact).map(Attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_compact_and_sorted_at_every_depth() {
        let a = Attributes::from_json(
            json!({"z": 1, "a": {"y": [1, {"q": null, "b": 2}], "b": "x y"}}),
        );
        assert_eq!(
            a.text(),
            r#"{"a":{"b":"x y","y":[1,{"b":2,"q":null}]},"z":1}"#
        );
        assert_eq!(a.get("z"), Some(json!(1)));
        assert_eq!(a.get("nope"), None);
    }

    #[test]
    fn indented_text_is_made_compact_when_read_keeping_its_order() {
        for text in [
            "{\n  \"b\": \"two words\",\n  \"a\": 1\n}",
            r#"{"b": "two words", "a": 1}"#,
        ] {
            let a: Attributes = serde_json::from_str(text).unwrap();
            assert_eq!(a.text(), r#"{"b":"two words","a":1}"#, "{text}");
        }
        let a: Attributes = serde_json::from_str(r#"{"a":"x \" y","b":[1,2]}"#).unwrap();
        assert_eq!(a.text(), r#"{"a":"x \" y","b":[1,2]}"#);
    }

    /// A journal record is an internally tagged enum, which serde reads through buffered
    /// content: the attributes arrive as a value, not as text, and are written canonically.
    #[test]
    fn read_from_buffered_content_as_a_journal_record_is() {
        #[derive(serde::Deserialize)]
        #[serde(tag = "op")]
        enum Record {
            Upsert { attributes: Attributes },
        }
        let Record::Upsert { attributes } =
            serde_json::from_str(r#"{"op": "Upsert", "attributes": {"b": 1, "a": [2]}}"#).unwrap();
        assert_eq!(attributes.text(), r#"{"a":[2],"b":1}"#);
    }

    #[test]
    fn equal_json_built_in_any_key_order_is_equal() {
        let one = Attributes::from_json(json!({"a": 1, "b": 2}));
        let two: Attributes = serde_json::from_str(r#"{"a": 1, "b": 2}"#).unwrap();
        assert_eq!(one, two);
        assert_ne!(one, Attributes::empty());
        assert!(one.is_object() && !Attributes::from_json(json!([1])).is_object());
    }

    #[test]
    fn written_inside_a_document_as_the_text() {
        let doc = json!({"attributes": Attributes::from_json(json!({"b": 1, "a": 2})).to_json().unwrap()});
        assert_eq!(doc["attributes"], json!({"a": 2, "b": 1}));
        let text = serde_json::to_string(&vec![Attributes::from_json(json!({"b": 1}))]).unwrap();
        assert_eq!(text, r#"[{"b":1}]"#);
    }
}
