//! A durable journal for ticketpool's box office, in a real database.
//!
//! - [`DurableJournal`]: the [`Journal`](ticketpool_core::Journal) to hand
//!   the box office. A writer thread owns the connection and commits in
//!   groups; [`Durability::Confirmed`] answers after the commit,
//!   [`Durability::Batched`] at once. A failed write stops the journal
//!   rather than let a sale go unrecorded.
//! - [`Store`]: the storage trait, with [`SqliteStore`] (one file, the
//!   embedded default) and `PgStore` (PostgreSQL, cargo feature
//!   `postgres`). Tables: `vendors`, `ticket_types`, `tickets`, `sales`
//!   (`UNIQUE(ticket_id)`: no double sale, even in the database) and the
//!   `events` log; versioned, with migrations.
//! - [`open_office`]: a [`BoxOffice`](ticketpool_core::BoxOffice) opened
//!   on its journal, rebuilt from it after a crash and recording from then
//!   on: the start-up call. The journal records the event's configuration
//!   ([`EventSettings`]) and refuses one that contradicts it;
//!   [`reconfigure`] changes it on purpose.
//! - [`Store::recover`] and [`replay`]: the
//!   [`RecoveredState`](ticketpool_core::RecoveredState) a box office
//!   restarts from after a crash.
//! - The catalog: [`SqliteStore`] and `PgStore` are also
//!   [`CatalogStore`](ticketpool_catalog::CatalogStore)s, keeping venues,
//!   performers and events (`venues`, `performers`, `catalog_events`) in the
//!   same database as the sales; `my_tickets` on either store lists a
//!   customer's [`BookedTicket`]s, newest first, by index;
//!   [`catalog_offices`] opens each event's office on its journal;
//!   [`CatalogDir`] keeps a whole durable catalog, every event's sales
//!   included, in one SQLite database (the layout the Python bindings and
//!   the server share; journal rows carry their event, see
//!   [`SqliteStore::for_event`]) and lists a customer's tickets across its
//!   events in one indexed read (cargo feature `catalog`, on by default); `CatalogPg` is its PostgreSQL counterpart (the catalog in
//!   one schema with every event's sales, see `PgStore::for_event`; features
//!   `catalog` and `postgres`), and [`CatalogHome`] holds either.
//! - `lease` (module): several nodes selling one event out of one PostgreSQL
//!   table: a node leases a block of tickets (`FOR UPDATE SKIP LOCKED`,
//!   owner and expiry on the database's clock) with a `LeaseInventory`,
//!   sells them from memory, commits sales in groups fenced by its lease
//!   (a sale on an expired lease comes back lost), renews while alive and
//!   hands back on a clean stop; `LeaseSizer` sizes blocks from demand,
//!   small near sell-out (feature `postgres`).
//! - [`backup`]: a consistent copy of a live SQLite journal.
//! - [`PersistError`]: typed errors, including corrupt, foreign and
//!   too-new database files.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, SystemTime};
//! use ticketpool_core::{Event, Journal, Money, Priority, Sale, Ticket, TicketId};
//! use ticketpool_persist::{Durability, DurableJournal, JournalConfig, SqliteStore, Store};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("sales.db");
//!
//! let mut store = SqliteStore::open(&path).unwrap();
//! let state = store.recover().unwrap(); // empty the first time
//! let journal = DurableJournal::start(store, JournalConfig::new(Durability::Confirmed)).unwrap();
//!
//! let ticket = Ticket {
//!     id: state.next_ticket_id,
//!     ticket_type: "standard".into(),
//!     vendor: "acme".into(),
//!     base_price: Money::from_minor(5_000),
//!     released_at: SystemTime::now(),
//! };
//! journal.record(&Event::Released { ticket: ticket.clone() }).unwrap();
//! let sale = Sale {
//!     ticket,
//!     customer: Arc::from("ada"),
//!     priority: Priority::Vip,
//!     price: Money::from_minor(5_000),
//!     sold_at: SystemTime::now(),
//!     waited: Duration::ZERO,
//!     hold: None,
//! };
//! journal.record(&Event::Sold { sale: sale.clone() }).unwrap(); // committed
//! drop(journal);
//!
//! // After a crash (or here, a clean stop), recovery finds the sale.
//! let state = SqliteStore::open(&path).unwrap().recover().unwrap();
//! assert_eq!(state.sales, vec![sale]);
//! assert_eq!(state.next_ticket_id, TicketId(1));
//! ```
#![forbid(unsafe_code)]

mod apply;
mod backup;
#[cfg(feature = "catalog")]
mod catalog_claim;
#[cfg(feature = "catalog")]
mod catalog_dir;
#[cfg(feature = "catalog")]
mod catalog_home;
#[cfg(feature = "catalog")]
mod catalog_migrate;
#[cfg(feature = "catalog")]
mod catalog_offices;
#[cfg(all(feature = "catalog", feature = "postgres"))]
mod catalog_pg;
#[cfg(feature = "catalog")]
mod catalog_rows;
mod codec;
mod config;
mod error;
#[cfg(feature = "postgres")]
pub mod lease;
#[cfg(feature = "catalog")]
mod my_tickets;
mod office;
#[cfg(feature = "postgres")]
mod postgres;
mod recover;
mod rows;
mod schema;
#[cfg(feature = "catalog")]
mod seat_ledger;
mod seat_rows;
mod settings;
mod sqlite;
mod store;
mod writer;

#[cfg(all(feature = "catalog", feature = "postgres"))]
pub use crate::catalog_pg::CatalogPg;
#[cfg(feature = "postgres")]
pub use crate::lease::{
    CommitOutcome, DemandRate, InventoryCounts, LeaseInventory, LeaseNode, LeaseNodeConfig,
    LeaseShard, LeaseShards, LeaseShare, LeaseSizer, LeasedTicket, SaleToCommit, StockTicket,
};
#[cfg(feature = "postgres")]
pub use crate::lease::{
    LeasedSeat, SeatCommitOutcome, SeatCounts, SeatHoldOutcome, SeatLeaseInventory,
    SeatSaleToCommit, StockSeat,
};
#[cfg(feature = "postgres")]
pub use crate::postgres::PgStore;
pub use crate::{
    backup::backup,
    config::{Durability, JournalConfig},
    error::PersistError,
    office::{open_office, reconfigure},
    recover::replay,
    settings::{EventSettings, SettingDifference, TypeSettings},
    sqlite::SqliteStore,
    store::{Outcome, SeatWave, SoldSeat, Store},
    writer::DurableJournal,
};
#[cfg(feature = "catalog")]
pub use crate::{
    catalog_claim::{CatalogClaim, CLAIM_FILE},
    catalog_dir::CatalogDir,
    catalog_home::CatalogHome,
    catalog_migrate::migrate_event_journals,
    catalog_offices::catalog_offices,
    my_tickets::{BookedTicket, CustomerTicket},
    seat_ledger::{catalog_seat_ledgers, SEAT_VENDOR},
};
