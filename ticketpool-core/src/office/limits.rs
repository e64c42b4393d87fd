//! Per-customer ticket counts, for the purchase limit.
//!
//! Counted per customer name (handles with the same name share a count),
//! outside the office's state mutex: every buy claims a slot, and with one
//! sharded map and one atomic per customer, buyers do not queue behind
//! each other or behind the office's counters to do it.
//!
//! A buy or reserve claims its slot when it starts, before it waits, and
//! gives it back if it ends without a ticket: so buys still waiting count
//! against the limit (four waiting buys make a fifth fail at a limit of 4).
//! That is deliberate: claiming only once a ticket is in hand would let
//! several threads of one customer each pass the check and all buy, past
//! the limit.

use std::collections::HashMap;
use std::sync::Arc;

use dashmap::DashMap;

use crate::pool::primitive::{AtomicU64, Ordering};

/// Tickets held, bought or being waited for, per customer.
pub(crate) struct Limits {
    limit: Option<u32>,
    counts: DashMap<Arc<str>, AtomicU64>,
}

impl Limits {
    /// Starts from `counts` (restored from a journal's sales).
    pub(crate) fn new(limit: Option<u32>, counts: HashMap<Arc<str>, u32>) -> Self {
        Self {
            limit,
            counts: counts
                .into_iter()
                .map(|(name, count)| (name, AtomicU64::new(u64::from(count))))
                .collect(),
        }
    }

    /// Counts one more ticket for `customer`, or returns the limit it
    /// reached.
    pub(crate) fn claim(&self, customer: &Arc<str>) -> Result<(), u32> {
        // The read path first: after a customer's first ticket, claims only
        // take a shard's read lock.
        if let Some(count) = self.counts.get(&**customer) {
            return self.bump(&count);
        }
        let count = self
            .counts
            .entry(Arc::clone(customer))
            .or_insert_with(|| AtomicU64::new(0));
        self.bump(&count)
    }

    fn bump(&self, count: &AtomicU64) -> Result<(), u32> {
        let Some(limit) = self.limit else {
            count.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        };
        count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < u64::from(limit)).then_some(n + 1)
            })
            .map(drop)
            .map_err(|_| limit)
    }

    /// Gives back a slot claimed by [`claim`](Self::claim).
    pub(crate) fn unclaim(&self, customer: &str) {
        if let Some(count) = self.counts.get(customer) {
            // Never below zero, even for a name that claimed nothing.
            let _ = count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        }
    }

    /// The customer's count now.
    pub(crate) fn count(&self, customer: &str) -> u32 {
        self.counts.get(customer).map_or(0, |count| {
            u32::try_from(count.load(Ordering::Relaxed)).unwrap_or(u32::MAX)
        })
    }
}

#[cfg(all(test, not(ticketpool_loom)))]
mod tests {
    use super::*;

    #[test]
    fn claims_stop_at_the_limit_and_unclaim_frees_a_slot() {
        let limits = Limits::new(Some(2), HashMap::new());
        let ann: Arc<str> = Arc::from("ann");
        assert_eq!(limits.claim(&ann), Ok(()));
        assert_eq!(limits.claim(&ann), Ok(()));
        assert_eq!(limits.claim(&ann), Err(2));
        assert_eq!(limits.count("ann"), 2);
        limits.unclaim("ann");
        assert_eq!(limits.count("ann"), 1);
        assert_eq!(limits.claim(&ann), Ok(()));
    }

    #[test]
    fn restored_counts_count_against_the_limit() {
        let limits = Limits::new(Some(3), HashMap::from([(Arc::from("bo"), 3)]));
        assert_eq!(limits.claim(&Arc::from("bo")), Err(3));
        // Unclaiming a name that never claimed leaves it at zero.
        limits.unclaim("nobody");
        assert_eq!(limits.count("nobody"), 0);
    }

    #[test]
    fn concurrent_claims_never_pass_the_limit() {
        let limits = Limits::new(Some(1_000), HashMap::new());
        let name: Arc<str> = Arc::from("crowd");
        let granted: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..500).filter(|_| limits.claim(&name).is_ok()).count()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(granted, 1_000);
        assert_eq!(limits.count("crowd"), 1_000);
    }
}
