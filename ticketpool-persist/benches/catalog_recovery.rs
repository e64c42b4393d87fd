//! Reopening a catalog of 1,000 events on sale (rows, offices, search
//! index) from SQLite, against the same catalog from the in-memory store
//! in the same run: what the durable store adds to a restart. Sales are
//! not in it yet (one journal holds one event's sales until events get
//! their id in the journal's rows). Figures go in BENCHMARKS.md.

use std::time::Duration;

use criterion::{criterion_main, BenchmarkId, Criterion};
use ticketpool_catalog::{Catalog, CatalogStore, DisplayZone, MemoryStore, NewEvent, NewVenue};
use ticketpool_core::{BoxOfficeConfig, Money};
use ticketpool_persist::SqliteStore;

const EVENTS: usize = 1_000;

/// Fills `store` with `EVENTS` events on sale.
fn fill(store: impl CatalogStore + 'static) {
    let catalog = Catalog::open(store).unwrap();
    let venue = catalog
        .add_venue(NewVenue {
            name: "Arena".into(),
            city: "Leeds".into(),
            capacity: 100_000,
        })
        .unwrap();
    for n in 0..EVENTS {
        let id = catalog
            .create_event(NewEvent {
                name: format!("show {n}"),
                description: "a night out".into(),
                performers: Vec::new(),
                venue,
                starts_at: "2030-01-01T20:00:00Z".parse().unwrap(),
                time_zone: DisplayZone::utc(),
                categories: vec!["rock".into()],
                office: BoxOfficeConfig::simple("show", 1_000, 64, Money::from_minor(2_000)),
            })
            .unwrap();
        catalog.put_on_sale(id).unwrap();
    }
}

fn recovery(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    fill(SqliteStore::open(&path).unwrap());
    let memory = MemoryStore::new();
    fill(memory.clone());

    let mut group = c.benchmark_group("catalog_reopen");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function(BenchmarkId::new("memory", EVENTS), |b| {
        b.iter(|| Catalog::open(memory.clone()).unwrap().event_count())
    });
    group.bench_function(BenchmarkId::new("sqlite", EVENTS), |b| {
        b.iter(|| {
            Catalog::open(SqliteStore::open(&path).unwrap())
                .unwrap()
                .event_count()
        })
    });
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    recovery(&mut c);
}

criterion_main!(benches);
