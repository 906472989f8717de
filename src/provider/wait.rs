//! Waiting for an object to reach a state: poll a refresh function until it reports a
//! target status, with a timeout, an injectable poll interval (growing from `poll` to
//! `max_poll`), progress every `progress_every` (10 s by default), and cancellation.
//! A status that is neither pending nor target ends the wait at once with that status
//! in the error: waiting on something unexpected until the timeout helps no one.

use super::http::{Sleeper, TokioSleeper};
use super::{ErrorKind, OperationContext, Progress, ProviderError};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to wait for, and how.
#[derive(Clone)]
pub struct Wait {
    /// The provider name for errors.
    pub provider: &'static str,
    /// The operation for errors (`GET /v1/status/i-1`).
    pub operation: String,
    /// For messages: `instance i-1 to become running`.
    pub what: String,
    pub pending: Vec<String>,
    pub target: Vec<String>,
    pub timeout: Duration,
    pub poll: Duration,
    pub max_poll: Duration,
    pub progress_every: Duration,
    pub sleeper: Arc<dyn Sleeper>,
}

/// A wait that did not reach a target: the last thing seen (if anything) and why.
#[derive(Debug, Clone)]
pub struct WaitFailure<T> {
    pub last: Option<T>,
    pub error: ProviderError,
}

impl Wait {
    /// Defaults: 10 min timeout, polls from 1 s growing to 10 s, progress every 10 s.
    pub fn new(
        provider: &'static str,
        what: impl Into<String>,
        pending: &[&str],
        target: &[&str],
    ) -> Wait {
        let what = what.into();
        Wait {
            provider,
            operation: format!("wait for {what}"),
            what,
            pending: pending.iter().map(|s| s.to_string()).collect(),
            target: target.iter().map(|s| s.to_string()).collect(),
            timeout: Duration::from_secs(600),
            poll: Duration::from_secs(1),
            max_poll: Duration::from_secs(10),
            progress_every: Duration::from_secs(10),
            sleeper: Arc::new(TokioSleeper),
        }
    }

    pub fn operation(mut self, op: impl Into<String>) -> Self {
        self.operation = op.into();
        self
    }

    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Polls first after `first`, the interval doubling up to `max`.
    pub fn poll(mut self, first: Duration, max: Duration) -> Self {
        self.poll = first;
        self.max_poll = max.max(first);
        self
    }

    pub fn progress_every(mut self, d: Duration) -> Self {
        self.progress_every = d;
        self
    }

    pub fn sleeper(mut self, s: Arc<dyn Sleeper>) -> Self {
        self.sleeper = s;
        self
    }

    fn error(&self, kind: ErrorKind, message: String) -> ProviderError {
        ProviderError::new(self.provider, &self.operation, message).kind(kind)
    }

    /// Calls `refresh` until the status it reports is a target; returns what it read then.
    pub async fn until<T, F, Fut>(
        &self,
        op: &OperationContext,
        mut refresh: F,
    ) -> Result<T, WaitFailure<T>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(T, String), ProviderError>>,
    {
        let started = Instant::now();
        let mut delay = self.poll;
        let mut last: Option<T> = None;
        let mut reported = Duration::ZERO;
        let cancelled = |last: Option<T>| WaitFailure {
            last,
            error: self.error(
                ErrorKind::Cancelled,
                format!("cancelled while waiting for {}", self.what),
            ),
        };
        loop {
            if op.is_cancelled() {
                return Err(cancelled(last));
            }
            let read = tokio::select! {
                r = refresh() => r,
                _ = op.cancel.cancelled() => return Err(cancelled(last)),
            };
            let (value, status) = match read {
                Ok(r) => r,
                Err(error) => return Err(WaitFailure { last, error }),
            };
            if self.target.contains(&status) {
                return Ok(value);
            }
            last = Some(value);
            if !self.pending.contains(&status) {
                return Err(WaitFailure {
                    last,
                    error: self.error(
                        ErrorKind::Other,
                        format!(
                            "{}: unexpected status {status} (expected {} on the way to {})",
                            self.what,
                            self.pending.join(" or "),
                            self.target.join(" or "),
                        ),
                    ),
                });
            }
            let elapsed = started.elapsed();
            if elapsed + delay > self.timeout {
                return Err(WaitFailure {
                    last,
                    error: self.error(
                        ErrorKind::Timeout,
                        format!(
                            "timed out after {}s waiting for {} (last status {status}); raise the resource's timeouts or check the object",
                            self.timeout.as_secs(),
                            self.what
                        ),
                    ),
                });
            }
            if elapsed >= reported + self.progress_every {
                reported = elapsed;
                op.report(Progress::Waiting {
                    what: self.what.clone(),
                    elapsed,
                    status: status.clone(),
                });
            }
            tokio::select! {
                _ = self.sleeper.sleep(delay) => {}
                _ = op.cancel.cancelled() => return Err(cancelled(last)),
            }
            delay = (delay * 2).min(self.max_poll);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    fn wait() -> Wait {
        Wait::new(
            "test",
            "thing t-1 to become running",
            &["starting"],
            &["running"],
        )
        .poll(Duration::from_millis(1), Duration::from_millis(2))
        .timeout(Duration::from_secs(5))
    }

    /// A refresh reporting `statuses` in turn (the last one forever); counts its calls.
    fn script(
        statuses: &'static [&'static str],
        calls: Arc<AtomicUsize>,
    ) -> impl FnMut() -> futures::future::Ready<Result<(usize, String), ProviderError>> {
        move || {
            let i = calls.fetch_add(1, Ordering::SeqCst);
            let s = statuses[i.min(statuses.len() - 1)];
            futures::future::ready(Ok((i, s.to_string())))
        }
    }

    #[tokio::test]
    async fn reaches_the_target_and_returns_what_it_read() {
        let calls = Arc::new(AtomicUsize::new(0));
        let got = wait()
            .until(
                &OperationContext::default(),
                script(&["starting", "starting", "running"], calls.clone()),
            )
            .await
            .expect("reached");
        assert_eq!(got, 2);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn an_unknown_status_stops_the_wait_and_is_named() {
        let calls = Arc::new(AtomicUsize::new(0));
        let err = wait()
            .until(
                &OperationContext::default(),
                script(&["starting", "unknown(5)"], calls.clone()),
            )
            .await
            .expect_err("unexpected status");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "stopped at once");
        assert_eq!(err.last, Some(1));
        assert!(
            err.error.message.contains("unexpected status unknown(5)"),
            "{}",
            err.error
        );
        assert_eq!(err.error.kind, ErrorKind::Other);
    }

    #[tokio::test]
    async fn times_out_with_the_last_status() {
        let calls = Arc::new(AtomicUsize::new(0));
        let err = wait()
            .timeout(Duration::from_millis(30))
            .until(&OperationContext::default(), script(&["starting"], calls))
            .await
            .expect_err("times out");
        assert_eq!(err.error.kind, ErrorKind::Timeout);
        assert!(
            err.error.message.contains("last status starting"),
            "{}",
            err.error
        );
        assert!(err.last.is_some());
    }

    #[tokio::test]
    async fn cancellation_ends_a_wait_at_once() {
        let op = OperationContext::default();
        let token = op.cancel.clone();
        let calls = Arc::new(AtomicUsize::new(0));
        let w = wait()
            .timeout(Duration::from_secs(7200))
            .poll(Duration::from_secs(3600), Duration::from_secs(3600));
        let task = tokio::spawn({
            let op = op.clone();
            let calls = calls.clone();
            async move { w.until(&op, script(&["starting"], calls)).await }
        });
        // Let it poll once and start its hour-long sleep, then cancel.
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        token.cancel();
        let err = tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("ended promptly")
            .expect("joined")
            .expect_err("cancelled");
        assert_eq!(err.error.kind, ErrorKind::Cancelled);
        assert_eq!(err.last, Some(0));
    }

    #[tokio::test]
    async fn progress_names_the_status_and_elapsed_time() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let op = OperationContext::new("x.y").with_progress({
            let seen = seen.clone();
            move |p| seen.lock().unwrap_or_else(|e| e.into_inner()).push(p)
        });
        let calls = Arc::new(AtomicUsize::new(0));
        wait()
            .progress_every(Duration::ZERO)
            .until(&op, script(&["starting", "starting", "running"], calls))
            .await
            .expect("reached");
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(seen.len(), 2, "one per pending poll: {seen:?}");
        assert_eq!(
            seen[0].summary(),
            "Still waiting for thing t-1 to become running... status starting"
        );
        let text = seen[0].to_string();
        assert!(
            text.starts_with("Still waiting for thing t-1 to become running... status starting ["),
            "{text}"
        );
        assert!(text.ends_with("s elapsed]"), "{text}");
    }

    #[tokio::test]
    async fn progress_waits_for_its_interval() {
        let seen = Arc::new(AtomicUsize::new(0));
        let op = OperationContext::default().with_progress({
            let seen = seen.clone();
            move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        let calls = Arc::new(AtomicUsize::new(0));
        wait()
            .until(&op, script(&["starting", "starting", "running"], calls))
            .await
            .expect("reached");
        assert_eq!(
            seen.load(Ordering::SeqCst),
            0,
            "the 10 s interval never passed"
        );
    }
}
