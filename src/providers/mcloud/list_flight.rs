//! Concurrent creates share `GET /v1/instance/list` calls.
//!
//! `POST /v1/instance` answers with the new machine's IP, and the API can only find a machine
//! by IP by listing all of them. With one list per create, creating n machines decodes n
//! lists of up to n machines each. Here lists go in rounds: at most one is in flight, and
//! every create that needs a list while one is running shares the next one, which starts as
//! soon as the running one ends. A create only ever uses a list that started after its own
//! POST returned, so the list includes its machine.

use super::api::Instance;
use super::client::Client;
use crate::provider::ProviderError;
use futures::future::{BoxFuture, FutureExt, Shared};
use std::sync::{Arc, Mutex};
use std::time::Instant;

type ListFuture = Shared<BoxFuture<'static, Result<Arc<Vec<Instance>>, ProviderError>>>;

/// One list call: when its request went out (None: not yet), and its shared answer.
#[derive(Clone)]
struct Flight {
    started: Arc<Mutex<Option<Instant>>>,
    answer: ListFuture,
}

#[derive(Default)]
pub struct ListFlight {
    latest: Mutex<Option<Flight>>,
}

impl std::fmt::Debug for ListFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListFlight")
    }
}

impl ListFlight {
    /// All instances, from a list call whose request went out no earlier than `not_before`.
    pub async fn list_since(
        &self,
        client: &Client,
        not_before: Instant,
    ) -> Result<Arc<Vec<Instance>>, ProviderError> {
        let answer = {
            let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            let usable = latest.as_ref().filter(|f| {
                let started = *f.started.lock().unwrap_or_else(|e| e.into_inner());
                started.is_none_or(|s| s >= not_before)
            });
            match usable {
                Some(f) => f.answer.clone(),
                None => {
                    // Wait for the list still running (if any), then ask again.
                    let previous = latest
                        .as_ref()
                        .map(|f| f.answer.clone())
                        .filter(|a| a.peek().is_none());
                    let flight = Self::flight(client, previous);
                    *latest = Some(flight.clone());
                    flight.answer
                }
            }
        };
        answer.await
    }

    fn flight(client: &Client, after: Option<ListFuture>) -> Flight {
        let started = Arc::new(Mutex::new(None));
        let (c, mark) = (client.clone(), started.clone());
        let answer = async move {
            if let Some(previous) = after {
                let _ = previous.await;
            }
            *mark.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            super::instance::list(&c).await.map(Arc::new)
        }
        .boxed()
        .shared();
        Flight { started, answer }
    }
}
