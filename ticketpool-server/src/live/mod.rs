//! Live updates over Server-Sent Events: an event's availability
//! (`GET /api/events/{id}/live`) and a customer's holds
//! (`GET /api/me/live`).
//!
//! No thread per client: a stream is a future on the connection's task.
//! Each event with subscribers has one fan-out fed by one pump thread
//! reading the office's events ([`feed`]); each customer with a stream has
//! one channel the booking routes publish to ([`customers`]). Stopping the
//! server ends every stream, so its graceful stop does not wait on them.

mod customer_stream;
mod customers;
mod event_stream;
mod feed;
mod rate;
mod seat_deltas;

use std::sync::Arc;

use tokio::sync::watch;

pub(crate) use customer_stream::{customer_stream, OpenHolds, Places};
pub(crate) use customers::{Customers, HoldChange};
pub(crate) use event_stream::{event_stream, StatusNow};
pub(crate) use feed::Feeds;
pub(crate) use seat_deltas::with_seat_deltas;

/// The live side of the service.
pub(crate) struct Live {
    /// The events' fan-outs.
    pub(crate) feeds: Arc<Feeds>,
    /// The customers' channels.
    pub(crate) customers: Customers,
    /// `true` once the server stops: every stream ends.
    stopping: watch::Sender<bool>,
}

impl Default for Live {
    fn default() -> Self {
        Self {
            feeds: Arc::default(),
            customers: Customers::default(),
            stopping: watch::channel(false).0,
        }
    }
}

impl Live {
    /// What a stream watches to end when the server stops.
    pub(crate) fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Ends every stream (at once: their connections can then close).
    pub(crate) fn begin_stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Ends every stream and waits for the pumps. Blocks: call it off the
    /// async threads.
    pub(crate) fn stop(&self) {
        self.begin_stop();
        self.feeds.stop_all();
    }
}
