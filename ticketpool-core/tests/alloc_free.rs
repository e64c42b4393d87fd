//! Put and take allocate nothing once a pool is built, for both strategies:
//! a counting global allocator (its own test binary, since a
//! `#[global_allocator]` is per binary) counts every allocation made by the
//! measuring thread.
//!
//! The count is per thread, so tests running in parallel in this binary,
//! and the harness's own threads, do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{BoundedPool, Priority};

// Only the `Family` strategies are used here, not the `pool_suite!` tests.
#[allow(unused_macros)]
mod suite;

use suite::Family;

/// The system allocator, counting this thread's allocations.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: during thread teardown the slot may be gone; such
    // allocations are outside any measurement.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counter itself never allocates (a `const`
// thread-local `Cell`).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`; `ptr` came from this allocator, i.e. `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations this thread makes while running `f`.
fn allocations_in<R>(f: impl FnOnce() -> R) -> (u64, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (ALLOCATIONS.with(Cell::get) - before, result)
}

macro_rules! alloc_suite {
    ($family:ty) => {
        #[test]
        fn single_thread_forms_allocate_nothing() {
            crate::single_thread_forms_allocate_nothing::<$family>();
        }
        #[test]
        fn batch_forms_allocate_nothing() {
            crate::batch_forms_allocate_nothing::<$family>();
        }
        #[test]
        fn warmed_up_hand_off_allocates_nothing() {
            crate::warmed_up_hand_off_allocates_nothing::<$family>();
        }
    };
}

mod lockfree {
    alloc_suite!(crate::suite::LockFree);
}

mod condvar {
    alloc_suite!(crate::suite::Condvar);
}

/// The allocator really counts: without this, a broken counter would make
/// every other test here pass.
#[test]
fn counter_sees_allocations() {
    let (n, boxed) = allocations_in(|| Box::new(std::hint::black_box(7_u64)));
    assert_eq!(*boxed, 7);
    assert!(n >= 1, "the counting allocator saw no allocation");
}

fn single_thread_forms_allocate_nothing<F: Family>() {
    let pool = F::Pool::<u64>::with_capacity(4).expect("capacity");
    let rounds = |range: std::ops::Range<u64>| {
        for round in range {
            pool.try_put(round).expect("room");
            pool.put_until(round, None).expect("room");
            pool.put_until(round, Some(Instant::now() + Duration::from_secs(1)))
                .expect("room");
            pool.try_put(round).expect("room");
            assert!(pool.try_put(round).is_err(), "full");
            assert_eq!(pool.try_take(Priority::Vip), Ok(round));
            assert_eq!(pool.try_take(Priority::Regular), Ok(round));
            assert_eq!(pool.take_until(Priority::Vip, None), Ok(round));
            assert_eq!(
                pool.take_until(Priority::Regular, Some(Instant::now())),
                Ok(round)
            );
            assert!(pool.try_take(Priority::Regular).is_err(), "empty");
            // An expired deadline on an empty pool: the timeout path.
            assert!(pool
                .take_until(Priority::Vip, Some(Instant::now()))
                .is_err());
        }
    };
    // Warm-up: a thread's first park makes parking_lot allocate its
    // per-thread data (and maybe grow its table); that is per thread, not
    // per operation.
    let (warm_up, ()) = allocations_in(|| rounds(0..1));
    let (n, ()) = allocations_in(|| rounds(1..1_000));
    assert_eq!(
        n,
        0,
        "{} allocated in put/take (warm-up: {warm_up})",
        F::Pool::<u64>::STRATEGY
    );
}

fn batch_forms_allocate_nothing<F: Family>() {
    let pool = F::Pool::<u64>::with_capacity(8).expect("capacity");
    // The caller's buffers, reserved once and reused as a caller would.
    let mut batch = Vec::with_capacity(12);
    let mut out = Vec::with_capacity(12);
    let (n, ()) = allocations_in(|| {
        for round in 0..1_000_u64 {
            batch.extend(round..round + 12);
            // 8 fit; the 4 left over stay in `batch`.
            assert_eq!(pool.put_many(&mut batch, None), Ok(8));
            assert_eq!(batch.len(), 4);
            assert_eq!(pool.take_many(Priority::Regular, 12, &mut out, None), Ok(8));
            assert_eq!(pool.put_many(&mut batch, None), Ok(4));
            assert!(batch.is_empty());
            assert_eq!(pool.take_many(Priority::Vip, 12, &mut out, None), Ok(4));
            assert_eq!(out, (round..round + 12).collect::<Vec<_>>()[..]);
            out.clear();
        }
    });
    // The comparison above allocates one Vec per round: allow exactly that.
    assert_eq!(
        n,
        1_000,
        "{} allocated in put_many/take_many",
        F::Pool::<u64>::STRATEGY
    );
}

/// A producer and a consumer hand 20,000 items through a pool of capacity
/// 1, so both park over and over; after a warm-up of the same (parking_lot
/// allocates its per-thread data on a thread's first park), neither thread
/// allocates.
fn warmed_up_hand_off_allocates_nothing<F: Family>() {
    const ITEMS: u64 = 20_000;
    let pool = suite::new_pool::<F::Pool<u64>>(1);
    let phase = Arc::new(Barrier::new(2));
    let consumer = {
        let pool = Arc::clone(&pool);
        let phase = Arc::clone(&phase);
        thread::spawn(move || {
            let mut counts = [0; 2];
            for count in &mut counts {
                phase.wait();
                let (n, sum) = allocations_in(|| {
                    (0..ITEMS)
                        .map(|_| pool.take_until(Priority::Regular, None).expect("open"))
                        .sum::<u64>()
                });
                assert_eq!(sum, ITEMS * (ITEMS - 1) / 2, "every item once");
                *count = n;
            }
            counts
        })
    };
    let mut counts = [0; 2];
    for count in &mut counts {
        phase.wait();
        let (n, ()) = allocations_in(|| {
            for i in 0..ITEMS {
                pool.put_until(i, None).expect("open");
            }
        });
        *count = n;
    }
    let consumer_counts = consumer.join().expect("consumer panicked");
    assert!(
        pool.put_count() == 2 * ITEMS && pool.taken_count() == 2 * ITEMS,
        "both phases moved every item"
    );
    assert_eq!(
        (counts[1], consumer_counts[1]),
        (0, 0),
        "{} allocated in a warmed-up hand-off (producer, consumer); warm-up: {:?}, {:?}",
        F::Pool::<u64>::STRATEGY,
        counts[0],
        consumer_counts[0]
    );
}

/// How many allocations 50 purchases made with `buy` take on a fresh
/// office (this thread releases the tickets first).
fn allocations_of_office_buys(
    strategy: ticketpool_core::Strategy,
    buy: impl Fn(
        &ticketpool_core::Customer,
    ) -> Result<ticketpool_core::Sale, ticketpool_core::BoxOfficeError>,
) -> u64 {
    const BUYS: u64 = 50;
    let mut config =
        ticketpool_core::BoxOfficeConfig::simple("alloc", BUYS, 64, ticketpool_core::Money::ZERO);
    config.strategy = strategy;
    let office = ticketpool_core::BoxOffice::new(config).expect("valid config");
    let vendor = office.add_vendor("v", &[]).expect("new vendor");
    let customer = office.customer("c", Priority::Regular);
    for _ in 0..BUYS {
        vendor.release("general").expect("room");
    }
    let (n, ()) = allocations_in(|| {
        for _ in 0..BUYS {
            drop(buy(&customer).expect("a ticket on sale"));
        }
    });
    n
}

/// Buying by a type's name reads the name in place: as many allocations
/// as buying with a `Want` made beforehand (a `Want` built from the name
/// on every call was one more allocation per buy).
#[test]
fn buying_by_name_copies_no_name() {
    use ticketpool_core::{Strategy, Want};
    let want = Want::from("general");
    let name = String::from("general");
    for strategy in [Strategy::LockFree, Strategy::Condvar] {
        let by_want = allocations_of_office_buys(strategy, |c| c.try_buy(&want));
        let by_str = allocations_of_office_buys(strategy, |c| c.try_buy("general"));
        let by_string = allocations_of_office_buys(strategy, |c| c.try_buy(&name));
        assert_eq!((by_str, by_string), (by_want, by_want), "{strategy:?}");
    }
}
