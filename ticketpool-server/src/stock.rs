//! Keeping each event on sale stocked: its vendors release tickets at
//! their rate, or as fast as the office has room, until the event's
//! tickets are all released. The vendors are the ones the event's
//! configuration names (each with its types), or one `box-office` vendor
//! for every type, changed by what admins did since (kept in the `store`):
//! vendors added, removed, and their rates.
//!
//! A thread per vendor and type waits in the engine's blocking `release`
//! (it parks while the office is full or paused, so it costs no CPU) and
//! between releases for its turn ([`Pace`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use ticketpool_catalog::{Catalog, CatalogError, EventId};
use ticketpool_core::{BoxOffice, BoxOfficeError, Vendor};

use crate::errors::ApiError;
use crate::pace::Pace;
use crate::store::{StateError, StateStore, VendorRecord};

/// The vendor that stocks an event whose configuration names none.
pub(crate) const HOUSE_VENDOR: &str = "box-office";

/// Longest vendor name, in characters.
const MAX_VENDOR_NAME: usize = 64;

/// Why stocking could not start or change.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StockError {
    /// The catalog refused.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The engine refused (an unknown ticket type, a closed office).
    #[error(transparent)]
    Engine(#[from] BoxOfficeError),
    /// The vendors database failed.
    #[error("the vendors database: {0}")]
    Store(#[from] StateError),
    /// The request is wrong (already an API error).
    #[error("{0}")]
    Api(ApiError),
}

impl From<StockError> for ApiError {
    fn from(error: StockError) -> Self {
        match error {
            StockError::Catalog(error) => error.into(),
            StockError::Engine(error) => error.into(),
            StockError::Store(error) => ApiError::internal(error),
            StockError::Api(error) => error,
        }
    }
}

/// A vendor as the admin API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct VendorView {
    /// Its name.
    pub(crate) name: String,
    /// The types it releases.
    pub(crate) ticket_types: Vec<String>,
    /// Tickets a second; `null`: as fast as there is room.
    pub(crate) rate_per_second: Option<f64>,
    /// Tickets it released since this server started.
    pub(crate) released: u64,
}

struct Running {
    vendor: Vendor,
    pace: Arc<Pace>,
    released: Arc<AtomicU64>,
    threads: Vec<JoinHandle<()>>,
}

impl Running {
    fn view(&self) -> VendorView {
        VendorView {
            name: self.vendor.name().to_string(),
            ticket_types: self
                .vendor
                .ticket_types()
                .iter()
                .map(|t| t.to_string())
                .collect(),
            rate_per_second: self.pace.rate(),
            released: self.released.load(Ordering::Relaxed),
        }
    }

    /// Stops its threads: no more turns, and the vendor leaves the office
    /// (which ends a release waiting for room). Returns them to join.
    fn stop(self, office: &BoxOffice) -> Vec<JoinHandle<()>> {
        self.pace.stop();
        // Already gone (a closed office) is as good.
        let _ = office.remove_vendor(self.vendor.name());
        self.threads
    }
}

struct Stocked {
    office: Arc<BoxOffice>,
    vendors: BTreeMap<String, Running>,
}

/// The stocking threads, by event.
pub(crate) struct Stock {
    events: Mutex<HashMap<EventId, Stocked>>,
    store: Arc<dyn StateStore>,
    /// A lease node's name: its events are stocked by the node's feeder,
    /// so none gets vendors here.
    lease_node: Option<String>,
}

impl Stock {
    /// Stocking that keeps admins' vendor changes in `store`; none at all
    /// on lease node `lease_node` (its feeder releases what it leases).
    pub(crate) fn new(store: Arc<dyn StateStore>, lease_node: Option<String>) -> Self {
        Self {
            events: Mutex::new(HashMap::new()),
            store,
            lease_node,
        }
    }

    /// Why event `id` has no vendors here.
    fn missing(&self, id: EventId) -> StockError {
        match &self.lease_node {
            Some(node) => StockError::Api(ApiError::conflict(
                "lease_fed",
                format!(
                    "event {} is sold from the cluster's shared tickets: this server (lease \
                     node {node}) releases the tickets it leases itself, so the event has no \
                     vendors to list, add, pace or remove here",
                    id.0
                ),
            )),
            None => not_on_sale(id),
        }
    }

    fn events(&self) -> MutexGuard<'_, HashMap<EventId, Stocked>> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts stocking event `id` (once; again after [`stop_all`](Self::stop_all)).
    ///
    /// # Errors
    ///
    /// The event has no office, a vendor cannot be registered, or the
    /// vendors database fails.
    pub(crate) fn start(&self, catalog: &Catalog, id: EventId) -> Result<(), StockError> {
        let mut events = self.events();
        if events.contains_key(&id) || self.lease_node.is_some() {
            return Ok(());
        }
        let office = catalog.office(id)?;
        let mut stocked = Stocked {
            office: Arc::clone(&office),
            vendors: BTreeMap::new(),
        };
        for record in self.planned(&office, id)? {
            let vendor = register(&office, &record.name, &record.ticket_types)?;
            let running = spawn(id, vendor, record.rate);
            stocked.vendors.insert(record.name, running);
        }
        events.insert(id, stocked);
        Ok(())
    }

    /// The vendors event `id` should run: its configuration's, then what
    /// admins changed.
    fn planned(&self, office: &BoxOffice, id: EventId) -> Result<Vec<VendorRecord>, StockError> {
        let config = office.config();
        let mut plan: BTreeMap<String, VendorRecord> = BTreeMap::new();
        if config.vendors.is_empty() {
            plan.insert(
                HOUSE_VENDOR.to_owned(),
                record(HOUSE_VENDOR, Vec::new(), None),
            );
        }
        for vendor in &config.vendors {
            let planned = record(&vendor.name, vendor.ticket_types.clone(), None);
            plan.insert(vendor.name.clone(), planned);
        }
        for changed in self.store.vendors_of(id)? {
            if changed.removed {
                plan.remove(&changed.name);
            } else {
                plan.insert(changed.name.clone(), changed);
            }
        }
        Ok(plan.into_values().collect())
    }

    /// The vendors stocking event `id` now, by name.
    ///
    /// # Errors
    ///
    /// 409 `not_on_sale` if the event is not being stocked
    /// (`lease_fed` on a lease node, whose events have no vendors).
    pub(crate) fn vendors(&self, id: EventId) -> Result<Vec<VendorView>, StockError> {
        let events = self.events();
        let stocked = events.get(&id).ok_or_else(|| self.missing(id))?;
        Ok(stocked.vendors.values().map(Running::view).collect())
    }

    /// Adds vendor `name` for `ticket_types` (empty: every type) to event
    /// `id`, releasing at `rate` tickets a second (`None`: unpaced).
    ///
    /// # Errors
    ///
    /// 422 `invalid_vendor` for a bad name, 409 `vendor_exists`, 409
    /// `not_on_sale` (`lease_fed` on a lease node), the engine's refusal of an unknown type, or the
    /// vendors database failing.
    pub(crate) fn add_vendor(
        &self,
        id: EventId,
        name: &str,
        ticket_types: Vec<String>,
        rate: Option<f64>,
    ) -> Result<VendorView, StockError> {
        check_vendor_name(name)?;
        let mut events = self.events();
        let stocked = events.get_mut(&id).ok_or_else(|| self.missing(id))?;
        if stocked.vendors.contains_key(name) {
            return Err(StockError::Api(ApiError::conflict(
                "vendor_exists",
                format!("event {} already has a vendor named {name:?}", id.0),
            )));
        }
        let types: Vec<&str> = ticket_types.iter().map(String::as_str).collect();
        let vendor = stocked.office.add_vendor(name, &types)?;
        let record = record(name, ticket_types, rate);
        if let Err(error) = self.store.put_vendor(id, &record) {
            let _ = stocked.office.remove_vendor(name);
            return Err(error.into());
        }
        let running = spawn(id, vendor, rate);
        let view = running.view();
        stocked.vendors.insert(name.to_owned(), running);
        Ok(view)
    }

    /// Sets vendor `name`'s rate (`None`: unpaced); it applies at once.
    ///
    /// # Errors
    ///
    /// 404 `unknown_vendor`, 409 `not_on_sale` (`lease_fed` on a
    /// lease node), or the database failing.
    pub(crate) fn set_rate(
        &self,
        id: EventId,
        name: &str,
        rate: Option<f64>,
    ) -> Result<VendorView, StockError> {
        let events = self.events();
        let stocked = events.get(&id).ok_or_else(|| self.missing(id))?;
        let running = stocked
            .vendors
            .get(name)
            .ok_or_else(|| unknown_vendor(id, name))?;
        let changed = record(
            name,
            configured_types(&running.vendor, &stocked.office),
            rate,
        );
        self.store.put_vendor(id, &changed)?;
        running.pace.set_rate(rate);
        Ok(running.view())
    }

    /// Removes vendor `name` from event `id`: it stops releasing (tickets
    /// it released stay on sale) and does not come back after a restart.
    ///
    /// # Errors
    ///
    /// 404 `unknown_vendor`, 409 `not_on_sale` (`lease_fed` on a
    /// lease node), or the database failing.
    pub(crate) fn remove_vendor(&self, id: EventId, name: &str) -> Result<VendorView, StockError> {
        let (view, threads) = {
            let mut events = self.events();
            let stocked = events.get_mut(&id).ok_or_else(|| self.missing(id))?;
            let running = stocked
                .vendors
                .remove(name)
                .ok_or_else(|| unknown_vendor(id, name))?;
            let mut removed = record(
                name,
                configured_types(&running.vendor, &stocked.office),
                None,
            );
            removed.removed = true;
            if let Err(error) = self.store.put_vendor(id, &removed) {
                // Not recorded: it keeps running, as the admin is told.
                stocked.vendors.insert(name.to_owned(), running);
                return Err(error.into());
            }
            (running.view(), running.stop(&stocked.office))
        };
        for thread in threads {
            let _ = thread.join();
        }
        Ok(view)
    }

    /// Stops every stocking thread and waits for them: the vendors are
    /// removed, which ends their waiting releases. Tickets already on sale
    /// stay on sale (and in the journal); the vendors come back on start.
    pub(crate) fn stop_all(&self) {
        let events: Vec<Stocked> = self.events().drain().map(|(_, s)| s).collect();
        let mut threads = Vec::new();
        for stocked in events {
            for (_, running) in stocked.vendors {
                threads.extend(running.stop(&stocked.office));
            }
        }
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn record(name: &str, ticket_types: Vec<String>, rate: Option<f64>) -> VendorRecord {
    VendorRecord {
        name: name.to_owned(),
        ticket_types,
        rate,
        removed: false,
    }
}

/// The types to record for `vendor`: empty when it sells every type, so
/// a type added to the event later is its too.
fn configured_types(vendor: &Vendor, office: &BoxOffice) -> Vec<String> {
    let types = vendor.ticket_types();
    if types.len() == office.config().ticket_types.len() {
        Vec::new()
    } else {
        types.iter().map(|t| t.to_string()).collect()
    }
}

fn not_on_sale(id: EventId) -> StockError {
    StockError::Api(ApiError::conflict(
        "not_on_sale",
        format!(
            "event {} is not on sale or paused: it has no vendors to manage",
            id.0
        ),
    ))
}

fn unknown_vendor(id: EventId, name: &str) -> StockError {
    StockError::Api(ApiError::not_found(
        "unknown_vendor",
        format!("event {} has no vendor named {name:?}", id.0),
    ))
}

fn check_vendor_name(name: &str) -> Result<(), StockError> {
    let length = name.chars().count();
    if length == 0 || length > MAX_VENDOR_NAME || name.chars().any(char::is_control) {
        return Err(StockError::Api(ApiError::invalid(
            "invalid_vendor",
            format!(
                "a vendor name has 1 to {MAX_VENDOR_NAME} characters and no control \
                 characters, not {name:?}"
            ),
        )));
    }
    Ok(())
}

/// The vendor `name`: restored from the journal after a crash, or added.
fn register(office: &BoxOffice, name: &str, types: &[String]) -> Result<Vendor, StockError> {
    if let Ok(vendor) = office.vendor(name) {
        return Ok(vendor);
    }
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    Ok(office.add_vendor(name, &types)?)
}

/// Starts `vendor`'s threads, one per type, at `rate`.
fn spawn(id: EventId, vendor: Vendor, rate: Option<f64>) -> Running {
    let pace = Arc::new(Pace::new(rate));
    let released = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::new();
    for ticket_type in vendor.ticket_types() {
        let (vendor, pace, released) = (vendor.clone(), Arc::clone(&pace), Arc::clone(&released));
        let thread = std::thread::Builder::new()
            .name(format!("stock-{}-{ticket_type}", id.0))
            .spawn(move || release_all(&vendor, &ticket_type, &pace, &released));
        match thread {
            Ok(thread) => threads.push(thread),
            Err(error) => {
                tracing::error!(target: "ticketpool", "cannot start a vendor thread: {error}");
            }
        }
    }
    Running {
        vendor,
        pace,
        released,
        threads,
    }
}

/// Releases `ticket_type` at the vendor's pace until none is left to
/// release, or the vendor or office goes.
fn release_all(vendor: &Vendor, ticket_type: &str, pace: &Pace, released: &AtomicU64) {
    while pace.turn() {
        match vendor.release(ticket_type) {
            Ok(_) => {
                released.fetch_add(1, Ordering::Relaxed);
            }
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
