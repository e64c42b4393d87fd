//! Hold changes per customer: the booking routes publish what they did to
//! a hold (created, confirmed, cancelled) on the owner's channel, and only
//! the owner's streams read it. Expiry needs no publisher: each stream
//! knows its holds' deadlines and wakes for them (see `customer_stream`).
//!
//! A customer's channel exists while one of its streams is open, so
//! publishing for a customer nobody watches costs one map lookup.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;
use tokio::sync::broadcast;

use crate::holds::BookingHold;

/// Changes buffered per customer stream before it lags (a lagging stream
/// resynchronises from the hold table).
const BUFFER: usize = 64;

/// What happened to a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HoldChange {
    /// Placed.
    Created,
    /// Bought.
    Confirmed,
    /// Cancelled by its owner.
    Cancelled,
}

impl HoldChange {
    /// The SSE event name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            HoldChange::Created => "hold_created",
            HoldChange::Confirmed => "hold_confirmed",
            HoldChange::Cancelled => "hold_cancelled",
        }
    }
}

/// One change, with the hold it happened to.
#[derive(Clone)]
pub(crate) struct HoldNotice {
    /// What happened.
    pub(crate) change: HoldChange,
    /// The hold.
    pub(crate) hold: Arc<BookingHold>,
    /// The hold as it was right after the change: a stream reading late
    /// still shows a created hold as held.
    pub(crate) view: Value,
}

type Channels = HashMap<Arc<str>, broadcast::Sender<HoldNotice>>;

/// The customers' channels.
#[derive(Default)]
pub(crate) struct Customers {
    channels: Arc<Mutex<Channels>>,
}

fn lock(channels: &Mutex<Channels>) -> MutexGuard<'_, Channels> {
    channels.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Customers {
    /// Tells `owner`'s open streams, if any, about `hold`.
    pub(crate) fn publish(&self, change: HoldChange, hold: &Arc<BookingHold>) {
        if let Some(sender) = lock(&self.channels).get(hold.owner()) {
            // No receiver left is fine: the last stream is closing.
            let _ = sender.send(HoldNotice {
                change,
                hold: Arc::clone(hold),
                view: hold.view(),
            });
        }
    }

    /// `true` while `owner` has a live stream open.
    pub(crate) fn is_watched(&self, owner: &str) -> bool {
        lock(&self.channels).contains_key(owner)
    }

    /// A reader of `owner`'s changes from now on.
    pub(crate) fn subscribe(&self, owner: Arc<str>) -> CustomerReceiver {
        let mut channels = lock(&self.channels);
        let receiver = channels
            .entry(Arc::clone(&owner))
            .or_insert_with(|| broadcast::channel(BUFFER).0)
            .subscribe();
        CustomerReceiver {
            receiver: Some(receiver),
            owner,
            channels: Arc::clone(&self.channels),
        }
    }
}

/// A customer stream's receiver; dropping the last one removes the
/// customer's channel.
pub(crate) struct CustomerReceiver {
    receiver: Option<broadcast::Receiver<HoldNotice>>,
    owner: Arc<str>,
    channels: Arc<Mutex<Channels>>,
}

impl CustomerReceiver {
    /// The next change; `Err(Lagged)` if some were dropped.
    pub(crate) async fn recv(&mut self) -> Result<HoldNotice, broadcast::error::RecvError> {
        match self.receiver.as_mut() {
            Some(receiver) => receiver.recv().await,
            None => Err(broadcast::error::RecvError::Closed),
        }
    }
}

impl Drop for CustomerReceiver {
    fn drop(&mut self) {
        let mut channels = lock(&self.channels);
        // Dropped under the lock `subscribe` takes, so the count is exact.
        drop(self.receiver.take());
        if channels
            .get(&self.owner)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            channels.remove(&self.owner);
        }
    }
}
