//! The pool test suite, written once and generic over [`BoundedPool`]; each
//! test file instantiates it per strategy with `pool_suite!`.

#![allow(dead_code)]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{
    BoundedPool, CapacityError, Consumer, Priority, Producer, ReleaseError, TakeError,
};

/// A pool strategy as a type constructor, so one suite runs it at any item
/// type.
pub trait Family: 'static {
    /// The strategy's pool of `T`.
    type Pool<T: Send + 'static>: BoundedPool<Item = T> + 'static;
}

/// The lock-free strategy.
pub struct LockFree;
impl Family for LockFree {
    type Pool<T: Send + 'static> = ticketpool_core::LockFreePool<T>;
}

/// The condvar strategy.
pub struct Condvar;
impl Family for Condvar {
    type Pool<T: Send + 'static> = ticketpool_core::CondvarPool<T>;
}

/// Instantiates every generic test in this module for one strategy.
#[allow(unused_macros)] // not every test binary that shares `suite` uses it
macro_rules! pool_suite {
    ($family:ty) => {
        pool_suite!(@tests $family;
            capacity_errors, try_forms, fifo_order_single_thread, timeouts,
            close_returns_items_and_drains, close_wakes_every_waiter,
            blocked_consumer_wakes_on_release, blocked_producer_wakes_on_take,
            vip_waiter_is_served_before_regular_waiter, regular_takes_when_no_vip_waits,
            regular_is_not_starved_after_vips_leave, batch_forms, observers,
            items_are_dropped_with_the_pool, error_debug_needs_no_debug_item);
    };
    (@tests $family:ty; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                crate::suite::$name::<$family>();
            }
        )*
    };
}

pub fn new_pool<P: BoundedPool>(capacity: usize) -> Arc<P> {
    Arc::new(P::with_capacity(capacity).expect("valid capacity"))
}

pub fn capacity_errors<F: Family>() {
    assert_eq!(
        F::Pool::<u64>::with_capacity(0).err(),
        Some(CapacityError::Zero)
    );
    match F::Pool::<u64>::with_capacity(usize::MAX) {
        Err(CapacityError::TooLarge { requested, .. }) => assert_eq!(requested, usize::MAX),
        Err(CapacityError::AllocationFailed { .. }) => {}
        other => panic!("expected a capacity error, got {:?}", other.map(|_| ())),
    }
    assert_eq!(F::Pool::<u64>::with_capacity(1).unwrap().capacity(), 1);
}

pub fn try_forms<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(2);
    let vendor = Producer::new(Arc::clone(&pool));
    let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
    assert_eq!(customer.try_take(), Err(TakeError::Empty));
    vendor.try_release(1).unwrap();
    vendor.try_release(2).unwrap();
    assert_eq!(vendor.try_release(3), Err(ReleaseError::Full(3)));
    assert!(pool.is_full());
    assert_eq!(customer.try_take(), Ok(1));
    assert_eq!(customer.try_take(), Ok(2));
    assert!(pool.is_empty());
}

pub fn fifo_order_single_thread<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(5);
    let vendor = Producer::new(Arc::clone(&pool));
    let customer = Consumer::new(Arc::clone(&pool), Priority::Vip);
    // Several laps around the ring, to cross the wrap-around.
    for round in 0..7_u64 {
        for i in 0..5 {
            vendor.release(round * 10 + i).unwrap();
        }
        for i in 0..5 {
            assert_eq!(customer.take(), Ok(round * 10 + i));
        }
    }
}

pub fn timeouts<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(1);
    let vendor = Producer::new(Arc::clone(&pool));
    let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
    let start = Instant::now();
    assert_eq!(
        customer.take_timeout(Duration::from_millis(30)),
        Err(TakeError::Timeout)
    );
    assert!(start.elapsed() >= Duration::from_millis(30));
    vendor.release(5).unwrap();
    let start = Instant::now();
    assert_eq!(
        vendor.release_timeout(6, Duration::from_millis(30)),
        Err(ReleaseError::Timeout(6))
    );
    assert!(start.elapsed() >= Duration::from_millis(30));
    let past = Instant::now() - Duration::from_millis(1);
    assert_eq!(
        vendor.release_deadline(7, past),
        Err(ReleaseError::Timeout(7))
    );
    assert_eq!(customer.take_deadline(past), Ok(5));
    assert_eq!(customer.take_deadline(past), Err(TakeError::Timeout));
    assert_eq!(pool.waiting_consumers(Priority::Regular), 0);
    assert_eq!(pool.waiting_producers(), 0);
}

pub fn close_returns_items_and_drains<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(4);
    let vendor = Producer::new(Arc::clone(&pool));
    let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
    vendor.release(1).unwrap();
    vendor.release(2).unwrap();
    assert!(pool.close());
    assert!(!pool.close(), "second close reports it was already closed");
    assert!(pool.is_closed());
    assert_eq!(vendor.release(3), Err(ReleaseError::Closed(3)));
    assert_eq!(vendor.try_release(4), Err(ReleaseError::Closed(4)));
    assert_eq!(customer.take(), Ok(1));
    assert_eq!(customer.take_timeout(Duration::from_secs(5)), Ok(2));
    assert_eq!(customer.take(), Err(TakeError::Closed));
    assert_eq!(customer.try_take(), Err(TakeError::Closed));
}

/// Closing wakes every blocked consumer (both priorities) and every blocked
/// producer; each is told the pool closed, and no item is lost.
pub fn close_wakes_every_waiter<F: Family>() {
    // Consumers block on an empty pool.
    let empty = new_pool::<F::Pool<u64>>(1);
    let mut buyers = Vec::new();
    for priority in [Priority::Vip, Priority::Regular, Priority::Vip] {
        let customer = Consumer::new(Arc::clone(&empty), priority);
        buyers.push(thread::spawn(move || customer.take()));
    }
    // Close only once all three are really blocked, so close is what wakes them.
    wait_until(|| {
        empty.waiting_consumers(Priority::Vip) == 2
            && empty.waiting_consumers(Priority::Regular) == 1
    });
    assert!(empty.close());
    for buyer in buyers {
        assert_eq!(buyer.join().unwrap(), Err(TakeError::Closed));
    }
    assert_eq!(empty.waiting_consumers(Priority::Vip), 0);
    assert_eq!(empty.waiting_consumers(Priority::Regular), 0);

    // A producer blocks on a full pool and gets its item back.
    let full = new_pool::<F::Pool<u64>>(1);
    Producer::new(Arc::clone(&full)).release(0).unwrap();
    let vendor = Producer::new(Arc::clone(&full));
    let seller = thread::spawn(move || vendor.release(1).map_err(|e| e.into_inner()));
    wait_until(|| full.waiting_producers() == 1);
    assert!(full.close());
    assert_eq!(
        seller.join().unwrap(),
        Err(1),
        "the blocked item comes back"
    );
    assert_eq!(full.waiting_producers(), 0);
    // What was released before the close is still there to take.
    let customer = Consumer::new(Arc::clone(&full), Priority::Regular);
    assert_eq!(customer.take(), Ok(0));
    assert_eq!(customer.take(), Err(TakeError::Closed));
}

pub fn blocked_consumer_wakes_on_release<F: Family>() {
    for priority in [Priority::Vip, Priority::Regular] {
        let pool = new_pool::<F::Pool<u64>>(1);
        let customer = Consumer::new(Arc::clone(&pool), priority);
        let buyer = thread::spawn(move || customer.take());
        wait_until(|| pool.waiting_consumers(priority) == 1);
        Producer::new(Arc::clone(&pool)).release(42).unwrap();
        assert_eq!(buyer.join().unwrap(), Ok(42));
        assert_eq!(pool.waiting_consumers(priority), 0);
    }
}

pub fn blocked_producer_wakes_on_take<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(1);
    let vendor = Producer::new(Arc::clone(&pool));
    vendor.release(1).unwrap();
    let blocked = thread::spawn(move || vendor.release(2));
    wait_until(|| pool.waiting_producers() == 1);
    let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
    assert_eq!(customer.take(), Ok(1));
    assert_eq!(blocked.join().unwrap(), Ok(()));
    assert_eq!(customer.take(), Ok(2));
}

/// The VIP rule: with a VIP and a Regular both waiting, each new item goes to
/// the VIP, whoever started waiting first.
pub fn vip_waiter_is_served_before_regular_waiter<F: Family>() {
    for _ in 0..5 {
        let pool = new_pool::<F::Pool<u64>>(4);
        let regular = Consumer::new(Arc::clone(&pool), Priority::Regular);
        // No short timeout: a Regular that gave up early would no longer be
        // waiting, and the test would prove nothing (or hang in wait_until).
        let regular_got = thread::spawn(move || regular.take());
        wait_until(|| pool.waiting_consumers(Priority::Regular) == 1);
        let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
        let vip_got = thread::spawn(move || vip.take());
        wait_until(|| pool.waiting_consumers(Priority::Vip) == 1);
        let vendor = Producer::new(Arc::clone(&pool));
        vendor.release(7).unwrap();
        assert_eq!(vip_got.join().unwrap(), Ok(7), "the VIP gets the item");
        // The Regular was still waiting and did not get 7: it gets the next.
        assert_eq!(pool.waiting_consumers(Priority::Regular), 1);
        vendor.release(8).unwrap();
        assert_eq!(
            regular_got.join().unwrap(),
            Ok(8),
            "the Regular gets the next item"
        );
    }
}

pub fn regular_takes_when_no_vip_waits<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(4);
    let vendor = Producer::new(Arc::clone(&pool));
    vendor.release(1).unwrap();
    let regular = Consumer::new(Arc::clone(&pool), Priority::Regular);
    let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
    assert_eq!(regular.try_take(), Ok(1));
    vendor.release(2).unwrap();
    assert_eq!(vip.try_take(), Ok(2));
}

pub fn regular_is_not_starved_after_vips_leave<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(4);
    let vip = Consumer::new(Arc::clone(&pool), Priority::Vip);
    assert_eq!(
        vip.take_timeout(Duration::from_millis(5)),
        Err(TakeError::Timeout)
    );
    let regular = Consumer::new(Arc::clone(&pool), Priority::Regular);
    let got = thread::spawn(move || regular.take_timeout(Duration::from_secs(10)));
    wait_until(|| pool.waiting_consumers(Priority::Regular) == 1);
    Producer::new(Arc::clone(&pool)).release(9).unwrap();
    assert_eq!(got.join().unwrap(), Ok(9));
}

pub fn batch_forms<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(3);
    let vendor = Producer::new(Arc::clone(&pool));
    let customer = Consumer::new(Arc::clone(&pool), Priority::Regular);
    let mut batch = vec![1, 2, 3, 4, 5];
    assert_eq!(vendor.release_many(&mut batch), Ok(3));
    assert_eq!(batch, vec![4, 5], "what did not fit stays, in order");
    assert_eq!(
        vendor.try_release_many(&mut batch),
        Err(ReleaseError::Full(()))
    );
    assert_eq!(batch, vec![4, 5]);
    let mut out = Vec::new();
    assert_eq!(customer.take_many(2, &mut out), Ok(2));
    assert_eq!(out, vec![1, 2]);
    assert_eq!(customer.take_many(10, &mut out), Ok(1));
    assert_eq!(out, vec![1, 2, 3]);
    assert_eq!(customer.try_take_many(10, &mut out), Err(TakeError::Empty));
    assert_eq!(
        customer.take_many_timeout(10, &mut out, Duration::from_millis(5)),
        Err(TakeError::Timeout)
    );
    assert_eq!(customer.take_many(0, &mut out), Ok(0));
    assert_eq!(
        vendor.release_many_timeout(&mut batch, Duration::from_millis(5)),
        Ok(2)
    );
    assert!(batch.is_empty());
    assert_eq!(vendor.release_many(&mut batch), Ok(0));
    pool.close();
    let mut more = vec![6];
    assert_eq!(
        vendor.release_many(&mut more),
        Err(ReleaseError::Closed(()))
    );
    assert_eq!(more, vec![6]);
    assert_eq!(customer.take_many(10, &mut out), Ok(2));
    assert_eq!(customer.take_many(10, &mut out), Err(TakeError::Closed));
}

pub fn observers<F: Family>() {
    let pool = new_pool::<F::Pool<u64>>(3);
    let vendor = Producer::new(Arc::clone(&pool));
    let customer = Consumer::new(Arc::clone(&pool), Priority::Vip);
    for i in 0..10 {
        vendor.release(i).unwrap();
        vendor.release(i).unwrap();
        assert_eq!(pool.len(), 2);
        customer.take().unwrap();
        customer.take().unwrap();
    }
    assert_eq!(pool.put_count(), 20);
    assert_eq!(pool.taken_count(), 20);
    assert!(pool.is_empty() && !pool.is_full() && !pool.is_closed());
    assert!(!F::Pool::<u64>::STRATEGY.is_empty());
}

pub fn items_are_dropped_with_the_pool<F: Family>() {
    let token = Arc::new(());
    let pool = F::Pool::<Arc<()>>::with_capacity(4).unwrap();
    for _ in 0..3 {
        pool.try_put(Arc::clone(&token)).unwrap();
    }
    drop(pool.try_take(Priority::Regular).unwrap());
    assert_eq!(Arc::strong_count(&token), 3);
    drop(pool);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "items left in the pool are dropped with it"
    );
}

/// Error types print without needing `T: Debug`.
pub fn error_debug_needs_no_debug_item<F: Family>() {
    struct Opaque;
    let err = ReleaseError::Full(Opaque);
    assert_eq!(format!("{err:?}"), "Full(..)");
    assert_eq!(err.to_string(), "releasing into a full pool");
    assert!(err.is_full());
    assert_eq!(format!("{:?}", ReleaseError::Closed(Opaque)), "Closed(..)");
    assert_eq!(
        TakeError::Closed.to_string(),
        "taking from a closed and empty pool"
    );
}

/// Polls until `condition` holds. The limit only guards against a hang; it
/// is never reached when things work, even on a machine under load.
pub fn wait_until(condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "condition never held"
        );
        thread::sleep(Duration::from_millis(1));
    }
}
