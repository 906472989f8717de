//! The `{"code","msg","content","ext"}` envelope every mcloud answer uses,
//! and the codes and messages the seed shows.
//!
//! Every answer, success or API error, is HTTP 200 with the envelope: the seed
//! only ever shows envelopes and the client decides on `code`. The exceptions
//! are the simulator's own: 429 when throttled, 404 for a path the API lacks.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Success.
pub const SUCCESS: i64 = 0;
/// `SERVICE_ERROR`: the operation failed (not found, could not create...).
pub const SERVICE_ERROR: i64 = 10999;
/// `BAD_REQUEST` for a parameter over its size limit (template `DataDiskNum`).
pub const OVER_LIMIT: i64 = 11996;
/// `BAD_REQUEST`: malformed or missing body fields / path parameters.
pub const INPUT_ERROR: i64 = 12996;
/// `BAD_REQUEST`: a requisite parameter (path id or header) is missing.
pub const MISSING_PARAMETER: i64 = 12997;

/// The seed's messages, verbatim (typos included: they are what clients match).
pub mod msg {
    pub const INPUT_ERROR_BANG: &str = "Input error!";
    pub const INPUT_ERROR: &str = "Input error";
    pub const MISSING_PARAMETER: &str = "Missing requisite parameter!";
    pub const MISSING_CORRELATION_ID: &str = "Missing requisite parameter(X-CORRELATION-ID)!";
    pub const NO_ROW: &str = "QuerySeter no row found";
    pub const CREATE_CLUSTER: &str = "Ceate cluster err";
    pub const DELETE_CLUSTER: &str = "Delete cluster err";
    pub const DATA_DISK_NUM: &str =
        "The paramter (DataDiskNum) over size limited and the size range is larger than 0 and less equal 4.!";
    pub const GET_COUNTS: &str = "Get instance detail err";
    pub const GET_COUNTS_AT: &str = "Get instance detail at the time err";
    pub const GET_ONE_INSTANCE: &str = "get one instance err";
    pub const START: &str = "Could not start instances";
    pub const GET_STATUS: &str = "get multi instance err:";
    pub const UPDATE_STATUS: &str = "update instance status err";
    pub const LIST_INSTANCES: &str = "get all instances error ";
    pub const UNKNOWN_PROVIDER: &str = "unknown backend provider driver: ";
    pub const LOG_EMPTY: &str = "result to json error";
}

/// One mcloud answer: an HTTP status and an envelope.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub code: i64,
    pub msg: Option<String>,
    /// Boxed to keep `Result<_, Reply>` small.
    pub content: Box<Value>,
    pub ext: Box<Value>,
}

impl Reply {
    /// `code` 0 with `content`.
    pub fn ok(content: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            code: SUCCESS,
            msg: None,
            content: Box::new(content),
            ext: Box::new(Value::Null),
        }
    }

    /// An API error with `content: null`.
    pub fn error(code: i64, msg: impl Into<String>) -> Reply {
        Reply {
            status: StatusCode::OK,
            code,
            msg: Some(msg.into()),
            content: Box::new(Value::Null),
            ext: Box::new(Value::Null),
        }
    }

    /// Replaces `content` (some seed errors carry `content: false`).
    pub fn with_content(mut self, content: Value) -> Reply {
        self.content = Box::new(content);
        self
    }

    /// Sets `ext`.
    pub fn with_ext(mut self, ext: Value) -> Reply {
        self.ext = Box::new(ext);
        self
    }

    /// Sets the HTTP status (only the simulator's own answers change it).
    pub fn with_status(mut self, status: StatusCode) -> Reply {
        self.status = status;
        self
    }

    /// `12996 "Input error!"`.
    pub fn input_error() -> Reply {
        Reply::error(INPUT_ERROR, msg::INPUT_ERROR_BANG)
    }

    /// `10999 "unknown backend provider driver: NAME"`.
    pub fn unknown_provider(name: &str) -> Reply {
        Reply::error(SERVICE_ERROR, format!("{}{name}", msg::UNKNOWN_PROVIDER))
    }

    /// `12997 "Missing requisite parameter(X-CORRELATION-ID)!"`.
    pub fn missing_correlation_id() -> Reply {
        Reply::error(MISSING_PARAMETER, msg::MISSING_CORRELATION_ID)
    }

    /// The envelope as JSON.
    pub fn body(&self) -> Value {
        json!({
            "code": self.code,
            "msg": self.msg,
            "content": self.content,
            "ext": self.ext,
        })
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}
