//! SSH keys: `GET /v1/instance/sshkey/:ip` downloads a machine's private key
//! (a file, not an envelope: the seed says the download starts), and
//! `PUT /v1/instance/sshkey/:instanceId` uploads one.
//!
//! Cloud instances have a key from birth (derived from the instance id, so
//! nothing needs storing); entered physical machines have none until one is
//! uploaded. An uploaded key replaces the derived one.

use super::body;
use super::envelope::{msg, Reply, MISSING_PARAMETER};
use super::instances::{committed, required_param};
use super::model::Instance;
use super::phydev::PHYDEV;
use super::simulator::Simulator;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The key a machine has, if any.
pub fn key_of(instance: &Instance) -> Option<String> {
    if let Some(key) = &instance.ssh_key {
        return Some(key.clone());
    }
    if instance.provider == PHYDEV {
        return None;
    }
    Some(pem_from_seed(&instance.instance_id))
}

/// A PEM-shaped block whose body is derived from `seed` (not a real key:
/// nothing in the simulator connects to machines).
fn pem_from_seed(seed: &str) -> String {
    let mut bytes = Vec::with_capacity(256);
    let mut block = Sha256::digest(seed.as_bytes()).to_vec();
    while bytes.len() < 256 {
        bytes.extend_from_slice(&block);
        block = Sha256::digest(&block).to_vec();
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut pem = String::from("-----BEGIN RSA PRIVATE KEY-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END RSA PRIVATE KEY-----\n");
    pem
}

fn not_found() -> Response {
    Reply::error(MISSING_PARAMETER, msg::NO_ROW).into_response()
}

/// `GET /v1/instance/sshkey/:ip`: the key as an attachment `IP.pem`.
pub async fn download(
    State(sim): State<Arc<Simulator>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Some(ip) = required_param(path) else {
        return not_found();
    };
    let key = sim.with_store(|store, _| store.instance_by_ip(&ip).and_then(key_of));
    let Some(key) = key else {
        return not_found();
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{ip}.pem\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        key,
    )
        .into_response()
}

/// The key in an upload body: a JSON string, a JSON object with `Key`,
/// `PrivateKey` or `SshKey`, or the raw text. `None` for an empty body.
fn uploaded_key(bytes: &[u8]) -> Result<Option<String>, ()> {
    let text = std::str::from_utf8(bytes).map_err(|_| ())?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::String(key)) => Ok(Some(key)),
        Ok(Value::Object(object)) => ["Key", "PrivateKey", "SshKey"]
            .iter()
            .find_map(|name| match body::field(&object, name) {
                Some(Value::String(key)) if !key.trim().is_empty() => Some(key.clone()),
                _ => None,
            })
            .map(Some)
            .ok_or(()),
        Ok(_) => Err(()),
        Err(_) => Ok(Some(text.to_string())),
    }
}

/// `PUT /v1/instance/sshkey/:instanceId`: stores the uploaded key (or, with
/// no body, a freshly generated one) and answers with its text.
pub async fn upload(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> Reply {
    let Some(id) = required_param(path) else {
        return Reply::error(MISSING_PARAMETER, msg::NO_ROW);
    };
    let Ok(given) = uploaded_key(&bytes) else {
        return Reply::input_error().with_ext(json!(
            "send the key as text, a JSON string or {\"Key\": \"...\"}"
        ));
    };
    let correlation = body::correlation_id(&headers);
    let stored = sim.with_store(|store, now| {
        let fresh = format!("{id}/{now}/{}", store.version());
        let instance = store.instance_mut(&id)?;
        let key = given.unwrap_or_else(|| pem_from_seed(&fresh));
        instance.ssh_key = Some(key.clone());
        store.log(
            correlation.as_deref(),
            &id,
            "sshkey",
            format!("uploaded a key for {id}"),
            now,
        );
        store.touch();
        Some(key)
    });
    match stored {
        Some(key) => committed(&sim, Reply::ok(json!(key)), msg::NO_ROW).await,
        None => Reply::error(MISSING_PARAMETER, msg::NO_ROW),
    }
}
