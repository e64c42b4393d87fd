//! Where a catalog keeps its data: in memory, or in a directory of SQLite
//! files. Everything that knows the on-disk layout is here, in one place,
//! so the move to one database for every event's sales (persist's
//! `catalog_offices` and my-tickets-across-events) changes this file only.
//!
//! Today's layout: `<dir>/catalog.db` holds venues, performers and events;
//! `<dir>/event-<id>.db` is each event's sales journal, written before a
//! sale returns (`Durability::Confirmed`).

use std::cmp::Reverse;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId, StoreError};
use ticketpool_persist::{catalog_offices, Durability, JournalConfig, SqliteStore};

/// The catalog database's file name inside the directory.
const CATALOG_FILE: &str = "catalog.db";

/// Where a catalog lives.
pub(crate) enum Backing {
    /// Nothing survives the process.
    Memory,
    /// A directory of SQLite files.
    Directory(PathBuf),
}

/// One ticket a customer bought, before it becomes a Python object.
pub(crate) struct Booked {
    pub(crate) event: EventId,
    pub(crate) ticket: u64,
    pub(crate) ticket_type: String,
    pub(crate) vendor: String,
    pub(crate) price: i64,
    pub(crate) sold_at: SystemTime,
}

fn event_journal(dir: &Path, id: EventId) -> PathBuf {
    dir.join(format!("event-{}.db", id.0))
}

/// Opens (creating if needed) the durable catalog in directory `dir`:
/// the catalog from `catalog.db`, each event's office from its journal.
pub(crate) fn open_durable(dir: &Path, options: CatalogOptions) -> Result<Catalog, CatalogError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        StoreError::with_source(format!("cannot create the directory {}", dir.display()), e)
    })?;
    let journals = dir.to_path_buf();
    let offices = catalog_offices(
        move |id| SqliteStore::open(event_journal(&journals, id)),
        JournalConfig::new(Durability::Confirmed),
    );
    let store = SqliteStore::open(dir.join(CATALOG_FILE)).map_err(|e| {
        StoreError::with_source(
            format!(
                "cannot open the catalog {}",
                dir.join(CATALOG_FILE).display()
            ),
            e,
        )
    })?;
    Catalog::open_with(
        store,
        CatalogOptions {
            offices: Some(offices),
            ..options
        },
    )
}

/// Up to `limit` of `customer`'s tickets across every event, newest first.
///
/// Durable: each event journal's indexed query (per event until persist
/// holds every event's sales in one database), merged. In memory: each
/// office's sales.
pub(crate) fn my_tickets(
    catalog: &Catalog,
    backing: &Backing,
    events: &[EventId],
    customer: &str,
    limit: usize,
) -> Result<Vec<Booked>, CatalogError> {
    let mut booked = Vec::new();
    for &event in events {
        match backing {
            Backing::Directory(dir) => {
                let path = event_journal(dir, event);
                // Never create a journal for an event that sold nothing.
                if !path.exists() {
                    continue;
                }
                let mut journal = SqliteStore::open(&path).map_err(|e| {
                    StoreError::with_source(format!("cannot open {}", path.display()), e)
                })?;
                let rows = journal.my_tickets(customer, limit).map_err(|e| {
                    StoreError::with_source(format!("cannot read {}", path.display()), e)
                })?;
                booked.extend(rows.into_iter().map(|row| Booked {
                    event,
                    ticket: row.ticket.0,
                    ticket_type: row.ticket_type,
                    vendor: row.vendor,
                    price: row.price.minor(),
                    sold_at: row.sold_at,
                }));
            }
            Backing::Memory => {
                let Ok(office) = catalog.office(event) else {
                    continue; // a draft: nothing sold
                };
                booked.extend(
                    office
                        .sales()
                        .into_iter()
                        .filter(|sale| &*sale.customer == customer)
                        .map(|sale| Booked {
                            event,
                            ticket: sale.ticket.id.0,
                            ticket_type: sale.ticket.ticket_type.to_string(),
                            vendor: sale.ticket.vendor.to_string(),
                            price: sale.price.minor(),
                            sold_at: sale.sold_at,
                        }),
                );
            }
        }
    }
    // Newest first; a stable sort keeps each journal's own order on ties.
    booked.sort_by_key(|b| Reverse(b.sold_at));
    booked.truncate(limit);
    Ok(booked)
}
