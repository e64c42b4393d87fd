//! One event's fan-out: a `watch` holding the latest availability (a slow
//! reader skips to the newest, and never sees an older state after a newer
//! one) and a `broadcast` for the rare discrete notices (paused, resumed,
//! sold out, closed).
//!
//! It is fed by one pump thread per event with subscribers, reading the
//! office's own [`Subscription`]: every change reaches it (vendors'
//! releases, the engine's hold expiries, admin pauses, not only what the
//! API does), and the subscription's bounded buffer means a slow pump never
//! slows a sale. Events only mark the state dirty; the pump publishes a
//! fresh snapshot at most every [`MIN_GAP`], and always once more after the
//! last change, so the last message is never stale. The thread is created
//! with the first subscriber and ends once the last one has gone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use ticketpool_catalog::{Event as CatalogEvent, EventId};
use ticketpool_core::{BoxOffice, Event, Notification, Subscription};
use tokio::sync::{broadcast, watch};

use crate::live::rate::SalesRate;
use crate::views::{availability_view, ticket_types_view};

/// The least time between two availability messages of one event: at
/// most ten a second, however fast it sells.
pub(crate) const MIN_GAP: Duration = Duration::from_millis(100);

/// How long the pump waits when nothing is pending: how soon it notices
/// that its last subscriber left or the server stops.
const TICK: Duration = Duration::from_millis(250);

/// While the sales rate is not zero, it is republished this often so it
/// falls back to zero when sales stop.
const RATE_REFRESH: Duration = Duration::from_secs(1);

/// Events the office may buffer for the pump before reporting a lag (a lag
/// only means "take a snapshot", which the pump does anyway).
const PUMP_BUFFER: usize = 4096;

/// A discrete change of an event's sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// Releases paused by an admin.
    Paused,
    /// Releases resumed.
    Resumed,
    /// Every ticket sold.
    SoldOut,
    /// The office closed (sales closed, cancelled or past).
    Closed,
}

impl Notice {
    /// The SSE event name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Notice::Paused => "paused",
            Notice::Resumed => "resumed",
            Notice::SoldOut => "sold_out",
            Notice::Closed => "closed",
        }
    }
}

/// The senders of one event's fan-out.
struct Channels {
    latest: watch::Sender<Arc<Value>>,
    notices: broadcast::Sender<Notice>,
}

/// What one stream reads.
pub(crate) struct FeedReceivers {
    /// The latest availability (already marked seen: send it first).
    pub(crate) latest: watch::Receiver<Arc<Value>>,
    /// Discrete notices from now on.
    pub(crate) notices: broadcast::Receiver<Notice>,
}

/// Every event's fan-out, by event, and their pump threads.
#[derive(Default)]
pub(crate) struct Feeds {
    feeds: Mutex<HashMap<EventId, Arc<Channels>>>,
    pumps: Mutex<Vec<JoinHandle<()>>>,
    stopping: Arc<AtomicBool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Feeds {
    /// A reader of `event`'s fan-out, creating it (and its pump) for the
    /// first subscriber. Registration happens under the lock the pump
    /// takes to retire, so a subscriber never joins a fan-out whose pump
    /// has decided to stop.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        event: CatalogEvent,
        office: Arc<BoxOffice>,
    ) -> FeedReceivers {
        let mut feeds = lock(&self.feeds);
        if let Some(channels) = feeds.get(&event.id) {
            let mut latest = channels.latest.subscribe();
            latest.mark_unchanged();
            return FeedReceivers {
                latest,
                notices: channels.notices.subscribe(),
            };
        }
        // Subscribed before the office's events are read: nothing between
        // the first snapshot and the pump's start is missed.
        let subscription = office.subscribe_with_capacity(PUMP_BUFFER);
        let mut rate = SalesRate::default();
        let first = message(&event, &office, &mut rate, Instant::now());
        let (latest, mut first_reader) = watch::channel(Arc::new(first));
        first_reader.mark_unchanged();
        let (notices, notice_reader) = broadcast::channel(16);
        let channels = Arc::new(Channels { latest, notices });
        feeds.insert(event.id, Arc::clone(&channels));
        drop(feeds);
        let pump = Pump {
            feeds: Arc::clone(self),
            event,
            office,
            subscription,
            channels,
            rate,
        };
        let spawned = std::thread::Builder::new()
            .name(format!("live-{}", pump.event.id.0))
            .spawn(move || pump.run());
        let mut pumps = lock(&self.pumps);
        pumps.retain(|pump| !pump.is_finished());
        match spawned {
            Ok(thread) => pumps.push(thread),
            Err(error) => {
                tracing::error!(target: "ticketpool", "cannot start a live feed thread: {error}");
            }
        }
        FeedReceivers {
            latest: first_reader,
            notices: notice_reader,
        }
    }

    /// Events with a fan-out now (each has its pump thread).
    pub(crate) fn len(&self) -> usize {
        lock(&self.feeds).len()
    }

    /// Stops every pump and waits for them, so no office outlives the
    /// server's stop through a feed. Blocks: call it off the async threads.
    pub(crate) fn stop_all(&self) {
        self.stopping.store(true, Ordering::Release);
        lock(&self.feeds).clear();
        let pumps = std::mem::take(&mut *lock(&self.pumps));
        for pump in pumps {
            let _ = pump.join();
        }
    }
}

/// The availability message: per type counts and prices, totals and
/// flags, the sales rate.
fn message(event: &CatalogEvent, office: &BoxOffice, rate: &mut SalesRate, now: Instant) -> Value {
    let snapshot = office.snapshot();
    let mut view = availability_view(&snapshot);
    view["event"] = json!(event.id.0);
    view["ticket_types"] = json!(ticket_types_view(event, Some(&snapshot)));
    view["sales_rate"] = json!(rate.record(now, snapshot.totals.sold));
    view
}

/// One event's pump: the office's events in, the fan-out out.
struct Pump {
    feeds: Arc<Feeds>,
    event: CatalogEvent,
    office: Arc<BoxOffice>,
    subscription: Subscription,
    channels: Arc<Channels>,
    rate: SalesRate,
}

impl Pump {
    fn run(mut self) {
        let mut dirty = false;
        let mut sent_at = Instant::now();
        let mut rate_moving = false;
        loop {
            if self.feeds.stopping.load(Ordering::Acquire) || self.retire_if_unread() {
                return;
            }
            let wait = if dirty {
                MIN_GAP.saturating_sub(sent_at.elapsed())
            } else {
                TICK
            };
            let asked = Instant::now();
            let mut notice = None;
            match self.subscription.next_timeout(wait) {
                Some(Notification::Event(event)) => {
                    dirty = true;
                    notice = match event {
                        Event::Paused => Some(Notice::Paused),
                        Event::Resumed => Some(Notice::Resumed),
                        Event::SoldOut => Some(Notice::SoldOut),
                        Event::Closed => Some(Notice::Closed),
                        _ => None,
                    };
                }
                Some(_) => dirty = true, // lagged: the snapshot tells all
                None if self.office.is_closed() && asked.elapsed() < wait => {
                    // Returned early with nothing: the office's stream has
                    // ended. Say so once more, and let the streams end.
                    self.publish();
                    let _ = self.channels.notices.send(Notice::Closed);
                    self.retire();
                    return;
                }
                None => {}
            }
            let due = dirty && sent_at.elapsed() >= MIN_GAP;
            let refresh = rate_moving && sent_at.elapsed() >= RATE_REFRESH;
            // A notice goes out at once, after the state it describes.
            if notice.is_some() || due || refresh {
                rate_moving = self.publish() > 0.0;
                sent_at = Instant::now();
                dirty = false;
            }
            if let Some(notice) = notice {
                // No receiver right now is fine: the pump retires soon.
                let _ = self.channels.notices.send(notice);
            }
        }
    }

    /// Publishes a fresh snapshot; its sales rate.
    fn publish(&mut self) -> f64 {
        let message = message(&self.event, &self.office, &mut self.rate, Instant::now());
        let rate = message["sales_rate"].as_f64().unwrap_or(0.0);
        self.channels.latest.send_replace(Arc::new(message));
        rate
    }

    /// Ends the fan-out if no stream reads it; `true` if it did.
    fn retire_if_unread(&self) -> bool {
        if self.channels.latest.receiver_count() > 0 {
            return false;
        }
        let mut feeds = lock(&self.feeds.feeds);
        // Checked again under the lock `subscribe` takes to join.
        if self.channels.latest.receiver_count() > 0 {
            return false;
        }
        if feeds
            .get(&self.event.id)
            .is_some_and(|mine| Arc::ptr_eq(mine, &self.channels))
        {
            feeds.remove(&self.event.id);
        }
        true
    }

    /// Ends the fan-out: later subscribers start a new one.
    fn retire(&self) {
        let mut feeds = lock(&self.feeds.feeds);
        if feeds
            .get(&self.event.id)
            .is_some_and(|mine| Arc::ptr_eq(mine, &self.channels))
        {
            feeds.remove(&self.event.id);
        }
    }
}
