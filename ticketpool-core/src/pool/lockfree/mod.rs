//! The lock-free pool: a bounded array ring with per-slot stamps (Vyukov's
//! MPMC queue, as in crossbeam's `ArrayQueue`), plus a parking slow path.
//!
//! - [`ring`]: the slots, the layout of the `head` and `tail` words, and the
//!   lock-free push and pop.
//! - [`batch`]: claiming a run of slots with one CAS, for `put_many` and
//!   `take_many`.
//! - [`park`]: parking on the condvars and the wake-up protocol (the spin
//!   before it is `pool::spin`'s).
//!
//! This file holds the pool itself and its [`BoundedPool`] operations, which
//! try the ring first and fall back to the slow path.

mod batch;
mod park;
mod ring;
#[cfg(all(test, not(ticketpool_loom)))]
mod tests;

use std::fmt;
use std::mem::MaybeUninit;
use std::time::Instant;

use crossbeam_utils::CachePadded;

use crate::pool::error::{CapacityError, ReleaseError, TakeError};
use crate::pool::lockfree::ring::{Pop, Slot, CLOSED, INDEX_BITS, INDEX_MASK, MAX_CAPACITY};
use crate::pool::primitive::{
    AtomicBool, AtomicU64, AtomicUsize, Condvar, Mutex, Ordering, UnsafeCell,
};
use crate::pool::spin::SpinGauge;
use crate::pool::{deadline, err_kind, BoundedPool, Priority};

/// A bounded MPMC pool whose put and take take no lock.
///
/// Fairness: among consumers of one priority there is no queue order;
/// whoever's CAS lands first takes the item (the VIP rule still holds
/// exactly, see [`Priority`]). Parked producers and consumers are woken in
/// the order parking_lot's condvar keeps, which is FIFO, but a running thread
/// may take the slot or item first.
///
/// By default a thread spins briefly before it parks, because a futex wake
/// round trip costs far more than a short spin. The spin is adaptive: it
/// shrinks while spins end in parking anyway (the thread waited for is not
/// running, as on an oversubscribed machine), and stops yielding while
/// yields hand the CPU to busy threads;
/// [`spin_before_park`](LockFreePool::spin_before_park) turns it off.
///
/// At most 65,535 VIP consumers are registered as waiting at once; past that
/// a VIP waits unregistered, still served before Regulars only by the order
/// of wake-ups.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use ticketpool_core::{BoundedPool, Consumer, LockFreePool, Priority, Producer};
///
/// let pool = Arc::new(LockFreePool::with_capacity(16).unwrap());
/// let vendor = Producer::new(Arc::clone(&pool));
/// let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
/// let buyer = thread::spawn(move || (0..100).map(|_| customer.take().unwrap()).sum::<u64>());
/// for ticket in 0..100_u64 {
///     vendor.release(ticket).unwrap();
/// }
/// assert_eq!(buyer.join().unwrap(), 4950);
/// assert_eq!(pool.taken_count(), 100);
/// ```
pub struct LockFreePool<T> {
    head: CachePadded<AtomicU64>,
    tail: CachePadded<AtomicU64>,
    slots: Box<[Slot<T>]>,
    capacity: usize,
    one_lap: u64,
    spin_enabled: bool,
    /// Written only when spinning starts or stops paying: its own line.
    spin: CachePadded<Gauges>,
    waiting_regulars: CachePadded<AtomicUsize>,
    /// Every consumer on the slow path, of either priority: what a producer
    /// reads to decide whether anyone needs waking.
    sleeping_consumers: CachePadded<AtomicUsize>,
    waiting_producers: CachePadded<AtomicUsize>,
    /// Unregistered VIP waiters (only past `VIP_MAX` registered ones).
    waiting_overflow_vips: AtomicUsize,
    /// Per condvar: a waiter was woken and has not re-checked yet.
    woken: CachePadded<Woken>,
    park: Mutex<Parked>,
    vip_ready: Condvar,
    regular_ready: Condvar,
    room_ready: Condvar,
}

// SAFETY: items move between threads through the slots (so `T: Send`), and a
// slot is only read or written by the one thread whose CAS claimed its index;
// the stamps' release/acquire hand the slot over. No `&T` is ever shared.
unsafe impl<T: Send> Send for LockFreePool<T> {}
// SAFETY: as above; every shared access goes through atomics or a claimed slot.
unsafe impl<T: Send> Sync for LockFreePool<T> {}

/// How long producers waiting for room and consumers waiting for an item
/// spin before they park, each learnt from its own recent waits.
struct Gauges {
    room: SpinGauge,
    item: SpinGauge,
}

/// Per kind of waiter: one was woken and has not run its re-check yet, so
/// another wake-up of that kind can wait (see `park`).
struct Woken {
    vip: AtomicBool,
    regular: AtomicBool,
    room: AtomicBool,
}

/// The kinds of waiter, one condvar each.
#[derive(Clone, Copy)]
enum Kind {
    Vip,
    Regular,
    Producer,
}

/// How many threads of each kind are inside their condvar wait; only
/// changed and read under the park lock (see `park`).
#[derive(Default)]
struct Parked {
    vips: usize,
    regulars: usize,
    producers: usize,
}

impl Parked {
    fn of(&self, kind: Kind) -> &usize {
        match kind {
            Kind::Vip => &self.vips,
            Kind::Regular => &self.regulars,
            Kind::Producer => &self.producers,
        }
    }

    fn of_mut(&mut self, kind: Kind) -> &mut usize {
        match kind {
            Kind::Vip => &mut self.vips,
            Kind::Regular => &mut self.regulars,
            Kind::Producer => &mut self.producers,
        }
    }
}

impl<T> LockFreePool<T> {
    /// Turns spinning before parking on (the default) or off. Without it a
    /// blocked thread parks at once: useful to measure what spinning buys.
    pub fn spin_before_park(mut self, spin: bool) -> Self {
        self.spin_enabled = spin;
        self
    }
}

impl<T: Send> BoundedPool for LockFreePool<T> {
    type Item = T;

    const STRATEGY: &'static str = "lockfree";

    fn with_capacity(capacity: usize) -> Result<Self, CapacityError> {
        if capacity == 0 {
            return Err(CapacityError::Zero);
        }
        if capacity > MAX_CAPACITY {
            return Err(CapacityError::TooLarge {
                requested: capacity,
                max: MAX_CAPACITY,
            });
        }
        let one_lap = (capacity as u64 + 1).next_power_of_two();
        let mut slots = Vec::new();
        slots
            .try_reserve_exact(capacity)
            .map_err(|_| CapacityError::AllocationFailed {
                requested: capacity,
            })?;
        // Slot i starts free for the write at index i of lap 0.
        slots.extend((0..capacity as u64).map(|i| Slot {
            stamp: AtomicU64::new(i),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }));
        Ok(Self {
            head: CachePadded::new(AtomicU64::new(0)),
            tail: CachePadded::new(AtomicU64::new(0)),
            slots: slots.into_boxed_slice(),
            capacity,
            one_lap,
            spin_enabled: true,
            spin: CachePadded::new(Gauges {
                room: SpinGauge::new(),
                item: SpinGauge::new(),
            }),
            waiting_regulars: CachePadded::new(AtomicUsize::new(0)),
            sleeping_consumers: CachePadded::new(AtomicUsize::new(0)),
            waiting_producers: CachePadded::new(AtomicUsize::new(0)),
            waiting_overflow_vips: AtomicUsize::new(0),
            woken: CachePadded::new(Woken {
                vip: AtomicBool::new(false),
                regular: AtomicBool::new(false),
                room: AtomicBool::new(false),
            }),
            park: Mutex::new(Parked::default()),
            vip_ready: Condvar::new(),
            regular_ready: Condvar::new(),
            room_ready: Condvar::new(),
        })
    }

    fn try_put(&self, item: T) -> Result<(), ReleaseError<T>> {
        self.push(item)?;
        self.wake_consumer();
        Ok(())
    }

    fn put_until(&self, item: T, deadline: Option<Instant>) -> Result<(), ReleaseError<T>> {
        let attempt = |item| self.push_unless_full(item);
        let spin = || self.spin.room.start(self.spin_enabled);
        match attempt(item).or_else(|item| spin().retry(item, attempt)) {
            Ok(done) => {
                if done.is_ok() {
                    self.wake_consumer();
                }
                done
            }
            Err(item) => self.put_slow(item, deadline),
        }
    }

    fn try_take(&self, priority: Priority) -> Result<T, TakeError> {
        match self.pop(priority, false) {
            Pop::Item(item) => {
                self.wake_producer();
                Ok(item)
            }
            Pop::Closed => Err(TakeError::Closed),
            Pop::Empty | Pop::Gated => Err(TakeError::Empty),
        }
    }

    fn take_until(&self, priority: Priority, deadline: Option<Instant>) -> Result<T, TakeError> {
        let attempt = |()| self.pop_unless_empty(priority, false);
        let spin = || self.spin.item.start(self.spin_enabled);
        match attempt(()).or_else(|()| spin().retry((), attempt)) {
            Ok(done) => {
                if done.is_ok() {
                    self.wake_producer();
                }
                done
            }
            Err(()) => self.take_slow(priority, deadline),
        }
    }

    /// Claims a run of slots for the items with one CAS (see `batch`); only
    /// waiting for the first item's room goes through [`put_until`].
    ///
    /// [`put_until`]: BoundedPool::put_until
    fn put_many(
        &self,
        items: &mut Vec<T>,
        deadline: Option<Instant>,
    ) -> Result<usize, ReleaseError<()>> {
        if items.is_empty() {
            return Ok(0);
        }
        match self.push_run(items) {
            Ok(moved) => {
                self.wake_consumers(moved);
                return Ok(moved);
            }
            Err(ReleaseError::Full(())) if !deadline::passed(deadline) => {}
            Err(err) => return Err(err),
        }
        let first = items.remove(0);
        if let Err(err) = self.put_until(first, deadline) {
            let kind = err_kind(&err);
            items.insert(0, err.into_inner());
            return Err(kind);
        }
        let more = if items.is_empty() {
            0
        } else {
            self.push_run(items).unwrap_or(0)
        };
        self.wake_consumers(more);
        Ok(1 + more)
    }

    /// Takes a run of items with one CAS (see `batch`); only waiting for the
    /// first goes through [`take_until`].
    ///
    /// [`take_until`]: BoundedPool::take_until
    fn take_many(
        &self,
        priority: Priority,
        max: usize,
        out: &mut Vec<T>,
        deadline: Option<Instant>,
    ) -> Result<usize, TakeError> {
        if max == 0 {
            return Ok(0);
        }
        match self.pop_run(priority, max, out) {
            Pop::Item(taken) => {
                self.wake_producers(taken);
                return Ok(taken);
            }
            Pop::Closed => return Err(TakeError::Closed),
            Pop::Empty | Pop::Gated if deadline::passed(deadline) => return Err(TakeError::Empty),
            Pop::Empty | Pop::Gated => {}
        }
        out.push(self.take_until(priority, deadline)?);
        let more = if max == 1 {
            0
        } else if let Pop::Item(taken) = self.pop_run(priority, max - 1, out) {
            taken
        } else {
            0
        };
        self.wake_producers(more);
        Ok(1 + more)
    }

    fn close(&self) -> bool {
        let was_open = self.tail.fetch_or(CLOSED, Ordering::SeqCst) & CLOSED == 0;
        if was_open {
            let _guard = self.park.lock();
            self.vip_ready.notify_all();
            self.regular_ready.notify_all();
            self.room_ready.notify_all();
        }
        was_open
    }

    fn is_closed(&self) -> bool {
        self.tail.load(Ordering::SeqCst) & CLOSED != 0
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn len(&self) -> usize {
        self.len_now()
    }

    fn waiting_consumers(&self, priority: Priority) -> usize {
        match priority {
            Priority::Vip => {
                (self.head.load(Ordering::Relaxed) >> INDEX_BITS) as usize
                    + self.waiting_overflow_vips.load(Ordering::Relaxed)
            }
            Priority::Regular => self.waiting_regulars.load(Ordering::Relaxed),
        }
    }

    fn waiting_producers(&self) -> usize {
        self.waiting_producers.load(Ordering::Relaxed)
    }

    fn put_count(&self) -> u64 {
        self.count_of(self.tail.load(Ordering::Relaxed) & INDEX_MASK)
    }

    fn taken_count(&self) -> u64 {
        self.count_of(self.head.load(Ordering::Relaxed) & INDEX_MASK)
    }
}

impl<T> Drop for LockFreePool<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can touch the ring; drop what is left.
        while let Pop::Item(item) = self.pop(Priority::Vip, false) {
            drop(item);
        }
    }
}

impl<T> fmt::Debug for LockFreePool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockFreePool")
            .field("capacity", &self.capacity)
            .field("closed", &(self.tail.load(Ordering::Relaxed) & CLOSED != 0))
            .finish_non_exhaustive()
    }
}
