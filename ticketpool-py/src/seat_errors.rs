//! The seat exceptions, and how a seat map's [`ConfigError`] or a
//! [`SeatError`] becomes one.
//!
//! `VenueConfigError` subclasses the bindings' `ConfigError` (so a
//! `ValueError` too) and carries `problems`, every problem of the venue
//! config; the rest subclass `SeatError`, itself a `TicketPoolError`. A
//! lapsed hold is the office's `HoldExpired`, as for tickets. Messages
//! name the argument at fault first (`"section: ..."`), since Python 3.9
//! and 3.10 never print PEP 678 notes.

use pyo3::exceptions::{PyLookupError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};
use ticketpool_seats::{ConfigError, SeatError, SeatMap};

use crate::errors::{new_class as class, raise as raise_office, Exceptions};

/// The seat exception classes.
pub(crate) struct SeatExceptions {
    base: Py<PyType>,
    venue_config: Py<PyType>,
    not_in_venue: Py<PyType>,
    unavailable: Py<PyType>,
    no_block: Py<PyType>,
    hold_ended: Py<PyType>,
}

static SEAT_EXCEPTIONS: PyOnceLock<SeatExceptions> = PyOnceLock::new();

impl SeatExceptions {
    fn get(py: Python<'_>) -> PyResult<&'static SeatExceptions> {
        SEAT_EXCEPTIONS.get_or_try_init(py, || Self::build(py))
    }

    fn build<'py>(py: Python<'py>) -> PyResult<SeatExceptions> {
        let office = Exceptions::get(py)?;
        let base = class(
            py,
            "SeatError",
            &[office.base.bind(py).clone()],
            "A seat operation failed; no seat changed state.",
        )?;
        let sub = |name: &str, extra: Option<Bound<'py, PyType>>, doc: &str| {
            let mut bases = vec![base.clone()];
            bases.extend(extra);
            class(py, name, &bases, doc).map(Bound::unbind)
        };
        Ok(SeatExceptions {
            venue_config: class(
                py,
                "VenueConfigError",
                &[office.config.bind(py).clone()],
                "An invalid venue seat map; `problems` lists every problem, one string each.",
            )?
            .unbind(),
            not_in_venue: sub(
                "NotInVenue",
                Some(py.get_type::<PyLookupError>()),
                "No seat, section, row or price tier of the venue has this name.",
            )?,
            unavailable: sub(
                "SeatsUnavailable",
                None,
                "Some of the seats asked for are not available, so none was held; \
                 `seats` names them.",
            )?,
            no_block: sub(
                "NoAdjacentSeats",
                None,
                "No block of that many adjacent available seats in the section or tier.",
            )?,
            hold_ended: sub(
                "HoldEnded",
                None,
                "The seat hold already ended (confirmed, cancelled or expired).",
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
            &e.venue_config,
            &e.not_in_venue,
            &e.unavailable,
            &e.no_block,
            &e.hold_ended,
        ] {
            let class = class.bind(py);
            module.add(class.name()?, class)?;
        }
        Ok(())
    }
}

fn raise(
    py: Python<'_>,
    pick: impl FnOnce(&SeatExceptions) -> &Py<PyType>,
    message: String,
    attribute: Option<(&str, Vec<String>)>,
) -> PyErr {
    let exceptions = match SeatExceptions::get(py) {
        Ok(e) => e,
        Err(err) => return err,
    };
    let err = PyErr::from_type(pick(exceptions).bind(py).clone(), message);
    if let Some((name, values)) = attribute {
        let set = PyList::new(py, values).and_then(|list| err.value(py).setattr(name, list));
        if let Err(failed) = set {
            return failed;
        }
    }
    err
}

/// `VenueConfigError` for a venue config that cannot be used, with every
/// problem in the message and in `problems`.
pub(crate) fn venue_error(py: Python<'_>, err: &ConfigError) -> PyErr {
    let problems = match err {
        ConfigError::Parse { message } => vec![message.clone()],
        ConfigError::Invalid { problems } => problems.iter().map(ToString::to_string).collect(),
    };
    raise(
        py,
        |e| &e.venue_config,
        err.to_string(),
        Some(("problems", problems)),
    )
}

/// A seat's label, or its id for one the map does not know.
pub(crate) fn label(map: &SeatMap, id: ticketpool_seats::SeatId) -> String {
    map.seat(id)
        .map_or_else(|| format!("seat #{}", id.0), |s| s.to_string())
}

/// The Python exception for a seat operation's error; `argument` is the
/// argument it is about (`seats`, `section`...), named first.
pub(crate) fn seat_error(py: Python<'_>, map: &SeatMap, err: SeatError, argument: &str) -> PyErr {
    let message = format!("{argument}: {err}");
    match err {
        SeatError::UnknownSeat(_)
        | SeatError::UnknownLabel(_)
        | SeatError::UnknownSection(_)
        | SeatError::UnknownTier(_)
        | SeatError::UnknownRow { .. } => raise(py, |e| &e.not_in_venue, message, None),
        SeatError::BadRequest => PyValueError::new_err(message),
        SeatError::Unavailable { seats } => {
            let described: Vec<String> = seats
                .iter()
                .map(|&(id, state)| format!("{} ({})", label(map, id), state_name(state)))
                .collect();
            raise(
                py,
                |e| &e.unavailable,
                format!("{message}: {}", described.join(", ")),
                Some((
                    "seats",
                    seats.iter().map(|&(id, _)| label(map, id)).collect(),
                )),
            )
        }
        SeatError::NoBlock { .. } => raise(py, |e| &e.no_block, message, None),
        SeatError::NoSuchHold(_) => raise(py, |e| &e.hold_ended, err.to_string(), None),
        SeatError::Expired(_) => raise_office(py, |e| &e.hold_expired, err.to_string()),
        SeatError::WaitsEnded => raise_office(py, |e| &e.closed, err.to_string()),
    }
}

/// A seat state's name in Python: `"not_on_sale"`, `"available"`,
/// `"held"` or `"sold"`.
pub(crate) fn state_name(state: ticketpool_seats::SeatState) -> &'static str {
    use ticketpool_seats::SeatState;
    match state {
        SeatState::NotOnSale => "not_on_sale",
        SeatState::Available => "available",
        SeatState::Held => "held",
        SeatState::Sold => "sold",
    }
}
