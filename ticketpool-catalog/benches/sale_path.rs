//! The per-ticket sale path of one event through the catalog against a
//! lone `BoxOffice`, in the same run (issue 15: "no slower than a lone
//! `BoxOffice`").
//!
//! Per shape (vendors x customers), group `sale-path-VxC` has two
//! functions moving the same [`TICKETS`] per iteration, vendors
//! `release`, customers `buy`, with the same configuration and threads:
//!
//! - `lone`: a `BoxOffice` built from the configuration;
//! - `catalog`: the office of an event of a `Catalog` (memory store),
//!   created and put on sale, then fetched with `Catalog::office`.
//!
//! Each iteration gets a fresh office (a fresh catalog of one event for
//! `catalog`), dropped after it; only the sale is timed. Half the
//! customers are VIPs. Outside `--test`, each shape is first run by hand
//! as 41 pairs (lone, catalog) alternating, and the median ratio printed:
//! on a shared machine the load drifts between criterion's rows.
//!
//! `cargo bench -p ticketpool-catalog --bench sale_path`.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use ticketpool_catalog::{Catalog, DisplayZone, MemoryStore, NewEvent, NewVenue};
use ticketpool_core::{BoxOffice, BoxOfficeConfig, Money, Priority};

/// Tickets moved per iteration in every row, so rows compare.
const TICKETS: usize = 20_000;
/// The office's `max_capacity`.
const CAPACITY: usize = 64;
/// (vendors, customers).
const SHAPES: [(usize, usize); 2] = [(1, 1), (2, 2)];
/// The event's name, which the catalog also gives its office.
const NAME: &str = "show";

/// The configuration both offices are built from.
fn config() -> BoxOfficeConfig {
    BoxOfficeConfig::simple(NAME, TICKETS as u64, CAPACITY, Money::from_minor(2_000))
}

fn priority(i: usize) -> Priority {
    if i.is_multiple_of(2) {
        Priority::Vip
    } else {
        Priority::Regular
    }
}

/// Splits `total` into `parts` shares that add up to it.
fn share(total: usize, parts: usize, i: usize) -> usize {
    total / parts + usize::from(i < total % parts)
}

/// The office of the one event of a new catalog (memory store), on sale,
/// with the catalog that owns it. Waits until the event is indexed, so the
/// indexer does not run during the timed sale; the caller drops both after
/// the sale, as the lone office is dropped: neither row keeps old offices
/// (their threads and sold tickets) alive.
fn catalog_office() -> (Catalog, Arc<BoxOffice>) {
    let catalog = Catalog::open(MemoryStore::new()).expect("an empty catalog opens");
    let venue = catalog
        .add_venue(NewVenue {
            name: "Arena".into(),
            city: "Leeds".into(),
            capacity: TICKETS as u64,
        })
        .expect("a valid venue");
    let id = catalog
        .create_event(NewEvent {
            name: NAME.into(),
            description: "the sale path bench".into(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-01-01T20:00:00Z".parse().expect("a valid time"),
            time_zone: DisplayZone::utc(),
            categories: vec!["bench".into()],
            office: config(),
        })
        .expect("a valid event");
    catalog.put_on_sale(id).expect("a draft goes on sale");
    let indexed = catalog
        .wait_searchable(Duration::from_secs(60))
        .expect("the indexer commits");
    assert!(indexed, "the event is searchable before the sale starts");
    let office = catalog.office(id).expect("an event on sale has an office");
    (catalog, office)
}

/// `vendors` release [`TICKETS`] tickets in all on `office`, `customers`
/// buy their share each, started together; returns the time from the
/// start until the last one finished. Every sale is checked.
fn sell(office: &BoxOffice, vendors: usize, customers: usize) -> Duration {
    let mut workers: Vec<Box<dyn FnOnce() + Send>> = Vec::new();
    for v in 0..vendors {
        let vendor = office
            .add_vendor(&format!("v{v}"), &[])
            .expect("new vendor");
        workers.push(Box::new(move || {
            for _ in 0..share(TICKETS, vendors, v) {
                vendor.release("general").expect("within the event's size");
            }
        }));
    }
    for c in 0..customers {
        let customer = office.customer(&format!("c{c}"), priority(c));
        workers.push(Box::new(move || {
            for _ in 0..share(TICKETS, customers, c) {
                customer
                    .buy("general")
                    .expect("a ticket for every customer");
            }
        }));
    }
    let start = Arc::new(Barrier::new(workers.len() + 1));
    let handles: Vec<_> = workers
        .into_iter()
        .map(|work| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                work();
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    for handle in handles {
        handle.join().expect("bench worker panicked");
    }
    let elapsed = began.elapsed();
    assert_eq!(office.sales_count(), TICKETS, "every ticket sold once");
    elapsed
}

/// The median of `values` (sorted here).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `pairs` sales on a lone office and on a catalog's, alternating, so
/// both see the same machine load; prints the median of each and the
/// median of the per-pair ratios (catalog / lone), which criterion's
/// separate rows cannot give on a shared machine.
fn paired(vendors: usize, customers: usize, pairs: usize) {
    let (mut lone, mut catalog, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..pairs {
        let office = BoxOffice::new(config()).expect("a valid config");
        let alone = sell(&office, vendors, customers).as_secs_f64();
        drop(office);
        let (_catalog, office) = catalog_office();
        let through = sell(&office, vendors, customers).as_secs_f64();
        lone.push(alone * 1e3);
        catalog.push(through * 1e3);
        ratios.push(through / alone);
    }
    eprintln!(
        "sale-path-{vendors}x{customers} paired x{pairs}: lone median {:.2} ms, \
         catalog median {:.2} ms, median ratio catalog/lone {:.2}",
        median(&mut lone),
        median(&mut catalog),
        median(&mut ratios)
    );
}

fn bench(c: &mut Criterion) {
    let testing = std::env::args().any(|arg| arg == "--test");
    for (vendors, customers) in SHAPES {
        if !testing {
            paired(vendors, customers, 41);
        }
        let mut group = c.benchmark_group(format!("sale-path-{vendors}x{customers}"));
        group
            .throughput(Throughput::Elements(TICKETS as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(4));
        group.bench_function("lone", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let office = BoxOffice::new(config()).expect("a valid config");
                        sell(&office, vendors, customers)
                    })
                    .sum()
            })
        });
        group.bench_function("catalog", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let (_catalog, office) = catalog_office();
                        sell(&office, vendors, customers)
                    })
                    .sum()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
