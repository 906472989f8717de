//! Checks JDCLOUD2/JDCLOUD3-HMAC-SHA256 signatures on incoming requests.
//!
//! Written apart from the client's signer (`providers::jdcloud::sign`) so a
//! mistake in one is not mirrored in the other: it rebuilds the canonical
//! request from the wire form (raw path, raw query, the headers named in
//! `SignedHeaders`, the exact body bytes) as reference 1.2 describes.

use super::errors::{ApiError, SIGN_MISMATCH};
use axum::http::HeaderMap;
use chrono::{NaiveDateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How far `x-jdcloud-date` may be from the simulator's clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// The two accepted algorithm variants.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    V2,
    V3,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::V2 => "JDCLOUD2-HMAC-SHA256",
            Variant::V3 => "JDCLOUD3-HMAC-SHA256",
        }
    }
    fn key_seed(self) -> &'static str {
        match self {
            Variant::V2 => "JDCLOUD2",
            Variant::V3 => "JDCLOUD3",
        }
    }
    fn terminator(self) -> &'static str {
        match self {
            Variant::V2 => "jdcloud2_request",
            Variant::V3 => "jdcloud3_request",
        }
    }
}

/// What a request must match.
pub struct Expect<'a> {
    pub access_key: &'a str,
    pub secret_key: &'a str,
    /// `vm` or `vpc`, from the path.
    pub service: &'a str,
    /// The region in the path.
    pub region: &'a str,
    pub now_ms: i64,
}

/// The parts of a request that were signed.
pub struct Wire<'a> {
    pub method: &'a str,
    /// The path exactly as it arrived (still percent-encoded).
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// A verified request's nonce (for the replay check).
#[derive(Debug, PartialEq)]
pub struct Verified {
    pub nonce: String,
}

fn unauth(message: impl Into<String>) -> ApiError {
    ApiError::unauthenticated(message)
}

/// Verifies the `Authorization` header of `wire` against `expect`.
pub fn verify(wire: &Wire<'_>, expect: &Expect<'_>) -> Result<Verified, ApiError> {
    let auth = header_text(wire.headers, "authorization")
        .ok_or_else(|| unauth("missing Authorization header"))?;
    let (variant, rest) = if let Some(rest) = auth.strip_prefix("JDCLOUD2-HMAC-SHA256 ") {
        (Variant::V2, rest)
    } else if let Some(rest) = auth.strip_prefix("JDCLOUD3-HMAC-SHA256 ") {
        (Variant::V3, rest)
    } else {
        return Err(unauth("unsupported authorization algorithm"));
    };
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(unauth("malformed Authorization header"));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [ak, day, region, service, terminator] = scope.as_slice() else {
        return Err(unauth("malformed credential scope"));
    };
    if *ak != expect.access_key {
        return Err(unauth(format!("invalid access key {ak}")));
    }
    if *terminator != variant.terminator() || *service != expect.service || *region != expect.region
    {
        return Err(unauth(format!(
            "credential scope {credential} does not match the request"
        )));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in ["x-jdcloud-date", "x-jdcloud-nonce"] {
        if !names.contains(&required) {
            return Err(unauth(format!("{required} must be present and signed")));
        }
    }
    let date = header_text(wire.headers, "x-jdcloud-date")
        .ok_or_else(|| unauth("x-jdcloud-date must be present and signed"))?;
    let nonce = header_text(wire.headers, "x-jdcloud-nonce")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| unauth("x-jdcloud-nonce must be present and signed"))?;
    let when = NaiveDateTime::parse_from_str(date.trim(), "%Y%m%dT%H%M%SZ")
        .map_err(|_| unauth(format!("x-jdcloud-date {date} is not YYYYMMDDTHHMMSSZ")))?;
    let when_ms = Utc.from_utc_datetime(&when).timestamp_millis();
    if (when_ms - expect.now_ms).abs() > MAX_SKEW_MS {
        return Err(unauth(format!(
            "x-jdcloud-date {date} is more than 5 minutes from the server time"
        )));
    }
    if !date.trim().starts_with(day) || day.len() != 8 {
        return Err(unauth(format!(
            "credential date {day} does not match x-jdcloud-date"
        )));
    }

    let mut header_block = String::new();
    for name in &names {
        if name.is_empty() || name.to_ascii_lowercase() != *name {
            return Err(unauth("malformed SignedHeaders"));
        }
        let values: Vec<String> = wire
            .headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| tidy_value(v, variant))
            .collect();
        if values.is_empty() {
            return Err(unauth(format!("signed header {name} is missing")));
        }
        header_block.push_str(name);
        header_block.push(':');
        header_block.push_str(&values.join(","));
        header_block.push('\n');
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    if sorted != names {
        // Canonical order is sorted; a client listing them otherwise signed something else.
        return Err(unauth(SIGN_MISMATCH));
    }

    let query = canonical_query(wire.raw_query, variant);
    let body_hash = hex::encode(Sha256::digest(wire.body));
    let key = derive_key(variant, expect.secret_key, day, region, service);
    let given = signature.trim().to_ascii_lowercase();
    let mut ok = false;
    for uri in uri_candidates(wire.raw_path) {
        let canonical = [
            wire.method.to_ascii_uppercase().as_str(),
            uri.as_str(),
            query.as_str(),
            header_block.as_str(),
            signed_headers,
            body_hash.as_str(),
        ]
        .join("\n");
        let to_sign = format!(
            "{}\n{}\n{}\n{}",
            variant.name(),
            date.trim(),
            credential.split_once('/').map(|(_, s)| s).unwrap_or(""),
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let expected = hex::encode(hmac(&key, to_sign.as_bytes()));
        ok |= same(expected.as_bytes(), given.as_bytes());
    }
    if !ok {
        return Err(unauth(SIGN_MISMATCH));
    }
    Ok(Verified { nonce })
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// JDCLOUD2 trims and collapses runs of spaces; the JDCLOUD3 (Python) signer only trims.
fn tidy_value(value: &str, variant: Variant) -> String {
    let trimmed = value.trim();
    if variant == Variant::V3 {
        return trimmed.to_string();
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut last_space = false;
    for c in trimmed.chars() {
        if c == ' ' {
            if !last_space {
                out.push(c);
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC-SHA256 takes keys of any length, so this cannot fail.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn derive_key(variant: Variant, secret: &str, day: &str, region: &str, service: &str) -> Vec<u8> {
    let seed = format!("{}{}", variant.key_seed(), secret);
    let k_date = hmac(seed.as_bytes(), day.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, variant.terminator().as_bytes())
}

/// Constant-time comparison.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes every byte but the unreserved ones (and `/` when `keep_slash`).
fn escape(bytes: &[u8], keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Decodes `%XX` (and `+` as a space when `plus_is_space`); bad escapes stay literal.
fn unescape(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let hi = char::from(bytes[i + 1]).to_digit(16);
            let lo = char::from(bytes[i + 2]).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    out
}

/// The canonical URIs a request may have signed: the path as it arrived, and
/// the decode-then-re-encode form (what the SDKs compute from an unescaped path).
fn uri_candidates(raw_path: &str) -> Vec<String> {
    let raw = if raw_path.is_empty() { "/" } else { raw_path };
    let recoded = escape(&unescape(raw, false), true);
    if recoded == raw {
        vec![recoded]
    } else {
        vec![raw.to_string(), recoded]
    }
}

/// Sorted, re-encoded query pairs (reference 1.2 step 4.3).
fn canonical_query(raw_query: &str, variant: Variant) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for item in raw_query.split('&').filter(|s| !s.is_empty()) {
        let (name, value) = match item.split_once('=') {
            Some((n, v)) => (n, v),
            None if variant == Variant::V3 => continue,
            None => (item, ""),
        };
        let name = unescape(name, true);
        if variant == Variant::V3 && name.is_empty() {
            continue;
        }
        pairs.push((name, unescape(value, true)));
    }
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", escape(n, false), escape(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.append(*n, HeaderValue::from_str(v).expect("header"));
        }
        map
    }

    const VECTOR_A_NOW: i64 = 1_522_890_123_000; // 2018-04-05T01:02:03Z

    #[test]
    fn accepts_the_published_vector_a() {
        let h = headers(&[
            ("content-type", "application/json"),
            ("user-agent", "JdcloudSdkRust/0.1.0"),
            ("x-jdcloud-date", "20180405T010203Z"),
            ("x-jdcloud-nonce", "55f3919e-3a7d-4174-b117-f150ff25e274"),
            ("authorization", "JDCLOUD2-HMAC-SHA256 Credential=ak/20180405/cn-north-1/service_name/jdcloud2_request, SignedHeaders=content-type;x-jdcloud-date;x-jdcloud-nonce, Signature=cea138630c57ba3de51933926e3b1657c34b4d1b6f86d360511bf40a09f63729"),
        ]);
        let wire = Wire {
            method: "GET",
            raw_path: "/v1/regions/cn-north-1/instances",
            raw_query: "pageNumber=2&pageSize=10",
            headers: &h,
            body: b"",
        };
        let expect = Expect {
            access_key: "ak",
            secret_key: "sk",
            service: "service_name",
            region: "cn-north-1",
            now_ms: VECTOR_A_NOW,
        };
        assert!(verify(&wire, &expect).is_ok());
        let key = derive_key(Variant::V2, "sk", "20180405", "cn-north-1", "service_name");
        assert_eq!(
            hex::encode(key),
            "b302aa05734bcaf60be65a4be7c971669ac55444769681c19113d80460e31a33"
        );
        let stale = Expect {
            now_ms: VECTOR_A_NOW + MAX_SKEW_MS + 1000,
            ..expect
        };
        assert_eq!(
            verify(&wire, &stale).map_err(|e| e.code),
            Err(401),
            "a stale date is refused"
        );
        let tampered = Wire {
            raw_query: "pageNumber=3&pageSize=10",
            ..wire
        };
        assert_eq!(
            verify(&tampered, &expect).map_err(|e| e.message),
            Err(SIGN_MISMATCH.to_string())
        );
    }

    #[test]
    fn accepts_the_published_vector_b_jdcloud3() {
        let h = headers(&[
            ("content-type", "application/json"),
            ("host", "apigw-internal-dev.cn-north-1.jcloudcs.com:8000"),
            ("x-jdcloud-date", "20190917T064708Z"),
            ("x-jdcloud-nonce", "X-Jdcloud-Nonce"),
            ("authorization", "JDCLOUD3-HMAC-SHA256 Credential=ak/20190917/cn-north-1/apigatewaytestproductline/jdcloud3_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=43efb5fb00e86faf35d8bf0bed3b72e84cfc98ee4754065e29c3caa7bcaa12cb"),
        ]);
        let wire = Wire {
            method: "GET",
            raw_path: "/v1/regions/cn-north-1/instances",
            raw_query: "=a&a=a",
            headers: &h,
            body: b"",
        };
        let expect = Expect {
            access_key: "ak",
            secret_key: "sk",
            service: "apigatewaytestproductline",
            region: "cn-north-1",
            now_ms: 1_568_702_828_000, // 2019-09-17T06:47:08Z
        };
        assert_eq!(
            verify(&wire, &expect).map(|v| v.nonce),
            Ok("X-Jdcloud-Nonce".into())
        );
    }

    #[test]
    fn accepts_derived_vector_c2_with_either_path_form() {
        let h = headers(&[
            ("content-type", "application/json"),
            ("host", "vm.jdcloud-api.com"),
            ("x-jdcloud-date", "20180405T010203Z"),
            ("x-jdcloud-nonce", "55f3919e-3a7d-4174-b117-f150ff25e274"),
            ("authorization", "JDCLOUD2-HMAC-SHA256 Credential=ak/20180405/cn-north-1/vm/jdcloud2_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=c4b064d00cdae04ae1cd7806a34d222a4e972c70dde885c2017cbb13bb739868"),
        ]);
        let expect = Expect {
            access_key: "ak",
            secret_key: "sk",
            service: "vm",
            region: "cn-north-1",
            now_ms: VECTOR_A_NOW,
        };
        for path in [
            "/v1/regions/cn-north-1/instances/i-abcdefgh%3AstopInstance",
            "/v1/regions/cn-north-1/instances/i-abcdefgh:stopInstance",
        ] {
            let wire = Wire {
                method: "POST",
                raw_path: path,
                raw_query: "",
                headers: &h,
                body: b"{}",
            };
            assert!(verify(&wire, &expect).is_ok(), "{path}");
        }
        let wrong_service = Expect {
            service: "vpc",
            ..expect
        };
        let wire = Wire {
            method: "POST",
            raw_path: "/v1/regions/cn-north-1/instances/i-abcdefgh%3AstopInstance",
            raw_query: "",
            headers: &h,
            body: b"{}",
        };
        assert!(verify(&wire, &wrong_service).is_err());
    }

    #[test]
    fn query_canonicalization_matches_the_published_cases() {
        for (raw, canonical) in [
            ("a=/", "a=%2F"),
            ("a=+++", "a=%20%20%20"),
            ("b&a", "a=&b="),
            ("b&a&B&A", "A=&B=&a=&b="),
            ("a=2&a=1", "a=1&a=2"),
            ("a=%e4%b8%ad", "a=%E4%B8%AD"),
            ("a=-_.~", "a=-_.~"),
        ] {
            assert_eq!(canonical_query(raw, Variant::V2), canonical, "{raw}");
        }
    }
}
