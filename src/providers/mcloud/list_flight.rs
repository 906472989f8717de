//! Batched resolution of new machines by IP.
//!
//! `POST /v1/instance` answers with the new machine's IP, and the API can only find a machine
//! by IP by listing all of them. Creates do not hold their `-parallelism` slot while they wait
//! for that (they release it once the cloud acknowledged them and the intent is durable, see
//! `instance::create`); they register their IP here and wait. One driver sends the lists:
//! while other creates still have their `POST` in flight it holds back (their machines would
//! need another list anyway), so that one list resolves every pending IP. It lists at once
//! when no create is in flight (a dependent is waiting for the id, or the run is ending), and
//! at the latest [`MAX_HOLD`] after the oldest waiter registered, so a dependent of one early
//! create in a large batch waits a bounded time.
//!
//! A waiter is only answered from a list whose request went out after it registered (its
//! `POST` had answered by then), so the list includes its machine.

use super::api::Instance;
use super::client::Client;
use crate::provider::ProviderError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// The longest a registered IP waits for a list while creates are still in flight: a bound
/// on how long a dependent of one early create in a large batch waits for its id. Long
/// enough that a batch lists a handful of times, not once per slot round, even on a slow
/// machine (1,000 creates at 20 ms per request and parallelism 10 take about 2 s).
pub const MAX_HOLD: Duration = Duration::from_secs(5);

/// After the last create in flight answers, how long to wait for another one to start before
/// listing (the engine starts the next create as soon as a slot is free).
const SETTLE: Duration = Duration::from_millis(3);

/// One registered IP: `None` answers "not listed yet".
type Waiter = (
    String,
    oneshot::Sender<Result<Option<Instance>, ProviderError>>,
);

#[derive(Default)]
pub struct ListFlight {
    state: Mutex<Rounds>,
    wake: Notify,
}

#[derive(Default)]
struct Rounds {
    /// Creates whose `POST` is in flight (their IP is not known yet).
    creating: usize,
    waiting: Vec<Waiter>,
    /// When the oldest waiter registered.
    oldest: Option<Instant>,
    driving: bool,
    /// Lists sent, for tests.
    lists: u64,
}

impl std::fmt::Debug for ListFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListFlight")
    }
}

/// Held while a create's `POST` is in flight; see [`ListFlight::begin_create`].
pub struct Creating(Arc<ListFlight>);

impl Drop for Creating {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.creating = st.creating.saturating_sub(1);
        drop(st);
        self.0.wake.notify_one();
    }
}

impl ListFlight {
    fn lock(&self) -> MutexGuard<'_, Rounds> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks a create's `POST` in flight until the guard drops: lists wait for it (briefly).
    pub fn begin_create(self: &Arc<Self>) -> Creating {
        self.lock().creating += 1;
        Creating(self.clone())
    }

    /// How many lists this client has sent to resolve IPs.
    pub fn lists_sent(&self) -> u64 {
        self.lock().lists
    }

    /// The newest machine with `ip`, from a list sent after this call; `None` when that list
    /// does not show it (yet).
    pub async fn resolve(
        self: &Arc<Self>,
        client: &Client,
        ip: &str,
    ) -> Result<Option<Instance>, ProviderError> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut st = self.lock();
            st.waiting.push((ip.to_string(), tx));
            st.oldest.get_or_insert_with(Instant::now);
            !std::mem::replace(&mut st.driving, true)
        };
        if start {
            let (me, c) = (self.clone(), client.clone());
            tokio::spawn(async move { me.drive(&c).await });
        } else {
            self.wake.notify_one();
        }
        rx.await.unwrap_or_else(|_| {
            Err(ProviderError::new(
                super::client::PROVIDER,
                "GET /v1/instance/list",
                "the list was abandoned",
            ))
        })
    }

    /// Whether to list now; otherwise how long to wait at most before asking again.
    fn due(&self) -> Result<bool, Duration> {
        let st = self.lock();
        if st.waiting.is_empty() {
            return Ok(false);
        }
        if st.creating == 0 {
            return Ok(true);
        }
        let held = st.oldest.map(|t| t.elapsed()).unwrap_or_default();
        if held >= MAX_HOLD {
            Ok(true)
        } else {
            Err(MAX_HOLD - held)
        }
    }

    /// Sends lists until nobody waits.
    async fn drive(&self, client: &Client) {
        loop {
            match self.due() {
                Ok(false) => {
                    let mut st = self.lock();
                    if st.waiting.is_empty() {
                        st.driving = false;
                        return;
                    }
                    continue;
                }
                Ok(true) => {
                    // Give a create that is about to start the chance to join this round.
                    tokio::time::sleep(SETTLE).await;
                    if self.due().is_err() {
                        continue;
                    }
                }
                Err(wait) => {
                    let _ = tokio::time::timeout(wait, self.wake.notified()).await;
                    continue;
                }
            }
            let round = {
                let mut st = self.lock();
                st.oldest = None;
                st.lists += 1;
                std::mem::take(&mut st.waiting)
            };
            if round.is_empty() {
                continue;
            }
            match super::instance::list(client).await {
                Ok(all) => {
                    let mut by_ip: HashMap<&str, &Instance> = HashMap::new();
                    for i in &all {
                        for ip in [&i.private_ip_address, &i.public_ip_address] {
                            if ip.is_empty() {
                                continue;
                            }
                            let e = by_ip.entry(ip.as_str()).or_insert(i);
                            if i.id > e.id {
                                *e = i;
                            }
                        }
                    }
                    for (ip, tx) in round {
                        let _ = tx.send(Ok(by_ip.get(ip.as_str()).map(|i| (*i).clone())));
                    }
                }
                Err(e) => {
                    for (_, tx) in round {
                        let _ = tx.send(Err(e.clone()));
                    }
                }
            }
        }
    }
}
