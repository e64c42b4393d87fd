//! The lock-free pool: a bounded array ring with per-slot stamps (Vyukov's
//! MPMC queue, as in crossbeam's `ArrayQueue`), plus a parking slow path.
//!
//! - [`ring`]: the slots, the layout of the `head` and `tail` words, and the
//!   lock-free push and pop.
//! - [`park`]: spinning, parking on the condvars and the wake-up protocol.
//!
//! This file holds the pool itself and its [`BoundedPool`] operations, which
//! try the ring first and fall back to the slow path.

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
use crate::pool::primitive::{AtomicU64, AtomicUsize, Condvar, Mutex, Ordering, UnsafeCell};
use crate::pool::{BoundedPool, Priority};

/// A bounded MPMC pool whose put and take take no lock.
///
/// Fairness: among consumers of one priority there is no queue order;
/// whoever's CAS lands first takes the item (the VIP rule still holds
/// exactly, see [`Priority`]). Parked producers and consumers are woken in
/// the order parking_lot's condvar keeps, which is FIFO, but a running thread
/// may take the slot or item first.
///
/// By default a thread spins briefly (crossbeam's `Backoff`) before it
/// parks, because a futex wake round trip costs far more than a short spin;
/// [`spin_before_park`](LockFreePool::spin_before_park) turns that off.
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
    spin: bool,
    waiting_regulars: CachePadded<AtomicUsize>,
    /// Every consumer on the slow path, of either priority: what a producer
    /// reads to decide whether anyone needs waking.
    sleeping_consumers: CachePadded<AtomicUsize>,
    waiting_producers: CachePadded<AtomicUsize>,
    /// Unregistered VIP waiters (only past `VIP_MAX` registered ones).
    waiting_overflow_vips: AtomicUsize,
    park: Mutex<()>,
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

impl<T> LockFreePool<T> {
    /// Turns spinning before parking on (the default) or off. Without it a
    /// blocked thread parks at once: useful to measure what spinning buys.
    pub fn spin_before_park(mut self, spin: bool) -> Self {
        self.spin = spin;
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
            spin: true,
            waiting_regulars: CachePadded::new(AtomicUsize::new(0)),
            sleeping_consumers: CachePadded::new(AtomicUsize::new(0)),
            waiting_producers: CachePadded::new(AtomicUsize::new(0)),
            waiting_overflow_vips: AtomicUsize::new(0),
            park: Mutex::new(()),
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
        match attempt(item).or_else(|item| self.spin_then(item, attempt)) {
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
        match attempt(()).or_else(|()| self.spin_then((), attempt)) {
            Ok(done) => {
                if done.is_ok() {
                    self.wake_producer();
                }
                done
            }
            Err(()) => self.take_slow(priority, deadline),
        }
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
