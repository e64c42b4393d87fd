//! Interruptible waits (`Interrupt`): the check runs every slice with the
//! waiter still registered (a VIP keeps its place ahead of Regulars), and a
//! check that says stop ends the wait with nothing taken.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{
    BoxOffice, BoxOfficeConfig, BoxOfficeError, DynamicPool, Interrupt, Money, Priority, Strategy,
    TakeError, TicketTypeConfig, Want,
};

const PATIENCE: Duration = Duration::from_secs(120);
const SLICE: Duration = Duration::from_millis(1);

fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "{what}");
        thread::yield_now();
    }
}

fn stops_with_nothing_taken(strategy: Strategy) {
    let pool = DynamicPool::<u32>::with_capacity(strategy, 2).unwrap();
    let checks = AtomicUsize::new(0);
    let check = || checks.fetch_add(1, Ordering::SeqCst) >= 2;
    let interrupt = Interrupt::new(SLICE, &check);
    let got = pool.take_interruptible(Priority::Vip, None, &interrupt);
    assert_eq!(got, Err(TakeError::Interrupted));
    assert!(interrupt.fired());
    assert_eq!(checks.load(Ordering::SeqCst), 3);
    assert_eq!(pool.waiting_consumers(Priority::Vip), 0);
    // A deadline still ends an interruptible wait that is never stopped.
    let never = || false;
    let patient = Interrupt::new(SLICE, &never);
    let soon = Instant::now() + Duration::from_millis(20);
    assert_eq!(
        pool.take_interruptible(Priority::Regular, Some(soon), &patient),
        Err(TakeError::Timeout)
    );
    pool.try_put(7).unwrap();
    assert_eq!(
        pool.take_interruptible(Priority::Regular, None, &patient),
        Ok(7)
    );
}

/// The VIP is counted as waiting every time its check runs, and gets the
/// item ahead of a Regular that waits in one piece.
fn vip_keeps_its_place_while_checking(strategy: Strategy) {
    let pool = Arc::new(DynamicPool::<u32>::with_capacity(strategy, 2).unwrap());
    let checks = AtomicUsize::new(0);
    let unregistered = AtomicBool::new(false);
    let check = || {
        if pool.waiting_consumers(Priority::Vip) != 1 {
            unregistered.store(true, Ordering::SeqCst);
        }
        checks.fetch_add(1, Ordering::SeqCst);
        false
    };
    thread::scope(|s| {
        let regular = s.spawn(|| pool.take_until(Priority::Regular, None));
        wait_until("the Regular never waited", || {
            pool.waiting_consumers(Priority::Regular) == 1
        });
        let vip = s.spawn(|| {
            let interrupt = Interrupt::new(SLICE, &check);
            pool.take_interruptible(Priority::Vip, None, &interrupt)
        });
        wait_until("the VIP never checked", || {
            checks.load(Ordering::SeqCst) >= 3
        });
        pool.try_put(1).unwrap();
        assert_eq!(vip.join().unwrap(), Ok(1));
        pool.try_put(2).unwrap();
        assert_eq!(regular.join().unwrap(), Ok(2));
    });
    assert!(
        !unregistered.load(Ordering::SeqCst),
        "the VIP left the line to check"
    );
}

fn office(strategy: Strategy, types: usize) -> BoxOffice {
    let mut config = BoxOfficeConfig::simple("interrupt", 10, 4, Money::from_minor(100));
    config.strategy = strategy;
    config.purchase_limit = Some(1);
    if types == 2 {
        config.ticket_types.push(TicketTypeConfig {
            name: "balcony".into(),
            price: Money::from_minor(50),
            quota: None,
            capacity: None,
        });
    }
    BoxOffice::new(config).unwrap()
}

/// An interrupted buy or reserve returns `Interrupted`, frees its limit
/// slot and leaves the line, in a single-type office (waiting in the pool)
/// and a two-type one (waiting in the office's line).
fn office_waits_are_interruptible(strategy: Strategy) {
    for types in [1, 2] {
        let office = office(strategy, types);
        let ann = office.customer("ann", Priority::Vip);
        let stop = || office.snapshot().waiting_vip == 1;
        let interrupt = Interrupt::new(SLICE, &stop);
        let refused = ann.buy_interruptible(Want::Any, None, &interrupt);
        assert!(
            matches!(refused, Err(BoxOfficeError::Interrupted)),
            "{refused:?}"
        );
        let interrupt = Interrupt::new(SLICE, &stop);
        let refused = ann.reserve_interruptible(Want::Any, None, &interrupt);
        assert!(
            matches!(refused, Err(BoxOfficeError::Interrupted)),
            "{refused:?}"
        );
        assert_eq!(office.snapshot().waiting_vip, 0);
        assert_eq!(office.tickets_of("ann"), 0);
        let vendor = office.add_vendor("v", &[]).unwrap();
        vendor.release("general").unwrap();
        let never = || false;
        let interrupt = Interrupt::new(SLICE, &never);
        let sale = ann.buy_interruptible(Want::Any, None, &interrupt).unwrap();
        assert_eq!(&*sale.customer, "ann");
    }
}

macro_rules! per_strategy {
    ($($name:ident),*) => {
        mod lockfree {
            $(#[test] fn $name() { super::$name(ticketpool_core::Strategy::LockFree) })*
        }
        mod condvar {
            $(#[test] fn $name() { super::$name(ticketpool_core::Strategy::Condvar) })*
        }
    };
}

per_strategy!(
    stops_with_nothing_taken,
    vip_keeps_its_place_while_checking,
    office_waits_are_interruptible
);
