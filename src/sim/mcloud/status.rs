//! Instance status codes of the mcloud API.
//!
//! The seed shows the integers 1, 3 and 7 without naming them. The simulator
//! (and the mcloud provider, which reuses this table) reads them as:
//!
//! | code | meaning  | when                                                        |
//! |------|----------|-------------------------------------------------------------|
//! | 1    | starting | a new or started instance, for `transition_ms`              |
//! | 3    | running  | after the transition; entered physical machines start here  |
//! | 7    | stopped  | only set through `POST /v1/status`                          |

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "i64", try_from = "i64")]
pub enum InstanceStatus {
    /// Being created or started; becomes `Running` after the transition time.
    Starting,
    /// Up and reachable.
    Running,
    /// Stopped; `GET /v1/start/:instanceId` starts it again.
    Stopped,
}

impl InstanceStatus {
    /// All statuses, in code order.
    pub const ALL: [InstanceStatus; 3] = [
        InstanceStatus::Starting,
        InstanceStatus::Running,
        InstanceStatus::Stopped,
    ];

    /// The integer the API uses for this status.
    pub const fn code(self) -> i64 {
        match self {
            InstanceStatus::Starting => 1,
            InstanceStatus::Running => 3,
            InstanceStatus::Stopped => 7,
        }
    }

    /// The status for an API integer, or `None` for a code the table lacks.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A lower-case word for messages and logs.
    pub const fn name(self) -> &'static str {
        match self {
            InstanceStatus::Starting => "starting",
            InstanceStatus::Running => "running",
            InstanceStatus::Stopped => "stopped",
        }
    }
}

impl From<InstanceStatus> for i64 {
    fn from(s: InstanceStatus) -> i64 {
        s.code()
    }
}

impl TryFrom<i64> for InstanceStatus {
    type Error = String;
    fn try_from(code: i64) -> Result<Self, String> {
        InstanceStatus::from_code(code)
            .ok_or_else(|| format!("unknown instance status code {code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in InstanceStatus::ALL {
            assert_eq!(InstanceStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(InstanceStatus::from_code(2), None);
        assert_eq!(InstanceStatus::Running.code(), 3);
    }
}
