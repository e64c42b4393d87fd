//! How many tickets a node should lease next: enough for one lease period
//! of its own demand, and never so many near sell-out that the last tickets
//! sit on a quiet node while a busy one turns buyers away.

use std::time::Duration;

use crate::error::PersistError;

/// The block-size policy (pure arithmetic; no clock, no database).
///
/// `block = clamp(ceil(demand x period), min, max)`, then at most
/// `max(1, remaining / (2 x nodes))`: with `nodes` nodes each holding at most
/// half of its fair share, the unleased half stays in the database for
/// whichever node needs it.
///
/// ```
/// use std::time::Duration;
/// use ticketpool_persist::LeaseSizer;
///
/// let sizer = LeaseSizer::new(Duration::from_secs(2), 8, 512)?;
/// assert_eq!(sizer.block(100.0, 1_000_000, 3), 200); // 100/s for 2 s
/// assert_eq!(sizer.block(100.0, 600, 3), 100); // 600 / (2 x 3)
/// assert_eq!(sizer.block(100.0, 4, 3), 1); // the last few one at a time
/// # Ok::<(), ticketpool_persist::PersistError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeaseSizer {
    period: Duration,
    min_block: u32,
    max_block: u32,
}

impl LeaseSizer {
    /// A policy leasing `period` worth of demand, between `min_block` and
    /// `max_block` tickets (before the sell-out cap).
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a zero period, a zero
    /// `min_block` or `max_block < min_block`.
    pub fn new(period: Duration, min_block: u32, max_block: u32) -> Result<Self, PersistError> {
        if period.is_zero() {
            return Err(PersistError::LeaseRequest(
                "the lease sizer's period must be longer than zero".into(),
            ));
        }
        if min_block == 0 || max_block < min_block {
            return Err(PersistError::LeaseRequest(format!(
                "the lease sizer's block bounds must satisfy 1 <= min <= max, \
                 not min {min_block}, max {max_block}"
            )));
        }
        Ok(Self {
            period,
            min_block,
            max_block,
        })
    }

    /// The next block for a node selling `demand_per_sec` tickets a second
    /// (see [`DemandRate`]), with `remaining` tickets unsold in the whole
    /// event and `nodes` nodes selling it. Zero only when nothing remains;
    /// otherwise at least one.
    pub fn block(&self, demand_per_sec: f64, remaining: u64, nodes: u32) -> u32 {
        if remaining == 0 {
            return 0;
        }
        let wanted = self.wanted(demand_per_sec);
        let fair_half = (remaining / (2 * u64::from(nodes.max(1)))).max(1);
        u32::try_from(fair_half).map_or(wanted, |cap| wanted.min(cap))
    }

    /// The block before the sell-out cap: one period of demand within the
    /// bounds, always at least `min_block`. For
    /// [`LeaseInventory::lease_share`](super::LeaseInventory::lease_share),
    /// which applies the cap in the database.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ticketpool_persist::LeaseSizer;
    ///
    /// let sizer = LeaseSizer::new(Duration::from_secs(2), 8, 512)?;
    /// assert_eq!(sizer.wanted(100.0), 200);
    /// assert_eq!(sizer.wanted(0.0), 8);
    /// # Ok::<(), ticketpool_persist::PersistError>(())
    /// ```
    pub fn wanted(&self, demand_per_sec: f64) -> u32 {
        let wanted = demand_per_sec.max(0.0) * self.period.as_secs_f64();
        // NaN and huge demands land on the bounds (`as` saturates).
        if wanted.is_nan() {
            self.min_block
        } else {
            (wanted.ceil() as u32).clamp(self.min_block, self.max_block)
        }
    }
}

/// A node's recent demand in tickets per second: an exponentially weighted
/// average whose weight halves every `half_life`, fed with what was sold
/// over each interval (the caller measures the intervals).
///
/// ```
/// use std::time::Duration;
/// use ticketpool_persist::DemandRate;
///
/// let mut demand = DemandRate::new(Duration::from_secs(1));
/// demand.record(50, Duration::from_secs(1));
/// assert_eq!(demand.per_sec(), 25.0); // half way to 50/s after one half-life
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandRate {
    half_life: Duration,
    per_sec: f64,
}

impl DemandRate {
    /// No demand yet; `half_life` sets how fast it follows a change (a zero
    /// half-life follows at once).
    pub fn new(half_life: Duration) -> Self {
        Self {
            half_life,
            per_sec: 0.0,
        }
    }

    /// Adds `sold` tickets sold over `over`; an empty interval is ignored.
    pub fn record(&mut self, sold: u64, over: Duration) {
        if over.is_zero() {
            return;
        }
        let rate = sold as f64 / over.as_secs_f64();
        let weight = if self.half_life.is_zero() {
            1.0
        } else {
            1.0 - 0.5_f64.powf(over.as_secs_f64() / self.half_life.as_secs_f64())
        };
        self.per_sec += weight * (rate - self.per_sec);
    }

    /// The current estimate, tickets per second.
    pub fn per_sec(&self) -> f64 {
        self.per_sec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizer() -> LeaseSizer {
        LeaseSizer::new(Duration::from_secs(2), 8, 512).unwrap()
    }

    #[test]
    fn a_block_is_one_period_of_demand_within_bounds() {
        assert_eq!(sizer().block(10.0, 1_000_000, 3), 20);
        assert_eq!(sizer().block(10.1, 1_000_000, 3), 21, "rounded up");
        assert_eq!(sizer().block(0.0, 1_000_000, 3), 8, "idle: the minimum");
        assert_eq!(sizer().block(-5.0, 1_000_000, 3), 8);
        assert_eq!(sizer().block(f64::NAN, 1_000_000, 3), 8);
        assert_eq!(sizer().block(1e6, 1_000_000, 3), 512, "capped");
        assert_eq!(sizer().block(f64::INFINITY, 1_000_000, 3), 512);
    }

    #[test]
    fn near_sell_out_a_node_takes_at_most_half_its_share() {
        // 300 left over 3 nodes: at most 50 each, whatever the demand.
        assert_eq!(sizer().block(1e6, 300, 3), 50);
        assert_eq!(sizer().block(0.0, 300, 3), 8, "small demand stays small");
        assert_eq!(sizer().block(1e6, 7, 3), 1);
        assert_eq!(sizer().block(1e6, 1, 3), 1, "the last ticket can be leased");
        assert_eq!(
            sizer().block(1e6, 0, 3),
            0,
            "nothing left: nothing to lease"
        );
        assert_eq!(sizer().block(1e6, 100, 0), 50, "zero nodes reads as one");
    }

    #[test]
    fn the_blocks_of_all_nodes_never_take_every_remaining_ticket_early() {
        // Each node leasing its block in turn leaves tickets for a late node
        // until the last few.
        let sizer = sizer();
        let mut remaining = 10_000_u64;
        let mut leases = 0;
        while remaining > 6 {
            let block = u64::from(sizer.block(1e6, remaining, 3));
            assert!(block * 6 <= remaining, "{block} of {remaining}");
            remaining -= block;
            leases += 1;
        }
        assert!(
            leases < 200,
            "blocks shrink geometrically, not to one at once: {leases}"
        );
    }

    #[test]
    fn bad_bounds_are_refused() {
        assert!(LeaseSizer::new(Duration::ZERO, 1, 1).is_err());
        assert!(LeaseSizer::new(Duration::from_secs(1), 0, 1).is_err());
        let err = LeaseSizer::new(Duration::from_secs(1), 9, 8).unwrap_err();
        assert!(err.to_string().contains("min 9, max 8"), "{err}");
    }

    #[test]
    fn demand_follows_the_rate_by_half_lives() {
        let mut demand = DemandRate::new(Duration::from_secs(1));
        assert_eq!(demand.per_sec(), 0.0);
        demand.record(100, Duration::from_secs(1));
        assert!((demand.per_sec() - 50.0).abs() < 1e-9);
        demand.record(100, Duration::from_secs(1));
        assert!((demand.per_sec() - 75.0).abs() < 1e-9);
        // A long quiet spell forgets the burst.
        demand.record(0, Duration::from_secs(20));
        assert!(demand.per_sec() < 0.001);
        demand.record(5, Duration::ZERO);
        assert!(demand.per_sec() < 0.001, "an empty interval is ignored");
        let mut instant = DemandRate::new(Duration::ZERO);
        instant.record(30, Duration::from_millis(500));
        assert_eq!(instant.per_sec(), 60.0);
    }
}
