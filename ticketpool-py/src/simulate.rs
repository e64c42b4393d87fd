//! `ticketpool.simulate()`: the Rust simulator run without the GIL, giving
//! a `Report` (module `report`).
//!
//! Progress goes to a Python callable (or, for `progress=True`, the bar of
//! `ticketpool.progress`), called from the simulator's sampler thread: that
//! thread holds no GIL while the run goes on and takes it only for the call.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use ticketpool_core::Strategy;
use ticketpool_sim::{Progress, Simulation, SimulationConfig, SimulationError, SimulationHandle};

use crate::args::optional_text;
use crate::errors::{config_error, office_error, raise, TimeoutAs};
use crate::events::snapshot_object;
use crate::report::Report;
use crate::values::config_json;
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

/// The first error a progress callback raised; the run stops on it.
type Failure = Arc<Mutex<Option<PyErr>>>;

/// `progress` as the callable to report to: `ticketpool.progress.resolve`
/// turns `True` into a bar and refuses what is neither a bool nor callable.
fn progress_callback(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Py<PyAny>>> {
    let Some(progress) = progress else {
        return Ok(None);
    };
    let callback = py
        .import("ticketpool.progress")?
        .getattr("resolve")?
        .call1((progress,))?;
    Ok((!callback.is_none()).then(|| callback.unbind()))
}

/// Reports one sample to `callback`, with the GIL taken for the call only.
/// A raising callback stops the run; its error is raised by `simulate`.
fn report_progress(
    callback: &Py<PyAny>,
    failure: &Failure,
    handle: &SimulationHandle,
    progress: &Progress,
) {
    let mut failed = failure.lock().unwrap_or_else(|e| e.into_inner());
    if failed.is_some() {
        return;
    }
    let outcome = Python::attach(|py| {
        let class = py.import("ticketpool.progress")?.getattr("Progress")?;
        let value = class.call1((
            progress.elapsed.as_secs_f64(),
            snapshot_object(py, &progress.snapshot)?,
        ))?;
        callback.call1(py, (value,)).map(drop)
    });
    if let Err(err) = outcome {
        *failed = Some(err);
        handle.stop();
    }
}

/// `simulate(config, *, strategy=None, progress=None)`: runs the simulator
/// on Rust threads with the GIL released and returns its `Report`.
/// `progress` is a callable given a `ticketpool.progress.Progress` at every
/// timeline sample, or `True` for a tqdm bar (a plain stderr line without
/// tqdm).
#[pyfunction]
#[pyo3(signature = (config, *, strategy = None, progress = None))]
pub(crate) fn simulate(
    py: Python<'_>,
    config: &Bound<'_, PyAny>,
    strategy: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let config = config.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err("config must be a dict shaped like the simulation's JSON file")
    })?;
    // Prices may be Decimal, as in the office's config (values::config_json).
    let text = config_json(py, config)?;
    let mut config = SimulationConfig::from_json_str(&text).map_err(|e| config_error(py, &e))?;
    if let Some(name) = optional_text(strategy, "strategy")? {
        config.office.strategy = Strategy::from_name(&name).ok_or_else(|| {
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
    let callback = progress_callback(py, progress)?;
    let mut simulation = Simulation::new(config).map_err(|e| simulation_error(py, e))?;
    let office = simulation.office().clone();
    let failure: Failure = Arc::default();
    if let Some(callback) = &callback {
        let (callback, failure, handle) =
            (callback.clone_ref(py), failure.clone(), simulation.handle());
        simulation.on_progress(move |p| report_progress(&callback, &failure, &handle, p));
    }
    let running = simulation.spawn().map_err(|e| simulation_error(py, e))?;
    let waited = blocking(py, None, |until| {
        while !running.is_finished() {
            if until.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
            std::thread::sleep(POLL);
        }
        Some(())
    });
    // Joined without the GIL, even on Ctrl-C: the sampler thread may be
    // waiting for the GIL to call the callback.
    let joined = match waited {
        Ok(_) => Ok(py.detach(|| running.join())),
        Err(err) => {
            py.detach(move || drop(running)); // stops the run, joins its threads
            Err(err)
        }
    };
    let closed = match &callback {
        Some(callback) => py
            .import("ticketpool.progress")?
            .getattr("finish")?
            .call1((callback, snapshot_object(py, &office.snapshot())?))
            .map(drop),
        None => Ok(()),
    };
    let joined = joined?;
    if let Some(err) = failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(err);
    }
    closed?;
    let report = joined.map_err(|e| simulation_error(py, e))?;
    Ok(Report::new(report, office.sales()))
}
