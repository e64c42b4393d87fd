//! Many events committing at once (issue 15): N events (1, 4, 16) sell
//! together, one selling thread per event, each event on its own
//! Confirmed journal (its own writer thread, as a catalog opens them). In
//! the same run, two layouts: `one_db`, every event's journal in one
//! shared database on one connection (what a catalog keeps now:
//! `SqliteStore::for_event` on one store), against `file_per_event`, a
//! lone journal file per event (the layout before schema v7). With
//! PostgreSQL (127.0.0.1:5432 or `TICKETPOOL_PG_URL`), the same with one
//! shared connection and schema against a connection and schema per
//! event; without a server it says so and skips them, unless
//! `TICKETPOOL_PG_REQUIRED=1`.
//!
//! A sale is what an office journals per sale: `Released` then `Sold`,
//! each waiting for its commit. Criterion's rows run one after the other
//! while the machine's load drifts, so after them (not under `--test`) the
//! bench times alternating pairs (shared, separate) of `PAIRED_SALES`
//! sales per event and prints the median per-pair rate ratio.
//! Figures go in BENCHMARKS.md ("Many events committing at once").

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use ticketpool_core::{Event, Journal, Money, Name, Priority, Sale, Ticket, TicketId};
use ticketpool_persist::{Durability, DurableJournal, JournalConfig, SqliteStore, Store};

/// Events selling at once.
const EVENTS: [usize; 3] = [1, 4, 16];

/// Sales per event in each timed pair.
const PAIRED_SALES: u64 = 250;

/// Pairs per event count.
const PAIRS: usize = 3;

fn scratch() -> tempfile::TempDir {
    match std::env::var_os("TICKETPOOL_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("temp dir")
}

/// One layout's journals, one per event, and the next free ticket id.
struct Journals {
    journals: Vec<Arc<DurableJournal>>,
    next_id: u64,
}

impl Journals {
    fn start<S: Store + 'static>(stores: Vec<S>) -> Self {
        let journals = stores
            .into_iter()
            .map(|store| {
                let config = JournalConfig::per_event(Durability::Confirmed);
                Arc::new(DurableJournal::start(store, config).expect("journal"))
            })
            .collect();
        Self {
            journals,
            next_id: 0,
        }
    }

    /// Each event's thread journals `sales` sales; returns the time to the
    /// last one confirmed.
    fn sell(&mut self, sales: u64) -> Duration {
        let first = self.next_id;
        self.next_id += sales;
        let start = Instant::now();
        let threads: Vec<_> = self
            .journals
            .iter()
            .map(|journal| {
                let journal = Arc::clone(journal);
                thread::spawn(move || sell_one(&journal, first, sales))
            })
            .collect();
        for thread in threads {
            thread.join().expect("seller");
        }
        start.elapsed()
    }
}

fn sell_one(journal: &DurableJournal, first: u64, sales: u64) {
    let ticket_type = Name::from("standard");
    let vendor = Name::from("acme");
    let customer: Arc<str> = Arc::from("fan");
    for id in first..first + sales {
        let ticket = Ticket {
            id: TicketId(id),
            ticket_type: ticket_type.clone(),
            vendor: vendor.clone(),
            base_price: Money::from_minor(5_000),
            released_at: SystemTime::now(),
        };
        journal
            .record(&Event::Released {
                ticket: ticket.clone(),
            })
            .expect("release");
        let sale = Sale {
            price: ticket.base_price,
            ticket,
            customer: Arc::clone(&customer),
            priority: Priority::Regular,
            sold_at: SystemTime::now(),
            waited: Duration::ZERO,
            hold: None,
        };
        journal.record(&Event::Sold { sale }).expect("sale");
    }
}

/// The two layouts for one event count: (shared, separate).
type Layouts = (Journals, Journals);

fn sqlite_layouts(dir: &std::path::Path, events: usize) -> Layouts {
    let one = SqliteStore::open(dir.join(format!("catalog-{events}.db"))).expect("catalog.db");
    let shared = Journals::start((1..=events as u64).map(|id| one.for_event(id)).collect());
    let separate = Journals::start(
        (1..=events)
            .map(|id| {
                SqliteStore::open(dir.join(format!("n{events}-event-{id}.db"))).expect("event db")
            })
            .collect(),
    );
    (shared, separate)
}

#[cfg(feature = "postgres")]
mod pg {
    //! The PostgreSQL layouts: one schema and connection, or one each.
    use super::{Journals, Layouts};
    use postgres::{Client, NoTls};
    use ticketpool_persist::PgStore;

    pub(super) fn params() -> String {
        std::env::var("TICKETPOOL_PG_URL")
            .unwrap_or_else(|_| "host=127.0.0.1 user=postgres dbname=test connect_timeout=3".into())
    }

    /// The bench's schemas, dropped at the end.
    pub(super) struct Schemas(pub(super) Vec<String>);

    impl Drop for Schemas {
        fn drop(&mut self) {
            if let Ok(mut client) = Client::connect(&params(), NoTls) {
                for schema in &self.0 {
                    let _ =
                        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
        }
    }

    /// Whether a server answers; panics without one if it is required.
    pub(super) fn available() -> bool {
        match Client::connect(&params(), NoTls) {
            Ok(_) => true,
            Err(error) if std::env::var_os("TICKETPOOL_PG_REQUIRED").is_some() => {
                panic!("TICKETPOOL_PG_REQUIRED is set but PostgreSQL is not reachable: {error}")
            }
            Err(error) => {
                eprintln!("many_events: no PostgreSQL ({error}); skipping the PostgreSQL rows");
                false
            }
        }
    }

    pub(super) fn layouts(events: usize, schemas: &mut Schemas) -> Layouts {
        let tag = std::process::id();
        let mut schema = |name: String| {
            let mut client = Client::connect(&params(), NoTls).expect("server");
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .expect("drop");
            schemas.0.push(name.clone());
            name
        };
        let one = schema(format!("bench_many_{tag}_{events}_one"));
        let one = PgStore::connect(&params(), &one).expect("shared schema");
        let shared = Journals::start((1..=events as u64).map(|id| one.for_event(id)).collect());
        let separate = Journals::start(
            (1..=events)
                .map(|id| {
                    let name = schema(format!("bench_many_{tag}_{events}_e{id}"));
                    PgStore::connect(&params(), &name).expect("event schema")
                })
                .collect(),
        );
        (shared, separate)
    }
}

fn bench_layouts(c: &mut Criterion, group: &str, layouts: &mut [(usize, Layouts)]) {
    let mut group = c.benchmark_group(group);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (events, (shared, separate)) in layouts.iter_mut() {
        group.throughput(Throughput::Elements(*events as u64));
        group.bench_function(BenchmarkId::new("one_db", *events), |b| {
            b.iter_custom(|iters| shared.sell(iters));
        });
        group.bench_function(BenchmarkId::new("file_per_event", *events), |b| {
            b.iter_custom(|iters| separate.sell(iters));
        });
    }
    group.finish();
}

/// Alternating timed pairs; prints each layout's median rate and the
/// median per-pair ratio shared/separate.
fn paired(name: &str, layouts: &mut [(usize, Layouts)]) {
    for (events, (shared, separate)) in layouts.iter_mut() {
        let total = (*events as u64 * PAIRED_SALES) as f64;
        let mut rates = Vec::new();
        for _ in 0..PAIRS {
            let one = total / shared.sell(PAIRED_SALES).as_secs_f64();
            let own = total / separate.sell(PAIRED_SALES).as_secs_f64();
            rates.push((one, own, one / own));
        }
        let median = |pick: fn(&(f64, f64, f64)) -> f64| {
            let mut values: Vec<f64> = rates.iter().map(pick).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        println!(
            "{name} paired N={events}: one_db {:.0} sales/s, file_per_event {:.0} sales/s, \
             median ratio shared/separate {:.2} ({PAIRS} pairs of {PAIRED_SALES} sales per event)",
            median(|r| r.0),
            median(|r| r.1),
            median(|r| r.2),
        );
    }
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    let quick = std::env::args().any(|arg| arg == "--test");
    let dir = scratch();
    let mut sqlite: Vec<_> = EVENTS
        .iter()
        .map(|&events| (events, sqlite_layouts(dir.path(), events)))
        .collect();
    bench_layouts(&mut c, "many_events_sqlite", &mut sqlite);
    if !quick {
        paired("sqlite", &mut sqlite);
    }
    drop(sqlite);
    #[cfg(feature = "postgres")]
    if pg::available() {
        let mut schemas = pg::Schemas(Vec::new());
        let mut postgres: Vec<_> = EVENTS
            .iter()
            .map(|&events| (events, pg::layouts(events, &mut schemas)))
            .collect();
        bench_layouts(&mut c, "many_events_postgres", &mut postgres);
        if !quick {
            paired("postgres", &mut postgres);
        }
        drop(postgres);
    }
}

criterion_main!(benches);
