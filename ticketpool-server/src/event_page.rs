//! The event page (`GET /api/events/{id}`) as last built, per event.
//!
//! Its JSON is a function of the event, its venue, its performers, the
//! office's snapshot (but for the instant it was taken, which the page
//! does not show) and whether its venue has a seat map, nothing else. Each
//! request still reads all five; if they equal what the cached body was built
//! from, the body is answered as is, else it is rebuilt and kept. So a
//! page is never stale: a sale, a hold, a price step or an admin's edit
//! changes the snapshot or the event, and the next read rebuilds. What is
//! saved is building and serialising the JSON on a page that did not
//! change, the common case when many fans watch one event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::UNIX_EPOCH;

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
    /// The venue has a seat map (an admin may give it one at any time).
    seated: bool,
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
            snapshot: catalog.availability(event.id).ok().map(|mut snapshot| {
                // Not shown, and new at every read: it must not count as a change.
                snapshot.taken_at = UNIX_EPOCH;
                snapshot
            }),
            seated: catalog.is_seated(event.id),
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
        let view = event_detail(
            catalog,
            &inputs.event,
            inputs.snapshot.as_ref(),
            inputs.seated,
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use ticketpool_catalog::jiff::Timestamp;
    use ticketpool_catalog::CatalogOptions;
    use ticketpool_core::{Priority, Want};
    use ticketpool_persist::CatalogDir;

    #[test]
    fn an_unchanged_page_is_kept_and_a_change_rebuilds_it() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = CatalogDir::new(dir.path())
            .open(CatalogOptions::default())
            .unwrap();
        crate::demo::seed::seed(&catalog, Timestamp::now()).unwrap();
        let id = EventId(1);
        let pages = EventPages::default();
        let first = pages.page(&catalog, catalog.event(id).unwrap());
        let again = pages.page(&catalog, catalog.event(id).unwrap());
        assert_eq!(first.as_ptr(), again.as_ptr(), "kept, not rebuilt");

        // A ticket released changes the availability: a new page.
        let office = catalog.office(id).unwrap();
        let vendor = office.add_vendor("test-vendor", &[]).unwrap();
        let ticket_type = office.config().ticket_types[0].name.clone();
        vendor.release(&ticket_type).unwrap();
        let released = pages.page(&catalog, catalog.event(id).unwrap());
        assert_ne!(released.as_ptr(), first.as_ptr());
        let view: serde_json::Value = serde_json::from_slice(&released).unwrap();
        let before: serde_json::Value = serde_json::from_slice(&first).unwrap();
        assert_eq!(
            view["availability"]["available"].as_u64(),
            before["availability"]["available"].as_u64().map(|n| n + 1)
        );

        // A hold too.
        let hold = office
            .customer("ann", Priority::Regular)
            .try_reserve(Want::Any)
            .unwrap();
        let held = pages.page(&catalog, catalog.event(id).unwrap());
        let view: serde_json::Value = serde_json::from_slice(&held).unwrap();
        assert_eq!(view["availability"]["held"], 1);
        drop(hold);

        // A seat map given to its venue makes it seated: a new page too.
        assert_eq!(view["seated"], false);
        let map: ticketpool_seats::VenueConfig = serde_json::from_value(serde_json::json!({
            "name": "Hall",
            "tiers": {"std": 1000},
            "sections": [{"name": "Stalls", "tier": "std", "rows": "A", "seats": "1-4"}],
        }))
        .unwrap();
        let venue = catalog.event(id).unwrap().venue;
        catalog.set_seat_map(venue, map).unwrap();
        let seated = pages.page(&catalog, catalog.event(id).unwrap());
        let view: serde_json::Value = serde_json::from_slice(&seated).unwrap();
        assert_eq!(view["seated"], true);
    }
}
