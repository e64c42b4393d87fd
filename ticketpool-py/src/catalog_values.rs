//! What the catalog returns: frozen classes with real attributes (not
//! dicts), typed in the stubs. Ids are plain `int`s, one sequence per kind;
//! times are timezone-aware `datetime`s; money is `int` cents, as in the
//! rest of the bindings.

use std::time::SystemTime;

use jiff::Timestamp;
use pyo3::prelude::*;
use pyo3::types::{PyIterator, PyList};
use ticketpool_catalog::{Event, Performer, Venue};

use crate::catalog_errors::status_name;
use crate::catalog_time::{local_to_py, timestamp_to_py};

/// Where events happen.
#[pyclass(frozen, eq, module = "ticketpool", name = "Venue")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyVenue(pub(crate) Venue);

#[pymethods]
impl PyVenue {
    /// Its id.
    #[getter]
    fn id(&self) -> u64 {
        self.0.id.0
    }

    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Its city (what `search(city=...)` filters on).
    #[getter]
    fn city(&self) -> &str {
        &self.0.city
    }

    /// The most tickets one event there may sell.
    #[getter]
    fn capacity(&self) -> u64 {
        self.0.capacity
    }

    fn __repr__(&self) -> String {
        format!(
            "Venue(id={}, name={:?}, city={:?}, capacity={})",
            self.0.id.0, self.0.name, self.0.city, self.0.capacity
        )
    }
}

/// Who performs.
#[pyclass(frozen, eq, module = "ticketpool", name = "Performer")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyPerformer(pub(crate) Performer);

#[pymethods]
impl PyPerformer {
    /// Its id.
    #[getter]
    fn id(&self) -> u64 {
        self.0.id.0
    }

    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// A free text about it (searched).
    #[getter]
    fn description(&self) -> &str {
        &self.0.description
    }

    fn __repr__(&self) -> String {
        format!("Performer(id={}, name={:?})", self.0.id.0, self.0.name)
    }
}

/// One event of the catalog, as it was when read.
#[pyclass(frozen, eq, module = "ticketpool", name = "Event")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyEvent(pub(crate) Event);

#[pymethods]
impl PyEvent {
    /// Its id.
    #[getter]
    fn id(&self) -> u64 {
        self.0.id.0
    }

    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// A free text about it.
    #[getter]
    fn description(&self) -> &str {
        &self.0.description
    }

    /// Its performers' ids, in billing order.
    #[getter]
    fn performers(&self) -> Vec<u64> {
        self.0.performers.iter().map(|p| p.0).collect()
    }

    /// Its venue's id.
    #[getter]
    fn venue(&self) -> u64 {
        self.0.venue.0
    }

    /// When it starts, an aware `datetime` in UTC.
    #[getter]
    fn starts_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timestamp_to_py(py, self.0.starts_at)
    }

    /// The zone its start is shown in (`"Europe/Paris"`, `"+02:00"`).
    #[getter]
    fn time_zone(&self) -> &str {
        self.0.time_zone.name()
    }

    /// When it starts on its own wall clock: an aware `datetime` with that
    /// moment's UTC offset in `time_zone`.
    #[getter]
    fn local_start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        local_to_py(py, self.0.starts_at, &self.0.time_zone)
    }

    /// Its categories, lowercase.
    #[getter]
    fn categories(&self) -> Vec<String> {
        self.0.categories.clone()
    }

    /// `"draft"`, `"on_sale"`, `"paused"`, `"sold_out"`, `"closed"` (sales
    /// closed), `"cancelled"` or `"past"`.
    #[getter]
    fn status(&self) -> &'static str {
        status_name(self.0.status)
    }

    /// Its ticket types' names, in configuration order.
    #[getter]
    fn ticket_types(&self) -> Vec<String> {
        self.0
            .office
            .ticket_types
            .iter()
            .map(|t| t.name.clone())
            .collect()
    }

    /// How many tickets it sells in all.
    #[getter]
    fn total_tickets(&self) -> u64 {
        self.0.office.total_tickets
    }

    fn __repr__(&self) -> String {
        format!(
            "Event(id={}, name={:?}, starts_at={:?}, status={:?})",
            self.0.id.0,
            self.0.name,
            self.0.starts_at.to_string(),
            status_name(self.0.status)
        )
    }
}

/// One event found by `Catalog.search`, with its relevance.
#[pyclass(frozen, module = "ticketpool", name = "SearchHit")]
pub(crate) struct PySearchHit {
    pub(crate) event: Py<PyEvent>,
    pub(crate) score: f32,
}

#[pymethods]
impl PySearchHit {
    /// The event, as it is now.
    #[getter]
    fn event(&self, py: Python<'_>) -> Py<PyEvent> {
        self.event.clone_ref(py)
    }

    /// Its relevance: higher is better; only comparable within one search.
    #[getter]
    fn score(&self) -> f32 {
        self.score
    }

    fn __repr__(&self) -> String {
        let event = &self.event.get().0;
        format!(
            "SearchHit(event={}, name={:?}, score={:.3})",
            event.id.0, event.name, self.score
        )
    }
}

/// A page of search hits, best first, with the paging around it.
/// Iterating or indexing it goes through `hits`.
#[pyclass(frozen, module = "ticketpool", name = "SearchResults")]
pub(crate) struct PySearchResults {
    pub(crate) hits: Vec<Py<PySearchHit>>,
    pub(crate) total: usize,
    pub(crate) page: usize,
    pub(crate) per_page: usize,
}

#[pymethods]
impl PySearchResults {
    /// This page's hits.
    #[getter]
    fn hits(&self, py: Python<'_>) -> Vec<Py<PySearchHit>> {
        self.hits.iter().map(|h| h.clone_ref(py)).collect()
    }

    /// How many events matched in all.
    #[getter]
    fn total(&self) -> usize {
        self.total
    }

    /// This page's number, from 1.
    #[getter]
    fn page(&self) -> usize {
        self.page
    }

    /// The most hits a page holds.
    #[getter]
    fn per_page(&self) -> usize {
        self.per_page
    }

    /// How many pages the matches fill (0 when nothing matched).
    #[getter]
    fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page)
    }

    /// `True` if a later page has more hits.
    #[getter]
    fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    fn __len__(&self) -> usize {
        self.hits.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        PyList::new(py, self.hits(py))?.try_iter()
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<Py<PySearchHit>> {
        let len = self.hits.len() as isize;
        let at = if index < 0 { index + len } else { index };
        usize::try_from(at)
            .ok()
            .and_then(|at| self.hits.get(at))
            .map(|h| h.clone_ref(py))
            .ok_or_else(|| {
                pyo3::exceptions::PyIndexError::new_err(format!(
                    "index {index} is out of this page of {len} hits"
                ))
            })
    }

    fn __repr__(&self) -> String {
        format!(
            "SearchResults(total={}, page={}, per_page={}, hits={})",
            self.total,
            self.page,
            self.per_page,
            self.hits.len()
        )
    }
}

/// One event of the "popular now" ranking.
#[pyclass(frozen, module = "ticketpool", name = "Popular")]
pub(crate) struct PyPopular {
    pub(crate) event: Py<PyEvent>,
    pub(crate) sold_in_window: u64,
}

#[pymethods]
impl PyPopular {
    /// The event.
    #[getter]
    fn event(&self, py: Python<'_>) -> Py<PyEvent> {
        self.event.clone_ref(py)
    }

    /// Tickets it sold in the recent window.
    #[getter]
    fn sold_in_window(&self) -> u64 {
        self.sold_in_window
    }

    fn __repr__(&self) -> String {
        format!(
            "Popular(event={}, sold_in_window={})",
            self.event.get().0.id.0,
            self.sold_in_window
        )
    }
}

/// One ticket a customer bought ("my tickets").
#[pyclass(frozen, module = "ticketpool", name = "BookedTicket")]
pub(crate) struct PyBookedTicket {
    pub(crate) event: Py<PyEvent>,
    pub(crate) ticket: u64,
    pub(crate) ticket_type: String,
    pub(crate) vendor: String,
    pub(crate) price: i64,
    pub(crate) sold_at: SystemTime,
}

#[pymethods]
impl PyBookedTicket {
    /// The event it is for.
    #[getter]
    fn event(&self, py: Python<'_>) -> Py<PyEvent> {
        self.event.clone_ref(py)
    }

    /// The ticket's id (as `Ticket.id`).
    #[getter]
    fn ticket(&self) -> u64 {
        self.ticket
    }

    /// Its type.
    #[getter]
    fn ticket_type(&self) -> &str {
        &self.ticket_type
    }

    /// The vendor that released it.
    #[getter]
    fn vendor(&self) -> &str {
        &self.vendor
    }

    /// What the customer paid, in minor units (cents).
    #[getter]
    fn price(&self) -> i64 {
        self.price
    }

    /// When it was bought, an aware `datetime` in UTC.
    #[getter]
    fn sold_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let instant = Timestamp::try_from(self.sold_at).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("sold_at is out of range: {e}"))
        })?;
        timestamp_to_py(py, instant)
    }

    fn __repr__(&self) -> String {
        format!(
            "BookedTicket(event={}, ticket={}, ticket_type={:?}, price={})",
            self.event.get().0.id.0,
            self.ticket,
            self.ticket_type,
            self.price
        )
    }
}
