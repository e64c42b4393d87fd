//! The [`Snapshot`] of an office and the [`TicketCounts`] it is made of:
//! plain values, taken from the live counts (`ledger.rs`) and gate (`counters.rs`).
//!
//! Every snapshot satisfies `released == available + held + sold`, overall,
//! per type and per vendor (see `ledger.rs` for why).

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::office::ticket::Money;
use crate::pool::strategy::Strategy;

/// How many tickets are in each state, for one vendor, one type or the
/// whole office.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TicketCounts {
    /// Released so far.
    pub released: u64,
    /// On sale now (in a pool, or being handed to a buyer).
    pub available: u64,
    /// Under a hold.
    pub held: u64,
    /// Sold.
    pub sold: u64,
}

impl TicketCounts {
    /// `released == available + held + sold`: no ticket lost or duplicated.
    pub fn is_balanced(&self) -> bool {
        self.available + self.held + self.sold == self.released
    }
}

/// The live status of a box office at one instant.
///
/// Every snapshot is consistent: `released == available + held + sold`
/// holds for [`totals`](Self::totals) and for each entry of
/// [`by_type`](Self::by_type) and [`by_vendor`](Self::by_vendor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The event's name.
    pub event_name: String,
    /// The pool strategy.
    pub strategy: Strategy,
    /// The event's size.
    pub total_tickets: u64,
    /// The most tickets available plus held at once.
    pub max_capacity: usize,
    /// Counts for the whole office.
    pub totals: TicketCounts,
    /// Counts per ticket type.
    pub by_type: BTreeMap<String, TicketCounts>,
    /// Counts per vendor (removed vendors included).
    pub by_vendor: BTreeMap<String, TicketCounts>,
    /// The sum of every sale's price.
    pub revenue: Money,
    /// VIP customers waiting in line for a ticket: registered in the pool
    /// of a single-type office, or in the office's line when it has
    /// several types.
    pub waiting_vip: u64,
    /// Regular customers waiting in line for a ticket, counted the same way.
    pub waiting_regular: u64,
    /// Vendors waiting for room or for resume.
    pub waiting_vendors: u64,
    /// The most tickets ever in the office at once (available plus held),
    /// since it opened: exact, not sampled.
    #[serde(default)]
    pub peak_occupancy: u64,
    /// Releases are paused.
    pub paused: bool,
    /// Every ticket has been sold.
    pub sold_out: bool,
    /// The office is closed.
    pub closed: bool,
    /// When the snapshot was taken.
    pub taken_at: SystemTime,
}

impl Snapshot {
    /// `true` if the totals and every per-type and per-vendor entry balance,
    /// and the per-type and per-vendor entries add up to the totals.
    pub fn is_consistent(&self) -> bool {
        let sum = |counts: &mut dyn Iterator<Item = &TicketCounts>| {
            counts.fold(TicketCounts::default(), |mut acc, c| {
                acc.released += c.released;
                acc.available += c.available;
                acc.held += c.held;
                acc.sold += c.sold;
                acc
            })
        };
        self.totals.is_balanced()
            && self.by_type.values().all(TicketCounts::is_balanced)
            && self.by_vendor.values().all(TicketCounts::is_balanced)
            && sum(&mut self.by_type.values()) == self.totals
            && sum(&mut self.by_vendor.values()) == self.totals
    }
}
