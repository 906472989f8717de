//! `PUT /_sim/knobs` for every simulator: the body names the knobs to change, the others
//! keep their values, and the answer is the knobs now in force or 400 with the reason.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// `current` with the knobs `body` names replaced; the error says what is wrong with it.
pub fn patched<K: Serialize + DeserializeOwned>(current: &K, body: &[u8]) -> Result<K, String> {
    let patch = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(patch)) => patch,
        Ok(_) => return Err("the body must be a JSON object of knobs".into()),
        Err(e) => return Err(format!("the body is not JSON: {e}")),
    };
    let mut merged = match serde_json::to_value(current) {
        Ok(Value::Object(current)) => current,
        _ => serde_json::Map::new(),
    };
    merged.extend(patch);
    serde_json::from_value(Value::Object(merged)).map_err(|e| format!("bad knobs: {e}"))
}

/// The answer to a knob change: the knobs in force, or 400 `{"error": reason}`.
pub fn answer<K: Serialize>(result: Result<K, String>) -> Response {
    match result {
        Ok(knobs) => Json(knobs).into_response(),
        Err(reason) => (StatusCode::BAD_REQUEST, Json(json!({ "error": reason }))).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Knobs {
        a: u32,
        b: f64,
    }

    #[test]
    fn named_knobs_change_and_the_others_stay() {
        let current = Knobs { a: 1, b: 0.5 };
        assert_eq!(
            patched(&current, br#"{"b": 0.25}"#),
            Ok(Knobs { a: 1, b: 0.25 })
        );
        assert_eq!(
            patched(&current, b"[1]").unwrap_err(),
            "the body must be a JSON object of knobs"
        );
        assert!(patched(&current, b"{")
            .unwrap_err()
            .starts_with("the body is not JSON"));
        assert!(patched(&current, br#"{"c": 1}"#)
            .unwrap_err()
            .starts_with("bad knobs"));
    }
}
