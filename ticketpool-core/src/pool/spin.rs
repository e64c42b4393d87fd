//! Adaptive spinning before parking, shared by both pools.
//!
//! Spinning pays only while the thread being waited for is running: then it
//! makes its move within a few hundred cycles and the spinner saves a futex
//! round trip. On an oversubscribed machine (a flash sale) that thread is
//! often descheduled, and every spin, and worse every `yield_now`, takes CPU
//! time from it; crossbeam's `Backoff`, which ends in yields, made both pools
//! collapse there (issue 14).
//!
//! The last rounds yield, as `Backoff` does, because on a machine with more
//! threads than cores a yield lets the peer on the same core run without a
//! futex round trip. But a yield that kept this thread off the CPU for long
//! gave its time slice to a thread that never blocks (a busy loop): then no
//! spin yields for a while, and a thread that would have yielded parks.
//!
//! While yields are banned that way the machine is oversubscribed, and a
//! [`SpinGauge`] also shortens the spins that do not pay: a wait that ended
//! while spinning doubles the next one's rounds, a spin that ended in
//! parking takes one round off. While yields are cheap (a machine with a
//! CPU to spare) every spin gets the whole budget: there a missed spin costs
//! a few microseconds, and shrinking it made producer and consumer park each
//! other in turn (the 1P1C quiet rate fell to a fifth, issue 14).

#[cfg(not(ticketpool_loom))]
use crate::pool::primitive::AtomicU64;
use crate::pool::primitive::{AtomicUsize, Ordering};

/// The most rounds a spin lasts: `2^r` pauses in round `r` up to
/// [`PAUSE_ROUNDS`] (127 in all), then a yield per round, as crossbeam's
/// `Backoff` does.
#[cfg(not(ticketpool_loom))]
const MAX_ROUNDS: usize = 11;
/// Under loom a spin is just interleavings the model already explores
/// through the parking path: no spin phase.
#[cfg(ticketpool_loom)]
const MAX_ROUNDS: usize = 0;

/// Rounds up to this one pause; later ones yield, while yields are cheap.
const PAUSE_ROUNDS: usize = 6;

/// A yield that kept the thread off the CPU longer than this handed its
/// time slice to a thread that does not block (a busy loop, a build): on
/// such a machine every yield costs a slice, so none is made for
/// [`YIELD_BAN`] after one.
#[cfg(not(ticketpool_loom))]
const EXPENSIVE_YIELD: std::time::Duration = std::time::Duration::from_micros(200);
#[cfg(not(ticketpool_loom))]
const YIELD_BAN: std::time::Duration = std::time::Duration::from_millis(100);

/// How long the next spin of one kind of wait may last, learnt from the last
/// ones. Racy by design: a lost update only changes one spin's length.
#[derive(Debug)]
pub(crate) struct SpinGauge {
    /// Rounds the next spin may take, `0..=MAX_ROUNDS`.
    rounds: AtomicUsize,
    /// Nanoseconds after `epoch` before which no spin yields.
    #[cfg(not(ticketpool_loom))]
    yield_ban_until: AtomicU64,
    #[cfg(not(ticketpool_loom))]
    epoch: std::time::Instant,
}

impl SpinGauge {
    pub(crate) fn new() -> Self {
        Self {
            rounds: AtomicUsize::new(MAX_ROUNDS),
            #[cfg(not(ticketpool_loom))]
            yield_ban_until: AtomicU64::new(0),
            #[cfg(not(ticketpool_loom))]
            epoch: std::time::Instant::now(),
        }
    }

    /// Starts one spin; `enabled: false` makes a spin of no rounds.
    pub(crate) fn start(&self, enabled: bool) -> Spin<'_> {
        let budget = if enabled && MAX_ROUNDS > 0 {
            // At least one round even when spinning has not paid lately, so
            // the gauge notices when it starts paying again.
            self.rounds.load(Ordering::Relaxed).max(1)
        } else {
            0
        };
        Spin {
            gauge: self,
            round: 0,
            budget,
        }
    }

    /// Yields if yields have been cheap lately; `false` (no yield) if not.
    #[cfg(not(ticketpool_loom))]
    fn cheap_yield(&self) -> bool {
        let ns = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let now = self.epoch.elapsed();
        let relaxed = Ordering::Relaxed;
        if ns(now) < self.yield_ban_until.load(relaxed) {
            return false;
        }
        std::thread::yield_now();
        let after = self.epoch.elapsed();
        if after - now > EXPENSIVE_YIELD {
            self.yield_ban_until.store(ns(after + YIELD_BAN), relaxed);
        }
        true
    }

    /// `true` while a recent yield was expensive (see [`cheap_yield`]).
    ///
    /// [`cheap_yield`]: SpinGauge::cheap_yield
    #[cfg(not(ticketpool_loom))]
    fn yields_banned(&self) -> bool {
        let now = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        now < self.yield_ban_until.load(Ordering::Relaxed)
    }

    #[cfg(ticketpool_loom)]
    fn yields_banned(&self) -> bool {
        true
    }

    #[cfg(ticketpool_loom)]
    fn cheap_yield(&self) -> bool {
        false
    }

    fn paid_off(&self) {
        let rounds = self.rounds.load(Ordering::Relaxed);
        if rounds < MAX_ROUNDS {
            self.rounds
                .store((rounds * 2).clamp(1, MAX_ROUNDS), Ordering::Relaxed);
        }
    }

    fn wasted(&self) {
        if !self.yields_banned() {
            self.rounds.store(MAX_ROUNDS, Ordering::Relaxed);
            return;
        }
        let rounds = self.rounds.load(Ordering::Relaxed);
        if rounds > 0 {
            self.rounds.store(rounds - 1, Ordering::Relaxed);
        }
    }
}

/// One spin in progress: call [`round`](Spin::round) before each retry.
#[derive(Debug)]
pub(crate) struct Spin<'a> {
    gauge: &'a SpinGauge,
    round: usize,
    budget: usize,
}

impl Spin<'_> {
    /// `true` once the budget is spent (and then counts the spin as
    /// wasted): time to park.
    pub(crate) fn spent(&mut self) -> bool {
        if self.round < self.budget {
            return false;
        }
        if self.budget > 0 {
            self.gauge.wasted();
            self.budget = 0;
        }
        true
    }

    /// Spins one round and returns `true`, or returns `false` once the
    /// budget is spent (see [`spent`](Spin::spent)).
    pub(crate) fn round(&mut self) -> bool {
        if self.spent() {
            return false;
        }
        if self.round <= PAUSE_ROUNDS {
            for _ in 0..1_u32 << self.round {
                std::hint::spin_loop();
            }
        } else if !self.gauge.cheap_yield() {
            self.budget = self.round;
            return !self.spent();
        }
        self.round += 1;
        true
    }

    /// The retry after the last round succeeded: spinning paid off.
    pub(crate) fn paid_off(self) {
        if self.round > 0 {
            self.gauge.paid_off();
        }
    }

    /// Threads `pending` through up to the whole budget of rounds, retrying
    /// `attempt` after each (as `deadline::wait_for` does after wake-ups);
    /// `Err` gives it back for the caller to park with.
    pub(crate) fn retry<P, R>(
        mut self,
        mut pending: P,
        mut attempt: impl FnMut(P) -> Result<R, P>,
    ) -> Result<R, P> {
        while self.round() {
            match attempt(pending) {
                Ok(done) => {
                    self.paid_off();
                    return Ok(done);
                }
                Err(back) => pending = back,
            }
        }
        Err(pending)
    }
}

#[cfg(all(test, not(ticketpool_loom)))]
mod tests {
    use super::*;

    #[test]
    fn wasted_spins_shrink_the_budget_and_paying_ones_grow_it() {
        let gauge = SpinGauge::new();
        // An oversubscribed machine: a yield was expensive a moment ago.
        gauge.yield_ban_until.store(u64::MAX, Ordering::Relaxed);
        assert_eq!(gauge.start(true).budget, MAX_ROUNDS);
        let miss = || gauge.start(true).retry((), |()| Err::<(), ()>(()));
        assert_eq!(miss(), Err(()));
        assert_eq!(gauge.start(true).budget, MAX_ROUNDS - 1);
        for _ in 0..MAX_ROUNDS {
            let _ = miss();
        }
        // Never below one round, so a paying spin is still noticed.
        assert_eq!(gauge.start(true).budget, 1);
        let hit = || gauge.start(true).retry((), |()| Ok::<u8, ()>(7));
        assert_eq!(hit(), Ok(7));
        assert_eq!(gauge.start(true).budget, 1);
        assert_eq!(hit(), Ok(7));
        assert_eq!(gauge.start(true).budget, 2);
        assert_eq!(hit(), Ok(7));
        assert_eq!(gauge.start(true).budget, 4);
    }

    #[test]
    fn while_yields_are_cheap_a_wasted_spin_restores_the_whole_budget() {
        let gauge = SpinGauge::new();
        gauge.rounds.store(2, Ordering::Relaxed);
        gauge.wasted();
        assert_eq!(gauge.start(true).budget, MAX_ROUNDS);
        // The same miss on an oversubscribed machine shortens the next spin.
        gauge.yield_ban_until.store(u64::MAX, Ordering::Relaxed);
        gauge.wasted();
        assert_eq!(gauge.start(true).budget, MAX_ROUNDS - 1);
    }

    #[test]
    fn a_disabled_spin_has_no_rounds() {
        let gauge = SpinGauge::new();
        let mut calls = 0;
        let result = gauge.start(false).retry((), |()| {
            calls += 1;
            Ok::<(), ()>(())
        });
        assert_eq!((result, calls), (Err(()), 0));
    }
}
