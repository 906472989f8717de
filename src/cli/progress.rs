//! "Still creating... [10s elapsed]": a ticker over the operations that have actually
//! started (the engine's `Started` events, sent once an operation holds a `-parallelism`
//! slot), so the time counts from the real start. Every `interval` of an operation's life
//! the wrapped sink receives one `Event::Progress` whose message is Terraform's
//! `Still creating...` (`Modifying`, `Destroying`, `Reading`). Providers' own progress
//! reports are folded into this rhythm rather than printed as they come (a wait may poll
//! every second).

use crate::addr::AbsInstance;
use crate::engine::{Event, EventSink, Operation};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// How often a running operation is reported: Terraform's 10 s, or
/// `SKYFORM_PROGRESS_INTERVAL` (a duration such as `2s`, for tests and for logs that want
/// a different pace).
pub fn interval() -> Duration {
    std::env::var("SKYFORM_PROGRESS_INTERVAL")
        .ok()
        .and_then(|s| crate::config::loader::parse_duration(&s))
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(10))
}

pub fn still(op: Operation) -> &'static str {
    match op {
        Operation::Create => "Still creating...",
        Operation::Update => "Still modifying...",
        Operation::Delete => "Still destroying...",
        Operation::Read => "Still reading...",
        Operation::Import => "Still importing...",
    }
}

struct Running {
    op: Operation,
    started: Instant,
    /// How many intervals have been reported.
    reported: u32,
}

type Table = Mutex<HashMap<AbsInstance, Running>>;

/// Wraps `inner` with the ticker. The ticker thread ends when the returned sink is dropped.
pub fn with_ticker(inner: EventSink, every: Duration) -> EventSink {
    let table: Arc<Table> = Arc::new(Mutex::new(HashMap::new()));
    spawn_ticker(Arc::downgrade(&table), inner.clone(), every);
    Arc::new(move |event: Event| {
        tracing::debug!(?event, "engine event");
        let mut t = table.lock().unwrap_or_else(|e| e.into_inner());
        match &event {
            Event::Started { addr, op, .. } => {
                t.insert(
                    addr.clone(),
                    Running {
                        op: *op,
                        started: Instant::now(),
                        reported: 0,
                    },
                );
            }
            Event::Completed { addr, .. } | Event::Failed { addr, .. } => {
                t.remove(addr);
            }
            // The ticker reports running operations.
            Event::Progress { .. } => return,
            Event::RefreshStarted { .. } | Event::RefreshCompleted { .. } => {}
        }
        drop(t);
        inner(event);
    })
}

fn spawn_ticker(table: Weak<Table>, inner: EventSink, every: Duration) {
    let tick = (every / 10).clamp(Duration::from_millis(50), Duration::from_millis(500));
    let spawned = std::thread::Builder::new()
        .name("skyform-progress".into())
        .spawn(move || loop {
            std::thread::sleep(tick);
            let Some(table) = table.upgrade() else {
                return;
            };
            let mut due = Vec::new();
            {
                let mut t = table.lock().unwrap_or_else(|e| e.into_inner());
                for (addr, r) in t.iter_mut() {
                    let elapsed = r.started.elapsed();
                    let intervals =
                        u32::try_from(elapsed.as_millis() / every.as_millis().max(1)).unwrap_or(0);
                    if intervals > r.reported {
                        r.reported = intervals;
                        due.push(Event::Progress {
                            addr: addr.clone(),
                            op: r.op,
                            message: still(r.op).to_string(),
                            elapsed: every * intervals,
                        });
                    }
                }
            }
            drop(table);
            due.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
            for e in due {
                inner(e);
            }
        });
    // Without the thread there are no "Still ..." lines; everything else still works.
    let _ = spawned;
}
