//! The durability boundary: the catalog writes every change to a
//! [`CatalogStore`] before it applies it, and [`Catalog::open`] rebuilds
//! everything (the search index included) from it. The store is the source
//! of truth; the index is a cache.
//!
//! [`Catalog::open`]: crate::Catalog::open

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::StoreError;
use crate::ids::{EventId, PerformerId, VenueId};
use crate::model::{Event, Performer, Venue};
use ticketpool_seats::VenueConfig;

/// Where the catalog keeps its venues, performers and events.
///
/// A `save_*` call inserts or replaces the row with that id; it returns
/// once the row is durable. The `load_*` calls return every row. The
/// SQLite and PostgreSQL stores of `ticketpool-persist` implement it;
/// [`MemoryStore`] is the in-process one for tests and embedders that need
/// no durability.
pub trait CatalogStore: Send {
    /// Inserts or replaces a venue.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if it could not be made durable.
    fn save_venue(&mut self, venue: &Venue) -> Result<(), StoreError>;
    /// Inserts or replaces a performer.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if it could not be made durable.
    fn save_performer(&mut self, performer: &Performer) -> Result<(), StoreError>;
    /// Inserts or replaces an event.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if it could not be made durable.
    fn save_event(&mut self, event: &Event) -> Result<(), StoreError>;
    /// Every venue.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be read.
    fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError>;
    /// Every performer.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be read.
    fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError>;
    /// Every event.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be read.
    fn load_events(&mut self) -> Result<Vec<Event>, StoreError>;
    /// Inserts or replaces a venue's seat map (its config, as written).
    /// The default keeps none and says so.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if it could not be made durable.
    fn save_seat_map(&mut self, venue: VenueId, config: &VenueConfig) -> Result<(), StoreError> {
        let _ = config;
        Err(StoreError::new(format!(
            "this catalog store keeps no seat maps (for {venue})"
        )))
    }
    /// Every venue's seat map; the default keeps none.
    ///
    /// # Errors
    ///
    /// [`StoreError`] if they could not be read.
    fn load_seat_maps(&mut self) -> Result<Vec<(VenueId, VenueConfig)>, StoreError> {
        Ok(Vec::new())
    }
}

#[derive(Debug, Default)]
struct Rows {
    venues: BTreeMap<VenueId, Venue>,
    performers: BTreeMap<PerformerId, Performer>,
    events: BTreeMap<EventId, Event>,
    seat_maps: BTreeMap<VenueId, VenueConfig>,
    /// Writes left before every write fails (tests of the failure path).
    writes_before_failure: Option<u64>,
}

/// A [`CatalogStore`] in memory. Clones share the same rows, so a test can
/// hand one clone to a catalog, drop the catalog and open a new one on
/// another clone: a restart.
///
/// # Examples
///
/// ```
/// use ticketpool_catalog::{Catalog, MemoryStore, NewVenue};
///
/// let store = MemoryStore::new();
/// let catalog = Catalog::open(store.clone()).unwrap();
/// let venue = catalog
///     .add_venue(NewVenue { name: "Olympia".into(), city: "Paris".into(), capacity: 2_000 })
///     .unwrap();
/// drop(catalog);
/// let reopened = Catalog::open(store).unwrap();
/// assert_eq!(reopened.venue(venue).unwrap().name, "Olympia");
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    rows: Arc<Mutex<Rows>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets `writes` more saves succeed, then fails every later one: for
    /// tests that a failed write leaves the catalog unchanged.
    pub fn fail_after(&self, writes: u64) {
        self.rows.lock().writes_before_failure = Some(writes);
    }

    /// How many events are stored.
    pub fn event_count(&self) -> usize {
        self.rows.lock().events.len()
    }

    fn write<T>(&self, put: impl FnOnce(&mut Rows) -> T) -> Result<T, StoreError> {
        let mut rows = self.rows.lock();
        match &mut rows.writes_before_failure {
            Some(0) => return Err(StoreError::new("the memory store is failing writes")),
            Some(left) => *left -= 1,
            None => {}
        }
        Ok(put(&mut rows))
    }
}

impl CatalogStore for MemoryStore {
    fn save_venue(&mut self, venue: &Venue) -> Result<(), StoreError> {
        self.write(|rows| rows.venues.insert(venue.id, venue.clone()))
            .map(drop)
    }

    fn save_performer(&mut self, performer: &Performer) -> Result<(), StoreError> {
        self.write(|rows| rows.performers.insert(performer.id, performer.clone()))
            .map(drop)
    }

    fn save_event(&mut self, event: &Event) -> Result<(), StoreError> {
        self.write(|rows| rows.events.insert(event.id, event.clone()))
            .map(drop)
    }

    fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError> {
        Ok(self.rows.lock().venues.values().cloned().collect())
    }

    fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError> {
        Ok(self.rows.lock().performers.values().cloned().collect())
    }

    fn load_events(&mut self) -> Result<Vec<Event>, StoreError> {
        Ok(self.rows.lock().events.values().cloned().collect())
    }

    fn save_seat_map(&mut self, venue: VenueId, config: &VenueConfig) -> Result<(), StoreError> {
        self.write(|rows| rows.seat_maps.insert(venue, config.clone()))
            .map(drop)
    }

    fn load_seat_maps(&mut self) -> Result<Vec<(VenueId, VenueConfig)>, StoreError> {
        let rows = self.rows.lock();
        Ok(rows
            .seat_maps
            .iter()
            .map(|(v, c)| (*v, c.clone()))
            .collect())
    }
}
