//! The office's waiting line: where every buyer of an office with several
//! ticket types waits, so the VIP rule holds across types.
//!
//! Each type has its own pool, and a pool's VIP rule only sees the buyers
//! waiting inside it; a VIP waiting for "any type" would not hold back a
//! Regular waiting inside one type's pool. So in an office with several
//! types nobody waits inside a pool: buyers try the pools, and wait here.
//! (A single-type office keeps waiting inside its one pool, where the
//! pool's rule is the whole rule.)
//!
//! The rule: a Regular does not take a ticket of type `t` while a VIP
//! waits for `t` or for any type. Registered VIPs are counted per type
//! and for any type in atomics. A Regular checks them before trying a pool
//! and again after taking (a `SeqCst` fence between): a VIP registered
//! before the ticket was released is seen by then (the release's put
//! happens before the Regular's take), and the Regular gives the ticket
//! back and defers. VIPs never defer.
//!
//! Wake-ups: a waiter registers (`SeqCst`), fences, reads the generation
//! and tries the pools; a put fences and reads the waiter count, and only
//! if someone waits bumps the generation under the line's mutex and wakes
//! everyone. Either the waiter's try sees the ticket or the put sees the
//! waiter, and a waiter only sleeps if the generation is still the one it
//! read before trying: no lost wake-up, and a put pays one fence and one
//! load when nobody waits. A VIP leaving the line also bumps, so the
//! Regulars it held back look again.
//!
//! Futures wait in the same line, in its [`Waitlist`] (see `waitlist.rs`
//! for that design): they are counted like blocking waiters, so the rule
//! holds between the two kinds, and tickets are handed to them directly.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::office::waitlist::Waitlist;
use crate::pool::deadline::{self, Until, Woke};
use crate::pool::error::TakeError;
use crate::pool::primitive::{fence, AtomicU64, Condvar, Mutex, Ordering};
use crate::pool::Priority;

/// Why a buyer left the line without a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    /// Nothing to take and not allowed to wait.
    Empty,
    /// The deadline passed.
    Timeout,
    /// The interrupt check stopped the wait.
    Interrupted,
    /// Every pool it could take from is closed and drained, or the office
    /// closed: nothing will come.
    Ended,
}

/// One round of trying the pools.
enum Round<T> {
    Got(T, usize),
    Nothing,
    Ended,
}

/// The pools a line serves, one per ticket type.
pub(crate) trait Pools<T> {
    /// Takes a ticket of type `ty` if one is there.
    fn try_take(&self, ty: usize, priority: Priority) -> Result<T, TakeError>;
    /// Puts back a ticket a Regular took but a VIP is owed, and wakes the
    /// line.
    fn give_back(&self, ty: usize, ticket: T);
    /// `true` once type `ty`'s pool is closed and empty: nothing more of
    /// that type can be taken.
    fn drained(&self, ty: usize) -> bool;
    /// `true` if a VIP waits inside type `ty`'s pool (a single-type
    /// office's blocking buyers wait there, not in the line).
    fn vip_waits_inside(&self, ty: usize) -> bool;
}

/// An async buyer's place in the [`Line`]: what a future keeps between
/// polls.
#[derive(Debug)]
pub(crate) struct AsyncWait {
    pub(crate) priority: Priority,
    pub(crate) target: Option<usize>,
    /// Its arrival number while it is registered in the waitlist
    /// ([`NOT_WAITING`] otherwise), shared with [`Place`] readers.
    seq: Arc<AtomicU64>,
    /// Its first miss.
    started: Option<Instant>,
    /// How many tickets it waits for, all handed over at once.
    count: usize,
}

/// The arrival number of an async waiter that is not in the waitlist.
const NOT_WAITING: u64 = u64::MAX;

/// Reads an async waiter's place in line from elsewhere (another task).
#[derive(Debug, Clone)]
pub(crate) struct PlaceOf {
    pub(crate) priority: Priority,
    seq: Arc<AtomicU64>,
}

impl PlaceOf {
    fn seq(&self) -> Option<u64> {
        let seq = self.seq.load(Ordering::Acquire);
        (seq != NOT_WAITING).then_some(seq)
    }
}

impl AsyncWait {
    /// A wait for `count` tickets (at least 1), handed over together.
    pub(crate) fn new(priority: Priority, target: Option<usize>, count: usize) -> Self {
        Self {
            priority,
            target,
            seq: Arc::new(AtomicU64::new(NOT_WAITING)),
            started: None,
            count: count.max(1),
        }
    }

    /// A reader of this waiter's place in line.
    pub(crate) fn place(&self) -> PlaceOf {
        PlaceOf {
            priority: self.priority,
            seq: Arc::clone(&self.seq),
        }
    }

    fn seq(&self) -> Option<u64> {
        let seq = self.seq.load(Ordering::Acquire);
        (seq != NOT_WAITING).then_some(seq)
    }

    fn set_seq(&self, seq: Option<u64>) {
        self.seq
            .store(seq.unwrap_or(NOT_WAITING), Ordering::Release);
    }

    fn waited(&self) -> Duration {
        self.started.map_or(Duration::ZERO, |t| t.elapsed())
    }
}

/// The buyers waiting in an office: blocking ones when it has several
/// ticket types, async ones always.
pub(crate) struct Line<T> {
    /// VIPs waiting for any type.
    vips_any: CachePadded<AtomicU64>,
    /// VIPs waiting for each type.
    vips_for: Box<[AtomicU64]>,
    /// Regulars waiting, whatever they want (for snapshots).
    regulars: AtomicU64,
    /// Everyone waiting: what a put reads to decide whether to wake.
    waiters: CachePadded<AtomicU64>,
    /// Bumped under `lock` whenever waiters should look again.
    generation: AtomicU64,
    lock: Mutex<()>,
    ready: Condvar,
    /// Futures waiting, in line order.
    room: Waitlist<T>,
}

impl<T> Line<T> {
    pub(crate) fn new(types: usize) -> Self {
        Self {
            vips_any: CachePadded::new(AtomicU64::new(0)),
            vips_for: (0..types).map(|_| AtomicU64::new(0)).collect(),
            regulars: AtomicU64::new(0),
            waiters: CachePadded::new(AtomicU64::new(0)),
            generation: AtomicU64::new(0),
            lock: Mutex::new(()),
            ready: Condvar::new(),
            room: Waitlist::new(types),
        }
    }

    /// Buyers of `priority` registered as waiting: each is one the next
    /// ticket it wants can reach, VIPs first.
    pub(crate) fn waiting(&self, priority: Priority) -> u64 {
        match priority {
            Priority::Vip => {
                self.vips_any.load(Ordering::SeqCst)
                    + self
                        .vips_for
                        .iter()
                        .map(|n| n.load(Ordering::SeqCst))
                        .sum::<u64>()
            }
            Priority::Regular => self.regulars.load(Ordering::SeqCst),
        }
    }

    /// After a ticket went into a pool (or the office changed): wakes the
    /// waiters, if there are any.
    pub(crate) fn wake(&self) {
        // Pairs with the fence in `register`: either that waiter's next
        // round sees the ticket, or this load sees the waiter.
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.wake_front();
        }
    }

    /// Wakes every waiter to look again, unconditionally (close, sold out).
    pub(crate) fn wake_all(&self) {
        self.wake_blocking();
        for waker in self.room.everyone() {
            waker.wake();
        }
    }

    /// Wakes every blocking waiter, and the futures at the front of the
    /// line (the others are behind them, and are woken when they leave).
    fn wake_front(&self) {
        self.wake_blocking();
        for waker in self.room.front() {
            waker.wake();
        }
    }

    fn wake_blocking(&self) {
        let guard = self.lock.lock();
        self.generation.fetch_add(1, Ordering::Release);
        drop(guard);
        self.ready.notify_all();
    }

    /// `true` if a VIP whose want overlaps type `ty` waits.
    fn owed_to_vip(&self, ty: usize) -> bool {
        self.vips_any.load(Ordering::SeqCst) > 0 || self.vips_for[ty].load(Ordering::SeqCst) > 0
    }

    /// The VIP count a waiter of this want registers in.
    fn vip_count(&self, target: Option<usize>) -> &AtomicU64 {
        target.map_or(&*self.vips_any, |ty| &self.vips_for[ty])
    }

    /// Futures waiting now (both priorities).
    pub(crate) fn waiting_async(&self) -> u64 {
        self.room.len()
    }

    fn register(&self, priority: Priority, target: Option<usize>) {
        match priority {
            Priority::Vip => self.vip_count(target).fetch_add(1, Ordering::SeqCst),
            Priority::Regular => self.regulars.fetch_add(1, Ordering::SeqCst),
        };
        self.waiters.fetch_add(1, Ordering::SeqCst);
        // Pairs with the fence in `wake` and the one after a Regular's take.
        fence(Ordering::SeqCst);
    }

    fn deregister(&self, priority: Priority, target: Option<usize>) {
        self.uncount(priority, target);
        self.after_leaving(priority);
    }

    /// The counting half of [`deregister`](Self::deregister).
    fn uncount(&self, priority: Priority, target: Option<usize>) {
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        match priority {
            Priority::Regular => self.regulars.fetch_sub(1, Ordering::SeqCst),
            Priority::Vip => self.vip_count(target).fetch_sub(1, Ordering::SeqCst),
        };
    }

    /// The waking half of [`deregister`](Self::deregister), with no lock
    /// held.
    fn after_leaving(&self, priority: Priority) {
        if priority == Priority::Vip {
            // Pairs with the fence in a Regular's `register`: either
            // its next round sees this VIP gone, or this load sees it
            // (the loom model found the wait that is lost without it).
            fence(Ordering::SeqCst);
            // Regulars this VIP held back may take now.
            if self.regulars.load(Ordering::SeqCst) > 0 {
                self.wake_front();
            }
        }
    }

    /// The async waiter's 1-based place in line (VIPs first, then by
    /// arrival), or `None` when it is not waiting.
    pub(crate) fn position(&self, place: &PlaceOf) -> Option<usize> {
        self.room.position(place.priority, place.seq()?)
    }

    /// Takes a ticket of type `target` (or of any of the `types` when
    /// `None`) for a buyer of `priority`, waiting in line until `wait`
    /// (`None`: not at all). Returns it with its type and how long the
    /// buyer waited, counted from its first miss.
    ///
    /// `pools.try_take(ty)` tries type `ty`'s pool; `pools.give_back(ty,
    /// ticket)` puts a ticket a Regular took back into its pool and calls
    /// [`wake`](Self::wake); `closed()` says the office closed.
    pub(crate) fn take(
        &self,
        priority: Priority,
        target: Option<usize>,
        wait: Option<Until<'_>>,
        pools: &impl Pools<T>,
        closed: impl Fn() -> bool,
    ) -> Result<(T, usize, Duration), Miss> {
        let types = target.map_or(0..self.vips_for.len(), |ty| ty..ty + 1);
        let mut registered = false;
        let mut started: Option<Instant> = None;
        let mut timed_out = false;
        let result = loop {
            let generation = self.generation.load(Ordering::Acquire);
            if closed() {
                break Err(Miss::Ended);
            }
            match self.round(priority, types.clone(), pools) {
                Round::Got(ticket, ty) => {
                    let waited = started.map_or(Duration::ZERO, |t| t.elapsed());
                    break Ok((ticket, ty, waited));
                }
                Round::Ended => break Err(Miss::Ended),
                Round::Nothing => {}
            }
            let Some(until) = wait else {
                break Err(Miss::Empty);
            };
            if timed_out {
                break Err(Miss::Timeout);
            }
            started.get_or_insert_with(Instant::now);
            if !registered {
                // Try once more after registering: a put that came before
                // it may not have seen this waiter.
                self.register(priority, target);
                registered = true;
                continue;
            }
            let mut guard = self.lock.lock();
            if self.generation.load(Ordering::Acquire) == generation {
                let woke;
                (guard, woke) = deadline::wait_once(&self.ready, guard, until);
                match woke {
                    Woke::Notified => {}
                    Woke::TimedOut => timed_out = true,
                    Woke::Interrupted => break Err(Miss::Interrupted),
                }
            }
            drop(guard);
        };
        if registered {
            self.deregister(priority, target);
        }
        result
    }

    /// Tries each pool in `types` once; a Regular skips (or gives back)
    /// tickets a waiting VIP is owed.
    fn round(&self, priority: Priority, types: Range<usize>, pools: &impl Pools<T>) -> Round<T> {
        let mut ended = true;
        for ty in types {
            let regular = priority == Priority::Regular;
            if regular && self.owed_to_vip(ty) {
                // Held back, but told when nothing can come (an any-type
                // VIP may wait on for other types).
                ended &= pools.drained(ty);
                continue;
            }
            match pools.try_take(ty, priority) {
                Ok(ticket) => {
                    if regular {
                        // Pairs with the fence in `register`: a VIP that
                        // registered before this ticket's put is seen.
                        fence(Ordering::SeqCst);
                        if self.owed_to_vip(ty) {
                            pools.give_back(ty, ticket);
                            ended = false;
                            continue;
                        }
                    }
                    return Round::Got(ticket, ty);
                }
                Err(TakeError::Closed) => {}
                Err(_) => ended = false,
            }
        }
        if ended {
            Round::Ended
        } else {
            Round::Nothing
        }
    }
}

mod poll;

pub(crate) use poll::Taken;

#[cfg(all(test, ticketpool_loom))]
mod loom_models;
