//! Instance status codes → named states: the provider's own table.
//!
//! The seed shows the integers 1, 3 and 7 without naming them, so the table is
//! configuration: `status_codes = { running = [3], starting = [1], stopped = [7] }` in the
//! provider block, with those defaults. A server that numbers its states differently is
//! met by changing the block, not the code. A code in no list reads `unknown(N)`; a wait
//! that sees one stops and reports it.

use super::client::PROVIDER;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

/// The state names, as `status` attributes and messages show them.
pub const RUNNING: &str = "running";
pub const STARTING: &str = "starting";
pub const STOPPED: &str = "stopped";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTable {
    running: Vec<i64>,
    starting: Vec<i64>,
    stopped: Vec<i64>,
}

impl Default for StatusTable {
    fn default() -> Self {
        StatusTable {
            running: vec![3],
            starting: vec![1],
            stopped: vec![7],
        }
    }
}

fn config_error(message: String) -> ProviderError {
    ProviderError::new(PROVIDER, "configure", message).kind(ErrorKind::Invalid)
}

impl StatusTable {
    /// A table; no code may be in two lists, and `running` and `stopped` need a code
    /// (`stopped`'s first is what stopping a machine sets).
    pub fn new(
        running: Vec<i64>,
        starting: Vec<i64>,
        stopped: Vec<i64>,
    ) -> Result<StatusTable, ProviderError> {
        let t = StatusTable {
            running,
            starting,
            stopped,
        };
        for (name, codes) in t.lists() {
            for c in codes {
                if let Some((other, _)) = t
                    .lists()
                    .into_iter()
                    .find(|(o, cs)| *o != name && cs.contains(c))
                {
                    return Err(config_error(format!(
                        "status_codes: code {c} is in both {name} and {other}; a code names one state"
                    )));
                }
            }
        }
        if t.running.is_empty() || t.stopped.is_empty() {
            return Err(config_error(
                "status_codes: running and stopped need at least one code each".into(),
            ));
        }
        Ok(t)
    }

    fn lists(&self) -> [(&'static str, &Vec<i64>); 3] {
        [
            (RUNNING, &self.running),
            (STARTING, &self.starting),
            (STOPPED, &self.stopped),
        ]
    }

    /// From the provider block's `status_codes` (null: the defaults; a missing list keeps
    /// its default).
    pub fn from_config(v: Option<&Value>) -> Result<StatusTable, ProviderError> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(StatusTable::default());
        };
        let map = v.as_map().ok_or_else(|| {
            config_error(
                "status_codes must be an object such as { running = [3], starting = [1], stopped = [7] }".into(),
            )
        })?;
        let mut t = StatusTable::default();
        for (k, list) in map {
            let slot = match k.as_str() {
                RUNNING => &mut t.running,
                STARTING => &mut t.starting,
                STOPPED => &mut t.stopped,
                other => {
                    return Err(config_error(format!(
                        "status_codes: unknown state {other:?}; the states are running, starting and stopped"
                    )))
                }
            };
            let items = list.as_seq().ok_or_else(|| {
                config_error(format!("status_codes.{k} must be a list of whole numbers"))
            })?;
            *slot = items
                .iter()
                .map(|x| {
                    x.as_i64().ok_or_else(|| {
                        config_error(format!(
                            "status_codes.{k} must be a list of whole numbers; {} is not one",
                            x.to_json()
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        StatusTable::new(t.running, t.starting, t.stopped)
    }

    /// The state's name; codes in no list read `unknown(N)` so they are visible.
    pub fn name(&self, code: i64) -> String {
        self.lists()
            .into_iter()
            .find(|(_, cs)| cs.contains(&code))
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| format!("unknown({code})"))
    }

    /// Up and usable.
    pub fn is_running(&self, code: i64) -> bool {
        self.running.contains(&code)
    }

    /// Stopped (the `running = false` side).
    pub fn is_stopped(&self, code: i64) -> bool {
        self.stopped.contains(&code)
    }

    /// What `POST /v1/status` sets to stop a machine.
    pub fn stop_code(&self) -> i64 {
        self.stopped.first().copied().unwrap_or(7)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(running: &[i64], starting: &[i64], stopped: &[i64]) -> Value {
        let l = |xs: &[i64]| Value::List(xs.iter().map(|x| Value::number(*x)).collect());
        Value::object([
            ("running", l(running)),
            ("starting", l(starting)),
            ("stopped", l(stopped)),
        ])
    }

    #[test]
    fn defaults_are_the_seeds_integers() {
        let t = StatusTable::from_config(None).expect("defaults");
        assert_eq!(t.name(1), "starting");
        assert_eq!(t.name(3), "running");
        assert_eq!(t.name(7), "stopped");
        assert_eq!(t.name(99), "unknown(99)");
        assert!(t.is_running(3) && !t.is_running(1) && !t.is_running(7));
        assert!(t.is_stopped(7) && !t.is_stopped(3));
        assert_eq!(t.stop_code(), 7);
    }

    #[test]
    fn the_block_sets_the_table() {
        let t = StatusTable::from_config(Some(&codes(&[30, 31], &[10], &[70]))).expect("valid");
        assert!(t.is_running(31));
        assert_eq!(t.name(3), "unknown(3)");
        assert_eq!(t.stop_code(), 70);
        // A list left out keeps its default.
        let v = Value::object([("running", Value::List(vec![Value::number(4)]))]);
        let t = StatusTable::from_config(Some(&v)).expect("valid");
        assert!(t.is_running(4) && t.is_stopped(7) && t.name(1) == "starting");
    }

    #[test]
    fn bad_tables_are_explained() {
        let e = StatusTable::from_config(Some(&codes(&[3], &[3], &[7]))).unwrap_err();
        assert!(e.message.contains("code 3 is in both"), "{e}");
        let e = StatusTable::from_config(Some(&codes(&[], &[1], &[7]))).unwrap_err();
        assert!(e.message.contains("at least one"), "{e}");
        let v = Value::object([("runing", Value::List(vec![]))]);
        let e = StatusTable::from_config(Some(&v)).unwrap_err();
        assert!(e.message.contains("unknown state \"runing\""), "{e}");
        let v = Value::object([("running", Value::List(vec![Value::string("x")]))]);
        let e = StatusTable::from_config(Some(&v)).unwrap_err();
        assert!(e.message.contains("whole numbers"), "{e}");
        assert_eq!(e.kind, ErrorKind::Invalid);
    }
}
