//! Keeping each event on sale stocked: the house vendors release tickets
//! as fast as the office has room, until the event's tickets are all
//! released. The vendors are the ones the event's configuration names
//! (each with its types), or one `box-office` vendor for every type.
//!
//! A thread per vendor and type waits in the engine's blocking `release`
//! (it parks while the office is full or paused, so it costs no CPU).
//! Admin control of vendors and rates is a later slice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use ticketpool_catalog::{Catalog, CatalogError, EventId};
use ticketpool_core::{BoxOffice, BoxOfficeError, Vendor};

/// The vendor that stocks an event whose configuration names none.
pub(crate) const HOUSE_VENDOR: &str = "box-office";

struct Stocked {
    office: Arc<BoxOffice>,
    vendors: Vec<String>,
    threads: Vec<JoinHandle<()>>,
}

/// The stocking threads, by event.
#[derive(Default)]
pub(crate) struct Stock {
    events: Mutex<HashMap<EventId, Stocked>>,
}

impl Stock {
    /// Starts stocking event `id` (once; again after [`stop_all`](Self::stop_all)).
    ///
    /// # Errors
    ///
    /// The event has no office, or a vendor cannot be registered.
    pub(crate) fn start(&self, catalog: &Catalog, id: EventId) -> Result<(), CatalogError> {
        let mut events = self
            .events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if events.contains_key(&id) {
            return Ok(());
        }
        let office = catalog.office(id)?;
        let config = office.config().clone();
        let named: Vec<(String, Vec<String>)> = if config.vendors.is_empty() {
            vec![(HOUSE_VENDOR.to_owned(), Vec::new())]
        } else {
            config
                .vendors
                .iter()
                .map(|v| (v.name.clone(), v.ticket_types.clone()))
                .collect()
        };
        let mut stocked = Stocked {
            office: Arc::clone(&office),
            vendors: Vec::new(),
            threads: Vec::new(),
        };
        for (name, types) in named {
            let vendor = register(&office, &name, &types)?;
            stocked.vendors.push(name);
            for ticket_type in vendor.ticket_types() {
                let vendor = vendor.clone();
                let thread = std::thread::Builder::new()
                    .name(format!("stock-{}-{ticket_type}", id.0))
                    .spawn(move || release_all(&vendor, &ticket_type));
                match thread {
                    Ok(thread) => stocked.threads.push(thread),
                    Err(error) => {
                        tracing::error!(target: "ticketpool", "cannot start a vendor thread: {error}");
                    }
                }
            }
        }
        events.insert(id, stocked);
        Ok(())
    }

    /// Stops every stocking thread and waits for them: the vendors are
    /// removed, which ends their waiting releases. Tickets already on sale
    /// stay on sale (and in the journal).
    pub(crate) fn stop_all(&self) {
        let events: Vec<Stocked> = self
            .events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain()
            .map(|(_, stocked)| stocked)
            .collect();
        for stocked in &events {
            for name in &stocked.vendors {
                // Already gone (a closed office) is as good.
                let _ = stocked.office.remove_vendor(name);
            }
        }
        for stocked in events {
            for thread in stocked.threads {
                let _ = thread.join();
            }
        }
    }
}

/// The vendor `name`: restored from the journal after a crash, or added.
fn register(office: &BoxOffice, name: &str, types: &[String]) -> Result<Vendor, CatalogError> {
    if let Ok(vendor) = office.vendor(name) {
        return Ok(vendor);
    }
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    Ok(office.add_vendor(name, &types)?)
}

/// Releases `ticket_type` until none is left to release or the vendor or
/// office goes.
fn release_all(vendor: &Vendor, ticket_type: &str) {
    loop {
        match vendor.release(ticket_type) {
            Ok(_) => {}
            Err(
                BoxOfficeError::SoldOut | BoxOfficeError::Closed | BoxOfficeError::UnknownVendor(_),
            ) => return,
            Err(error) => {
                tracing::error!(target: "ticketpool",
                    "vendor {} stopped releasing {ticket_type}: {error}", vendor.name());
                return;
            }
        }
    }
}
