//! Checking and converting `Catalog`'s arguments: each error names the
//! argument in its message (Python 3.9 and 3.10 never print PEP 678
//! notes), and a bool is never taken for an int.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt};
use ticketpool_catalog::{CatalogOptions, DisplayZone, PopularityWindow};
use ticketpool_core::BoxOfficeConfig;

use crate::catalog_errors::catalog_error;
use crate::errors::config_error;

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A non-negative int argument (bools refused, as everywhere).
pub(crate) fn whole(value: &Bound<'_, PyAny>, arg: &str) -> PyResult<u64> {
    let int = value
        .cast::<PyInt>()
        .ok()
        .filter(|_| !value.is_instance_of::<pyo3::types::PyBool>())
        .ok_or_else(|| {
            PyTypeError::new_err(format!("{arg} must be an int, got {}", type_name(value)))
        })?;
    int.extract::<u64>().map_err(|_| {
        PyValueError::new_err(format!(
            "{arg} must be a whole number of at least 0, got {int}"
        ))
    })
}

/// An optional int in `[low, high]` (`None` stays `None`).
pub(crate) fn optional_in_range(
    value: Option<&Bound<'_, PyAny>>,
    arg: &str,
    low: u64,
    high: u64,
) -> PyResult<Option<usize>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| in_range(v, arg, low, high))
        .transpose()
}

/// An int in `[low, high]`.
pub(crate) fn in_range(
    value: &Bound<'_, PyAny>,
    arg: &str,
    low: u64,
    high: u64,
) -> PyResult<usize> {
    let n = whole(value, arg).map_err(|e| {
        // A negative int is a bad value, not a bad type: say its range.
        if value.cast::<PyInt>().is_ok() {
            PyValueError::new_err(format!(
                "{arg} must be between {low} and {high}, got {value}"
            ))
        } else {
            e
        }
    })?;
    if n < low || n > high {
        return Err(PyValueError::new_err(format!(
            "{arg} must be between {low} and {high}, got {n}"
        )));
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

pub(crate) fn duration(seconds: f64, arg: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err(format!(
            "{arg} must be a number of seconds of at least 0, got {seconds}"
        ))
    })
}

pub(crate) fn zone(py: Python<'_>, name: &str) -> PyResult<DisplayZone> {
    // The error names the argument (catalog_errors maps UnknownTimeZone).
    DisplayZone::new(name).map_err(|e| catalog_error(py, e))
}

/// A box office configuration from a dict shaped like the config file
/// (as `BoxOffice(config)` takes); its `event_name` defaults to the
/// event's name, which the catalog uses anyway.
pub(crate) fn office_config(
    py: Python<'_>,
    office: &Bound<'_, PyAny>,
    event_name: Option<&str>,
) -> PyResult<BoxOfficeConfig> {
    let dict = office.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "office must be a dict shaped like a box office config file, got {}",
            type_name(office)
        ))
    })?;
    let dict = dict.copy()?;
    if !dict.contains("event_name")? {
        // The catalog names the office after the event; a blank name is
        // the catalog's error to report (it names the argument), not the office's.
        let named = event_name.filter(|name| !name.trim().is_empty());
        dict.set_item("event_name", named.unwrap_or("event"))?;
    }
    let text: String = py
        .import("json")?
        .call_method1("dumps", (dict,))
        .map_err(|e| PyTypeError::new_err(format!("office must hold only JSON values: {e}")))?
        .extract()?;
    BoxOfficeConfig::from_json_str(&text).map_err(|e| config_error(py, &e))
}

/// A list of ids from any iterable of ints.
pub(crate) fn ids(values: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<u64>> {
    if values.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{arg} must be a list of int ids, got str"
        )));
    }
    let iter = values.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg} must be a list of int ids, got {}",
            type_name(values)
        ))
    })?;
    iter.map(|item| whole(&item?, arg)).collect()
}

pub(crate) fn strings(values: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<String>> {
    let bad = || {
        PyTypeError::new_err(format!(
            "{arg} must be a list of str, got {}",
            type_name(values)
        ))
    };
    if values.is_instance_of::<pyo3::types::PyString>() {
        return Err(bad());
    }
    values
        .try_iter()
        .map_err(|_| bad())?
        .map(|item| {
            let item = item?;
            item.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{arg} must be a list of str, got a {} in it",
                    type_name(&item)
                ))
            })
        })
        .collect()
}

pub(crate) fn popularity(bucket: f64, buckets: usize) -> PyResult<CatalogOptions> {
    if bucket.is_nan() || bucket <= 0.0 {
        return Err(PyValueError::new_err(format!(
            "popular_bucket must be a number of seconds above 0, got {bucket}"
        )));
    }
    if buckets == 0 {
        return Err(PyValueError::new_err("popular_buckets must be at least 1"));
    }
    Ok(CatalogOptions {
        popularity: PopularityWindow {
            bucket: duration(bucket, "popular_bucket")?,
            buckets,
        },
        ..CatalogOptions::default()
    })
}

/// A new event's converted arguments, besides its name and description.
pub(crate) struct EventArgs {
    pub(crate) venue: u64,
    pub(crate) starts_at: jiff::Timestamp,
    pub(crate) office: ticketpool_core::BoxOfficeConfig,
    pub(crate) performers: Vec<u64>,
    pub(crate) time_zone: ticketpool_catalog::DisplayZone,
    pub(crate) categories: Vec<String>,
}
