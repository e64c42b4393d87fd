//! Adaptive spinning before parking, shared by both pools.
//!
//! Spinning pays only while the thread being waited for is running: then it
//! makes its move within a few hundred cycles and the spinner saves a futex
//! round trip. On an oversubscribed machine (a flash sale) that thread is
//! often descheduled, and every spin, and worse every `yield_now`, takes CPU
//! time from it; crossbeam's `Backoff`, which ends in yields, made both pools
//! collapse there (issue 14). So a [`SpinGauge`] remembers whether spinning
//! paid off lately: a wait that ended while spinning earns the next one a
//! longer spin, a spin that ended in parking halves it. It never yields: a
//! parked thread is woken by the one it waits for, which the scheduler then
//! favours, while a yielding one hands its time slice to whoever else runs.

use crate::pool::primitive::{AtomicUsize, Ordering};

/// The most rounds a spin lasts; round `r` spins `2^min(r, 6)` pauses, so a
/// full budget is about 450 pauses (tens of µs): long enough to outlast a
/// peer's futex wake-up, so a producer and a consumer on two free cores do
/// not fall into parking each other in turn.
#[cfg(not(ticketpool_loom))]
const MAX_ROUNDS: usize = 12;
/// Under loom a spin is just interleavings the model already explores
/// through the parking path: no spin phase.
#[cfg(ticketpool_loom)]
const MAX_ROUNDS: usize = 0;

/// How long the next spin of one kind of wait may last, learnt from the last
/// ones. Racy by design: a lost update only changes one spin's length.
#[derive(Debug)]
pub(crate) struct SpinGauge {
    /// Rounds the next spin may take, `0..=MAX_ROUNDS`.
    rounds: AtomicUsize,
}

impl SpinGauge {
    pub(crate) fn new() -> Self {
        Self {
            rounds: AtomicUsize::new(MAX_ROUNDS),
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

    fn paid_off(&self) {
        let rounds = self.rounds.load(Ordering::Relaxed);
        if rounds < MAX_ROUNDS {
            self.rounds
                .store((rounds * 2).clamp(1, MAX_ROUNDS), Ordering::Relaxed);
        }
    }

    fn wasted(&self) {
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
        for _ in 0..1_u32 << self.round.min(6) {
            std::hint::spin_loop();
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
