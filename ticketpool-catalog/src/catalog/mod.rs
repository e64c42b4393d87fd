//! The [`Catalog`]: its state, how it opens from a store, and what it
//! answers. Changes are in `admin` (venues, performers, event contents)
//! and `lifecycle` (on sale, pause, cancel, refresh).

mod admin;
mod lifecycle;
mod reopen;
pub(crate) mod rules;
mod seats;
pub(crate) mod state;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use parking_lot::{Mutex, RwLock};
use ticketpool_core::{BoxOffice, BoxOfficeError, Snapshot};

use crate::error::CatalogError;
use crate::ids::{EventId, PerformerId, VenueId};
use crate::model::{Event, Performer, Venue};
use crate::popular::{Popular, Popularity, PopularityWindow};
use crate::search::index::SearchIndex;
use crate::search::query::{SearchQuery, SearchResults};
use crate::seated::{SeatLedgerFactory, SeatedEvent};
use crate::status::EventStatus;
use crate::store::CatalogStore;

use self::state::State;

/// Builds an event's box office when it goes on sale, and again when the
/// catalog reopens. The default makes a fresh office from the event's
/// configuration; a durable deployment passes one that opens the office on
/// its journal, so its sales survive a restart.
pub type OfficeFactory = Arc<dyn Fn(&Event) -> Result<BoxOffice, BoxOfficeError> + Send + Sync>;

/// How a catalog runs.
#[derive(Clone, Default)]
pub struct CatalogOptions {
    /// The "popular now" window.
    pub popularity: PopularityWindow,
    /// How offices are built (`None`: `BoxOffice::new(config)`).
    pub offices: Option<OfficeFactory>,
    /// Where seated events record their seat sales (`None`: nowhere, the
    /// seats live in memory only). See [`SeatedEvent`].
    pub seat_ledgers: Option<SeatLedgerFactory>,
}

impl std::fmt::Debug for CatalogOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogOptions")
            .field("popularity", &self.popularity)
            .field("offices", &self.offices.as_ref().map(|_| ".."))
            .field("seat_ledgers", &self.seat_ledgers.as_ref().map(|_| ".."))
            .finish()
    }
}

/// Venues, performers and events, each event with its box office, kept in
/// a [`CatalogStore`] and searchable.
///
/// Every change is checked, then written to the store, then applied: a
/// failed write leaves the catalog as it was. The search index follows
/// within a second ([`wait_searchable`](Self::wait_searchable)).
/// `Catalog` is `Sync`: share it in an `Arc`; reads run in parallel,
/// changes one at a time.
pub struct Catalog {
    state: RwLock<State>,
    store: Mutex<Box<dyn CatalogStore>>,
    index: SearchIndex,
    popularity: Popularity,
    offices: Option<OfficeFactory>,
    seats: Mutex<Seats>,
    seat_ledgers: Option<SeatLedgerFactory>,
}

/// Venues' seat maps, and the seated events opened on them.
#[derive(Default)]
struct Seats {
    maps: HashMap<VenueId, Arc<ticketpool_seats::SeatMap>>,
    events: HashMap<EventId, Arc<SeatedEvent>>,
}

impl Catalog {
    /// Opens the catalog kept in `store`, with default options.
    ///
    /// # Errors
    ///
    /// See [`open_with`](Self::open_with).
    pub fn open(store: impl CatalogStore + 'static) -> Result<Self, CatalogError> {
        Self::open_with(store, CatalogOptions::default())
    }

    /// Opens the catalog kept in `store`: loads every venue, performer and
    /// event, rebuilds the office of each event that has one (paused ones
    /// paused) and the search index, and returns once all is searchable.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] if the store cannot be read,
    /// [`CatalogError::Office`] if an office cannot be rebuilt,
    /// [`CatalogError::Search`] if the index cannot be built.
    pub fn open_with(
        store: impl CatalogStore + 'static,
        options: CatalogOptions,
    ) -> Result<Self, CatalogError> {
        let mut store: Box<dyn CatalogStore> = Box::new(store);
        let mut state = State::default();
        store
            .load_venues()?
            .into_iter()
            .for_each(|v| state.put_venue(v));
        store
            .load_performers()?
            .into_iter()
            .for_each(|p| state.put_performer(p));
        store
            .load_events()?
            .into_iter()
            .for_each(|e| state.put_event(e));
        let mut seats = Seats::default();
        for (venue, config) in store.load_seat_maps()? {
            seats.maps.insert(venue, Arc::new(config.build()?));
        }
        let catalog = Self {
            index: SearchIndex::new()?,
            popularity: Popularity::new(options.popularity),
            offices: options.offices,
            seats: Mutex::new(seats),
            seat_ledgers: options.seat_ledgers,
            store: Mutex::new(store),
            state: RwLock::new(State::default()),
        };
        // A closed sale keeps its office, closed, for its sales and
        // snapshot; cancelled and past events come back without one.
        let listed: Vec<&Event> = state
            .events
            .values()
            .filter(|event| event.status.is_listed())
            .collect();
        let mut offices = Vec::with_capacity(listed.len());
        for (event, office) in listed.iter().zip(catalog.build_offices(&listed)) {
            let office = office?;
            if event.status == EventStatus::Paused {
                office.pause();
            } else if event.status == EventStatus::Closed {
                office.close();
            }
            offices.push((event.id, Arc::new(office)));
        }
        for event in state.events.values() {
            catalog.index.put(state.indexed(event));
        }
        state.offices.extend(offices);
        *catalog.state.write() = state;
        catalog.open_seated()?;
        let last = catalog.index.last_queued();
        // No deadline that matters: open returns a searchable catalog.
        catalog
            .index
            .wait(last, Instant::now() + Duration::from_secs(3600))?;
        Ok(catalog)
    }

    fn build_office(&self, event: &Event) -> Result<BoxOffice, CatalogError> {
        Ok(match &self.offices {
            Some(factory) => factory(event)?,
            None => BoxOffice::new(event.office.clone())?,
        })
    }

    /// The event `id`.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`].
    pub fn event(&self, id: EventId) -> Result<Event, CatalogError> {
        let state = self.state.read();
        state
            .events
            .get(&id)
            .cloned()
            .ok_or(CatalogError::UnknownEvent(id))
    }

    /// The venue `id`.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownVenue`].
    pub fn venue(&self, id: VenueId) -> Result<Venue, CatalogError> {
        let state = self.state.read();
        state
            .venues
            .get(&id)
            .cloned()
            .ok_or(CatalogError::UnknownVenue(id))
    }

    /// The performer `id`.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownPerformer`].
    pub fn performer(&self, id: PerformerId) -> Result<Performer, CatalogError> {
        let state = self.state.read();
        state
            .performers
            .get(&id)
            .cloned()
            .ok_or(CatalogError::UnknownPerformer(id))
    }

    /// Every event, drafts, cancelled and past ones included, by id: the
    /// admin's list (buyers see [`upcoming`](Self::upcoming) and search).
    pub fn events(&self) -> Vec<Event> {
        let state = self.state.read();
        let mut events: Vec<Event> = state.events.values().cloned().collect();
        events.sort_unstable_by_key(|e| e.id);
        events
    }

    /// Every venue, by id.
    pub fn venues(&self) -> Vec<Venue> {
        let state = self.state.read();
        let mut venues: Vec<Venue> = state.venues.values().cloned().collect();
        venues.sort_unstable_by_key(|v| v.id);
        venues
    }

    /// Every performer, by id.
    pub fn performers(&self) -> Vec<Performer> {
        let state = self.state.read();
        let mut performers: Vec<Performer> = state.performers.values().cloned().collect();
        performers.sort_unstable_by_key(|p| p.id);
        performers
    }

    /// How many events the catalog holds, drafts included.
    pub fn event_count(&self) -> usize {
        self.state.read().events.len()
    }

    /// The box office of event `id`, to sell through. Cancelled, past and
    /// sales-closed events keep theirs, closed, for their sales and
    /// snapshot (after a reopen, only a sales-closed one has it back).
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`], or [`CatalogError::NoOffice`] for a
    /// draft.
    pub fn office(&self, id: EventId) -> Result<Arc<BoxOffice>, CatalogError> {
        let state = self.state.read();
        if !state.events.contains_key(&id) {
            return Err(CatalogError::UnknownEvent(id));
        }
        state
            .offices
            .get(&id)
            .cloned()
            .ok_or(CatalogError::NoOffice(id))
    }

    /// What is available, held and sold of event `id`, per ticket type:
    /// its office's snapshot, which does not block sales.
    ///
    /// # Errors
    ///
    /// As [`office`](Self::office).
    pub fn availability(&self, id: EventId) -> Result<Snapshot, CatalogError> {
        Ok(self.office(id)?.snapshot())
    }

    /// Up to `limit` events starting after `now`, soonest first: those a
    /// buyer may see (on sale, paused, sold out or sales closed; not
    /// drafts, cancelled or past ones).
    pub fn upcoming(&self, now: Timestamp, limit: usize) -> Vec<Event> {
        let state = self.state.read();
        state
            .by_start
            .range((now, EventId(u64::MAX))..)
            .filter_map(|(_, id)| state.events.get(id))
            .filter(|e| e.status.is_listed())
            .take(limit)
            .cloned()
            .collect()
    }

    /// The `limit` events that sold most in the recent window, best first
    /// (see [`PopularityWindow`]). Cheap: it samples the offices at most
    /// once per bucket and otherwise copies the last ranking.
    pub fn popular_now(&self, limit: usize) -> Vec<Popular> {
        self.popular_at(Instant::now(), limit)
    }

    /// [`popular_now`](Self::popular_now) as if the time were `now`: for
    /// tests and simulations that drive the clock.
    pub fn popular_at(&self, now: Instant, limit: usize) -> Vec<Popular> {
        if self.popularity.due(now) {
            let counts: Vec<(EventId, u64)> = {
                let state = self.state.read();
                state
                    .offices
                    .iter()
                    .filter(|(_, office)| !office.is_closed())
                    .map(|(id, office)| (*id, office.sales_count() as u64))
                    .collect()
            };
            self.popularity.sample(now, counts);
        }
        self.popularity.top(limit)
    }

    /// Searches the events (see [`SearchQuery`]): relevance first, within
    /// one typo per word, filtered and paged. Sees every change made up to
    /// the indexer's last commit (within a second).
    ///
    /// # Errors
    ///
    /// [`CatalogError::Search`] if the index fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ticketpool_catalog::*;
    /// # use std::time::Duration;
    /// # use ticketpool_core::{BoxOfficeConfig, Money};
    /// let catalog = Catalog::open(MemoryStore::new()).unwrap();
    /// let venue = catalog.add_venue(NewVenue {
    ///     name: "Olympia".into(), city: "Paris".into(), capacity: 2_000,
    /// }).unwrap();
    /// let id = catalog.create_event(NewEvent {
    ///     name: "Jazz at the Olympia".into(),
    ///     description: "A night of standards".into(),
    ///     performers: vec![],
    ///     venue,
    ///     starts_at: "2030-05-01T19:00:00Z".parse().unwrap(),
    ///     time_zone: DisplayZone::new("Europe/Paris").unwrap(),
    ///     categories: vec!["jazz".into()],
    ///     office: BoxOfficeConfig::simple("jazz", 500, 50, Money::from_minor(3_000)),
    /// }).unwrap();
    /// catalog.put_on_sale(id).unwrap();
    /// assert!(catalog.wait_searchable(Duration::from_secs(5)).unwrap());
    /// let found = catalog.search(&SearchQuery::text("jaz").city("paris")).unwrap();
    /// assert_eq!(found.hits[0].event, id); // one typo away
    /// ```
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, CatalogError> {
        self.index.search(query)
    }

    /// Waits until every change made before this call is searchable, for
    /// at most `timeout`; `true` if it is.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Search`] if the indexer failed to commit.
    pub fn wait_searchable(&self, timeout: Duration) -> Result<bool, CatalogError> {
        let deadline = Instant::now() + timeout;
        self.index.wait(self.index.last_queued(), deadline)
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.read();
        f.debug_struct("Catalog")
            .field("venues", &state.venues.len())
            .field("performers", &state.performers.len())
            .field("events", &state.events.len())
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}
