//! The live display on a terminal: one status line, redrawn in place, counting the run's
//! operations done, in flight, failed and queued, with the elapsed time. Terraform's
//! progress lines (`Creating...`, `Still creating... [10s elapsed]`, `Creation complete
//! after 3s [id=…]`) are still printed, above the status line, so the scrollback reads
//! exactly as Terraform's; the status line is cleared when the run ends, before the plan or
//! the summary is printed.
//!
//! When it is used ([`wanted`]): `SKYFORM_PROGRESS=live` or `plain` decides; otherwise
//! only when stdout is a terminal, `-json` and `-no-color` are not given (people pass
//! `-no-color` when they want plain text in logs), `TERM` is not `dumb` and
//! `TF_IN_AUTOMATION` is not set (Terraform's signal that a pipeline runs it). Off a
//! terminal nothing changes: the same lines, no escape sequences.

use crate::engine::{Event, EventSink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Whether this run shows the live display.
pub fn wanted(json: bool, no_color: bool) -> bool {
    decide(
        std::env::var("SKYFORM_PROGRESS").ok().as_deref(),
        json,
        no_color,
        std::io::stdout().is_terminal(),
        std::env::var("TERM").ok().as_deref(),
        std::env::var_os("TF_IN_AUTOMATION").is_some_and(|v| !v.is_empty()),
    )
}

/// A `SKYFORM_PROGRESS` that is neither `live` nor `plain` (nor empty): the caller warns,
/// and the display is chosen as if it were unset.
pub fn setting_is_invalid() -> bool {
    std::env::var("SKYFORM_PROGRESS")
        .ok()
        .is_some_and(|v| !matches!(v.trim(), "" | "live" | "plain"))
}

fn decide(
    forced: Option<&str>,
    json: bool,
    no_color: bool,
    terminal: bool,
    term: Option<&str>,
    automation: bool,
) -> bool {
    // JSON lines are for machines: never mixed with a status line.
    if json {
        return false;
    }
    match forced.map(str::trim) {
        Some("live") => true,
        Some("plain") => false,
        _ => terminal && !no_color && term != Some("dumb") && !automation,
    }
}

/// What the status line counts, for the phase on screen.
#[derive(Debug, Default, Clone, PartialEq)]
struct Counts {
    /// Operations the phase is known to hold (a replacement is two: delete and create).
    planned: u64,
    started: u64,
    done: u64,
    failed: u64,
}

impl Counts {
    fn in_flight(&self) -> u64 {
        self.started.saturating_sub(self.done + self.failed)
    }

    fn queued(&self) -> u64 {
        self.planned.saturating_sub(self.started)
    }

    fn message(&self) -> String {
        format!(
            "{} done, {} in flight, {} failed, {} queued",
            self.done,
            self.in_flight(),
            self.failed,
            self.queued()
        )
    }
}

struct State {
    bar: Option<ProgressBar>,
    counts: Counts,
}

/// The status line and the event sink that feeds it. Cheap to clone; every clone shows the
/// same line.
#[derive(Clone)]
pub struct Live {
    state: Arc<Mutex<State>>,
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

impl Live {
    pub fn new() -> Live {
        Live {
            state: Arc::new(Mutex::new(State {
                bar: None,
                counts: Counts::default(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Shows the status line for a phase (`Applying`, `Refreshing`) of `planned`
    /// operations; the elapsed time counts from here.
    pub fn begin(&self, phase: &str, planned: u64) {
        let mut s = self.lock();
        if let Some(old) = s.bar.take() {
            old.finish_and_clear();
        }
        s.counts = Counts {
            planned,
            ..Counts::default()
        };
        // Drawn to stdout whether or not it is a terminal: `wanted` already decided, and
        // `SKYFORM_PROGRESS=live` must be able to force it.
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stdout()), 10);
        let bar = ProgressBar::with_draw_target(Some(planned), target);
        let style = ProgressStyle::with_template(&format!(
            "{phase}: {{pos}}/{{len}} [{{bar:20}}] {{msg}} [{{elapsed}}]"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(s.counts.message());
        // Redrawn a few times a second so the elapsed time moves while nothing happens.
        bar.enable_steady_tick(Duration::from_millis(200));
        s.bar = Some(bar);
    }

    /// Clears the status line; what was printed above it stays.
    pub fn end(&self) {
        if let Some(bar) = self.lock().bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Prints a whole line above the status line (or plainly when none is shown): the
    /// status line is taken down, the line written as is (no padding, so the scrollback
    /// holds exactly Terraform's text), and the status line drawn again below it.
    fn println(&self, line: &str) {
        let bar = self.lock().bar.clone();
        let write = || {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        };
        match bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn count(&self, event: &Event) {
        let mut s = self.lock();
        let c = &mut s.counts;
        match event {
            Event::Started { .. } => {
                c.started += 1;
                // An operation the plan did not count (a data source read again): the
                // total grows rather than the queue going negative.
                c.planned = c.planned.max(c.started);
            }
            Event::Completed { .. } => c.done += 1,
            Event::Failed { .. } => c.failed += 1,
            Event::RefreshStarted { .. }
            | Event::RefreshCompleted { .. }
            | Event::Progress { .. } => return,
        }
        let (message, finished, planned) = (c.message(), c.done + c.failed, c.planned);
        if let Some(bar) = &s.bar {
            bar.set_length(planned);
            bar.set_position(finished);
            bar.set_message(message);
        }
    }

    /// The sink: each event's progress line (from `line`) above the status line, and the
    /// counts updated.
    pub fn sink(&self, line: fn(&Event) -> Option<String>) -> EventSink {
        let live = self.clone();
        Arc::new(move |event: Event| {
            if let Some(text) = line(&event) {
                live.println(&text);
            }
            live.count(&event);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_gets_the_live_display() {
        // A terminal, nothing said: live.
        assert!(decide(None, false, false, true, Some("xterm"), false));
        // Off a terminal, with -json, -no-color, TERM=dumb or in automation: plain.
        assert!(!decide(None, false, false, false, Some("xterm"), false));
        assert!(!decide(None, true, false, true, Some("xterm"), false));
        assert!(!decide(None, false, true, true, Some("xterm"), false));
        assert!(!decide(None, false, false, true, Some("dumb"), false));
        assert!(!decide(None, false, false, true, Some("xterm"), true));
        // The variable forces either way, but never over -json.
        assert!(decide(Some("live"), false, true, false, None, true));
        assert!(!decide(
            Some("plain"),
            false,
            false,
            true,
            Some("xterm"),
            false
        ));
        assert!(!decide(
            Some("live"),
            true,
            false,
            true,
            Some("xterm"),
            false
        ));
    }

    #[test]
    fn counts_never_go_negative() {
        let mut c = Counts {
            planned: 2,
            ..Counts::default()
        };
        assert_eq!(c.message(), "0 done, 0 in flight, 0 failed, 2 queued");
        c.started = 3;
        c.done = 1;
        c.failed = 1;
        assert_eq!(c.message(), "1 done, 1 in flight, 1 failed, 0 queued");
    }
}
