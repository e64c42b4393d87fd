//! The synchronization primitives every other module uses.
//!
//! Under `--cfg ticketpool_loom` they come from loom, so the loom models in
//! `tests/loom_*.rs` explore every interleaving of the real pool code;
//! otherwise they are std's atomics and parking_lot's `Mutex`/`Condvar`.
//! Nothing else in the crate imports `std::sync` or `parking_lot` directly.
//!
//! The cfg is namespaced (`ticketpool_loom`, not `loom`) so that a downstream
//! crate building with `--cfg loom` does not flip it.

#[cfg(not(ticketpool_loom))]
mod imp {
    pub(crate) use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::time::Instant;

    /// parking_lot's mutex: no poisoning, so `lock` returns the guard.
    pub(crate) type Mutex<T> = parking_lot::Mutex<T>;
    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    /// parking_lot's condvar behind a by-value API that loom's can match.
    #[derive(Default, Debug)]
    pub(crate) struct Condvar(parking_lot::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Self {
            Self(parking_lot::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }

        /// Waits until notified or `deadline` passes; `true` means timed out.
        pub(crate) fn wait_until<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            deadline: Instant,
        ) -> (MutexGuard<'a, T>, bool) {
            let timed_out = self.0.wait_until(&mut guard, deadline).timed_out();
            (guard, timed_out)
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}

#[cfg(ticketpool_loom)]
mod imp {
    pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::ops::{Deref, DerefMut};
    use std::time::Instant;

    /// loom's mutex, wrapped so that `lock` has parking_lot's signature.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    /// Remembers its mutex so a modelled timed wait can unlock and re-lock.
    pub(crate) struct MutexGuard<'a, T> {
        mutex: &'a Mutex<T>,
        inner: loom::sync::MutexGuard<'a, T>,
    }

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            MutexGuard {
                mutex: self,
                inner: self
                    .0
                    .lock()
                    .expect("loom mutex is never poisoned in models"),
            }
        }
    }

    impl<T> Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.inner
        }
    }

    impl<T> DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            &mut self.inner
        }
    }

    #[derive(Debug)]
    pub(crate) struct Condvar(loom::sync::Condvar);

    impl Default for Condvar {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Condvar {
        pub(crate) fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            let MutexGuard { mutex, inner } = guard;
            let inner = self
                .0
                .wait(inner)
                .expect("loom mutex is never poisoned in models");
            MutexGuard { mutex, inner }
        }

        /// loom has no clock, so a timed wait is modelled as "the deadline
        /// passes at some arbitrary point": the lock is released, any other
        /// thread may run, and the wait reports a timeout. This explores every
        /// race between a timeout and a notification.
        pub(crate) fn wait_until<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            _deadline: Instant,
        ) -> (MutexGuard<'a, T>, bool) {
            let mutex = guard.mutex;
            drop(guard);
            loom::thread::yield_now();
            (mutex.lock(), true)
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}

pub(crate) use imp::*;

/// An `UnsafeCell` with loom's closure API, so slot accesses are checked for
/// data races under the model and compile to plain pointer accesses otherwise.
#[cfg(not(ticketpool_loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(ticketpool_loom))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(ticketpool_loom)]
pub(crate) use loom::cell::UnsafeCell;

/// Exponential backoff for spin loops. Under loom every spin is a yield to
/// the scheduler (a busy loop would never let the model progress) and there
/// is no spin-before-park phase.
#[cfg(not(ticketpool_loom))]
pub(crate) use crossbeam_utils::Backoff;

#[cfg(ticketpool_loom)]
#[derive(Debug, Default)]
pub(crate) struct Backoff;

#[cfg(ticketpool_loom)]
impl Backoff {
    pub(crate) fn new() -> Self {
        Self
    }
    pub(crate) fn spin(&self) {
        loom::thread::yield_now();
    }
    pub(crate) fn snooze(&self) {
        loom::thread::yield_now();
    }
    pub(crate) fn is_completed(&self) -> bool {
        true
    }
}

/// Reads the value of `atomic` for a spin loop's re-check.
///
/// On hardware a store becomes visible to other cores in bounded time, so a
/// plain load is enough. loom instead lets a relaxed load return the same
/// stale value forever, which makes any "re-read until it changes" loop
/// diverge in the model; there the read is an RMW, which always sees the
/// latest value in modification order.
#[inline]
pub(crate) fn load_latest(atomic: &AtomicU64) -> u64 {
    atomic.load(Ordering::Relaxed)
}

/// Orders a preceding `SeqCst` RMW before the `SeqCst` load that follows.
///
/// In the C++ memory model a `SeqCst` RMW followed by a `SeqCst` load is
/// already ordered against another thread's "`SeqCst` RMW, `SeqCst` fence,
/// load" (the Dekker pattern), and on x86 the locked CAS is a full barrier,
/// so no fence instruction is needed. loom models `SeqCst` accesses as
/// acquire/release only and would report a lost wake-up that cannot happen,
/// so under loom this is a real fence.
#[inline]
pub(crate) fn rmw_fence() {
    #[cfg(ticketpool_loom)]
    fence(Ordering::SeqCst);
}
