//! Core events and snapshots into their typed Python values: the frozen
//! classes of `ticketpool.events` and `ticketpool.snapshot` (pure Python,
//! so they are dataclasses with `__match_args__` and typed inline).
//!
//! The field names are the Python ones, consistent across kinds:
//! `ticket_id` and `hold_id` are ints, `ticket` a `Ticket`, `sale` a `Sale`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use ticketpool_core::{Event, Notification, Snapshot, TicketCounts};

use crate::values::{epoch_seconds, PySale, PyTicket};

/// The class `name` of the pure-Python module `module`, looked up once.
fn class<'py>(
    py: Python<'py>,
    cache: &'static PyOnceLock<Py<PyModule>>,
    module: &str,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    cache
        .get_or_try_init(py, || py.import(module).map(Bound::unbind))?
        .bind(py)
        .getattr(name)
}

fn event_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static EVENTS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    class(py, &EVENTS, "ticketpool.events", name)
}

fn snapshot_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static SNAPSHOT: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    class(py, &SNAPSHOT, "ticketpool.snapshot", name)
}

/// `ticketpool.events.StreamEnded`, raised by `Subscription.next()`.
pub(crate) fn stream_ended(py: Python<'_>) -> PyErr {
    let message = "the event stream has ended: the office is closed and every event was read";
    match event_class(py, "StreamEnded").and_then(|class| class.call1((message,))) {
        Ok(exception) => PyErr::from_value(exception),
        Err(err) => err,
    }
}

fn new<'py>(py: Python<'py>, name: &str, args: Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
    event_class(py, name)?.call1(args)
}

/// One subscription item as its `ticketpool.events` class.
pub(crate) fn notification_object(
    py: Python<'_>,
    notification: Notification,
) -> PyResult<Bound<'_, PyAny>> {
    let event = match notification {
        Notification::Lagged(missed) => return new(py, "Lagged", (missed,).into_pyobject(py)?),
        Notification::Event(event) => event,
        // A notification a newer core adds.
        _ => return new(py, "Unknown", ("unknown_notification",).into_pyobject(py)?),
    };
    match event {
        Event::VendorAdded {
            vendor,
            ticket_types,
        } => {
            let types = PyTuple::new(py, ticket_types.iter().map(|t| &**t))?;
            new(py, "VendorAdded", (&*vendor, types).into_pyobject(py)?)
        }
        Event::VendorRemoved { vendor } => new(py, "VendorRemoved", (&*vendor,).into_pyobject(py)?),
        Event::Released { ticket } => new(py, "Released", (PyTicket(ticket),).into_pyobject(py)?),
        Event::HoldPlaced {
            hold,
            ticket,
            customer,
            priority,
            price,
            expires_at,
        } => new(
            py,
            "HoldPlaced",
            (
                hold.0,
                ticket.0,
                &*customer,
                priority.as_str(),
                price.minor(),
                epoch_seconds(expires_at),
            )
                .into_pyobject(py)?,
        ),
        Event::HoldConfirmed { hold, ticket } => {
            new(py, "HoldConfirmed", (hold.0, ticket.0).into_pyobject(py)?)
        }
        Event::HoldCancelled { hold, ticket } => {
            new(py, "HoldCancelled", (hold.0, ticket.0).into_pyobject(py)?)
        }
        Event::HoldExpired { hold, ticket } => {
            new(py, "HoldExpired", (hold.0, ticket.0).into_pyobject(py)?)
        }
        Event::Sold { sale } => new(py, "Sold", (PySale(sale),).into_pyobject(py)?),
        Event::Paused => new(py, "Paused", PyTuple::empty(py)),
        Event::Resumed => new(py, "Resumed", PyTuple::empty(py)),
        Event::SoldOut => new(py, "SoldOut", PyTuple::empty(py)),
        Event::Closed => new(py, "Closed", PyTuple::empty(py)),
        // A kind a newer core adds: its name only.
        other => new(py, "Unknown", (other.kind(),).into_pyobject(py)?),
    }
}

fn counts_object<'py>(py: Python<'py>, counts: &TicketCounts) -> PyResult<Bound<'py, PyAny>> {
    snapshot_class(py, "TicketCounts")?.call1((
        counts.released,
        counts.available,
        counts.held,
        counts.sold,
    ))
}

fn counts_map<'a, 'py>(
    py: Python<'py>,
    map: impl IntoIterator<Item = (&'a String, &'a TicketCounts)>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, counts) in map {
        dict.set_item(name, counts_object(py, counts)?)?;
    }
    Ok(dict)
}

/// A snapshot as a `ticketpool.snapshot.Snapshot`.
pub(crate) fn snapshot_object<'py>(
    py: Python<'py>,
    snapshot: &Snapshot,
) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("event_name", &snapshot.event_name)?;
    kwargs.set_item("strategy", snapshot.strategy.as_str())?;
    kwargs.set_item("total_tickets", snapshot.total_tickets)?;
    kwargs.set_item("max_capacity", snapshot.max_capacity)?;
    kwargs.set_item("totals", counts_object(py, &snapshot.totals)?)?;
    kwargs.set_item("by_type", counts_map(py, &snapshot.by_type)?)?;
    kwargs.set_item("by_vendor", counts_map(py, &snapshot.by_vendor)?)?;
    kwargs.set_item("revenue", snapshot.revenue.minor())?;
    kwargs.set_item("waiting_vip", snapshot.waiting_vip)?;
    kwargs.set_item("waiting_regular", snapshot.waiting_regular)?;
    kwargs.set_item("waiting_vendors", snapshot.waiting_vendors)?;
    kwargs.set_item("peak_occupancy", snapshot.peak_occupancy)?;
    kwargs.set_item("paused", snapshot.paused)?;
    kwargs.set_item("sold_out", snapshot.sold_out)?;
    kwargs.set_item("closed", snapshot.closed)?;
    kwargs.set_item("consistent", snapshot.is_consistent())?;
    kwargs.set_item("taken_at", epoch_seconds(snapshot.taken_at))?;
    snapshot_class(py, "Snapshot")?.call((), Some(&kwargs))
}
