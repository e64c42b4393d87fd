//! Waiting for best-available seats: buyers who found no block of N
//! adjacent seats wait in line, and get them when seats free up (a hold
//! released, expired or failing to confirm in time, or a vendor's wave).
//!
//! # The rule
//!
//! Every time seats become available, the waiters are offered them in
//! line order: VIPs first, then Regulars, each in arrival order. Each in
//! turn takes the best block its request allows (the best-available rule)
//! if one fits now; one that does not fit stays, with its place, and
//! does not hold back the waiters behind it (seats are not
//! interchangeable: a pair freed in the balcony cannot serve a party of
//! four waiting in the stalls, so holding it back would only leave it
//! empty). A newcomer is served only after the line has had its pick.
//!
//! Served waiters get an ordinary [`SeatHold`] (confirm, release and
//! expiry as any other). A direct [`Seating::best_available`] call does not
//! queue and is not held back by the line.
//!
//! # Cancel safety
//!
//! Dropping a [`SeatWait`] takes it out of line; a hold made for it that
//! it never saw is released, so its seats go to the next waiters. No seat
//! is held twice: every block is claimed through the seat bitmaps, as for
//! any hold.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::{Mutex, MutexGuard};
use ticketpool_core::Priority;

use crate::best::{Area, BestAvailable};
use crate::error::SeatError;
use crate::hold::SeatHold;
use crate::seating::Seating;

/// Where a waiting best-available request looks (an owned [`Area`]).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Where {
    Section(String),
    Tier(String),
    Anywhere,
}

/// A best-available request kept while waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    seats: usize,
    area: Where,
    accessible: bool,
}

impl Wanted {
    fn of(want: &BestAvailable<'_>) -> Self {
        let area = match want.area {
            Area::Section(name) => Where::Section(name.to_string()),
            Area::Tier(name) => Where::Tier(name.to_string()),
            Area::Anywhere => Where::Anywhere,
        };
        Self {
            seats: want.seats,
            area,
            accessible: want.accessible,
        }
    }

    fn request(&self) -> BestAvailable<'_> {
        let area = match &self.area {
            Where::Section(name) => Area::Section(name),
            Where::Tier(name) => Area::Tier(name),
            Where::Anywhere => Area::Anywhere,
        };
        BestAvailable {
            seats: self.seats,
            area,
            accessible: self.accessible,
        }
    }
}

/// One waiting buyer.
struct Waiter {
    id: u64,
    want: Wanted,
    waker: Waker,
}

/// The line under its lock.
#[derive(Default)]
struct Queue {
    next_id: u64,
    vips: VecDeque<Waiter>,
    regulars: VecDeque<Waiter>,
    /// Holds made for waiters that have not picked them up yet.
    served: HashMap<u64, SeatHold>,
}

impl Queue {
    fn of(&mut self, priority: Priority) -> &mut VecDeque<Waiter> {
        match priority {
            Priority::Vip => &mut self.vips,
            Priority::Regular => &mut self.regulars,
        }
    }
}

/// The buyers waiting for best-available seats of one [`Seating`].
#[derive(Default)]
pub(crate) struct SeatLine {
    /// Waiters in line: what a freeing reads before taking the lock.
    len: AtomicUsize,
    queue: Mutex<Queue>,
}

impl SeatLine {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock()
    }

    /// Waiters now.
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::SeqCst)
    }

    /// Seats became available: offers them to the line (see the rule).
    pub(crate) fn serve(&self, seating: &Seating) {
        // Pairs with the fence after a newcomer registers: either its
        // second try sees the seats just freed, or this load sees it.
        fence(Ordering::SeqCst);
        if self.len() == 0 {
            return;
        }
        let wakers = self.serve_locked(&mut self.lock(), seating);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Serves, in line order, every waiter a block fits now; returns their
    /// wakers to wake once the lock is let go.
    fn serve_locked(&self, queue: &mut Queue, seating: &Seating) -> Vec<Waker> {
        let mut wakers = Vec::new();
        for priority in [Priority::Vip, Priority::Regular] {
            let mut i = 0;
            while i < queue.of(priority).len() {
                let waiter = &queue.of(priority)[i];
                match seating.best_available(waiter.want.request()) {
                    Ok(hold) => {
                        let waiter = queue.of(priority).remove(i).expect("index in range");
                        self.len.fetch_sub(1, Ordering::SeqCst);
                        queue.served.insert(waiter.id, hold);
                        wakers.push(waiter.waker);
                    }
                    // No block fits it now (its area was checked when it
                    // joined): it keeps its place.
                    Err(_) => i += 1,
                }
            }
        }
        wakers
    }

    fn position(&self, priority: Priority, id: u64) -> Option<usize> {
        let queue = self.lock();
        let index = |q: &VecDeque<Waiter>| q.iter().position(|w| w.id == id);
        match priority {
            Priority::Vip => index(&queue.vips).map(|i| i + 1),
            Priority::Regular => index(&queue.regulars).map(|i| queue.vips.len() + i + 1),
        }
    }
}

impl Seating {
    /// Holds the best block for `want` (as
    /// [`best_available`](Self::best_available)), waiting as a future
    /// while none fits: VIPs first, then first come first served (see
    /// `waiting.rs` for the rule). No runtime is needed.
    pub fn wait_best_available(
        self: &Arc<Self>,
        want: BestAvailable<'_>,
        priority: Priority,
    ) -> SeatWait {
        SeatWait {
            seating: Arc::clone(self),
            want: Wanted::of(&want),
            priority,
            id: None,
            done: false,
        }
    }

    /// Buyers waiting for best-available seats now.
    pub fn waiting_for_seats(&self) -> usize {
        self.line.len()
    }
}

/// A best-available hold that waits as a future: what
/// [`Seating::wait_best_available`] returns.
///
/// # Errors
///
/// At once, as [`Seating::best_available`] does, for a request no block
/// could ever satisfy: an unknown section or tier, or zero seats. It does
/// not end with [`SeatError::NoBlock`] (no block fits now): it waits instead.
///
/// # Cancel safety
///
/// Dropped before it completes, it leaves the line and releases a hold
/// made for it meanwhile (its seats go to the next waiters).
///
/// # Panics
///
/// Polling it again after it completed panics, as for most futures.
#[must_use = "futures do nothing unless polled"]
pub struct SeatWait {
    seating: Arc<Seating>,
    want: Wanted,
    priority: Priority,
    /// Its number once in line.
    id: Option<u64>,
    done: bool,
}

impl SeatWait {
    /// The 1-based place in line (VIPs first, then arrival), `None` before
    /// it first waited or once served.
    pub fn position(&self) -> Option<usize> {
        self.seating.line.position(self.priority, self.id?)
    }
}

impl Future for SeatWait {
    type Output = Result<SeatHold, SeatError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "a seat wait polled after it completed");
        let line = &this.seating.line;
        let mut queue = line.lock();
        if let Some(id) = this.id {
            if let Some(hold) = queue.served.remove(&id) {
                this.done = true;
                return Poll::Ready(Ok(hold));
            }
            if let Some(w) = queue.of(this.priority).iter_mut().find(|w| w.id == id) {
                if !w.waker.will_wake(cx.waker()) {
                    w.waker = cx.waker().clone();
                }
            }
            return Poll::Pending;
        }
        // A newcomer: the line has its pick first (seats freed a moment
        // ago may not have been offered yet), then it tries.
        let mut wakers = line.serve_locked(&mut queue, &this.seating);
        let tried = this.seating.best_available(this.want.request());
        let result = match tried {
            Err(SeatError::NoBlock { .. }) => {
                let id = queue.next_id;
                queue.next_id += 1;
                let waker = cx.waker().clone();
                let want = this.want.clone();
                queue
                    .of(this.priority)
                    .push_back(Waiter { id, want, waker });
                line.len.fetch_add(1, Ordering::SeqCst);
                this.id = Some(id);
                // Seats freed between the try and the registration were
                // offered to nobody (their `serve` saw an empty line, see
                // there): offer them again, to this waiter too.
                fence(Ordering::SeqCst);
                wakers.extend(line.serve_locked(&mut queue, &this.seating));
                match queue.served.remove(&id) {
                    Some(hold) => {
                        this.done = true;
                        Poll::Ready(Ok(hold))
                    }
                    None => Poll::Pending,
                }
            }
            other => {
                this.done = true;
                Poll::Ready(other)
            }
        };
        drop(queue);
        wakers.into_iter().for_each(Waker::wake);
        result
    }
}

impl Drop for SeatWait {
    fn drop(&mut self) {
        let (Some(id), false) = (self.id, self.done) else {
            return;
        };
        let line = &self.seating.line;
        let mut queue = line.lock();
        let entries = queue.of(self.priority);
        if let Some(i) = entries.iter().position(|w| w.id == id) {
            entries.remove(i);
            line.len.fetch_sub(1, Ordering::SeqCst);
        }
        let served = queue.served.remove(&id);
        drop(queue);
        if let Some(hold) = served {
            // Releasing serves the line again.
            let _ = self.seating.release_hold(hold.id);
        }
    }
}

impl fmt::Debug for SeatWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeatWait")
            .field("seats", &self.want.seats)
            .field("priority", &self.priority)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}
