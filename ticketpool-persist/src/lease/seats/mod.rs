//! Seat leases: a seated event's seats in `lease_seats`, leased by section
//! or rows, held across leases through row locks, sold in fenced groups
//! (see the [lease module's docs](crate::lease#seats)).

mod inventory;
mod locks;
mod rows;
mod statements;
mod table;
mod types;

pub use self::inventory::SeatLeaseInventory;
/// A sold seat's `lease_seats.state`, for "my tickets".
pub(super) use self::table::SOLD as SEAT_SOLD;
pub use self::types::{
    LeasedSeat, SeatCommitOutcome, SeatCounts, SeatHoldOutcome, SeatSaleToCommit, StockSeat,
};
