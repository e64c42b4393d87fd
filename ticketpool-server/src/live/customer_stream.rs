//! One customer's stream: their open holds first (`holds`), then what
//! happens to them (`hold_created`, `hold_confirmed`, `hold_cancelled`,
//! `hold_expiring` when less than [`EXPIRING`] is left, `hold_expired`),
//! and their places in the waiting room (`waiting`, sent first if they
//! wait, then whenever a place changes), until the client goes or the
//! server stops.
//!
//! The booking routes publish what they do; expiry is the clock's doing,
//! so the stream sleeps (a tokio timer, not a thread) until the next
//! deadline of a hold it tracks and looks then.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::response::sse::Event as SseEvent;
use futures_util::stream::{self, Stream};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::holds::BookingHold;
use crate::live::customers::{CustomerReceiver, HoldChange};

/// A hold with less than this left gets a `hold_expiring` message.
pub(crate) const EXPIRING: Duration = Duration::from_secs(10);

/// The owner's open holds, read again after the stream lagged.
pub(crate) type OpenHolds = Box<dyn Fn() -> Vec<Arc<BookingHold>> + Send + Sync>;

/// The owner's places in the waiting room, and what says they may have
/// moved.
pub(crate) struct Places {
    /// The owner's waiting entries as JSON.
    pub(crate) read: Box<dyn Fn() -> Vec<Value> + Send + Sync>,
    /// Changes whenever someone joins or leaves the waiting room.
    pub(crate) moved: watch::Receiver<u64>,
}

struct Tracked {
    hold: Arc<BookingHold>,
    warned: bool,
}

struct State {
    open_holds: OpenHolds,
    changes: CustomerReceiver,
    tracked: HashMap<String, Tracked>,
    pending: VecDeque<SseEvent>,
    stopping: watch::Receiver<bool>,
    places: Places,
    /// The places last sent.
    sent_places: Vec<Value>,
    /// `false` once the waiting room is gone.
    places_live: bool,
}

/// The SSE messages of one customer's stream: `changes` from its channel
/// (subscribed before `open_holds` is first read, so no change falls
/// between the two).
pub(crate) fn customer_stream(
    open_holds: OpenHolds,
    changes: CustomerReceiver,
    stopping: watch::Receiver<bool>,
    mut places: Places,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    places.moved.mark_unchanged();
    let open = open_holds();
    let views: Vec<Value> = open.iter().map(|hold| hold.view()).collect();
    let mut state = State {
        open_holds,
        changes,
        tracked: HashMap::new(),
        pending: VecDeque::new(),
        stopping,
        places,
        sent_places: Vec::new(),
        places_live: true,
    };
    state.pending.push_back(
        SseEvent::default()
            .event("holds")
            .data(json!({ "holds": views }).to_string()),
    );
    for hold in open {
        state.track(hold);
    }
    state.check_places();
    state.check_clock(Instant::now());
    stream::unfold(state, |mut state| async move {
        let message = state.next().await?;
        Some((Ok(message), state))
    })
}

fn hold_message(name: &str, view: Value) -> SseEvent {
    SseEvent::default().event(name).data(view.to_string())
}

impl State {
    fn track(&mut self, hold: Arc<BookingHold>) {
        self.tracked.entry(hold.id().to_owned()).or_insert(Tracked {
            hold,
            warned: false,
        });
    }

    /// When the clock next matters: a warning due or a deadline.
    fn next_wake(&self) -> Option<Instant> {
        self.tracked
            .values()
            .map(|t| {
                let deadline = t.hold.deadline();
                if t.warned {
                    deadline
                } else {
                    deadline.checked_sub(EXPIRING).unwrap_or(deadline)
                }
            })
            .min()
    }

    /// Queues the warnings and expiries due at `now`.
    fn check_clock(&mut self, now: Instant) {
        let mut settled = Vec::new();
        for (id, tracked) in &mut self.tracked {
            if !tracked.hold.is_open() {
                let view = tracked.hold.view();
                // Confirmed or cancelled ones were (or will be) told by
                // their route; only a lapse is the clock's to tell.
                if view["status"] == "expired" {
                    self.pending.push_back(hold_message("hold_expired", view));
                }
                settled.push(id.clone());
            } else if !tracked.warned && tracked.hold.deadline() <= now + EXPIRING {
                tracked.warned = true;
                let left = tracked.hold.deadline().saturating_duration_since(now);
                let mut view = tracked.hold.view();
                view["seconds_left"] = json!((left.as_secs_f64() * 10.0).round() / 10.0);
                self.pending.push_back(hold_message("hold_expiring", view));
            }
        }
        for id in settled {
            self.tracked.remove(&id);
        }
    }

    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(message) = self.pending.pop_front() {
                return Some(message);
            }
            // A deadline is where `is_open` turns false, so waking at it
            // always finds the hold lapsed: no busy loop.
            let wake = self.next_wake();
            let sleep = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            let mut places_moved = false;
            let change = tokio::select! {
                biased;
                _ = self.stopping.wait_for(|stop| *stop) => return None,
                change = self.changes.recv() => Some(change),
                moved = self.places.moved.changed(), if self.places_live => {
                    // A closed room (the server stopping) is not looked
                    // at again.
                    self.places_live = moved.is_ok();
                    places_moved = self.places_live;
                    None
                }
                () = sleep => None,
            };
            match change {
                Some(Ok(notice)) => {
                    let id = notice.hold.id().to_owned();
                    self.pending
                        .push_back(hold_message(notice.change.name(), notice.view));
                    match notice.change {
                        HoldChange::Created => self.track(notice.hold),
                        HoldChange::Confirmed | HoldChange::Cancelled => {
                            self.tracked.remove(&id);
                        }
                    }
                }
                // Changes dropped: the hold table is the truth.
                Some(Err(RecvError::Lagged(_))) => self.resync(),
                Some(Err(RecvError::Closed)) => return None,
                None => {}
            }
            if places_moved {
                self.check_places();
            }
            self.check_clock(Instant::now());
        }
    }

    /// Queues the owner's places if they changed since last sent.
    fn check_places(&mut self) {
        let now = (self.places.read)();
        if now != self.sent_places {
            self.pending.push_back(
                SseEvent::default()
                    .event("waiting")
                    .data(json!({ "waiting": &now }).to_string()),
            );
            self.sent_places = now;
        }
    }

    /// After a lag: track every open hold the table has for the owner.
    fn resync(&mut self) {
        for hold in (self.open_holds)() {
            self.track(hold);
        }
    }
}
