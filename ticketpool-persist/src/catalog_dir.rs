//! A durable catalog kept in one directory of SQLite files: the one place
//! that knows the layout, shared by the Python bindings and the server, so
//! a directory either writes is readable by the other.
//!
//! Today's layout: `<dir>/catalog.db` holds venues, performers and events;
//! `<dir>/event-<id>.db` is each event's sales journal, written before a
//! sale returns ([`Durability::Confirmed`]); `<dir>/catalog.lock` is the
//! [`CatalogClaim`]'s. Other files in the directory (the server's
//! `accounts.db`) are left alone.

use std::path::{Path, PathBuf};

use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId, StoreError};

use crate::catalog_claim::{claim, CatalogClaim};
use crate::catalog_offices::catalog_offices;
use crate::config::{Durability, JournalConfig};
use crate::my_tickets::{newest_first, CustomerTicket};
use crate::seat_ledger::catalog_seat_ledgers;
use crate::sqlite::SqliteStore;

/// The catalog database's file name inside the directory.
const CATALOG_FILE: &str = "catalog.db";

/// A directory holding a durable catalog and its events' sales journals.
///
/// # Examples
///
/// ```
/// use ticketpool_catalog::{CatalogOptions, NewVenue};
/// use ticketpool_persist::CatalogDir;
///
/// let tmp = tempfile::tempdir().unwrap();
/// let dir = CatalogDir::new(tmp.path().join("data"));
/// let catalog = dir.open(CatalogOptions::default()).unwrap(); // creates it
/// catalog
///     .add_venue(NewVenue { name: "Olympia".into(), city: "Paris".into(), capacity: 2_000 })
///     .unwrap();
/// drop(catalog);
///
/// let again = dir.open(CatalogOptions::default()).unwrap();
/// assert!(dir.catalog_file().exists());
/// assert!(dir.my_tickets(&[], "ann", 10).unwrap().is_empty());
/// # drop(again);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogDir {
    path: PathBuf,
    durability: Durability,
}

impl CatalogDir {
    /// The catalog in directory `path` (nothing is opened yet), its sales
    /// journaled with [`Durability::Confirmed`].
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            durability: Durability::Confirmed,
        }
    }

    /// The same directory, its sales journaled with `durability`:
    /// [`Durability::Batched`] trades the last moments of sales on a power
    /// loss (not on a crash of the process) for throughput.
    #[must_use]
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// How its sales are journaled.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The catalog's own database: venues, performers, events.
    pub fn catalog_file(&self) -> PathBuf {
        self.path.join(CATALOG_FILE)
    }

    /// Event `id`'s sales journal.
    pub fn event_journal(&self, id: EventId) -> PathBuf {
        self.path.join(format!("event-{}.db", id.0))
    }

    /// Claims the directory (creating it if missing) for this process, so
    /// no other program opens it while the claim is held: two programs on
    /// one directory would each sell every event's tickets. `Ok(None)` if
    /// a live process, this one included, holds the claim. [`open`] does
    /// not claim: a program that sells from the catalog claims first and
    /// keeps the claim as long as it has the catalog open (the lock goes
    /// with the process, however it ends).
    ///
    /// # Errors
    ///
    /// The operating system's, if the directory or its lock file cannot
    /// be created or locked.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_persist::CatalogDir;
    ///
    /// let tmp = tempfile::tempdir().unwrap();
    /// let dir = CatalogDir::new(tmp.path().join("data"));
    /// let claim = dir.claim().unwrap().expect("nobody else has it");
    /// assert!(dir.claim().unwrap().is_none(), "one claim at a time");
    /// drop(claim);
    /// assert!(dir.claim().unwrap().is_some());
    /// ```
    ///
    /// [`open`]: Self::open
    pub fn claim(&self) -> std::io::Result<Option<CatalogClaim>> {
        claim(&self.path)
    }

    /// Opens (creating the directory and files if needed) the catalog: the
    /// catalog from its database, each event's office from its journal
    /// with the directory's [`durability`](Self::durability).
    /// `options.offices` is replaced.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] if the directory cannot be created or the
    /// catalog's database cannot be opened; as
    /// [`Catalog::open_with`] otherwise.
    pub fn open(&self, options: CatalogOptions) -> Result<Catalog, CatalogError> {
        let dir = &self.path;
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::with_source(format!("cannot create the directory {}", dir.display()), e)
        })?;
        let journals = self.clone();
        let offices = catalog_offices(
            move |id| SqliteStore::open(journals.event_journal(id)),
            JournalConfig::per_event(self.durability),
        );
        let seat_journals = self.clone();
        let seat_ledgers = options.seat_ledgers.clone().unwrap_or_else(|| {
            catalog_seat_ledgers(move |id| SqliteStore::open(seat_journals.event_journal(id)))
        });
        let file = self.catalog_file();
        let store = SqliteStore::open(&file).map_err(|e| {
            StoreError::with_source(format!("cannot open the catalog {}", file.display()), e)
        })?;
        Catalog::open_with(
            store,
            CatalogOptions {
                offices: Some(offices),
                seat_ledgers: Some(seat_ledgers),
                ..options
            },
        )
    }

    /// Up to `limit` of `customer`'s tickets for `events`, newest first:
    /// each event journal's indexed query (one journal per event until
    /// persist keeps every event's sales in one database), merged. An
    /// event without a journal sold nothing and is skipped (no journal is
    /// created for it).
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] naming the journal that cannot be read.
    pub fn my_tickets(
        &self,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, CatalogError> {
        let mut tickets = Vec::new();
        for &event in events {
            let path = self.event_journal(event);
            if !path.exists() {
                continue;
            }
            let mut journal = SqliteStore::open(&path).map_err(|e| {
                StoreError::with_source(format!("cannot open {}", path.display()), e)
            })?;
            let rows = journal.my_tickets(customer, limit).map_err(|e| {
                StoreError::with_source(format!("cannot read {}", path.display()), e)
            })?;
            tickets.extend(
                rows.into_iter()
                    .map(|booked| CustomerTicket { event, booked }),
            );
        }
        Ok(newest_first(tickets, limit))
    }
}
