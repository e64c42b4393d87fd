//! Datetimes at the catalog's edge: timezone-aware `datetime` objects in
//! and out, exact to the microsecond (Python's resolution), never naive.
//!
//! The conversion goes through `datetime - epoch` as a `timedelta`, so it
//! works under the stable ABI (no `PyDateTime` C API) and never rounds
//! through a float.

use jiff::Timestamp;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use ticketpool_catalog::DisplayZone;

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// 1970-01-01T00:00:00+00:00 as an aware `datetime`.
fn epoch<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    datetime
        .getattr("datetime")?
        .call1((1970, 1, 1, 0, 0, 0, 0, utc))
}

/// The UTC instant of `value`, an aware `datetime`; `arg` names the
/// argument in the error.
///
/// # Errors
///
/// `TypeError` for anything but a `datetime`; `ValueError` for a naive one
/// (its instant is unknown) or one outside the catalog's range.
pub(crate) fn timestamp_from_py(value: &Bound<'_, PyAny>, arg: &str) -> PyResult<Timestamp> {
    let py = value.py();
    let class = py.import("datetime")?.getattr("datetime")?;
    if !value.is_instance(&class)? {
        return Err(PyTypeError::new_err(format!(
            "{arg} must be a timezone-aware datetime, got {}",
            type_name(value)
        )));
    }
    if value.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{arg} must be a timezone-aware datetime, got the naive {}: give it a tzinfo \
             (for example tzinfo=datetime.timezone.utc)",
            value.repr()?
        )));
    }
    let since = value.sub(epoch(py)?)?;
    let days: i64 = since.getattr("days")?.extract()?;
    let seconds: i64 = since.getattr("seconds")?.extract()?;
    let micros: i64 = since.getattr("microseconds")?.extract()?;
    let total = (days * 86_400 + seconds) * 1_000_000 + micros;
    Timestamp::from_microsecond(total).map_err(|_| {
        PyValueError::new_err(format!(
            "{arg} is out of range: {} is not a time the catalog can hold",
            value.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })
}

/// An optional aware `datetime` (`None` stays `None`).
pub(crate) fn optional_timestamp(
    value: Option<&Bound<'_, PyAny>>,
    arg: &str,
) -> PyResult<Option<Timestamp>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| timestamp_from_py(v, arg))
        .transpose()
}

/// `instant` as an aware `datetime` in UTC.
pub(crate) fn timestamp_to_py(py: Python<'_>, instant: Timestamp) -> PyResult<Bound<'_, PyAny>> {
    let timedelta = py.import("datetime")?.getattr("timedelta")?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("microseconds", instant.as_microsecond())?;
    epoch(py)?.add(timedelta.call((), Some(&kwargs))?)
}

/// `instant` on `zone`'s wall clock, as an aware `datetime` with that
/// moment's fixed UTC offset (so it works without a tz database in Python).
pub(crate) fn local_to_py<'py>(
    py: Python<'py>,
    instant: Timestamp,
    zone: &DisplayZone,
) -> PyResult<Bound<'py, PyAny>> {
    let offset = zone.local(instant).offset().seconds();
    let datetime = py.import("datetime")?;
    let delta = datetime.getattr("timedelta")?.call1((0, offset))?;
    let tz = datetime.getattr("timezone")?.call1((delta,))?;
    timestamp_to_py(py, instant)?.call_method1("astimezone", (tz,))
}
