//! Where a seated event's seats come from when this process does not own
//! them all: a lease node leases rows from a shared inventory and holds
//! seats leased nowhere (or to nobody live) through it.

use std::sync::Arc;

use ticketpool_seats::{BestAvailable, SeatId, SeatMap};

use crate::error::StoreError;

/// A supply of seats shared with other processes (a lease node's seat
/// leases). A [`SeatLedger`](super::SeatLedger) that has one answers it
/// from [`supply`](super::SeatLedger::supply); the event then opens with
/// no seat on sale here and puts seats on sale as it leases them.
pub trait SeatSupply: Send + Sync {
    /// Called once when the event's seats open on `map`, before any other
    /// call: the supply puts the map's seats in the shared inventory
    /// (harmless if they are there already).
    ///
    /// # Errors
    ///
    /// [`StoreError`] if the inventory could not be reached or written.
    fn open(&self, map: &Arc<SeatMap>) -> Result<(), StoreError>;

    /// Leases more seats because best-available found no block for `want`
    /// among the seats on sale here; returns them (they go on sale here).
    /// Empty: none could be leased now.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if the inventory could not be reached.
    fn lease_more(&self, want: &BestAvailable<'_>) -> Result<Vec<SeatId>, StoreError>;

    /// Holds `seats` for `customer` in the shared inventory, all or
    /// nothing, because some of them are not on sale here. Returns the
    /// seats that were taken (sold, held, or leased by another process):
    /// empty means all are held, and the confirmation of this hold's sale
    /// ([`SeatLedger::record`](super::SeatLedger::record)) goes through
    /// the same inventory.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if the inventory could not be reached (nothing held).
    fn hold_elsewhere(&self, seats: &[SeatId], customer: &str) -> Result<Vec<SeatId>, StoreError>;

    /// Gives back seats of a hold taken with
    /// [`hold_elsewhere`](Self::hold_elsewhere) (cancelled, or not
    /// held here after all); seats not so held are skipped.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if the inventory could not be reached (the hold then
    /// lapses on its own).
    fn release_elsewhere(&self, seats: &[SeatId]) -> Result<(), StoreError>;

    /// The seats this process lost since the last call (their lease
    /// lapsed, perhaps taken by another process): each reported once. The
    /// event polls it (reaping lapsed holds, before a hold or a
    /// best-available, when drawing the map) and takes them off sale
    /// here, so a hold of one goes through
    /// [`hold_elsewhere`](Self::hold_elsewhere) like any seat not leased
    /// here. Called often: keep it cheap when nothing was lost. The
    /// default loses nothing.
    fn lost(&self) -> Vec<SeatId> {
        Vec::new()
    }
}
