//! The `pg` backend's settings (`skyform { backend "pg" { ... } }`) and its connections:
//! `conn_str` parsed by tokio-postgres (URL or `key=value` form; `sslmode` disable, prefer or
//! require, TLS by rustls with the web PKI roots), never shown with its password.

use std::str::FromStr;
use std::sync::Arc;

use tokio_postgres::config::Host;
use tokio_postgres::Client;

use crate::state::error::{Result, StateError};

/// Default schema (Terraform's pg backend uses `terraform_remote_state`).
pub const DEFAULT_SCHEMA: &str = "skyform_state";
/// `application_name` of skyform's sessions (visible in `pg_stat_activity`).
pub const APPLICATION_NAME: &str = "skyform";

/// Where and how the state lives in PostgreSQL.
#[derive(Clone)]
pub struct PgSettings {
    config: tokio_postgres::Config,
    pub schema: String,
    pub skip_schema_creation: bool,
    /// `user@host:port/dbname`, for messages (no password).
    pub display: String,
    /// The connection string as given in the configuration (`None` when it came from the
    /// environment); kept to remember the backend for `init -migrate-state`.
    pub configured_conn_str: Option<String>,
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSettings")
            .field("server", &self.display)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PgSettings {
    /// Parse `conn_str` and check `schema`; messages never include the connection string
    /// itself (it may hold a password).
    pub fn new(conn_str: &str, schema: &str, skip_schema_creation: bool) -> Result<PgSettings> {
        let mut config = tokio_postgres::Config::from_str(conn_str).map_err(|e| {
            StateError::Config {
                message: format!(
                    "the pg backend's conn_str is not a valid PostgreSQL connection string ({}); \
                     expected postgres://USER:PASSWORD@HOST:PORT/DBNAME?sslmode=require or key=value pairs",
                    redact(&e.to_string(), conn_str)
                ),
            }
        })?;
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_application_name().is_none() {
            config.application_name(APPLICATION_NAME);
        }
        check_identifier(schema)?;
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("");
        let db = config.get_dbname().unwrap_or(user);
        let display = if user.is_empty() {
            format!("{host}:{port}/{db}")
        } else {
            format!("{user}@{host}:{port}/{db}")
        };
        Ok(PgSettings {
            config,
            schema: schema.to_string(),
            skip_schema_creation,
            display,
            configured_conn_str: None,
        })
    }

    /// The schema, quoted for SQL.
    pub fn quoted_schema(&self) -> String {
        format!("\"{}\"", self.schema)
    }

    /// Open one session; its connection task runs on the current runtime and ends when the
    /// returned client is dropped (or the server ends the session).
    pub async fn connect(&self, location: &str) -> Result<Connected> {
        let tls = tls_connector();
        let (client, connection) =
            self.config
                .connect(tls)
                .await
                .map_err(|e| StateError::Database {
                    location: location.to_string(),
                    message: format!(
                        "cannot connect to PostgreSQL at {}: {}",
                        self.display,
                        error_text(&e)
                    ),
                })?;
        let (done_tx, done_rx) = tokio::sync::watch::channel(None::<String>);
        tokio::spawn(async move {
            let end = match connection.await {
                Ok(()) => "the connection was closed".to_string(),
                Err(e) => error_text(&e),
            };
            let _ = done_tx.send(Some(end));
        });
        Ok(Connected {
            client: Arc::new(client),
            ended: done_rx,
        })
    }
}

/// An open session and a way to learn why it ended.
#[derive(Clone)]
pub struct Connected {
    pub client: Arc<Client>,
    pub ended: tokio::sync::watch::Receiver<Option<String>>,
}

impl Connected {
    /// Why the session ended, if it has.
    pub fn end_cause(&self) -> Option<String> {
        if let Some(cause) = self.ended.borrow().clone() {
            return Some(cause);
        }
        self.client
            .is_closed()
            .then(|| "the connection was closed".to_string())
    }
}

fn tls_connector() -> tokio_postgres_rustls::MakeRustlsConnect {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        .unwrap_or_else(|_| {
            // The ring provider supports the default protocol versions; keep a valid config
            // even if that ever changes (TLS will then fail with a clear handshake error).
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        });
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

/// A tokio-postgres error as text: the server's message for database errors, else the error
/// with its cause.
pub fn error_text(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = format!("{}: {}", db.severity(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!(" ({detail})"));
        }
        return text;
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(&format!(": {more}"));
        }
        source = s.source();
    }
    text
}

/// `text` with any password found in `conn_str` replaced.
fn redact(text: &str, conn_str: &str) -> String {
    let mut out = text.to_string();
    if let Some(pw) = password_in(conn_str) {
        if !pw.is_empty() {
            out = out.replace(&pw, "***");
        }
    }
    out
}

fn password_in(conn_str: &str) -> Option<String> {
    if let Some(rest) = conn_str
        .strip_prefix("postgres://")
        .or_else(|| conn_str.strip_prefix("postgresql://"))
    {
        let userinfo = rest.split('@').next()?;
        if rest.contains('@') {
            return userinfo.split_once(':').map(|(_, p)| p.to_string());
        }
        return None;
    }
    conn_str
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("password="))
        .map(|p| p.trim_matches('\'').to_string())
}

/// A schema name skyform will put in SQL: letters, digits and `_`, not starting with a digit.
pub fn check_identifier(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StateError::Config {
            message: format!(
                "the pg backend's schema_name {name:?} is not valid: use 1 to 63 letters, digits and '_', not starting with a digit"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_connection_strings_are_refused_without_the_password() {
        let err = PgSettings::new("postgres://me:s3cretpw@db:notaport/x", "s", false)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cretpw"), "{err}");
        assert!(
            err.contains("not a valid PostgreSQL connection string"),
            "{err}"
        );
        let ok = PgSettings::new("postgres://me:s3cretpw@db:5433/x", "s", false).unwrap();
        assert_eq!(ok.display, "me@db:5433/x");
        assert!(!format!("{ok:?}").contains("s3cretpw"));
        let err = PgSettings::new("host=db", "bad-name", false).unwrap_err();
        assert!(
            err.to_string().contains("schema_name \"bad-name\""),
            "{err}"
        );
    }
}
