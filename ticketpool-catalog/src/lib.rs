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
//! - [`CatalogError`]: every failure, in the admin's words.
//!
//! An event's start time is UTC ([`jiff::Timestamp`]); its [`DisplayZone`]
//! only says how to show it.
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
pub use crate::seated::{SeatLedger, SeatLedgerFactory, SeatRecord, SeatedEvent, SEAT_TICKETS};
pub use crate::status::EventStatus;
pub use crate::store::{CatalogStore, MemoryStore};
pub use crate::zone::DisplayZone;
pub use jiff;
pub use ticketpool_seats;
