//! The values the lease statements take and give back.

use std::time::SystemTime;

use ticketpool_core::{Money, TicketId};

/// A ticket an admin puts on sale with
/// [`LeaseInventory::stock`](super::LeaseInventory::stock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockTicket {
    /// Unique within its event.
    pub id: TicketId,
    /// Its ticket type (for example `"standard"`).
    pub ticket_type: String,
    /// Its price before any discount.
    pub base_price: Money,
}

/// A ticket a node holds under a lease: it may sell it from memory, and the
/// sale counts once [`commit_sales`](super::LeaseInventory::commit_sales)
/// says it committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedTicket {
    /// The ticket.
    pub id: TicketId,
    /// Its ticket type.
    pub ticket_type: String,
    /// Its price before any discount.
    pub base_price: Money,
    /// When the lease ends, on the database's clock; the same for every
    /// ticket of one lease call.
    pub expires: SystemTime,
}

/// What [`LeaseInventory::lease_share`](super::LeaseInventory::lease_share)
/// leased, and how much of the event was left to lease from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaseShare {
    /// The tickets leased, lowest ids first; empty when nothing was
    /// leasable.
    pub tickets: Vec<LeasedTicket>,
    /// Tickets of the event not sold when the lease was taken (on sale or
    /// leased by anyone, the ones leased here included), counted only up
    /// to `2 × nodes × n`: exact below that, "at least" at it. Zero means
    /// every ticket is sold (or the event was never stocked).
    pub unsold: u64,
}

/// One sale a node asks the database to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleToCommit {
    /// The leased ticket sold.
    pub ticket: TicketId,
    /// Who bought it.
    pub customer: String,
    /// What they paid.
    pub price: Money,
}

/// What became of a group of sales.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOutcome {
    /// Recorded as sold by this node (also the ones an earlier try of the
    /// same group recorded): the node may acknowledge these.
    pub committed: Vec<TicketId>,
    /// Not recorded: the node's lease on them had expired or was never
    /// there. The node must NOT acknowledge these sales.
    pub lost: Vec<TicketId>,
}

/// Where an event's tickets are, at one instant of the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InventoryCounts {
    /// Every ticket stocked for the event.
    pub total: u64,
    /// On sale: leasable now.
    pub on_sale: u64,
    /// Under a live lease.
    pub leased: u64,
    /// Under an expired lease: leasable now, by any node.
    pub expired_leases: u64,
    /// Sold.
    pub sold: u64,
}

impl InventoryCounts {
    /// Tickets not sold yet (on sale or leased, live or expired).
    pub fn unsold(&self) -> u64 {
        self.total.saturating_sub(self.sold)
    }
}
