//! Where a durable catalog lives, as one type a service can hold: a
//! directory of SQLite files (the embedded default) or a PostgreSQL
//! database (cargo feature `postgres`).

use std::fmt;

use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId};

use crate::catalog_dir::CatalogDir;
#[cfg(feature = "postgres")]
use crate::catalog_pg::CatalogPg;
use crate::config::Durability;
use crate::my_tickets::CustomerTicket;

/// A durable catalog's home: [`CatalogDir`] or `CatalogPg`, opened and
/// read the same way.
///
/// # Examples
///
/// ```
/// use ticketpool_catalog::CatalogOptions;
/// use ticketpool_persist::{CatalogDir, CatalogHome};
///
/// let tmp = tempfile::tempdir().unwrap();
/// let home = CatalogHome::from(CatalogDir::new(tmp.path().join("data")));
/// let catalog = home.open(CatalogOptions::default()).unwrap();
/// assert!(home.my_tickets(&[], "ann", 10).unwrap().is_empty());
/// assert!(home.to_string().starts_with("the directory "));
/// # drop(catalog);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CatalogHome {
    /// SQLite files in a directory.
    Dir(CatalogDir),
    /// A PostgreSQL database: the catalog's schema and one per event.
    #[cfg(feature = "postgres")]
    Postgres(CatalogPg),
}

impl CatalogHome {
    /// Opens (creating it if needed) the catalog and every event's office.
    ///
    /// # Errors
    ///
    /// As [`CatalogDir::open`] or `CatalogPg::open`.
    pub fn open(&self, options: CatalogOptions) -> Result<Catalog, CatalogError> {
        match self {
            Self::Dir(dir) => dir.open(options),
            #[cfg(feature = "postgres")]
            Self::Postgres(pg) => pg.open(options),
        }
    }

    /// Up to `limit` of `customer`'s tickets for `events`, newest first.
    ///
    /// # Errors
    ///
    /// As [`CatalogDir::my_tickets`] or `CatalogPg::my_tickets`.
    pub fn my_tickets(
        &self,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, CatalogError> {
        match self {
            Self::Dir(dir) => dir.my_tickets(events, customer, limit),
            #[cfg(feature = "postgres")]
            Self::Postgres(pg) => pg.my_tickets(events, customer, limit),
        }
    }

    /// How its sales are journaled.
    pub fn durability(&self) -> Durability {
        match self {
            Self::Dir(dir) => dir.durability(),
            #[cfg(feature = "postgres")]
            Self::Postgres(pg) => pg.durability(),
        }
    }
}

/// "the directory DIR" or "PostgreSQL user@host:port/db, schema S": for
/// messages and logs (never a password).
impl fmt::Display for CatalogHome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dir(dir) => write!(f, "the directory {}", dir.path().display()),
            #[cfg(feature = "postgres")]
            Self::Postgres(pg) => pg.fmt(f),
        }
    }
}

impl From<CatalogDir> for CatalogHome {
    fn from(dir: CatalogDir) -> Self {
        Self::Dir(dir)
    }
}

#[cfg(feature = "postgres")]
impl From<CatalogPg> for CatalogHome {
    fn from(pg: CatalogPg) -> Self {
        Self::Postgres(pg)
    }
}
