//! The bodies of `Catalog`'s reads that build lists of Python objects:
//! search pages, "popular now" and "my tickets". Each fetches the events
//! it names once, so a hit or a ticket carries the event itself.

use pyo3::prelude::*;
use ticketpool_catalog::{EventId, SearchQuery};

use crate::catalog::{event_ids, PyCatalog};
use crate::catalog_errors::catalog_error;
use crate::catalog_store::my_tickets;
use crate::catalog_values::{PyBookedTicket, PyPopular, PySearchHit, PySearchResults};

impl PyCatalog {
    pub(crate) fn run_search(
        &self,
        py: Python<'_>,
        query: SearchQuery,
        page: usize,
        per_page: usize,
    ) -> PyResult<PySearchResults> {
        let open = self.get(py)?;
        let found = py
            .detach(|| open.catalog.search(&query))
            .map_err(|e| catalog_error(py, e))?;
        let hits = found
            .hits
            .iter()
            .map(|hit| {
                let event = Py::new(py, self.read_event(py, hit.event)?)?;
                Py::new(
                    py,
                    PySearchHit {
                        event,
                        score: hit.score,
                    },
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PySearchResults {
            hits,
            total: found.total,
            page,
            per_page,
        })
    }

    pub(crate) fn ranked(&self, py: Python<'_>, limit: usize) -> PyResult<Vec<PyPopular>> {
        let open = self.get(py)?;
        open.catalog
            .popular_now(limit)
            .into_iter()
            .map(|popular| {
                Ok(PyPopular {
                    event: Py::new(py, self.read_event(py, popular.event)?)?,
                    sold_in_window: popular.sold_in_window,
                })
            })
            .collect()
    }

    pub(crate) fn booked(
        &self,
        py: Python<'_>,
        customer: &str,
        limit: usize,
    ) -> PyResult<Vec<PyBookedTicket>> {
        let open = self.get(py)?;
        let events = event_ids(&open.catalog);
        let booked = py
            .detach(|| my_tickets(&open.catalog, &open.backing, &events, customer, limit))
            .map_err(|e| catalog_error(py, e))?;
        let mut events: std::collections::HashMap<EventId, Py<_>> = Default::default();
        booked
            .into_iter()
            .map(|b| {
                let event = match events.get(&b.event) {
                    Some(event) => event.clone_ref(py),
                    None => {
                        let event = Py::new(py, self.read_event(py, b.event)?)?;
                        events.insert(b.event, event.clone_ref(py));
                        event
                    }
                };
                Ok(PyBookedTicket {
                    event,
                    ticket: b.ticket,
                    ticket_type: b.ticket_type,
                    vendor: b.vendor,
                    price: b.price,
                    sold_at: b.sold_at,
                })
            })
            .collect()
    }
}
