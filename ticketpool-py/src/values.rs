//! `Ticket` and `Sale`: frozen, hashable, picklable values. (Events and
//! snapshots become Python values in `events`.)
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
use ticketpool_core::{Sale, Ticket};

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
