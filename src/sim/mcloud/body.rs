//! Reading request bodies and headers the way the real (Go) server does:
//! JSON field names match case-insensitively, a wrong JSON type is an error.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

/// The header that ties calls to log entries.
pub const CORRELATION_HEADER: &str = "x-correlation-id";

/// The body as a JSON object, or `None` when it is not one.
pub fn object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A field by name: exact match first, then ASCII case-insensitive.
pub fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// What a typed field read found.
#[derive(Debug, PartialEq)]
pub enum Read<T> {
    Absent,
    Value(T),
    WrongType,
}

/// A string field (`null` counts as absent).
pub fn string(object: &Map<String, Value>, name: &str) -> Read<String> {
    match field(object, name) {
        None | Some(Value::Null) => Read::Absent,
        Some(Value::String(s)) => Read::Value(s.clone()),
        Some(_) => Read::WrongType,
    }
}

/// An integer field (`null` counts as absent; fractions are a wrong type).
pub fn integer(object: &Map<String, Value>, name: &str) -> Read<i64> {
    match field(object, name) {
        None | Some(Value::Null) => Read::Absent,
        Some(Value::Number(n)) => n.as_i64().map(Read::Value).unwrap_or(Read::WrongType),
        Some(_) => Read::WrongType,
    }
}

/// An optional string: absent is `""`, a wrong type is an error.
pub fn opt_string(object: &Map<String, Value>, name: &str) -> Result<String, String> {
    match string(object, name) {
        Read::Absent => Ok(String::new()),
        Read::Value(s) => Ok(s),
        Read::WrongType => Err(format!("{name} must be a string")),
    }
}

/// A required, non-blank string.
pub fn req_string(object: &Map<String, Value>, name: &str) -> Result<String, String> {
    match string(object, name) {
        Read::Value(s) if !s.trim().is_empty() => Ok(s),
        Read::Value(_) | Read::Absent => Err(format!("{name} is required")),
        Read::WrongType => Err(format!("{name} must be a string")),
    }
}

/// An optional integer: absent is 0.
pub fn opt_integer(object: &Map<String, Value>, name: &str) -> Result<i64, String> {
    match integer(object, name) {
        Read::Absent => Ok(0),
        Read::Value(n) => Ok(n),
        Read::WrongType => Err(format!("{name} must be an integer")),
    }
}

/// A required integer.
pub fn req_integer(object: &Map<String, Value>, name: &str) -> Result<i64, String> {
    match integer(object, name) {
        Read::Value(n) => Ok(n),
        Read::Absent => Err(format!("{name} is required")),
        Read::WrongType => Err(format!("{name} must be an integer")),
    }
}

/// A required nested object.
pub fn req_object<'a>(
    object: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a Map<String, Value>, String> {
    match field(object, name) {
        Some(Value::Object(inner)) => Ok(inner),
        None | Some(Value::Null) => Err(format!("{name} is required")),
        Some(_) => Err(format!("{name} must be an object")),
    }
}

/// The `X-CORRELATION-ID` header, when present and not blank.
pub fn correlation_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CORRELATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_match_case_insensitively() {
        let Value::Object(o) = json!({"publicip": "1.2.3.4", "Num": 2, "Bad": "x"}) else {
            unreachable!()
        };
        assert_eq!(req_string(&o, "PublicIp"), Ok("1.2.3.4".to_string()));
        assert_eq!(req_integer(&o, "num"), Ok(2));
        assert!(req_integer(&o, "Bad").is_err());
        assert!(req_string(&o, "Missing").is_err());
        assert_eq!(opt_string(&o, "Missing"), Ok(String::new()));
    }
}
