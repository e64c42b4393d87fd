//! The sales rate a live stream shows: tickets sold per second over the
//! last few seconds, from samples of the sold count (taken when the
//! availability is published), so it needs no hook in the sale path.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How far back the rate looks.
const WINDOW: Duration = Duration::from_secs(5);

/// Samples of the sold count over the last [`WINDOW`].
#[derive(Debug, Default)]
pub(crate) struct SalesRate {
    samples: VecDeque<(Instant, u64)>,
}

impl SalesRate {
    /// Records `sold` at `now`; the rate since the oldest sample kept, in
    /// tickets per second.
    pub(crate) fn record(&mut self, now: Instant, sold: u64) -> f64 {
        self.samples.push_back((now, sold));
        // Keep one sample at or before the window's start, so the rate
        // spans the whole window once the stream is that old.
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= WINDOW)
        {
            self.samples.pop_front();
        }
        let Some(&(first_at, first_sold)) = self.samples.front() else {
            return 0.0;
        };
        let span = now.saturating_duration_since(first_at).as_secs_f64();
        // Under a second of history: a second's worth is the honest floor,
        // or the first sale after a quiet spell would read as a huge rate.
        let sold = sold.saturating_sub(first_sold) as f64;
        let rate = sold / span.max(1.0);
        (rate * 100.0).round() / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_sales_over_the_window_and_decays_to_zero() {
        let start = Instant::now();
        let mut rate = SalesRate::default();
        assert_eq!(rate.record(start, 0), 0.0);
        assert_eq!(rate.record(start + Duration::from_secs(2), 20), 10.0);
        assert_eq!(rate.record(start + Duration::from_secs(4), 40), 10.0);
        // Nothing more sold: the old samples leave the window.
        assert_eq!(rate.record(start + Duration::from_secs(10), 40), 0.0);
        assert_eq!(rate.record(start + Duration::from_secs(16), 40), 0.0);
    }

    #[test]
    fn a_first_sale_is_not_an_enormous_rate() {
        let start = Instant::now();
        let mut rate = SalesRate::default();
        rate.record(start, 0);
        assert_eq!(rate.record(start + Duration::from_millis(10), 1), 1.0);
    }
}
