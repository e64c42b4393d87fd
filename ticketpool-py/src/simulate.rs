//! `ticketpool.simulate()`: the Rust simulator run without the GIL, and
//! its `Report`.

use std::time::{Duration, Instant};

use pyo3::exceptions::{PyAttributeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use ticketpool_core::Strategy;
use ticketpool_sim::{Report as CoreReport, Simulation, SimulationConfig, SimulationError};

use crate::errors::{config_error, office_error, raise, TimeoutAs};
use crate::wait::blocking;

/// How often the waiting thread looks whether the run has ended.
const POLL: Duration = Duration::from_millis(2);

fn simulation_error(py: Python<'_>, err: SimulationError) -> PyErr {
    match err {
        SimulationError::Config(config) => config_error(py, &config),
        SimulationError::Office(office) => office_error(py, office, TimeoutAs::Empty),
        SimulationError::InvalidRate(_) => PyValueError::new_err(err.to_string()),
        other => raise(py, |e| &e.base, other.to_string()),
    }
}

/// What a finished simulation measured.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Report {
    inner: CoreReport,
}

#[pymethods]
impl Report {
    /// Every figure as plain dicts, lists and numbers (the JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let text = serde_json::to_string(&self.inner)
            .map_err(|e| PyValueError::new_err(format!("cannot convert the report: {e}")))?;
        py.import("json")?
            .call_method1("loads", (text,))?
            .cast_into::<PyDict>()
            .map_err(Into::into)
    }

    /// Tickets sold.
    #[getter]
    fn sold(&self) -> u64 {
        self.inner.sold
    }

    /// Tickets released.
    #[getter]
    fn released(&self) -> u64 {
        self.inner.released
    }

    /// The event's size.
    #[getter]
    fn total_tickets(&self) -> u64 {
        self.inner.total_tickets
    }

    /// Wall-clock seconds the run took.
    #[getter]
    fn elapsed_secs(&self) -> f64 {
        self.inner.elapsed_secs
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

    /// `"lockfree"` or `"condvar"`.
    #[getter]
    fn strategy(&self) -> &'static str {
        self.inner.strategy.as_str()
    }

    /// Why the run ended: `"sold_out"`, `"demand_met"`, `"duration"`,
    /// `"stopped"`.
    #[getter]
    fn end(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.field(py, "end")
    }

    /// Any other field of [`to_dict`](Self::to_dict) by name.
    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        self.field(py, name)
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

impl Report {
    fn field(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.to_dict(py)?.get_item(name)? {
            Some(value) => Ok(value.unbind()),
            None => Err(PyAttributeError::new_err(format!(
                "'Report' object has no attribute {name:?}"
            ))),
        }
    }
}

/// `simulate(config, *, strategy=None, progress=False)`: runs the simulator
/// on Rust threads with the GIL released and returns its `Report`.
/// `progress=True` prints a line per timeline sample to stderr.
#[pyfunction]
#[pyo3(signature = (config, *, strategy = None, progress = false))]
pub(crate) fn simulate(
    py: Python<'_>,
    config: &Bound<'_, PyAny>,
    strategy: Option<&str>,
    progress: bool,
) -> PyResult<Report> {
    let config = config.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err("config must be a dict shaped like the simulation's JSON file")
    })?;
    let text: String = py
        .import("json")?
        .call_method1("dumps", (config,))
        .map_err(|e| PyTypeError::new_err(format!("config must hold only JSON values: {e}")))?
        .extract()?;
    let mut config = SimulationConfig::from_json_str(&text).map_err(|e| config_error(py, &e))?;
    if let Some(name) = strategy {
        config.office.strategy = Strategy::from_name(name).ok_or_else(|| {
            let names: Vec<String> = Strategy::ALL
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            PyValueError::new_err(format!(
                "strategy must be {} or None, got {name:?}",
                names.join(", ")
            ))
        })?;
    }
    let mut simulation = Simulation::new(config).map_err(|e| simulation_error(py, e))?;
    if progress {
        simulation.on_progress(|p| {
            let t = p.snapshot.totals;
            eprintln!(
                "[{:>7.2}s] sold {}/{} available {} held {}",
                p.elapsed.as_secs_f64(),
                t.sold,
                p.snapshot.total_tickets,
                t.available,
                t.held
            );
        });
    }
    let running = simulation.spawn().map_err(|e| simulation_error(py, e))?;
    // Ctrl-C raises here; dropping `running` then stops the run and joins.
    blocking(py, None, |until| {
        while !running.is_finished() {
            if until.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
            std::thread::sleep(POLL);
        }
        Some(())
    })?;
    let report = py
        .detach(|| running.join())
        .map_err(|e| simulation_error(py, e))?;
    Ok(Report { inner: report })
}
