//! Everything that can go wrong in the catalog, named in the admin's words.

use ticketpool_core::{BoxOfficeError, ConfigError};

use crate::ids::{EventId, PerformerId, VenueId};
use crate::status::EventStatus;

/// A catalog operation failed; the catalog is unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// No event has this id.
    #[error("there is no {0}")]
    UnknownEvent(EventId),
    /// No venue has this id.
    #[error("there is no {0}")]
    UnknownVenue(VenueId),
    /// No performer has this id.
    #[error("there is no {0}")]
    UnknownPerformer(PerformerId),
    /// Not an IANA time zone name nor a `+HH:MM` offset.
    #[error("unknown time zone {0:?}: use an IANA name such as \"Europe/Paris\" or an offset such as \"+02:00\"")]
    UnknownTimeZone(String),
    /// A field's value breaks a rule (an empty name, a zero capacity).
    #[error("{what} {problem}")]
    Invalid {
        /// What was wrong (`"the event's name"`).
        what: &'static str,
        /// Why (`"must not be empty"`).
        problem: &'static str,
    },
    /// The event's box office configuration is invalid.
    #[error("the box office of this event is not valid: {0}")]
    Config(#[from] ConfigError),
    /// The event would sell more tickets than its venue holds.
    #[error("{tickets} tickets do not fit in {venue}, which holds {capacity}")]
    OverCapacity {
        /// The event's tickets.
        tickets: u64,
        /// The venue.
        venue: VenueId,
        /// What it holds.
        capacity: u64,
    },
    /// A venue's capacity would drop below an event already planned there.
    #[error("{venue} cannot shrink to {capacity}: {event} there has {tickets} tickets")]
    VenueTooSmall {
        /// The venue.
        venue: VenueId,
        /// The capacity asked for.
        capacity: u64,
        /// An event that would no longer fit.
        event: EventId,
        /// Its tickets.
        tickets: u64,
    },
    /// This field may no longer change, given the event's status.
    #[error("the {field} of {event} cannot change now that it is {status}")]
    Frozen {
        /// The event.
        event: EventId,
        /// The field (`"box office"`, `"venue"`).
        field: &'static str,
        /// Its status.
        status: EventStatus,
    },
    /// The action does not apply to an event in this status.
    #[error("cannot {action} {event}: it is {status}")]
    Transition {
        /// The event.
        event: EventId,
        /// What was asked (`"put on sale"`).
        action: &'static str,
        /// Its status.
        status: EventStatus,
    },
    /// The event has no box office yet (it is a draft).
    #[error("{0} is not on sale yet: it has no box office")]
    NoOffice(EventId),
    /// The box office refused (building it, usually).
    #[error("the box office failed: {0}")]
    Office(#[from] BoxOfficeError),
    /// The durable store failed; nothing was changed.
    #[error("the catalog store failed: {0}")]
    Store(#[from] StoreError),
    /// The search index failed.
    #[error("the search index failed: {0}")]
    Search(String),
    /// The event's venue has no seat map: it sells general admission only.
    #[error("{0} has no seats: its venue has no seat map")]
    NotSeated(EventId),
    /// The event's box office is closed (cancelled or past): no seats
    /// are held any more.
    #[error("{0} sells no seats now: its box office is closed")]
    SeatsClosed(EventId),
    /// This catalog does not sell the event's seats (its seat ledgers
    /// refused to open them, `reason` says why): a PostgreSQL catalog in
    /// lease mode, whose nodes do not lease seats yet. Its general
    /// admission tickets still sell; no seat is sold from a local copy.
    #[error("{event} sells no seats here: {reason}")]
    SeatsUnsupported {
        /// The seated event.
        event: EventId,
        /// Why, in the admin's words.
        reason: String,
    },
    /// The event's seats come from an inventory shared with other
    /// processes (a lease node's seat leases): they go on sale as this
    /// process leases them, so there is no vendors' wave to release.
    /// Nothing was recorded.
    #[error(
        "{0} puts its seats on sale by leasing them from the shared seat inventory, \
         not in vendors' waves"
    )]
    SeatWavesUnsupported(EventId),
    /// A seat hold was confirmed but not sold: this process's lease or
    /// shared hold on `seats` of its seats lapsed first, so another
    /// process may sell them. Nothing was recorded: the buyer does not
    /// have the seats, and they are never sold here.
    #[error("{seats} seat(s) of {event} not sold: this process's lease or hold on them expired")]
    SeatsLost {
        /// The seated event.
        event: EventId,
        /// How many of the hold's seats were lost.
        seats: usize,
    },
    /// A venue's seat map config is not valid (every problem listed).
    #[error("the seat map is not valid: {0}")]
    SeatMap(#[from] ticketpool_seats::ConfigError),
    /// The seats refused: a seat unavailable, unknown, a hold ended.
    #[error("{0}")]
    Seats(#[from] ticketpool_seats::SeatError),
}

impl From<tantivy::TantivyError> for CatalogError {
    fn from(error: tantivy::TantivyError) -> Self {
        CatalogError::Search(error.to_string())
    }
}

/// A store failed to save or load.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StoreError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// Set by [`StoreError::seats_lost`].
    lost_seats: Option<usize>,
}

impl StoreError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
            lost_seats: None,
        }
    }

    /// An error saying `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
            lost_seats: None,
        }
    }

    /// A ledger's refusal to record `seats` seats of a sale because this
    /// process no longer holds them (its shared lease or hold lapsed):
    /// not a failure of the store, so the catalog answers it as
    /// [`CatalogError::SeatsLost`], not [`CatalogError::Store`].
    pub fn seats_lost(seats: usize, message: impl Into<String>) -> Self {
        Self {
            lost_seats: Some(seats),
            ..Self::new(message)
        }
    }

    /// How many seats a [`seats_lost`](Self::seats_lost) refusal names;
    /// `None` for any other error.
    pub fn lost_seats(&self) -> Option<usize> {
        self.lost_seats
    }
}
