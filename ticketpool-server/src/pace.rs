//! A vendor's pace: how many tickets a second it releases, shared by its
//! threads (one per ticket type) and changed by an admin while they run.
//!
//! Each release takes a turn; turns are spaced `1 / rate` apart on one
//! schedule for the whole vendor, so a vendor with two types and a rate
//! of 10 releases 10 tickets a second in all, not 20. No rate means as
//! fast as the office has room (the office's own blocking `release`
//! paces it then). Waiting for a turn is a condvar wait, so a rate change
//! or a stop takes effect at once, not after the old interval.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The fastest rate an admin may set, in tickets a second.
pub(crate) const MAX_RATE: f64 = 1_000_000.0;

struct Schedule {
    rate: Option<f64>,
    next: Instant,
    stopped: bool,
}

/// A vendor's pace (see the module docs).
pub(crate) struct Pace {
    schedule: Mutex<Schedule>,
    changed: Condvar,
}

impl Pace {
    /// A pace of `rate` tickets a second (`None`: unpaced).
    pub(crate) fn new(rate: Option<f64>) -> Self {
        Self {
            schedule: Mutex::new(Schedule {
                rate,
                next: Instant::now(),
                stopped: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current rate.
    pub(crate) fn rate(&self) -> Option<f64> {
        self.lock().rate
    }

    /// Changes the rate; waiting threads re-plan at once.
    pub(crate) fn set_rate(&self, rate: Option<f64>) {
        let mut schedule = self.lock();
        schedule.rate = rate;
        // The next turn is one new interval from now: a slower rate must
        // not leave a turn planned at the old, faster one, nor a faster
        // rate wait out the old interval.
        schedule.next = Instant::now() + rate.map_or(Duration::ZERO, interval);
        drop(schedule);
        self.changed.notify_all();
    }

    /// Stops the pace: every waiting and later [`turn`](Self::turn) is `false`.
    pub(crate) fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }

    /// Waits for this thread's next turn to release: `true` when it is
    /// time, `false` once the pace is stopped.
    pub(crate) fn turn(&self) -> bool {
        let mut schedule = self.lock();
        loop {
            if schedule.stopped {
                return false;
            }
            let Some(rate) = schedule.rate else {
                return true;
            };
            let now = Instant::now();
            if now >= schedule.next {
                // A vendor that was held up (a full office) does not then
                // burst to catch up: the next turn counts from now.
                schedule.next = now + interval(rate);
                return true;
            }
            let wait = schedule.next - now;
            schedule = self
                .changed
                .wait_timeout(schedule, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The time between two turns at `rate` tickets a second.
fn interval(rate: f64) -> Duration {
    Duration::from_secs_f64(1.0 / rate.clamp(f64::MIN_POSITIVE, MAX_RATE))
}

/// Checks a rate an admin asked for: positive, finite, at most [`MAX_RATE`].
pub(crate) fn check_rate(rate: f64) -> Result<f64, String> {
    if rate.is_finite() && rate > 0.0 && rate <= MAX_RATE {
        Ok(rate)
    } else {
        Err(format!(
            "rate_per_second must be a number above 0 and at most {MAX_RATE}, not {rate}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn unpaced_turns_come_at_once_and_stop_ends_them() {
        let pace = Pace::new(None);
        assert!(pace.turn());
        assert!(pace.turn());
        pace.stop();
        assert!(!pace.turn());
    }

    #[test]
    fn a_stop_wakes_a_thread_waiting_for_a_slow_turn() {
        // One ticket an hour: the second turn would be an hour away.
        let pace = Arc::new(Pace::new(Some(1.0 / 3600.0)));
        assert!(pace.turn());
        let waiter = {
            let pace = Arc::clone(&pace);
            std::thread::spawn(move || pace.turn())
        };
        pace.stop();
        assert!(!waiter.join().unwrap());
    }

    #[test]
    fn a_faster_rate_wakes_a_thread_waiting_for_a_slow_turn() {
        let pace = Arc::new(Pace::new(Some(1.0 / 3600.0)));
        assert!(pace.turn());
        let waiter = {
            let pace = Arc::clone(&pace);
            std::thread::spawn(move || pace.turn())
        };
        pace.set_rate(None);
        assert!(waiter.join().unwrap());
        assert_eq!(pace.rate(), None);
    }

    #[test]
    fn rates_are_checked() {
        assert_eq!(check_rate(2.5), Ok(2.5));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_RATE * 2.0] {
            assert!(check_rate(bad).is_err(), "{bad} accepted");
        }
    }
}
