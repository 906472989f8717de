//! Choosing the state backend from the configuration: the one place that reads
//! `skyform { backend "local"|"pg" { ... } encryption { ... } required_version = "..." }`
//! (`terraform { ... }` is accepted too), picks the selected workspace and opens the backend.
//! Every backend type or setting skyform cannot honour is an error here, never ignored.
//!
//! Backend settings must be literal values (as in Terraform); an encryption passphrase may also
//! be `var.NAME`, read from `SKYFORM_VAR_NAME` / `TF_VAR_NAME` or the variable's literal default.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::hcl::ast::{Block, Body, BodyItem, Expr, ExprKind, TemplatePart};

use super::backend::Backend;
use super::encryption::{
    Codec, EncryptionSettings, Passphrase, DEFAULT_ITERATIONS, MIN_ITERATIONS,
};
use super::error::{Result, StateError};
use super::local::{LocalBackend, DEFAULT_WORKSPACE};
use super::pg::{PgBackend, PgSettings, DEFAULT_SCHEMA};

/// Environment variable naming the workspace (overrides `skyform workspace select`).
pub const WORKSPACE_ENV: &str = "SKYFORM_WORKSPACE";
/// File (under the working directory) that remembers the selected workspace.
pub const WORKSPACE_FILE: &str = ".skyform/environment";
/// Connection string for the pg backend when `conn_str` is not set.
pub const PG_CONN_ENV: &str = "SKYFORM_PG_CONN_STR";
/// State passphrase when the configuration gives none.
pub const STATE_KEY_ENV: &str = "SKYFORM_STATE_KEY";
/// Previous state passphrase, still accepted for reading (key rotation).
pub const STATE_KEY_FALLBACK_ENV: &str = "SKYFORM_STATE_KEY_FALLBACK";

/// Which backend the configuration asks for.
#[derive(Clone, Debug)]
pub enum BackendKind {
    Local,
    Pg(Box<PgSettings>),
}

/// Everything the configuration says about state.
#[derive(Clone, Debug)]
pub struct StateSettings {
    pub backend: BackendKind,
    pub encryption: Option<EncryptionSettings>,
}

impl StateSettings {
    pub fn codec(&self) -> Codec {
        match &self.encryption {
            Some(e) => Codec::encrypted(e.clone()),
            None => Codec::plain(),
        }
    }

    /// `local` or `pg`.
    pub fn backend_type(&self) -> &'static str {
        match self.backend {
            BackendKind::Local => "local",
            BackendKind::Pg(_) => "pg",
        }
    }

    /// What `.skyform/backend.json` remembers of this backend.
    pub fn record(&self) -> super::migrate::BackendRecord {
        match &self.backend {
            BackendKind::Local => super::migrate::BackendRecord {
                kind: "local".to_string(),
                conn_str: None,
                schema_name: None,
                server: None,
                skip_schema_creation: false,
            },
            BackendKind::Pg(pg) => super::migrate::BackendRecord {
                kind: "pg".to_string(),
                conn_str: pg.configured_conn_str.clone(),
                schema_name: Some(pg.schema.clone()),
                server: Some(pg.display.clone()),
                skip_schema_creation: pg.skip_schema_creation,
            },
        }
    }

    /// The settings of a recorded backend, with this configuration's encryption.
    pub fn from_record(
        record: &super::migrate::BackendRecord,
        encryption: Option<EncryptionSettings>,
    ) -> Result<StateSettings> {
        let backend = match record.kind.as_str() {
            "local" => BackendKind::Local,
            "pg" => {
                let conn_str = record
                    .conn_str
                    .clone()
                    .or_else(|| env_nonempty(PG_CONN_ENV))
                    .ok_or_else(|| {
                        config_error(format!(
                            "the previous pg backend's connection string came from {PG_CONN_ENV}, which is not set now; set it to migrate from that backend"
                        ))
                    })?;
                let schema = record
                    .schema_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SCHEMA.to_string());
                let mut settings =
                    PgSettings::new(&conn_str, &schema, record.skip_schema_creation)?;
                settings.configured_conn_str = record.conn_str.clone();
                BackendKind::Pg(Box::new(settings))
            }
            other => {
                return Err(config_error(format!(
                    "the previously used backend type {other:?} is unknown to this skyform"
                )))
            }
        };
        Ok(StateSettings {
            backend,
            encryption,
        })
    }

    /// The backend for `workspace`.
    pub fn open(&self, dir: &Path, workspace: &str) -> Result<Arc<dyn Backend>> {
        check_workspace_name(workspace)?;
        Ok(match &self.backend {
            BackendKind::Local => {
                Arc::new(LocalBackend::new(dir, workspace)?.with_codec(self.codec()))
            }
            BackendKind::Pg(settings) => Arc::new(PgBackend::new(
                (**settings).clone(),
                workspace,
                self.codec(),
            )),
        })
    }
}

/// The backend of the working directory `dir` for its selected workspace: what every command
/// uses.
pub fn backend_for_dir(dir: &Path) -> Result<Arc<dyn Backend>> {
    let settings = read_settings(dir)?;
    check_initialized(dir, &settings)?;
    settings.open(dir, &selected_workspace(dir)?)
}

/// Refuse to use a backend other than the one the state was last used with (as `init`
/// recorded it, or local state files when nothing was recorded): the state would seem empty.
fn check_initialized(dir: &Path, settings: &StateSettings) -> Result<()> {
    let configured = settings.record();
    let previous = match super::migrate::recorded(dir)? {
        Some(previous) => previous,
        None if matches!(settings.backend, BackendKind::Local) => return Ok(()),
        None => {
            let local = LocalBackend::new(dir, DEFAULT_WORKSPACE)?;
            if local.workspaces()?.is_empty() {
                return Ok(());
            }
            StateSettings {
                backend: BackendKind::Local,
                encryption: None,
            }
            .record()
        }
    };
    if previous.same_storage(&configured) {
        return Ok(());
    }
    Err(config_error(format!(
        "the backend configuration changed: the state is in the {}, but the configuration now uses the {}. \
         Run \"skyform init -migrate-state\" to copy the state over, or \"skyform init -reconfigure\" to use the new backend as it is",
        previous.describe(),
        configured.describe()
    )))
}

/// The selected workspace: `SKYFORM_WORKSPACE`, else the one `skyform workspace select`
/// remembered, else `default`.
pub fn selected_workspace(dir: &Path) -> Result<String> {
    if let Ok(name) = std::env::var(WORKSPACE_ENV) {
        if !name.is_empty() {
            check_workspace_name(&name)?;
            return Ok(name);
        }
    }
    match std::fs::read_to_string(dir.join(WORKSPACE_FILE)) {
        Ok(text) => {
            let name = text.trim().to_string();
            check_workspace_name(&name)?;
            Ok(name)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DEFAULT_WORKSPACE.to_string()),
        Err(e) => Err(StateError::io("read", &dir.join(WORKSPACE_FILE), e)),
    }
}

/// Remember `name` as the selected workspace of `dir`.
pub fn select_workspace(dir: &Path, name: &str) -> Result<()> {
    check_workspace_name(name)?;
    let path = dir.join(WORKSPACE_FILE);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| StateError::io("create", parent, e))?;
    }
    if name == DEFAULT_WORKSPACE {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(StateError::io("remove", &path, e))
            }
            _ => Ok(()),
        };
    }
    super::file::write_atomic(&path, format!("{name}\n").as_bytes())
}

pub fn check_workspace_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 90
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(StateError::InvalidWorkspace {
            name: name.to_string(),
        })
    }
}

fn config_error(message: impl Into<String>) -> StateError {
    StateError::Config {
        message: message.into(),
    }
}

/// The `skyform`/`terraform` blocks and `variable` defaults of the configuration in `dir`.
struct Parsed {
    blocks: Vec<(String, Block)>,
    variables: Vec<(String, Block)>,
}

fn parse_dir(dir: &Path) -> Result<Parsed> {
    let files = crate::config::loader::config_files(dir).map_err(|d| {
        config_error(
            d.iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let mut parsed = Parsed {
        blocks: Vec::new(),
        variables: Vec::new(),
    };
    for path in files {
        let name = file_name(&path);
        // Unreadable or malformed files are reported by the configuration loader with full
        // diagnostics; here they only contribute nothing.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(body) = crate::hcl::parse_file(&text, &name) else {
            continue;
        };
        for item in body.items {
            if let BodyItem::Block(b) = item {
                match b.kind.as_str() {
                    "skyform" | "terraform" => parsed.blocks.push((name.clone(), b)),
                    "variable" => {
                        if let Some(label) = b.labels.first() {
                            parsed.variables.push((label.value.clone(), b));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(parsed)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string()
}

/// Read and check what the configuration in `dir` says about state.
pub fn read_settings(dir: &Path) -> Result<StateSettings> {
    let parsed = parse_dir(dir)?;
    let mut backend: Option<(String, String, Body)> = None;
    let mut encryption: Option<(String, Body)> = None;
    for (file, block) in &parsed.blocks {
        let at = |span: &crate::diag::Span| format!("{file}:{}", span.start.line);
        for item in &block.body.items {
            match item {
                BodyItem::Attribute(a) if a.name == "required_version" => {
                    let constraint = literal_string(&a.expr).ok_or_else(|| {
                        config_error(format!(
                            "{}: required_version must be a literal string like \">= 0.1, < 2.0\"",
                            at(&a.span)
                        ))
                    })?;
                    check_required_version(&constraint, &at(&a.span))?;
                }
                BodyItem::Attribute(a) => {
                    return Err(config_error(format!(
                        "{}: {}.{} is not a setting skyform supports (it knows required_version, backend, encryption and required_providers); remove it",
                        at(&a.span),
                        block.kind,
                        a.name
                    )))
                }
                BodyItem::Block(b) if b.kind == "backend" || b.kind == "cloud" => {
                    let Some(kind) = b.labels.first().map(|l| l.value.clone()) else {
                        return Err(config_error(format!(
                            "{}: a {} block needs a type label, e.g. backend \"pg\" {{ ... }}",
                            at(&b.span),
                            b.kind
                        )));
                    };
                    if let Some((_, prev_at, _)) = &backend {
                        return Err(config_error(format!(
                            "{}: a second backend block; the backend was already configured at {prev_at}. Keep one",
                            at(&b.span)
                        )));
                    }
                    let kind = if b.kind == "cloud" { "cloud".to_string() } else { kind };
                    backend = Some((kind, at(&b.span), b.body.clone()));
                }
                BodyItem::Block(b) if b.kind == "encryption" => {
                    if encryption.is_some() {
                        return Err(config_error(format!(
                            "{}: a second encryption block; keep one",
                            at(&b.span)
                        )));
                    }
                    encryption = Some((at(&b.span), b.body.clone()));
                }
                // Providers are built into skyform; the block is accepted for Terraform users.
                BodyItem::Block(b) if b.kind == "required_providers" => {}
                BodyItem::Block(b) => {
                    return Err(config_error(format!(
                        "{}: a {} block inside {} is not supported by skyform (it knows backend, encryption and required_providers); remove it",
                        at(&b.span),
                        b.kind,
                        block.kind
                    )))
                }
            }
        }
    }
    let backend = match backend {
        None => BackendKind::Local,
        Some((kind, at, body)) => backend_kind(&kind, &at, &body)?,
    };
    let encryption = match encryption {
        Some((at, body)) => Some(encryption_settings(&at, &body, &parsed)?),
        None => match env_nonempty(STATE_KEY_ENV) {
            Some(key) => Some(EncryptionSettings {
                primary: Passphrase::new(key)?,
                fallbacks: env_nonempty(STATE_KEY_FALLBACK_ENV)
                    .map(Passphrase::new)
                    .transpose()?
                    .into_iter()
                    .collect(),
                iterations: DEFAULT_ITERATIONS,
            }),
            None => None,
        },
    };
    Ok(StateSettings {
        backend,
        encryption,
    })
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn backend_kind(kind: &str, at: &str, body: &Body) -> Result<BackendKind> {
    match kind {
        "local" => {
            if let Some(item) = body.items.first() {
                let name = match item {
                    BodyItem::Attribute(a) => a.name.clone(),
                    BodyItem::Block(b) => b.kind.clone(),
                };
                return Err(config_error(format!(
                    "{at}: the local backend takes no settings (it keeps state in state/<workspace>.json); {name:?} cannot be honoured, remove it"
                )));
            }
            Ok(BackendKind::Local)
        }
        "pg" => {
            let mut conn_str = None;
            let mut schema = DEFAULT_SCHEMA.to_string();
            let mut skip = false;
            for item in &body.items {
                match item {
                    BodyItem::Attribute(a) => match a.name.as_str() {
                        "conn_str" => {
                            conn_str = Some(literal_string(&a.expr).ok_or_else(|| {
                                config_error(format!("{at}: backend \"pg\" conn_str must be a literal string (backend settings cannot use variables; use {PG_CONN_ENV} instead)"))
                            })?)
                        }
                        "schema_name" => {
                            schema = literal_string(&a.expr).ok_or_else(|| {
                                config_error(format!("{at}: backend \"pg\" schema_name must be a literal string"))
                            })?
                        }
                        "skip_schema_creation" | "skip_table_creation" | "skip_index_creation" => {
                            let value = match &a.expr.kind {
                                ExprKind::Bool(b) => *b,
                                _ => {
                                    return Err(config_error(format!(
                                        "{at}: backend \"pg\" {} must be true or false",
                                        a.name
                                    )))
                                }
                            };
                            skip = skip || value;
                        }
                        other => {
                            return Err(config_error(format!(
                                "{at}: backend \"pg\" has no setting {other:?} that skyform can honour (it takes conn_str, schema_name, skip_schema_creation, skip_table_creation, skip_index_creation); remove it"
                            )))
                        }
                    },
                    BodyItem::Block(b) => {
                        return Err(config_error(format!(
                            "{at}: backend \"pg\" takes no {:?} block",
                            b.kind
                        )))
                    }
                }
            }
            let configured = conn_str.clone().filter(|c| !c.is_empty());
            let conn_str = match conn_str.filter(|c| !c.is_empty()) {
                Some(c) => c,
                None => env_nonempty(PG_CONN_ENV)
                    .or_else(|| env_nonempty("PG_CONN_STR"))
                    .ok_or_else(|| {
                        config_error(format!(
                            "{at}: backend \"pg\" needs a connection string: set conn_str or the {PG_CONN_ENV} environment variable"
                        ))
                    })?,
            };
            let mut settings = PgSettings::new(&conn_str, &schema, skip)?;
            settings.configured_conn_str = configured;
            Ok(BackendKind::Pg(Box::new(settings)))
        }
        other => Err(config_error(format!(
            "{at}: skyform does not implement the backend type {other:?}; it supports \"local\" and \"pg\". \
             State would otherwise go somewhere you did not ask for, so nothing was done"
        ))),
    }
}

fn encryption_settings(at: &str, body: &Body, parsed: &Parsed) -> Result<EncryptionSettings> {
    let mut primary = None;
    let mut fallbacks = Vec::new();
    let mut iterations = DEFAULT_ITERATIONS;
    for item in &body.items {
        match item {
            BodyItem::Block(b) if b.kind == "key_provider" => {
                let kind = b.labels.first().map(|l| l.value.as_str()).unwrap_or("");
                if kind != "pbkdf2" {
                    return Err(config_error(format!(
                        "{at}: encryption key_provider {kind:?} is not supported; skyform supports key_provider \"pbkdf2\" {{ passphrase = ... }}"
                    )));
                }
                if primary.is_some() {
                    return Err(config_error(format!(
                        "{at}: more than one key_provider; give the previous passphrase as a fallback {{ passphrase = ... }} block inside the key_provider instead"
                    )));
                }
                for inner in &b.body.items {
                    match inner {
                        BodyItem::Attribute(a) if a.name == "passphrase" => {
                            primary = Some(passphrase_value(at, &a.expr, parsed)?);
                        }
                        BodyItem::Attribute(a) if a.name == "iterations" => {
                            iterations = match &a.expr.kind {
                                ExprKind::Number(n) => n
                                    .as_str()
                                    .parse::<u32>()
                                    .ok()
                                    .filter(|i| *i >= MIN_ITERATIONS)
                                    .ok_or_else(|| {
                                        config_error(format!("{at}: pbkdf2 iterations must be a whole number of at least {MIN_ITERATIONS}"))
                                    })?,
                                _ => {
                                    return Err(config_error(format!(
                                        "{at}: pbkdf2 iterations must be a literal number"
                                    )))
                                }
                            };
                        }
                        BodyItem::Block(f) if f.kind == "fallback" => {
                            for fi in &f.body.items {
                                match fi {
                                    BodyItem::Attribute(a) if a.name == "passphrase" => {
                                        fallbacks.push(passphrase_value(at, &a.expr, parsed)?)
                                    }
                                    _ => {
                                        return Err(config_error(format!(
                                            "{at}: a fallback block takes only passphrase"
                                        )))
                                    }
                                }
                            }
                        }
                        BodyItem::Attribute(a) => {
                            return Err(config_error(format!(
                                "{at}: key_provider \"pbkdf2\" has no setting {:?} skyform can honour (it takes passphrase, iterations and fallback {{ passphrase = ... }})",
                                a.name
                            )))
                        }
                        BodyItem::Block(f) => {
                            return Err(config_error(format!(
                                "{at}: key_provider \"pbkdf2\" takes no {:?} block",
                                f.kind
                            )))
                        }
                    }
                }
            }
            BodyItem::Attribute(a) => {
                return Err(config_error(format!(
                    "{at}: encryption has no setting {:?} skyform can honour; use key_provider \"pbkdf2\" {{ passphrase = ... }}",
                    a.name
                )))
            }
            BodyItem::Block(b) => {
                return Err(config_error(format!(
                    "{at}: encryption takes no {:?} block skyform can honour (AES-256-GCM is always the method); use key_provider \"pbkdf2\" {{ ... }}",
                    b.kind
                )))
            }
        }
    }
    let primary = match primary {
        Some(p) => p,
        None => match env_nonempty(STATE_KEY_ENV) {
            Some(key) => Passphrase::new(key)?,
            None => {
                return Err(config_error(format!(
                    "{at}: encryption is configured but has no key: set key_provider \"pbkdf2\" {{ passphrase = ... }} or the {STATE_KEY_ENV} environment variable"
                )))
            }
        },
    };
    if let Some(old) = env_nonempty(STATE_KEY_FALLBACK_ENV) {
        fallbacks.push(Passphrase::new(old)?);
    }
    Ok(EncryptionSettings {
        primary,
        fallbacks,
        iterations,
    })
}

/// A passphrase: a literal string, or `var.NAME` from the environment or the variable's default.
fn passphrase_value(at: &str, expr: &Expr, parsed: &Parsed) -> Result<Passphrase> {
    if let Some(text) = literal_string(expr) {
        return Passphrase::new(text);
    }
    if let ExprKind::GetAttr(root, name) = &expr.kind {
        if matches!(&root.kind, ExprKind::Variable(v) if v == "var") {
            for env in [format!("SKYFORM_VAR_{name}"), format!("TF_VAR_{name}")] {
                if let Some(value) = env_nonempty(&env) {
                    return Passphrase::new(value);
                }
            }
            let default = parsed
                .variables
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, b)| b.body.attribute("default"))
                .and_then(|a| literal_string(&a.expr));
            return match default {
                Some(value) => Passphrase::new(value),
                None => Err(config_error(format!(
                    "{at}: the state passphrase var.{name} has no value: set SKYFORM_VAR_{name} (or TF_VAR_{name}) in the environment; the state key is needed before -var and variable files are read"
                ))),
            };
        }
    }
    Err(config_error(format!(
        "{at}: the state passphrase must be a literal string or var.NAME"
    )))
}

fn literal_string(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Template(parts) => {
            let mut s = String::new();
            for p in parts {
                match p {
                    TemplatePart::Literal(l) => s.push_str(l),
                    _ => return None,
                }
            }
            Some(s)
        }
        ExprKind::Parens(inner) => literal_string(inner),
        _ => None,
    }
}

/// Refuse to run when `constraint` (Terraform's syntax: `>= 0.1, < 2.0`, `~> 0.1`) excludes
/// this skyform's version.
pub fn check_required_version(constraint: &str, at: &str) -> Result<()> {
    let mine = env!("CARGO_PKG_VERSION");
    let current = parse_version(mine).unwrap_or_default();
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|r| (*op, r.trim())))
            .unwrap_or(("=", part));
        let (want, given) = parse_version(rest)
            .map(|v| (v, rest.split('.').count()))
            .ok_or_else(|| {
                config_error(format!(
                    "{at}: required_version {constraint:?} is not a version constraint (e.g. \">= 0.1.0, < 2.0.0\" or \"~> 0.1\")"
                ))
            })?;
        let ok = match op {
            "=" => current == want,
            "!=" => current != want,
            ">" => current > want,
            ">=" => current >= want,
            "<" => current < want,
            "<=" => current <= want,
            _ => {
                // ~> X.Y allows X.*, >= X.Y; ~> X.Y.Z allows X.Y.*, >= X.Y.Z.
                let upper = if given >= 3 {
                    [want[0], want[1] + 1, 0]
                } else {
                    [want[0] + 1, 0, 0]
                };
                current >= want && current < upper
            }
        };
        if !ok {
            return Err(config_error(format!(
                "{at}: this configuration requires skyform {constraint}, but this is skyform {mine}; use a skyform that matches"
            )));
        }
    }
    Ok(())
}

fn parse_version(text: &str) -> Option<[u64; 3]> {
    let text = text.trim().trim_start_matches('v');
    let core = text.split(['-', '+']).next()?;
    let mut out = [0u64; 3];
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        out[i] = p.parse().ok()?;
    }
    Some(out)
}

/// The state folder for local workspaces of `dir`.
pub fn local_state_dir(dir: &Path) -> PathBuf {
    dir.join(super::local::STATE_DIR)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_for(text: &str) -> Result<StateSettings> {
        let dir = tempfile_dir();
        std::fs::write(dir.join("main.sky.hcl"), text).unwrap();
        let out = read_settings(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        out
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("skyform-select-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn unknown_backends_and_settings_are_errors() {
        let err = settings_for("skyform {\n  backend \"s3\" {}\n}\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("does not implement the backend type \"s3\""),
            "{err}"
        );
        assert!(err.contains("main.sky.hcl:2"), "{err}");
        let err = settings_for("terraform {\n  backend \"pg\" {\n conn_str = \"postgres://u:pw1234@h/db\"\n bogus = 1\n }\n}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no setting \"bogus\""), "{err}");
        assert!(!err.contains("pw1234"), "{err}");
        let err = settings_for("skyform {\n  backend \"local\" {\n path = \"x\"\n }\n}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"path\" cannot be honoured"), "{err}");
        let err = settings_for("skyform {\n  cloud {}\n}\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("needs a type label") || err.contains("\"cloud\""),
            "{err}"
        );
        let s = settings_for("skyform {\n  backend \"pg\" {\n conn_str = \"postgres://u@h/db\"\n schema_name = \"abc\"\n }\n}\n").unwrap();
        assert_eq!(s.backend_type(), "pg");
        assert_eq!(settings_for("").unwrap().backend_type(), "local");
    }

    #[test]
    fn required_version_is_enforced() {
        assert!(check_required_version(">= 0.0.1", "x").is_ok());
        assert!(check_required_version("~> 0.1", "x").is_ok());
        let err = check_required_version(">= 99.0", "f:1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("requires skyform >= 99.0"), "{err}");
        assert!(check_required_version("< 0.1.0", "x").is_err());
        assert!(check_required_version("banana", "x").is_err());
    }
}
