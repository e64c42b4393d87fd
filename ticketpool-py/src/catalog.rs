//! `Catalog`: venues, performers and events, each event with its box
//! office, searchable; in memory (`Catalog()`) or durable
//! (`Catalog.open(directory)`, SQLite).
//!
//! A frozen class over an `Arc` of the library's `Catalog`, which is
//! `Sync`: threads share it freely. Every call that may write to disk or
//! wait for the index releases the GIL. `close()` (or leaving a `with`
//! block) closes every event's office and lets the files go; later calls
//! raise `Closed`.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use ticketpool_catalog::{
    Catalog as CoreCatalog, EventId, EventUpdate, NewPerformer, NewVenue, PerformerId, SearchQuery,
    VenueId, MAX_PAGE,
};
use ticketpool_persist::CatalogClaim;

use crate::catalog_args::EventArgs;
use crate::catalog_args::{
    duration, ids, office_config, optional_in_range, popularity, strings, whole, zone,
};
use crate::catalog_errors::{cannot_claim, catalog_error, closed, in_use};
use crate::catalog_store::{open_durable, Backing, OpenFailure};
use crate::catalog_time::{optional_timestamp, timestamp_from_py};
use crate::catalog_values::{
    PyBookedTicket, PyEvent, PyPerformer, PyPopular, PySearchResults, PyVenue,
};
use crate::events::snapshot_object;
use crate::office::BoxOffice;

/// An open catalog and where it lives.
pub(crate) struct Open {
    pub(crate) catalog: CoreCatalog,
    pub(crate) backing: Backing,
    /// A durable catalog's directory claim, let go with the catalog.
    _claim: Option<CatalogClaim>,
}

/// Venues, performers and events, each event with its box office.
#[pyclass(frozen, module = "ticketpool", name = "Catalog")]
pub(crate) struct PyCatalog {
    open: RwLock<Option<Arc<Open>>>,
    path: Option<PathBuf>,
}

#[pymethods]
impl PyCatalog {
    /// An empty catalog in memory. "Popular now" ranks sales over the last
    /// `popular_buckets` samples taken `popular_bucket` seconds apart.
    #[new]
    #[pyo3(signature = (*, popular_bucket = 5.0, popular_buckets = 12))]
    fn new(py: Python<'_>, popular_bucket: f64, popular_buckets: usize) -> PyResult<Self> {
        let options = popularity(popular_bucket, popular_buckets)?;
        let catalog = py
            .detach(|| CoreCatalog::open_with(ticketpool_catalog::MemoryStore::new(), options))
            .map_err(|e| catalog_error(py, e))?;
        Ok(Self::wrap(
            Open {
                catalog,
                backing: Backing::Memory,
                _claim: None,
            },
            None,
        ))
    }

    /// Opens the durable catalog in directory `path` (created if missing):
    /// every venue, performer and event comes back, each on-sale event with
    /// its sales and unsold tickets, and search finds them at once.
    ///
    /// One program at a time: raises `CatalogInUse` while another (a
    /// `ticketpool serve --data path`, or a `Catalog.open(path)` not yet
    /// closed, in this process or another) has the directory; `close()`
    /// or the end of the `with` block lets it go, as does the end of the
    /// process, however it ends.
    #[staticmethod]
    #[pyo3(signature = (path, *, popular_bucket = 5.0, popular_buckets = 12))]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        popular_bucket: f64,
        popular_buckets: usize,
    ) -> PyResult<Self> {
        if path.as_os_str().is_empty() {
            return Err(PyValueError::new_err(
                "path must name a directory, got an empty path",
            ));
        }
        if path.exists() && !path.is_dir() {
            return Err(PyValueError::new_err(format!(
                "path must be a directory (the catalog keeps several files there), \
                 but {} is a file",
                path.display()
            )));
        }
        let options = popularity(popular_bucket, popular_buckets)?;
        let (catalog, claim) = py
            .detach(|| open_durable(&path, options))
            .map_err(|failure| match failure {
                OpenFailure::InUse => in_use(py, &path),
                OpenFailure::Claim(e) => cannot_claim(py, &path, &e),
                OpenFailure::Catalog(e) => catalog_error(py, e),
            })?;
        Ok(Self::wrap(
            Open {
                catalog,
                backing: Backing::Directory(path.clone()),
                _claim: Some(claim),
            },
            Some(path),
        ))
    }

    /// The directory of a durable catalog; `None` in memory.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    /// `True` once closed.
    #[getter]
    fn closed(&self) -> bool {
        self.open.read().map(|open| open.is_none()).unwrap_or(true)
    }

    /// Closes every event's box office (waiting calls raise `Closed`) and
    /// lets the catalog's files go. Sales already made are durable and
    /// come back on reopen. Idempotent.
    fn close(&self, py: Python<'_>) {
        let taken = self.open.write().ok().and_then(|mut open| open.take());
        if let Some(open) = taken {
            py.detach(|| {
                for id in event_ids(&open.catalog) {
                    if let Ok(office) = open.catalog.office(id) {
                        office.close();
                    }
                }
                drop(open);
            });
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Closes the catalog; never swallows an exception.
    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    // ---- venues and performers -------------------------------------

    /// Adds a venue; returns it, with its new id.
    fn add_venue(
        &self,
        py: Python<'_>,
        name: String,
        city: String,
        capacity: &Bound<'_, PyAny>,
    ) -> PyResult<PyVenue> {
        let capacity = whole(capacity, "capacity")?;
        let open = self.get(py)?;
        let new = NewVenue {
            name,
            city,
            capacity,
        };
        let id = py
            .detach(|| open.catalog.add_venue(new))
            .map_err(|e| catalog_error(py, e))?;
        self.venue(py, id.0)
    }

    /// Changes the venue's given fields; returns it as it is now.
    #[pyo3(signature = (venue, *, name = None, city = None, capacity = None))]
    fn update_venue(
        &self,
        py: Python<'_>,
        venue: u64,
        name: Option<String>,
        city: Option<String>,
        capacity: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyVenue> {
        let capacity = capacity.map(|c| whole(c, "capacity")).transpose()?;
        let open = self.get(py)?;
        let id = VenueId(venue);
        py.detach(|| {
            let current = open.catalog.venue(id)?;
            open.catalog.update_venue(
                id,
                NewVenue {
                    name: name.unwrap_or(current.name),
                    city: city.unwrap_or(current.city),
                    capacity: capacity.unwrap_or(current.capacity),
                },
            )
        })
        .map_err(|e| catalog_error(py, e))?;
        self.venue(py, venue)
    }

    /// The venue with this id (`NotFound` if none).
    fn venue(&self, py: Python<'_>, venue: u64) -> PyResult<PyVenue> {
        let open = self.get(py)?;
        open.catalog
            .venue(VenueId(venue))
            .map(PyVenue)
            .map_err(|e| catalog_error(py, e))
    }

    /// Adds a performer; returns it, with its new id.
    #[pyo3(signature = (name, description = String::new()))]
    fn add_performer(
        &self,
        py: Python<'_>,
        name: String,
        description: String,
    ) -> PyResult<PyPerformer> {
        let open = self.get(py)?;
        let new = NewPerformer { name, description };
        let id = py
            .detach(|| open.catalog.add_performer(new))
            .map_err(|e| catalog_error(py, e))?;
        self.performer(py, id.0)
    }

    /// Changes the performer's given fields; returns it as it is now.
    #[pyo3(signature = (performer, *, name = None, description = None))]
    fn update_performer(
        &self,
        py: Python<'_>,
        performer: u64,
        name: Option<String>,
        description: Option<String>,
    ) -> PyResult<PyPerformer> {
        let open = self.get(py)?;
        let id = PerformerId(performer);
        py.detach(|| {
            let current = open.catalog.performer(id)?;
            open.catalog.update_performer(
                id,
                NewPerformer {
                    name: name.unwrap_or(current.name),
                    description: description.unwrap_or(current.description),
                },
            )
        })
        .map_err(|e| catalog_error(py, e))?;
        self.performer(py, performer)
    }

    /// The performer with this id (`NotFound` if none).
    fn performer(&self, py: Python<'_>, performer: u64) -> PyResult<PyPerformer> {
        let open = self.get(py)?;
        open.catalog
            .performer(PerformerId(performer))
            .map(PyPerformer)
            .map_err(|e| catalog_error(py, e))
    }

    // ---- events (bodies in catalog_events.rs) -----------------------

    /// Creates an event as a draft; returns it, with its new id. `office`
    /// is a dict shaped like a box office config file (prices in major
    /// units); `starts_at` an aware `datetime`; `time_zone` an IANA name
    /// or `"+HH:MM"`, for display only.
    #[pyo3(signature = (
        name, *, venue, starts_at, office, description = String::new(),
        performers = None, time_zone = String::from("UTC"), categories = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add_event(
        &self,
        py: Python<'_>,
        name: String,
        venue: &Bound<'_, PyAny>,
        starts_at: &Bound<'_, PyAny>,
        office: &Bound<'_, PyAny>,
        description: String,
        performers: Option<&Bound<'_, PyAny>>,
        time_zone: String,
        categories: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyEvent> {
        let new = EventArgs {
            venue: whole(venue, "venue")?,
            starts_at: timestamp_from_py(starts_at, "starts_at")?,
            office: office_config(py, office, Some(&name))?,
            performers: performers
                .filter(|p| !p.is_none())
                .map(|p| ids(p, "performers"))
                .transpose()?
                .unwrap_or_default(),
            time_zone: zone(py, &time_zone)?,
            categories: categories
                .filter(|c| !c.is_none())
                .map(|c| strings(c, "categories"))
                .transpose()?
                .unwrap_or_default(),
        };
        self.create_event(py, name, description, new)
    }

    /// Changes the event's given fields; returns it as it is now. The
    /// venue and the office may change only while it is a draft
    /// (`FrozenField` names the field otherwise).
    #[pyo3(signature = (
        event, *, name = None, description = None, performers = None, venue = None,
        starts_at = None, time_zone = None, categories = None, office = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn update_event(
        &self,
        py: Python<'_>,
        event: u64,
        name: Option<String>,
        description: Option<String>,
        performers: Option<&Bound<'_, PyAny>>,
        venue: Option<&Bound<'_, PyAny>>,
        starts_at: Option<&Bound<'_, PyAny>>,
        time_zone: Option<String>,
        categories: Option<&Bound<'_, PyAny>>,
        office: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyEvent> {
        let update = EventUpdate {
            performers: performers
                .filter(|p| !p.is_none())
                .map(|p| ids(p, "performers").map(|v| v.into_iter().map(PerformerId).collect()))
                .transpose()?,
            venue: venue
                .filter(|v| !v.is_none())
                .map(|v| whole(v, "venue").map(VenueId))
                .transpose()?,
            starts_at: optional_timestamp(starts_at, "starts_at")?,
            time_zone: time_zone.map(|z| zone(py, &z)).transpose()?,
            categories: categories
                .filter(|c| !c.is_none())
                .map(|c| strings(c, "categories"))
                .transpose()?,
            office: office
                .filter(|o| !o.is_none())
                .map(|o| office_config(py, o, name.as_deref()))
                .transpose()?,
            name,
            description,
        };
        self.change_event(py, event, update)
    }

    /// The event with this id (`NotFound` if none).
    fn event(&self, py: Python<'_>, event: u64) -> PyResult<PyEvent> {
        self.read_event(py, EventId(event))
    }

    /// Opens the draft's box office: buyers can see it and buy.
    fn put_on_sale(&self, py: Python<'_>, event: u64) -> PyResult<PyEvent> {
        self.lifecycle(py, event, CoreCatalog::put_on_sale)
    }

    /// Pauses the sale: the office stops releasing tickets.
    fn pause(&self, py: Python<'_>, event: u64) -> PyResult<PyEvent> {
        self.lifecycle(py, event, CoreCatalog::pause)
    }

    /// Resumes a paused sale.
    fn resume(&self, py: Python<'_>, event: u64) -> PyResult<PyEvent> {
        self.lifecycle(py, event, CoreCatalog::resume)
    }

    /// Closes the sales for good (`"closed"`): no new holds or sales,
    /// buyers waiting are refused `Closed`; tickets sold stay valid and
    /// holds placed before may still be confirmed until they expire.
    fn close_sales(&self, py: Python<'_>, event: u64) -> PyResult<PyEvent> {
        self.lifecycle(py, event, CoreCatalog::close_sales)
    }

    /// Cancels the event and closes its office.
    fn cancel(&self, py: Python<'_>, event: u64) -> PyResult<PyEvent> {
        self.lifecycle(py, event, CoreCatalog::cancel)
    }

    /// Brings statuses up to date at `now` (default: now): sold-out events
    /// become `"sold_out"`, started ones `"past"`. Returns the events that
    /// changed.
    #[pyo3(signature = (now = None))]
    fn refresh(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PyEvent>> {
        let now = optional_timestamp(now, "now")?.unwrap_or_else(jiff::Timestamp::now);
        let open = self.get(py)?;
        let changed = py
            .detach(|| open.catalog.refresh(now))
            .map_err(|e| catalog_error(py, e))?;
        changed
            .into_iter()
            .map(|(id, _)| self.read_event(py, id))
            .collect()
    }

    /// The event's box office, to sell through (`NotOnSale` for a draft).
    /// Cancelled, past and sales-closed events keep theirs, closed.
    fn office(&self, py: Python<'_>, event: u64) -> PyResult<BoxOffice> {
        let open = self.get(py)?;
        open.catalog
            .office(EventId(event))
            .map(|office| BoxOffice::from_core((*office).clone()))
            .map_err(|e| catalog_error(py, e))
    }

    /// The event's availability per ticket type, without blocking sales:
    /// its office's snapshot, as `BoxOffice.snapshot()` gives it.
    fn availability<'py>(&self, py: Python<'py>, event: u64) -> PyResult<Bound<'py, PyAny>> {
        let open = self.get(py)?;
        let snapshot = open
            .catalog
            .availability(EventId(event))
            .map_err(|e| catalog_error(py, e))?;
        snapshot_object(py, &snapshot)
    }

    // ---- reading (bodies in catalog_reading.rs) ---------------------

    /// Full-text search over name, performers, venue and description,
    /// within one typo per word, best first, filtered and paged (`page`
    /// from 1). Sees changes within a second (`wait_searchable`).
    #[pyo3(signature = (
        text = String::new(), *, city = None, category = None, starts_after = None,
        starts_before = None, on_sale_only = false, page = None, per_page = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        text: String,
        city: Option<String>,
        category: Option<String>,
        starts_after: Option<&Bound<'_, PyAny>>,
        starts_before: Option<&Bound<'_, PyAny>>,
        on_sale_only: bool,
        page: Option<&Bound<'_, PyAny>>,
        per_page: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySearchResults> {
        let page = optional_in_range(page, "page", 1, u64::from(u32::MAX))?.unwrap_or(1);
        let per_page = optional_in_range(per_page, "per_page", 1, MAX_PAGE as u64)?.unwrap_or(10);
        let query = SearchQuery {
            text,
            city,
            category,
            from: optional_timestamp(starts_after, "starts_after")?,
            until: optional_timestamp(starts_before, "starts_before")?,
            on_sale_only,
            offset: (page - 1).saturating_mul(per_page),
            limit: per_page,
        };
        self.run_search(py, query, page, per_page)
    }

    /// Waits until every change made so far is searchable, at most
    /// `timeout` seconds; `True` if it is.
    #[pyo3(signature = (timeout = 5.0))]
    fn wait_searchable(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let timeout = duration(timeout, "timeout")?;
        let open = self.get(py)?;
        py.detach(|| open.catalog.wait_searchable(timeout))
            .map_err(|e| catalog_error(py, e))
    }

    /// Up to `limit` events a buyer may see (on sale, paused or sold out)
    /// starting after `after` (default: now), soonest first.
    #[pyo3(signature = (limit = None, *, after = None))]
    fn upcoming(
        &self,
        py: Python<'_>,
        limit: Option<&Bound<'_, PyAny>>,
        after: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyEvent>> {
        let limit = optional_in_range(limit, "limit", 0, MAX_PAGE as u64)?.unwrap_or(10);
        let after = optional_timestamp(after, "after")?.unwrap_or_else(jiff::Timestamp::now);
        let open = self.get(py)?;
        let events = open.catalog.upcoming(after, limit);
        Ok(events.into_iter().map(PyEvent).collect())
    }

    /// The `limit` events that sold most in the recent window, best first.
    #[pyo3(signature = (limit = None))]
    fn popular(
        &self,
        py: Python<'_>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyPopular>> {
        let limit = optional_in_range(limit, "limit", 0, MAX_PAGE as u64)?.unwrap_or(10);
        self.ranked(py, limit)
    }

    /// Up to `limit` tickets `customer` bought, across every event,
    /// newest first.
    #[pyo3(signature = (customer, limit = None))]
    fn my_tickets(
        &self,
        py: Python<'_>,
        customer: String,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyBookedTicket>> {
        let limit = optional_in_range(limit, "limit", 0, 100_000)?.unwrap_or(100);
        if customer.trim().is_empty() {
            return Err(PyValueError::new_err("customer must not be empty"));
        }
        self.booked(py, &customer, limit)
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.get(py)?.catalog.event_count())
    }

    fn __repr__(&self) -> String {
        match (&self.path, self.closed()) {
            (_, true) => "Catalog(closed)".to_owned(),
            (Some(path), false) => format!("Catalog(path={:?})", path.display().to_string()),
            (None, false) => "Catalog(in memory)".to_owned(),
        }
    }
}

impl PyCatalog {
    fn wrap(open: Open, path: Option<PathBuf>) -> Self {
        Self {
            open: RwLock::new(Some(Arc::new(open))),
            path,
        }
    }

    /// The open catalog, or `Closed`.
    pub(crate) fn get(&self, py: Python<'_>) -> PyResult<Arc<Open>> {
        self.open
            .read()
            .ok()
            .and_then(|open| open.clone())
            .ok_or_else(|| closed(py))
    }
}

/// Every event id: the catalog numbers events from 1 and never deletes one.
pub(crate) fn event_ids(catalog: &CoreCatalog) -> Vec<EventId> {
    (1..=catalog.event_count() as u64).map(EventId).collect()
}
