//! What a seated run comes to: groups seated together or not, by VIP and
//! Regular, seats sold and holds expired, and the proof that no seat was
//! sold twice (from the final snapshot and the sales).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use ticketpool_seats::StateCounts;

/// How one class of groups (VIP or Regular) fared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOutcomes {
    /// Groups of this class.
    pub groups: usize,
    /// Fans in them.
    pub fans: usize,
    /// Groups seated together (adjacent seats, confirmed).
    pub seated_together: usize,
    /// Fans in those groups.
    pub fans_seated: usize,
    /// Groups that found no block of adjacent seats by the last wave.
    pub not_seated: usize,
    /// Groups that held seats and let the hold lapse.
    pub lapsed: usize,
}

impl GroupOutcomes {
    /// The share of groups seated together, in `[0, 1]` (0 for no groups).
    pub fn seated_share(&self) -> f64 {
        if self.groups == 0 {
            0.0
        } else {
            self.seated_together as f64 / self.groups as f64
        }
    }
}

/// The outcome of a [`run_seated`](crate::run_seated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatedReport {
    /// The venue's name.
    pub venue: String,
    /// Its seats.
    pub seats: usize,
    /// Vendor waves run (a last round after them reoffers lapsed seats).
    pub waves: usize,
    /// VIP groups.
    pub vip: GroupOutcomes,
    /// Regular groups.
    pub regular: GroupOutcomes,
    /// Seats sold, counted from the sales.
    pub seats_sold: usize,
    /// Revenue in minor units (cents), at the prices fixed at hold.
    pub revenue_minor: i64,
    /// Holds that lapsed and were reaped (their seats offered again).
    pub holds_expired: usize,
    /// Seats that appear in more than one sale: always 0.
    pub sold_twice: usize,
    /// Whether the final snapshot's sold seats are exactly the sales' seats.
    pub snapshot_matches_sales: bool,
    /// The final snapshot's counts over the venue.
    pub counts: StateCounts,
    /// The final snapshot's counts by section, in config order.
    pub by_section: Vec<(String, StateCounts)>,
}

impl SeatedReport {
    /// Every group, VIP and Regular.
    pub fn groups(&self) -> usize {
        self.vip.groups + self.regular.groups
    }

    /// Groups seated together, VIP and Regular.
    pub fn seated_together(&self) -> usize {
        self.vip.seated_together + self.regular.seated_together
    }

    /// No seat sold twice, the snapshot agrees with the sales, and no
    /// seat is left held after the run.
    pub fn consistent(&self) -> bool {
        self.sold_twice == 0
            && self.snapshot_matches_sales
            && self.counts.held == 0
            && self.counts.sold == self.seats_sold
    }

    /// The report as text, for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} seats, {} wave(s), {} groups",
            self.venue,
            self.seats,
            self.waves,
            self.groups()
        );
        for (name, o) in [("VIP", &self.vip), ("Regular", &self.regular)] {
            let _ = writeln!(
                out,
                "  {name:<8} {} groups ({} fans): {} seated together ({:.0}%, {} fans), {} not seated, {} let their hold lapse",
                o.groups,
                o.fans,
                o.seated_together,
                o.seated_share() * 100.0,
                o.fans_seated,
                o.not_seated,
                o.lapsed
            );
        }
        let _ = writeln!(
            out,
            "  seats sold {} for {}.{:02}, holds expired {}, left available {}, not on sale {}",
            self.seats_sold,
            self.revenue_minor / 100,
            self.revenue_minor % 100,
            self.holds_expired,
            self.counts.available,
            self.counts.not_on_sale
        );
        for (section, c) in &self.by_section {
            let _ = writeln!(
                out,
                "    {section}: {} sold, {} available, {} not on sale",
                c.sold, c.available, c.not_on_sale
            );
        }
        let _ = writeln!(
            out,
            "  no seat sold twice: {}",
            if self.consistent() {
                "checked (final snapshot = sales)"
            } else {
                "FAILED"
            }
        );
        out
    }
}
