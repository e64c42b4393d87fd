//! A catalog of events for ticketpool: many events, one engine.
//!
//! - [`Catalog`]: owns the [`Venue`]s, [`Performer`]s and [`Event`]s, and
//!   each event's [`BoxOffice`](ticketpool_core::BoxOffice). Admins add
//!   and edit venues and performers, create events as drafts, change them
//!   within the rules ([`EventUpdate`]), put them on sale (which builds the
//!   office from the event's [`BoxOfficeConfig`](ticketpool_core::BoxOfficeConfig)),
//!   pause, resume and cancel them; [`Catalog::refresh`] marks sold-out and
//!   started events. Ids are typed: [`EventId`], [`VenueId`], [`PerformerId`].
//! - Reading: [`Catalog::upcoming`], [`Catalog::popular_now`] (sales in a
//!   recent [`PopularityWindow`], ranked), [`Catalog::availability`] (the
//!   office's snapshot) and [`Catalog::search`]: full-text search with
//!   tantivy over name, performers, venue and description, filtered by
//!   city, dates, category and on-sale status, ranked by relevance, within
//!   one typo per word, paged ([`SearchQuery`], [`SearchResults`]).
//! - Durability: every change goes to a [`CatalogStore`] first (the source
//!   of truth); [`Catalog::open`] rebuilds the catalog, the offices and the
//!   search index from it. [`MemoryStore`] is the in-memory store.
//! - Seats: a venue may have a seat map ([`Catalog::set_seat_map`]); its
//!   events are then seated, [`Catalog::seats`] opens a [`SeatedEvent`]
//!   (hold named seats, best-available, confirm, cancel, snapshot) whose
//!   confirms go to a [`SeatLedger`]. See "Seated events" below.
//! - [`CatalogError`]: every failure, in the admin's words.
//!
//! An event's start time is UTC ([`jiff::Timestamp`]); its [`DisplayZone`]
//! only says how to show it.
//!
//! # Seated events
//!
//! - A venue may have a seat map: a [`VenueConfig`](ticketpool_seats::VenueConfig)
//!   (sections, rows, seat ranges, price tiers), set with
//!   [`Catalog::set_seat_map`] and kept in the
//!   [`CatalogStore`] beside the venue.
//! - An event at such a venue is *seated*: once it has a box office (on
//!   sale, paused, sold out; cancelled and past ones keep theirs, closed),
//!   [`Catalog::seats`] opens its [`SeatedEvent`]: a
//!   [`Seating`](ticketpool_seats::Seating) over the venue's map with every
//!   seat on sale. Its seated ticket types are the map's price tiers; its
//!   general-admission types (standing, say) stay in the event's
//!   [`BoxOffice`](ticketpool_core::BoxOffice), so the two mix in one event.
//! - Buying a seat: [`SeatedEvent::hold`] (named seats, all or nothing) or
//!   [`SeatedEvent::best_available`], then [`SeatedEvent::confirm`] or
//!   [`SeatedEvent::cancel`]; [`SeatedEvent::snapshot`] for drawing. A
//!   seat hold lasts as long as the event's ticket holds (its office's
//!   `hold_ttl`). These
//!   are the calls the service's seat routes will make.
//! - Durability: every confirm is recorded in the event's [`SeatLedger`]
//!   ([`SeatRecord`]s, one per seat, all or none) before it is answered;
//!   `ticketpool-persist` keeps them as rows of the event's journal (the
//!   `tickets` and `sales` tables, with the seat's label in their `seat`
//!   column). Opening a seated event again (a restart, or after a `kill
//!   -9`) sells the recorded seats again: sold seats stay sold, and seats
//!   that were only held come back available (holds are never recorded).
//!   Without a [`SeatLedgerFactory`] in the
//!   [`CatalogOptions`] the seats live in memory only.
//! - Seat `n` is sold as ticket [`SEAT_TICKETS`]` + n`, far above the box
//!   office's own ids, so both sell into one journal without meeting, and
//!   a seat has one ticket id for good (the journal refuses its second
//!   sale too).
//! - Release waves: a seated event's seats go on sale either all at open
//!   ([`Catalog::seats`], the default) or in vendors' waves
//!   ([`Catalog::seats_in_waves`], then [`SeatedEvent::release_wave`] with a
//!   [`Wave`]: all, a section, a price tier, or a block of rows). The
//!   choice lives in the ledger, no new event setting: an event opened in
//!   waves records [`Wave::Nothing`] before anything else, and each wave is
//!   recorded ([`SeatLedger::record_wave`]) durably *before* its seats go
//!   on sale (a crash between leaves them off sale, never on sale
//!   unrecorded); an unknown section, tier or row is a typed
//!   [`CatalogError::Seats`] and nothing is recorded. Opening the seats
//!   again replays the recorded waves in order, then sells the sold seats:
//!   a restart restores not-on-sale, available and sold (held seats come
//!   back available). A ledger with no wave (every journal written before
//!   waves, and every event opened with [`Catalog::seats`]) puts every seat
//!   on sale, as before.
//! - Not yet: a map cannot change while an event on it sells seats.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use ticketpool_catalog::*;
//! use ticketpool_core::{BoxOfficeConfig, Money, Priority};
//!
//! let catalog = Catalog::open(MemoryStore::new()).unwrap();
//! let venue = catalog
//!     .add_venue(NewVenue { name: "Royal Albert Hall".into(), city: "London".into(), capacity: 5_000 })
//!     .unwrap();
//! let band = catalog
//!     .add_performer(NewPerformer { name: "The Proms Orchestra".into(), description: String::new() })
//!     .unwrap();
//! let proms = catalog
//!     .create_event(NewEvent {
//!         name: "Last Night of the Proms".into(),
//!         description: "Land of Hope and Glory".into(),
//!         performers: vec![band],
//!         venue,
//!         starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
//!         time_zone: DisplayZone::new("Europe/London").unwrap(),
//!         categories: vec!["Classical".into()],
//!         office: BoxOfficeConfig::simple("proms", 100, 10, Money::from_minor(5_000)),
//!     })
//!     .unwrap();
//! catalog.put_on_sale(proms).unwrap();
//!
//! // Sell through the event's own box office.
//! let office = catalog.office(proms).unwrap();
//! office.add_vendor("desk", &[]).unwrap().release("general").unwrap();
//! office.customer("ann", Priority::Regular).buy("general").unwrap();
//! assert_eq!(catalog.availability(proms).unwrap().totals.sold, 1);
//!
//! // Find it, misspelt, among events on sale in London.
//! catalog.wait_searchable(Duration::from_secs(5)).unwrap();
//! let found = catalog
//!     .search(&SearchQuery::text("orchestar").city("london").on_sale_only())
//!     .unwrap();
//! assert_eq!(found.hits[0].event, proms);
//! assert_eq!(catalog.event(proms).unwrap().local_start().hour(), 19); // BST
//! ```

mod catalog;
mod error;
mod ids;
mod model;
mod popular;
mod search;
mod seated;
mod status;
mod store;
mod zone;

pub use crate::catalog::{Catalog, CatalogOptions, OfficeFactory};
pub use crate::error::{CatalogError, StoreError};
pub use crate::ids::{EventId, PerformerId, VenueId};
pub use crate::model::{Event, EventUpdate, NewEvent, NewPerformer, NewVenue, Performer, Venue};
pub use crate::popular::{Popular, PopularityWindow};
pub use crate::search::query::{SearchHit, SearchQuery, SearchResults, MAX_PAGE};
pub use crate::seated::{
    SeatLedger, SeatLedgerFactory, SeatRecord, SeatSupply, SeatedEvent, Wave, SEAT_TICKETS,
};
pub use crate::status::EventStatus;
pub use crate::store::{CatalogStore, MemoryStore};
pub use crate::zone::DisplayZone;
pub use jiff;
pub use ticketpool_seats;
