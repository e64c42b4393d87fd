//! Unit tests of the ring and its unsafe slot accesses, small enough to run
//! under miri (`cargo +nightly miri test -p ticketpool-core --lib
//! pool::lockfree`), which checks every read and write of a slot, the items'
//! drops and the threads' hand-offs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use super::ring::Pop;
use super::LockFreePool;
use crate::pool::error::{CapacityError, ReleaseError, TakeError};
use crate::pool::{BoundedPool, Priority};

/// Laps and items: enough to wrap the indices many times natively, few
/// enough that miri finishes in seconds.
const LAPS: usize = if cfg!(miri) { 4 } else { 100 };
const ITEMS: usize = if cfg!(miri) { 40 } else { 2_000 };

fn pool<T: Send>(capacity: usize) -> LockFreePool<T> {
    LockFreePool::with_capacity(capacity).expect("a small capacity")
}

/// Counts its drops, to see every item dropped exactly once; the box gives
/// miri an allocation to see leaked or freed twice.
struct Counted {
    drops: Arc<AtomicUsize>,
    _heap: Box<u32>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn wraps_around_in_order() {
    // Capacity 3: a lap has 4 indices, so every lap skips one unused one.
    let pool = pool::<Box<usize>>(3);
    let mut next_out = 0;
    for round in 0..LAPS * 2 {
        let base = round * 2;
        pool.try_put(Box::new(base)).unwrap();
        pool.try_put(Box::new(base + 1)).unwrap();
        assert_eq!(pool.len(), 2);
        for _ in 0..2 {
            assert_eq!(*pool.try_take(Priority::Regular).unwrap(), next_out);
            next_out += 1;
        }
        assert_eq!(pool.len(), 0);
    }
    assert_eq!(pool.put_count(), (LAPS * 4) as u64);
    assert_eq!(pool.taken_count(), (LAPS * 4) as u64);
}

#[test]
fn full_then_empty_then_closed() {
    let pool = pool::<Box<u32>>(4);
    for lap in 0..LAPS as u32 {
        for i in 0..4 {
            pool.try_put(Box::new(lap * 4 + i)).unwrap();
        }
        assert!(pool.is_full());
        match pool.try_put(Box::new(99)) {
            Err(ReleaseError::Full(back)) => assert_eq!(*back, 99),
            other => panic!("expected Full, got {other:?}"),
        }
        for i in 0..4 {
            assert_eq!(*pool.try_take(Priority::Vip).unwrap(), lap * 4 + i);
        }
        assert!(matches!(pool.pop(Priority::Regular, false), Pop::Empty));
        assert_eq!(pool.try_take(Priority::Regular), Err(TakeError::Empty));
    }
    pool.try_put(Box::new(7)).unwrap();
    assert!(pool.close());
    match pool.try_put(Box::new(8)) {
        Err(ReleaseError::Closed(back)) => assert_eq!(*back, 8),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(*pool.try_take(Priority::Regular).unwrap(), 7);
    assert_eq!(pool.try_take(Priority::Regular), Err(TakeError::Closed));
}

#[test]
fn drop_frees_what_is_left() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = |n| Counted {
        drops: Arc::clone(&drops),
        _heap: Box::new(n),
    };
    {
        let pool = pool(3);
        // Move head and tail past a lap boundary, then leave items that
        // straddle it.
        for n in 0..5 {
            pool.try_put(counted(n)).unwrap();
            drop(pool.try_take(Priority::Regular).unwrap());
        }
        pool.try_put(counted(10)).unwrap();
        pool.try_put(counted(11)).unwrap();
        pool.try_put(counted(12)).unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 5);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 8);
}

#[test]
fn a_registered_vip_gates_regulars() {
    let pool = pool::<Box<u32>>(2);
    pool.try_put(Box::new(1)).unwrap();
    assert!(pool.register_vip());
    assert_eq!(pool.waiting_consumers(Priority::Vip), 1);
    assert!(matches!(pool.pop(Priority::Regular, false), Pop::Gated));
    // The VIP's pop takes the item and deregisters it in one CAS.
    assert!(matches!(pool.pop(Priority::Vip, true), Pop::Item(item) if *item == 1));
    assert_eq!(pool.waiting_consumers(Priority::Vip), 0);
}

#[test]
fn capacity_limits() {
    assert_eq!(
        LockFreePool::<u8>::with_capacity(0).unwrap_err(),
        CapacityError::Zero
    );
    assert!(matches!(
        LockFreePool::<u8>::with_capacity(super::ring::MAX_CAPACITY + 1),
        Err(CapacityError::TooLarge { .. })
    ));
}

#[test]
fn threads_hand_over_every_item_once() {
    let pool = Arc::new(pool::<Box<usize>>(2));
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                for i in 0..ITEMS / 2 {
                    pool.put_until(Box::new(p * ITEMS + i), None).unwrap();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = [Priority::Vip, Priority::Regular]
        .into_iter()
        .map(|priority| {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let mut got = Vec::new();
                while let Ok(item) = pool.take_until(priority, None) {
                    got.push(*item);
                }
                got
            })
        })
        .collect();
    for producer in producers {
        producer.join().unwrap();
    }
    pool.close();
    let mut got: Vec<usize> = consumers
        .into_iter()
        .flat_map(|consumer| consumer.join().unwrap())
        .collect();
    got.sort_unstable();
    let mut want: Vec<usize> = (0..2)
        .flat_map(|p| (0..ITEMS / 2).map(move |i| p * ITEMS + i))
        .collect();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[test]
fn batches_claim_runs_across_the_wrap() {
    // Capacity 3: a run that crosses a lap's end skips the unused index.
    let pool = pool::<Box<usize>>(3);
    let mut out = Vec::new();
    for lap in 0..LAPS {
        let base = lap * 10;
        let mut batch: Vec<_> = (base..base + 5).map(Box::new).collect();
        assert_eq!(pool.put_many(&mut batch, None), Ok(3));
        assert_eq!(batch.len(), 2, "what did not fit stays");
        assert_eq!(pool.take_many(Priority::Regular, 2, &mut out, None), Ok(2));
        assert_eq!(pool.put_many(&mut batch, None), Ok(2));
        assert_eq!(pool.take_many(Priority::Vip, 9, &mut out, None), Ok(3));
        let got: Vec<usize> = out.drain(..).map(|item| *item).collect();
        assert_eq!(got, (base..base + 5).collect::<Vec<_>>());
    }
    assert_eq!(pool.put_count(), pool.taken_count());
}

#[test]
fn batch_take_is_gated_by_a_registered_vip() {
    let pool = pool::<u32>(4);
    let mut batch = vec![1, 2];
    assert_eq!(pool.put_many(&mut batch, None), Ok(2));
    assert!(pool.register_vip());
    let mut out = Vec::new();
    assert!(matches!(
        pool.pop_run(Priority::Regular, 2, &mut out),
        Pop::Gated
    ));
    assert!(out.is_empty());
    assert!(matches!(
        pool.pop_run(Priority::Vip, 2, &mut out),
        Pop::Item(2)
    ));
    assert_eq!(out, vec![1, 2]);
    assert_eq!(
        pool.waiting_consumers(Priority::Vip),
        1,
        "a batch never deregisters"
    );
}

#[test]
fn batch_threads_hand_over_every_item_once() {
    let pool = Arc::new(pool::<Counted>(4));
    let drops = Arc::new(AtomicUsize::new(0));
    let per_producer = ITEMS / 2;
    let producers: Vec<_> = (0..2)
        .map(|_| {
            let pool = Arc::clone(&pool);
            let drops = Arc::clone(&drops);
            thread::spawn(move || {
                let mut batch = Vec::new();
                for _ in 0..per_producer / 4 {
                    batch.extend((0..4).map(|i| Counted {
                        drops: Arc::clone(&drops),
                        _heap: Box::new(i),
                    }));
                    while !batch.is_empty() {
                        pool.put_many(&mut batch, None).unwrap();
                    }
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let mut out = Vec::new();
                let mut taken = 0;
                while pool.take_many(Priority::Regular, 3, &mut out, None).is_ok() {
                    taken += out.len();
                    out.clear();
                }
                taken
            })
        })
        .collect();
    for producer in producers {
        producer.join().unwrap();
    }
    pool.close();
    let taken: usize = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(taken, per_producer / 4 * 4 * 2);
    assert_eq!(drops.load(Ordering::SeqCst), taken);
}
