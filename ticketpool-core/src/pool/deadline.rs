//! Waiting until a deadline: the part of the pools' blocking paths that does
//! not depend on the strategy.
//!
//! Both pools block the same way once they decide to: wait on a condvar
//! (for ever when the deadline is `None`), re-check their own condition on
//! every wake-up, go back to waiting after a spurious one, and give up only
//! when the deadline has passed and the re-check still finds nothing. What
//! the re-check is (a lock-free push or pop, or a grant under the condvar
//! pool's lock) stays with each pool.
//!
//! A wait may also be [interruptible](Interrupt): it then wakes every slice
//! to run a check with the lock released, but stays registered as a waiter
//! throughout, so it keeps its place in line (the Python bindings check for
//! Ctrl-C this way).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::pool::error::TakeError;
use crate::pool::primitive::{unlocked, Condvar, MutexGuard};

/// A check that a long wait runs every `every`, to learn whether it should
/// stop early (a signal arrived, say).
///
/// The waiter stays registered while the check runs, so it keeps its place
/// in line: a VIP that is being interrupted-checked is still served before
/// Regulars. The check runs on the waiting thread with no lock of the pool
/// or the office held, so it may block or take other locks (the Python
/// bindings take the GIL in it). An interrupted wait returns
/// [`TakeError::Interrupted`] or
/// [`BoxOfficeError::Interrupted`](crate::BoxOfficeError::Interrupted).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ticketpool_core::{DynamicPool, Interrupt, Priority, Strategy, TakeError};
///
/// let pool = DynamicPool::<u32>::with_capacity(Strategy::LockFree, 4).unwrap();
/// let stop = || true; // e.g. "a signal arrived"
/// let interrupt = Interrupt::new(Duration::from_millis(1), &stop);
/// let got = pool.take_interruptible(Priority::Vip, None, &interrupt);
/// assert_eq!(got, Err(TakeError::Interrupted));
/// assert!(interrupt.fired());
/// ```
pub struct Interrupt<'a> {
    every: Duration,
    check: &'a (dyn Fn() -> bool + Sync),
    // A std atomic even under loom: only the waiting thread touches it
    // during the wait.
    fired: AtomicBool,
}

impl<'a> Interrupt<'a> {
    /// A check run every `every` (at least every millisecond): `true` stops
    /// the wait.
    pub fn new(every: Duration, check: &'a (dyn Fn() -> bool + Sync)) -> Self {
        Self {
            every: every.max(Duration::from_millis(1)),
            check,
            fired: AtomicBool::new(false),
        }
    }

    /// `true` once the check stopped a wait.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for Interrupt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interrupt")
            .field("every", &self.every)
            .field("fired", &self.fired())
            .finish_non_exhaustive()
    }
}

/// What ends a wait: its deadline (`None`: none), and the check of an
/// interruptible wait.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Until<'a> {
    pub(crate) deadline: Option<Instant>,
    pub(crate) interrupt: Option<&'a Interrupt<'a>>,
}

impl From<Option<Instant>> for Until<'_> {
    fn from(deadline: Option<Instant>) -> Self {
        Self {
            deadline,
            interrupt: None,
        }
    }
}

impl Until<'_> {
    /// Why a wait that ended without an item ended.
    pub(crate) fn take_error(self) -> TakeError {
        if self.interrupt.is_some_and(Interrupt::fired) {
            TakeError::Interrupted
        } else {
            TakeError::Timeout
        }
    }
}

/// How one wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Woke {
    /// Notified, spuriously woken, or a slice ended and the check let the
    /// wait go on: look again.
    Notified,
    /// The deadline passed.
    TimedOut,
    /// The interrupt check said stop.
    Interrupted,
}

/// `true` if `deadline` is set and already passed: a batch operation then
/// tries once instead of waiting.
pub(crate) fn passed(deadline: Option<Instant>) -> bool {
    matches!(deadline, Some(d) if d <= Instant::now())
}

/// Waits once on `condvar` until notified, the deadline passes, or (for an
/// interruptible wait) a slice ends; after a slice the check runs with the
/// lock released.
pub(crate) fn wait_once<'a, S>(
    condvar: &Condvar,
    guard: MutexGuard<'a, S>,
    until: Until<'_>,
) -> (MutexGuard<'a, S>, Woke) {
    let timed = |guard, deadline: Option<Instant>| match deadline {
        None => (condvar.wait(guard), false),
        Some(deadline) => condvar.wait_until(guard, deadline),
    };
    let Some(interrupt) = until.interrupt else {
        let (guard, timed_out) = timed(guard, until.deadline);
        return (
            guard,
            if timed_out {
                Woke::TimedOut
            } else {
                Woke::Notified
            },
        );
    };
    let slice_end = Instant::now().checked_add(interrupt.every);
    let (end, last) = match (until.deadline, slice_end) {
        (Some(d), Some(s)) if d <= s => (Some(d), true),
        (Some(d), None) => (Some(d), true),
        (_, s) => (s, false),
    };
    let (guard, timed_out) = timed(guard, end);
    if !timed_out {
        return (guard, Woke::Notified);
    }
    if last {
        return (guard, Woke::TimedOut);
    }
    let (guard, stop) = unlocked(guard, || (interrupt.check)());
    if stop {
        interrupt.fired.store(true, Ordering::Relaxed);
        (guard, Woke::Interrupted)
    } else {
        (guard, Woke::Notified)
    }
}

/// Waits on `condvar` and calls `recheck` after every wake-up, until it
/// returns `Ok` (the result) or the wait times out with `recheck` still
/// returning `Err` (then `Err`: the caller's timeout, or its interruption,
/// which [`Until::take_error`] tells apart). A spurious wake-up is simply
/// another re-check; an interrupted wait returns without one, so a caller
/// told to stop does not walk away with an item it cannot hand on.
///
/// `pending` is what a re-check consumes and hands back when it cannot
/// finish yet (the item a producer is putting, or `()`), so no `Option`
/// juggling is needed: a timeout gives it back to the caller.
///
/// The caller has already checked once before calling, with the guard held
/// since, so a wake-up sent after that check is not lost; one sent while
/// an interrupt check ran is caught by the re-check that follows it.
pub(crate) fn wait_for<'a, 'u, S, P, R>(
    condvar: &Condvar,
    mut guard: MutexGuard<'a, S>,
    until: impl Into<Until<'u>>,
    mut pending: P,
    mut recheck: impl FnMut(&mut S, P) -> Result<R, P>,
) -> (MutexGuard<'a, S>, Result<R, P>) {
    let until = until.into();
    loop {
        let woke;
        (guard, woke) = wait_once(condvar, guard, until);
        if woke == Woke::Interrupted {
            return (guard, Err(pending));
        }
        match recheck(&mut guard, pending) {
            Ok(done) => return (guard, Ok(done)),
            Err(back) if woke == Woke::TimedOut => return (guard, Err(back)),
            Err(back) => pending = back,
        }
    }
}
