//! Venues' seat maps and seated events' seats (see `crate::seated` for the
//! design).

use std::sync::Arc;

use ticketpool_seats::{SeatMap, VenueConfig};

use super::Catalog;
use crate::error::CatalogError;
use crate::ids::{EventId, VenueId};
use crate::seated::{NoLedger, SeatLedger, SeatedEvent};

impl Catalog {
    /// Gives venue `venue` a seat map: events there become seated (see
    /// [`SeatedEvent`]). Replaces an earlier map while no event there
    /// sells seats yet.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownVenue`]; [`CatalogError::SeatMap`] listing
    /// every problem of the config; [`CatalogError::Invalid`] if the map
    /// has more seats than the venue holds, or an event there already
    /// sells seats; [`CatalogError::Store`] (nothing changed).
    pub fn set_seat_map(&self, venue: VenueId, config: VenueConfig) -> Result<(), CatalogError> {
        let capacity = self.venue(venue)?.capacity;
        let map = config.build()?;
        if map.seat_count() as u64 > capacity {
            return Err(CatalogError::Invalid {
                what: "the seat map",
                problem: "has more seats than the venue holds",
            });
        }
        let mut seats = self.seats.lock();
        let in_use = seats
            .events
            .keys()
            .any(|e| self.event(*e).is_ok_and(|e| e.venue == venue));
        if in_use {
            return Err(CatalogError::Invalid {
                what: "the venue's seat map",
                problem: "cannot change while an event there sells seats",
            });
        }
        self.store.lock().save_seat_map(venue, &config)?;
        seats.maps.insert(venue, Arc::new(map));
        Ok(())
    }

    /// The seat map of venue `venue`, if it has one.
    pub fn seat_map(&self, venue: VenueId) -> Option<Arc<SeatMap>> {
        self.seats.lock().maps.get(&venue).cloned()
    }

    /// The seats of event `id`: opened the first time (and when the catalog
    /// opens), from its ledger: the recorded waves on sale again (every
    /// seat when none is recorded), seats recorded as sold sold.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::NotSeated`] if its
    /// venue has no seat map; [`CatalogError::NoOffice`] for a draft;
    /// [`CatalogError::SeatsUnsupported`] if this catalog's seat ledgers
    /// do not sell seats (a lease node's);
    /// [`CatalogError::Store`] if its ledger cannot be read or names a
    /// seat the map does not have.
    pub fn seats(&self, id: EventId) -> Result<Arc<SeatedEvent>, CatalogError> {
        self.open_seats(id, false)
    }

    /// The seats of event `id`, released in vendors' waves
    /// ([`SeatedEvent::release_wave`]) instead of all at once: the first
    /// time, before any seat is sold, the event's ledger records that no
    /// seat is on sale yet, so it stays so across restarts. An event
    /// already in waves is returned as it is.
    ///
    /// # Errors
    ///
    /// As [`seats`](Self::seats); [`CatalogError::Invalid`] if the event's
    /// seats are already all on sale (opened with [`seats`](Self::seats));
    /// [`CatalogError::SeatWavesUnsupported`] if they come from a shared
    /// supply (a lease node's seat leases).
    pub fn seats_in_waves(&self, id: EventId) -> Result<Arc<SeatedEvent>, CatalogError> {
        self.open_seats(id, true)
    }

    fn open_seats(&self, id: EventId, in_waves: bool) -> Result<Arc<SeatedEvent>, CatalogError> {
        let event = self.event(id)?;
        let mut seats = self.seats.lock();
        if let Some(open) = seats.events.get(&id) {
            if in_waves && open.ledger_supplies() {
                return Err(CatalogError::SeatWavesUnsupported(id));
            }
            if in_waves && !open.in_waves() {
                return Err(CatalogError::Invalid {
                    what: "the event's seats",
                    problem: "are already all on sale, not in waves",
                });
            }
            return Ok(Arc::clone(open));
        }
        let map = seats
            .maps
            .get(&event.venue)
            .cloned()
            .ok_or(CatalogError::NotSeated(id))?;
        let office = self.office(id)?;
        let ledger: Arc<dyn SeatLedger> = match &self.seat_ledgers {
            Some(factory) => factory(&event)?,
            None => Arc::new(NoLedger),
        };
        let open = Arc::new(SeatedEvent::open(id, map, office, ledger, in_waves)?);
        seats.events.insert(id, Arc::clone(&open));
        Ok(open)
    }

    /// Whether event `id` is at a venue with a seat map.
    pub fn is_seated(&self, id: EventId) -> bool {
        self.event(id)
            .is_ok_and(|e| self.seats.lock().maps.contains_key(&e.venue))
    }

    /// Opens the seats of every seated event that has an office: the
    /// recovery step of [`Catalog::open_with`].
    pub(super) fn open_seated(&self) -> Result<(), CatalogError> {
        let ids: Vec<EventId> = self
            .events()
            .into_iter()
            .filter(|e| e.status.has_office())
            .map(|e| e.id)
            .filter(|&id| self.is_seated(id))
            .collect();
        for id in ids {
            match self.seats(id) {
                // Refused for good by this catalog's ledgers, not broken:
                // the catalog opens, and each seat request says why.
                Ok(_) | Err(CatalogError::SeatsUnsupported { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }
}
