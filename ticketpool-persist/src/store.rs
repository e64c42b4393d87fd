//! The storage trait both databases implement, so the writer, the recovery
//! and the test suite are written once.

use std::sync::Arc;

use ticketpool_core::{Event, RecoveredState, Sale, TicketId};

use crate::config::Durability;
use crate::error::PersistError;
use crate::settings::EventSettings;

/// What appending one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Written.
    Recorded,
    /// Already in the journal (a retry after an unknown commit outcome: the
    /// same ticket released again, or the same sale to the same customer):
    /// nothing written, the earlier record stands.
    AlreadyRecorded,
    /// A second sale of a sold ticket to a different customer: refused,
    /// nothing written.
    DoubleSale {
        /// The ticket.
        ticket: TicketId,
        /// Who the recorded sale belongs to.
        holder: Arc<str>,
    },
}

/// One seat sold: its label (`"Stalls B-12"`) and the sale, whose ticket is
/// the seat's (type: the seat's price tier; id: the event's id for the
/// seat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldSeat {
    /// The seat's label.
    pub seat: Arc<str>,
    /// The sale.
    pub sale: Sale,
}

/// One release wave of a seated event's seats, as the journal keeps it
/// (the catalog's `Wave`): which seats went on sale together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatWave {
    /// Nothing yet: the event's seats go on sale in waves.
    Nothing,
    /// Every seat.
    All,
    /// A section's seats.
    Section(String),
    /// A price tier's seats.
    Tier(String),
    /// Rows `rows` (`"A-C"`) of `section`.
    Block {
        /// The section.
        section: String,
        /// The rows.
        rows: String,
    },
}

/// A database that keeps a box office's journal: the tables `vendors`,
/// `ticket_types`, `tickets`, `sales` (with `UNIQUE(ticket_id)`) and the
/// `events` log.
///
/// [`SqliteStore`](crate::SqliteStore) and `PgStore` (feature `postgres`)
/// implement it; a [`DurableJournal`](crate::DurableJournal) runs one on its
/// writer thread.
pub trait Store: Send {
    /// Applies the durability mode to the connection (SQLite `synchronous`,
    /// PostgreSQL `synchronous_commit`).
    ///
    /// # Errors
    ///
    /// The database refused the setting.
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError>;

    /// Appends `events` in one transaction, pushing one [`Outcome`] per
    /// event onto `outcomes` (in order) once it has committed.
    ///
    /// # Errors
    ///
    /// If anything fails, the transaction is rolled back: none of `events`
    /// is recorded, and `outcomes` is left as it was.
    fn append(&mut self, events: &[Event], outcomes: &mut Vec<Outcome>)
        -> Result<(), PersistError>;

    /// Rebuilds the state a box office restarts from.
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`] for a value this build
    /// cannot decode.
    fn recover(&mut self) -> Result<RecoveredState, PersistError>;

    /// The event log, oldest first: every event that was
    /// [`Outcome::Recorded`].
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`].
    fn events(&mut self) -> Result<Vec<Event>, PersistError>;

    /// The event settings in force (the last recorded), or `None` for a
    /// journal that has recorded none yet.
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`].
    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError>;

    /// Appends `settings` to the journal's configuration history, with a
    /// short `reason`; from then on they are in force.
    ///
    /// # Errors
    ///
    /// A database error; nothing is recorded.
    fn record_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError>;

    /// Records one hold's sold seats in one transaction, all or none: a
    /// seated event's sales (see [`SoldSeat`]). [`Outcome::DoubleSale`]
    /// if any seat is already sold to someone else (nothing is written).
    ///
    /// # Errors
    ///
    /// A database error (nothing is written); a store that keeps no seats
    /// says so with [`PersistError::Config`].
    fn record_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        let _ = seats;
        Err(PersistError::Config("this store keeps no seats".into()))
    }

    /// Every sold seat, in the order recorded: what a seated event's seat
    /// map restarts from (held seats were never recorded, so they come
    /// back available).
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`].
    fn sold_seats(&mut self) -> Result<Vec<SoldSeat>, PersistError> {
        Ok(Vec::new())
    }

    /// Records one release wave of a seated event, durably (as the
    /// connection's durability) before returning.
    ///
    /// # Errors
    ///
    /// A database error (nothing is written); a store that keeps no seats
    /// says so with [`PersistError::Config`].
    fn record_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        let _ = wave;
        Err(PersistError::Config("this store keeps no seats".into()))
    }

    /// Every release wave recorded, in order; empty for a journal whose
    /// seats all went on sale at open (or written before waves were kept).
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`].
    fn seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        Ok(Vec::new())
    }
}

impl<S: Store + ?Sized> Store for Box<S> {
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError> {
        (**self).set_durability(durability)
    }

    fn append(
        &mut self,
        events: &[Event],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<(), PersistError> {
        (**self).append(events, outcomes)
    }

    fn recover(&mut self) -> Result<RecoveredState, PersistError> {
        (**self).recover()
    }

    fn events(&mut self) -> Result<Vec<Event>, PersistError> {
        (**self).events()
    }

    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        (**self).settings()
    }

    fn record_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        (**self).record_settings(settings, reason)
    }

    fn record_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        (**self).record_seats(seats)
    }

    fn sold_seats(&mut self) -> Result<Vec<SoldSeat>, PersistError> {
        (**self).sold_seats()
    }

    fn record_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        (**self).record_seat_wave(wave)
    }

    fn seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        (**self).seat_waves()
    }
}
