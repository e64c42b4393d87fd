//! Reopening a catalog of 1,000 events on sale (rows, offices, search
//! index) from SQLite, against the same catalog from the in-memory store
//! in the same run: what the durable store adds to a restart. Then the
//! issue's target: the same 1,000 events with 1,000 sales each, their
//! offices on journals restored on reopen: kept as a [`CatalogDir`] keeps
//! them (`sqlite_one_db`: every event's sales in the catalog's database),
//! against the earlier layout in the same run (`sqlite`: a journal file
//! per event through [`catalog_offices`]). Figures go in BENCHMARKS.md.

use std::time::Duration;

use criterion::{criterion_main, BenchmarkId, Criterion};
use std::path::Path;

use ticketpool_catalog::{
    Catalog, CatalogOptions, CatalogStore, DisplayZone, EventId, MemoryStore, NewEvent, NewVenue,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
use ticketpool_persist::{catalog_offices, CatalogDir, Durability, JournalConfig, SqliteStore};

const EVENTS: usize = 1_000;

const SALES: usize = 1_000;

/// The catalog in `dir`, each event's office on its own journal file.
fn journaled(dir: &Path) -> Catalog {
    let events = dir.to_path_buf();
    let offices = catalog_offices(
        move |id: EventId| SqliteStore::open(events.join(format!("event-{}.db", id.0))),
        JournalConfig::per_event(Durability::Batched),
    );
    let options = CatalogOptions {
        offices: Some(offices),
        ..CatalogOptions::default()
    };
    Catalog::open_with(SqliteStore::open(dir.join("catalog.db")).unwrap(), options).unwrap()
}

/// Fills `store` with `EVENTS` events on sale.
fn fill(store: impl CatalogStore + 'static) {
    fill_catalog(&Catalog::open(store).unwrap(), 0);
}

/// `EVENTS` events on sale in `catalog`, each with `sales` tickets sold;
/// returns the last one's id.
fn fill_catalog(catalog: &Catalog, sales: usize) -> EventId {
    let venue = catalog
        .add_venue(NewVenue {
            name: "Arena".into(),
            city: "Leeds".into(),
            capacity: 100_000,
        })
        .unwrap();
    let mut last = EventId(0);
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
        if sales > 0 {
            let office = catalog.office(id).unwrap();
            let vendor = office.add_vendor("desk", &[]).unwrap();
            let fan = office.customer("fan", Priority::Regular);
            for _ in 0..sales {
                vendor.release("general").unwrap();
                fan.buy(Want::Any).unwrap();
            }
        }
        last = id;
    }
    last
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

    let dir = tempfile::tempdir().unwrap();
    let last = fill_catalog(&journaled(dir.path()), SALES);
    let mut group = c.benchmark_group("catalog_reopen_with_sales");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function(BenchmarkId::new("sqlite", "1000x1000"), |b| {
        b.iter(|| {
            let catalog = journaled(dir.path());
            assert_eq!(catalog.office(last).unwrap().sales_count(), SALES);
            catalog.event_count()
        })
    });
    let one = tempfile::tempdir().unwrap();
    let one_db = CatalogDir::new(one.path()).with_durability(Durability::Batched);
    let last = fill_catalog(&one_db.open(CatalogOptions::default()).unwrap(), SALES);
    group.bench_function(BenchmarkId::new("sqlite_one_db", "1000x1000"), |b| {
        b.iter(|| {
            let catalog = one_db.open(CatalogOptions::default()).unwrap();
            assert_eq!(catalog.office(last).unwrap().sales_count(), SALES);
            catalog.event_count()
        })
    });
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    recovery(&mut c);
}

criterion_main!(benches);
