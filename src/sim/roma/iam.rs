//! IAM `POST /v3/auth/tokens` (reference 2.3): a password identity and a project,
//! domain or no scope; 201 with the token in `X-Subject-Token` and its body (with
//! `expires_at`), or Keystone-style errors. The same message answers a wrong user
//! name, password or domain, as real services do not say which one was wrong.

use super::errors::iam_error;
use super::simulator::{Issued, Simulator};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// The message of a 401 for a wrong user name, password or domain.
pub const WRONG_CREDENTIALS: &str = "The username or password is wrong.";
/// The message of a 401 for a project scope the account does not have.
pub const NO_SUCH_PROJECT: &str = "The project does not exist or the user has no access to it.";

fn bad(message: impl AsRef<str>) -> Response {
    iam_error(StatusCode::BAD_REQUEST, message.as_ref())
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = v;
    for p in path {
        at = at.get(p)?;
    }
    at.as_str()
}

/// Time as IAM writes it: `2020-01-04T09:05:22.701000Z`.
fn stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// A new opaque token, long and starting `MII` like the real ones.
fn new_token() -> String {
    let mut t = String::from("MIIsim");
    for _ in 0..6 {
        t.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    t
}

pub async fn issue_token(
    State(sim): State<Arc<Simulator>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json_body = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json_body {
        return bad("The request Content-Type must be application/json;charset=utf8.");
    }
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(format!("The request body is not valid JSON: {e}")),
    };
    let identity = &req["auth"]["identity"];
    let methods: Vec<&str> = identity["methods"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !methods.contains(&"password") {
        return bad("auth.identity.methods must include \"password\".");
    }
    let user = &identity["password"]["user"];
    let (Some(name), Some(password), Some(domain)) = (
        text(user, &["name"]),
        text(user, &["password"]),
        text(user, &["domain", "name"]),
    ) else {
        return bad("auth.identity.password.user needs name, password and domain.name (strings).");
    };
    let account = sim.account();
    if name != account.user_name || password != account.password || domain != account.domain_name {
        return iam_error(StatusCode::UNAUTHORIZED, WRONG_CREDENTIALS);
    }
    let scope = &req["auth"]["scope"];
    let project = if scope.get("project").is_some() {
        let by_name = text(scope, &["project", "name"]);
        let by_id = text(scope, &["project", "id"]);
        match (by_name, by_id) {
            (None, None) => return bad("auth.scope.project needs a name or an id."),
            (n, i)
                if n.is_none_or(|n| n == account.project_name)
                    && i.is_none_or(|i| i == account.project_id) =>
            {
                Some(account.project_id.clone())
            }
            _ => return iam_error(StatusCode::UNAUTHORIZED, NO_SUCH_PROJECT),
        }
    } else if scope.get("domain").is_some() {
        if text(scope, &["domain", "name"]) != Some(account.domain_name.as_str()) {
            return iam_error(StatusCode::UNAUTHORIZED, NO_SUCH_PROJECT);
        }
        None
    } else {
        None
    };
    let now = sim.now_ms();
    let ttl_ms = i64::try_from(sim.knobs().token_ttl_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    let expires = now.saturating_add(ttl_ms);
    let token = new_token();
    sim.issue(
        token.clone(),
        Issued {
            expires_ms: expires,
            project_id: project.clone(),
        },
    );
    let domain_obj =
        json!({"id": account.domain_name.clone() + "-id", "name": account.domain_name});
    let mut body = json!({
        "token": {
            "expires_at": stamp(expires),
            "issued_at": stamp(now),
            "methods": ["password"],
            "user": {
                "id": format!("{}-id", account.user_name),
                "name": account.user_name,
                "password_expires_at": "",
                "domain": domain_obj,
            },
            "roles": [{"id": "0", "name": "op_service"}],
        }
    });
    if let Some(pid) = &project {
        body["token"]["project"] =
            json!({"id": pid, "name": account.project_name, "domain": domain_obj});
    } else if scope.get("domain").is_some() {
        body["token"]["domain"] = domain_obj.clone();
    }
    let nocatalog = query.as_deref().is_some_and(|q| {
        q.split('&')
            .any(|kv| kv.strip_prefix("nocatalog=").is_some_and(|v| !v.is_empty()))
    });
    if !nocatalog {
        body["token"]["catalog"] = json!([]);
    }
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&token) {
        response.headers_mut().insert("X-Subject-Token", v);
    }
    response
}
