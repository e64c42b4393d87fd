//! What the box office layer costs over the pool it runs on.
//!
//! Per strategy (lockfree, condvar) and shape (P vendors x C customers),
//! one criterion group `office-PxC` with three functions moving the same
//! [`TICKETS`] per iteration:
//!
//! - `<strategy>-bare`: the pool alone, through the same adapter as the
//!   throughput bench (producers put, consumers take);
//! - `<strategy>-buy`: vendors `release`, customers `buy`;
//! - `<strategy>-reserve-confirm`: vendors `release`, customers `reserve`
//!   then `confirm`.
//!
//! Half the customers (and consumers) are VIPs in every row. The office has
//! no journal, fixed pricing and one ticket type, so the rows measure the
//! office's own bookkeeping. Group `office-snapshot` times `snapshot()` on
//! an idle office and while a 2x2 sale runs flat out, and splits the
//! difference: `-under-sale-cpu` counts only the snapshot thread's CPU time
//! (five runnable threads share two cores here, so wall time includes
//! waiting for a core), and `-after-sale` times the same office once its
//! sale has stopped (its vendors' counts and log in place, nothing moving).
//!
//! `cargo bench --bench box_office`; `python3 scripts/bench_table.py`
//! writes the table in BENCHMARKS.md.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use ticketpool::{BoxOffice, Priority};

// Only our two pools carry an office: the peers' strategy list goes unused.
#[allow(unused_macros)]
mod adapter;

use adapter::office::OfficeStrategy;
use adapter::{CondvarStrategy, LockFree, Receiver, Sender};

/// Tickets moved per iteration in every row, so rows compare.
const TICKETS: usize = 20_000;
/// The pool's capacity, and the office's `max_capacity`.
const CAPACITY: usize = 64;
/// (vendors, customers).
const SHAPES: [(usize, usize); 2] = [(2, 2), (4, 4)];

/// What a customer does for each of its tickets.
#[derive(Clone, Copy)]
enum Purchase {
    Buy,
    ReserveConfirm,
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

/// Runs `workers` (spawned first, started together) and returns the time
/// from the start signal until the last one finished.
fn timed(workers: Vec<Box<dyn FnOnce() + Send>>) -> Duration {
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
    began.elapsed()
}

/// The pool alone: `vendors` producers put `TICKETS` items in all,
/// `customers` consumers take their share each.
fn bare<S: OfficeStrategy>(vendors: usize, customers: usize) -> Duration {
    let (tx, rx) = S::bounded::<u64>(CAPACITY);
    let mut workers: Vec<Box<dyn FnOnce() + Send>> = Vec::new();
    for v in 0..vendors {
        let tx = tx.clone();
        workers.push(Box::new(move || {
            for i in 0..share(TICKETS, vendors, v) {
                tx.put(i as u64);
            }
        }));
    }
    for c in 0..customers {
        let rx = rx.clone();
        workers.push(Box::new(move || {
            for _ in 0..share(TICKETS, customers, c) {
                rx.take(priority(c)).expect("items left for every consumer");
            }
        }));
    }
    drop(tx);
    timed(workers)
}

/// The office: `vendors` release `TICKETS` tickets in all, `customers`
/// buy (or reserve and confirm) their share each; every sale is checked.
fn office<S: OfficeStrategy>(vendors: usize, customers: usize, purchase: Purchase) -> Duration {
    let office = S::office(TICKETS as u64, CAPACITY);
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
                match purchase {
                    Purchase::Buy => customer.buy("general").map(drop),
                    Purchase::ReserveConfirm => customer
                        .reserve("general")
                        .and_then(|hold| hold.confirm())
                        .map(drop),
                }
                .expect("a ticket for every customer");
            }
        }));
    }
    let elapsed = timed(workers);
    assert_eq!(office.sales_count(), TICKETS, "every ticket sold once");
    elapsed
}

fn sales<S: OfficeStrategy>(c: &mut Criterion) {
    for (vendors, customers) in SHAPES {
        let mut group = c.benchmark_group(format!("office-{vendors}x{customers}"));
        group
            .throughput(Throughput::Elements(TICKETS as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        group.bench_function(format!("{}-bare", S::NAME), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| bare::<S>(vendors, customers)).sum())
        });
        for (name, purchase) in [
            ("buy", Purchase::Buy),
            ("reserve-confirm", Purchase::ReserveConfirm),
        ] {
            group.bench_function(format!("{}-{name}", S::NAME), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| office::<S>(vendors, customers, purchase))
                        .sum()
                })
            });
        }
        group.finish();
    }
}

/// A sale that runs until dropped: two vendors releasing and two
/// customers buying as fast as they can.
struct RunningSale {
    office: Arc<BoxOffice>,
    stop: Arc<AtomicBool>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl RunningSale {
    fn start<S: OfficeStrategy>() -> Self {
        // The largest event an office allows: it does not sell out while
        // the bench runs (u64::MAX / 2 did, until configs got bounds).
        let office = Arc::new(S::office(ticketpool::bounds::MAX_TOTAL_TICKETS, CAPACITY));
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for i in 0..2 {
            let vendor = office
                .add_vendor(&format!("v{i}"), &[])
                .expect("new vendor");
            let stop_v = Arc::clone(&stop);
            threads.push(thread::spawn(move || {
                // Stops at the flag, or when closing turns a waiting
                // release into an error.
                while !stop_v.load(Ordering::Relaxed) && vendor.release("general").is_ok() {}
            }));
            let customer = office.customer(&format!("c{i}"), priority(i));
            let stop_c = Arc::clone(&stop);
            threads.push(thread::spawn(move || {
                while !stop_c.load(Ordering::Relaxed) && customer.buy("general").is_ok() {}
            }));
        }
        // Measure under a sale that is selling, not one still starting up
        // (criterion's --test mode calls the bench only once).
        let events = office.subscribe();
        let deadline = Instant::now() + Duration::from_secs(60);
        while office.sales_count() == 0 {
            assert!(Instant::now() < deadline, "the sale sold nothing in 60 s");
            events.next_timeout(Duration::from_millis(100));
        }
        Self {
            office,
            stop,
            threads,
        }
    }
}

impl Drop for RunningSale {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.office.close();
        for thread in self.threads.drain(..) {
            thread.join().expect("sale thread panicked");
        }
    }
}

fn snapshot<S: OfficeStrategy>(c: &mut Criterion) {
    let mut group = c.benchmark_group("office-snapshot");
    group
        .throughput(Throughput::Elements(1))
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let idle = S::office(1_000, CAPACITY);
    group.bench_function(format!("{}-idle", S::NAME), |b| b.iter(|| idle.snapshot()));
    let sale = RunningSale::start::<S>();
    group.bench_function(format!("{}-under-sale", S::NAME), |b| {
        b.iter(|| sale.office.snapshot())
    });
    group.bench_function(format!("{}-under-sale-cpu", S::NAME), |b| {
        b.iter_custom(|iters| {
            let start = thread_cpu_time();
            for _ in 0..iters {
                std::hint::black_box(sale.office.snapshot());
            }
            thread_cpu_time() - start
        })
    });
    let office = Arc::clone(&sale.office);
    drop(sale);
    assert!(
        office.sales_count() > 0,
        "the sale under the snapshots sold nothing"
    );
    group.bench_function(format!("{}-after-sale", S::NAME), |b| {
        b.iter(|| office.snapshot())
    });
    group.finish();
}

/// The calling thread's CPU time so far: what a snapshot costs itself,
/// without the time it waits for a core while the sale's threads run.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to write, and the
    // clock id is one Linux (and macOS) always supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

fn benches(c: &mut Criterion) {
    sales::<LockFree>(c);
    sales::<CondvarStrategy>(c);
    snapshot::<LockFree>(c);
    snapshot::<CondvarStrategy>(c);
}

criterion_group!(box_office, benches);
criterion_main!(box_office);
