//! The answers of the simulated API: the seed's envelope `{"code", "msg", "vm_servers"}`,
//! for errors as well (with `vm_servers` empty), and the codes and messages it uses where
//! the seed is silent (see `docs/simulators.md`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Messages of the error answers (the seed defines none; these are the simulator's).
pub mod msg {
    pub const AUTH_REQUIRED: &str = "Authentication required";
    pub const BAD_CREDENTIALS: &str = "Invalid token or password";
    pub const THROTTLED: &str = "Too Many Requests";
    pub const INTERNAL: &str = "Internal Server Error";
}

/// The `Server` header of the seed's example answer.
const SERVER: &str = "Werkzeug/0.10.4 Python/2.7.5";

fn envelope(status: StatusCode, msg: &str, servers: Vec<Value>) -> Response {
    let body = json!({
        "code": status.as_u16(),
        "msg": msg,
        "vm_servers": servers,
    });
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::SERVER, HeaderValue::from_static(SERVER));
    response
}

/// HTTP 200, code 200, the servers.
pub fn servers(list: Vec<Value>) -> Response {
    envelope(StatusCode::OK, "", list)
}

/// An error: the HTTP status doubles as the envelope's `code`.
pub fn error(status: StatusCode, message: &str) -> Response {
    envelope(status, message, Vec::new())
}

/// HTTP 401 with the basic-auth challenge.
pub fn unauthorized(message: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"twocloud\""),
    );
    response
}

/// HTTP 429 asking to come back in a second.
pub fn throttled() -> Response {
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, msg::THROTTLED);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
