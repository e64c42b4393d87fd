//! The waiting room: reserves that wait for a ticket instead of being
//! refused `none_available` (`"wait": true`), and best-available seat
//! holds that wait for a block instead of being refused
//! `no_adjacent_seats` (`seats::wait`).
//!
//! Each waiting reserve is one tokio task awaiting the engine's future
//! ([`Waited`]: a [`ReserveManyFuture`] or a seat wait): no thread per
//! waiter. The entry says what it waits for ([`Wants`]) and where it
//! stands ([`Place`]): a seat wait has no position (`null`), as the seat
//! line can only tell it by scanning the line under its lock, too dear
//! for every stream's re-read on every join and leave. The engine keeps the line
//! (VIPs first, then first come first served) and hands the tickets over,
//! all `quantity` together: a reserve of several keeps its place until
//! all can be held at once, the tickets that come meanwhile kept for it
//! (so a later, smaller reserve does not jump it); the task then turns
//! the engine holds into one API hold and publishes it on the owner's live
//! stream (`hold_created`). Every join and leave bumps
//! [`WaitingRoom::moved`], so the owners' streams re-read their places.
//!
//! A reserve the engine refuses while waiting (the event's sales closed,
//! it was cancelled) ends its entry with the reason: the entry stays
//! readable, `"status": "ended"` with the refusal's code and message, for
//! a grace period, so the owner's stream and page say why the wait ended
//! rather than the place just vanishing.
//!
//! A place is kept only while its owner comes back: an open live stream
//! (`/api/me/live`) or a read of the waiting entries within the grace
//! period; otherwise the task drops its future, which takes the customer
//! out of the engine's line (no ticket or place left behind).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use ticketpool_catalog::EventId;
#[cfg(doc)]
use ticketpool_core::ReserveManyFuture;
use ticketpool_core::{PlaceInLine, Priority};
use tokio::sync::{watch, Notify};

use crate::errors::{ApiError, ApiResult};
use crate::secret::random_hex;
use crate::views::priority_name;

/// How long a place is kept for a customer who does not come back.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(60);

/// One waiting reserve.
pub(crate) struct Entry {
    id: String,
    owner: Arc<str>,
    event: EventId,
    want: Wants,
    place: Place,
    /// When its owner last came back.
    seen: Mutex<Instant>,
    /// Told when its owner leaves the line (or the server stops).
    leave: Notify,
    /// Why the wait ended without a ticket, once it did.
    ended: Mutex<Option<ApiError>>,
}

impl Entry {
    fn seen(&self) -> MutexGuard<'_, Instant> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The owner came back: the grace period starts again.
    fn touch(&self) {
        *self.seen() = Instant::now();
    }

    /// Who waits.
    pub(crate) fn owner(&self) -> &Arc<str> {
        &self.owner
    }

    /// For which event.
    pub(crate) fn event(&self) -> EventId {
        self.event
    }

    fn ended(&self) -> MutexGuard<'_, Option<ApiError>> {
        self.ended.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The JSON its owner sees.
    pub(crate) fn view(&self) -> Value {
        let (ticket_type, quantity) = match &self.want {
            Wants::Tickets {
                ticket_type,
                quantity,
            } => (ticket_type.as_str(), *quantity),
            Wants::Seats(best) => ("seats", best["count"].as_u64().unwrap_or(0) as usize),
        };
        let mut view = json!({
            "id": self.id,
            "event": self.event.0,
            "ticket_type": ticket_type,
            "quantity": quantity,
            "priority": priority_name(self.place.priority()),
            "status": "waiting",
            "position": self.place.get(),
        });
        if let Wants::Seats(best) = &self.want {
            view["best"] = best.clone();
        }
        if let Some(why) = &*self.ended() {
            view["status"] = json!("ended");
            view["position"] = Value::Null;
            view["reason"] = json!(why.code());
            view["message"] = json!(why.message());
        }
        view
    }
}

/// What a waiting entry waits for, as its owner asked.
pub(crate) enum Wants {
    /// `quantity` tickets of one type, held together.
    Tickets {
        /// The type, as asked.
        ticket_type: String,
        /// How many.
        quantity: usize,
    },
    /// A best-available block of seats: the request's `best` object.
    Seats(Value),
}

/// Where a waiting entry stands.
pub(crate) enum Place {
    /// In the box office's line: its position is read cheaply.
    Tickets(PlaceInLine),
    /// In a seated event's line: no position (see the module's docs).
    Seats(Priority),
}

impl Place {
    fn priority(&self) -> Priority {
        match self {
            Self::Tickets(place) => place.priority(),
            Self::Seats(priority) => *priority,
        }
    }

    fn get(&self) -> Option<usize> {
        match self {
            Self::Tickets(place) => place.get(),
            Self::Seats(_) => None,
        }
    }
}

/// The entries, by id and by owner: a live stream re-reads its owner's
/// places on every join and leave, so that read must not scan everyone.
#[derive(Default)]
struct Table {
    by_id: HashMap<String, Arc<Entry>>,
    by_owner: HashMap<Arc<str>, Vec<Arc<Entry>>>,
}

impl Table {
    fn insert(&mut self, entry: Arc<Entry>) {
        self.by_owner
            .entry(Arc::clone(&entry.owner))
            .or_default()
            .push(Arc::clone(&entry));
        self.by_id.insert(entry.id.clone(), entry);
    }

    fn remove(&mut self, id: &str) {
        let Some(entry) = self.by_id.remove(id) else {
            return;
        };
        if let Some(mine) = self.by_owner.get_mut(&entry.owner) {
            mine.retain(|e| e.id != id);
            if mine.is_empty() {
                self.by_owner.remove(&entry.owner);
            }
        }
    }
}

/// Everyone waiting.
pub(crate) struct WaitingRoom {
    grace: Duration,
    table: Mutex<Table>,
    /// Bumped on every join and leave: places may have moved.
    moved: watch::Sender<u64>,
}

/// A waker that does nothing: the first poll, made while answering the
/// request, only joins the line (the task's polls carry its own waker).
struct Noop;

impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// The engine's waiting future, its refusal already read as the owner
/// reads it: what a waiting entry's task awaits.
pub(crate) type Waited<T> = Pin<Box<dyn Future<Output = ApiResult<T>> + Send>>;

/// What a waiting reserve's task does with what it gets (all of its
/// tickets, or its seats): keeps it as an API hold and tells the owner;
/// an error ends the entry with that reason (what it got given back).
pub(crate) type Served<T> = Box<dyn FnOnce(&Entry, T) -> ApiResult<()> + Send>;

/// What a waiting reserve's task calls on (the service's state, which
/// this module does not name: the state holds the room).
pub(crate) struct Hooks<T> {
    /// `true` while the owner has a live stream open.
    pub(crate) watched: Box<dyn Fn(&str) -> bool + Send + Sync>,
    /// The hold came: keep it as an API hold and tell the owner.
    pub(crate) served: Served<T>,
}

/// What to wait for: the engine's future and what the entry shows.
pub(crate) struct Waiting<T> {
    /// The engine's future, not polled yet.
    pub(crate) future: Waited<T>,
    /// Who waits.
    pub(crate) owner: Arc<str>,
    /// In which event.
    pub(crate) event: EventId,
    /// What, as asked.
    pub(crate) want: Wants,
    /// Where it will stand (read from the future before it is boxed).
    pub(crate) place: Place,
}

/// What joining gave.
pub(crate) enum Joined<T> {
    /// It was there: held at once.
    Held(T),
    /// In line.
    Waiting(Arc<Entry>),
}

impl WaitingRoom {
    pub(crate) fn new(grace: Duration) -> Self {
        Self {
            grace,
            table: Mutex::default(),
            moved: watch::channel(0).0,
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A receiver told whenever places may have moved.
    pub(crate) fn moved(&self) -> watch::Receiver<u64> {
        self.moved.subscribe()
    }

    fn bump(&self) {
        self.moved.send_modify(|n| *n += 1);
    }

    /// Polls `waiting`'s future once: what it holds at once is returned;
    /// otherwise it waits in line, in its own task, until it is served,
    /// refused, left, or its owner stops coming back. Must run inside the
    /// tokio runtime (it spawns the waiting task).
    ///
    /// # Errors
    ///
    /// The engine's refusals (sold out, closed, limit reached...).
    pub(crate) fn join<T: Send + 'static>(
        self: &Arc<Self>,
        hooks: Hooks<T>,
        waiting: Waiting<T>,
    ) -> ApiResult<Joined<T>> {
        let Waiting {
            mut future,
            owner,
            event,
            want,
            place,
        } = waiting;
        let waker = Waker::from(Arc::new(Noop));
        if let Poll::Ready(held) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return held.map(Joined::Held);
        }
        let entry = Arc::new(Entry {
            id: random_hex::<16>().map_err(ApiError::internal)?,
            owner,
            event,
            want,
            place,
            seen: Mutex::new(Instant::now()),
            leave: Notify::new(),
            ended: Mutex::new(None),
        });
        self.table().insert(Arc::clone(&entry));
        self.bump();
        tokio::spawn(wait_in_line(
            Arc::clone(self),
            hooks,
            Arc::clone(&entry),
            future,
        ));
        Ok(Joined::Waiting(entry))
    }

    /// Entry `id` if `owner` made it (the same 404 otherwise); counts as
    /// the owner coming back.
    ///
    /// # Errors
    ///
    /// 404 `unknown_waiting`.
    pub(crate) fn owned(&self, id: &str, owner: &str) -> ApiResult<Arc<Entry>> {
        let entry = self
            .table()
            .by_id
            .get(id)
            .filter(|entry| &*entry.owner == owner)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found("unknown_waiting", "there is no such place in line")
            })?;
        entry.touch();
        Ok(entry)
    }

    /// `owner`'s places, first in line first; `touch` counts the read as
    /// the owner coming back.
    pub(crate) fn of(&self, owner: &str, touch: bool) -> Vec<Value> {
        let entries: Vec<Arc<Entry>> = self
            .table()
            .by_owner
            .get(owner)
            .cloned()
            .unwrap_or_default();
        if touch {
            entries.iter().for_each(|e| e.touch());
        }
        let mut views: Vec<Value> = entries.iter().map(|e| e.view()).collect();
        // Served but not yet out of the table: no position, last.
        views.sort_by_key(|v| v["position"].as_u64().unwrap_or(u64::MAX));
        views
    }

    /// Takes `entry` out of line: out of the table now, out of the
    /// engine's line as soon as its task runs.
    pub(crate) fn leave(&self, entry: &Entry) {
        entry.leave.notify_one();
        self.remove(&entry.id);
    }

    /// Waiting reserves now, VIPs and Regulars (ended ones not counted).
    pub(crate) fn counts(&self) -> (usize, usize) {
        let table = self.table();
        let (mut vips, mut regulars) = (0, 0);
        for entry in table.by_id.values().filter(|e| e.ended().is_none()) {
            match entry.place.priority() {
                Priority::Vip => vips += 1,
                _ => regulars += 1,
            }
        }
        (vips, regulars)
    }

    /// Everyone leaves (the server stops).
    pub(crate) fn stop_all(&self) {
        for entry in self.table().by_id.values() {
            entry.leave.notify_one();
        }
    }

    /// Takes entry `id` out of the table and tells the streams. Bumped
    /// even when it was gone already: a leave removes it before its task
    /// takes it out of the engine's line, and places move only then.
    fn remove(&self, id: &str) {
        self.table().remove(id);
        self.bump();
    }
}

/// One waiting reserve's task: until the hold is made, the owner leaves or
/// stops coming back.
async fn wait_in_line<T>(
    room: Arc<WaitingRoom>,
    hooks: Hooks<T>,
    entry: Arc<Entry>,
    mut future: Waited<T>,
) {
    let grace = room.grace;
    loop {
        let lapses = *entry.seen() + grace;
        tokio::select! {
            // Leaving first: a DELETE (or the server stopping) that came
            // before the task ran wins over a hold made meanwhile, whose
            // ticket the dropped future gives back.
            biased;
            () = entry.leave.notified() => break,
            held = &mut future => {
                if let Err(refused) = held.and_then(|held| (hooks.served)(&entry, held)) {
                    tracing::info!(target: "ticketpool",
                        "waiting reserve {} ended: {}", entry.id, refused.message());
                    *entry.ended() = Some(refused);
                }
                break;
            }
            () = tokio::time::sleep_until(lapses.into()) => {
                if (hooks.watched)(&entry.owner) {
                    entry.touch();
                } else if *entry.seen() + grace <= Instant::now() {
                    tracing::info!(target: "ticketpool",
                        "waiting reserve {} lost its place: its owner did not come back", entry.id);
                    break;
                }
            }
        }
    }
    // Out of the engine's line first (a dropped future leaves nothing
    // behind), then out of the table.
    drop(future);
    if entry.ended().is_some() {
        // Said first (the owner's streams re-read their places), then kept
        // for a grace period for the owner to read, unless they leave it.
        room.bump();
        tokio::select! {
            () = entry.leave.notified() => {}
            () = tokio::time::sleep(grace) => {}
        }
    }
    room.remove(&entry.id);
}
