//! What the catalog's reads and writes cost with 100,000 events (issue 15:
//! search p99 under 20 ms, "popular now" under 1 ms, creating an event
//! under 5 ms).
//!
//! - `catalog/search`: one search per iteration, cycling through 500
//!   generated queries (a third with a typo, half filtered); and
//!   `catalog/search-while-selling`, the same while one thread sells
//!   tickets in the catalog's offices, one thread selling flat out. Outside `--test`, each is also run
//!   2,000 times by hand first to print p50/p99, which criterion does not
//!   report.
//! - `catalog/popular-now`: the cached ranking (what a page view pays);
//!   `catalog/popular-sample`: a read that finds a sample due and samples
//!   every open office first (what one read per bucket pays).
//! - `catalog/create-event`: one draft created (validated, stored, queued
//!   for the index) in the 100,000-event catalog.
//!
//! `cargo bench -p ticketpool-catalog --bench catalog`. In criterion's
//! `--test` mode the catalog has 2,000 events, so the test run stays fast.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use ticketpool_catalog::*;
use ticketpool_core::Priority;

mod generate;

use generate::Size;

fn size() -> Size {
    if std::env::args().any(|arg| arg == "--test") {
        Size {
            events: 2_000,
            on_sale: 50,
        }
    } else {
        Size {
            events: 100_000,
            on_sale: 1_000,
        }
    }
}

/// Sells in every on-sale office, one ticket at a time, from one thread
/// until `stop`: the load the search runs under in `search-while-selling`
/// (one thread of two cores; more would measure the scheduler).
fn sellers(
    catalog: &Arc<Catalog>,
    on_sale: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<thread::JoinHandle<u64>> {
    (0..1)
        .map(|worker| {
            let (catalog, stop) = (Arc::clone(catalog), Arc::clone(stop));
            thread::spawn(move || {
                let mut sold = 0;
                let mut i = worker;
                while !stop.load(Ordering::Relaxed) {
                    let id = EventId((i % on_sale) as u64 + 1);
                    let office = catalog.office(id).unwrap();
                    let desk = office
                        .vendor("desk")
                        .or_else(|_| office.add_vendor("desk", &[]));
                    if let Ok(desk) = desk {
                        if desk.try_release("general").is_ok()
                            && office
                                .customer("fan", Priority::Regular)
                                .try_buy("general")
                                .is_ok()
                        {
                            sold += 1;
                        }
                    }
                    i += 1;
                }
                sold
            })
        })
        .collect()
}

/// p50 and p99 of `runs` searches, by hand.
fn percentiles(catalog: &Catalog, queries: &[SearchQuery], runs: usize) -> (Duration, Duration) {
    let mut took: Vec<Duration> = (0..runs)
        .map(|i| {
            let began = Instant::now();
            black_box(catalog.search(&queries[i % queries.len()]).unwrap());
            began.elapsed()
        })
        .collect();
    took.sort();
    (took[runs / 2], took[runs * 99 / 100])
}

fn bench(c: &mut Criterion) {
    let size = size();
    let testing = size.events < 100_000;
    let words = generate::vocabulary(400);
    let (catalog, opened) = generate::catalog(size, &words);
    let catalog = Arc::new(catalog);
    eprintln!(
        "opened {} events (index rebuilt) in {opened:.2?}",
        size.events
    );
    let queries = generate::queries(500, &words);
    let found: usize = queries
        .iter()
        .map(|q| catalog.search(q).unwrap().total)
        .sum();
    eprintln!("the {} queries match {found} events in all", queries.len());

    let mut group = c.benchmark_group("catalog");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    if !testing {
        let (p50, p99) = percentiles(&catalog, &queries, 2_000);
        eprintln!("search, idle: p50 {p50:.2?} p99 {p99:.2?}");
    }
    let mut next = 0;
    group.bench_function("search", |b| {
        b.iter(|| {
            next = (next + 1) % queries.len();
            black_box(catalog.search(&queries[next]).unwrap())
        })
    });

    let stop = Arc::new(AtomicBool::new(false));
    let selling = sellers(&catalog, size.on_sale, &stop);
    if !testing {
        let (p50, p99) = percentiles(&catalog, &queries, 2_000);
        eprintln!("search, while selling: p50 {p50:.2?} p99 {p99:.2?}");
    }
    group.bench_function("search-while-selling", |b| {
        b.iter(|| {
            next = (next + 1) % queries.len();
            black_box(catalog.search(&queries[next]).unwrap())
        })
    });
    stop.store(true, Ordering::Relaxed);
    let sold: u64 = selling.into_iter().map(|s| s.join().unwrap()).sum();
    eprintln!("sold {sold} tickets meanwhile");

    // Samples every bucket (5 s by default): nearly every read is cached.
    group.bench_function("popular-now", |b| {
        b.iter(|| black_box(catalog.popular_now(10)))
    });
    let window = PopularityWindow::default();
    let mut clock = Instant::now();
    group.bench_function("popular-sample", |b| {
        b.iter(|| {
            clock += window.bucket;
            black_box(catalog.popular_at(clock, 10))
        })
    });

    let venue = catalog.event(EventId(1)).unwrap().venue;
    let mut n = 0_u64;
    group.bench_function("create-event", |b| {
        b.iter(|| {
            n += 1;
            let new = NewEvent {
                name: format!("bench event {n}"),
                description: "created while measuring".into(),
                performers: Vec::new(),
                venue,
                starts_at: "2031-01-01T00:00:00Z".parse().unwrap(),
                time_zone: DisplayZone::utc(),
                categories: vec!["bench".into()],
                office: ticketpool_core::BoxOfficeConfig::simple(
                    "x",
                    100,
                    10,
                    ticketpool_core::Money::from_minor(1),
                ),
            };
            black_box(catalog.create_event(new).unwrap())
        })
    });
    group.finish();
    let began = Instant::now();
    catalog.wait_searchable(Duration::from_secs(600)).unwrap();
    eprintln!(
        "the {n} created events were searchable {:.2?} after the last",
        began.elapsed()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
