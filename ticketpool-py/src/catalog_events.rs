//! The bodies of `Catalog`'s event changes: create, update and the life
//! cycle (on sale, pause, resume, cancel). Arguments arrive checked and
//! converted; each change runs without the GIL, as it writes to the store.

use pyo3::prelude::*;
use ticketpool_catalog::{
    Catalog as CoreCatalog, CatalogError, EventId, EventUpdate, NewEvent, PerformerId, VenueId,
};

use crate::catalog::PyCatalog;
use crate::catalog_args::EventArgs;
use crate::catalog_errors::catalog_error;
use crate::catalog_values::PyEvent;

impl PyCatalog {
    pub(crate) fn create_event(
        &self,
        py: Python<'_>,
        name: String,
        description: String,
        args: EventArgs,
    ) -> PyResult<PyEvent> {
        let open = self.get(py)?;
        let new = NewEvent {
            name,
            description,
            performers: args.performers.into_iter().map(PerformerId).collect(),
            venue: VenueId(args.venue),
            starts_at: args.starts_at,
            time_zone: args.time_zone,
            categories: args.categories,
            office: args.office,
        };
        let id = py
            .detach(|| open.catalog.create_event(new))
            .map_err(|e| catalog_error(py, e))?;
        self.read_event(py, id)
    }

    pub(crate) fn change_event(
        &self,
        py: Python<'_>,
        event: u64,
        update: EventUpdate,
    ) -> PyResult<PyEvent> {
        let open = self.get(py)?;
        let id = EventId(event);
        py.detach(|| open.catalog.update_event(id, update))
            .map_err(|e| catalog_error(py, e))?;
        self.read_event(py, id)
    }

    /// Runs one life-cycle step on `event`; returns the event after it.
    pub(crate) fn lifecycle(
        &self,
        py: Python<'_>,
        event: u64,
        step: fn(&CoreCatalog, EventId) -> Result<(), CatalogError>,
    ) -> PyResult<PyEvent> {
        let open = self.get(py)?;
        let id = EventId(event);
        py.detach(|| step(&open.catalog, id))
            .map_err(|e| catalog_error(py, e))?;
        self.read_event(py, id)
    }

    pub(crate) fn read_event(&self, py: Python<'_>, id: EventId) -> PyResult<PyEvent> {
        let open = self.get(py)?;
        open.catalog
            .event(id)
            .map(PyEvent)
            .map_err(|e| catalog_error(py, e))
    }
}
