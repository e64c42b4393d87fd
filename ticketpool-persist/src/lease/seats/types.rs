//! The values the seat-lease statements take and give back.

use std::time::SystemTime;

use ticketpool_core::Money;
use ticketpool_seats::{SeatId, SeatMap};

/// A seat an admin puts on sale with
/// [`SeatLeaseInventory::stock`](super::SeatLeaseInventory::stock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockSeat {
    /// The seat's id in the event's [`SeatMap`].
    pub id: SeatId,
    /// Its section's name: the unit a node leases.
    pub section: String,
    /// Its row's label.
    pub row: String,
    /// Its number in the row.
    pub number: u32,
    /// Its price before any discount (its tier's).
    pub base_price: Money,
}

impl StockSeat {
    /// Every seat of `map` (gaps left out), priced at its tier's price.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_persist::StockSeat;
    /// use ticketpool_seats::VenueConfig;
    ///
    /// let map = VenueConfig::from_toml_str(r#"
    ///     name = "Hall"
    ///     tiers = { standard = 6000 }
    ///     [[sections]]
    ///     name = "Stalls"
    ///     tier = "standard"
    ///     rows = "A-B"
    ///     seats = "1-4"
    /// "#).unwrap();
    /// let seats = StockSeat::from_map(&map);
    /// assert_eq!(seats.len(), 8);
    /// assert_eq!((seats[5].row.as_str(), seats[5].number), ("B", 2));
    /// assert_eq!(seats[5].base_price.minor(), 6000);
    /// ```
    pub fn from_map(map: &SeatMap) -> Vec<StockSeat> {
        let tiers: Vec<(&str, Money)> = map.tiers().collect();
        map.seats()
            .map(|seat| StockSeat {
                id: seat.id,
                section: seat.section.to_owned(),
                row: seat.row.to_owned(),
                number: seat.number,
                // A validated map names only its own tiers.
                base_price: tiers
                    .iter()
                    .find(|(name, _)| *name == seat.tier)
                    .map_or(Money::ZERO, |(_, price)| *price),
            })
            .collect()
    }
}

/// A seat a node holds under a lease or a hold, as the database answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedSeat {
    /// The seat.
    pub id: SeatId,
    /// Its section.
    pub section: String,
    /// Its row's label.
    pub row: String,
    /// Its number in the row.
    pub number: u32,
    /// Its price before any discount.
    pub base_price: Money,
    /// When the lease or hold ends, on the database's clock.
    pub expires: SystemTime,
}

/// One seat sale a node asks the database to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatSaleToCommit {
    /// The seat sold.
    pub seat: SeatId,
    /// Who bought it (for a hold: the customer it was held for).
    pub customer: String,
    /// What they paid.
    pub price: Money,
}

/// What became of a group of seat sales.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeatCommitOutcome {
    /// Recorded as sold by this node (also the ones an earlier try of the
    /// same group recorded): the node may acknowledge these.
    pub committed: Vec<SeatId>,
    /// Not recorded: the node's lease or hold on them had expired or was
    /// never there. The node must NOT acknowledge these sales.
    pub lost: Vec<SeatId>,
}

/// The answer to
/// [`SeatLeaseInventory::hold_specific`](super::SeatLeaseInventory::hold_specific).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatHoldOutcome {
    /// Every seat asked for is held by the node for the customer, lowest
    /// ids first.
    Held(Vec<LeasedSeat>),
    /// Nothing was held: these seats were sold, held for someone else, or
    /// under another node's live lease.
    Taken(Vec<SeatId>),
}

/// Where an event's seats are, at one instant of the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeatCounts {
    /// Every seat stocked for the event.
    pub total: u64,
    /// On sale: leasable now.
    pub on_sale: u64,
    /// Under a live lease.
    pub leased: u64,
    /// Held for a customer, hold live.
    pub held: u64,
    /// Under an expired lease or hold: available to any node.
    pub expired: u64,
    /// Sold.
    pub sold: u64,
}
