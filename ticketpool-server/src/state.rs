//! What every handler shares: the catalog and its directory, the accounts,
//! the holds, the idempotency keys, the stock, the live streams, the
//! waiting room and the metrics.

use std::sync::Arc;

use ticketpool_catalog::{Catalog, Event, EventId};
use ticketpool_persist::CatalogHome;

use crate::accounts::Accounts;
use crate::errors::{ApiError, ApiResult};
use crate::event_page::EventPages;
use crate::holds::Holds;
use crate::idempotency::Keys;
use crate::live::Live;
use crate::metrics::Metrics;
use crate::seats::feed::SeatFeeds;
use crate::stock::Stock;
use crate::store::SoleServer;
use crate::waiting::WaitingRoom;

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
    /// Reserves waiting for a ticket.
    pub(crate) waiting: Arc<WaitingRoom>,
    /// Seated events' live seat maps.
    pub(crate) seat_feeds: SeatFeeds,
    /// Request counters.
    pub(crate) metrics: Metrics,
    /// The admin token (compared in constant time, see `auth`).
    pub(crate) admin_token: String,
    /// The event pages as last built, rebuilt when what they show changes.
    pub(crate) pages: EventPages,
    /// `true` under [`Durability::Batched`](ticketpool_persist::Durability):
    /// the journal's `record` only queues (it waits only if the writer's
    /// bounded queue is full), so reserve and confirm run on the async
    /// threads instead of paying a hand-off to a blocking thread each.
    pub(crate) journal_queues: bool,
}

/// The state as handlers get it.
pub(crate) type Shared = Arc<AppState>;

/// The bound server's state until it runs, and the lock that keeps a
/// second server off its data directory or schema until it has stopped.
/// Dropped (unrun, on an error path, or at the end of the run), both are
/// let go on a thread of its own if this is an async thread: PostgreSQL's
/// blocking client panics if it closes on one.
pub(crate) struct Owned {
    state: Option<Shared>,
    sole: Option<SoleServer>,
}

impl Owned {
    pub(crate) fn new(state: AppState, sole: SoleServer) -> Self {
        Self {
            state: Some(Arc::new(state)),
            sole: Some(sole),
        }
    }

    /// The state.
    pub(crate) fn get(&self) -> &Shared {
        // Only `take` empties it, and `run_until` takes it as it consumes
        // the server.
        self.state.as_ref().expect("the server's state was taken")
    }

    /// The state, to run with. The lock stays: it goes when this does,
    /// once the run has ended, whether or not a task still holds a clone
    /// of the state (the next server may start then).
    pub(crate) fn take(&mut self) -> Shared {
        self.state.take().expect("the server's state was taken")
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let (state, sole) = (self.state.take(), self.sole.take());
        if tokio::runtime::Handle::try_current().is_ok() {
            // Joined: the caller may reopen the same store next.
            let _ = std::thread::spawn(move || drop((state, sole))).join();
        } else {
            drop((state, sole));
        }
    }
}

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

/// Runs `work` at once if the journal only queues (`journal_queues`),
/// else as [`blocking`].
pub(crate) async fn journaling<T, F>(state: &AppState, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    if state.journal_queues {
        work()
    } else {
        blocking(work).await
    }
}

/// Every event, drafts and past ones too, by id (ids are dense from 1).
pub(crate) fn every_event(catalog: &Catalog) -> Vec<Event> {
    (1..)
        .map_while(|id| catalog.event(EventId(id)).ok())
        .collect()
}
