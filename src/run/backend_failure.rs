//! A state backend that fails mid-apply (a database that goes away, a disk that fills)
//! stops the run once.
//!
//! Without this, every operation still queued went on, reached the cloud, and then reported
//! its own "Failed to persist state": many errors for one cause, and more objects made that
//! no state knows. The first failure to record cancels the run the way Ctrl-C does (nothing
//! new starts; calls already sent finish), and the apply reports one error naming the
//! backend's failure and what was done in the cloud but not recorded. Those objects are not
//! lost: every create was recorded as an intent before it was sent, so the next run finds
//! them and adopts them (`docs/state.md`, "Create intents").

use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::Cancel;
use std::sync::Mutex;

/// The summary of the one error an apply stopped by its backend reports.
pub const BACKEND_FAILED: &str = "The state backend failed; the apply stopped";

/// Notes failures to record and stops the run at the first.
#[derive(Debug, Default)]
pub struct BackendFailure {
    cancel: Cancel,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// The first failure: the address and what recording it failed with.
    first: Option<(String, String)>,
    /// Addresses changed in the cloud whose change is not in state, in the order noted.
    unrecorded: Vec<String>,
}

impl BackendFailure {
    /// Failures will cancel `cancel` (the run's own handle).
    pub fn new(cancel: Cancel) -> Self {
        BackendFailure {
            cancel,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Records that writing a change of `addr` failed with `error`; `in_cloud`: the change
    /// was already made in the cloud (not just about to be). The first call stops the run.
    pub fn note(&self, addr: impl std::fmt::Display, in_cloud: bool, error: &str) {
        let first = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let addr = addr.to_string();
            if in_cloud && !seen.unrecorded.contains(&addr) {
                seen.unrecorded.push(addr.clone());
            }
            let first = seen.first.is_none();
            if first {
                seen.first = Some((addr, error.to_string()));
            }
            first
        };
        if first {
            self.cancel.cancel();
        }
    }

    /// Whether any write failed.
    pub fn happened(&self) -> bool {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .first
            .is_some()
    }

    /// The one error of the run, or `None` when every write went through.
    /// `final_write` is the error of writing the whole state at the end, if that failed too.
    pub fn diagnostic(&self, final_write: Option<&Diagnostics>) -> Option<Diagnostic> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (addr, error) = seen.first.as_ref()?;
        let mut detail = format!(
            "Recording {addr} failed: {error}\n\nskyform started nothing after this failure; calls already sent to the cloud were allowed to finish."
        );
        if seen.unrecorded.is_empty() {
            detail.push_str(" Nothing done in the cloud is missing from state.");
        } else {
            detail.push_str(&format!(
                " Done in the cloud but not recorded in state: {}. Each create was recorded as an intent before it was sent, so the next run finds these objects in the cloud and adopts them instead of creating them again; changes and deletes are read back by its refresh.",
                seen.unrecorded.join(", ")
            ));
        }
        if let Some(d) = final_write {
            let why: Vec<String> = d.iter().map(|x| x.detail.clone()).collect();
            detail.push_str(&format!(
                "\n\nThe final state could not be written either: {}",
                why.join("; ")
            ));
        }
        detail.push_str("\n\nRun the command again once the backend is reachable.");
        Some(Diagnostic::error(BACKEND_FAILED, detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_cancels_and_one_error_lists_what_is_unrecorded() {
        let cancel = Cancel::new();
        let f = BackendFailure::new(cancel.clone());
        assert!(f.diagnostic(None).is_none());
        f.note("mcloud_instance.web[3]", true, "connection closed");
        assert!(cancel.is_cancelled());
        f.note("mcloud_instance.web[4]", false, "connection closed");
        f.note("mcloud_instance.web[5]", true, "connection closed");
        f.note("mcloud_instance.web[3]", true, "again");
        let d = f.diagnostic(None).expect("one error");
        assert_eq!(d.summary, BACKEND_FAILED);
        assert!(
            d.detail
                .contains("Recording mcloud_instance.web[3] failed: connection closed"),
            "{}",
            d.detail
        );
        assert!(
            d.detail
                .contains("not recorded in state: mcloud_instance.web[3], mcloud_instance.web[5]."),
            "{}",
            d.detail
        );
    }

    #[test]
    fn the_one_error_reads_well() {
        let f = BackendFailure::new(Cancel::new());
        f.note(
            "mcloud_instance.web[7]",
            true,
            "PostgreSQL state PostgreSQL db:5432/skyform schema s workspace default: cannot append to the journal: connection closed",
        );
        f.note("mcloud_instance.web[8]", false, "the state writer stopped");
        let final_write = Diagnostics::from(Diagnostic::error(
            "Failed to write the state",
            "cannot write the state: connection closed",
        ));
        let d = f.diagnostic(Some(&final_write)).expect("one error");
        insta::assert_snapshot!(format!("{}\n\n{}", d.summary, d.detail));
        let quiet = BackendFailure::new(Cancel::new());
        quiet.note("mcloud_instance.web[8]", false, "the state writer stopped");
        let d = quiet.diagnostic(None).expect("one error");
        assert!(d
            .detail
            .contains("Nothing done in the cloud is missing from state."));
    }
}
