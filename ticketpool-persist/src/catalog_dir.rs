//! A durable catalog kept in one directory of SQLite files: the one place
//! that knows the layout, shared by the Python bindings and the server, so
//! a directory either writes is readable by the other.
//!
//! The layout: `<dir>/catalog.db` holds venues, performers and events and
//! every event's sales journal (its rows keyed by the event's id, see
//! [`SqliteStore::for_event`]), written before a sale returns
//! ([`Durability::Confirmed`]); `<dir>/catalog.lock` is the
//! [`CatalogClaim`]'s. Other files in the directory (the server's
//! `accounts.db`) are left alone.
//!
//! A directory in the earlier layout, one `<dir>/event-<id>.db` journal per
//! event, is migrated when it is opened: each event file's rows are copied
//! into `catalog.db` in one transaction, then the file is renamed
//! `event-<id>.db.migrated` (kept, never deleted); see `catalog_migrate`.

use std::path::{Path, PathBuf};

use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId, StoreError};

use crate::catalog_claim::{claim, CatalogClaim};
use crate::catalog_migrate::migrate_event_journals;
use crate::catalog_offices::catalog_offices;
use crate::config::{Durability, JournalConfig};
use crate::my_tickets::CustomerTicket;
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

    /// Where the earlier layout kept event `id`'s sales journal, a file of
    /// its own: [`open`](Self::open) migrates such a file into the
    /// catalog's database and renames it (`.migrated` appended).
    pub fn event_journal(&self, id: EventId) -> PathBuf {
        self.path.join(format!("event-{}.db", id.0))
    }

    /// Event `id`'s sales journal, in the catalog's database (created if
    /// missing, the earlier layout's event files migrated): for reading it
    /// (`Store::recover`, `Store::events`) while the catalog is closed.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] if the database cannot be opened.
    pub fn event_store(&self, id: EventId) -> Result<SqliteStore, CatalogError> {
        Ok(self.database()?.for_event(id.0))
    }

    /// The catalog's database, its directory created and the earlier
    /// layout's event files migrated into it.
    fn database(&self) -> Result<SqliteStore, CatalogError> {
        let dir = &self.path;
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::with_source(format!("cannot create the directory {}", dir.display()), e)
        })?;
        let file = self.catalog_file();
        let store = SqliteStore::open(&file).map_err(|e| {
            StoreError::with_source(format!("cannot open the catalog {}", file.display()), e)
        })?;
        migrate_event_journals(&store, dir, "")?;
        Ok(store)
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
        let store = self.database()?;
        // Every event's journal is a handle on the catalog's one
        // connection: one file, one open, commits taking turns.
        let journals = store.for_event(0);
        let offices = catalog_offices(
            move |id| Ok(journals.for_event(id.0)),
            JournalConfig::per_event(self.durability),
        );
        let seat_journals = store.for_event(0);
        let seat_ledgers = options
            .seat_ledgers
            .clone()
            .unwrap_or_else(|| catalog_seat_ledgers(move |id| Ok(seat_journals.for_event(id.0))));
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
    /// one read of the catalog database's customer index across every
    /// event's sales. An event that sold nothing (or is not in the
    /// catalog) has no tickets.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] if the database cannot be opened or read.
    pub fn my_tickets(
        &self,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, CatalogError> {
        let file = self.catalog_file();
        if !file.exists() {
            // Reading creates nothing: no database, no tickets.
            return Ok(Vec::new());
        }
        let store = self.database()?;
        Ok(store
            .customer_tickets(events, customer, limit)
            .map_err(|e| StoreError::with_source(format!("cannot read {}", file.display()), e))?)
    }
}
