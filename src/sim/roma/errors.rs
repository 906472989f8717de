//! The error answers, as the seed writes them: ROMA's `{error_code, error_msg,
//! error_details, request_id}` with the seed's codes and messages, IAM's Keystone-style
//! `{"error": {code, message, title}}`, and the API gateway's throttling answer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// 400: `ROMA.00013000` (seed example).
pub const INVALID_PARAMETER: &str = "ROMA.00013000";
/// 401 and 403: `ROMA.00012000` (seed examples).
pub const AUTH_FAILED: &str = "ROMA.00012000";
/// 500: `ROMA.00011000` (seed example).
pub const SYSTEM_ERROR: &str = "ROMA.00011000";
/// 401 message (seed).
pub const INCORRECT_TOKEN: &str = "Incorrect token or token resolution failed";
/// 403 message (seed).
pub const NO_PERMISSION: &str = "No permissions to request this method";
/// 500 message (seed).
pub const SYSTEM_ERROR_MSG: &str = "System error";

/// A fresh request id: 32 lowercase hex digits, as the seed's `13760c1fe8655e61209b75665e9bef43`.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A ROMA error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RomaError {
    pub status: StatusCode,
    pub code: &'static str,
    pub msg: String,
    pub details: String,
}

impl RomaError {
    /// 400 for one query parameter, worded as the seed's example
    /// (`Invalid parameter value,parameterName:name. Please refer to the support documentation`).
    pub fn invalid_parameter(name: &str, details: impl Into<String>) -> Self {
        RomaError {
            status: StatusCode::BAD_REQUEST,
            code: INVALID_PARAMETER,
            msg: format!(
                "Invalid parameter value,parameterName:{name}. Please refer to the support documentation"
            ),
            details: details.into(),
        }
    }

    pub fn unauthorized(details: impl Into<String>) -> Self {
        RomaError {
            status: StatusCode::UNAUTHORIZED,
            code: AUTH_FAILED,
            msg: INCORRECT_TOKEN.into(),
            details: details.into(),
        }
    }

    pub fn forbidden(details: impl Into<String>) -> Self {
        RomaError {
            status: StatusCode::FORBIDDEN,
            code: AUTH_FAILED,
            msg: NO_PERMISSION.into(),
            details: details.into(),
        }
    }

    pub fn system(details: impl Into<String>) -> Self {
        RomaError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: SYSTEM_ERROR,
            msg: SYSTEM_ERROR_MSG.into(),
            details: details.into(),
        }
    }
}

/// The API documents every error field as at most 128 characters.
fn clip(s: &str) -> String {
    s.chars().take(128).collect()
}

impl IntoResponse for RomaError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({
                "error_code": self.code,
                "error_msg": clip(&self.msg),
                "error_details": clip(&self.details),
                "request_id": request_id(),
            })),
        )
            .into_response()
    }
}

/// The API gateway's answer to a throttled request (HTTP 429, no `Retry-After`).
pub fn throttled() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "error_code": "APIGW.0308",
            "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute",
            "request_id": request_id(),
        })),
    )
        .into_response()
}

/// An IAM failure, Keystone style (reference 2.3).
pub fn iam_error(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    (
        status,
        Json(json!({"error": {"code": status.as_u16(), "message": message, "title": title}})),
    )
        .into_response()
}
