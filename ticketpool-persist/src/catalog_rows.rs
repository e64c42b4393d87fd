//! The catalog's rows (`venues`, `performers`, `catalog_events`), written
//! once for both databases: the SQL, which column holds what, and how a
//! [`Venue`], [`Performer`] or [`Event`] becomes column values and back. A
//! store supplies only [`Execute`] (a statement with parameters) and
//! [`Query`] (the reads).
//!
//! Times are RFC 3339 text (exact, and readable at an SQL prompt); lists
//! (performers, categories) and the box office's configuration are JSON.

use ticketpool_catalog::{
    DisplayZone, Event, EventId, EventStatus, Performer, PerformerId, StoreError, Venue, VenueId,
};

use ticketpool_catalog::ticketpool_seats::VenueConfig;

use crate::codec::{id_from_sql, id_to_sql};
use crate::error::PersistError;
use crate::rows::{Columns, Query};

/// One bound parameter; both drivers bind these two kinds.
pub(crate) enum Param<'a> {
    /// A `BIGINT` / `INTEGER`.
    Int(i64),
    /// A `TEXT`.
    Text(&'a str),
}

/// Runs one statement with parameters (`$1`, `$2`, ... in order).
pub(crate) trait Execute {
    /// Runs `sql` with `params`, returning the rows changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, PersistError>;
}

const PUT_VENUE: &str = "INSERT INTO venues (id, name, city, capacity) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, city = excluded.city, \
    capacity = excluded.capacity";
const PUT_PERFORMER: &str = "INSERT INTO performers (id, name, description) VALUES ($1, $2, $3) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description";
const PUT_EVENT: &str = "INSERT INTO catalog_events \
    (id, name, description, venue, starts_at, time_zone, status, performers, categories, office) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
    venue = excluded.venue, starts_at = excluded.starts_at, time_zone = excluded.time_zone, \
    status = excluded.status, performers = excluded.performers, \
    categories = excluded.categories, office = excluded.office";
const SELECT_VENUES: &str = "SELECT id, name, city, capacity FROM venues ORDER BY id";
const SELECT_PERFORMERS: &str = "SELECT id, name, description FROM performers ORDER BY id";
const SELECT_EVENTS: &str = "SELECT id, name, description, venue, starts_at, time_zone, status, \
    performers, categories, office FROM catalog_events ORDER BY id";
/// A venue's seat map: its config as JSON (schema version 5).
const PUT_SEAT_MAP: &str = "INSERT INTO venue_seat_maps (venue, body) VALUES ($1, $2) \
    ON CONFLICT (venue) DO UPDATE SET body = excluded.body";
const SELECT_SEAT_MAPS: &str = "SELECT venue, body FROM venue_seat_maps ORDER BY venue";

/// Every status, to read one back from its text.
const STATUSES: [EventStatus; 7] = [
    EventStatus::Draft,
    EventStatus::OnSale,
    EventStatus::Paused,
    EventStatus::SoldOut,
    EventStatus::Cancelled,
    EventStatus::Past,
    EventStatus::Closed,
];

pub(crate) fn save_venue(db: &mut dyn Execute, venue: &Venue) -> Result<(), PersistError> {
    db.execute(
        PUT_VENUE,
        &[
            Param::Int(id_to_sql(venue.id.0)),
            Param::Text(&venue.name),
            Param::Text(&venue.city),
            Param::Int(id_to_sql(venue.capacity)),
        ],
    )
    .map(drop)
}

pub(crate) fn save_performer(db: &mut dyn Execute, who: &Performer) -> Result<(), PersistError> {
    db.execute(
        PUT_PERFORMER,
        &[
            Param::Int(id_to_sql(who.id.0)),
            Param::Text(&who.name),
            Param::Text(&who.description),
        ],
    )
    .map(drop)
}

pub(crate) fn save_event(db: &mut dyn Execute, event: &Event) -> Result<(), PersistError> {
    let performers = json(&event.performers)?;
    let categories = json(&event.categories)?;
    let office = json(&event.office)?;
    let starts_at = event.starts_at.to_string();
    db.execute(
        PUT_EVENT,
        &[
            Param::Int(id_to_sql(event.id.0)),
            Param::Text(&event.name),
            Param::Text(&event.description),
            Param::Int(id_to_sql(event.venue.0)),
            Param::Text(&starts_at),
            Param::Text(event.time_zone.name()),
            Param::Text(event.status.as_str()),
            Param::Text(&performers),
            Param::Text(&categories),
            Param::Text(&office),
        ],
    )
    .map(drop)
}

pub(crate) fn load_venues(db: &mut dyn Query, location: &str) -> Result<Vec<Venue>, PersistError> {
    let mut venues = Vec::new();
    db.each(SELECT_VENUES, &mut |row| {
        venues.push(Venue {
            id: VenueId(id_from_sql(row.int(0)?)),
            name: row.text(1)?.to_owned(),
            city: row.text(2)?.to_owned(),
            capacity: unsigned(row.int(3)?, "venue capacity", location)?,
        });
        Ok(())
    })?;
    Ok(venues)
}

pub(crate) fn load_performers(db: &mut dyn Query) -> Result<Vec<Performer>, PersistError> {
    let mut performers = Vec::new();
    db.each(SELECT_PERFORMERS, &mut |row| {
        performers.push(Performer {
            id: PerformerId(id_from_sql(row.int(0)?)),
            name: row.text(1)?.to_owned(),
            description: row.text(2)?.to_owned(),
        });
        Ok(())
    })?;
    Ok(performers)
}

pub(crate) fn load_events(db: &mut dyn Query, location: &str) -> Result<Vec<Event>, PersistError> {
    let mut events = Vec::new();
    db.each(SELECT_EVENTS, &mut |row| {
        events.push(event_at(row, location)?);
        Ok(())
    })?;
    Ok(events)
}

fn event_at(row: &dyn Columns, location: &str) -> Result<Event, PersistError> {
    let id = row.int(0)?;
    let bad = |detail: String| PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("catalog event {id}: {detail}"),
    };
    let status = row.text(6)?;
    Ok(Event {
        id: EventId(id_from_sql(id)),
        name: row.text(1)?.to_owned(),
        description: row.text(2)?.to_owned(),
        venue: VenueId(id_from_sql(row.int(3)?)),
        starts_at: row
            .text(4)?
            .parse()
            .map_err(|e| bad(format!("start time: {e}")))?,
        time_zone: DisplayZone::new(row.text(5)?).map_err(|e| bad(e.to_string()))?,
        status: STATUSES
            .into_iter()
            .find(|s| s.as_str() == status)
            .ok_or_else(|| bad(format!("unknown status {status:?}")))?,
        performers: from_json(row.text(7)?).map_err(|e| bad(format!("performers: {e}")))?,
        categories: from_json(row.text(8)?).map_err(|e| bad(format!("categories: {e}")))?,
        office: from_json(row.text(9)?).map_err(|e| bad(format!("box office: {e}")))?,
    })
}

pub(crate) fn save_seat_map(
    db: &mut dyn Execute,
    venue: VenueId,
    config: &VenueConfig,
) -> Result<(), PersistError> {
    let body = json(config)?;
    db.execute(
        PUT_SEAT_MAP,
        &[Param::Int(id_to_sql(venue.0)), Param::Text(&body)],
    )
    .map(drop)
}

pub(crate) fn load_seat_maps(
    db: &mut dyn Query,
    location: &str,
) -> Result<Vec<(VenueId, VenueConfig)>, PersistError> {
    let mut maps = Vec::new();
    db.each(SELECT_SEAT_MAPS, &mut |row| {
        let venue = VenueId(id_from_sql(row.int(0)?));
        let config = from_json(row.text(1)?).map_err(|e| PersistError::BadRow {
            location: location.to_owned(),
            detail: format!("the seat map of {venue}: {e}"),
        })?;
        maps.push((venue, config));
        Ok(())
    })?;
    Ok(maps)
}

fn unsigned(value: i64, what: &str, location: &str) -> Result<u64, PersistError> {
    u64::try_from(value).map_err(|_| PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("{what} {value} is negative"),
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, PersistError> {
    serde_json::to_string(value).map_err(|e| PersistError::Config(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
}

/// A persist error in the catalog's terms, the original kept as the source.
pub(crate) fn store_error(action: &str, error: PersistError) -> StoreError {
    StoreError::with_source(format!("could not {action}: {error}"), error)
}
