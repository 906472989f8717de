//! Instance status codes → named states.
//!
//! The seed shows the integers without naming them. The one table lives with the
//! simulator (`crate::sim::mcloud::status`) so that both sides agree; this module is the
//! provider's view of it:
//!
//! | code | state    | for the provider                                        |
//! |------|----------|---------------------------------------------------------|
//! | 1    | starting | not yet usable: create and start keep polling           |
//! | 3    | running  | usable; `running = true`                                |
//! | 7    | stopped  | `running = false`; `GET /v1/start/:id` starts it again  |
//!
//! Codes outside the table read `unknown(N)` and count as not yet usable.

use crate::sim::mcloud::status::InstanceStatus;

/// The code `POST /v1/status` sets for a running machine.
pub const RUNNING: i64 = InstanceStatus::Running.code();
/// The code `POST /v1/status` sets to stop a machine.
pub const STOPPED: i64 = InstanceStatus::Stopped.code();

/// The state's name; unknown codes read `unknown(N)` so they are visible, not hidden.
pub fn name(code: i64) -> String {
    match InstanceStatus::from_code(code) {
        Some(s) => s.name().to_string(),
        None => format!("unknown({code})"),
    }
}

/// Up and usable.
pub fn is_usable(code: i64) -> bool {
    InstanceStatus::from_code(code) == Some(InstanceStatus::Running)
}

/// Will not become usable by waiting. The table has no failure state today; a code
/// outside the table is waited on (bounded by the operation timeout), not trusted.
pub fn is_failed(_code: i64) -> bool {
    false
}

/// Stopped (the `running = false` side).
pub fn is_stopped(code: i64) -> bool {
    InstanceStatus::from_code(code) == Some(InstanceStatus::Stopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_simulators() {
        assert_eq!(name(1), "starting");
        assert_eq!(name(3), "running");
        assert_eq!(name(7), "stopped");
        assert_eq!(name(99), "unknown(99)");
        assert!(is_usable(RUNNING) && !is_usable(1) && !is_usable(STOPPED));
        assert!(is_stopped(7) && !is_stopped(3));
    }
}
