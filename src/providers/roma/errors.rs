//! Reading ROMA's and IAM's error answers into [`ProviderError`]s: ROMA's
//! `{error_code, error_msg, error_details, request_id}` (seed, all four statuses; also
//! the API gateway's `APIGW.*` answers of the same shape), IAM's Keystone-style
//! `{"error": {code, message, title}}`. Auth failures say which credentials to check
//! (names, never values); 429 and 5xx get the kinds the shared toolkit retries.

use super::settings::Credentials;
use super::PROVIDER;
use crate::provider::http::{kind_for_status, Response};
use crate::provider::ProviderError;
use serde::Deserialize;

/// ROMA's error body (seed: 400, 401, 403, 500).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RomaErrorBody {
    pub error_code: String,
    pub error_msg: String,
    pub error_details: String,
    pub request_id: String,
}

/// IAM's error body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
struct IamErrorBody {
    error: IamError,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
struct IamError {
    code: i64,
    message: String,
    title: String,
}

/// Appends what to check to a message: a new sentence after one that ended, else after `; `.
fn append_hint(message: &mut String, hint: &str) {
    if message.trim_end().ends_with('.') {
        let mut chars = hint.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase());
        message.push(' ');
        message.extend(first);
        message.push_str(chars.as_str());
        message.push('.');
    } else {
        message.push_str("; ");
        message.push_str(hint);
    }
}

/// A short, printable excerpt of a body that is not the documented JSON.
fn excerpt(body: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(body).chars().take(200).collect();
    if text.trim().is_empty() {
        "(empty body)".to_string()
    } else {
        text
    }
}

/// Reads a ROMA answer: `None` for success (2xx), else the error with its kind. 401 and
/// 403 name the credentials to check per `credentials`.
pub fn decode_roma(
    operation: &str,
    response: &Response,
    credentials: Option<&Credentials>,
) -> Option<ProviderError> {
    if (200..300).contains(&response.status) {
        return None;
    }
    let body: Option<RomaErrorBody> = serde_json::from_slice(&response.body)
        .ok()
        .filter(|b: &RomaErrorBody| !b.error_code.is_empty() || !b.error_msg.is_empty());
    let mut message = match &body {
        Some(b) => {
            let mut m = b.error_msg.clone();
            if !b.error_details.trim().is_empty() {
                m.push_str(&format!(" ({})", b.error_details.trim()));
            }
            if !b.request_id.is_empty() {
                m.push_str(&format!(" [request_id {}]", b.request_id));
            }
            m
        }
        None => format!("unexpected answer: {}", excerpt(&response.body)),
    };
    if matches!(response.status, 401 | 403) {
        if let Some(c) = credentials {
            append_hint(&mut message, c.hint());
        }
    }
    let mut e = ProviderError::new(PROVIDER, operation, message)
        .status(response.status)
        .kind(kind_for_status(response.status));
    if let Some(b) = body.filter(|b| !b.error_code.is_empty()) {
        e = e.code(b.error_code);
    }
    Some(e)
}

/// Reads an IAM answer to a token request: `None` for success, else the error; 401
/// names the password credentials to check.
pub fn decode_iam(operation: &str, response: &Response) -> Option<ProviderError> {
    if (200..300).contains(&response.status) {
        return None;
    }
    let body: Option<IamErrorBody> = serde_json::from_slice(&response.body)
        .ok()
        .filter(|b: &IamErrorBody| !b.error.message.is_empty());
    let mut e = match body {
        Some(b) => ProviderError::new(PROVIDER, operation, b.error.message.clone())
            .code(format!("{} {}", b.error.code, b.error.title)),
        // The gateway in front of IAM answers throttling in ROMA's shape.
        None => match decode_roma(operation, response, None) {
            Some(e) => e,
            None => ProviderError::new(PROVIDER, operation, excerpt(&response.body)),
        },
    };
    e = e
        .status(response.status)
        .kind(kind_for_status(response.status));
    if matches!(response.status, 401 | 403) {
        append_hint(&mut e.message, "check the provider's user_name, password and domain_name (or ROMA_USER_NAME, ROMA_PASSWORD, ROMA_DOMAIN_NAME), and project_name/project_id for the token's scope");
    }
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ErrorKind;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn bodies_that_are_not_json_still_give_a_clear_error() {
        let e = decode_roma("GET /x", &resp(502, "<html>bad gateway</html>"), None).expect("err");
        assert_eq!(e.kind, ErrorKind::Transient);
        assert!(e.message.contains("bad gateway"), "{e}");
        let e = decode_iam("POST /v3/auth/tokens", &resp(401, "")).expect("err");
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("ROMA_PASSWORD"), "{e}");
        assert!(decode_roma("GET /x", &resp(200, "{}"), None).is_none());
    }
}
