//! The slow path: waiting for room or an item when the ring is full or
//! empty, and waking the waiters a push or pop lets through.
//!
//! Only when the ring is full (or empty) after a short spin (adaptive, see
//! `pool::spin`) does a thread park: it registers in a waiter count,
//! issues a `SeqCst` fence, re-checks under the park mutex and waits on a
//! condvar. A thread that changes the ring does so with a `SeqCst` CAS and
//! then reads the waiter count with a `SeqCst` load; only if someone waits
//! does it touch the mutex. The waiter's "register, fence, re-check"
//! against the changer's "SeqCst CAS, SeqCst load" means either the waiter
//! sees the change or the changer sees the waiter: no lost wake-up, and no
//! syscall (nor fence) when nobody waits.
//!
//! Built for an oversubscribed machine too (issue 14), where a woken thread
//! may wait a whole time slice for a CPU: the park lock is only held to
//! read how many wait (`Parked`) and the notify comes after it is released;
//! and while one waiter of a kind has been woken but not yet re-checked
//! (`woken`), further wake-ups of that kind are left to it: it passes them
//! on when it leaves.

use std::time::Instant;

use crate::pool::deadline::{self, Interrupt, Until};
use crate::pool::error::{ReleaseError, TakeError};
use crate::pool::lockfree::ring::{CLOSED, INDEX_BITS, VIP_ONE};
use crate::pool::lockfree::{Kind, LockFreePool, Parked};
use crate::pool::primitive::{fence, rmw_fence, AtomicBool, Condvar, MutexGuard, Ordering};
use crate::pool::Priority;

impl<T> LockFreePool<T> {
    /// After an item went in: wake a VIP if any waits, else a Regular.
    pub(super) fn wake_consumer(&self) {
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
            self.notify(Kind::Vip);
        } else if self.waiting_regulars.load(Ordering::SeqCst) > 0 {
            self.notify(Kind::Regular);
        }
    }

    /// Wakes one waiter of `kind`, unless one woken before has not run its
    /// re-check yet (`woken`): that one will find the item, and on leaving
    /// passes the wake-up on if more are there. Without this, on an
    /// oversubscribed machine every put while the woken thread waited for a
    /// CPU took the park lock again.
    fn notify(&self, kind: Kind) {
        let (condvar, woken) = self.waiters(kind);
        // Pairs with the fence in `recheck`: either that re-check sees the
        // caller's change, or this load sees the flag it cleared.
        if woken.load(Ordering::SeqCst) {
            return;
        }
        self.notify_up_to(kind, 1, condvar, woken);
    }

    /// Notifies up to `n` parked waiters of `kind`, after releasing the park
    /// lock: notified under it, parking_lot requeues the woken thread onto
    /// the mutex and now and then hands the mutex straight to it, which on
    /// an oversubscribed machine left the lock owned by a thread not running
    /// while everyone else spun and yielded on it. Taking the lock still
    /// orders this against a waiter between its re-check and its wait (it
    /// holds the lock throughout), so a waiter counted in `parked` is inside
    /// its condvar wait when the late notify comes.
    fn notify_up_to(&self, kind: Kind, n: usize, condvar: &Condvar, woken: &AtomicBool) {
        let wake = {
            let parked = self.park.lock();
            let wake = n.min(*parked.of(kind));
            if wake > 0 {
                // Under the lock, so the woken thread's re-check (which
                // needs it) comes after and clears it.
                woken.store(true, Ordering::SeqCst);
            }
            wake
        };
        for _ in 0..wake {
            condvar.notify_one();
        }
    }

    fn waiters(&self, kind: Kind) -> (&Condvar, &AtomicBool) {
        match kind {
            Kind::Vip => (&self.vip_ready, &self.woken.vip),
            Kind::Regular => (&self.regular_ready, &self.woken.regular),
            Kind::Producer => (&self.room_ready, &self.woken.room),
        }
    }

    /// A waiter's re-check after a wake-up, under the park lock: first it
    /// clears its kind's `woken` flag (it is running now), then it tries.
    pub(super) fn recheck<R>(&self, woken: &AtomicBool, attempt: impl FnOnce() -> R) -> R {
        woken.store(false, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        attempt()
    }

    /// After `n` items went in at once: as [`wake_consumer`](Self::wake_consumer),
    /// for up to `n` waiters (VIPs first) under one lock.
    pub(super) fn wake_consumers(&self, n: usize) {
        match n {
            0 => return,
            1 => return self.wake_consumer(),
            _ => {}
        }
        rmw_fence();
        if self.sleeping_consumers.load(Ordering::SeqCst) == 0 {
            return;
        }
        let vips = (self.head.load(Ordering::SeqCst) >> INDEX_BITS) as usize
            + self.waiting_overflow_vips.load(Ordering::SeqCst);
        let regulars = self.waiting_regulars.load(Ordering::SeqCst);
        if vips + regulars == 0 {
            return;
        }
        if vips == 0 {
            let (condvar, woken) = self.waiters(Kind::Regular);
            return self.notify_up_to(Kind::Regular, n.min(regulars), condvar, woken);
        }
        self.notify_up_to(Kind::Vip, n.min(vips), &self.vip_ready, &self.woken.vip);
        // Regulars woken while a VIP still waits find themselves gated and
        // park again; the VIP's pass-on wakes them once it leaves.
        let regulars = n.saturating_sub(vips).min(regulars);
        if regulars > 0 {
            let (condvar, woken) = self.waiters(Kind::Regular);
            self.notify_up_to(Kind::Regular, regulars, condvar, woken);
        }
    }

    /// After `n` items came out at once: wake up to `n` waiting producers.
    pub(super) fn wake_producers(&self, n: usize) {
        if n == 0 {
            return;
        }
        rmw_fence();
        let waiting = self.waiting_producers.load(Ordering::SeqCst);
        if waiting > 0 {
            let (condvar, woken) = self.waiters(Kind::Producer);
            self.notify_up_to(Kind::Producer, n.min(waiting), condvar, woken);
        }
    }

    /// After an item came out: wake a producer if any waits.
    pub(super) fn wake_producer(&self) {
        // The caller's SeqCst CAS on `head` is the store side.
        rmw_fence();
        if self.waiting_producers.load(Ordering::SeqCst) > 0 {
            self.notify(Kind::Producer);
        }
    }

    /// A waiter leaving may have swallowed a wake-up meant for the next one
    /// (it timed out, or its VIP registration gated Regulars): pass it on.
    /// On a closed pool too: a Regular gated by this VIP when `close` woke
    /// everyone went back to sleep, and no put will ever wake it again.
    pub(super) fn pass_on_consumer_wakeup(&self) {
        // Pairs with the producer's fence in `wake_consumer`: either this
        // re-check sees its item, or the producer sees this waiter gone
        // (its VIP count decremented) and wakes a Regular itself.
        fence(Ordering::SeqCst);
        if !self.ring_is_empty() || self.tail.load(Ordering::SeqCst) & CLOSED != 0 {
            self.wake_consumer();
        }
    }

    /// Waits on `kind`'s condvar as [`deadline::wait_for`] does, counted in
    /// `parked` meanwhile (the lock is held except inside the wait, so a
    /// notifier that sees the count under the lock knows the waiter waits).
    fn park_until<'a, 'u, P, R>(
        &'a self,
        kind: Kind,
        mut guard: MutexGuard<'a, Parked>,
        until: impl Into<Until<'u>>,
        pending: P,
        recheck: impl FnMut(&mut Parked, P) -> Result<R, P>,
    ) -> (MutexGuard<'a, Parked>, Result<R, P>) {
        *guard.of_mut(kind) += 1;
        let condvar = self.waiters(kind).0;
        let (mut guard, done) = deadline::wait_for(condvar, guard, until, pending, recheck);
        *guard.of_mut(kind) -= 1;
        (guard, done)
    }

    /// A put that found the ring full after spinning: registers as a
    /// waiting producer and parks until room, close or the deadline.
    pub(super) fn put_slow(
        &self,
        item: T,
        deadline: Option<Instant>,
    ) -> Result<(), ReleaseError<T>> {
        self.waiting_producers.fetch_add(1, Ordering::SeqCst);
        // Pairs with the fence in `wake_producer`.
        fence(Ordering::SeqCst);
        let mut guard = self.park.lock();
        let attempt =
            |_: &mut Parked, item| self.recheck(&self.woken.room, || self.push_unless_full(item));
        // Checked once under the park lock, then after every wake-up.
        let (guard, done) = match attempt(&mut guard, item) {
            Err(item) => self.park_until(Kind::Producer, guard, deadline, item, attempt),
            done => (guard, done),
        };
        let result = done.unwrap_or_else(|item| Err(ReleaseError::Timeout(item)));
        self.waiting_producers.fetch_sub(1, Ordering::SeqCst);
        drop(guard);
        if result.is_ok() {
            self.wake_consumer();
        }
        if !matches!(result, Err(ReleaseError::Closed(_))) {
            // As in `pass_on_consumer_wakeup`, for producers: a timed-out
            // one may have swallowed a wake-up, and one that put may have
            // been the woken one other wake-ups were held back for.
            fence(Ordering::SeqCst);
            if self.len_now() < self.capacity {
                self.wake_producer();
            }
        }
        result
    }

    /// As `take_until`, checking `interrupt` every slice while it waits.
    /// No spinning: an interruptible wait is a long one.
    pub(crate) fn take_interruptible(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
        interrupt: &Interrupt<'_>,
    ) -> Result<T, TakeError> {
        match self.pop_unless_empty(priority, false) {
            Ok(done) => {
                if done.is_ok() {
                    self.wake_producer();
                }
                done
            }
            Err(()) => self.take_slow(
                priority,
                Until {
                    deadline,
                    interrupt: Some(interrupt),
                },
            ),
        }
    }

    /// A take that found nothing after spinning: registers as a waiting
    /// consumer of its priority (a VIP in `head`, gating Regulars) and parks
    /// until an item, close or the deadline.
    pub(super) fn take_slow<'u>(
        &self,
        priority: Priority,
        until: impl Into<Until<'u>>,
    ) -> Result<T, TakeError> {
        let until = until.into();
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
        let kind = match priority {
            Priority::Vip => Kind::Vip,
            Priority::Regular => Kind::Regular,
        };
        let woken = self.waiters(kind).1;
        let mut guard = self.park.lock();
        let attempt = |_: &mut Parked, ()| {
            self.recheck(woken, || self.pop_unless_empty(priority, registered))
        };
        // Checked once under the park lock, then after every wake-up.
        let (guard, done) = match attempt(&mut guard, ()) {
            Err(()) => self.park_until(kind, guard, until, (), attempt),
            done => (guard, done),
        };
        let result = done.unwrap_or(Err(until.take_error()));
        // A registered VIP that got an item was deregistered by its pop.
        if registered && result.is_err() {
            self.head.fetch_sub(VIP_ONE, Ordering::SeqCst);
        }
        if let Some(counter) = counter {
            counter.fetch_sub(1, Ordering::SeqCst);
        }
        self.sleeping_consumers.fetch_sub(1, Ordering::SeqCst);
        if matches!(result, Err(TakeError::Interrupted)) {
            // An interrupted waiter leaves without the re-check that clears
            // its kind's `woken` flag: were a wake-up meant for it pending,
            // the flag would hold back every later notify. Cleared, the
            // pass-on below (and any put) notifies again; an extra
            // notify is only a spurious wake-up.
            woken.store(false, Ordering::SeqCst);
        }
        drop(guard);
        if result.is_ok() {
            self.wake_producer();
        }
        self.pass_on_consumer_wakeup();
        result
    }
}
