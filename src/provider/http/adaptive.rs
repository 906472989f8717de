//! Adaptive concurrency (AIMD) for one provider's calls, so a throttling cloud is met at the
//! rate it allows instead of with a storm of retries.
//!
//! Every attempt of [`super::HttpClient::send`] holds a [`Permit`] while it is on the wire.
//! The number of permits (the *limit*) starts at the ceiling (the run's `-parallelism`) and
//! moves like TCP's congestion window:
//!
//! - an answer of HTTP 429 (a [`super::ErrorKind::Throttled`] error) **halves** the limit
//!   (never below 1), once per round: the other calls that were already on the wire when the
//!   first 429 came back carry the same round number and do not halve it again;
//! - after as many successes in a row as the limit allows at once (one round of calls), the
//!   limit grows **by one**, never above the ceiling;
//! - a 429's `Retry-After` (capped by the retry policy) **pauses** every new attempt of this
//!   client until then, not only the one that was refused: a cloud that counts requests per
//!   second sees one probe when its window reopens, not every waiting call at once.
//!
//! The engine's `-parallelism` slots still bound the operations in flight; this only lowers
//! the number of HTTP requests below that while the cloud pushes back.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The AIMD limit and the calls holding it.
#[derive(Debug)]
pub struct AdaptiveLimit {
    ceiling: usize,
    state: Mutex<State>,
    /// Woken whenever a permit is returned or the limit grows.
    freed: Notify,
}

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    /// Successes since the limit last changed.
    successes: usize,
    /// Bumped on every decrease; a permit remembers the round it was taken in.
    round: u64,
    /// No attempt starts before this instant (the last 429's `Retry-After`).
    paused_until: Option<Instant>,
}

/// What a caller must do before sending: go ahead with a permit, or wait.
enum Admission {
    Go(u64),
    /// Wait this long, for the pause that ends at the instant given.
    WaitFor(Duration, Instant),
    WaitForPermit,
}

/// One attempt's right to be on the wire; returned on drop.
#[derive(Debug)]
pub struct Permit<'a> {
    limit: &'a AdaptiveLimit,
    round: u64,
}

impl AdaptiveLimit {
    /// A limit starting (and capped) at `ceiling` calls at once (at least 1).
    pub fn new(ceiling: usize) -> AdaptiveLimit {
        let ceiling = ceiling.max(1);
        AdaptiveLimit {
            ceiling,
            state: Mutex::new(State {
                limit: ceiling,
                in_flight: 0,
                successes: 0,
                round: 0,
                paused_until: None,
            }),
            freed: Notify::new(),
        }
    }

    /// The number of calls allowed at once now.
    pub fn current(&self) -> usize {
        self.lock().limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a permit: until no pause is in force and fewer than `limit` calls are on
    /// the wire. `sleep` is how to wait for a pause to end (the retry policy's sleeper); a
    /// pause once slept through counts as served, so a test's sleeper that returns at once
    /// does not make this spin until the real time has passed. `served`: the caller already
    /// waited for pauses ending up to then (a retry that slept out its own `Retry-After`).
    pub async fn acquire<F>(&self, served: Option<Instant>, sleep: F) -> Permit<'_>
    where
        F: Fn(Duration) -> futures::future::BoxFuture<'static, ()>,
    {
        let mut served = served;
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let admission = {
                let mut s = self.lock();
                let now = Instant::now();
                match s.paused_until {
                    Some(until) if until > now && served.is_none_or(|w| w < until) => {
                        Admission::WaitFor(until - now, until)
                    }
                    _ if s.in_flight < s.limit => {
                        s.in_flight += 1;
                        Admission::Go(s.round)
                    }
                    _ => Admission::WaitForPermit,
                }
            };
            match admission {
                Admission::Go(round) => return Permit { limit: self, round },
                Admission::WaitFor(d, until) => {
                    sleep(d).await;
                    served = Some(until);
                }
                Admission::WaitForPermit => freed.await,
            }
        }
    }
}

impl Permit<'_> {
    /// The call was answered without throttling: one step towards a larger limit.
    pub fn succeeded(self) {
        let mut s = self.limit.lock();
        s.successes += 1;
        if s.successes >= s.limit && s.limit < self.limit.ceiling {
            s.limit += 1;
            s.successes = 0;
            drop(s);
            self.limit.freed.notify_waiters();
        }
    }

    /// The cloud answered 429: halve the limit (once per round) and pause every new attempt
    /// for `retry_after`, if the cloud said how long.
    pub fn throttled(self, retry_after: Option<Duration>) {
        let mut s = self.limit.lock();
        if self.round == s.round {
            s.limit = (s.limit / 2).max(1);
            s.round += 1;
        }
        s.successes = 0;
        if let Some(wait) = retry_after.filter(|d| !d.is_zero()) {
            let until = Instant::now() + wait;
            s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limit.lock().in_flight -= 1;
        self.limit.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    fn no_sleep(_: Duration) -> futures::future::BoxFuture<'static, ()> {
        async {}.boxed()
    }

    #[tokio::test]
    async fn halves_on_429_once_per_round_and_grows_by_one_per_round_of_successes() {
        let limit = AdaptiveLimit::new(8);
        let a = limit.acquire(None, no_sleep).await;
        let b = limit.acquire(None, no_sleep).await;
        a.throttled(None);
        assert_eq!(limit.current(), 4);
        // `b` was on the wire in the same round: its 429 does not halve again.
        b.throttled(None);
        assert_eq!(limit.current(), 4);
        limit.acquire(None, no_sleep).await.throttled(None);
        assert_eq!(limit.current(), 2);
        limit.acquire(None, no_sleep).await.throttled(None);
        limit.acquire(None, no_sleep).await.throttled(None);
        assert_eq!(limit.current(), 1, "never below one");
        limit.acquire(None, no_sleep).await.succeeded();
        assert_eq!(limit.current(), 2);
        limit.acquire(None, no_sleep).await.succeeded();
        assert_eq!(limit.current(), 2);
        limit.acquire(None, no_sleep).await.succeeded();
        assert_eq!(limit.current(), 3);
        for _ in 0..100 {
            limit.acquire(None, no_sleep).await.succeeded();
        }
        assert_eq!(limit.current(), 8, "never above the ceiling");
    }

    #[tokio::test]
    async fn no_more_calls_than_the_limit_are_on_the_wire() {
        let limit = std::sync::Arc::new(AdaptiveLimit::new(4));
        let first = limit.acquire(None, no_sleep).await;
        first.throttled(None);
        assert_eq!(limit.current(), 2);
        let held1 = limit.acquire(None, no_sleep).await;
        let held2 = limit.acquire(None, no_sleep).await;
        let waiting = {
            let limit = limit.clone();
            tokio::spawn(async move {
                limit.acquire(None, no_sleep).await.succeeded();
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "a third call must wait at a limit of 2"
        );
        drop(held1);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("a returned permit lets the waiting call go")
            .expect("task");
        drop(held2);
    }

    #[tokio::test]
    async fn retry_after_pauses_every_new_attempt() {
        let limit = AdaptiveLimit::new(4);
        let slept = std::sync::Arc::new(Mutex::new(Vec::new()));
        limit
            .acquire(None, no_sleep)
            .await
            .throttled(Some(Duration::from_secs(1)));
        let record = slept.clone();
        // The recording sleeper returns at once: the pause counts as served, no spinning.
        let p = limit
            .acquire(None, move |d| {
                record.lock().unwrap_or_else(|e| e.into_inner()).push(d);
                no_sleep(d)
            })
            .await;
        let waits = slept.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(waits.len(), 1, "the next attempt waited once for the pause");
        assert!(waits[0] <= Duration::from_secs(1) && waits[0] > Duration::from_millis(500));
        drop(p);
        // With real sleeping the attempt starts only once the pause is over.
        limit
            .acquire(None, no_sleep)
            .await
            .throttled(Some(Duration::from_millis(300)));
        let started = Instant::now();
        let _p = limit.acquire(None, |d| tokio::time::sleep(d).boxed()).await;
        assert!(started.elapsed() >= Duration::from_millis(250));
    }
}
