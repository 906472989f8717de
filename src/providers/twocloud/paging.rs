//! Reading a whole server list through `f`/`t` windows, several in flight at once.
//!
//! The API gives no total: an answer is `{code, msg, vm_servers}` and nothing more. A
//! client knows it has everything when a window comes back short (fewer servers than it
//! asked for; an empty window past the end counts). So windows are fetched ahead on
//! speculation, `parallel_pages` at a time: windows 1..=P start at once, and window k+P
//! starts when window k has come back full. The windows fetched are therefore exactly
//! 1..=(E + P - 1), where E is the first short window (E = floor(servers / page_size) + 1):
//! each once, whatever order the answers arrive in, and P - 1 of them past the end, the
//! price of not knowing the total.
//!
//! The windows past the end are also the check that nothing was lost: every one of them
//! must be empty. A short window followed by one with servers means the list changed while
//! it was read, or the API dropped servers (or caps its windows below `page_size`); the read
//! then fails instead of returning a partial list. So does a window answering more servers
//! than it was asked for, and a server id seen twice.

use super::client::{Client, Scope, Window, PROVIDER};
use super::wire::VmServer;
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::{BTreeMap, HashMap};

/// No list is read past this many windows (a server that keeps answering full windows of
/// new ids is broken, and must not make skyform loop forever).
pub const MAX_WINDOWS: u64 = 100_000;

fn inconsistent(operation: String, message: String) -> ProviderError {
    ProviderError::new(PROVIDER, operation, message).kind(ErrorKind::Transient)
}

/// Every server of `scope`, in the API's order.
pub async fn list_all(
    client: &Client,
    scope: &Scope,
    cancel: &CancelToken,
) -> Result<Vec<VmServer>, ProviderError> {
    let size = client.page_size();
    let ahead = client.parallel_pages() as u64;
    let mut done: BTreeMap<u64, Vec<VmServer>> = BTreeMap::new();
    let mut in_flight = FuturesUnordered::new();
    let fetch = |k: u64| {
        let window = Window::nth(k, size);
        async move { (k, client.window(scope, window, cancel).await) }
    };
    for k in 1..=ahead {
        in_flight.push(fetch(k));
    }
    while let Some((k, answer)) = in_flight.next().await {
        let servers = answer?;
        let window = Window::nth(k, size);
        if servers.len() as u64 > window.len() {
            return Err(inconsistent(
                client.describe(scope, window),
                format!(
                    "the window {window} asked for {} servers and {} came back; the API does not honour f and t",
                    window.len(),
                    servers.len()
                ),
            ));
        }
        let full = servers.len() as u64 == window.len();
        done.insert(k, servers);
        if full {
            let next = k + ahead;
            if next > MAX_WINDOWS {
                return Err(inconsistent(
                    client.describe(scope, Window::nth(next, size)),
                    format!(
                        "more than {MAX_WINDOWS} windows of {size} servers; the API keeps answering full windows"
                    ),
                ));
            }
            in_flight.push(fetch(next));
        }
    }
    assemble(client, scope, done)
}

/// The servers of the windows before and including the first short one, once the windows
/// after it are checked empty and no id came twice.
fn assemble(
    client: &Client,
    scope: &Scope,
    done: BTreeMap<u64, Vec<VmServer>>,
) -> Result<Vec<VmServer>, ProviderError> {
    let size = client.page_size();
    let end = done
        .iter()
        .find(|(k, servers)| (servers.len() as u64) < Window::nth(**k, size).len())
        .map(|(k, _)| *k)
        .unwrap_or(0);
    let short = done.get(&end).map(Vec::len).unwrap_or(0);
    if let Some((k, extra)) = done.range(end + 1..).find(|(_, s)| !s.is_empty()) {
        let late = Window::nth(*k, size);
        return Err(inconsistent(
            client.describe(scope, late),
            format!(
                "the server list does not add up: window {} answered {short} of {size} servers, which marks the end of the list, yet window {late} answered {} more; the list changed while it was read, or the API dropped servers from a window (or answers fewer than {size} per window: lower page_size). Nothing was returned; try again",
                Window::nth(end, size),
                extra.len()
            ),
        ));
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for (k, servers) in done.into_iter().take_while(|(k, _)| *k <= end) {
        for s in servers {
            if let Some(first) = seen.insert(s.instance_id.clone(), k) {
                return Err(inconsistent(
                    client.describe(scope, Window::nth(k, size)),
                    format!(
                        "server {:?} came back in window {} and again in window {}; the list changed while it was read. Nothing was returned; try again",
                        s.instance_id,
                        Window::nth(first, size),
                        Window::nth(k, size)
                    ),
                ));
            }
            out.push(s);
        }
    }
    Ok(out)
}
