//! Rebuilding the offices of a reopened catalog on a few threads at once:
//! each office is opened on its own journal (files, a database read, a
//! writer thread started), so one after the other a catalog of 1,000
//! events spent most of its reopen waiting on them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use parking_lot::Mutex;
use ticketpool_core::BoxOffice;

use super::Catalog;
use crate::error::CatalogError;
use crate::model::Event;

/// At most this many offices are built at once: enough to overlap one
/// office's I/O with another's work, few enough not to swamp the store.
const MAX_BUILDERS: usize = 8;

impl Catalog {
    /// The office of each of `events`, in their order, built by up to
    /// [`MAX_BUILDERS`] threads (one when there is little to share).
    pub(super) fn build_offices(&self, events: &[&Event]) -> Vec<Result<BoxOffice, CatalogError>> {
        let builders = thread::available_parallelism()
            .map_or(2, |n| n.get() * 2)
            .min(MAX_BUILDERS)
            .min(events.len());
        if builders <= 1 {
            return events
                .iter()
                .map(|event| self.build_office(event))
                .collect();
        }
        let next = AtomicUsize::new(0);
        let built: Vec<Mutex<Option<Result<BoxOffice, CatalogError>>>> =
            events.iter().map(|_| Mutex::new(None)).collect();
        thread::scope(|scope| {
            for _ in 0..builders {
                scope.spawn(|| loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(event) = events.get(at) else { break };
                    *built[at].lock() = Some(self.build_office(event));
                });
            }
        });
        built
            .into_iter()
            .map(|slot| slot.into_inner().expect("every office was built"))
            .collect()
    }
}
