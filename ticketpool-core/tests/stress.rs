//! Stress on real threads, one suite for both strategies: many producers and
//! consumers, every operation form, random timeouts and closes. Afterwards
//! every item was taken exactly once or returned to its producer.

#[macro_use]
mod suite;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use suite::Family;
use ticketpool_core::{BoundedPool, Consumer, Priority, Producer, ReleaseError, TakeError};

/// A small deterministic generator; the suite needs no external RNG.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Round {
    capacity: usize,
    producers: u64,
    consumers: u64,
    items_per_producer: u64,
    /// Close after this many microseconds instead of after the producers.
    close_early_after: Option<u64>,
    seed: u64,
}

/// What one producer did: items released and items it got back.
#[derive(Default)]
struct Released {
    released: Vec<u64>,
    returned: Vec<u64>,
}

fn run_round<F: Family>(round: &Round) -> (u64, u64) {
    let pool: Arc<F::Pool<u64>> = Arc::new(F::Pool::<u64>::with_capacity(round.capacity).unwrap());
    let start = Arc::new(Barrier::new(
        (round.producers + round.consumers + 1) as usize,
    ));

    let producers: Vec<_> = (0..round.producers)
        .map(|p| {
            let vendor = Producer::new(Arc::clone(&pool));
            let start = Arc::clone(&start);
            let mut rng = XorShift(round.seed ^ (p + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let count = round.items_per_producer;
            thread::spawn(move || {
                start.wait();
                let mut log = Released::default();
                let mut pending: Vec<u64> = (0..count).rev().map(|i| (p << 32) | i).collect();
                while let Some(item) = pending.pop() {
                    let outcome = match rng.below(8) {
                        0..=3 => vendor.try_release(item),
                        4 | 5 => {
                            vendor.release_timeout(item, Duration::from_micros(rng.below(300)))
                        }
                        6 => {
                            let mut batch = vec![item];
                            batch.extend(pending.pop());
                            let sent = batch.clone();
                            match vendor.try_release_many(&mut batch) {
                                Ok(n) => {
                                    // The first `n` went in; `batch` kept the rest.
                                    log.released.extend(&sent[..n]);
                                    // What did not fit goes back on the to-do list.
                                    pending.extend(batch.into_iter().rev());
                                    continue;
                                }
                                Err(ReleaseError::Closed(())) => {
                                    log.returned.extend(batch);
                                    log.returned.append(&mut pending);
                                    break;
                                }
                                Err(_) => {
                                    pending.extend(batch.into_iter().rev());
                                    thread::yield_now();
                                    continue;
                                }
                            }
                        }
                        _ => vendor.release(item),
                    };
                    match outcome {
                        Ok(()) => log.released.push(item),
                        Err(ReleaseError::Closed(back)) => {
                            log.returned.push(back);
                            log.returned.append(&mut pending);
                        }
                        Err(err) => {
                            // Full or timed out: the item came back; retry it.
                            pending.push(err.into_inner());
                            thread::yield_now();
                        }
                    }
                }
                log
            })
        })
        .collect();

    let consumers: Vec<_> = (0..round.consumers)
        .map(|c| {
            let priority = if c % 3 == 0 {
                Priority::Vip
            } else {
                Priority::Regular
            };
            let customer = Consumer::new(Arc::clone(&pool), priority);
            let start = Arc::clone(&start);
            let mut rng = XorShift(round.seed ^ (c + 101).wrapping_mul(0xD1B5_4A32_D192_ED03));
            thread::spawn(move || {
                start.wait();
                let mut taken = Vec::new();
                loop {
                    let outcome = match rng.below(8) {
                        0 | 1 => customer.try_take().map(|item| taken.push(item)),
                        2 | 3 => customer
                            .take_timeout(Duration::from_micros(rng.below(500)))
                            .map(|item| taken.push(item)),
                        4 => customer
                            .take_many(1 + rng.below(8) as usize, &mut taken)
                            .map(drop),
                        _ => customer.take().map(|item| taken.push(item)),
                    };
                    match outcome {
                        Ok(()) | Err(TakeError::Empty) | Err(TakeError::Timeout) => {}
                        Err(TakeError::Closed) => return taken,
                        Err(other) => panic!("unexpected {other:?}"),
                    }
                }
            })
        })
        .collect();

    start.wait();
    if let Some(micros) = round.close_early_after {
        thread::sleep(Duration::from_micros(micros));
        pool.close();
    }
    let logs: Vec<Released> = producers.into_iter().map(|p| p.join().unwrap()).collect();
    pool.close();
    let mut taken: Vec<u64> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();

    assert!(
        pool.is_empty(),
        "consumers drain a closed pool before they stop"
    );
    let mut released: Vec<u64> = logs
        .iter()
        .flat_map(|l| l.released.iter().copied())
        .collect();
    let returned: Vec<u64> = logs
        .iter()
        .flat_map(|l| l.returned.iter().copied())
        .collect();
    taken.sort_unstable();
    released.sort_unstable();
    assert_eq!(
        taken, released,
        "every released item was taken exactly once"
    );
    let mut all: Vec<u64> = released.iter().chain(&returned).copied().collect();
    all.sort_unstable();
    let expected: Vec<u64> = (0..round.producers)
        .flat_map(|p| (0..round.items_per_producer).map(move |i| (p << 32) | i))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        all, expected,
        "every item was released or returned, never both"
    );
    assert_eq!(pool.put_count(), released.len() as u64);
    assert_eq!(pool.taken_count(), taken.len() as u64);
    assert_eq!(pool.waiting_producers(), 0);
    assert_eq!(pool.waiting_consumers(Priority::Vip), 0);
    assert_eq!(pool.waiting_consumers(Priority::Regular), 0);
    (released.len() as u64, returned.len() as u64)
}

fn stress<F: Family>() {
    let scale: u64 = if cfg!(debug_assertions) { 1 } else { 8 };
    let rounds = [
        Round {
            capacity: 1,
            producers: 4,
            consumers: 4,
            items_per_producer: 10_000 * scale,
            close_early_after: None,
            seed: 1,
        },
        Round {
            capacity: 4,
            producers: 8,
            consumers: 8,
            items_per_producer: 10_000 * scale,
            close_early_after: None,
            seed: 2,
        },
        Round {
            capacity: 64,
            producers: 3,
            consumers: 6,
            items_per_producer: 30_000 * scale,
            close_early_after: None,
            seed: 3,
        },
        Round {
            capacity: 1024,
            producers: 6,
            consumers: 2,
            items_per_producer: 20_000 * scale,
            close_early_after: None,
            seed: 4,
        },
        Round {
            capacity: 2,
            producers: 4,
            consumers: 4,
            items_per_producer: 1_000_000,
            close_early_after: Some(20_000),
            seed: 5,
        },
        Round {
            capacity: 16,
            producers: 6,
            consumers: 3,
            items_per_producer: 1_000_000,
            close_early_after: Some(5_000),
            seed: 6,
        },
    ];
    let mut moved = 0;
    for round in &rounds {
        let (released, returned) = run_round::<F>(round);
        if round.close_early_after.is_some() {
            assert!(returned > 0, "an early close hands items back");
        } else {
            assert_eq!(returned, 0);
        }
        moved += released;
    }
    eprintln!("{moved} items moved through the pool");
}

mod lockfree {
    #[test]
    fn stress() {
        super::stress::<crate::suite::LockFree>();
    }
}

mod condvar {
    #[test]
    fn stress() {
        super::stress::<crate::suite::Condvar>();
    }
}
