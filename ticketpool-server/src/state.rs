//! What every handler shares: the catalog and its directory, the accounts,
//! the holds, the idempotency keys, the stock, the live streams and the
//! metrics.

use std::sync::Arc;

use ticketpool_catalog::{Catalog, Event, EventId};
use ticketpool_persist::CatalogHome;

use crate::accounts::Accounts;
use crate::errors::{ApiError, ApiResult};
use crate::holds::Holds;
use crate::idempotency::Keys;
use crate::live::Live;
use crate::metrics::Metrics;
use crate::stock::Stock;

/// The service's shared state.
pub(crate) struct AppState {
    /// Events, venues, performers and their offices.
    pub(crate) catalog: Arc<Catalog>,
    /// Where they are kept: the data directory or PostgreSQL.
    pub(crate) home: CatalogHome,
    /// Customers and their tokens.
    pub(crate) accounts: Accounts,
    /// Holds placed through the API.
    pub(crate) holds: Holds,
    /// Idempotency keys seen.
    pub(crate) keys: Keys,
    /// The vendors stocking each event on sale.
    pub(crate) stock: Stock,
    /// The live streams' fan-outs.
    pub(crate) live: Live,
    /// Request counters.
    pub(crate) metrics: Metrics,
    /// The admin token (compared in constant time, see `auth`).
    pub(crate) admin_token: String,
}

/// The state as handlers get it.
pub(crate) type Shared = Arc<AppState>;

/// Runs `work` on tokio's blocking threads: anything that waits on SQLite
/// or the journal, so the async threads keep serving.
pub(crate) async fn blocking<T, F>(work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}

/// Every event, drafts and past ones too, by id (ids are dense from 1).
pub(crate) fn every_event(catalog: &Catalog) -> Vec<Event> {
    (1..)
        .map_while(|id| catalog.event(EventId(id)).ok())
        .collect()
}
