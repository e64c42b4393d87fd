//! The line of buyers waiting for best-available seats: two queues, VIPs
//! then Regulars, each in arrival order, and the holds made for waiters
//! not yet picked up. The rule and the futures are in `waiting.rs`; the
//! seating offers freed seats here (`Seating`'s `freed`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::task::Waker;

use parking_lot::{Mutex, MutexGuard};
use ticketpool_core::Priority;

use crate::error::SeatError;
use crate::hold::SeatHold;

/// Where a waiting best-available request looks (an owned `Area`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Where {
    /// One section, by name.
    Section(String),
    /// One price tier, by name.
    Tier(String),
    /// The whole venue.
    Anywhere,
}

/// A best-available request kept while waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub(crate) seats: usize,
    pub(crate) area: Where,
    pub(crate) accessible: bool,
}

/// One waiting buyer.
pub(crate) struct Waiter {
    pub(crate) id: u64,
    pub(crate) want: Wanted,
    pub(crate) waker: Waker,
}

/// The line under its lock.
#[derive(Default)]
pub(crate) struct Queue {
    pub(crate) next_id: u64,
    vips: VecDeque<Waiter>,
    regulars: VecDeque<Waiter>,
    /// Holds made for waiters that have not picked them up yet.
    pub(crate) served: HashMap<u64, SeatHold>,
    /// Set for good by `end`: waiters and newcomers are refused.
    pub(crate) ended: bool,
}

impl Queue {
    pub(crate) fn of(&mut self, priority: Priority) -> &mut VecDeque<Waiter> {
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
    pub(crate) len: AtomicUsize,
    queue: Mutex<Queue>,
}

impl SeatLine {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock()
    }

    /// Waiters now.
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::SeqCst)
    }

    /// Seats became available: offers them to the line (see the rule).
    pub(crate) fn serve(&self, try_hold: impl FnMut(&Wanted) -> Result<SeatHold, SeatError>) {
        // Pairs with the fence after a newcomer registers: either its
        // second try sees the seats just freed, or this load sees it.
        fence(Ordering::SeqCst);
        if self.len() == 0 {
            return;
        }
        let wakers = self.serve_locked(&mut self.lock(), try_hold);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Serves, in line order, every waiter a block fits now; returns their
    /// wakers to wake once the lock is let go.
    pub(crate) fn serve_locked(
        &self,
        queue: &mut Queue,
        mut try_hold: impl FnMut(&Wanted) -> Result<SeatHold, SeatError>,
    ) -> Vec<Waker> {
        let mut wakers = Vec::new();
        for priority in [Priority::Vip, Priority::Regular] {
            let mut i = 0;
            while i < queue.of(priority).len() {
                let waiter = &queue.of(priority)[i];
                match try_hold(&waiter.want) {
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

    /// Ends waiting for good: every waiter is woken to be refused, and so
    /// is every newcomer. Holds already made for waiters stay theirs to
    /// pick up (the caller decides what to do with them).
    pub(crate) fn end(&self) {
        let mut queue = self.lock();
        queue.ended = true;
        let mut wakers: Vec<Waker> = Vec::new();
        for priority in [Priority::Vip, Priority::Regular] {
            wakers.extend(queue.of(priority).drain(..).map(|w| w.waker));
        }
        self.len.store(0, Ordering::SeqCst);
        drop(queue);
        wakers.into_iter().for_each(Waker::wake);
    }

    pub(crate) fn position(&self, priority: Priority, id: u64) -> Option<usize> {
        let queue = self.lock();
        let index = |q: &VecDeque<Waiter>| q.iter().position(|w| w.id == id);
        match priority {
            Priority::Vip => index(&queue.vips).map(|i| i + 1),
            Priority::Regular => index(&queue.regulars).map(|i| queue.vips.len() + i + 1),
        }
    }
}
