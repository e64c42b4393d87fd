//! "Popular now": events ranked by sales in a recent window.
//!
//! Cheap to read on every page view: a sample (every `bucket`, at most)
//! reads each open office's sale count into a small ring and re-ranks; a
//! read only copies the top of the last ranking. The ring holds cumulative
//! counts, so the window's sales are `newest - oldest`, whatever happened
//! between samples.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use crate::ids::EventId;

/// The most events a ranking keeps: more than any page shows.
const RANKED: usize = 1_000;

/// How "now" is measured: `buckets` samples, `bucket` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopularityWindow {
    /// The time between two samples.
    pub bucket: Duration,
    /// How many buckets the window spans.
    pub buckets: usize,
}

impl Default for PopularityWindow {
    /// Twelve buckets of five seconds: the last minute.
    fn default() -> Self {
        Self {
            bucket: Duration::from_secs(5),
            buckets: 12,
        }
    }
}

/// One event of the "popular now" ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Popular {
    /// The event.
    pub event: EventId,
    /// Tickets it sold in the window.
    pub sold_in_window: u64,
}

#[derive(Debug, Default)]
struct Sampler {
    last: Option<Instant>,
    /// Per event, its cumulative sale count at each of the last samples.
    rings: HashMap<EventId, VecDeque<u64>>,
}

#[derive(Debug)]
pub(crate) struct Popularity {
    window: PopularityWindow,
    sampler: Mutex<Sampler>,
    ranking: RwLock<Arc<Vec<Popular>>>,
}

impl Popularity {
    pub(crate) fn new(window: PopularityWindow) -> Self {
        Self {
            window: PopularityWindow {
                bucket: window.bucket,
                buckets: window.buckets.max(1),
            },
            sampler: Mutex::new(Sampler::default()),
            ranking: RwLock::new(Arc::new(Vec::new())),
        }
    }

    /// `true` if a sample at `now` is due (none yet, or a bucket passed).
    pub(crate) fn due(&self, now: Instant) -> bool {
        match self.sampler.lock().last {
            None => true,
            Some(last) => now.saturating_duration_since(last) >= self.window.bucket,
        }
    }

    /// Records each event's cumulative sale count at `now` and re-ranks,
    /// unless a sample was taken less than a bucket before `now`. Events
    /// not listed are forgotten (their office closed). A sample already
    /// running elsewhere makes this one a no-op: readers never queue
    /// behind each other.
    pub(crate) fn sample(&self, now: Instant, counts: impl IntoIterator<Item = (EventId, u64)>) {
        let Some(mut sampler) = self.sampler.try_lock() else {
            return;
        };
        // Another reader may have sampled between our `due` and this lock:
        // two samples in one bucket would shorten the window.
        if sampler
            .last
            .is_some_and(|last| now.saturating_duration_since(last) < self.window.bucket)
        {
            return;
        }
        let keep = self.window.buckets + 1;
        let mut rings = HashMap::with_capacity(sampler.rings.len());
        let mut ranking = Vec::new();
        for (event, sold) in counts {
            let mut ring = sampler.rings.remove(&event).unwrap_or_default();
            ring.push_back(sold);
            while ring.len() > keep {
                ring.pop_front();
            }
            let oldest = ring.front().copied().unwrap_or(sold);
            let sold_in_window = sold.saturating_sub(oldest);
            if sold_in_window > 0 {
                ranking.push(Popular {
                    event,
                    sold_in_window,
                });
            }
            rings.insert(event, ring);
        }
        ranking.sort_unstable_by(|a, b| {
            b.sold_in_window
                .cmp(&a.sold_in_window)
                .then(a.event.cmp(&b.event))
        });
        ranking.truncate(RANKED);
        sampler.rings = rings;
        sampler.last = Some(now);
        *self.ranking.write() = Arc::new(ranking);
    }

    /// The top `limit` of the last ranking.
    pub(crate) fn top(&self, limit: usize) -> Vec<Popular> {
        let ranking = Arc::clone(&self.ranking.read());
        ranking.iter().take(limit).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> PopularityWindow {
        PopularityWindow {
            bucket: Duration::from_secs(1),
            buckets: 2,
        }
    }

    #[test]
    fn ranks_by_sales_within_the_window_only() {
        let popularity = Popularity::new(window());
        let t0 = Instant::now();
        let (a, b) = (EventId(1), EventId(2));
        popularity.sample(t0, [(a, 100), (b, 0)]);
        assert!(
            popularity.top(10).is_empty(),
            "one sample has no window yet"
        );
        popularity.sample(t0 + Duration::from_secs(1), [(a, 101), (b, 5)]);
        assert_eq!(
            popularity.top(10),
            vec![
                Popular {
                    event: b,
                    sold_in_window: 5
                },
                Popular {
                    event: a,
                    sold_in_window: 1
                }
            ]
        );
        // Two buckets later, b's burst has left the window; a kept selling.
        popularity.sample(t0 + Duration::from_secs(2), [(a, 103), (b, 5)]);
        popularity.sample(t0 + Duration::from_secs(3), [(a, 110), (b, 5)]);
        assert_eq!(
            popularity.top(10),
            vec![Popular {
                event: a,
                sold_in_window: 9
            }]
        );
        assert_eq!(popularity.top(0), vec![]);
    }

    #[test]
    fn a_sample_is_due_once_per_bucket_and_closed_events_are_dropped() {
        let popularity = Popularity::new(window());
        let t0 = Instant::now();
        assert!(popularity.due(t0));
        popularity.sample(t0, [(EventId(1), 0)]);
        assert!(!popularity.due(t0 + Duration::from_millis(999)));
        assert!(popularity.due(t0 + Duration::from_secs(1)));
        popularity.sample(t0 + Duration::from_secs(1), [(EventId(1), 4)]);
        assert_eq!(popularity.top(1).len(), 1);
        // A second sample in the same bucket is ignored.
        popularity.sample(t0 + Duration::from_millis(1_500), [(EventId(1), 9)]);
        assert_eq!(popularity.top(1)[0].sold_in_window, 4);
        popularity.sample(t0 + Duration::from_secs(2), []);
        assert!(popularity.top(1).is_empty());
    }
}
