//! Waiting until a deadline: the part of the pools' blocking paths that does
//! not depend on the strategy.
//!
//! Both pools block the same way once they decide to: wait on a condvar
//! (for ever when the deadline is `None`), re-check their own condition on
//! every wake-up, go back to waiting after a spurious one, and give up only
//! when the deadline has passed and the re-check still finds nothing. What
//! the re-check is (a lock-free push or pop, or a grant under the condvar
//! pool's lock) stays with each pool.

use std::time::Instant;

use crate::pool::primitive::{Condvar, MutexGuard};

/// `true` if `deadline` is set and already passed: a batch operation then
/// tries once instead of waiting.
pub(crate) fn passed(deadline: Option<Instant>) -> bool {
    matches!(deadline, Some(d) if d <= Instant::now())
}

/// Waits once on `condvar` until notified or `deadline` passes (`None`:
/// until notified); `true` means it timed out.
fn wait_once<'a, S>(
    condvar: &Condvar,
    guard: MutexGuard<'a, S>,
    deadline: Option<Instant>,
) -> (MutexGuard<'a, S>, bool) {
    match deadline {
        None => (condvar.wait(guard), false),
        Some(deadline) => condvar.wait_until(guard, deadline),
    }
}

/// Waits on `condvar` and calls `recheck` after every wake-up, until it
/// returns `Ok` (the result) or the wait times out with `recheck` still
/// returning `Err` (then `Err`: the caller's timeout). A spurious wake-up is
/// simply another re-check.
///
/// `pending` is what a re-check consumes and hands back when it cannot
/// finish yet (the item a producer is putting, or `()`), so no `Option`
/// juggling is needed: a timeout gives it back to the caller.
///
/// The caller has already checked once before calling, with the guard held
/// since, so a wake-up sent after that check is not lost.
pub(crate) fn wait_for<'a, S, P, R>(
    condvar: &Condvar,
    mut guard: MutexGuard<'a, S>,
    deadline: Option<Instant>,
    mut pending: P,
    mut recheck: impl FnMut(&mut S, P) -> Result<R, P>,
) -> (MutexGuard<'a, S>, Result<R, P>) {
    loop {
        let timed_out;
        (guard, timed_out) = wait_once(condvar, guard, deadline);
        match recheck(&mut guard, pending) {
            Ok(done) => return (guard, Ok(done)),
            Err(back) if timed_out => return (guard, Err(back)),
            Err(back) => pending = back,
        }
    }
}
