//! Seats from Python (issue 17): `SeatMap` (a venue's seat map from TOML),
//! `Seat`, `SeatedSale` (one event's live seats: release waves, holds of
//! named seats all or nothing, best-available), `SeatHold`, and the
//! `SeatSnapshot` with its `SeatCounts`.
//!
//! Seats are named by their labels (`"Stalls B-12"`) on the Python side;
//! states are the strings `"not_on_sale"`, `"available"`, `"held"`,
//! `"sold"`; money is `int` cents. Every seat operation runs without the
//! GIL, so Python threads race on the seats for real.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use ticketpool_seats::{Area, BestAvailable, HoldId, SeatId, Seating, StateCounts, VenueConfig};

use crate::args::{optional_text, positive, text, texts, timeout, truthy};
use crate::seat_errors::{label, seat_error, state_name, venue_error};

/// A venue's seat map: sections, rows and seats, built from the compact
/// TOML config (see `ticketpool-seats`).
#[pyclass(frozen, module = "ticketpool", name = "SeatMap")]
pub(crate) struct PySeatMap {
    pub(crate) map: Arc<ticketpool_seats::SeatMap>,
    pub(crate) config: VenueConfig,
}

fn build_map(py: Python<'_>, toml_text: &str) -> PyResult<PySeatMap> {
    let config: VenueConfig = toml::from_str(toml_text).map_err(|e| {
        venue_error(
            py,
            &ticketpool_seats::ConfigError::Parse {
                message: e.to_string(),
            },
        )
    })?;
    let map = config.build().map_err(|e| venue_error(py, &e))?;
    Ok(PySeatMap {
        map: Arc::new(map),
        config,
    })
}

#[pymethods]
impl PySeatMap {
    /// Builds the map from TOML text; `VenueConfigError` lists every
    /// problem.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let source = crate::args::text(text, "text")?;
        build_map(py, &source)
    }

    /// Builds the map from a TOML file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let file = crate::args::path(path, "path")?;
        let source = std::fs::read_to_string(&file).map_err(|e| {
            pyo3::exceptions::PyOSError::new_err(format!(
                "path: cannot read {}: {e}",
                file.display()
            ))
        })?;
        build_map(py, &source)
    }

    /// The venue's name.
    #[getter]
    fn name(&self) -> &str {
        self.map.name()
    }

    /// How many seats (gaps left out).
    #[getter]
    fn seat_count(&self) -> usize {
        self.map.seat_count()
    }

    /// The section names, in config order.
    #[getter]
    fn sections(&self) -> Vec<String> {
        self.map.sections().map(str::to_owned).collect()
    }

    /// The price tiers: name -> price per seat in cents.
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let tiers = PyDict::new(py);
        for (name, price) in self.map.tiers() {
            tiers.set_item(name, price.minor())?;
        }
        Ok(tiers)
    }

    /// Every seat, row by row.
    fn seats(&self) -> Vec<PySeat> {
        self.map.seats().map(|s| PySeat::of(&s)).collect()
    }

    /// The seat labelled `label` (`"Stalls B-12"`); `NotInVenue` if none.
    fn seat(&self, py: Python<'_>, label: &Bound<'_, PyAny>) -> PyResult<PySeat> {
        let label = text(label, "label")?;
        let id = find(py, &self.map, &label, "label")?;
        Ok(self.map.seat(id).map(|s| PySeat::of(&s)).expect("found"))
    }

    fn __len__(&self) -> usize {
        self.map.seat_count()
    }

    fn __repr__(&self) -> String {
        format!(
            "SeatMap(name={:?}, seats={}, sections={:?})",
            self.map.name(),
            self.map.seat_count(),
            self.map.sections().collect::<Vec<_>>()
        )
    }
}

fn find(
    py: Python<'_>,
    map: &ticketpool_seats::SeatMap,
    label: &str,
    argument: &str,
) -> PyResult<SeatId> {
    map.find(label).ok_or_else(|| {
        seat_error(
            py,
            map,
            ticketpool_seats::SeatError::UnknownLabel(label.to_owned()),
            argument,
        )
    })
}

/// One seat as the map describes it.
#[pyclass(frozen, eq, module = "ticketpool", name = "Seat")]
#[derive(Clone, PartialEq)]
pub(crate) struct PySeat {
    /// `Stalls B-12`.
    #[pyo3(get)]
    label: String,
    /// Its section.
    #[pyo3(get)]
    section: String,
    /// Its row's label.
    #[pyo3(get)]
    row: String,
    /// Its number in the row.
    #[pyo3(get)]
    number: u32,
    /// Where to draw it (x right, y back from the stage).
    #[pyo3(get)]
    x: f32,
    /// See `x`.
    #[pyo3(get)]
    y: f32,
    /// Its price tier.
    #[pyo3(get)]
    tier: String,
    /// A wheelchair place.
    #[pyo3(get)]
    accessible: bool,
    /// A companion seat.
    #[pyo3(get)]
    companion: bool,
    /// A seat with a restricted view.
    #[pyo3(get)]
    restricted_view: bool,
}

impl PySeat {
    fn of(seat: &ticketpool_seats::Seat<'_>) -> Self {
        Self {
            label: seat.to_string(),
            section: seat.section.to_owned(),
            row: seat.row.to_owned(),
            number: seat.number,
            x: seat.x,
            y: seat.y,
            tier: seat.tier.to_owned(),
            accessible: seat.accessible,
            companion: seat.companion,
            restricted_view: seat.restricted_view,
        }
    }
}

#[pymethods]
impl PySeat {
    fn __repr__(&self) -> String {
        format!("Seat({:?}, tier={:?})", self.label, self.tier)
    }
}

/// One event's seats on a seat map: each not on sale, available, held or
/// sold. Shared freely between threads.
#[pyclass(frozen, module = "ticketpool", name = "SeatedSale")]
pub(crate) struct PySeatedSale {
    seating: Arc<Seating>,
    map: Arc<ticketpool_seats::SeatMap>,
}

impl PySeatedSale {
    fn err<'a>(
        &'a self,
        py: Python<'a>,
        argument: &'a str,
    ) -> impl FnOnce(ticketpool_seats::SeatError) -> PyErr + 'a {
        move |e| seat_error(py, &self.map, e, argument)
    }

    fn hold_of(&self, hold: ticketpool_seats::SeatHold) -> PySeatHold {
        let map = self.seating.map();
        PySeatHold {
            seating: Arc::clone(&self.seating),
            id: hold.id,
            seats: hold.seats.iter().map(|&s| label(map, s)).collect(),
            price: hold.price.minor(),
            prices: hold.prices.iter().map(|p| p.minor()).collect(),
        }
    }
}

#[pymethods]
impl PySeatedSale {
    /// Every seat of `seat_map` not on sale yet; holds last
    /// `hold_seconds` (0 makes every hold lapse at once).
    #[new]
    #[pyo3(signature = (seat_map, *, hold_seconds = None))]
    fn new(seat_map: &Bound<'_, PyAny>, hold_seconds: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let map = seat_map.cast::<PySeatMap>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "seat_map must be a SeatMap, got {}",
                crate::args::type_name(seat_map)
            ))
        })?;
        let hold_for = match timeout(hold_seconds, "hold_seconds")? {
            Some(seconds) => Duration::try_from_secs_f64(seconds).map_err(|_| {
                PyValueError::new_err(format!("hold_seconds: {seconds} is too long"))
            })?,
            None => ticketpool_seats::DEFAULT_HOLD,
        };
        let map = Arc::clone(&map.get().map);
        let seating = Seating::new(Arc::clone(&map)).with_hold_duration(hold_for);
        Ok(Self {
            seating: Arc::new(seating),
            map,
        })
    }

    /// The seat map's venue name.
    #[getter]
    fn venue(&self) -> &str {
        self.seating.map().name()
    }

    /// Puts every seat on sale; returns how many were not on sale before.
    fn release_all(&self, py: Python<'_>) -> usize {
        py.detach(|| self.seating.release_all())
    }

    /// Puts a section's seats on sale (a vendor's wave).
    fn release_section(&self, py: Python<'_>, section: &Bound<'_, PyAny>) -> PyResult<usize> {
        let section = text(section, "section")?;
        py.detach(|| self.seating.release_section(&section))
            .map_err(self.err(py, "section"))
    }

    /// Puts a price tier's seats on sale, in every section.
    fn release_tier(&self, py: Python<'_>, tier: &Bound<'_, PyAny>) -> PyResult<usize> {
        let tier = text(tier, "tier")?;
        py.detach(|| self.seating.release_tier(&tier))
            .map_err(self.err(py, "tier"))
    }

    /// Puts a block of rows of a section on sale (`rows="A-C"`).
    fn release_block(
        &self,
        py: Python<'_>,
        section: &Bound<'_, PyAny>,
        rows: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let section = text(section, "section")?;
        let rows = text(rows, "rows")?;
        py.detach(|| self.seating.release_block(&section, &rows))
            .map_err(self.err(py, "rows"))
    }

    /// Holds exactly these seats, all or nothing: `SeatsUnavailable` (and
    /// nothing held) if any is not available.
    #[pyo3(signature = (seats))]
    fn hold(&self, py: Python<'_>, seats: &Bound<'_, PyAny>) -> PyResult<PySeatHold> {
        let labels = texts(Some(seats), "seats")?;
        let map = self.seating.map();
        let ids = labels
            .iter()
            .map(|l| find(py, map, l, "seats"))
            .collect::<PyResult<Vec<_>>>()?;
        let hold = py
            .detach(|| self.seating.hold(&ids))
            .map_err(self.err(py, "seats"))?;
        Ok(self.hold_of(hold))
    }

    /// Holds the best block of `n` adjacent available seats in `section`
    /// or `tier` (or anywhere): front rows first, then nearest the row's
    /// centre. `accessible=True` wants an accessible place (and a
    /// companion seat for two or more).
    #[pyo3(signature = (n, *, section = None, tier = None, accessible = None))]
    fn best_available(
        &self,
        py: Python<'_>,
        n: &Bound<'_, PyAny>,
        section: Option<&Bound<'_, PyAny>>,
        tier: Option<&Bound<'_, PyAny>>,
        accessible: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySeatHold> {
        let n = positive(n, "n")?;
        let section = optional_text(section, "section")?;
        let tier = optional_text(tier, "tier")?;
        let accessible = truthy(accessible, false)?;
        let (area, argument) = match (&section, &tier) {
            (Some(_), Some(_)) => {
                return Err(PyValueError::new_err(
                    "section, tier: give one of them (or neither, for anywhere), not both",
                ))
            }
            (Some(s), None) => (Area::Section(s), "section"),
            (None, Some(t)) => (Area::Tier(t), "tier"),
            (None, None) => (Area::Anywhere, "n"),
        };
        let want = BestAvailable {
            seats: n,
            area,
            accessible,
        };
        let hold = py
            .detach(|| self.seating.best_available(want))
            .map_err(|e| match e {
                ticketpool_seats::SeatError::NoBlock { .. } => {
                    let mut where_ = match area {
                        Area::Section(s) => format!(" in section {s:?}"),
                        Area::Tier(t) => format!(" in tier {t:?}"),
                        Area::Anywhere => String::new(),
                    };
                    if accessible {
                        where_.push_str(" with an accessible place");
                    }
                    let err = seat_error(py, &self.map, e, "n");
                    let message = format!("n: no {n} adjacent seats available{where_}");
                    // Same class, a message naming where it looked.
                    PyErr::from_type(err.get_type(py), message)
                }
                other => seat_error(py, &self.map, other, argument),
            })?;
        Ok(self.hold_of(hold))
    }

    /// Ends every hold that has expired: their seats are available again.
    /// Returns how many ended. (A lapsed hold also ends when confirmed.)
    fn reap(&self, py: Python<'_>) -> usize {
        py.detach(|| self.seating.reap())
    }

    /// How many holds are current.
    #[getter]
    fn hold_count(&self) -> usize {
        self.seating.hold_count()
    }

    /// The seat's state now: `"not_on_sale"`, `"available"`, `"held"` or
    /// `"sold"`.
    fn state(&self, py: Python<'_>, label: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let label = text(label, "label")?;
        let id = find(py, self.seating.map(), &label, "label")?;
        Ok(self.seating.state(id).map_or("not_on_sale", state_name))
    }

    /// A snapshot of every seat's state, with counts.
    fn snapshot(&self, py: Python<'_>) -> PySeatSnapshot {
        PySeatSnapshot {
            snapshot: py.detach(|| self.seating.snapshot()),
            map: Arc::clone(&self.map),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "SeatedSale(venue={:?}, holds={})",
            self.seating.map().name(),
            self.seating.hold_count()
        )
    }
}

/// Seats held for a buyer at a price fixed when held, until confirmed,
/// cancelled or lapsed.
#[pyclass(frozen, module = "ticketpool", name = "SeatHold")]
pub(crate) struct PySeatHold {
    seating: Arc<Seating>,
    id: HoldId,
    seats: Vec<String>,
    price: i64,
    /// Each seat's price in cents, in the order of `seats`.
    prices: Vec<i64>,
}

#[pymethods]
impl PySeatHold {
    /// The hold's id, unique in its sale.
    #[getter]
    fn id(&self) -> u64 {
        self.id.0
    }

    /// The seats' labels (best-available: left to right).
    #[getter]
    fn seats(&self) -> Vec<String> {
        self.seats.clone()
    }

    /// The price of all of them, in cents, fixed when held: the sum of
    /// [`prices`](Self::prices).
    #[getter]
    fn price(&self) -> i64 {
        self.price
    }

    /// Each seat's price in cents, in the order of `seats`: its tier's
    /// price when the hold was made (a confirm sells each seat at it).
    #[getter]
    fn prices(&self) -> Vec<i64> {
        self.prices.clone()
    }

    /// Sells the seats. `HoldExpired` if the hold lapsed (its seats are
    /// available again), `HoldEnded` if it was confirmed or cancelled.
    fn confirm(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.seating.confirm(self.id))
            .map(drop)
            .map_err(|e| seat_error(py, self.seating.map(), e, "hold"))
    }

    /// Gives the seats back: available again. `HoldEnded` if the hold
    /// already ended (expired ones included).
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.seating.release_hold(self.id))
            .map(drop)
            .map_err(|e| seat_error(py, self.seating.map(), e, "hold"))
    }

    fn __repr__(&self) -> String {
        format!(
            "SeatHold(id={}, seats={:?}, price={}, prices={:?})",
            self.id.0, self.seats, self.price, self.prices
        )
    }
}

/// Seats in each state.
#[pyclass(frozen, eq, module = "ticketpool", name = "SeatCounts")]
#[derive(Clone, PartialEq)]
pub(crate) struct PySeatCounts(StateCounts);

#[pymethods]
impl PySeatCounts {
    /// Not released by a vendor yet.
    #[getter]
    fn not_on_sale(&self) -> usize {
        self.0.not_on_sale
    }

    /// On sale and free.
    #[getter]
    fn available(&self) -> usize {
        self.0.available
    }

    /// In a hold.
    #[getter]
    fn held(&self) -> usize {
        self.0.held
    }

    /// Sold.
    #[getter]
    fn sold(&self) -> usize {
        self.0.sold
    }

    /// Every seat counted.
    #[getter]
    fn total(&self) -> usize {
        self.0.total()
    }

    fn __repr__(&self) -> String {
        let c = &self.0;
        format!(
            "SeatCounts(not_on_sale={}, available={}, held={}, sold={})",
            c.not_on_sale, c.available, c.held, c.sold
        )
    }
}

/// Every seat's state at (about) one moment, for drawing, with counts.
#[pyclass(frozen, module = "ticketpool", name = "SeatSnapshot")]
pub(crate) struct PySeatSnapshot {
    snapshot: ticketpool_seats::SeatSnapshot,
    map: Arc<ticketpool_seats::SeatMap>,
}

fn counts_dict<'py>(
    py: Python<'py>,
    counts: Vec<(String, StateCounts)>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, c) in counts {
        dict.set_item(name, PySeatCounts(c))?;
    }
    Ok(dict)
}

#[pymethods]
impl PySeatSnapshot {
    /// Counts over the whole venue.
    #[getter]
    fn counts(&self) -> PySeatCounts {
        PySeatCounts(self.snapshot.counts())
    }

    /// Counts by section name, in config order.
    fn by_section<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        counts_dict(py, self.snapshot.by_section())
    }

    /// Counts by price tier name.
    fn by_tier<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        counts_dict(py, self.snapshot.by_tier())
    }

    /// Every seat's label -> state, row by row.
    fn states<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (id, state) in self.snapshot.seats() {
            dict.set_item(label(&self.map, id), state_name(state))?;
        }
        Ok(dict)
    }

    /// The seat's state in the snapshot; `NotInVenue` for an unknown label.
    fn state(&self, py: Python<'_>, label: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let label = text(label, "label")?;
        let id = find(py, &self.map, &label, "label")?;
        Ok(self.snapshot.state(id).map_or("not_on_sale", state_name))
    }

    /// One line per row, a letter per seat (`-` not on sale, `a`, `h`,
    /// `s`; a space for a gap).
    fn rows_text(&self) -> String {
        self.snapshot.rows_text()
    }

    fn __repr__(&self) -> String {
        let c = self.snapshot.counts();
        format!(
            "SeatSnapshot(not_on_sale={}, available={}, held={}, sold={})",
            c.not_on_sale, c.available, c.held, c.sold
        )
    }
}
