//! The exception hierarchy, and how core errors become Python exceptions.
//!
//! `Full` and `Empty` must subclass both `TicketPoolError` and
//! `queue.Full`/`queue.Empty`, so existing `except queue.Empty` code keeps
//! working. `create_exception!` takes one base, so the classes are built
//! with `type(name, bases, namespace)` once per interpreter and cached.

use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use ticketpool_core::{BoxOfficeError, CapacityError, ConfigError};

/// Every exception class the module defines.
pub(crate) struct Exceptions {
    pub(crate) base: Py<PyType>,
    pub(crate) full: Py<PyType>,
    pub(crate) empty: Py<PyType>,
    pub(crate) closed: Py<PyType>,
    pub(crate) paused: Py<PyType>,
    pub(crate) sold_out: Py<PyType>,
    pub(crate) hold_expired: Py<PyType>,
    pub(crate) hold_cancelled: Py<PyType>,
    pub(crate) limit_reached: Py<PyType>,
    pub(crate) config: Py<PyType>,
}

static EXCEPTIONS: PyOnceLock<Exceptions> = PyOnceLock::new();

impl Exceptions {
    /// The classes, built on first use.
    pub(crate) fn get(py: Python<'_>) -> PyResult<&'static Exceptions> {
        EXCEPTIONS.get_or_try_init(py, || Self::build(py))
    }

    fn build(py: Python<'_>) -> PyResult<Exceptions> {
        let queue = py.import("queue")?;
        let queue_full = queue.getattr("Full")?.cast_into::<PyType>()?;
        let queue_empty = queue.getattr("Empty")?.cast_into::<PyType>()?;
        let exception = py.get_type::<PyException>();
        let value_error = py.get_type::<PyValueError>();

        let base = new_class(
            py,
            "TicketPoolError",
            &[exception],
            "Base class of every ticketpool error.",
        )?;
        let sub = |name: &str, doc: &str| new_class(py, name, std::slice::from_ref(&base), doc);
        Ok(Exceptions {
            full: new_class(
                py,
                "Full",
                &[base.clone(), queue_full],
                "No room: a non-blocking put or release found the pool full, or a timeout passed.",
            )?
            .unbind(),
            empty: new_class(
                py,
                "Empty",
                &[base.clone(), queue_empty],
                "Nothing to take: a non-blocking get or buy found none, or a timeout passed.",
            )?
            .unbind(),
            closed: sub("Closed", "The pool or box office is closed.")?.unbind(),
            paused: sub(
                "Paused",
                "The box office is paused: a non-blocking release, or one whose timeout passed while paused.",
            )?
            .unbind(),
            sold_out: sub("SoldOut", "Every ticket (of the requested type) is sold.")?.unbind(),
            hold_expired: sub(
                "HoldExpired",
                "The hold passed its deadline; its ticket went back on sale.",
            )?
            .unbind(),
            hold_cancelled: sub(
                "HoldCancelled",
                "The hold was cancelled; its ticket went back on sale.",
            )?
            .unbind(),
            limit_reached: sub(
                "LimitReached",
                "The customer's held, bought and still-waiting tickets reach the purchase limit.",
            )?
            .unbind(),
            config: new_class(
                py,
                "ConfigError",
                &[base.clone(), value_error],
                "An invalid box office configuration; the message lists every problem.",
            )?
            .unbind(),
            base: base.unbind(),
        })
    }

    /// Adds every class to `module`.
    pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = module.py();
        let e = Self::get(py)?;
        for class in [
            &e.base,
            &e.full,
            &e.empty,
            &e.closed,
            &e.paused,
            &e.sold_out,
            &e.hold_expired,
            &e.hold_cancelled,
            &e.limit_reached,
            &e.config,
        ] {
            let class = class.bind(py);
            module.add(class.name()?, class)?;
        }
        Ok(())
    }
}

/// A new exception class `ticketpool.<name>` deriving from `bases`.
pub(crate) fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: &[Bound<'py, PyType>],
    doc: &str,
) -> PyResult<Bound<'py, PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "ticketpool")?;
    namespace.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, bases)?;
    py.get_type::<PyType>()
        .call1((name, bases, namespace))?
        .cast_into::<PyType>()
        .map_err(Into::into)
}

/// Builds an exception of one of the module's classes.
pub(crate) fn raise(
    py: Python<'_>,
    pick: impl FnOnce(&Exceptions) -> &Py<PyType>,
    message: impl Into<String>,
) -> PyErr {
    match Exceptions::get(py) {
        Ok(e) => PyErr::from_type(pick(e).bind(py).clone(), message.into()),
        Err(err) => err,
    }
}

/// What a timeout means for the operation that hit it, as in `queue.Queue`:
/// a put that waited too long raises `Full`, a get raises `Empty`.
#[derive(Clone, Copy)]
pub(crate) enum TimeoutAs {
    Full,
    Empty,
}

/// The Python exception for a box office error.
pub(crate) fn office_error(py: Python<'_>, err: BoxOfficeError, timeout: TimeoutAs) -> PyErr {
    let message = err.to_string();
    match err {
        BoxOfficeError::SoldOut => raise(py, |e| &e.sold_out, message),
        BoxOfficeError::Closed => raise(py, |e| &e.closed, message),
        BoxOfficeError::Paused => raise(py, |e| &e.paused, message),
        BoxOfficeError::Full => raise(py, |e| &e.full, message),
        BoxOfficeError::Empty => raise(py, |e| &e.empty, message),
        BoxOfficeError::Timeout => match timeout {
            TimeoutAs::Full => raise(py, |e| &e.full, message),
            TimeoutAs::Empty => raise(py, |e| &e.empty, message),
        },
        BoxOfficeError::HoldExpired => raise(py, |e| &e.hold_expired, message),
        BoxOfficeError::HoldCancelled => raise(py, |e| &e.hold_cancelled, message),
        BoxOfficeError::LimitReached { .. } => raise(py, |e| &e.limit_reached, message),
        // Naming something that does not exist is a bad argument value.
        BoxOfficeError::UnknownTicketType(_)
        | BoxOfficeError::VendorNotAllowed { .. }
        | BoxOfficeError::UnknownVendor(_)
        | BoxOfficeError::DuplicateVendor(_) => PyValueError::new_err(message),
        BoxOfficeError::Config(config) => config_error(py, &config),
        _ => raise(py, |e| &e.base, message),
    }
}

/// `ConfigError` with every problem in its message, and what to do about
/// a price with more than two decimals (most often a float sum such as
/// `0.1 + 0.2`, which is `0.30000000000000004`).
pub(crate) fn config_error(py: Python<'_>, err: &ConfigError) -> PyErr {
    let mut message = err.to_string();
    if message.contains("more than two decimals") {
        message.push_str(PRICE_HINT);
    }
    raise(py, |e| &e.config, message)
}

/// Appended to a config error about a price's decimals.
const PRICE_HINT: &str = "\nhint: prices are in major units with at most two decimals (cents); \
a float such as 0.1 + 0.2 is 0.30000000000000004, so pass a decimal.Decimal(\"0.30\"), \
the string \"0.30\", or round(price, 2) instead";

/// A bad pool capacity is a bad argument value.
pub(crate) fn capacity_error(err: &CapacityError) -> PyErr {
    PyValueError::new_err(err.to_string())
}
