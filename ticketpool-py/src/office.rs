//! `BoxOffice` and its handles: `Vendor`, `Customer` and `Hold` (the
//! event `Subscription` is in `subscription`). Each wraps the core handle (itself a cheap `Arc`
//! clone), so the classes are frozen and shareable across threads.

use std::time::Instant;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use ticketpool_core::{BoxOfficeConfig, BoxOfficeError, Interrupt, Priority, Want};

use crate::args::{optional_text, path, positive, text, texts, truthy, type_name, wait};
use crate::errors::{config_error, office_error, TimeoutAs};
use crate::events::snapshot_object;
use crate::subscription::Subscription;
use crate::values::{config_json, epoch_seconds, PySale, PyTicket};
use crate::wait::{blocking, deadline, interruptible};

/// Runs a blocking core call with a deadline: without the GIL, in slices on
/// the main thread. `Timeout` before `deadline` means "slice over". `wait`
/// is [`crate::args::wait`]'s reading of `block` and `timeout`: `None`
/// tries once, now. The outer error is a signal; the inner, the office's.
fn office_call<T: Send>(
    py: Python<'_>,
    wait: Option<Option<f64>>,
    now: impl FnOnce() -> Result<T, BoxOfficeError>,
    mut until: impl FnMut(Option<Instant>) -> Result<T, BoxOfficeError> + Send,
) -> PyResult<Result<T, BoxOfficeError>> {
    let Some(timeout) = wait else {
        return Ok(now());
    };
    let deadline = deadline(timeout)?;
    let outcome = blocking(py, deadline, |d| match until(d) {
        Err(BoxOfficeError::Timeout) => None,
        other => Some(other),
    })?;
    Ok(outcome.unwrap_or(Err(BoxOfficeError::Timeout)))
}

/// Runs a customer's blocking buy or reserve: without the GIL, and on the
/// main thread as one interruptible wait, so the customer keeps its place
/// in line (VIPs first) while signals are checked.
fn customer_call<T: Send>(
    py: Python<'_>,
    wait: Option<Option<f64>>,
    now: impl FnOnce() -> Result<T, BoxOfficeError>,
    until: impl FnOnce(Option<Instant>, Option<&Interrupt<'_>>) -> Result<T, BoxOfficeError> + Send,
) -> PyResult<T> {
    let Some(timeout) = wait else {
        return now().map_err(|e| office_error(py, e, TimeoutAs::Empty));
    };
    let deadline = deadline(timeout)?;
    interruptible(py, |interrupt| until(deadline, interrupt))?
        .map_err(|e| office_error(py, e, TimeoutAs::Empty))
}

/// A box office for one event.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct BoxOffice {
    inner: ticketpool_core::BoxOffice,
}

#[pymethods]
impl BoxOffice {
    /// `BoxOffice(config)` from a dict shaped like the TOML/JSON file;
    /// prices are major units (`Decimal`, `int`, `str`, or a `float` with at
    /// most two decimals).
    #[new]
    fn new(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<Self> {
        let config = config.cast::<PyDict>().map_err(|_| {
            PyTypeError::new_err(format!("config must be a dict, got {}", type_name(config)))
        })?;
        // The dict takes the file's JSON form, so one parser and one
        // validator serve files and dicts alike.
        let text = config_json(py, config)?;
        let config = BoxOfficeConfig::from_json_str(&text).map_err(|e| config_error(py, &e))?;
        Self::open(py, config)
    }

    /// A box office from a TOML (`.toml`) or JSON file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = self::path(path, "path")?;
        let config = BoxOfficeConfig::from_path(&path).map_err(|e| config_error(py, &e))?;
        Self::open(py, config)
    }

    /// Registers a vendor that may release `ticket_types` (empty: every
    /// type).
    #[pyo3(signature = (name, ticket_types = None), text_signature = "($self, name, ticket_types=())")]
    fn add_vendor(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        ticket_types: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vendor> {
        let name = text(name, "name")?;
        let ticket_types = texts(ticket_types, "ticket_types")?;
        let types: Vec<&str> = ticket_types.iter().map(String::as_str).collect();
        self.inner
            .add_vendor(&name, &types)
            .map(|inner| Vendor {
                inner,
                office: self.inner.clone(),
            })
            .map_err(|e| office_error(py, e, TimeoutAs::Full))
    }

    /// Removes a vendor; tickets it released stay on sale.
    fn remove_vendor(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner
            .remove_vendor(&text(name, "name")?)
            .map_err(|e| office_error(py, e, TimeoutAs::Full))
    }

    /// A customer handle; handles with one name share the purchase limit.
    #[pyo3(signature = (name, vip = None), text_signature = "($self, name, vip=False)")]
    fn customer(
        &self,
        name: &Bound<'_, PyAny>,
        vip: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Customer> {
        let name = text(name, "name")?;
        let priority = if truthy(vip, false)? {
            Priority::Vip
        } else {
            Priority::Regular
        };
        Ok(Customer {
            inner: self.inner.customer(&name, priority),
        })
    }

    /// Stops releases until `resume()`. `True` if this call paused.
    fn pause(&self) -> bool {
        self.inner.pause()
    }

    /// Lets releases go on. `True` if this call resumed.
    fn resume(&self) -> bool {
        self.inner.resume()
    }

    /// Closes the office; waiting calls raise `Closed` (or `SoldOut`).
    fn close(&self) -> bool {
        self.inner.close()
    }

    /// `True` once closed.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// `True` once every ticket is sold.
    #[getter]
    fn sold_out(&self) -> bool {
        self.inner.is_sold_out()
    }

    /// The event's name.
    #[getter]
    fn event_name(&self) -> &str {
        &self.inner.config().event_name
    }

    /// A consistent picture of the office: a `ticketpool.snapshot.Snapshot`.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        snapshot_object(py, &self.inner.snapshot())
    }

    /// Every sale so far, in order.
    fn sales<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.sales().into_iter().map(PySale))
    }

    /// A live stream of typed events (`ticketpool.events`), buffering at most `capacity` (an int
    /// of at least 1: a buffer of none would drop every event); past that,
    /// events are dropped and counted in `missed`.
    #[pyo3(signature = (capacity = None), text_signature = "($self, capacity=1024)")]
    fn subscribe(&self, capacity: Option<&Bound<'_, PyAny>>) -> PyResult<Subscription> {
        let capacity = match capacity {
            Some(capacity) => positive(capacity, "capacity")?,
            None => 1024,
        };
        Ok(Subscription::new(&self.inner, capacity))
    }

    fn __repr__(&self) -> String {
        let s = self.inner.snapshot();
        format!(
            "BoxOffice(event_name={:?}, sold={}/{}{})",
            s.event_name,
            s.totals.sold,
            s.total_tickets,
            if s.closed { ", closed" } else { "" }
        )
    }
}

impl BoxOffice {
    fn open(py: Python<'_>, config: BoxOfficeConfig) -> PyResult<Self> {
        ticketpool_core::BoxOffice::new(config)
            .map(|inner| Self { inner })
            .map_err(|e| office_error(py, e, TimeoutAs::Full))
    }
}

impl BoxOffice {
    /// Wraps an office the catalog owns, so it sells as any other.
    pub(crate) fn from_core(inner: ticketpool_core::BoxOffice) -> Self {
        Self { inner }
    }
}

/// A vendor's handle: it releases tickets.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Vendor {
    inner: ticketpool_core::Vendor,
    // To tell "paused" from "full" when a release times out.
    office: ticketpool_core::BoxOffice,
}

impl Vendor {
    fn release_with(
        &self,
        py: Python<'_>,
        ticket_type: &str,
        wait: Option<Option<f64>>,
    ) -> PyResult<PyTicket> {
        let vendor = &self.inner;
        office_call(
            py,
            wait,
            || vendor.try_release(ticket_type),
            |d| match d {
                Some(d) => vendor.release_deadline(ticket_type, d),
                None => vendor.release(ticket_type),
            },
        )?
        .map(PyTicket)
        .map_err(|err| match err {
            BoxOfficeError::Timeout if self.office.snapshot().paused => {
                office_error(py, BoxOfficeError::Paused, TimeoutAs::Full)
            }
            err => office_error(py, err, TimeoutAs::Full),
        })
    }
}

#[pymethods]
impl Vendor {
    /// Releases one ticket of `ticket_type`, waiting while the office is
    /// full or paused: at most `timeout` seconds, then `Full` (or `Paused`
    /// if the office is paused then). `block=False` or `timeout=0` tries
    /// once, now.
    #[pyo3(signature = (ticket_type, timeout = None, *, block = crate::args::yes()), text_signature = "($self, ticket_type, timeout=None, *, block=True)")]
    fn release(
        &self,
        py: Python<'_>,
        ticket_type: &Bound<'_, PyAny>,
        timeout: Option<&Bound<'_, PyAny>>,
        block: Py<PyAny>,
    ) -> PyResult<PyTicket> {
        let ticket_type = text(ticket_type, "ticket_type")?;
        self.release_with(py, &ticket_type, wait(block.bind(py), timeout)?)
    }

    /// `release(ticket_type, block=False)`: `Full` or `Paused` at once.
    fn release_nowait(&self, py: Python<'_>, ticket_type: &Bound<'_, PyAny>) -> PyResult<PyTicket> {
        let ticket_type = text(ticket_type, "ticket_type")?;
        self.release_with(py, &ticket_type, None)
    }

    /// The vendor's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The types it may release.
    #[getter]
    fn ticket_types(&self) -> Vec<String> {
        self.inner
            .ticket_types()
            .iter()
            .map(|t| t.to_string())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("Vendor(name={:?})", &**self.inner.name())
    }
}

fn want(ticket_type: Option<&str>) -> Want {
    ticket_type.map_or(Want::Any, Want::from)
}

/// A customer's handle: it buys, or reserves into a `Hold`.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Customer {
    inner: ticketpool_core::Customer,
}

impl Customer {
    fn buy_with(
        &self,
        py: Python<'_>,
        ticket_type: Option<String>,
        wait: Option<Option<f64>>,
    ) -> PyResult<PySale> {
        let customer = &self.inner;
        let want = want(ticket_type.as_deref());
        customer_call(
            py,
            wait,
            || customer.try_buy(&want),
            |d, interrupt| match (d, interrupt) {
                (d, Some(interrupt)) => customer.buy_interruptible(&want, d, interrupt),
                (Some(d), None) => customer.buy_deadline(&want, d),
                (None, None) => customer.buy(&want),
            },
        )
        .map(PySale)
    }

    fn reserve_with(
        &self,
        py: Python<'_>,
        ticket_type: Option<String>,
        wait: Option<Option<f64>>,
    ) -> PyResult<Hold> {
        let customer = &self.inner;
        let want = want(ticket_type.as_deref());
        customer_call(
            py,
            wait,
            || customer.try_reserve(&want),
            |d, interrupt| match (d, interrupt) {
                (d, Some(interrupt)) => customer.reserve_interruptible(&want, d, interrupt),
                (Some(d), None) => customer.reserve_deadline(&want, d),
                (None, None) => customer.reserve(&want),
            },
        )
        .map(|inner| Hold { inner })
    }
}

#[pymethods]
impl Customer {
    /// Buys a ticket (of `ticket_type`, or any), waiting while none is on
    /// sale: at most `timeout` seconds, then `Empty`. `block=False` or
    /// `timeout=0` tries once, now.
    #[pyo3(signature = (ticket_type = None, timeout = None, *, block = crate::args::yes()), text_signature = "($self, ticket_type=None, timeout=None, *, block=True)")]
    fn buy(
        &self,
        py: Python<'_>,
        ticket_type: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        block: Py<PyAny>,
    ) -> PyResult<PySale> {
        let ticket_type = optional_text(ticket_type, "ticket_type")?;
        self.buy_with(py, ticket_type, wait(block.bind(py), timeout)?)
    }

    /// `buy(ticket_type, block=False)`: `Empty` at once if none is on sale.
    #[pyo3(signature = (ticket_type = None))]
    fn buy_nowait(
        &self,
        py: Python<'_>,
        ticket_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySale> {
        let ticket_type = optional_text(ticket_type, "ticket_type")?;
        self.buy_with(py, ticket_type, None)
    }

    /// Takes a ticket into a `Hold` until the hold TTL; confirm it to buy.
    /// Waits as `buy` does.
    #[pyo3(signature = (ticket_type = None, timeout = None, *, block = crate::args::yes()), text_signature = "($self, ticket_type=None, timeout=None, *, block=True)")]
    fn reserve(
        &self,
        py: Python<'_>,
        ticket_type: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        block: Py<PyAny>,
    ) -> PyResult<Hold> {
        let ticket_type = optional_text(ticket_type, "ticket_type")?;
        self.reserve_with(py, ticket_type, wait(block.bind(py), timeout)?)
    }

    /// `reserve(ticket_type, block=False)`: `Empty` at once if none is on
    /// sale.
    #[pyo3(signature = (ticket_type = None))]
    fn reserve_nowait(
        &self,
        py: Python<'_>,
        ticket_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Hold> {
        let ticket_type = optional_text(ticket_type, "ticket_type")?;
        self.reserve_with(py, ticket_type, None)
    }

    /// The customer's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// `True` for a VIP customer.
    #[getter]
    fn vip(&self) -> bool {
        self.inner.priority() == Priority::Vip
    }

    fn __repr__(&self) -> String {
        format!(
            "Customer(name={:?}, priority={:?})",
            &**self.inner.name(),
            self.inner.priority().as_str()
        )
    }
}

/// A ticket taken out of sale until a deadline; a context manager that
/// cancels on exit unless confirmed.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Hold {
    inner: ticketpool_core::Hold,
}

#[pymethods]
impl Hold {
    /// Buys the held ticket at the held price. Idempotent.
    fn confirm(&self, py: Python<'_>) -> PyResult<PySale> {
        self.inner
            .confirm()
            .map(PySale)
            .map_err(|e| office_error(py, e, TimeoutAs::Empty))
    }

    /// Puts the ticket back on sale. `True` if this call cancelled it.
    fn cancel(&self) -> bool {
        self.inner.cancel()
    }

    /// The hold's id.
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id().0
    }

    /// The held ticket.
    #[getter]
    fn ticket(&self) -> PyTicket {
        PyTicket(self.inner.ticket().clone())
    }

    /// The price fixed for it, in minor units (cents).
    #[getter]
    fn price(&self) -> i64 {
        self.inner.price().minor()
    }

    /// When it lapses (seconds since the epoch).
    #[getter]
    fn expires_at(&self) -> f64 {
        epoch_seconds(self.inner.expires_at())
    }

    /// `True` until confirmed, cancelled or expired.
    #[getter]
    fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Cancels the hold unless it was confirmed; never swallows an
    /// exception.
    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.inner.cancel();
        false
    }

    fn __repr__(&self) -> String {
        format!(
            "Hold(id={}, ticket_id={}, price={}, is_open={})",
            self.inner.id().0,
            self.inner.ticket().id.0,
            self.inner.price().minor(),
            if self.inner.is_open() {
                "True"
            } else {
                "False"
            }
        )
    }
}
