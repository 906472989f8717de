//! Test knobs: latency, late and lost answers, injected 500s, throttling (per second and
//! by fraction), a cap on servers per answer, and windows that lose a server.

use crate::sim::throttle::check_probabilities;
use serde::{Deserialize, Serialize};

/// Knobs that make the simulator slow, flaky or wrong. All zero (the default) is a fast,
/// deterministic and correct cloud.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// Delay before each API request is handled.
    pub latency_ms: u64,
    /// Delay after a request was handled before its answer is sent.
    pub answer_delay_ms: u64,
    /// Probability (0..=1) that a request fails with HTTP 500, code 500.
    pub error_rate: f64,
    /// Requests per second admitted; further ones get HTTP 429, code 429. 0 = unlimited.
    pub throttle: u32,
    /// Probability (0..=1) that a request gets HTTP 429, code 429 regardless of rate.
    pub throttle_rate: f64,
    /// Probability (0..=1) that an answer is lost: the connection breaks before its body.
    pub lose_answers: f64,
    /// At most this many servers per answer, whatever `f`/`t` ask (0 = no cap; the seed
    /// sets none).
    pub max_window: u64,
    /// Windows (by their `f`) whose answer leaves out its last server: a service that
    /// drops entries, for checking that clients notice.
    pub short_windows: Vec<u64>,
}

impl Knobs {
    /// Checks the ranges; the error names the knob.
    pub fn validate(&self) -> Result<(), String> {
        check_probabilities(&[
            ("error_rate", self.error_rate),
            ("throttle_rate", self.throttle_rate),
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
            throttle_rate: 1.5,
            ..Knobs::default()
        };
        assert!(k.validate().unwrap_err().contains("throttle_rate"));
    }
}
