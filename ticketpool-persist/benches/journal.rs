//! Journaled sales per second (Batched and Confirmed, 1/4/16 concurrent
//! customers) against the same sales without a journal, and the time to
//! recover a 1,000,000-event journal. Figures go in BENCHMARKS.md.
//!
//! The journal files live in the system temp dir (a real disk here), so
//! Confirmed pays for real `fsync`s. `TICKETPOOL_BENCH_DIR` overrides it.

use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use ticketpool_core::{
    BoundedPool, Consumer, Event, Journal, LockFreePool, Money, Name, Priority, Producer, Sale,
    Ticket, TicketId,
};
use ticketpool_persist::{Durability, DurableJournal, JournalConfig, SqliteStore, Store};

fn scratch() -> tempfile::TempDir {
    match std::env::var_os("TICKETPOOL_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("temp dir")
}

fn ticket(id: u64, names: &(Name, Name)) -> Ticket {
    Ticket {
        id: TicketId(id),
        ticket_type: names.0.clone(),
        vendor: names.1.clone(),
        base_price: Money::from_minor(5_000),
        released_at: SystemTime::now(),
    }
}

/// `customers` threads each sell `per_customer` tickets: release into a
/// shared pool, take one out, make the sale; with a journal, the release
/// and the sale are recorded as the box office would record them.
fn sell(
    customers: u64,
    per_customer: u64,
    journal: Option<&Arc<DurableJournal>>,
    first_id: u64,
) -> Duration {
    let pool = Arc::new(LockFreePool::<Ticket>::with_capacity(1024).unwrap());
    let start = Instant::now();
    let threads: Vec<_> = (0..customers)
        .map(|c| {
            let journal = journal.cloned();
            let vendor = Producer::new(Arc::clone(&pool));
            let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
            thread::spawn(move || {
                let names = (Name::from("standard"), Name::from("acme"));
                let who: Arc<str> = Arc::from(format!("customer{c}"));
                let base = first_id + c * per_customer;
                for id in base..base + per_customer {
                    let released = ticket(id, &names);
                    if let Some(journal) = &journal {
                        journal
                            .record(&Event::Released {
                                ticket: released.clone(),
                            })
                            .unwrap();
                    }
                    vendor.release(released).unwrap();
                    let taken = customer.take().unwrap();
                    let sale = Sale {
                        price: taken.base_price,
                        ticket: taken,
                        customer: Arc::clone(&who),
                        priority: Priority::Regular,
                        sold_at: SystemTime::now(),
                        waited: Duration::ZERO,
                        hold: None,
                    };
                    if let Some(journal) = &journal {
                        journal.record(&Event::Sold { sale }).unwrap();
                    } else {
                        std::hint::black_box(sale);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    if let Some(journal) = journal {
        // Batched: the figure counts sales committed, not just queued.
        journal.flush().unwrap();
    }
    start.elapsed()
}

fn journaled_sales(c: &mut Criterion) {
    let mut group = c.benchmark_group("journaled_sales");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    for customers in [1_u64, 4, 16] {
        group.throughput(Throughput::Elements(customers));
        group.bench_with_input(
            BenchmarkId::new("no_journal", customers),
            &customers,
            |b, &customers| {
                b.iter_custom(|iters| sell(customers, iters, None, 0));
            },
        );
        for (name, durability) in [
            ("batched", Durability::Batched),
            ("confirmed", Durability::Confirmed),
        ] {
            let dir = scratch();
            let store = SqliteStore::open(dir.path().join("bench.db")).unwrap();
            let journal =
                Arc::new(DurableJournal::start(store, JournalConfig::new(durability)).unwrap());
            let mut next_id = 0;
            group.bench_with_input(
                BenchmarkId::new(format!("sqlite_{name}"), customers),
                &customers,
                |b, &customers| {
                    b.iter_custom(|iters| {
                        let elapsed = sell(customers, iters, Some(&journal), next_id);
                        next_id += customers * iters;
                        elapsed
                    });
                },
            );
        }
    }
    group.finish();
}

/// A journal of `events` events: 60% releases, 40% sales, in groups of
/// 10,000 per transaction.
fn build_journal(path: &PathBuf, events: u64) {
    let mut store = SqliteStore::open(path).unwrap();
    store.set_durability(Durability::Batched).unwrap();
    let names = (Name::from("standard"), Name::from("acme"));
    let who: Arc<str> = Arc::from("customer");
    let releases = events * 6 / 10;
    let mut batch = Vec::with_capacity(10_000);
    let mut outcomes = Vec::new();
    let mut flush = |batch: &mut Vec<Event>| {
        store.append(batch, &mut outcomes).unwrap();
        outcomes.clear();
        batch.clear();
    };
    for id in 0..releases {
        batch.push(Event::Released {
            ticket: ticket(id, &names),
        });
        if batch.len() == 10_000 {
            flush(&mut batch);
        }
    }
    for id in 0..events - releases {
        batch.push(Event::Sold {
            sale: Sale {
                ticket: ticket(id * 3 / 2, &names),
                customer: Arc::clone(&who),
                priority: Priority::Vip,
                price: Money::from_minor(5_000),
                sold_at: SystemTime::now(),
                waited: Duration::ZERO,
                hold: None,
            },
        });
        if batch.len() == 10_000 {
            flush(&mut batch);
        }
    }
    flush(&mut batch);
}

fn recovery(c: &mut Criterion) {
    const EVENTS: u64 = 1_000_000;
    let dir = scratch();
    let path = dir.path().join("million.db");
    build_journal(&path, EVENTS);
    let mut group = c.benchmark_group("recovery");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("sqlite_1m_events", |b| {
        b.iter(|| {
            let state = SqliteStore::open(&path).unwrap().recover().unwrap();
            assert_eq!(
                state.sales.len() as u64 + state.unsold.len() as u64,
                state.released
            );
            state
        });
    });
    group.finish();
}

/// criterion's generated `benches()` carries no doc of its own.
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::journaled_sales, super::recovery);
}
criterion_main!(group::benches);
