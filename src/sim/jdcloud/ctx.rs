//! What an operation handler works on, and the checks many of them share.

use super::errors::ApiError;
use super::model::{Cloud, Instance, Transition};
use super::query::{Body, Query};

/// One request, decoded, with the cloud locked.
pub struct Ctx<'a> {
    pub cloud: &'a mut Cloud,
    pub now: i64,
    pub transition_ms: i64,
    /// Knob `create_failure_rate`.
    pub create_failure_rate: f64,
    pub region: String,
    pub query: Query,
    pub body: Body,
}

impl Ctx<'_> {
    /// A transition that ends `transition_ms` from now.
    pub fn after(&self, to: &str) -> Option<Transition> {
        Some(Transition {
            to: to.to_string(),
            at_ms: self.now + self.transition_ms,
        })
    }
}

/// 400 FAILED_PRECONDITION unless the instance is in one of `allowed` and has no task.
pub fn require_state(i: &Instance, op: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if !allowed.contains(&i.status.as_str()) {
        return Err(ApiError::precondition(format!(
            "instance {} is {}; {op} needs it to be {}",
            i.instance_id,
            i.status,
            allowed.join(" or ")
        )));
    }
    require_no_task(i)
}

/// 400 FAILED_PRECONDITION while a disk or image task runs on the instance.
pub fn require_no_task(i: &Instance) -> Result<(), ApiError> {
    if let Some(task) = &i.task {
        return Err(ApiError::task_conflict(&i.instance_id, &task.name));
    }
    if let Some(d) = i
        .data_disks
        .iter()
        .find(|d| d.status == "attaching" || d.status == "detaching")
    {
        let task = if d.status == "attaching" {
            "attachDisk"
        } else {
            "detachDisk"
        };
        return Err(ApiError::task_conflict(&i.instance_id, task));
    }
    Ok(())
}

/// Instance names: 2–128 characters of Chinese, letters, digits, `_`, `-`,
/// `.`, not starting or ending with `.` (reference 1.4).
pub fn check_instance_name(name: &str) -> Result<(), ApiError> {
    let count = name.chars().count();
    let ok_chars = name.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '.')
            || ('\u{4e00}'..='\u{9fff}').contains(&c)
    });
    if !(2..=128).contains(&count) || !ok_chars || name.starts_with('.') || name.ends_with('.') {
        return Err(ApiError::invalid(format!(
            "invalid name {name:?}: 2-128 characters of Chinese, letters, digits, '_', '-', '.', not starting or ending with '.'"
        )));
    }
    Ok(())
}

/// Image names: 2–32 characters (copyImages allows 1).
pub fn check_image_name(name: &str, min: usize) -> Result<(), ApiError> {
    let count = name.chars().count();
    if !(min..=32).contains(&count) {
        return Err(ApiError::invalid(format!(
            "invalid image name {name:?}: {min}-32 characters"
        )));
    }
    Ok(())
}

/// Descriptions: at most 256 characters.
pub fn check_description(text: &str) -> Result<(), ApiError> {
    if text.chars().count() > 256 {
        return Err(ApiError::invalid(
            "invalid description: at most 256 characters",
        ));
    }
    Ok(())
}

/// Passwords: 8–30 characters from at least three of upper, lower, digit, special.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    let len = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| c.is_ascii_punctuation()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if !(8..=30).contains(&len) || classes < 3 || !password.is_ascii() {
        return Err(ApiError::invalid(
            "invalid password: 8-30 characters from at least three of upper case, lower case, digits and special characters",
        ));
    }
    Ok(())
}

/// Hostnames: 2–64 characters (Linux) or 2–15 (Windows) of letters, digits, `-`, `.`.
pub fn check_hostname(hostname: &str, windows: bool) -> Result<(), ApiError> {
    let max = if windows { 15 } else { 64 };
    let ok = (2..=max).contains(&hostname.len())
        && hostname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !ok {
        return Err(ApiError::invalid(format!(
            "invalid hostname {hostname:?}: 2-{max} characters of letters, digits, '-' and '.'"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_password_rules() {
        assert!(check_instance_name("web-1").is_ok());
        assert!(check_instance_name("主机.a").is_ok());
        assert!(check_instance_name(".web").is_err());
        assert!(check_instance_name("a").is_err());
        assert!(check_password("Passw0rd!").is_ok());
        assert!(check_password("password").is_err());
        assert!(check_password("Ab1!").is_err());
    }
}
