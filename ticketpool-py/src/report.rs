//! `Report`: what a finished simulation measured, with every figure a real
//! attribute (nested ones as plain dicts and lists, typed as TypedDicts in
//! the stubs), the run's sales log, and the notebook views (`_repr_html_`,
//! `to_pandas()`, `to_polars()`) from `ticketpool._report_view`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use ticketpool_core::Sale;
use ticketpool_sim::Report as CoreReport;

use crate::values::PySale;

/// A value's JSON form as Python dicts, lists and numbers: only the field
/// asked for is converted, and each call gives a fresh copy.
fn json_value<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| PyValueError::new_err(format!("cannot convert the report: {e}")))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// What a finished simulation measured.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Report {
    inner: CoreReport,
    sales: Vec<Sale>,
}

impl Report {
    /// The report of a run, and every sale it made, in order.
    pub(crate) fn new(inner: CoreReport, sales: Vec<Sale>) -> Self {
        Self { inner, sales }
    }

    /// Calls `ticketpool._report_view.<name>(self)`.
    fn view<'py>(slf: &Bound<'py, Self>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        static VIEW: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
        let py = slf.py();
        VIEW.get_or_try_init(py, || {
            py.import("ticketpool._report_view").map(Bound::unbind)
        })?
        .bind(py)
        .getattr(name)?
        .call1((slf,))
    }
}

#[pymethods]
impl Report {
    /// Every figure as plain dicts, lists and numbers (the JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        json_value(py, &self.inner)?
            .cast_into::<PyDict>()
            .map_err(Into::into)
    }

    /// Every sale of the run, in the order the office logged them.
    fn sales<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.sales.iter().cloned().map(PySale))
    }

    /// The sales log as a pandas DataFrame (needs pandas).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::view(slf, "to_pandas")
    }

    /// The sales log as a polars DataFrame (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::view(slf, "to_polars")
    }

    /// A small HTML table and the timeline as an inline SVG, for Jupyter.
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::view(slf, "report_html")
    }

    /// The event's name.
    #[getter]
    fn event_name(&self) -> &str {
        &self.inner.event_name
    }

    /// `"lockfree"` or `"condvar"`.
    #[getter]
    fn strategy(&self) -> &'static str {
        self.inner.strategy.as_str()
    }

    /// The seed of the arrivals.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// Why the run ended: `"sold_out"`, `"demand_met"`, `"duration"`,
    /// `"stopped"`.
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.end)
    }

    /// Wall-clock seconds the run took.
    #[getter]
    fn elapsed_secs(&self) -> f64 {
        self.inner.elapsed_secs
    }

    /// The event's size.
    #[getter]
    fn total_tickets(&self) -> u64 {
        self.inner.total_tickets
    }

    /// Tickets released.
    #[getter]
    fn released(&self) -> u64 {
        self.inner.released
    }

    /// Tickets sold.
    #[getter]
    fn sold(&self) -> u64 {
        self.inner.sold
    }

    /// Tickets still on sale at the end.
    #[getter]
    fn available_at_end(&self) -> u64 {
        self.inner.available_at_end
    }

    /// Tickets still held at the end.
    #[getter]
    fn held_at_end(&self) -> u64 {
        self.inner.held_at_end
    }

    /// Tickets sold per second.
    #[getter]
    fn throughput_per_sec(&self) -> f64 {
        self.inner.throughput_per_sec
    }

    /// Revenue in minor units (cents).
    #[getter]
    fn revenue(&self) -> i64 {
        self.inner.revenue.minor()
    }

    /// The most tickets in the office at once (available plus held).
    #[getter]
    fn peak_occupancy(&self) -> u64 {
        self.inner.peak_occupancy
    }

    /// The office's capacity.
    #[getter]
    fn max_capacity(&self) -> usize {
        self.inner.max_capacity
    }

    /// Wait-time percentiles (microseconds) per priority.
    #[getter]
    fn wait<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.wait)
    }

    /// Wait-time distributions per priority, in doubling buckets.
    #[getter]
    fn wait_distribution<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.wait_distribution)
    }

    /// Jain's fairness index per priority (`None` when nobody bought).
    #[getter]
    fn fairness<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.fairness)
    }

    /// Sales per vendor.
    #[getter]
    fn sales_by_vendor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.sales_by_vendor)
    }

    /// Sales and revenue (cents) per ticket type.
    #[getter]
    fn sales_by_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.sales_by_type)
    }

    /// Hold outcomes.
    #[getter]
    fn holds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.holds)
    }

    /// Every customer's part, VIPs first.
    #[getter]
    fn customers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.customers)
    }

    /// The timeline's sampling interval, in milliseconds.
    #[getter]
    fn sample_interval_ms(&self) -> u64 {
        self.inner.sample_interval_ms
    }

    /// The office sampled at a fixed interval, and once at the end.
    #[getter]
    fn timeline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, &self.inner.timeline)
    }

    fn __repr__(&self) -> String {
        format!(
            "Report(strategy={:?}, sold={}/{}, elapsed_secs={:.3}, throughput_per_sec={:.0})",
            self.inner.strategy.as_str(),
            self.inner.sold,
            self.inner.total_tickets,
            self.inner.elapsed_secs,
            self.inner.throughput_per_sec
        )
    }
}
