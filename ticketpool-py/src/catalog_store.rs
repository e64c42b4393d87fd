//! Where a catalog keeps its data: in memory, or in a directory whose
//! layout only `ticketpool_persist::CatalogDir` knows (the server opens
//! the same directories). This file turns its answers into the bindings'.

use std::cmp::Reverse;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId};
use ticketpool_persist::{CatalogClaim, CatalogDir};

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

/// Why a durable catalog did not open.
pub(crate) enum OpenFailure {
    /// Another program (a `ticketpool serve`, another `Catalog.open`) has
    /// the directory: both would sell the same tickets.
    InUse,
    /// The directory's lock file could not be created or locked.
    Claim(std::io::Error),
    /// The catalog's own error.
    Catalog(CatalogError),
}

/// Claims directory `dir` for this process (see [`CatalogDir::claim`]),
/// then opens (creating if needed) the durable catalog in it. The claim
/// must live as long as the catalog.
pub(crate) fn open_durable(
    dir: &Path,
    options: CatalogOptions,
) -> Result<(Catalog, CatalogClaim), OpenFailure> {
    let home = CatalogDir::new(dir);
    let claim = home
        .claim()
        .map_err(OpenFailure::Claim)?
        .ok_or(OpenFailure::InUse)?;
    let catalog = home.open(options).map_err(OpenFailure::Catalog)?;
    Ok((catalog, claim))
}

/// Up to `limit` of `customer`'s tickets across every event, newest first.
///
/// Durable: [`CatalogDir::my_tickets`]. In memory: each office's sales.
pub(crate) fn my_tickets(
    catalog: &Catalog,
    backing: &Backing,
    events: &[EventId],
    customer: &str,
    limit: usize,
) -> Result<Vec<Booked>, CatalogError> {
    if let Backing::Directory(dir) = backing {
        let tickets = CatalogDir::new(dir.as_path()).my_tickets(events, customer, limit)?;
        return Ok(tickets
            .into_iter()
            .map(|t| Booked {
                event: t.event,
                ticket: t.booked.ticket.0,
                ticket_type: t.booked.ticket_type,
                vendor: t.booked.vendor,
                price: t.booked.price.minor(),
                sold_at: t.booked.sold_at,
            })
            .collect());
    }
    let mut booked = Vec::new();
    for &event in events {
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
    // Newest first; a stable sort keeps each office's own order on ties.
    booked.sort_by_key(|b| Reverse(b.sold_at));
    booked.truncate(limit);
    Ok(booked)
}
