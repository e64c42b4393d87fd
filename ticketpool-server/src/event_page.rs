//! The event page (`GET /api/events/{id}`) as last built, per event.
//!
//! Its JSON is a function of the event, its venue, its performers and the
//! office's snapshot, nothing else (no clock). Each request still reads
//! all four, as before; if they equal what the cached body was built
//! from, the body is answered as is, else it is rebuilt and kept. So a
//! page is never stale: a sale, a hold, a price step or an admin's edit
//! changes the snapshot or the event, and the next read rebuilds. What is
//! saved is building and serialising the JSON on a page that did not
//! change, the common case when many fans watch one event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use ticketpool_catalog::{Catalog, Event, EventId, Performer, Venue};
use ticketpool_core::Snapshot;

use crate::views::event_detail;

/// What a page shows, read from the catalog and the office.
#[derive(PartialEq)]
struct Inputs {
    event: Event,
    venue: Option<Venue>,
    performers: Vec<Performer>,
    snapshot: Option<Snapshot>,
}

struct Page {
    inputs: Inputs,
    body: Bytes,
}

/// The last page built for each event.
#[derive(Default)]
pub(crate) struct EventPages {
    pages: Mutex<HashMap<EventId, Arc<Page>>>,
}

impl EventPages {
    /// `event`'s page as JSON bytes: the one kept if nothing it shows
    /// changed, else a new one (kept for the next read).
    pub(crate) fn page(&self, catalog: &Catalog, event: Event) -> Bytes {
        let inputs = Inputs {
            venue: catalog.venue(event.venue).ok(),
            performers: event
                .performers
                .iter()
                .filter_map(|id| catalog.performer(*id).ok())
                .collect(),
            snapshot: catalog.availability(event.id).ok(),
            event,
        };
        let id = inputs.event.id;
        let kept = self
            .pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        if let Some(page) = kept.filter(|page| page.inputs == inputs) {
            return page.body.clone();
        }
        let view = event_detail(catalog, &inputs.event, inputs.snapshot.as_ref());
        // A `Value` always serialises.
        let body = Bytes::from(serde_json::to_vec(&view).unwrap_or_default());
        let page = Arc::new(Page {
            inputs,
            body: body.clone(),
        });
        self.pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, page);
        body
    }
}
