//! What admins change: venues, performers, and the contents of events.

use crate::error::CatalogError;
use crate::ids::{EventId, PerformerId, VenueId};
use crate::model::{Event, EventUpdate, NewEvent, NewPerformer, NewVenue};
use crate::model::{Performer, Venue};
use crate::status::EventStatus;

use super::rules;
use super::state::State;
use super::Catalog;

impl Catalog {
    /// Adds a venue.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Invalid`] for an empty name or city or a zero
    /// capacity; [`CatalogError::Store`] if it cannot be stored.
    pub fn add_venue(&self, venue: NewVenue) -> Result<VenueId, CatalogError> {
        rules::check_venue(&venue)?;
        let mut state = self.state.write();
        let venue = Venue {
            id: VenueId(state.next_venue.max(1)),
            name: venue.name.trim().to_owned(),
            city: venue.city.trim().to_owned(),
            capacity: venue.capacity,
        };
        self.store.lock().save_venue(&venue)?;
        let id = venue.id;
        state.put_venue(venue);
        Ok(id)
    }

    /// Replaces venue `id`'s name, city and capacity; its events are
    /// re-indexed under the new name and city.
    ///
    /// # Errors
    ///
    /// As [`add_venue`](Self::add_venue), plus
    /// [`CatalogError::UnknownVenue`], and
    /// [`CatalogError::VenueTooSmall`] if an event planned there (not
    /// cancelled nor past) has more tickets than the new capacity.
    pub fn update_venue(&self, id: VenueId, venue: NewVenue) -> Result<(), CatalogError> {
        rules::check_venue(&venue)?;
        let mut state = self.state.write();
        if !state.venues.contains_key(&id) {
            return Err(CatalogError::UnknownVenue(id));
        }
        if let Some((event, tickets)) = rules::too_big_for(&state, id, venue.capacity) {
            return Err(CatalogError::VenueTooSmall {
                venue: id,
                capacity: venue.capacity,
                event,
                tickets,
            });
        }
        let venue = Venue {
            id,
            name: venue.name.trim().to_owned(),
            city: venue.city.trim().to_owned(),
            capacity: venue.capacity,
        };
        self.store.lock().save_venue(&venue)?;
        state.put_venue(venue);
        self.reindex(&state, |event| event.venue == id);
        Ok(())
    }

    /// Adds a performer.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Invalid`] for an empty name;
    /// [`CatalogError::Store`] if it cannot be stored.
    pub fn add_performer(&self, performer: NewPerformer) -> Result<PerformerId, CatalogError> {
        rules::check_performer(&performer)?;
        let mut state = self.state.write();
        let performer = Performer {
            id: PerformerId(state.next_performer.max(1)),
            name: performer.name.trim().to_owned(),
            description: performer.description,
        };
        self.store.lock().save_performer(&performer)?;
        let id = performer.id;
        state.put_performer(performer);
        Ok(id)
    }

    /// Replaces performer `id`'s name and description; its events are
    /// re-indexed under the new name.
    ///
    /// # Errors
    ///
    /// As [`add_performer`](Self::add_performer), plus
    /// [`CatalogError::UnknownPerformer`].
    pub fn update_performer(
        &self,
        id: PerformerId,
        performer: NewPerformer,
    ) -> Result<(), CatalogError> {
        rules::check_performer(&performer)?;
        let mut state = self.state.write();
        if !state.performers.contains_key(&id) {
            return Err(CatalogError::UnknownPerformer(id));
        }
        let performer = Performer {
            id,
            name: performer.name.trim().to_owned(),
            description: performer.description,
        };
        self.store.lock().save_performer(&performer)?;
        state.put_performer(performer);
        self.reindex(&state, |event| event.performers.contains(&id));
        Ok(())
    }

    /// Creates an event as a [`Draft`](EventStatus::Draft). Its office's
    /// `event_name` is set to the event's name; categories are lowercased.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Invalid`] for an empty name,
    /// [`CatalogError::UnknownVenue`] / [`CatalogError::UnknownPerformer`]
    /// for a missing reference, [`CatalogError::Config`] for an invalid
    /// office, [`CatalogError::OverCapacity`] if its tickets do not fit the
    /// venue, [`CatalogError::Store`] if it cannot be stored.
    pub fn create_event(&self, new: NewEvent) -> Result<EventId, CatalogError> {
        let mut state = self.state.write();
        let mut office = new.office;
        office.event_name = new.name.trim().to_owned();
        let event = Event {
            id: EventId(state.next_event.max(1)),
            name: office.event_name.clone(),
            description: new.description,
            performers: new.performers,
            venue: new.venue,
            starts_at: new.starts_at,
            time_zone: new.time_zone,
            categories: rules::normalize_categories(&new.categories),
            status: EventStatus::Draft,
            office,
        };
        rules::check_event(&state, &event)?;
        let id = event.id;
        self.save_event(&mut state, event)?;
        Ok(id)
    }

    /// Changes event `id` (see [`EventUpdate`] for what may change when).
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::Transition`] for a
    /// cancelled, closed or past event; [`CatalogError::Frozen`] for a new venue or
    /// office once it left the draft; then the rules of
    /// [`create_event`](Self::create_event).
    pub fn update_event(&self, id: EventId, update: EventUpdate) -> Result<(), CatalogError> {
        let mut state = self.state.write();
        let current = state
            .events
            .get(&id)
            .ok_or(CatalogError::UnknownEvent(id))?;
        rules::check_update(current, &update)?;
        let next = rules::apply_update(current, update);
        rules::check_event(&state, &next)?;
        self.save_event(&mut state, next)
    }

    /// Stores `event`, then applies it and queues it for the index.
    pub(super) fn save_event(&self, state: &mut State, event: Event) -> Result<(), CatalogError> {
        self.store.lock().save_event(&event)?;
        let indexed = state.indexed(&event);
        state.put_event(event);
        self.index.put(indexed);
        Ok(())
    }

    /// Re-indexes the events `which` selects (a venue or performer renamed).
    fn reindex(&self, state: &State, which: impl Fn(&Event) -> bool) {
        for event in state.events.values().filter(|e| which(e)) {
            self.index.put(state.indexed(event));
        }
    }
}
