//! IAM tokens for ROMA calls (reference 2.3): requested with the password identity
//! (`POST {iam}/v3/auth/tokens?nocatalog=true`), read from the `X-Subject-Token` answer
//! header, cached and shared by every call.
//!
//! - Single flight: the cache is behind an async mutex held while a token is requested,
//!   so concurrent calls wait for one request instead of sending one each.
//! - Renewed before it expires: the lifetime is `expires_at - issued_at` from the token
//!   body (server times, so a skewed local clock does not matter), measured from when
//!   the answer arrived on the local monotonic clock; the token is renewed once less
//!   than a tenth of its lifetime (at most five minutes) is left.
//! - Renewed once on rejection: a call answered 401 asks for a new token naming the one
//!   that was refused; only the first such caller requests one, the others get it.
//! - A fixed `token` is used as given and never renewed.

use super::errors::decode_iam;
use super::settings::{Credentials, Password};
use super::PROVIDER;
use crate::provider::http::{HttpClient, Request, RetryPolicy};
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use reqwest::Method;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most a token is renewed ahead of its expiry.
pub const MAX_SAFETY_MARGIN: Duration = Duration::from_secs(300);

/// A token and what is known about it.
#[derive(Clone)]
pub struct Token {
    pub value: String,
    /// The project it is scoped to (`token.project.id`); `None` for a fixed token.
    pub project_id: Option<String>,
    /// When to request a new one; `None`: never (a fixed token).
    renew_at: Option<Instant>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl Token {
    fn fresh(&self, now: Instant) -> bool {
        self.renew_at.is_none_or(|at| now < at)
    }
}

/// How long before the end of a lifetime a token is renewed.
pub fn safety_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(MAX_SAFETY_MARGIN)
}

/// Where a password token is scoped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    ProjectName(String),
    ProjectId(String),
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenFields,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenFields {
    expires_at: String,
    issued_at: String,
    project: Option<ProjectRef>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProjectRef {
    id: String,
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The shared token of one configured provider.
pub struct TokenSource {
    credentials: Credentials,
    iam: Option<IamEndpoint>,
    cache: tokio::sync::Mutex<Option<Token>>,
}

struct IamEndpoint {
    url: String,
    http: HttpClient,
    scope: Scope,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// `iam_base` and `scope` are needed (and used) only for password credentials.
    pub fn new(
        credentials: Credentials,
        iam_base: &str,
        scope: Option<Scope>,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Arc<TokenSource>, ProviderError> {
        let iam = match (&credentials, scope) {
            (Credentials::Token(_), _) => None,
            (Credentials::Password(_), None) => {
                return Err(ProviderError::new(
                    PROVIDER,
                    "configure",
                    "password authentication needs a project to scope the token to: set project_name (the region, e.g. \"cn-north-4\") or project_id",
                )
                .kind(ErrorKind::Invalid))
            }
            (Credentials::Password(_), Some(scope)) => Some(IamEndpoint {
                url: format!("{}/v3/auth/tokens?nocatalog=true", iam_base.trim_end_matches('/')),
                http: HttpClient::new(PROVIDER, timeout, retry, Arc::new(decode_iam))?,
                scope,
            }),
        };
        Ok(Arc::new(TokenSource {
            credentials,
            iam,
            cache: tokio::sync::Mutex::new(None),
        }))
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Whether a refused token can be replaced (password credentials).
    pub fn renewable(&self) -> bool {
        self.iam.is_some()
    }

    /// A token fresh enough to use, requesting one when there is none or it is due.
    pub async fn current(&self, cancel: &CancelToken) -> Result<Token, ProviderError> {
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(t.clone());
        }
        let t = self.request(cancel).await?;
        *cache = Some(t.clone());
        Ok(t)
    }

    /// A replacement for `rejected`, which the API refused: requested once, however
    /// many calls were refused with it. A fixed token cannot be replaced.
    pub async fn renew_after_rejection(
        &self,
        rejected: &str,
        cancel: &CancelToken,
    ) -> Result<Token, ProviderError> {
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache
            .as_ref()
            .filter(|t| t.value != rejected && t.fresh(Instant::now()))
        {
            return Ok(t.clone());
        }
        let t = self.request(cancel).await?;
        *cache = Some(t.clone());
        Ok(t)
    }

    async fn request(&self, cancel: &CancelToken) -> Result<Token, ProviderError> {
        let (iam, password) = match (&self.iam, &self.credentials) {
            (Some(iam), Credentials::Password(p)) => (iam, p),
            (_, Credentials::Token(t)) => {
                return Ok(Token {
                    value: t.clone(),
                    project_id: None,
                    renew_at: None,
                })
            }
            (None, Credentials::Password(_)) => {
                return Err(ProviderError::new(PROVIDER, "token", "no IAM endpoint"))
            }
        };
        let operation = "POST /v3/auth/tokens";
        let body = request_body(password, &iam.scope);
        let req = Request::new(Method::POST, &iam.url, operation)
            // Asking for a token twice is harmless: retry 5xx and lost answers too.
            .idempotent(true)
            .header("content-type", "application/json;charset=utf8")?
            .body(body.to_string().into_bytes());
        let sent = Instant::now();
        let resp = iam.http.send(&req, cancel).await?;
        let unreadable =
            |what: String| ProviderError::new(PROVIDER, operation, what).kind(ErrorKind::Transient);
        let value = resp
            .headers
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                unreadable("the answer has no X-Subject-Token header (the token)".into())
            })?
            .to_string();
        let body: TokenBody = serde_json::from_slice(&resp.body)
            .map_err(|e| unreadable(format!("cannot read the token body: {e}")))?;
        let expires = parse_time(&body.token.expires_at).ok_or_else(|| {
            unreadable(format!(
                "token.expires_at {:?} is not an ISO 8601 time",
                body.token.expires_at
            ))
        })?;
        let issued = parse_time(&body.token.issued_at).unwrap_or_else(chrono::Utc::now);
        let lifetime = (expires - issued).to_std().unwrap_or_default();
        let renew_at = sent + lifetime.saturating_sub(safety_margin(lifetime));
        Ok(Token {
            value,
            project_id: body.token.project.map(|p| p.id).filter(|id| !id.is_empty()),
            renew_at: Some(renew_at),
        })
    }
}

/// The token request body (reference 2.3).
pub fn request_body(p: &Password, scope: &Scope) -> serde_json::Value {
    let project = match scope {
        Scope::ProjectName(n) => serde_json::json!({"name": n}),
        Scope::ProjectId(i) => serde_json::json!({"id": i}),
    };
    serde_json::json!({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": p.user_name,
                        "password": p.password,
                        "domain": {"name": p.domain_name}
                    }
                }
            },
            "scope": {"project": project}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_a_tenth_at_most_five_minutes() {
        assert_eq!(
            safety_margin(Duration::from_secs(86_400)),
            MAX_SAFETY_MARGIN
        );
        assert_eq!(
            safety_margin(Duration::from_secs(60)),
            Duration::from_secs(6)
        );
        let p = Password {
            user_name: "u".into(),
            password: "p".into(),
            domain_name: "d".into(),
        };
        let b = request_body(&p, &Scope::ProjectName("cn-north-4".into()));
        assert_eq!(
            b["auth"]["identity"]["password"]["user"]["domain"]["name"],
            "d"
        );
        assert_eq!(b["auth"]["scope"]["project"]["name"], "cn-north-4");
    }
}
