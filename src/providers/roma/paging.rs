//! Every page of the instance list: the first page gives `total`, the rest are fetched
//! in parallel (at most [`PARALLEL_PAGES`] at once; stepping by the first page's length
//! when the service gave fewer than `limit`, as one that caps `limit` does), and what arrived is checked
//! against `total` (and for repeated ids) so a list that changed while it was read, or
//! a miscounting API, is an error instead of a silently wrong answer.

use super::client::{Client, PageQuery};
use super::wire::Instance;
use super::PROVIDER;
use crate::provider::{CancelToken, ErrorKind, ProviderError};
use futures::stream::{StreamExt, TryStreamExt};

/// Items per call when none is configured.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// Pages in flight at once after the first.
pub const PARALLEL_PAGES: usize = 8;
/// More pages than this for one list is refused (a runaway `total`).
pub const MAX_PAGES: u64 = 100_000;

/// The instances and the API's `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub total: u64,
    pub instances: Vec<Instance>,
}

fn inconsistent(message: String) -> ProviderError {
    ProviderError::new(PROVIDER, "list instances", message).kind(ErrorKind::Other)
}

/// Lists every instance from `offset` on, `page_size` per call, with the `status` filter.
pub async fn list_all(
    client: &Client,
    status: Option<String>,
    offset: u64,
    page_size: u64,
    cancel: &CancelToken,
) -> Result<Listing, ProviderError> {
    let query = |offset| PageQuery {
        offset,
        limit: page_size,
        status: status.clone(),
    };
    let first = client.list_page(&query(offset), cancel).await?;
    let total = first.total.ok_or_else(|| {
        inconsistent("the first page has no \"total\"; cannot tell how many pages to fetch".into())
    })?;
    let expected = total.saturating_sub(offset);
    // A service that caps `limit` below what was asked answers short first pages: step
    // by what it gives, so no instance is skipped.
    let first_len = first.instances.as_ref().map_or(0, Vec::len) as u64;
    let step = if first_len > 0 && first_len < page_size.min(expected) {
        first_len
    } else {
        page_size
    };
    let rest: Vec<u64> = if step == 0 {
        Vec::new()
    } else {
        let pages = expected.div_ceil(step);
        if pages > MAX_PAGES {
            return Err(inconsistent(format!(
                "the API reports {total} instances, {pages} pages of {step}; more than {MAX_PAGES} pages is refused (raise limit)"
            )));
        }
        (1..pages).map(|p| offset + p * step).collect()
    };
    let mut pages = vec![(offset, first)];
    let more: Vec<_> = futures::stream::iter(rest)
        .map(|o| {
            let q = query(o);
            async move { client.list_page(&q, cancel).await.map(|p| (o, p)) }
        })
        .buffered(PARALLEL_PAGES)
        .try_collect()
        .await?;
    pages.extend(more);
    let mut instances = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).min(1 << 20));
    for (o, page) in pages {
        let items = page.instances.unwrap_or_default();
        if let Some(size) = page.size {
            if size != items.len() as u64 {
                return Err(inconsistent(format!(
                    "the page at offset {o} says size {size} but holds {} instances",
                    items.len()
                )));
            }
        }
        instances.extend(items);
    }
    if instances.len() as u64 != expected {
        return Err(inconsistent(format!(
            "the API reported total {total} (so {expected} from offset {offset}) but {} instances arrived in pages of {step}; the list may have changed while it was read, try again",
            instances.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for i in &instances {
        if let Some(id) = &i.id {
            if !seen.insert(id.as_str()) {
                return Err(inconsistent(format!(
                    "instance {id} arrived twice; the list changed while it was read, try again"
                )));
            }
        }
    }
    Ok(Listing { total, instances })
}
