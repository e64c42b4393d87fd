//! Argument conversion that names the argument in the message itself.
//!
//! pyo3 reports a failed conversion with the argument's name only in a
//! PEP 678 note, which Python 3.9 and 3.10 never print. So the bindings
//! take loosely typed arguments (`&Bound<PyAny>`) and convert them here,
//! where every error says which argument was wrong and what it got.

use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};

/// The Python type name of `value`, for messages (`"str"`, `"NoneType"`).
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// `True`, as the default of a `block` argument: a `None` default could
/// not tell "not given" (block) from an explicit `block=None` (falsy, so
/// do not block, as in `queue.Queue`).
pub(crate) fn yes() -> Py<PyAny> {
    Python::attach(|py| {
        pyo3::types::PyBool::new(py, true)
            .to_owned()
            .into_any()
            .unbind()
    })
}

/// A flag, as `queue.Queue` reads `block`: any truthy value is true.
///
/// # Errors
///
/// Whatever the value's `__bool__` raises.
pub(crate) fn truthy(value: Option<&Bound<'_, PyAny>>, default: bool) -> PyResult<bool> {
    value.map_or(Ok(default), Bound::is_truthy)
}

/// A `queue.Queue`-style timeout in seconds: `None` (or absent) waits for
/// ever; any real number of 0 or more is a limit.
///
/// # Errors
///
/// `TypeError` for a value that is not a number; `ValueError` for a
/// negative or NaN one, worded as `queue.Queue` words it.
pub(crate) fn timeout(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<f64>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyString>() {
        return Err(not_seconds(value, name));
    }
    let seconds: f64 = value.extract().map_err(|_| not_seconds(value, name))?;
    if seconds.is_nan() || seconds < 0.0 {
        return Err(PyValueError::new_err(format!(
            "'{name}' must be a non-negative number, got {seconds}"
        )));
    }
    Ok(Some(seconds))
}

fn not_seconds(value: &Bound<'_, PyAny>, name: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "{name} must be a number of seconds or None, got {}",
        type_name(value)
    ))
}

/// A count argument: `TypeError` if not an int, `ValueError` if below 1 or
/// past what a `usize` holds (rather than pyo3's `OverflowError`).
pub(crate) fn positive(value: &Bound<'_, PyAny>, name: &str) -> PyResult<usize> {
    let int = value.cast::<PyInt>().map_err(|_| {
        PyTypeError::new_err(format!("{name} must be an int, got {}", type_name(value)))
    })?;
    match int
        .extract::<u64>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
    {
        Some(n) if n > 0 => Ok(n),
        _ => Err(PyValueError::new_err(format!(
            "{name} must be at least 1 and fit in 64 bits, got {int}"
        ))),
    }
}

/// A `str` argument.
///
/// # Errors
///
/// `TypeError` naming the argument for anything but a `str`.
pub(crate) fn text(value: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    value
        .cast::<PyString>()
        .map_err(|_| {
            PyTypeError::new_err(format!("{name} must be a str, got {}", type_name(value)))
        })?
        .to_cow()
        .map(std::borrow::Cow::into_owned)
}

/// An optional `str` argument: absent or `None` is `None`.
///
/// # Errors
///
/// `TypeError` naming the argument for anything but a `str` or `None`.
pub(crate) fn optional_text(
    value: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<String>> {
    match value.filter(|v| !v.is_none()) {
        Some(value) => text(value, name).map(Some).map_err(|_| {
            PyTypeError::new_err(format!(
                "{name} must be a str or None, got {}",
                type_name(value)
            ))
        }),
        None => Ok(None),
    }
}

/// A list (or any iterable) of `str`; a lone `str` is refused rather than
/// read as its characters.
///
/// # Errors
///
/// `TypeError` naming the argument, and the position of a bad item.
pub(crate) fn texts(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Vec<String>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let not_list = || {
        PyTypeError::new_err(format!(
            "{name} must be a list of str, got {}",
            type_name(value)
        ))
    };
    if value.is_instance_of::<PyString>() {
        return Err(not_list());
    }
    let items = value.try_iter().map_err(|_| not_list())?;
    items
        .enumerate()
        .map(|(i, item)| text(&item?, &format!("{name}[{i}]")))
        .collect()
}

/// A file path: a `str` or any `os.PathLike`.
///
/// # Errors
///
/// `TypeError` naming the argument for anything else.
pub(crate) fn path(value: &Bound<'_, PyAny>, name: &str) -> PyResult<PathBuf> {
    let bad = || {
        PyTypeError::new_err(format!(
            "{name} must be a str or os.PathLike, got {}",
            type_name(value)
        ))
    };
    let fspath = value
        .py()
        .import("os")?
        .call_method1("fspath", (value,))
        .map_err(|_| bad())?;
    fspath.extract::<PathBuf>().map_err(|_| bad())
}

/// How long a blocking call may wait, read the way `queue.Queue` reads
/// `block` and `timeout`. `None`: try once, now (`block` falsy, when
/// `timeout` is ignored, or `timeout=0`); `Some(None)`: wait for ever;
/// `Some(Some(seconds))`: wait at most that long.
///
/// # Errors
///
/// As [`timeout`], and whatever `block`'s `__bool__` raises.
pub(crate) fn wait(
    block: &Bound<'_, PyAny>,
    seconds: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Option<f64>>> {
    if !block.is_truthy()? {
        return Ok(None);
    }
    match timeout(seconds, "timeout")? {
        Some(0.0) => Ok(None),
        limit => Ok(Some(limit)),
    }
}
