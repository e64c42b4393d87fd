//! The lock-free pool: a bounded array ring with per-slot stamps (Vyukov's
//! MPMC queue, as in crossbeam's `ArrayQueue`), plus a parking slow path.
//!
//! # Layout of the two index words
//!
//! * `tail`: bit 63 is the closed mark; bits 0..48 are the next index to
//!   write. Keeping the mark in the word producers CAS means no push can
//!   slip in after `close`, so nothing is stranded in a closed pool.
//! * `head`: bits 48..64 count registered waiting VIPs; bits 0..48 are the
//!   next index to read. A Regular consumer pops only with a CAS that also
//!   sees zero VIPs, so "a Regular never takes an item while a VIP that
//!   started waiting before it was released is still waiting" is atomic, not
//!   a check-then-act race. A waiting VIP pops and deregisters in one CAS.
//!
//! An index is `lap | position`, with `lap` a multiple of `one_lap` (the
//! next power of two above the capacity); all index arithmetic wraps at
//! 2^48. A slot's stamp is the index it expects next: `index` when free for
//! that lap's write, `index + 1` when it holds that lap's item.
//!
//! # Blocking
//!
//! Only when the ring is full (or empty) after a short spin does a thread
//! park: it registers in a waiter count, issues a `SeqCst` fence, re-checks
//! under the park mutex and waits on a condvar. A thread that changes the
//! ring does so with a `SeqCst` CAS and then reads the waiter count with a
//! `SeqCst` load; only if someone waits does it touch the mutex. The
//! waiter's "register, fence, re-check" against the changer's "SeqCst CAS,
//! SeqCst load" means either the waiter sees the change or the changer sees
//! the waiter: no lost wake-up, and no syscall (nor fence) when nobody
//! waits.

use std::fmt;
use std::mem::MaybeUninit;
use std::time::Instant;

use crossbeam_utils::CachePadded;

use crate::pool::error::{CapacityError, ReleaseError, TakeError};
use crate::pool::primitive::{
    fence, load_latest, rmw_fence, AtomicU64, AtomicUsize, Backoff, Condvar, Mutex, MutexGuard,
    Ordering, UnsafeCell,
};
use crate::pool::{BoundedPool, Priority};

const INDEX_BITS: u32 = 48;
const INDEX_MASK: u64 = (1 << INDEX_BITS) - 1;
const VIP_ONE: u64 = 1 << INDEX_BITS;
const VIP_MAX: u64 = (1 << (64 - INDEX_BITS)) - 1;
const CLOSED: u64 = 1 << 63;
/// The largest capacity: `one_lap` must leave room for laps in 48 bits.
const MAX_CAPACITY: usize = 1 << 32;

struct Slot<T> {
    stamp: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
}

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

/// What a single pop attempt found.
enum Pop<T> {
    Item(T),
    Empty,
    Closed,
    /// A Regular consumer found VIPs waiting; it must wait too.
    Gated,
}

impl<T> LockFreePool<T> {
    /// Turns spinning before parking on (the default) or off. Without it a
    /// blocked thread parks at once: useful to measure what spinning buys.
    pub fn spin_before_park(mut self, spin: bool) -> Self {
        self.spin = spin;
        self
    }

    fn slot(&self, index: u64) -> &Slot<T> {
        &self.slots[(index & (self.one_lap - 1)) as usize]
    }

    /// The index after `index`, skipping the unused positions of a lap.
    fn next_index(&self, index: u64) -> u64 {
        let position = index & (self.one_lap - 1);
        if position + 1 < self.capacity as u64 {
            index + 1
        } else {
            (index & !(self.one_lap - 1)).wrapping_add(self.one_lap) & INDEX_MASK
        }
    }

    /// How many items an index stands for since construction (mod 2^48 laps).
    fn count_of(&self, index: u64) -> u64 {
        (index / self.one_lap) * self.capacity as u64 + (index & (self.one_lap - 1))
    }

    fn push(&self, item: T) -> Result<(), ReleaseError<T>> {
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & CLOSED != 0 {
                return Err(ReleaseError::Closed(item));
            }
            let slot = self.slot(tail);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == tail {
                let next = self.next_index(tail);
                match self
                    .tail
                    .compare_exchange(tail, next, Ordering::SeqCst, Ordering::Relaxed)
                {
                    Ok(_) => {
                        // SAFETY: our CAS claimed index `tail`, and the stamp
                        // (acquired above) says the last reader of this slot
                        // is done, so no other thread touches it until we
                        // publish the new stamp.
                        slot.value.with_mut(|value| unsafe { (*value).write(item) });
                        // Release: the consumer that acquires this stamp sees
                        // the written item.
                        slot.stamp.store(tail + 1, Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => {
                        tail = current;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) & INDEX_MASK == tail + 1 {
                // The slot still holds the previous lap's item: full, unless
                // a consumer moved head meanwhile.
                fence(Ordering::SeqCst);
                let head = load_latest(&self.head) & INDEX_MASK;
                if head.wrapping_add(self.one_lap) & INDEX_MASK == tail {
                    return Err(ReleaseError::Full(item));
                }
                backoff.spin();
                tail = load_latest(&self.tail);
            } else {
                // Another producer claimed the index but has not written yet.
                backoff.snooze();
                tail = load_latest(&self.tail);
            }
        }
    }

    /// One pop attempt. `registered` means the caller is a VIP counted in
    /// `head`; its pop deregisters it in the same CAS.
    fn pop(&self, priority: Priority, registered: bool) -> Pop<T> {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if priority == Priority::Regular && head >> INDEX_BITS != 0 {
                return Pop::Gated;
            }
            let index = head & INDEX_MASK;
            let slot = self.slot(index);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == index + 1 {
                let vips = if registered {
                    (head & !INDEX_MASK) - VIP_ONE
                } else {
                    head & !INDEX_MASK
                };
                let next = vips | self.next_index(index);
                match self
                    .head
                    .compare_exchange(head, next, Ordering::SeqCst, Ordering::Relaxed)
                {
                    Ok(_) => {
                        // SAFETY: our CAS claimed index `index`, and the
                        // stamp (acquired above) says its producer finished
                        // writing; no other thread reads this lap's item.
                        let item = slot
                            .value
                            .with_mut(|value| unsafe { (*value).assume_init_read() });
                        // Release: the producer of the next lap acquires this
                        // stamp and may then overwrite the slot.
                        slot.stamp.store(
                            index.wrapping_add(self.one_lap) & INDEX_MASK,
                            Ordering::Release,
                        );
                        return Pop::Item(item);
                    }
                    Err(current) => {
                        head = current;
                        backoff.spin();
                    }
                }
            } else if stamp == index {
                fence(Ordering::SeqCst);
                let tail = load_latest(&self.tail);
                if tail & INDEX_MASK == index {
                    return if tail & CLOSED != 0 {
                        Pop::Closed
                    } else {
                        Pop::Empty
                    };
                }
                backoff.spin();
                head = load_latest(&self.head);
            } else {
                backoff.snooze();
                head = load_latest(&self.head);
            }
        }
    }

    /// The number of items, from a consistent (head, tail) pair.
    fn len_now(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst) & INDEX_MASK;
            let head = self.head.load(Ordering::SeqCst) & INDEX_MASK;
            // A consistent pair: tail did not move while head was read.
            if self.tail.load(Ordering::SeqCst) & INDEX_MASK == tail {
                let head_pos = (head & (self.one_lap - 1)) as usize;
                let tail_pos = (tail & (self.one_lap - 1)) as usize;
                return if head_pos < tail_pos {
                    tail_pos - head_pos
                } else if head_pos > tail_pos {
                    self.capacity - head_pos + tail_pos
                } else if tail == head {
                    0
                } else {
                    self.capacity
                };
            }
        }
    }

    fn ring_is_empty(&self) -> bool {
        self.head.load(Ordering::SeqCst) & INDEX_MASK
            == self.tail.load(Ordering::SeqCst) & INDEX_MASK
    }

    /// After an item went in: wake a VIP if any waits, else a Regular.
    fn wake_consumer(&self) {
        // Pairs with the fence a waiter issues after registering; the
        // caller's SeqCst CAS on `tail` is the store side (see `rmw_fence`).
        rmw_fence();
        // One load of a line producers and consumers rarely write: the
        // uncontended put costs no more than this when nobody sleeps.
        if self.sleeping_consumers.load(Ordering::SeqCst) == 0 {
            return;
        }
        let vips = self.head.load(Ordering::SeqCst) >> INDEX_BITS;
        if vips > 0 || self.waiting_overflow_vips.load(Ordering::SeqCst) > 0 {
            let _guard = self.park.lock();
            self.vip_ready.notify_one();
        } else if self.waiting_regulars.load(Ordering::SeqCst) > 0 {
            let _guard = self.park.lock();
            self.regular_ready.notify_one();
        }
    }

    /// After an item came out: wake a producer if any waits.
    fn wake_producer(&self) {
        // The caller's SeqCst CAS on `head` is the store side.
        rmw_fence();
        if self.waiting_producers.load(Ordering::SeqCst) > 0 {
            let _guard = self.park.lock();
            self.room_ready.notify_one();
        }
    }

    /// A waiter leaving may have swallowed a wake-up meant for the next one
    /// (it timed out, or its VIP registration gated Regulars): pass it on.
    /// On a closed pool too: a Regular gated by this VIP when `close` woke
    /// everyone went back to sleep, and no put will ever wake it again.
    fn pass_on_consumer_wakeup(&self) {
        // Pairs with the producer's fence in `wake_consumer`: either this
        // re-check sees its item, or the producer sees this waiter gone
        // (its VIP count decremented) and wakes a Regular itself.
        fence(Ordering::SeqCst);
        if !self.ring_is_empty() || self.tail.load(Ordering::SeqCst) & CLOSED != 0 {
            self.wake_consumer();
        }
    }

    fn spin_then<R>(&self, mut attempt: impl FnMut() -> Option<R>) -> Option<R> {
        if !self.spin {
            return None;
        }
        let backoff = Backoff::new();
        while !backoff.is_completed() {
            backoff.snooze();
            if let Some(done) = attempt() {
                return Some(done);
            }
        }
        None
    }

    fn wait<'a>(
        &self,
        condvar: &Condvar,
        guard: MutexGuard<'a, ()>,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, ()>, bool) {
        match deadline {
            None => (condvar.wait(guard), false),
            Some(deadline) => condvar.wait_until(guard, deadline),
        }
    }

    fn put_slow(&self, item: T, deadline: Option<Instant>) -> Result<(), ReleaseError<T>> {
        self.waiting_producers.fetch_add(1, Ordering::SeqCst);
        // Pairs with the fence in `wake_producer`.
        fence(Ordering::SeqCst);
        let mut item = item;
        let mut guard = self.park.lock();
        let result = loop {
            match self.push(item) {
                Ok(()) => break Ok(()),
                Err(ReleaseError::Full(back)) => item = back,
                Err(err) => break Err(err),
            }
            let timed_out;
            (guard, timed_out) = self.wait(&self.room_ready, guard, deadline);
            if timed_out {
                break match self.push(item) {
                    Err(ReleaseError::Full(back)) => Err(ReleaseError::Timeout(back)),
                    other => other,
                };
            }
        };
        self.waiting_producers.fetch_sub(1, Ordering::SeqCst);
        drop(guard);
        match &result {
            Ok(()) => self.wake_consumer(),
            Err(ReleaseError::Timeout(_)) => {
                // As in `pass_on_consumer_wakeup`, for producers.
                fence(Ordering::SeqCst);
                if self.len_now() < self.capacity {
                    self.wake_producer();
                }
            }
            Err(_) => {}
        }
        result
    }

    fn take_slow(&self, priority: Priority, deadline: Option<Instant>) -> Result<T, TakeError> {
        let registered = priority == Priority::Vip && self.register_vip();
        let counter = match priority {
            Priority::Vip if registered => None,
            Priority::Vip => Some(&self.waiting_overflow_vips),
            Priority::Regular => Some(&*self.waiting_regulars),
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::SeqCst);
        }
        self.sleeping_consumers.fetch_add(1, Ordering::SeqCst);
        // Pairs with `wake_consumer`: either this thread's re-check below
        // sees the new item, or the producer sees this waiter.
        fence(Ordering::SeqCst);
        let condvar = match priority {
            Priority::Vip => &self.vip_ready,
            Priority::Regular => &self.regular_ready,
        };
        let mut guard = self.park.lock();
        let result = loop {
            match self.pop(priority, registered) {
                Pop::Item(item) => break Ok(item),
                Pop::Closed => break Err(TakeError::Closed),
                Pop::Empty | Pop::Gated => {}
            }
            let timed_out;
            (guard, timed_out) = self.wait(condvar, guard, deadline);
            if timed_out {
                break match self.pop(priority, registered) {
                    Pop::Item(item) => Ok(item),
                    Pop::Closed => Err(TakeError::Closed),
                    Pop::Empty | Pop::Gated => Err(TakeError::Timeout),
                };
            }
        };
        // A registered VIP that got an item was deregistered by its pop.
        if registered && result.is_err() {
            self.head.fetch_sub(VIP_ONE, Ordering::SeqCst);
        }
        if let Some(counter) = counter {
            counter.fetch_sub(1, Ordering::SeqCst);
        }
        self.sleeping_consumers.fetch_sub(1, Ordering::SeqCst);
        drop(guard);
        if result.is_ok() {
            self.wake_producer();
        }
        self.pass_on_consumer_wakeup();
        result
    }

    /// Counts this VIP in `head`, so Regulars stop taking; `false` if the
    /// count is at its maximum.
    fn register_vip(&self) -> bool {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if head >> INDEX_BITS == VIP_MAX {
                return false;
            }
            match self.head.compare_exchange(
                head,
                head + VIP_ONE,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(current) => head = current,
            }
        }
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
        let mut item = match self.push(item) {
            Ok(()) => {
                self.wake_consumer();
                return Ok(());
            }
            Err(ReleaseError::Full(back)) => back,
            Err(err) => return Err(err),
        };
        let mut pending = Some(item);
        let spun = self.spin_then(|| match self.push(pending.take().expect("item present")) {
            Ok(()) => Some(Ok(())),
            Err(ReleaseError::Full(back)) => {
                pending = Some(back);
                None
            }
            Err(err) => Some(Err(err)),
        });
        match spun {
            Some(Ok(())) => {
                self.wake_consumer();
                return Ok(());
            }
            Some(Err(err)) => return Err(err),
            None => item = pending.take().expect("item present"),
        }
        self.put_slow(item, deadline)
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
        let attempt = || match self.pop(priority, false) {
            Pop::Item(item) => Some(Ok(item)),
            Pop::Closed => Some(Err(TakeError::Closed)),
            Pop::Empty | Pop::Gated => None,
        };
        if let Some(done) = attempt().or_else(|| self.spin_then(attempt)) {
            if done.is_ok() {
                self.wake_producer();
            }
            return done;
        }
        self.take_slow(priority, deadline)
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
