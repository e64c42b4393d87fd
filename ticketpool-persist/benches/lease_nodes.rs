//! The aggregate sale rate of lease nodes (issue 18): one event sold out
//! by 1 node and by 3 nodes (threads of this process, a local office and
//! two PostgreSQL connections each), the same buyers in all, split evenly
//! over the nodes. Each iteration stocks a fresh event (not timed), starts
//! the nodes, then times the buyers from the first sale to the last
//! office closing. Needs PostgreSQL (127.0.0.1:5432 or
//! `TICKETPOOL_PG_URL`); without it the bench says so and measures nothing.
//! Figures go in BENCHMARKS.md ("Scale-out through PostgreSQL").

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postgres::{Client, NoTls};
use ticketpool_core::{
    BoxOfficeConfig, BoxOfficeError, Money, Priority, TicketId, TicketTypeConfig, Want,
};
use ticketpool_persist::{LeaseInventory, LeaseNode, LeaseNodeConfig, StockTicket};

/// Tickets per event.
const TICKETS: u64 = 3_000;

/// Buyers in all, split over the nodes.
const BUYERS: usize = 12;

fn params() -> String {
    std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "host=127.0.0.1 user=postgres dbname=test connect_timeout=3".into())
}

/// The bench's schema, emptied when the bench starts and dropped at the end.
struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&params(), NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.0));
        }
    }
}

fn office() -> BoxOfficeConfig {
    let mut config = BoxOfficeConfig::simple("gig", 1, 256, Money::from_minor(1_000));
    config.ticket_types = vec![TicketTypeConfig {
        name: "standard".into(),
        price: Money::from_minor(2_000),
        quota: None,
        capacity: None,
    }];
    config
}

fn stock(schema: &str, event: u64) {
    let tickets: Vec<StockTicket> = (1..=TICKETS)
        .map(|id| StockTicket {
            id: TicketId(id),
            ticket_type: "standard".into(),
            base_price: Money::from_minor(2_000),
        })
        .collect();
    let mut inventory = LeaseInventory::connect(&params(), schema).unwrap();
    assert_eq!(inventory.stock(event, &tickets).unwrap(), TICKETS);
}

/// Sells event `event` out through `nodes` nodes; returns the time from
/// the buyers' start to the last of them seeing its office close.
fn sell_out(schema: &str, event: u64, nodes: usize) -> Duration {
    let config = LeaseNodeConfig {
        nodes: nodes as u32,
        ..LeaseNodeConfig::default()
    };
    let started: Vec<LeaseNode> = (0..nodes)
        .map(|n| {
            LeaseNode::start(&params(), schema, event, &format!("n{n}"), office(), config).unwrap()
        })
        .collect();
    let sold = AtomicU64::new(0);
    let start = Instant::now();
    thread::scope(|scope| {
        for b in 0..BUYERS {
            let office = started[b % nodes].office();
            let sold = &sold;
            scope.spawn(move || {
                let buyer = office.customer(&format!("b{b}"), Priority::Regular);
                loop {
                    match buyer.buy_timeout(Want::Any, Duration::from_secs(60)) {
                        Ok(_) => {
                            sold.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(BoxOfficeError::SoldOut | BoxOfficeError::Closed) => break,
                        Err(other) => panic!("buyer {b}: {other}"),
                    }
                }
            });
        }
    });
    let took = start.elapsed();
    assert_eq!(
        sold.load(Ordering::Relaxed),
        TICKETS,
        "every ticket sold once"
    );
    for node in started {
        node.shutdown().unwrap();
    }
    took
}

fn bench(c: &mut Criterion) {
    if let Err(err) = Client::connect(&params(), NoTls) {
        eprintln!(
            "SKIPPED: lease_nodes bench: no PostgreSQL at `{}` ({err})",
            params()
        );
        return;
    }
    let schema = Schema(format!("tl_bench_lease_nodes_{}", std::process::id()));
    let mut next_event = 0_u64;
    let mut group = c.benchmark_group("lease_nodes");
    group.throughput(Throughput::Elements(TICKETS));
    group.sample_size(10);
    for nodes in [1, 3] {
        group.bench_with_input(BenchmarkId::new("sell_out", nodes), &nodes, |b, &nodes| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    next_event += 1;
                    stock(&schema.0, next_event);
                    total += sell_out(&schema.0, next_event, nodes);
                }
                total
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
