//! The JD Cloud envelope: `{"requestId", "result"}` on success and
//! `{"requestId", "error": {"code", "status", "message"}}` on failure, with
//! `code` equal to the HTTP status (reference 1.1 and 1.3).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{json, Value};

/// One failed answer: HTTP status (also `error.code`), `error.status` and message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub status: &'static str,
    pub message: String,
}

/// The message of a bad signature, as the live gateway words it.
pub const SIGN_MISMATCH: &str = "sign result is not same [gw]";
/// The message of an injected failure (knob `error_rate`); Terraform retries on it.
pub const UNKNOWN_SERVER_ERROR: &str = "Unknown server error";
/// The message of a throttled request (knob `throttle`).
pub const RATE_LIMITED: &str = "Request rate limit exceeded, please retry later";
/// The prefix of the "task in progress" message; Terraform retries on it.
pub const TASK_CONFLICT: &str = "Conflict with underlay task";

impl ApiError {
    fn new(code: u16, status: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            status,
            message: message.into(),
        }
    }

    /// 400 INVALID_ARGUMENT: a missing or malformed parameter.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "INVALID_ARGUMENT", message)
    }

    /// 400 INVALID_ARGUMENT naming the parameter that is missing.
    pub fn missing(name: &str) -> ApiError {
        ApiError::invalid(format!("missing required parameter {name}"))
    }

    /// 400 FAILED_PRECONDITION: wrong state, already bound, shared, limits.
    pub fn precondition(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "FAILED_PRECONDITION", message)
    }

    /// 400 OUT_OF_RANGE: a number outside its documented range.
    pub fn out_of_range(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "OUT_OF_RANGE", message)
    }

    /// 401 UNAUTHENTICATED: bad, missing or stale signature.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(401, "UNAUTHENTICATED", message)
    }

    /// 404 NOT_FOUND for `kind id`.
    pub fn not_found(kind: &str, id: &str) -> ApiError {
        ApiError::new(404, "NOT_FOUND", format!("{kind} {id} not found"))
    }

    /// 404 NOT_FOUND for a path the API lacks.
    pub fn no_such_api(method: &str, path: &str) -> ApiError {
        ApiError::new(404, "NOT_FOUND", format!("no such API: {method} {path}"))
    }

    /// 429 QUOTA_EXCEEDED.
    pub fn quota(message: impl Into<String>) -> ApiError {
        ApiError::new(429, "QUOTA_EXCEEDED", message)
    }

    /// 429 RATE_LIMIT.
    pub fn rate_limit() -> ApiError {
        ApiError::new(429, "RATE_LIMIT", RATE_LIMITED)
    }

    /// 500 INTERNAL, the injected failure.
    pub fn internal() -> ApiError {
        ApiError::new(500, "INTERNAL", UNKNOWN_SERVER_ERROR)
    }

    /// 400 FAILED_PRECONDITION for an instance with a task in progress.
    pub fn task_conflict(instance_id: &str, task: &str) -> ApiError {
        ApiError::precondition(format!(
            "{TASK_CONFLICT}: instance {instance_id} has a {task} task in progress"
        ))
    }
}

/// A fresh request id: 32 lower-case letters and digits, like the live service's.
pub fn request_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// The HTTP answer for an operation's outcome.
pub fn respond(request_id: &str, outcome: Result<Value, ApiError>) -> Response {
    let (status, body) = match outcome {
        Ok(result) => (
            StatusCode::OK,
            json!({"requestId": request_id, "result": result}),
        ),
        Err(e) => (
            StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            json!({
                "requestId": request_id,
                "error": {"code": e.code, "status": e.status, "message": e.message},
            }),
        ),
    };
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-jdcloud-request-id", value);
    }
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
