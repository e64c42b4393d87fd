//! The lock-based pool: a `VecDeque` under a parking_lot `Mutex`, with one
//! condvar per kind of waiter (VIP consumers, Regular consumers, producers).
//!
//! # Grants
//!
//! Waking a waiter is not enough to be fair: between the notify and the
//! moment the woken thread re-takes the lock, a newcomer could take the item.
//! So a put that finds a consumer waiting *grants* the item to that waiter's
//! class (VIP first) before notifying, and a grant can only be claimed by a
//! waiter of that class. Newcomers see only ungranted items. Since
//! parking_lot's condvar wakes the longest waiter first, waiters of one
//! priority are served FIFO. Producers waiting for room get the same
//! treatment. A grant is a count, not a name, so a waiter whose deadline
//! passes just as an item is granted may claim it ahead of an older waiter;
//! nothing is lost and nobody is left waiting on an item that is there.
//!
//! Separate condvars matter: with one shared condvar, `notify_one` could wake
//! a producer when a consumer was meant, and the wake-up would be lost.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use crate::pool::deadline::{self, Interrupt, Until};
use crate::pool::error::{CapacityError, ReleaseError, TakeError};
use crate::pool::primitive::{AtomicU64, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering};
use crate::pool::spin::{Spin, SpinGauge};
use crate::pool::{err_kind, BoundedPool, Priority};

/// Waiters of one kind and the grants made to them.
#[derive(Debug, Default)]
struct Waiters {
    /// Threads waiting, including those granted but not yet running.
    waiting: usize,
    /// Items (or rooms) set aside for this kind and not yet claimed.
    granted: usize,
}

impl Waiters {
    fn ungranted(&self) -> bool {
        self.waiting > self.granted
    }
}

struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    vips: Waiters,
    regulars: Waiters,
    producers: Waiters,
    /// Grants made under this lock hold whose waiters are notified once it
    /// is released (see [`CondvarPool::unlock`]).
    to_wake: ToWake,
}

/// How many waiters of each kind to notify after unlocking.
#[derive(Debug, Default)]
struct ToWake {
    vips: usize,
    regulars: usize,
    producers: usize,
}

impl<T> State<T> {
    fn consumers(&mut self, priority: Priority) -> &mut Waiters {
        match priority {
            Priority::Vip => &mut self.vips,
            Priority::Regular => &mut self.regulars,
        }
    }

    /// Items a newcomer may take: those not granted to a waiter.
    fn free_items(&self) -> usize {
        self.items.len() - self.vips.granted - self.regulars.granted
    }
}

/// A bounded MPMC pool on a parking_lot `Mutex` and `Condvar`s.
///
/// Fairness: waiters of one priority are served in the order they started
/// waiting (FIFO), and so are waiting producers; see the module docs for
/// the one race where a timing-out waiter may go first.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use ticketpool_core::{BoundedPool, CondvarPool, Consumer, Priority, Producer};
///
/// let pool = Arc::new(CondvarPool::with_capacity(2).unwrap());
/// let vendor = Producer::new(Arc::clone(&pool));
/// let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
/// vendor.release("A1").unwrap();
/// assert_eq!(vip.take(), Ok("A1"));
/// pool.close();
/// assert!(vip.take().is_err());
/// ```
pub struct CondvarPool<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    vip_ready: Condvar,
    regular_ready: Condvar,
    room_ready: Condvar,
    // Mirrors written under the lock so the observers never take it.
    len: AtomicUsize,
    put_count: AtomicU64,
    taken_count: AtomicU64,
    waiting_vips: AtomicUsize,
    waiting_regulars: AtomicUsize,
    waiting_producers: AtomicUsize,
    closed: AtomicUsize,
    /// What a spinning newcomer could take, or fill: it re-takes the lock
    /// only once these say so, instead of on every round.
    free_items: AtomicUsize,
    free_room: AtomicUsize,
    room_spin: SpinGauge,
    item_spin: SpinGauge,
}

impl<T> CondvarPool<T> {
    fn condvar(&self, priority: Priority) -> &Condvar {
        match priority {
            Priority::Vip => &self.vip_ready,
            Priority::Regular => &self.regular_ready,
        }
    }

    /// Pushes under the lock and grants the item to a waiting consumer.
    fn push_locked(&self, state: &mut State<T>, item: T) {
        state.items.push_back(item);
        self.put_count.fetch_add(1, Ordering::Relaxed);
        if state.vips.ungranted() {
            state.vips.granted += 1;
            state.to_wake.vips += 1;
        } else if state.regulars.ungranted() {
            state.regulars.granted += 1;
            state.to_wake.regulars += 1;
        }
    }

    /// Pops under the lock and grants the room to a waiting producer.
    fn pop_locked(&self, state: &mut State<T>) -> T {
        let item = state
            .items
            .pop_front()
            .expect("pop_locked is only called with an item to take");
        self.taken_count.fetch_add(1, Ordering::Relaxed);
        if !state.closed && state.producers.ungranted() {
            state.producers.granted += 1;
            state.to_wake.producers += 1;
        }
        item
    }

    /// Releases the lock, then notifies the waiters granted an item or room
    /// under it. Notifying under the lock let parking_lot requeue the woken
    /// thread onto the mutex and, every half millisecond, hand the mutex
    /// straight to it: on an oversubscribed machine that thread may not run
    /// for a time slice, and everyone else spun and yielded on a mutex held
    /// by nobody running. A waiter counted in `waiting` is inside its
    /// condvar wait by the time this lock is free, so the late notify
    /// still reaches it; a grant is claimed on any wake-up.
    fn unlock(&self, mut state: MutexGuard<'_, State<T>>) {
        let wake = std::mem::take(&mut state.to_wake);
        drop(state);
        for _ in 0..wake.vips {
            self.vip_ready.notify_one();
        }
        for _ in 0..wake.regulars {
            self.regular_ready.notify_one();
        }
        for _ in 0..wake.producers {
            self.room_ready.notify_one();
        }
    }

    fn free_room(&self, state: &State<T>) -> usize {
        self.capacity - state.items.len() - state.producers.granted
    }

    fn sync_mirrors(&self, state: &State<T>) {
        self.len.store(state.items.len(), Ordering::Relaxed);
        self.free_items.store(state.free_items(), Ordering::Relaxed);
        self.free_room
            .store(self.free_room(state), Ordering::Relaxed);
        self.waiting_vips
            .store(state.vips.waiting, Ordering::Relaxed);
        self.waiting_regulars
            .store(state.regulars.waiting, Ordering::Relaxed);
        self.waiting_producers
            .store(state.producers.waiting, Ordering::Relaxed);
    }

    /// Puts under the lock, waiting if `wait`; gives the guard back so
    /// batch forms can go on under the same lock.
    fn put_locked<'a>(
        &'a self,
        mut state: MutexGuard<'a, State<T>>,
        item: T,
        deadline: Option<Instant>,
        wait: bool,
    ) -> (MutexGuard<'a, State<T>>, Result<(), ReleaseError<T>>) {
        let mut spin = self.room_spin.start(wait);
        loop {
            if state.closed {
                return (state, Err(ReleaseError::Closed(item)));
            }
            if self.free_room(&state) > 0 {
                self.push_locked(&mut state, item);
                self.sync_mirrors(&state);
                spin.paid_off();
                return (state, Ok(()));
            }
            if !wait {
                return (state, Err(ReleaseError::Full(item)));
            }
            if spin.spent() {
                break;
            }
            state = self.spin_unlocked(state, &mut spin, &self.free_room);
        }
        state.producers.waiting += 1;
        self.sync_mirrors(&state);
        let (mut state, done) =
            deadline::wait_for(&self.room_ready, state, deadline, item, |state, item| {
                if state.closed {
                    Ok(Err(ReleaseError::Closed(item)))
                } else if state.producers.granted > 0 {
                    state.producers.granted -= 1;
                    self.push_locked(state, item);
                    Ok(Ok(()))
                } else {
                    Err(item)
                }
            });
        let result = done.unwrap_or_else(|item| Err(ReleaseError::Timeout(item)));
        state.producers.waiting -= 1;
        self.sync_mirrors(&state);
        (state, result)
    }

    /// Lets go of the lock and spins until `free` (a mirror of what the
    /// caller waits for) or close says to look, or the spin is spent; then
    /// re-takes the lock for the caller's re-check.
    ///
    /// A hand-off that parks costs a futex wake round trip (tens of µs on a
    /// VM); most waits on a busy pool are shorter than that, so a waiter
    /// first spins briefly with the lock released (adaptively: see
    /// `pool::spin`). Re-taking the lock only when the mirror changed keeps
    /// spinners off the lock the others need. A spinning thread is not
    /// registered as waiting, so it competes as a newcomer and the grants
    /// keep the parked waiters' order.
    fn spin_unlocked<'a>(
        &'a self,
        state: MutexGuard<'a, State<T>>,
        spin: &mut Spin<'_>,
        free: &AtomicUsize,
    ) -> MutexGuard<'a, State<T>> {
        self.unlock(state);
        while spin.round() {
            if free.load(Ordering::Relaxed) > 0 || self.closed.load(Ordering::Relaxed) != 0 {
                break;
            }
        }
        self.state.lock()
    }

    /// Takes under the lock, waiting if `wait`; gives the guard back.
    fn take_locked<'a, 'u>(
        &'a self,
        mut state: MutexGuard<'a, State<T>>,
        priority: Priority,
        until: impl Into<Until<'u>>,
        wait: bool,
    ) -> (MutexGuard<'a, State<T>>, Result<T, TakeError>) {
        let mut spin = self.item_spin.start(wait);
        loop {
            if state.closed {
                let result = self.drain_closed(&mut state);
                return (state, result);
            }
            if state.free_items() > 0 {
                let item = self.pop_locked(&mut state);
                self.sync_mirrors(&state);
                spin.paid_off();
                return (state, Ok(item));
            }
            if !wait {
                return (state, Err(TakeError::Empty));
            }
            if spin.spent() {
                break;
            }
            state = self.spin_unlocked(state, &mut spin, &self.free_items);
        }
        state.consumers(priority).waiting += 1;
        self.sync_mirrors(&state);
        let condvar = self.condvar(priority);
        let until = until.into();
        let (mut state, done) = deadline::wait_for(condvar, state, until, (), |state, ()| {
            if state.closed {
                Ok(self.drain_closed(state))
            } else if state.consumers(priority).granted > 0 {
                state.consumers(priority).granted -= 1;
                Ok(Ok(self.pop_locked(state)))
            } else {
                Err(())
            }
        });
        let result = done.unwrap_or(Err(until.take_error()));
        state.consumers(priority).waiting -= 1;
        self.sync_mirrors(&state);
        (state, result)
    }

    /// As `take_until`, checking `interrupt` every slice while it waits.
    pub(crate) fn take_interruptible(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
        interrupt: &Interrupt<'_>,
    ) -> Result<T, TakeError> {
        let until = Until {
            deadline,
            interrupt: Some(interrupt),
        };
        self.take_locked(self.state.lock(), priority, until, true).1
    }

    /// After close, grants no longer matter: everyone drains what is left.
    fn drain_closed(&self, state: &mut State<T>) -> Result<T, TakeError> {
        if state.items.is_empty() {
            Err(TakeError::Closed)
        } else {
            let item = self.pop_locked(state);
            self.len.store(state.items.len(), Ordering::Relaxed);
            Ok(item)
        }
    }
}

impl<T: Send> BoundedPool for CondvarPool<T> {
    type Item = T;

    const STRATEGY: &'static str = "condvar";

    fn with_capacity(capacity: usize) -> Result<Self, CapacityError> {
        if capacity == 0 {
            return Err(CapacityError::Zero);
        }
        let max = isize::MAX as usize / std::mem::size_of::<T>().max(1);
        if capacity > max {
            return Err(CapacityError::TooLarge {
                requested: capacity,
                max,
            });
        }
        // Allocate up front so put and take never allocate.
        let mut items = VecDeque::new();
        items
            .try_reserve_exact(capacity)
            .map_err(|_| CapacityError::AllocationFailed {
                requested: capacity,
            })?;
        Ok(Self {
            state: Mutex::new(State {
                items,
                closed: false,
                vips: Waiters::default(),
                regulars: Waiters::default(),
                producers: Waiters::default(),
                to_wake: ToWake::default(),
            }),
            capacity,
            vip_ready: Condvar::new(),
            regular_ready: Condvar::new(),
            room_ready: Condvar::new(),
            len: AtomicUsize::new(0),
            put_count: AtomicU64::new(0),
            taken_count: AtomicU64::new(0),
            waiting_vips: AtomicUsize::new(0),
            waiting_regulars: AtomicUsize::new(0),
            waiting_producers: AtomicUsize::new(0),
            closed: AtomicUsize::new(0),
            free_items: AtomicUsize::new(0),
            free_room: AtomicUsize::new(capacity),
            room_spin: SpinGauge::new(),
            item_spin: SpinGauge::new(),
        })
    }

    fn try_put(&self, item: T) -> Result<(), ReleaseError<T>> {
        let (state, result) = self.put_locked(self.state.lock(), item, None, false);
        self.unlock(state);
        result
    }

    fn put_until(&self, item: T, deadline: Option<Instant>) -> Result<(), ReleaseError<T>> {
        let (state, result) = self.put_locked(self.state.lock(), item, deadline, true);
        self.unlock(state);
        result
    }

    fn try_take(&self, priority: Priority) -> Result<T, TakeError> {
        let (state, result) = self.take_locked(self.state.lock(), priority, None, false);
        self.unlock(state);
        result
    }

    fn take_until(&self, priority: Priority, deadline: Option<Instant>) -> Result<T, TakeError> {
        let (state, result) = self.take_locked(self.state.lock(), priority, deadline, true);
        self.unlock(state);
        result
    }

    fn put_many(
        &self,
        items: &mut Vec<T>,
        deadline: Option<Instant>,
    ) -> Result<usize, ReleaseError<()>> {
        // Reversed, items come off the end with `pop` and a refused one goes
        // back with `push`: the caller's buffer keeps its capacity, so a
        // reused batch Vec never reallocates.
        items.reverse();
        let Some(first) = items.pop() else {
            return Ok(0);
        };
        let wait = !deadline::passed(deadline);
        let (mut state, first_put) = self.put_locked(self.state.lock(), first, deadline, wait);
        if let Err(err) = first_put {
            let kind = err_kind(&err);
            self.unlock(state);
            items.push(err.into_inner());
            items.reverse();
            return Err(kind);
        }
        let mut moved = 1;
        let room = if state.closed {
            0
        } else {
            self.free_room(&state)
        };
        for _ in 0..room {
            let Some(item) = items.pop() else { break };
            self.push_locked(&mut state, item);
            moved += 1;
        }
        self.sync_mirrors(&state);
        self.unlock(state);
        items.reverse();
        Ok(moved)
    }

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
        let wait = !deadline::passed(deadline);
        let (mut state, first) = self.take_locked(self.state.lock(), priority, deadline, wait);
        let first = match first {
            Ok(item) => item,
            Err(err) => {
                self.unlock(state);
                return Err(err);
            }
        };
        out.push(first);
        let mut taken = 1;
        while taken < max {
            let available = if state.closed {
                !state.items.is_empty()
            } else {
                state.free_items() > 0
            };
            if !available {
                break;
            }
            out.push(self.pop_locked(&mut state));
            taken += 1;
        }
        self.sync_mirrors(&state);
        self.unlock(state);
        Ok(taken)
    }

    fn close(&self) -> bool {
        let mut state = self.state.lock();
        if state.closed {
            return false;
        }
        state.closed = true;
        self.closed.store(1, Ordering::Relaxed);
        state.vips.granted = 0;
        state.regulars.granted = 0;
        state.producers.granted = 0;
        self.vip_ready.notify_all();
        self.regular_ready.notify_all();
        self.room_ready.notify_all();
        true
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed) != 0
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    fn waiting_consumers(&self, priority: Priority) -> usize {
        match priority {
            Priority::Vip => self.waiting_vips.load(Ordering::Relaxed),
            Priority::Regular => self.waiting_regulars.load(Ordering::Relaxed),
        }
    }

    fn waiting_producers(&self) -> usize {
        self.waiting_producers.load(Ordering::Relaxed)
    }

    fn put_count(&self) -> u64 {
        self.put_count.load(Ordering::Relaxed)
    }

    fn taken_count(&self) -> u64 {
        self.taken_count.load(Ordering::Relaxed)
    }
}

impl<T> fmt::Debug for CondvarPool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CondvarPool")
            .field("capacity", &self.capacity)
            .field("len", &self.len.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
