//! Test knobs: latency, injected 5xx failures, throttling (429) and
//! transition time.

use crate::sim::throttle::check_probabilities;
use serde::{Deserialize, Serialize};

/// Knobs that make the simulator slow, flaky or busy. All zero (the default)
/// is fast and deterministic; transitions then finish by the next request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// Delay before answering each API request.
    pub latency_ms: u64,
    /// Probability (0..=1) that an API request fails with 500 INTERNAL
    /// "Unknown server error" before it changes anything.
    pub error_rate: f64,
    /// Requests per second admitted; further ones get 429 RATE_LIMIT. 0 = unlimited.
    pub throttle: u32,
    /// How long every transient state lasts (pending, stopping, starting,
    /// rebooting, rebuilding, resizing, deleting, attaching, detaching, image pending).
    pub transition_ms: u64,
    /// Probability (0..=1) that a created instance fails: `pending`, then
    /// `error` after `transition_ms`, then deleted after another `transition_ms`
    /// (reference 1.5: failed creations are briefly `error`, then removed).
    pub create_failure_rate: f64,
    /// Delay after a request was acted on before its answer is sent (the change is
    /// made at once, the answer is late; `latency_ms` delays before).
    pub answer_delay_ms: u64,
    /// Probability (0..=1) that the answer to a successful POST or DELETE is lost:
    /// the change was made, then the connection breaks before the body arrives.
    pub lose_answers: f64,
    /// The operations (`createImage`, `copyImages`) whose answers `lose_answers` applies
    /// to; empty: every POST and DELETE. Lets a test lose the answers of one call while the
    /// rest of the run goes through.
    pub lose_answers_for: Vec<String>,
    /// Operations (`startInstance`, `vpc:describeSubnets`) that always fail with 500
    /// INTERNAL "Unknown server error" before changing anything, while listed.
    pub fail_operations: Vec<String>,
}

impl Knobs {
    /// Whether the answer to a successful `operation` sent with `method` may be lost.
    pub fn may_lose(&self, method: &str, operation: &str) -> bool {
        self.lose_answers > 0.0
            && matches!(method, "POST" | "DELETE")
            && (self.lose_answers_for.is_empty()
                || self.lose_answers_for.iter().any(|o| o == operation))
    }

    /// Checks the ranges; the error names the knob.
    pub fn validate(&self) -> Result<(), String> {
        check_probabilities(&[
            ("error_rate", self.error_rate),
            ("create_failure_rate", self.create_failure_rate),
            ("lose_answers", self.lose_answers),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_names_the_knob() {
        let k = Knobs {
            error_rate: 2.0,
            ..Knobs::default()
        };
        assert!(k.validate().is_err());
    }

    #[test]
    fn lost_answers_can_be_limited_to_some_operations() {
        let all = Knobs {
            lose_answers: 1.0,
            ..Knobs::default()
        };
        assert!(all.may_lose("POST", "createImage"));
        assert!(all.may_lose("DELETE", "deleteImage"));
        assert!(!all.may_lose("GET", "describeImages"));
        let some = Knobs {
            lose_answers_for: vec!["createImage".into()],
            ..all
        };
        assert!(some.may_lose("POST", "createImage"));
        assert!(!some.may_lose("POST", "createInstances"));
        let off = Knobs {
            lose_answers: 0.0,
            ..some
        };
        assert!(!off.may_lose("POST", "createImage"));
    }
}
