//! The catalog's in-memory state: what the store holds, plus each open
//! event's box office and an index by start time for "upcoming".

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use ticketpool_core::BoxOffice;

use crate::ids::{EventId, PerformerId, VenueId};
use crate::model::{Event, Performer, Venue};
use crate::search::schema::{status_token, IndexedEvent};

#[derive(Default)]
pub(crate) struct State {
    pub(crate) venues: HashMap<VenueId, Venue>,
    pub(crate) performers: HashMap<PerformerId, Performer>,
    pub(crate) events: HashMap<EventId, Event>,
    pub(crate) offices: HashMap<EventId, Arc<BoxOffice>>,
    pub(crate) by_start: BTreeSet<(Timestamp, EventId)>,
    pub(crate) next_event: u64,
    pub(crate) next_venue: u64,
    pub(crate) next_performer: u64,
}

impl State {
    /// Inserts or replaces `event`, keeping the start-time index right.
    pub(crate) fn put_event(&mut self, event: Event) {
        if let Some(old) = self.events.get(&event.id) {
            self.by_start.remove(&(old.starts_at, old.id));
        }
        self.by_start.insert((event.starts_at, event.id));
        self.next_event = self.next_event.max(event.id.0 + 1);
        self.events.insert(event.id, event);
    }

    pub(crate) fn put_venue(&mut self, venue: Venue) {
        self.next_venue = self.next_venue.max(venue.id.0 + 1);
        self.venues.insert(venue.id, venue);
    }

    pub(crate) fn put_performer(&mut self, performer: Performer) {
        self.next_performer = self.next_performer.max(performer.id.0 + 1);
        self.performers.insert(performer.id, performer);
    }

    /// What the search index stores of `event`, names resolved.
    pub(crate) fn indexed(&self, event: &Event) -> IndexedEvent {
        let venue = self.venues.get(&event.venue);
        IndexedEvent {
            id: event.id,
            name: event.name.clone(),
            performers: event
                .performers
                .iter()
                .filter_map(|id| self.performers.get(id))
                .map(|p| p.name.clone())
                .collect(),
            venue: venue.map(|v| v.name.clone()).unwrap_or_default(),
            description: event.description.clone(),
            city: venue.map(|v| v.city.clone()).unwrap_or_default(),
            categories: event.categories.clone(),
            starts: event.starts_at.as_second(),
            status: status_token(event.status),
        }
    }
}
