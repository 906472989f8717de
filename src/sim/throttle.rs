//! The throttle every simulator applies when its `throttle` knob is set: a fixed one-second
//! window of admitted requests, as simple rate limiters of real clouds behave (a burst at
//! the start of a window is admitted, the rest of the window is refused).

use std::time::{Duration, Instant};

/// A one-second fixed window of admitted requests.
#[derive(Debug, Default)]
pub struct Throttle {
    window_start: Option<Instant>,
    admitted: u32,
}

impl Throttle {
    /// Admits a request unless `limit` requests were admitted this second.
    pub fn admit(&mut self, limit: u32, now: Instant) -> bool {
        let fresh = self
            .window_start
            .is_none_or(|start| now.duration_since(start) >= Duration::from_secs(1));
        if fresh {
            self.window_start = Some(now);
            self.admitted = 0;
        }
        if self.admitted >= limit {
            return false;
        }
        self.admitted += 1;
        true
    }
}

/// Checks knobs that are probabilities; the error names the first one out of `0..=1`.
pub fn check_probabilities(knobs: &[(&str, f64)]) -> Result<(), String> {
    for (name, p) in knobs {
        if !(0.0..=1.0).contains(p) || p.is_nan() {
            return Err(format!("{name} must be between 0 and 1, got {p}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_admits_its_limit_then_refuses_until_the_next_second() {
        let mut t = Throttle::default();
        let start = Instant::now();
        assert!(t.admit(2, start));
        assert!(t.admit(2, start + Duration::from_millis(10)));
        assert!(!t.admit(2, start + Duration::from_millis(999)));
        assert!(t.admit(2, start + Duration::from_secs(1)));
    }

    #[test]
    fn probabilities_outside_zero_to_one_are_named() {
        assert!(check_probabilities(&[("a", 0.0), ("b", 1.0)]).is_ok());
        assert_eq!(
            check_probabilities(&[("a", 0.5), ("b", 1.5)]).unwrap_err(),
            "b must be between 0 and 1, got 1.5"
        );
        assert!(check_probabilities(&[("c", f64::NAN)])
            .unwrap_err()
            .starts_with("c must be"));
    }
}
