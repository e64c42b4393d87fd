//! Shared fixtures: a catalog with a venue and a performer, and events.
#![allow(dead_code)] // each test file uses part of it

use std::time::Duration;

use ticketpool_catalog::*;
use ticketpool_core::{BoxOfficeConfig, Money};

/// How long a test waits for a change to become searchable: a guard
/// against a hang, never reached when things work, even with every core
/// busy. Not the 1 s freshness target: a timed assertion would flake on
/// a loaded machine, so the benchmark measures that (BENCHMARKS.md).
pub const SEARCHABLE: Duration = Duration::from_secs(30);

pub struct Fixture {
    pub store: MemoryStore,
    pub catalog: Catalog,
    pub venue: VenueId,
    pub performer: PerformerId,
}

pub fn fixture() -> Fixture {
    let store = MemoryStore::new();
    let catalog = Catalog::open(store.clone()).unwrap();
    let venue = catalog.add_venue(venue("Olympia", "Paris", 1_000)).unwrap();
    let performer = catalog
        .add_performer(NewPerformer {
            name: "Miles Davis Quintet".into(),
            description: "Modal jazz".into(),
        })
        .unwrap();
    Fixture {
        store,
        catalog,
        venue,
        performer,
    }
}

pub fn venue(name: &str, city: &str, capacity: u64) -> NewVenue {
    NewVenue {
        name: name.into(),
        city: city.into(),
        capacity,
    }
}

pub fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

/// A draft at `venue`, 100 tickets of one type.
pub fn new_event(name: &str, venue: VenueId, starts_at: &str) -> NewEvent {
    NewEvent {
        name: name.into(),
        description: String::new(),
        performers: Vec::new(),
        venue,
        starts_at: at(starts_at),
        time_zone: DisplayZone::utc(),
        categories: Vec::new(),
        office: BoxOfficeConfig::simple("x", 100, 10, Money::from_minor(2_000)),
    }
}

/// Searchable within the second, or the test fails.
pub fn settle(catalog: &Catalog) {
    assert!(
        catalog.wait_searchable(SEARCHABLE).unwrap(),
        "a change was not searchable within {SEARCHABLE:?}"
    );
}

pub fn ids(results: &SearchResults) -> Vec<EventId> {
    results.hits.iter().map(|hit| hit.event).collect()
}
