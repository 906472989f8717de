//! `GET /v2/{project_id}/instances` (CheckRomaInstanceListV2): the token in
//! `X-Auth-Token` checked first, then the project, then the query (`offset`, `limit`,
//! `status`); answers `{total, size, instances}` in the seed's field order.

use super::errors::RomaError;
use super::model::STATUSES;
use super::simulator::Simulator;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// `limit` when the query has none.
pub const DEFAULT_LIMIT: u64 = 10;
/// The largest `limit` accepted (as other ROMA Connect list calls document: 999).
pub const MAX_LIMIT: u64 = 999;

/// The decoded query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub offset: u64,
    pub limit: u64,
    pub status: Option<String>,
}

fn decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses and checks the query; unknown parameters are ignored, as the gateway does.
pub fn parse_query(raw: Option<&str>) -> Result<ListQuery, RomaError> {
    let mut q = ListQuery {
        offset: 0,
        limit: DEFAULT_LIMIT,
        status: None,
    };
    let pairs = raw
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        });
    for (k, v) in pairs {
        match k.as_str() {
            "offset" => {
                q.offset = v.parse::<u64>().map_err(|_| {
                    RomaError::invalid_parameter(
                        "offset",
                        format!("offset must be a whole number of at least 0, got {v:?}"),
                    )
                })?
            }
            "limit" => {
                q.limit = v
                    .parse::<u64>()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| {
                        RomaError::invalid_parameter(
                            "limit",
                            format!(
                                "limit must be a whole number from 1 to {MAX_LIMIT}, got {v:?}"
                            ),
                        )
                    })?
            }
            "status" => {
                if !STATUSES.contains(&v.as_str()) {
                    return Err(RomaError::invalid_parameter(
                        "status",
                        format!("status {v:?} is not an instance status (RUNNING, CREATING, ERROR, ...)"),
                    ));
                }
                q.status = Some(v);
            }
            _ => {}
        }
    }
    Ok(q)
}

/// Checks `X-Auth-Token` against the issued tokens and the path's project.
fn authorize(sim: &Simulator, headers: &HeaderMap, project_id: &str) -> Result<(), RomaError> {
    let token = headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| RomaError::unauthorized("the X-Auth-Token header is missing"))?;
    let issued = sim
        .token(token)
        .ok_or_else(|| RomaError::unauthorized("the token is not valid"))?;
    if issued.expires_ms <= sim.now_ms() {
        return Err(RomaError::unauthorized("the token has expired"));
    }
    match issued.project_id.as_deref() {
        None => Err(RomaError::forbidden(
            "the token is not scoped to a project; request a project-scoped token",
        )),
        Some(p) if p != project_id => Err(RomaError::forbidden(format!(
            "the token is scoped to another project than {project_id}"
        ))),
        Some(_) => Ok(()),
    }
}

pub async fn list(
    State(sim): State<Arc<Simulator>>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = authorize(&sim, &headers, &project_id) {
        return e.into_response();
    }
    let q = match parse_query(raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let all = sim.instances();
    let matching: Vec<_> = all
        .iter()
        .filter(|i| q.status.as_deref().is_none_or(|s| i.status == s))
        .collect();
    let start = usize::try_from(q.offset)
        .unwrap_or(usize::MAX)
        .min(matching.len());
    let knobs = sim.knobs();
    let limit = match knobs.page_cap {
        0 => q.limit,
        cap => q.limit.min(cap),
    };
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(matching.len());
    let page = &matching[start..end];
    let total = i64::try_from(matching.len())
        .unwrap_or(i64::MAX)
        .saturating_add(knobs.misreport_total)
        .max(0);
    Json(json!({
        "total": total,
        "size": page.len(),
        "instances": page,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_checked_with_the_seed_wording() {
        assert_eq!(
            parse_query(Some("offset=20&limit=5&status=RUNNING&other=x")),
            Ok(ListQuery {
                offset: 20,
                limit: 5,
                status: Some("RUNNING".into())
            })
        );
        assert_eq!(parse_query(None).map(|q| q.limit), Ok(DEFAULT_LIMIT));
        let e = parse_query(Some("limit=0")).expect_err("limit 0");
        assert_eq!(
            e.msg,
            "Invalid parameter value,parameterName:limit. Please refer to the support documentation"
        );
        assert!(parse_query(Some("limit=1000")).is_err());
        assert!(parse_query(Some("offset=-1")).is_err());
        assert!(parse_query(Some("status=running")).is_err());
    }
}
