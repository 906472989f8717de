//! The evaluated `provider "roma"` block, completed from `ROMA_*` environment variables.
//! Secrets (the token and the password) are kept out of every message and of `Debug`.

use super::PROVIDER;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

pub const ENDPOINT_ENV: &str = "ROMA_ENDPOINT";
pub const IAM_ENDPOINT_ENV: &str = "ROMA_IAM_ENDPOINT";
pub const PROJECT_ID_ENV: &str = "ROMA_PROJECT_ID";
pub const PROJECT_NAME_ENV: &str = "ROMA_PROJECT_NAME";
pub const TOKEN_ENV: &str = "ROMA_TOKEN";
pub const USER_NAME_ENV: &str = "ROMA_USER_NAME";
pub const PASSWORD_ENV: &str = "ROMA_PASSWORD";
pub const DOMAIN_NAME_ENV: &str = "ROMA_DOMAIN_NAME";

/// IAM's global endpoint (reference 2.1), used when no `iam_endpoint` is given.
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";

/// An IAM user's password identity (reference 2.3).
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    pub user_name: String,
    pub password: String,
    pub domain_name: String,
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Password")
            .field("user_name", &self.user_name)
            .field("domain_name", &self.domain_name)
            .finish_non_exhaustive()
    }
}

/// How calls are authenticated.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A token given as is (`token` / `ROMA_TOKEN`); it cannot be renewed.
    Token(String),
    /// A password identity: tokens are requested from IAM and renewed.
    Password(Password),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(..)"),
            Credentials::Password(p) => p.fmt(f),
        }
    }
}

impl Credentials {
    /// What to check when the cloud refuses them (names, never values).
    pub fn hint(&self) -> &'static str {
        match self {
            Credentials::Token(_) => "check the provider's token (or ROMA_TOKEN): it may be wrong, expired or scoped to another project; a fixed token cannot be renewed, so give user_name, password and domain_name instead to have skyform request tokens",
            Credentials::Password(_) => "check the provider's user_name, password and domain_name (or ROMA_USER_NAME, ROMA_PASSWORD, ROMA_DOMAIN_NAME) and that the IAM user may use ROMA Connect in this project",
        }
    }
}

/// Everything the provider block and the environment say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// A base URL, or `embedded`.
    pub endpoint: String,
    /// A base URL, `embedded`, or `None` (the ROMA endpoint when embedded, IAM's global
    /// endpoint otherwise).
    pub iam_endpoint: Option<String>,
    /// `None`: taken from the token's project (`token.project.id`).
    pub project_id: Option<String>,
    /// The project (region) name a password token is scoped to.
    pub project_name: Option<String>,
    pub credentials: Credentials,
    pub max_retries: u32,
}

/// Embedded defaults: the simulator's documented account.
pub struct EmbeddedDefaults<'a> {
    pub user_name: &'a str,
    pub password: &'a str,
    pub domain_name: &'a str,
}

fn opt_str(v: &Value, name: &str) -> Option<String> {
    v.get_attr(name)
        .filter(|x| !x.is_null() && !x.is_unknown())
        .and_then(|x| x.unmarked().as_str())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn invalid(message: String) -> ProviderError {
    ProviderError::new(PROVIDER, "configure", message).kind(ErrorKind::Invalid)
}

/// Reads the block, then the environment (`env` looks a variable up). `embedded`
/// supplies the simulator's account when the endpoint is `embedded` and none is given.
pub fn settings_from(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
    embedded: &EmbeddedDefaults<'_>,
) -> Result<Settings, ProviderError> {
    let pick = |name: &str, var: &str| {
        opt_str(config, name).or_else(|| {
            env(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        })
    };
    let endpoint = pick("endpoint", ENDPOINT_ENV).ok_or_else(|| {
        invalid(format!(
            "no endpoint: set endpoint = \"https://roma.cn-north-4.myhuaweicloud.com\" (or \"embedded\") in the provider block, or {ENDPOINT_ENV}"
        ))
    })?;
    let is_embedded = endpoint == "embedded";
    let token = pick("token", TOKEN_ENV);
    let user_name = pick("user_name", USER_NAME_ENV);
    let password = pick("password", PASSWORD_ENV);
    let domain_name = pick("domain_name", DOMAIN_NAME_ENV);
    let any_password_part = user_name.is_some() || password.is_some() || domain_name.is_some();
    let credentials = match (token, any_password_part) {
        (Some(_), true) => {
            return Err(invalid(
                "both a token and user_name/password/domain_name are set (in the block or ROMA_* variables); give one way to authenticate".into(),
            ))
        }
        (Some(t), false) => Credentials::Token(t),
        (None, false) if is_embedded => Credentials::Password(Password {
            user_name: embedded.user_name.into(),
            password: embedded.password.into(),
            domain_name: embedded.domain_name.into(),
        }),
        (None, false) => {
            return Err(invalid(format!(
                "no credentials: set token (or {TOKEN_ENV}), or user_name, password and domain_name (or {USER_NAME_ENV}, {PASSWORD_ENV}, {DOMAIN_NAME_ENV})"
            )))
        }
        (None, true) => {
            let missing: Vec<&str> = [
                ("user_name", USER_NAME_ENV, &user_name),
                ("password", PASSWORD_ENV, &password),
                ("domain_name", DOMAIN_NAME_ENV, &domain_name),
            ]
            .iter()
            .filter(|(_, _, v)| v.is_none())
            .map(|(n, _, _)| *n)
            .collect();
            if !missing.is_empty() {
                return Err(invalid(format!(
                    "password authentication needs user_name, password and domain_name; {} missing (set in the block or {USER_NAME_ENV}, {PASSWORD_ENV}, {DOMAIN_NAME_ENV})",
                    missing.join(", ")
                )));
            }
            Credentials::Password(Password {
                user_name: user_name.unwrap_or_default(),
                password: password.unwrap_or_default(),
                domain_name: domain_name.unwrap_or_default(),
            })
        }
    };
    let project_id = pick("project_id", PROJECT_ID_ENV);
    let project_name = pick("project_name", PROJECT_NAME_ENV);
    if matches!(credentials, Credentials::Token(_)) && project_id.is_none() {
        return Err(invalid(format!(
            "a token needs the project it is scoped to: set project_id (or {PROJECT_ID_ENV})"
        )));
    }
    if let Some(p) = &project_id {
        if !p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(format!(
                "project_id {p:?} is not a project id (letters, digits, '-' and '_' only)"
            )));
        }
    }
    let max_retries = match config
        .get_attr("max_retries")
        .filter(|x| !x.is_null() && !x.is_unknown())
    {
        None => 3,
        Some(v) => match v.as_i64() {
            Some(r) if (0..=100).contains(&r) => r as u32,
            _ => {
                return Err(invalid(
                    "max_retries must be a whole number between 0 and 100".into(),
                ))
            }
        },
    };
    Ok(Settings {
        endpoint,
        iam_endpoint: pick("iam_endpoint", IAM_ENDPOINT_ENV),
        project_id,
        project_name,
        credentials,
        max_retries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIM: EmbeddedDefaults<'static> = EmbeddedDefaults {
        user_name: "u",
        password: "p",
        domain_name: "d",
    };

    #[test]
    fn block_then_environment_and_no_secret_in_messages() {
        let cfg = Value::object([("endpoint", Value::string("http://127.0.0.1:9"))]);
        let env = |v: &str| match v {
            USER_NAME_ENV => Some("alice".to_string()),
            PASSWORD_ENV => Some("hunter2-secret".to_string()),
            _ => None,
        };
        let err = settings_from(&cfg, env, &SIM).expect_err("no domain");
        assert!(err.message.contains("domain_name missing"), "{err}");
        assert!(!err.to_string().contains("hunter2"));
        let env2 = |v: &str| env(v).or_else(|| (v == DOMAIN_NAME_ENV).then(|| "acme".into()));
        let s = settings_from(&cfg, env2, &SIM).expect("settings");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.project_id, None);
        let cfg = Value::object([
            ("endpoint", Value::string("http://x")),
            ("token", Value::string("MIItoken")),
        ]);
        let err = settings_from(&cfg, |_| None, &SIM).expect_err("token without project");
        assert!(err.message.contains("project_id"), "{err}");
        let err = settings_from(&cfg, env2, &SIM).expect_err("both");
        assert!(err.message.contains("both"), "{err}");
        let cfg = Value::object([("endpoint", Value::string("embedded"))]);
        let s = settings_from(&cfg, |_| None, &SIM).expect("embedded defaults");
        assert!(matches!(s.credentials, Credentials::Password(ref p) if p.user_name == "u"));
        assert!(settings_from(&Value::object([("x", Value::Null)]), |_| None, &SIM).is_err());
    }
}
