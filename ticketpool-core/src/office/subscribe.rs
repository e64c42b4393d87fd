//! Live event streams: each subscriber gets its own bounded buffer, so a
//! slow one never slows or blocks sales. When its buffer is full the newest
//! events are dropped and counted, and the subscriber is told how many it
//! missed, at the point where they went missing.
//!
//! A stream ends once the office is closed and nothing more can happen to
//! it: no hold is left open (see [`Subscription`]). Whether a new
//! subscription starts live or already ended is decided under the same lock
//! that ends the streams, so a subscribe racing a close never leaves a
//! stream that only the office's drop would end.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crate::office::event::Event;
use crate::pool::primitive::{AtomicU64, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering};

/// One item of a [`Subscription`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// Something happened.
    Event(Event),
    /// This many events were dropped here because the buffer was full.
    Lagged(u64),
}

struct Buffer {
    items: VecDeque<Notification>,
    /// Events dropped since the last `Lagged` was queued.
    pending_missed: u64,
    closed: bool,
}

struct Shared {
    buffer: Mutex<Buffer>,
    ready: Condvar,
    capacity: usize,
    missed: AtomicU64,
}

impl Shared {
    fn push(&self, event: &Event) {
        let mut buffer = self.buffer.lock();
        if buffer.closed {
            // Something happened after the stream ended (a sale that was
            // under way when the office closed): the reader cannot get it
            // any more, but `missed` says it exists.
            self.missed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // A pending lag needs a slot of its own, before the event.
        let needed = 1 + usize::from(buffer.pending_missed > 0);
        if buffer.items.len() + needed > self.capacity {
            buffer.pending_missed += 1;
            self.missed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if buffer.pending_missed > 0 {
            let missed = std::mem::take(&mut buffer.pending_missed);
            buffer.items.push_back(Notification::Lagged(missed));
        }
        buffer.items.push_back(Notification::Event(event.clone()));
        drop(buffer);
        self.ready.notify_one();
    }

    fn pop(buffer: &mut MutexGuard<'_, Buffer>) -> Option<Notification> {
        if let Some(item) = buffer.items.pop_front() {
            return Some(item);
        }
        if buffer.pending_missed > 0 {
            return Some(Notification::Lagged(std::mem::take(
                &mut buffer.pending_missed,
            )));
        }
        None
    }

    fn close(&self) {
        self.buffer.lock().closed = true;
        self.ready.notify_all();
    }
}

/// A live stream of a box office's events, from
/// [`BoxOffice::subscribe`](crate::BoxOffice::subscribe).
///
/// Iterating blocks until the next event. Dropping the subscription
/// unsubscribes.
///
/// # When the stream ends
///
/// After [`Event::Closed`] the stream goes on while holds are open, so a
/// subscriber still sees what happens to them (a hold confirmed after close
/// is followed by its `HoldConfirmed` and `Sold`; one cancelled or expired,
/// by its `HoldCancelled` or `HoldExpired`). It ends (`recv` returns `None`
/// once the buffer is drained) when the office is closed and no hold is
/// open, or when the office is dropped. A subscription taken after that
/// starts ended.
///
/// An event that happens after the stream ended (a sale that was already
/// under way when the office closed, with no hold open) is not delivered
/// but counted in [`missed`](Self::missed), like an event dropped for a
/// full buffer: a reader that needs every sale checks `missed() == 0` or
/// reads [`BoxOffice::sales`](crate::BoxOffice::sales).
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOffice, BoxOfficeConfig, Event, Money, Notification};
///
/// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 10, 5, Money::from_minor(500))).unwrap();
/// let events = office.subscribe();
/// office.pause();
/// assert_eq!(events.try_next(), Some(Notification::Event(Event::Paused)));
/// assert_eq!(events.try_next(), None);
/// ```
pub struct Subscription {
    shared: Arc<Shared>,
}

impl Subscription {
    /// The next item, waiting for it; `None` once the stream has ended (see
    /// [When the stream ends](Self#when-the-stream-ends)) and everything
    /// buffered has been read.
    pub fn recv(&self) -> Option<Notification> {
        self.recv_until(None)
    }

    /// The next item if one is buffered.
    pub fn try_next(&self) -> Option<Notification> {
        Shared::pop(&mut self.shared.buffer.lock())
    }

    /// The next item, waiting at most `timeout`.
    pub fn next_timeout(&self, timeout: Duration) -> Option<Notification> {
        self.recv_until(Instant::now().checked_add(timeout))
    }

    /// How many events this subscriber has missed in all: dropped for a
    /// full buffer, or published after the stream ended.
    pub fn missed(&self) -> u64 {
        self.shared.missed.load(Ordering::Relaxed)
    }

    /// The most items buffered at once.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    fn recv_until(&self, deadline: Option<Instant>) -> Option<Notification> {
        let mut buffer = self.shared.buffer.lock();
        loop {
            if let Some(item) = Shared::pop(&mut buffer) {
                return Some(item);
            }
            if buffer.closed {
                return None;
            }
            match deadline {
                None => buffer = self.shared.ready.wait(buffer),
                Some(deadline) => {
                    let timed_out;
                    (buffer, timed_out) = self.shared.ready.wait_until(buffer, deadline);
                    if timed_out {
                        return Shared::pop(&mut buffer);
                    }
                }
            }
        }
    }
}

impl Iterator for Subscription {
    type Item = Notification;

    fn next(&mut self) -> Option<Notification> {
        self.recv()
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("capacity", &self.shared.capacity)
            .field("missed", &self.missed())
            .finish_non_exhaustive()
    }
}

/// The registered subscribers, and whether their streams have ended.
struct List {
    live: Vec<Weak<Shared>>,
    /// Set by [`Subscribers::close`]; a later subscription starts ended.
    ended: bool,
}

/// The office's list of subscribers.
pub(crate) struct Subscribers {
    list: Mutex<List>,
    /// `list.len()`, readable without the lock: most offices have no
    /// subscriber, and every ticket movement publishes.
    listed: AtomicUsize,
}

impl Subscribers {
    pub(crate) fn new() -> Self {
        Self {
            list: Mutex::new(List {
                live: Vec::new(),
                ended: false,
            }),
            listed: AtomicUsize::new(0),
        }
    }

    /// A new stream; already ended if [`close`](Self::close) ran. The check
    /// and the registration happen under the lock `close` takes, so a
    /// stream is either registered before `close` (and ended by it) or
    /// created ended: never left open by a racing close.
    pub(crate) fn subscribe(&self, capacity: usize) -> Subscription {
        let mut list = self.list.lock();
        let shared = Arc::new(Shared {
            buffer: Mutex::new(Buffer {
                items: VecDeque::with_capacity(capacity.min(4096)),
                pending_missed: 0,
                closed: list.ended,
            }),
            ready: Condvar::new(),
            capacity: capacity.max(1),
            missed: AtomicU64::new(0),
        });
        if !list.ended {
            list.live.push(Arc::downgrade(&shared));
            self.listed.store(list.live.len(), Ordering::Release);
        }
        drop(list);
        Subscription { shared }
    }

    /// `true` if someone may be subscribed (a dropped subscription counts
    /// until the next publish prunes it).
    pub(crate) fn listening(&self) -> bool {
        self.listed.load(Ordering::Acquire) > 0
    }

    /// Hands `event` to every live subscriber; never waits for a reader.
    pub(crate) fn publish(&self, event: &Event) {
        // A publish racing a first subscribe may miss it: the same as if it
        // had come just before.
        if self.listed.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut list = self.list.lock();
        list.live.retain(|weak| match weak.upgrade() {
            Some(shared) => {
                shared.push(event);
                true
            }
            None => false,
        });
        self.listed.store(list.live.len(), Ordering::Release);
    }

    /// Ends every stream, and every later one at once. Idempotent.
    pub(crate) fn close(&self) {
        let mut list = self.list.lock();
        list.ended = true;
        for weak in &list.live {
            if let Some(shared) = weak.upgrade() {
                shared.close();
            }
        }
    }
}
