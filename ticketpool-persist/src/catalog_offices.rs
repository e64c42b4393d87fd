//! The catalog's office factory on journals: each event's office is opened
//! with [`open_office`], so its sales survive a restart and come back when
//! the catalog reopens.

use std::sync::Arc;

use ticketpool_catalog::{EventId, OfficeFactory};
use ticketpool_core::BoxOfficeError;

use crate::config::JournalConfig;
use crate::error::PersistError;
use crate::office::open_office;
use crate::store::Store;

/// An [`OfficeFactory`] for [`CatalogOptions::offices`] that opens each
/// event's office on the journal `journal_for(event)` returns, restoring
/// its sales and unsold tickets (see [`open_office`]).
/// [`JournalConfig::per_event`] suits a catalog of many events.
///
/// The journal's rows carry the event they belong to, so every event's
/// journal can live in one database: `journal_for` returning
/// [`SqliteStore::for_event`](crate::SqliteStore::for_event) handles on
/// the catalog's file is what [`CatalogDir`](crate::CatalogDir) does
/// (`CatalogPg` does the same with `PgStore::for_event` handles). A
/// journal of its own per event (a file, as below) works too.
///
/// # Examples
///
/// ```
/// use ticketpool_catalog::{Catalog, CatalogOptions};
/// use ticketpool_persist::{catalog_offices, Durability, JournalConfig, SqliteStore};
///
/// let dir = tempfile::tempdir().unwrap();
/// let events = dir.path().to_path_buf();
/// let offices = catalog_offices(
///     move |id| SqliteStore::open(events.join(format!("event-{}.db", id.0))),
///     JournalConfig::per_event(Durability::Confirmed),
/// );
/// let options = CatalogOptions { offices: Some(offices), ..CatalogOptions::default() };
/// let store = SqliteStore::open(dir.path().join("catalog.db")).unwrap();
/// let catalog = Catalog::open_with(store, options).unwrap();
/// # drop(catalog);
/// ```
///
/// [`CatalogOptions::offices`]: ticketpool_catalog::CatalogOptions::offices
pub fn catalog_offices<S, F>(journal_for: F, journal_config: JournalConfig) -> OfficeFactory
where
    S: Store + 'static,
    F: Fn(EventId) -> Result<S, PersistError> + Send + Sync + 'static,
{
    Arc::new(move |event| {
        let restore = |e: PersistError| BoxOfficeError::Restore(format!("{}: {e}", event.id));
        let store = journal_for(event.id).map_err(restore)?;
        let (office, _journal) =
            open_office(event.office.clone(), store, journal_config).map_err(restore)?;
        // The office holds the journal; it records until the office goes.
        Ok(office)
    })
}
