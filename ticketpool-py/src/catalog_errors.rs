//! The catalog's exceptions, and how a [`CatalogError`] becomes one.
//!
//! Every class subclasses `CatalogError`, itself a `TicketPoolError`; the
//! ones for a bad argument value also subclass `ValueError` (or
//! `LookupError` for an unknown id), as the rest of the bindings do. The
//! message names the argument at fault first (`"venue: ..."`), since
//! Python 3.9 and 3.10 never print PEP 678 notes.

use std::path::Path;

use pyo3::exceptions::{PyLookupError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use ticketpool_catalog::CatalogError;

use crate::errors::{config_error, new_class as class, office_error, Exceptions, TimeoutAs};

/// The catalog's exception classes.
pub(crate) struct CatalogExceptions {
    base: Py<PyType>,
    not_found: Py<PyType>,
    invalid: Py<PyType>,
    frozen: Py<PyType>,
    transition: Py<PyType>,
    not_on_sale: Py<PyType>,
    in_use: Py<PyType>,
}

static CATALOG_EXCEPTIONS: PyOnceLock<CatalogExceptions> = PyOnceLock::new();

impl CatalogExceptions {
    fn get(py: Python<'_>) -> PyResult<&'static CatalogExceptions> {
        CATALOG_EXCEPTIONS.get_or_try_init(py, || Self::build(py))
    }

    fn build<'py>(py: Python<'py>) -> PyResult<CatalogExceptions> {
        let root = Exceptions::get(py)?.base.bind(py).clone();
        let base = class(
            py,
            "CatalogError",
            &[root],
            "A catalog operation failed; the catalog is unchanged.",
        )?;
        let with = |name: &str, extra: Bound<'py, PyType>, doc: &str| {
            class(py, name, &[base.clone(), extra], doc).map(Bound::unbind)
        };
        let sub = |name: &str, doc: &str| {
            class(py, name, std::slice::from_ref(&base), doc).map(Bound::unbind)
        };
        Ok(CatalogExceptions {
            not_found: with(
                "NotFound",
                py.get_type::<PyLookupError>(),
                "No event, venue or performer has this id.",
            )?,
            invalid: with(
                "InvalidEntry",
                py.get_type::<PyValueError>(),
                "A value breaks a catalog rule (an empty name, an unknown time zone, \
                 more tickets than the venue holds); `argument` names it.",
            )?,
            frozen: sub(
                "FrozenField",
                "This field of the event may no longer change, given its status; \
                 `field` names the argument, `status` the event's status.",
            )?,
            transition: sub(
                "InvalidTransition",
                "The action does not apply to the event in its status \
                 (`action`, `status`).",
            )?,
            not_on_sale: sub(
                "NotOnSale",
                "The event is a draft: it has no box office yet.",
            )?,
            in_use: sub(
                "CatalogInUse",
                "Another program (a `ticketpool serve`, or another `Catalog.open`) \
                 has this catalog directory open: both would sell the same tickets. \
                 `path` names the directory.",
            )?,
            base: base.unbind(),
        })
    }

    /// Adds every class to `module`.
    pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = module.py();
        let e = Self::get(py)?;
        for class in [
            &e.base,
            &e.not_found,
            &e.invalid,
            &e.frozen,
            &e.transition,
            &e.not_on_sale,
            &e.in_use,
        ] {
            let class = class.bind(py);
            module.add(class.name()?, class)?;
        }
        Ok(())
    }
}

/// An exception of class `pick` saying `message`, with `attributes` set.
fn raise(
    py: Python<'_>,
    pick: impl FnOnce(&CatalogExceptions) -> &Py<PyType>,
    message: String,
    attributes: &[(&str, &str)],
) -> PyErr {
    let exceptions = match CatalogExceptions::get(py) {
        Ok(e) => e,
        Err(err) => return err,
    };
    let err = PyErr::from_type(pick(exceptions).bind(py).clone(), message);
    let value = err.value(py);
    for (name, attribute) in attributes {
        if let Err(failed) = value.setattr(*name, *attribute) {
            return failed;
        }
    }
    err
}

/// The Python argument a library field name stands for.
fn argument_of_field(field: &str) -> &str {
    match field {
        "venue" => "venue",
        // The office configuration: ticket types, prices and capacity.
        _ => "office",
    }
}

/// The Python argument an `Invalid { what }` is about: its last word
/// (`"the venue's capacity"` is `capacity`).
fn argument_of_what(what: &str) -> &str {
    what.rsplit(' ').next().unwrap_or(what)
}

/// The Python exception for a catalog error.
pub(crate) fn catalog_error(py: Python<'_>, err: CatalogError) -> PyErr {
    let message = err.to_string();
    match err {
        CatalogError::UnknownEvent(_)
        | CatalogError::UnknownVenue(_)
        | CatalogError::UnknownPerformer(_) => raise(py, |e| &e.not_found, message, &[]),
        CatalogError::UnknownTimeZone(_) => raise(
            py,
            |e| &e.invalid,
            format!("time_zone: {message}"),
            &[("argument", "time_zone")],
        ),
        CatalogError::Invalid { what, .. } => {
            let argument = argument_of_what(what);
            raise(
                py,
                |e| &e.invalid,
                format!("{argument}: {message}"),
                &[("argument", argument)],
            )
        }
        CatalogError::OverCapacity { .. } => raise(
            py,
            |e| &e.invalid,
            format!("office: {message}"),
            &[("argument", "office")],
        ),
        CatalogError::VenueTooSmall { .. } => raise(
            py,
            |e| &e.invalid,
            format!("capacity: {message}"),
            &[("argument", "capacity")],
        ),
        CatalogError::Frozen { field, status, .. } => {
            let argument = argument_of_field(field);
            raise(
                py,
                |e| &e.frozen,
                format!("{argument}: {message}"),
                &[("field", argument), ("status", status_name(status))],
            )
        }
        CatalogError::Transition { action, status, .. } => raise(
            py,
            |e| &e.transition,
            message,
            &[("action", action), ("status", status_name(status))],
        ),
        CatalogError::NoOffice(_) => raise(py, |e| &e.not_on_sale, message, &[]),
        CatalogError::Config(config) => config_error(py, &config),
        CatalogError::Office(office) => office_error(py, office, TimeoutAs::Full),
        _ => raise(py, |e| &e.base, message, &[]),
    }
}

/// `CatalogInUse`: another program has directory `path` open.
pub(crate) fn in_use(py: Python<'_>, path: &Path) -> PyErr {
    let shown = path.display().to_string();
    raise(
        py,
        |e| &e.in_use,
        format!(
            "path: {shown} is in use by another program (a ticketpool serve, or a \
             Catalog.open not yet closed): two programs on one catalog would sell the \
             same tickets twice; close the other one first"
        ),
        &[("path", &shown)],
    )
}

/// `CatalogError`: the directory's lock file could not be made or locked.
pub(crate) fn cannot_claim(py: Python<'_>, path: &Path, error: &std::io::Error) -> PyErr {
    let shown = path.display().to_string();
    raise(
        py,
        |e| &e.base,
        format!("path: cannot lock the catalog in {shown}: {error}"),
        &[("path", &shown)],
    )
}

/// The catalog error for a closed catalog: the bindings' `Closed`.
pub(crate) fn closed(py: Python<'_>) -> PyErr {
    crate::errors::raise(py, |e| &e.closed, "the catalog is closed")
}

/// An event status as Python sees it: `match`-friendly snake case
/// (`"on_sale"`), the library's serde name.
pub(crate) fn status_name(status: ticketpool_catalog::EventStatus) -> &'static str {
    use ticketpool_catalog::EventStatus::*;
    match status {
        Draft => "draft",
        OnSale => "on_sale",
        Paused => "paused",
        SoldOut => "sold_out",
        Cancelled => "cancelled",
        Past => "past",
        Closed => "closed",
        // A status a newer library adds.
        _ => "unknown",
    }
}
