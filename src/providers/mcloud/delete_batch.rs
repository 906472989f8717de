//! Concurrent instance deletes share `DELETE /v1/instance/:instanceIds` calls.
//!
//! The API deletes several comma-separated ids in one call, all or nothing. A delete queues its
//! id and frees its `-parallelism` slot (`OperationContext::release_slot`): it now waits for a
//! shared call, not one of its own, so the engine can queue the next ones. A driver sends the
//! queued ids once no new id arrived for a moment (or a call's worth is waiting), with up to
//! [`MAX_IN_FLIGHT`] calls at once; the batch size is chosen from the ids waiting: spread
//! over the free calls, at least [`MIN_IDS`] and at most [`MAX_IDS`] per call (a bound on the
//! URL's length). If a combined call fails, its ids are retried one by one, so each delete
//! gets its own answer (one bad id does not fail the others).

use super::client::Client;
use crate::provider::{OperationContext, ProviderError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// Ids in one call at most (about 2.3 KB of URL with the seed's 22-character ids).
pub const MAX_IDS: usize = 100;
/// Ids in one call at least, when that many wait: fewer, larger calls beat more parallel ones.
pub const MIN_IDS: usize = 25;
/// Delete calls in flight at once.
pub const MAX_IN_FLIGHT: usize = 4;
/// How long the queue must be quiet before a partial batch goes out.
const SETTLE: Duration = Duration::from_millis(2);

type Waiter = (String, oneshot::Sender<Result<(), ProviderError>>);

#[derive(Default)]
pub struct DeleteBatch {
    state: Mutex<Rounds>,
    wake: Notify,
}

#[derive(Default)]
struct Rounds {
    driving: bool,
    in_flight: usize,
    queue: Vec<Waiter>,
    last_arrival: Option<Instant>,
}

impl std::fmt::Debug for DeleteBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeleteBatch")
    }
}

/// What the driver does next.
enum Step {
    Stop,
    Wait(Option<Duration>),
    Send(Vec<Waiter>),
}

impl DeleteBatch {
    fn lock(&self) -> MutexGuard<'_, Rounds> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Deletes one instance, sharing the call with deletes requested at the same time.
    pub async fn delete(
        self: &Arc<Self>,
        client: &Client,
        id: String,
        op: &OperationContext,
    ) -> Result<(), ProviderError> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut st = self.lock();
            st.queue.push((id.clone(), tx));
            st.last_arrival = Some(Instant::now());
            !std::mem::replace(&mut st.driving, true)
        };
        if start {
            let (me, c) = (self.clone(), client.clone());
            tokio::spawn(async move { me.drive(&c).await });
        } else {
            self.wake.notify_one();
        }
        op.release_slot();
        rx.await.unwrap_or_else(|_| {
            Err(ProviderError::new(
                "mcloud",
                format!("DELETE /v1/instance/{id}"),
                "the delete was abandoned",
            ))
        })
    }

    fn next(&self) -> Step {
        let mut st = self.lock();
        if st.queue.is_empty() {
            if st.in_flight == 0 {
                st.driving = false;
                return Step::Stop;
            }
            return Step::Wait(None);
        }
        if st.in_flight >= MAX_IN_FLIGHT {
            return Step::Wait(None);
        }
        let quiet = st.last_arrival.map(|t| t.elapsed()).unwrap_or(SETTLE);
        if st.queue.len() < MAX_IDS && quiet < SETTLE {
            return Step::Wait(Some(SETTLE - quiet));
        }
        let free = MAX_IN_FLIGHT - st.in_flight;
        let size = st
            .queue
            .len()
            .div_ceil(free)
            .clamp(MIN_IDS, MAX_IDS)
            .min(st.queue.len());
        st.in_flight += 1;
        Step::Send(st.queue.drain(..size).collect())
    }

    /// Sends calls until nothing is queued or in flight.
    async fn drive(self: Arc<Self>, client: &Client) {
        loop {
            match self.next() {
                Step::Stop => return,
                Step::Wait(None) => self.wake.notified().await,
                Step::Wait(Some(d)) => {
                    let _ = tokio::time::timeout(d, self.wake.notified()).await;
                }
                Step::Send(round) => {
                    let (me, c) = (self.clone(), client.clone());
                    tokio::spawn(async move {
                        send(&c, round).await;
                        me.lock().in_flight -= 1;
                        me.wake.notify_one();
                    });
                }
            }
        }
    }
}

/// One combined call; on failure, each id on its own.
async fn send(client: &Client, round: Vec<Waiter>) {
    let ids: Vec<String> = round.iter().map(|(id, _)| id.clone()).collect();
    match super::instance::delete_ids(client, &ids).await {
        Ok(_) => {
            for (_, tx) in round {
                let _ = tx.send(Ok(()));
            }
        }
        Err(e) if round.len() == 1 => {
            for (_, tx) in round {
                let _ = tx.send(Err(e.clone()));
            }
        }
        Err(_) => {
            for (id, tx) in round {
                let one = super::instance::delete_ids(client, std::slice::from_ref(&id)).await;
                let _ = tx.send(one.map(|_| ()));
            }
        }
    }
}
