//! Regression: a consumer left waiting forever after the pool is closed and
//! drained, found by the `u64-4x4-cap64-vip` throughput bench (4 producers,
//! 2 VIP and 2 Regular consumers, capacity 64, blocking put and take, close
//! after the last put). Every consumer must return `Closed` once the pool is
//! closed and drained, whatever the interleaving.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use ticketpool_core::{BoundedPool, Priority};

// Only the `Family` strategies are used here, not the `pool_suite!` tests.
#[allow(unused_macros)]
mod suite;

use suite::Family;

fn vip_mix_close_wakes_every_consumer<F: Family>() {
    const ITEMS: u64 = 10_000;
    for _round in 0..1_000 {
        let pool = suite::new_pool::<F::Pool<u64>>(64);
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let pool = pool.clone();
                thread::spawn(move || {
                    for i in 0..ITEMS / 4 {
                        pool.put_until(p * ITEMS + i, None).expect("open");
                    }
                })
            })
            .collect();
        let (done_tx, done_rx) = mpsc::channel();
        for c in 0..4 {
            let pool = pool.clone();
            let done_tx = done_tx.clone();
            let priority = if c % 2 == 0 {
                Priority::Vip
            } else {
                Priority::Regular
            };
            thread::spawn(move || {
                let mut taken = 0_u64;
                while pool.take_until(priority, None).is_ok() {
                    taken += 1;
                }
                let _ = done_tx.send(taken);
            });
        }
        for producer in producers {
            producer.join().expect("producer panicked");
        }
        pool.close();
        let mut taken = 0;
        for c in 0..4 {
            match done_rx.recv_timeout(Duration::from_secs(120)) {
                Ok(n) => taken += n,
                Err(_) => panic!(
                    "{}: consumer {c} of 4 still waiting 120 s after close \
                     (len {}, waiting VIPs {}, waiting Regulars {})",
                    F::Pool::<u64>::STRATEGY,
                    pool.len(),
                    pool.waiting_consumers(Priority::Vip),
                    pool.waiting_consumers(Priority::Regular)
                ),
            }
        }
        assert_eq!(taken, ITEMS, "every item taken exactly once");
    }
}

#[test]
fn lockfree_vip_mix_close_wakes_every_consumer() {
    vip_mix_close_wakes_every_consumer::<suite::LockFree>();
}

#[test]
fn condvar_vip_mix_close_wakes_every_consumer() {
    vip_mix_close_wakes_every_consumer::<suite::Condvar>();
}
