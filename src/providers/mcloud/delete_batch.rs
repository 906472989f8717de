//! Concurrent instance deletes share `DELETE /v1/instance/:instanceIds` calls.
//!
//! The API deletes several comma-separated ids in one call, all or nothing. Deletes go in
//! rounds: while one call is in flight, every delete requested meanwhile waits and goes in the
//! next call together. If a combined call fails, its ids are retried one by one, so each
//! delete gets its own answer (one bad id does not fail the others).

use super::client::Client;
use crate::provider::ProviderError;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

type Waiter = (String, oneshot::Sender<Result<(), ProviderError>>);

#[derive(Default)]
pub struct DeleteBatch {
    state: Mutex<Rounds>,
}

#[derive(Default)]
struct Rounds {
    running: bool,
    queue: Vec<Waiter>,
}

impl std::fmt::Debug for DeleteBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeleteBatch")
    }
}

impl DeleteBatch {
    /// Deletes one instance, sharing the call with deletes requested at the same time.
    pub async fn delete(
        self: &Arc<Self>,
        client: &Client,
        id: String,
    ) -> Result<(), ProviderError> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            st.queue.push((id.clone(), tx));
            !std::mem::replace(&mut st.running, true)
        };
        if start {
            let (me, c) = (self.clone(), client.clone());
            tokio::spawn(async move { me.drive(&c).await });
        }
        rx.await.unwrap_or_else(|_| {
            Err(ProviderError::new(
                "mcloud",
                format!("DELETE /v1/instance/{id}"),
                "the delete was abandoned",
            ))
        })
    }

    /// Sends rounds until nothing is waiting.
    async fn drive(&self, client: &Client) {
        loop {
            let round = {
                let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                if st.queue.is_empty() {
                    st.running = false;
                    return;
                }
                std::mem::take(&mut st.queue)
            };
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
                        let one =
                            super::instance::delete_ids(client, std::slice::from_ref(&id)).await;
                        let _ = tx.send(one.map(|_| ()));
                    }
                }
            }
        }
    }
}
