//! `ticketpool.simulate_seated()`: the simulator's seated scenario (groups
//! of fans taking best-available adjacent seats on real threads) run
//! without the GIL; the report is a dict shaped as
//! `ticketpool.seat_types.SeatedReport`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use ticketpool_sim::{run_seated, SeatedConfig, SimulationError, Wave};

use crate::args::{positive, text, type_name};
use crate::errors::{raise, Exceptions};
use crate::seat_errors::venue_error;
use crate::seats::PySeatMap;

/// `waves`: a list of `{"section": name}` or `{"tier": name}` dicts.
fn waves(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Wave>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let bad = |what: String| PyTypeError::new_err(format!("waves{what}"));
    let list = value.cast::<PyList>().map_err(|_| {
        bad(format!(
            " must be a list of {{\"section\": name}} or {{\"tier\": name}} dicts, got {}",
            type_name(value)
        ))
    })?;
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let dict = item
                .cast::<PyDict>()
                .map_err(|_| bad(format!("[{i}] must be a dict, got {}", type_name(&item))))?;
            if dict.len() != 1 {
                return Err(bad(format!(
                    "[{i}] must have exactly one key, \"section\" or \"tier\""
                )));
            }
            let (key, name) = dict.iter().next().expect("one item");
            let key = text(&key, &format!("waves[{i}] key"))?;
            let name = text(&name, &format!("waves[{i}][{key:?}]"))?;
            match key.as_str() {
                "section" => Ok(Wave::section(&name)),
                "tier" => Ok(Wave::tier(&name)),
                _ => Err(bad(format!(
                    "[{i}]: unknown key {key:?} (\"section\" or \"tier\")"
                ))),
            }
        })
        .collect()
}

fn share(value: Option<&Bound<'_, PyAny>>, name: &str, default: f64) -> PyResult<f64> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(default),
        Some(v) => v.extract::<f64>().map_err(|_| {
            PyTypeError::new_err(format!("{name} must be a number, got {}", type_name(v)))
        }),
    }
}

fn count(value: Option<&Bound<'_, PyAny>>, name: &str, default: usize) -> PyResult<usize> {
    value
        .filter(|v| !v.is_none())
        .map_or(Ok(default), |v| positive(v, name))
}

/// Runs the seated scenario on `seat_map`'s venue and returns its report.
#[pyfunction]
#[pyo3(signature = (
    seat_map, *, waves = None, groups = None, threads = None, vip_share = None,
    max_group = None, tier_share = None, lapse_share = None, seed = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate_seated<'py>(
    py: Python<'py>,
    seat_map: &Bound<'py, PyAny>,
    waves: Option<&Bound<'py, PyAny>>,
    groups: Option<&Bound<'py, PyAny>>,
    threads: Option<&Bound<'py, PyAny>>,
    vip_share: Option<&Bound<'py, PyAny>>,
    max_group: Option<&Bound<'py, PyAny>>,
    tier_share: Option<&Bound<'py, PyAny>>,
    lapse_share: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let map = seat_map.cast::<PySeatMap>().map_err(|_| {
        PyTypeError::new_err(format!(
            "seat_map must be a SeatMap, got {}",
            type_name(seat_map)
        ))
    })?;
    let mut config = SeatedConfig::new(map.get().config.clone());
    config.waves = self::waves(waves)?;
    let f = &mut config.fans;
    f.groups = count(groups, "groups", f.groups)?;
    f.threads = count(threads, "threads", f.threads)?;
    f.max_group =
        u32::try_from(count(max_group, "max_group", f.max_group as usize)?).unwrap_or(u32::MAX);
    f.vip_share = share(vip_share, "vip_share", f.vip_share)?;
    f.tier_share = share(tier_share, "tier_share", f.tier_share)?;
    f.lapse_share = share(lapse_share, "lapse_share", f.lapse_share)?;
    if let Some(seed) = seed.filter(|v| !v.is_none()) {
        config.seed = seed.extract::<u64>().map_err(|_| {
            PyTypeError::new_err(format!(
                "seed must be an int from 0 to 2**64-1, got {}",
                type_name(seed)
            ))
        })?;
    }
    let report = py.detach(|| run_seated(&config)).map_err(|e| match e {
        SimulationError::Venue(venue) => venue_error(py, &venue),
        SimulationError::Seated { .. } => raise(py, |e: &Exceptions| &e.config, e.to_string()),
        other => raise(py, |e: &Exceptions| &e.base, other.to_string()),
    })?;
    let consistent = report.consistent();
    let json = serde_json::to_string(&report)
        .map_err(|e| raise(py, |x: &Exceptions| &x.base, e.to_string()))?;
    let loads = py.import("json")?.getattr("loads")?;
    let dict = loads.call1((json,))?;
    dict.set_item("consistent", consistent)?;
    // Sections by name, as the snapshot's `by_section()` gives them.
    let by_section = PyDict::new(py);
    for (name, counts) in &report.by_section {
        let counts = serde_json::to_string(counts)
            .map_err(|e| raise(py, |x: &Exceptions| &x.base, e.to_string()))?;
        by_section.set_item(name, loads.call1((counts,))?)?;
    }
    dict.set_item("by_section", by_section)?;
    Ok(dict)
}
