//! The catalog's entities: [`Venue`], [`Performer`], [`Event`], plus what
//! an admin sends to create or change them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ticketpool_core::BoxOfficeConfig;

use crate::ids::{EventId, PerformerId, VenueId};
use crate::status::EventStatus;
use crate::zone::DisplayZone;

/// Where events happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venue {
    /// Its id.
    pub id: VenueId,
    /// Its name (`"Olympia"`).
    pub name: String,
    /// The city it is in, as shown and filtered on (`"Paris"`).
    pub city: String,
    /// The most tickets any one event there may sell.
    pub capacity: u64,
}

/// Who performs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Performer {
    /// Its id.
    pub id: PerformerId,
    /// Its name.
    pub name: String,
    /// A free text about it (searched).
    pub description: String,
}

/// One event in the catalog, with the configuration of its box office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Its id.
    pub id: EventId,
    /// Its name (searched, ranked highest).
    pub name: String,
    /// A free text about it (searched).
    pub description: String,
    /// Who performs, in billing order.
    pub performers: Vec<PerformerId>,
    /// Where.
    pub venue: VenueId,
    /// When it starts, in UTC.
    pub starts_at: Timestamp,
    /// The zone its start time is shown in.
    pub time_zone: DisplayZone,
    /// Categories and tags, lowercase (`"rock"`, `"family"`).
    pub categories: Vec<String>,
    /// Where it is in its life.
    pub status: EventStatus,
    /// Its box office: ticket types, prices, capacity, holds, limits.
    pub office: BoxOfficeConfig,
}

impl Event {
    /// The start time on the event's own wall clock, for display.
    pub fn local_start(&self) -> jiff::Zoned {
        self.time_zone.local(self.starts_at)
    }
}

/// What an admin gives to create an event; it starts as a
/// [`Draft`](EventStatus::Draft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Its name.
    pub name: String,
    /// A free text about it.
    pub description: String,
    /// Who performs.
    pub performers: Vec<PerformerId>,
    /// Where.
    pub venue: VenueId,
    /// When it starts, in UTC.
    pub starts_at: Timestamp,
    /// The zone its start time is shown in.
    pub time_zone: DisplayZone,
    /// Categories and tags (lowercased and deduplicated on creation).
    pub categories: Vec<String>,
    /// Its box office's configuration.
    pub office: BoxOfficeConfig,
}

/// A change to an event: each `Some` field replaces the current value.
///
/// Which fields may change depends on the status (see
/// [`Catalog::update_event`](crate::Catalog::update_event)): the text, the
/// performers, the categories, the start time and its zone always (until
/// the event is cancelled, closed or past); the venue and the box office only while
/// it is a draft, because tickets were printed against them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// New performers.
    pub performers: Option<Vec<PerformerId>>,
    /// A new venue (drafts only).
    pub venue: Option<VenueId>,
    /// A new start time.
    pub starts_at: Option<Timestamp>,
    /// A new display zone.
    pub time_zone: Option<DisplayZone>,
    /// New categories.
    pub categories: Option<Vec<String>>,
    /// A new box office configuration (drafts only).
    pub office: Option<BoxOfficeConfig>,
}

/// What an admin gives to add a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVenue {
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
    /// Its capacity.
    pub capacity: u64,
}

/// What an admin gives to add a performer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerformer {
    /// Its name.
    pub name: String,
    /// A free text about it.
    pub description: String,
}
