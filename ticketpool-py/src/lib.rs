//! Python bindings for ticketpool: the `ticketpool._ticketpool` extension
//! module, re-exported by the pure-Python `ticketpool` package.
//!
//! - `Pool`: a bounded pool of Python objects in the `queue.Queue` style,
//!   with VIP `get` (module `pool`).
//! - `BoxOffice`, `Vendor`, `Customer`, `Hold` (module `office`);
//!   `Subscription` (module `subscription`), whose events and snapshots
//!   become `ticketpool.events` / `ticketpool.snapshot` values (`events`);
//!   `Ticket` and `Sale` values (module `values`).
//! - `simulate()` (module `simulate`) and its `Report` (module `report`).
//! - The exception hierarchy (module `errors`).
//! - `Catalog` with its `Venue`, `Performer`, `Event`, search and "my
//!   tickets" values and its exceptions (modules `catalog*`).
//!
//! - `SeatMap`, `Seat`, `SeatedSale`, `SeatHold`, `SeatSnapshot`,
//!   `SeatCounts` (module `seats`) and the seat exceptions (`seat_errors`):
//!   seat maps, all-or-nothing holds and best-available (issue 17);
//!   `simulate_seated()` (module `seated_sim`), the seated scenario.
//!
//! Every blocking call releases the GIL and, on the main thread, wakes every
//! 50 ms to let Ctrl-C through (module `wait`). The type stubs are hand-written in
//! `python/ticketpool/_ticketpool.pyi` and checked by `mypy.stubtest`.

mod args;
mod catalog;
mod catalog_args;
mod catalog_errors;
mod catalog_events;
mod catalog_reading;
mod catalog_store;
mod catalog_time;
mod catalog_values;
mod errors;
mod events;
mod office;
mod pool;
mod report;
mod seat_errors;
mod seated_sim;
mod seats;
mod simulate;
mod subscription;
mod tasks;
mod values;
mod wait;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _ticketpool(module: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::Exceptions::register(module)?;
    module.add_class::<pool::Pool>()?;
    module.add_class::<office::BoxOffice>()?;
    module.add_class::<office::Vendor>()?;
    module.add_class::<office::Customer>()?;
    module.add_class::<office::Hold>()?;
    module.add_class::<subscription::Subscription>()?;
    module.add_class::<report::Report>()?;
    module.add_function(wrap_pyfunction!(simulate::simulate, module)?)?;
    module.add_class::<values::PyTicket>()?;
    module.add_class::<values::PySale>()?;
    module.add_function(wrap_pyfunction!(values::_ticket_from_json, module)?)?;
    module.add_function(wrap_pyfunction!(values::_sale_from_json, module)?)?;
    // The catalog (issue 15): modules catalog*.
    catalog_errors::CatalogExceptions::register(module)?;
    module.add_class::<catalog::PyCatalog>()?;
    module.add_class::<catalog_values::PyVenue>()?;
    module.add_class::<catalog_values::PyPerformer>()?;
    module.add_class::<catalog_values::PyEvent>()?;
    module.add_class::<catalog_values::PySearchHit>()?;
    module.add_class::<catalog_values::PySearchResults>()?;
    module.add_class::<catalog_values::PyPopular>()?;
    module.add_class::<catalog_values::PyBookedTicket>()?;
    // Seats (issue 17): modules seats and seat_errors.
    seat_errors::SeatExceptions::register(module)?;
    module.add_class::<seats::PySeatMap>()?;
    module.add_class::<seats::PySeat>()?;
    module.add_class::<seats::PySeatedSale>()?;
    module.add_class::<seats::PySeatHold>()?;
    module.add_class::<seats::PySeatCounts>()?;
    module.add_class::<seats::PySeatSnapshot>()?;
    module.add_function(wrap_pyfunction!(seated_sim::simulate_seated, module)?)?;
    Ok(())
}
