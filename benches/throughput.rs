//! Throughput of the pools against the peers: P producers move a fixed
//! number of items to C consumers through a bounded queue.
//!
//! One criterion group per row (`u64-2x2-cap64`, `ticket-4x4-cap1-batch16`,
//! `u64-8x8-cap1024-vip`), one function per strategy, so every strategy of
//! [`adapter`] runs on the same row in the same run. The default set is the
//! u64 rows for every PxC x capacity, plus the same rows varied in one
//! dimension each (ticket-sized payload, batches of 16, VIP/Regular mix);
//! `TICKETPOOL_BENCH_FULL=1` runs the whole cross product instead. Pick rows
//! with a criterion filter: `cargo bench --bench throughput -- u64-2x2`.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use ticketpool::{Priority, Ticket};

#[macro_use]
mod adapter;

use adapter::{Receiver, Sender, Strategy, TwoLanes};

/// Items moved per iteration in every row, so rows compare.
const ITEMS: usize = 10_000;
/// Items per call in the batched rows.
const BATCH: usize = 16;

/// What moves through the queue.
trait Payload: Send + 'static {
    const NAME: &'static str;
    fn make(i: u64) -> Self;
    /// The `i` it was made from, for the conservation check.
    fn key(&self) -> u64;
}

impl Payload for u64 {
    const NAME: &'static str = "u64";
    fn make(i: u64) -> Self {
        i
    }
    fn key(&self) -> u64 {
        *self
    }
}

/// A plain value the size of a [`Ticket`] (80 bytes: its names are
/// inline), so the bench measures moving a ticket's bytes and nothing else.
struct TicketSized([u64; 10]);

const _: () = assert!(std::mem::size_of::<TicketSized>() == std::mem::size_of::<Ticket>());

impl Payload for TicketSized {
    const NAME: &'static str = "ticket";
    fn make(i: u64) -> Self {
        Self([i; 10])
    }
    fn key(&self) -> u64 {
        self.0[9]
    }
}

#[derive(Clone, Copy)]
struct Row {
    producers: usize,
    consumers: usize,
    capacity: usize,
    batch: bool,
    vip_mix: bool,
}

impl Row {
    fn label(&self, payload: &str) -> String {
        let mut label = format!(
            "{payload}-{}x{}-cap{}",
            self.producers, self.consumers, self.capacity
        );
        if self.batch {
            label.push_str(&format!("-batch{BATCH}"));
        }
        if self.vip_mix {
            label.push_str("-vip");
        }
        label
    }

    /// Consumer `i`'s priority: every other one is a VIP in the mix rows,
    /// starting with a VIP so the two-lane workaround always has one.
    fn priority(&self, i: usize) -> Priority {
        if self.vip_mix && i % 2 == 1 {
            Priority::Regular
        } else if self.vip_mix {
            Priority::Vip
        } else {
            Priority::Regular
        }
    }
}

/// One run of a row: returns the time from the first thread leaving the
/// start barrier until the last consumer is done (thread spawning is not
/// measured). Each thread reads the clock itself: on a loaded machine the
/// main thread may run long after the others started, even after they
/// finished (criterion then reported zero time, or too little).
fn run<S: Strategy, T: Payload>(row: Row) -> Duration {
    let (tx, rx) = S::bounded::<T>(row.capacity);
    let start = Arc::new(Barrier::new(row.producers + row.consumers + 1));
    let per_producer = ITEMS / row.producers;
    let producers: Vec<_> = (0..row.producers)
        .map(|p| {
            let tx = tx.clone();
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let first = (p * per_producer) as u64;
                start.wait();
                let started = Instant::now();
                if row.batch {
                    let mut batch = Vec::with_capacity(BATCH);
                    for chunk in (0..per_producer as u64).step_by(BATCH) {
                        let end = (chunk + BATCH as u64).min(per_producer as u64);
                        batch.extend((chunk..end).map(|i| T::make(first + i)));
                        tx.put_many(&mut batch);
                    }
                } else {
                    for i in 0..per_producer as u64 {
                        tx.put(T::make(first + i));
                    }
                }
                started
            })
        })
        .collect();
    // The queue closes once every producer's clone is dropped.
    drop(tx);
    let consumers: Vec<_> = (0..row.consumers)
        .map(|c| {
            let rx = rx.clone();
            let start = Arc::clone(&start);
            let priority = row.priority(c);
            thread::spawn(move || {
                start.wait();
                let started = Instant::now();
                let (mut taken, mut sum) = (0, 0_u64);
                if row.batch {
                    let mut out = Vec::with_capacity(BATCH);
                    while rx.take_many(priority, BATCH, &mut out) {
                        taken += out.len();
                        sum += out.drain(..).map(|item| item.key()).sum::<u64>();
                    }
                } else {
                    while let Some(item) = rx.take(priority) {
                        taken += 1;
                        sum += item.key();
                    }
                }
                (taken, sum, started, Instant::now())
            })
        })
        .collect();
    drop(rx);
    start.wait();
    let mut begun = Instant::now();
    for producer in producers {
        begun = begun.min(producer.join().expect("producer panicked"));
    }
    let (mut taken, mut sum) = (0, 0);
    let mut last = begun;
    for consumer in consumers {
        let (count, part, started, done) = consumer.join().expect("consumer panicked");
        taken += count;
        sum += part;
        begun = begun.min(started);
        last = last.max(done);
    }
    // A bench that loses or duplicates items measures nothing: every item
    // 0..n must have been taken exactly once.
    let n = (per_producer * row.producers) as u64;
    assert_eq!(taken as u64, n, "items lost or duplicated");
    assert_eq!(sum, n * (n - 1) / 2, "items lost or duplicated");
    last - begun
}

fn bench_row<T: Payload>(c: &mut Criterion, row: Row) {
    let mut group = c.benchmark_group(row.label(T::NAME));
    group
        .throughput(Throughput::Elements(
            (ITEMS / row.producers * row.producers) as u64,
        ))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sampling_mode(SamplingMode::Flat);
    for_each_strategy!(S => {
        group.bench_function(S::NAME, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        if row.vip_mix && !S::NATIVE_PRIORITY {
                            run::<TwoLanes<S>, T>(row)
                        } else {
                            run::<S, T>(row)
                        }
                    })
                    .sum()
            });
        });
    });
    group.finish();
}

fn throughput(c: &mut Criterion) {
    let full = std::env::var_os("TICKETPOOL_BENCH_FULL").is_some_and(|v| v == "1");
    for threads in [1, 2, 4, 8] {
        for capacity in [1, 64, 1024] {
            let base = Row {
                producers: threads,
                consumers: threads,
                capacity,
                batch: false,
                vip_mix: false,
            };
            let variants: Vec<(Row, bool)> = if full {
                let mut all = Vec::new();
                for batch in [false, true] {
                    for vip_mix in [false, true] {
                        for ticket in [false, true] {
                            all.push((
                                Row {
                                    batch,
                                    vip_mix,
                                    ..base
                                },
                                ticket,
                            ));
                        }
                    }
                }
                all
            } else {
                vec![
                    (base, false),
                    (base, true),
                    (
                        Row {
                            batch: true,
                            ..base
                        },
                        false,
                    ),
                    (
                        Row {
                            vip_mix: true,
                            ..base
                        },
                        false,
                    ),
                ]
            };
            for (row, ticket) in variants {
                if ticket {
                    bench_row::<TicketSized>(c, row);
                } else {
                    bench_row::<u64>(c, row);
                }
            }
        }
    }
}

criterion_group!(benches, throughput);
criterion_main!(benches);
