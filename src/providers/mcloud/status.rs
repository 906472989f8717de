//! Instance status codes → named states, in one table.
//!
//! The seed shows the integers (`"Status": 7`, `"Status": 1`, `"Status": 3`) without
//! naming them; this table is skyform's decision, shared with the simulator so both sides
//! agree (documented in `docs/providers/mcloud.md` and `docs/simulators.md`).

/// One row of the status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub code: i64,
    pub name: &'static str,
    /// The machine is up and can be used.
    pub usable: bool,
    /// The machine will not become usable without intervention (creation failed).
    pub failed: bool,
}

/// Every known status code.
pub const TABLE: &[State] = &[
    State {
        code: 1,
        name: "starting",
        usable: false,
        failed: false,
    },
    State {
        code: 3,
        name: "running",
        usable: true,
        failed: false,
    },
    State {
        code: 7,
        name: "stopped",
        usable: false,
        failed: false,
    },
];

/// The code that `POST /v1/status` sets to start a machine's bookkeeping as running.
pub const RUNNING: i64 = 3;
/// The code that `POST /v1/status` sets to stop a machine.
pub const STOPPED: i64 = 7;

/// The row for a code, if the code is known.
pub fn lookup(code: i64) -> Option<&'static State> {
    TABLE.iter().find(|s| s.code == code)
}

/// The state's name; unknown codes read `unknown(N)` so they are visible, not hidden.
pub fn name(code: i64) -> String {
    match lookup(code) {
        Some(s) => s.name.to_string(),
        None => format!("unknown({code})"),
    }
}

/// Up and usable.
pub fn is_usable(code: i64) -> bool {
    lookup(code).is_some_and(|s| s.usable)
}

/// Will not become usable by waiting.
pub fn is_failed(code: i64) -> bool {
    lookup(code).is_some_and(|s| s.failed)
}

/// Stopped or on its way there (the `running = false` side).
pub fn is_stopped(code: i64) -> bool {
    lookup(code).is_some_and(|s| s.name == "stopped" || s.name == "stopping")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            assert!(
                TABLE[i + 1..].iter().all(|b| b.code != a.code),
                "{}",
                a.code
            );
        }
    }

    #[test]
    fn running_and_stopped_are_distinct_rows() {
        assert!(is_usable(RUNNING));
        assert!(!is_usable(STOPPED));
        assert_eq!(name(99), "unknown(99)");
    }
}
