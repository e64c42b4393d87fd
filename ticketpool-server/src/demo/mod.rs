//! `ticketpool serve --demo`: a live sale for whoever opens the page.
//! An empty catalog gets a few events put on sale ([`seed`]); every event
//! on sale at start gets simulated fans ([`fans`]) buying through the
//! engine as named demo customers (`demo-fan-<event>-<n>-<k>`), so sales,
//! prices and availability move at once. Their sales are journaled like
//! any other.

mod fans;
pub(crate) mod seed;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{Catalog, CatalogError};
use ticketpool_core::Want;

use crate::state::every_event;

/// Fans per event, and the slowest fan's attempts per second (the others
/// go up by half that each): about seven sales a second per event, so the
/// demo sale lasts most of an hour.
const FANS_PER_EVENT: usize = 4;
const ATTEMPTS_PER_SECOND: f64 = 1.0;

/// How long the start waits for search to see the demo events.
const SEARCHABLE_WITHIN: Duration = Duration::from_secs(5);

/// The running fans; [`stop`](Self::stop) ends them.
pub(crate) struct Demo {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Demo {
    /// Seeds `catalog` if it has no events, then starts fans on every
    /// event on sale. Blocks on the store: call it off the async threads.
    ///
    /// # Errors
    ///
    /// The catalog refused the demo events.
    pub(crate) fn start(catalog: &Catalog) -> Result<Self, CatalogError> {
        if every_event(catalog).is_empty() {
            let seeded = seed::seed(catalog, Timestamp::now())?;
            // Searchable before the first visitor asks, as an admin's
            // events are; past the wait they still show up moments later.
            if !catalog.wait_searchable(SEARCHABLE_WITHIN)? {
                tracing::warn!(target: "ticketpool", "demo: search lags behind the new events");
            }
            tracing::info!(target: "ticketpool", "demo: {seeded} events put on sale");
        }
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for event in every_event(catalog) {
            let Ok(office) = catalog.office(event.id) else {
                continue;
            };
            if office.is_closed() {
                continue;
            }
            let types: Vec<String> = event
                .office
                .ticket_types
                .iter()
                .map(|t| t.name.clone())
                .collect();
            for index in 0..FANS_PER_EVENT {
                // Each type has its fans, so every line on the charts
                // moves; the last fan takes any type.
                let want = match types.get(index) {
                    Some(name) if index + 1 < FANS_PER_EVENT => Want::from(name.as_str()),
                    _ => Want::Any,
                };
                // Staggered rates, so the lines on the charts differ.
                let rate = ATTEMPTS_PER_SECOND * (1.0 + index as f64 / 2.0);
                let fan = fans::Fan {
                    event: event.id.0,
                    index,
                    interval: Duration::from_secs_f64(1.0 / rate),
                    want,
                };
                match fans::spawn(Arc::clone(&office), fan, Arc::clone(&stop)) {
                    Ok(thread) => threads.push(thread),
                    Err(error) => {
                        tracing::error!(target: "ticketpool", "demo: cannot start a fan: {error}");
                    }
                }
            }
        }
        Ok(Self { stop, threads })
    }

    /// How many fans run.
    pub(crate) fn fans(&self) -> usize {
        self.threads.len()
    }

    /// Stops the fans and waits for them (within their poll interval).
    pub(crate) fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in std::mem::take(&mut self.threads) {
            let _ = thread.join();
        }
    }
}

impl Drop for Demo {
    /// Dropped without [`stop`](Self::stop) (a start that failed later):
    /// the fans still end, on their own.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
