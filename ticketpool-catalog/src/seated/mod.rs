//! Seated events: an event whose venue has a seat map sells seats beside
//! its general-admission tickets.
//!
//! The design is in the crate docs ("Seated events").
//!
//! Layering: the catalog imports `ticketpool-seats`, never the reverse;
//! the journal (`ticketpool-persist`) implements [`SeatLedger`].

mod event;
mod lost;
mod supply;
mod wave;

use std::sync::Arc;
use std::time::SystemTime;

use ticketpool_core::{Money, Priority, TicketId};
use ticketpool_seats::SeatId;

use crate::error::{CatalogError, StoreError};
use crate::model::Event;

pub use self::event::SeatedEvent;
pub use self::supply::SeatSupply;
pub use self::wave::Wave;

/// Seat `n` of a seated event is sold as ticket `SEAT_TICKETS + n`: far
/// above the ids the event's box office gives its own tickets, so the two
/// never meet in one journal, and one seat always has the same ticket id
/// (a second sale of it is refused by the journal too).
pub const SEAT_TICKETS: u64 = 1 << 48;

/// One seat sold, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatRecord {
    /// The seat's label (`"Stalls B-12"`): what recovery finds it by.
    pub seat: Arc<str>,
    /// Its ticket id ([`SEAT_TICKETS`] + its seat id).
    pub ticket: TicketId,
    /// Its price tier: the ticket type of a seat.
    pub tier: Arc<str>,
    /// What this seat cost (its share of the hold's price).
    pub price: Money,
    /// Who bought it.
    pub customer: Arc<str>,
    /// Their priority.
    pub priority: Priority,
    /// When the hold was confirmed.
    pub sold_at: SystemTime,
    /// The seat hold it was (the seating's hold id).
    pub hold: u64,
}

impl SeatRecord {
    /// The ticket id of seat `seat`.
    pub fn ticket_of(seat: SeatId) -> TicketId {
        TicketId(SEAT_TICKETS + u64::from(seat.0))
    }
}

/// Where a seated event's seat sales are kept.
pub trait SeatLedger: Send + Sync {
    /// Records one hold's seats, all or none, durably before returning.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be made durable, or if a seat is
    /// already recorded as sold to someone else (nothing is recorded).
    fn record(&self, seats: &[SeatRecord]) -> Result<(), StoreError>;

    /// Every seat recorded as sold, in the order recorded.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be read.
    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError>;

    /// Records one release wave, durably before returning (the seats go on
    /// sale only after it).
    ///
    /// # Errors
    ///
    /// [`StoreError`] if it could not be made durable (nothing recorded).
    fn record_wave(&self, wave: &Wave) -> Result<(), StoreError>;

    /// Every release wave recorded, in the order recorded; empty for an
    /// event whose seats all went on sale at open (and for a journal
    /// written before waves were recorded).
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be read.
    fn waves(&self) -> Result<Vec<Wave>, StoreError>;

    /// The supply this ledger's seats come from when other processes sell
    /// them too (a lease node's); `None` (the default): every seat this
    /// event sells is this ledger's, put on sale at open or by waves.
    fn supply(&self) -> Option<&dyn SeatSupply> {
        None
    }
}

/// Opens the [`SeatLedger`] of a seated event, when the catalog opens the
/// event's seats (see [`CatalogOptions::seat_ledgers`](crate::CatalogOptions::seat_ledgers)).
pub type SeatLedgerFactory =
    Arc<dyn Fn(&Event) -> Result<Arc<dyn SeatLedger>, CatalogError> + Send + Sync>;

/// The ledger of a catalog without one: it keeps nothing.
pub(crate) struct NoLedger;

impl SeatLedger for NoLedger {
    fn record(&self, _: &[SeatRecord]) -> Result<(), StoreError> {
        Ok(())
    }

    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError> {
        Ok(Vec::new())
    }

    fn record_wave(&self, _: &Wave) -> Result<(), StoreError> {
        Ok(())
    }

    fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        Ok(Vec::new())
    }
}
