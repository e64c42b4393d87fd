//! `Ticket` and `Sale`: frozen, hashable, picklable values; and the dicts
//! that snapshots and events become.
//!
//! Money going in (config prices) is in major units: a `Decimal`, an
//! `int`, a `str` like `"42.50"`, or a `float` whose shortest form has at
//! most two decimals. Money coming out is always an `int` of minor units
//! (cents), as in the core: never a float.
//! Times are `float` seconds since the Unix epoch, durations `float`
//! seconds, as `time.time()` gives.

use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use ticketpool_core::{Event, Notification, Sale, Snapshot, Ticket, TicketCounts};

/// Seconds since the Unix epoch.
pub(crate) fn epoch_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

/// A config dict as the JSON text the core parses, with each
/// `decimal.Decimal` written as a decimal string (`Decimal("15.5")` as
/// `"15.50"`), so a price can be a `Decimal`.
///
/// # Errors
///
/// `TypeError` naming the first value that is neither JSON nor a finite
/// `Decimal`.
pub(crate) fn config_json(py: Python<'_>, config: &Bound<'_, PyDict>) -> PyResult<String> {
    let decimal = py.import("decimal")?.getattr("Decimal")?.unbind();
    let default = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, PyTuple>, _kwargs| -> PyResult<String> {
            let value = args.get_item(0)?;
            let py = value.py();
            if !value.is_instance(decimal.bind(py))?
                || !value.call_method0("is_finite")?.is_truthy()?
            {
                return Err(PyTypeError::new_err(format!(
                    "{} is not a JSON value or a finite Decimal",
                    value.repr()?
                )));
            }
            // Whole cents written out ("1E+2" -> "100.00"); anything finer
            // goes through as written, for the core to refuse by name.
            let cents = decimal.bind(py).call1(("0.01",))?;
            let shown = match value.call_method1("quantize", (cents,)) {
                Ok(q) if q.eq(&value)? => q,
                _ => value,
            };
            Ok(shown.str()?.to_string())
        },
    )?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("default", default)?;
    py.import("json")?
        .call_method("dumps", (config,), Some(&kwargs))
        .map_err(|e| {
            PyTypeError::new_err(format!(
                "config must hold only JSON values (and Decimal prices): {}",
                e.value(py)
            ))
        })?
        .extract()
}

/// A ticket released by a vendor.
#[pyclass(frozen, eq, hash, module = "ticketpool", name = "Ticket")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyTicket(pub(crate) Ticket);

#[pymethods]
impl PyTicket {
    /// The ticket's unique id.
    #[getter]
    fn id(&self) -> u64 {
        self.0.id.0
    }

    /// The ticket type's name.
    #[getter]
    fn ticket_type(&self) -> &str {
        &self.0.ticket_type
    }

    /// The vendor that released it.
    #[getter]
    fn vendor(&self) -> &str {
        &self.0.vendor
    }

    /// The type's base price when released, in minor units (cents).
    #[getter]
    fn base_price(&self) -> i64 {
        self.0.base_price.minor()
    }

    /// When it was released (seconds since the epoch).
    #[getter]
    fn released_at(&self) -> f64 {
        epoch_seconds(self.0.released_at)
    }

    fn __repr__(&self) -> String {
        format!(
            "Ticket(id={}, ticket_type={:?}, vendor={:?}, base_price={})",
            self.0.id.0,
            &*self.0.ticket_type,
            &*self.0.vendor,
            self.0.base_price.minor()
        )
    }

    /// Pickles through the exact serde form, so times keep their
    /// nanoseconds and an unpickled ticket equals the original.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(slf.py(), "_ticket_from_json", &slf.get().0)
    }
}

/// A completed sale.
#[pyclass(frozen, eq, hash, module = "ticketpool", name = "Sale")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PySale(pub(crate) Sale);

#[pymethods]
impl PySale {
    /// The ticket sold.
    #[getter]
    fn ticket(&self) -> PyTicket {
        PyTicket(self.0.ticket.clone())
    }

    /// Who bought it.
    #[getter]
    fn customer(&self) -> &str {
        &self.0.customer
    }

    /// `"vip"` or `"regular"`.
    #[getter]
    fn priority(&self) -> &'static str {
        self.0.priority.as_str()
    }

    /// The price paid, in minor units (cents).
    #[getter]
    fn price(&self) -> i64 {
        self.0.price.minor()
    }

    /// When the sale completed (seconds since the epoch).
    #[getter]
    fn sold_at(&self) -> f64 {
        epoch_seconds(self.0.sold_at)
    }

    /// How long the customer waited for the ticket, in seconds (0.0 if one
    /// was on sale when it asked).
    #[getter]
    fn waited(&self) -> f64 {
        self.0.waited.as_secs_f64()
    }

    /// The hold it was confirmed from, if any.
    #[getter]
    fn hold(&self) -> Option<u64> {
        self.0.hold.map(|h| h.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "Sale(ticket_id={}, customer={:?}, priority={:?}, price={}{})",
            self.0.ticket.id.0,
            &*self.0.customer,
            self.0.priority.as_str(),
            self.0.price.minor(),
            self.0
                .hold
                .map(|h| format!(", hold={}", h.0))
                .unwrap_or_default()
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(slf.py(), "_sale_from_json", &slf.get().0)
    }
}

fn reduce<'py>(
    py: Python<'py>,
    restore: &str,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyTuple>> {
    let state = serde_json::to_string(value)
        .map_err(|e| PyValueError::new_err(format!("cannot pickle: {e}")))?;
    let restore = py.import("ticketpool._ticketpool")?.getattr(restore)?;
    PyTuple::new(py, [restore, PyTuple::new(py, [state])?.into_any()])
}

/// Unpickles a `Ticket`.
#[pyfunction]
pub(crate) fn _ticket_from_json(state: &str) -> PyResult<PyTicket> {
    serde_json::from_str(state)
        .map(PyTicket)
        .map_err(|e| PyValueError::new_err(format!("not a pickled Ticket: {e}")))
}

/// Unpickles a `Sale`.
#[pyfunction]
pub(crate) fn _sale_from_json(state: &str) -> PyResult<PySale> {
    serde_json::from_str(state)
        .map(PySale)
        .map_err(|e| PyValueError::new_err(format!("not a pickled Sale: {e}")))
}

fn counts_dict<'py>(py: Python<'py>, counts: &TicketCounts) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("released", counts.released)?;
    dict.set_item("available", counts.available)?;
    dict.set_item("held", counts.held)?;
    dict.set_item("sold", counts.sold)?;
    Ok(dict)
}

/// A snapshot as a plain dict (JSON-friendly apart from nothing: every
/// value is an int, float, str, bool or nested dict).
pub(crate) fn snapshot_dict<'py>(
    py: Python<'py>,
    snapshot: &Snapshot,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("event_name", &snapshot.event_name)?;
    dict.set_item("strategy", snapshot.strategy.as_str())?;
    dict.set_item("total_tickets", snapshot.total_tickets)?;
    dict.set_item("max_capacity", snapshot.max_capacity)?;
    dict.set_item("totals", counts_dict(py, &snapshot.totals)?)?;
    let by_type = PyDict::new(py);
    for (name, counts) in &snapshot.by_type {
        by_type.set_item(name, counts_dict(py, counts)?)?;
    }
    dict.set_item("by_type", by_type)?;
    let by_vendor = PyDict::new(py);
    for (name, counts) in &snapshot.by_vendor {
        by_vendor.set_item(name, counts_dict(py, counts)?)?;
    }
    dict.set_item("by_vendor", by_vendor)?;
    dict.set_item("revenue", snapshot.revenue.minor())?;
    dict.set_item("waiting_vip", snapshot.waiting_vip)?;
    dict.set_item("waiting_regular", snapshot.waiting_regular)?;
    dict.set_item("waiting_vendors", snapshot.waiting_vendors)?;
    dict.set_item("peak_occupancy", snapshot.peak_occupancy)?;
    dict.set_item("paused", snapshot.paused)?;
    dict.set_item("sold_out", snapshot.sold_out)?;
    dict.set_item("closed", snapshot.closed)?;
    dict.set_item("consistent", snapshot.is_consistent())?;
    dict.set_item("taken_at", epoch_seconds(snapshot.taken_at))?;
    Ok(dict)
}

/// One subscription item as a dict with a `"kind"` key (the core's serde
/// tag names: `"released"`, `"sold"`, `"hold_placed"`, ..., and
/// `"lagged"` with `"missed"` for dropped events).
pub(crate) fn notification_dict(
    py: Python<'_>,
    notification: Notification,
) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    let event = match notification {
        Notification::Lagged(missed) => {
            dict.set_item("kind", "lagged")?;
            dict.set_item("missed", missed)?;
            return Ok(dict);
        }
        Notification::Event(event) => event,
        // A notification a newer core adds: its kind only.
        _ => {
            dict.set_item("kind", "unknown")?;
            return Ok(dict);
        }
    };
    let kind = event.kind();
    match event {
        Event::VendorAdded {
            vendor,
            ticket_types,
        } => {
            dict.set_item("vendor", &*vendor)?;
            let types: Vec<&str> = ticket_types.iter().map(|t| &**t).collect();
            dict.set_item("ticket_types", types)?;
        }
        Event::VendorRemoved { vendor } => {
            dict.set_item("vendor", &*vendor)?;
        }
        Event::Released { ticket } => {
            dict.set_item("ticket", PyTicket(ticket))?;
        }
        Event::HoldPlaced {
            hold,
            ticket,
            customer,
            priority,
            price,
            expires_at,
        } => {
            dict.set_item("hold", hold.0)?;
            dict.set_item("ticket", ticket.0)?;
            dict.set_item("customer", &*customer)?;
            dict.set_item("priority", priority.as_str())?;
            dict.set_item("price", price.minor())?;
            dict.set_item("expires_at", epoch_seconds(expires_at))?;
        }
        Event::HoldConfirmed { hold, ticket }
        | Event::HoldCancelled { hold, ticket }
        | Event::HoldExpired { hold, ticket } => {
            dict.set_item("hold", hold.0)?;
            dict.set_item("ticket", ticket.0)?;
        }
        Event::Sold { sale } => {
            dict.set_item("sale", PySale(sale))?;
        }
        // No fields; and a kind a newer core adds comes as its kind alone.
        _ => {}
    }
    dict.set_item("kind", kind)?;
    Ok(dict)
}
