//! loom models of both pool strategies: every interleaving of 2-3 threads.
//!
//! Run with
//! `LOOM_MAX_PREEMPTIONS=2 RUSTFLAGS="--cfg ticketpool_loom" cargo test -p ticketpool-core --release --test loom_pools`.
//! Under the model a timed wait times out at an arbitrary point (see
//! `primitive.rs`), so the timeout models cover every race between a
//! deadline and a release.
//!
//! A consumer of the lock-free ring that finds a slot claimed by a producer
//! but not yet written spins until it is written. loom cannot finish a model
//! in which two threads spin on a third (an unfair schedule may alternate the
//! spinners forever), so each model lets at most one consumer race an
//! in-flight release; the races between consumers are modelled on items
//! already released.
#![cfg(ticketpool_loom)]

#[macro_use]
mod suite;

use std::sync::Arc;
use std::time::{Duration, Instant};

use loom::thread;
use suite::Family;
use ticketpool_core::{BoundedPool, Consumer, Priority, Producer, ReleaseError, TakeError};

fn pool<F: Family>(capacity: usize) -> Arc<F::Pool<u32>> {
    Arc::new(F::Pool::<u32>::with_capacity(capacity).unwrap())
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(1)
}

/// One producer puts two items through a pool of one slot (so it must wait
/// for room), one consumer takes both: nothing lost, duplicated or reordered,
/// and neither thread is left parked (loom reports a deadlock otherwise).
fn no_loss_no_lost_wakeup<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        let vendor = Producer::new(Arc::clone(&pool));
        let producer = thread::spawn(move || {
            vendor.release(1).unwrap();
            vendor.release(2).unwrap();
        });
        let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
        assert_eq!(customer.take(), Ok(1));
        assert_eq!(customer.take(), Ok(2));
        producer.join().unwrap();
        assert!(pool.is_empty());
    });
}

/// Two producers race for one slot: exactly one wins, the loser gets its
/// item back, and the pool never holds more than its capacity.
fn capacity_never_exceeded<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        let racers: Vec<_> = [1, 2]
            .into_iter()
            .map(|item| {
                let vendor = Producer::new(Arc::clone(&pool));
                thread::spawn(move || vendor.try_release(item))
            })
            .collect();
        assert!(pool.len() <= 1);
        let results: Vec<_> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1);
        assert_eq!(pool.len(), 1);
        for lost in results.into_iter().filter_map(Result::err) {
            assert!(matches!(lost, ReleaseError::Full(1 | 2)));
        }
    });
}

/// Two consumers race for one item: exactly one gets it.
fn two_consumers_one_item<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(2);
        Producer::new(Arc::clone(&pool)).release(7).unwrap();
        let takers: Vec<_> = [Priority::Vip, Priority::Regular]
            .into_iter()
            .map(|priority| {
                let customer = Consumer::new(Arc::clone(&pool), priority);
                thread::spawn(move || customer.try_take())
            })
            .collect();
        let got: Vec<_> = takers.into_iter().map(|t| t.join().unwrap()).collect();
        let taken = got.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            taken + pool.len(),
            1,
            "the item was taken once or is still there"
        );
    });
}

/// A consumer blocked on an empty pool and a producer blocked on a full one
/// both return once the pool closes, and the consumer drains first.
fn close_wakes_everyone<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        Producer::new(Arc::clone(&pool)).release(1).unwrap();
        let vendor = Producer::new(Arc::clone(&pool));
        let producer = thread::spawn(move || vendor.release(2));
        let customer = Consumer::new(Arc::clone(&pool), Priority::Vip);
        let consumer = thread::spawn(move || {
            let mut got = Vec::new();
            loop {
                match customer.take() {
                    Ok(item) => got.push(item),
                    Err(err) => return (got, err),
                }
            }
        });
        pool.close();
        let released = producer.join().unwrap();
        let (got, end) = consumer.join().unwrap();
        assert_eq!(end, TakeError::Closed);
        match released {
            Ok(()) => assert_eq!(got, vec![1, 2]),
            Err(err) => {
                assert_eq!(err, ReleaseError::Closed(2));
                assert_eq!(got, vec![1]);
            }
        }
    });
}

/// The VIP rule: once a VIP is waiting, an item released afterwards goes to
/// it; a Regular trying at the same time never gets it.
fn vip_rule<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
        let vip_thread = thread::spawn(move || vip.take());
        while pool.waiting_consumers(Priority::Vip) == 0 {
            thread::yield_now();
        }
        let regular = Consumer::new(Arc::clone(&pool), Priority::Regular);
        let regular_thread = thread::spawn(move || regular.try_take());
        Producer::new(Arc::clone(&pool)).release(9).unwrap();
        assert_eq!(regular_thread.join().unwrap(), Err(TakeError::Empty));
        assert_eq!(vip_thread.join().unwrap(), Ok(9));
    });
}

/// A take with a deadline racing a release: it either gets the item or
/// times out with the item still in the pool, and leaves no waiter behind.
fn take_timeout_races_release<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        let customer = Consumer::new(Arc::clone(&pool), Priority::Vip);
        let consumer = thread::spawn(move || customer.take_deadline(soon()));
        Producer::new(Arc::clone(&pool)).release(5).unwrap();
        match consumer.join().unwrap() {
            Ok(item) => {
                assert_eq!(item, 5);
                assert!(pool.is_empty());
            }
            Err(err) => {
                assert_eq!(err, TakeError::Timeout);
                assert_eq!(pool.try_take(Priority::Regular), Ok(5));
            }
        }
        assert_eq!(pool.waiting_consumers(Priority::Vip), 0);
        // A Regular is not gated by a VIP that left.
        Producer::new(Arc::clone(&pool)).release(6).unwrap();
        assert_eq!(pool.try_take(Priority::Regular), Ok(6));
    });
}

/// A release with a deadline racing a take from a full pool: the item is
/// either in or handed back, never both or neither.
fn release_timeout_races_take<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        Producer::new(Arc::clone(&pool)).release(1).unwrap();
        let vendor = Producer::new(Arc::clone(&pool));
        let producer = thread::spawn(move || vendor.release_deadline(2, soon()));
        assert_eq!(pool.take_until(Priority::Regular, None), Ok(1));
        match producer.join().unwrap() {
            Ok(()) => assert_eq!(pool.try_take(Priority::Regular), Ok(2)),
            Err(err) => {
                assert_eq!(err, ReleaseError::Timeout(2));
                assert!(pool.is_empty());
            }
        }
        assert_eq!(pool.waiting_producers(), 0);
    });
}

/// A timed-out waiter must pass on a wake-up it swallowed: with a timing-out
/// VIP and a blocked Regular, one release still reaches somebody.
fn timed_out_waiter_passes_the_wakeup_on<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(1);
        let regular = Consumer::new(Arc::clone(&pool), Priority::Regular);
        let regular_thread = thread::spawn(move || regular.take());
        while pool.waiting_consumers(Priority::Regular) == 0 {
            thread::yield_now();
        }
        let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
        let vip_thread = thread::spawn(move || vip.take_deadline(soon()));
        Producer::new(Arc::clone(&pool)).release(3).unwrap();
        let vip_got = vip_thread.join().unwrap();
        if vip_got.is_ok() {
            // The Regular still waits: release it.
            pool.close();
        }
        let regular_got = regular_thread.join().unwrap();
        let taken = [vip_got.is_ok(), regular_got.is_ok()];
        assert_eq!(
            taken.iter().filter(|t| **t).count(),
            1,
            "{vip_got:?} {regular_got:?}"
        );
    });
}

/// A batch put and a batch take through a pool smaller than the batch: the
/// lock-free ring claims each run of slots with one CAS, so this is the
/// model of that claim racing the other side's claim and the parking
/// between them. Nothing lost, duplicated or reordered; nobody left parked.
fn batch_runs_hand_over_in_order<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(2);
        let vendor = Producer::new(Arc::clone(&pool));
        let producer = thread::spawn(move || {
            let mut batch = vec![1, 2, 3];
            while !batch.is_empty() {
                vendor.release_many(&mut batch).unwrap();
            }
        });
        let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
        let mut got = Vec::new();
        while got.len() < 3 {
            customer.take_many(3, &mut got).unwrap();
        }
        assert_eq!(got, vec![1, 2, 3]);
        producer.join().unwrap();
        assert!(pool.is_empty());
    });
}

/// The VIP rule for batches: once a VIP waits, a Regular's batch take
/// racing a batch release of two never takes both: one is the VIP's.
fn vip_rule_for_batches<F: Family>() {
    loom::model(|| {
        let pool = pool::<F>(2);
        let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
        let vip_thread = thread::spawn(move || vip.take());
        while pool.waiting_consumers(Priority::Vip) == 0 {
            thread::yield_now();
        }
        let regular = Consumer::new(Arc::clone(&pool), Priority::Regular);
        let regular_thread = thread::spawn(move || {
            let mut out = Vec::new();
            let _ = regular.try_take_many(2, &mut out);
            out
        });
        let mut batch = vec![7, 8];
        assert_eq!(
            Producer::new(Arc::clone(&pool)).release_many(&mut batch),
            Ok(2)
        );
        let vip_got = vip_thread.join().unwrap().expect("the VIP is served");
        let regular_got = regular_thread.join().unwrap();
        assert!(regular_got.len() <= 1, "{regular_got:?}");
        assert!(!regular_got.contains(&vip_got));
    });
}

macro_rules! loom_suite {
    ($family:ty) => {
        loom_suite!(@tests $family; no_loss_no_lost_wakeup, capacity_never_exceeded,
            two_consumers_one_item, close_wakes_everyone, vip_rule,
            take_timeout_races_release, release_timeout_races_take,
            timed_out_waiter_passes_the_wakeup_on, batch_runs_hand_over_in_order,
            vip_rule_for_batches);
    };
    (@tests $family:ty; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                super::$name::<$family>();
            }
        )*
    };
}

mod lockfree {
    loom_suite!(crate::suite::LockFree);
}

mod condvar {
    loom_suite!(crate::suite::Condvar);
}
