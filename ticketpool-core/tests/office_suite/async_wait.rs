//! The office's async face: `buy_async` and `reserve_async` futures, served
//! in the blocking calls' order (VIPs first across types, first come first
//! served within a priority), cancel-safe, and woken by close and sold out.
//!
//! Futures are polled by hand with a waker that records being woken, so
//! the order is checked step by step with no executor and no sleeps;
//! blocking buyers run on threads, and the test waits for them to be
//! counted in line (the snapshot's waiting counts) before releasing.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{BoxOffice, BoxOfficeError, Priority, Strategy, Want};

use super::{office, one_type, two_types};

/// Longest wait for a thread to get in line: a guard against a hang.
const PATIENCE: Duration = Duration::from_secs(120);

/// Records that it was woken.
#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A future polled by hand.
pub(super) struct Polled<F: Future> {
    future: Pin<Box<F>>,
    flag: Arc<Flag>,
}

impl<F: Future> Polled<F> {
    pub(super) fn new(future: F) -> Self {
        Self {
            future: Box::pin(future),
            flag: Arc::default(),
        }
    }

    fn poll(&mut self) -> Poll<F::Output> {
        self.flag.0.store(false, Ordering::SeqCst);
        let waker = Waker::from(Arc::clone(&self.flag));
        self.future.as_mut().poll(&mut Context::from_waker(&waker))
    }

    /// Polls, expecting it to wait still.
    pub(super) fn pending(&mut self, what: &str) {
        assert!(self.poll().is_pending(), "{what} should still wait");
    }

    /// Polls, expecting it done.
    pub(super) fn ready(&mut self, what: &str) -> F::Output {
        match self.poll() {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("{what} should be done"),
        }
    }

    pub(super) fn woken(&self) -> bool {
        self.flag.0.load(Ordering::SeqCst)
    }

    pub(super) fn get(&self) -> &F {
        &self.future
    }
}

/// Wakes a parked thread.
struct Unpark(thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// Waits (yielding) until `condition` holds.
fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "{what}");
        thread::yield_now();
    }
}

pub(super) fn waiting(office: &BoxOffice) -> (u64, u64) {
    let snap = office.snapshot();
    (snap.waiting_vip, snap.waiting_regular)
}

/// An async VIP (any type) is served before an async Regular and a
/// blocking Regular who both want the released type, in a one-type office
/// (blocking buyers wait in the pool) and a two-type one (in the line).
pub fn async_vip_goes_before_async_and_blocking_regulars(strategy: Strategy) {
    for config in [one_type(strategy, 10, 4), two_types(strategy, 10, 4)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let mut vip = Polled::new(office.customer("vip", Priority::Vip).buy_async(Want::Any));
        vip.pending("the VIP");
        let mut reg = Polled::new(office.customer("reg", Priority::Regular).buy_async(&*ty));
        reg.pending("the async Regular");
        assert_eq!(vip.get().position(), Some(1));
        assert_eq!(reg.get().position(), Some(2));
        let blocking = {
            let buyer = office.customer("blocking", Priority::Regular);
            let ty = ty.clone();
            thread::spawn(move || buyer.buy(&*ty).unwrap())
        };
        wait_until("the blocking Regular never waited", || {
            waiting(&office) == (1, 2)
        });
        let first = vendor.release(&ty).unwrap();
        assert!(vip.woken());
        let sale = vip.ready("the VIP").unwrap();
        assert_eq!(sale.ticket.id, first.id);
        assert!(sale.waited > Duration::ZERO);
        assert_eq!(reg.get().position(), Some(1));
        // The next two go to the two Regulars, in whichever order.
        vendor.release(&ty).unwrap();
        vendor.release(&ty).unwrap();
        let blocking_sale = blocking.join().unwrap();
        let reg_sale = reg.ready("the async Regular").unwrap();
        assert_ne!(blocking_sale.ticket.id, reg_sale.ticket.id);
        assert_eq!(waiting(&office), (0, 0));
        assert_eq!(office.snapshot().totals.sold, 3);
    }
}

/// A blocking VIP is served before an async Regular who was in line first.
pub fn blocking_vip_goes_before_an_async_regular(strategy: Strategy) {
    for config in [one_type(strategy, 10, 4), two_types(strategy, 10, 4)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let mut reg = Polled::new(
            office
                .customer("reg", Priority::Regular)
                .buy_async(Want::Any),
        );
        reg.pending("the async Regular");
        let vip = {
            let buyer = office.customer("vip", Priority::Vip);
            let ty = ty.clone();
            thread::spawn(move || buyer.buy(&*ty).unwrap())
        };
        wait_until("the blocking VIP never waited", || {
            waiting(&office) == (1, 1)
        });
        let first = vendor.release(&ty).unwrap();
        assert_eq!(vip.join().unwrap().ticket.id, first.id);
        reg.pending("the async Regular");
        let second = vendor.release(&ty).unwrap();
        assert_eq!(reg.ready("the async Regular").unwrap().ticket.id, second.id);
    }
}

/// Within a priority, futures are served in arrival order, and a VIP who
/// comes later goes ahead of every Regular; places in line say so.
pub fn async_waiters_are_served_first_come_first_served(strategy: Strategy) {
    for config in [one_type(strategy, 10, 4), two_types(strategy, 10, 4)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let mut regulars: Vec<_> = (0..3)
            .map(|i| {
                let buyer = office.customer(&format!("r{i}"), Priority::Regular);
                let mut future = Polled::new(buyer.buy_async(Want::Any));
                future.pending("a Regular");
                future
            })
            .collect();
        let places: Vec<_> = regulars.iter().map(|r| r.get().position()).collect();
        assert_eq!(places, [Some(1), Some(2), Some(3)]);
        let mut vip = Polled::new(office.customer("vip", Priority::Vip).buy_async(&*ty));
        vip.pending("the VIP");
        let place = vip.get().place();
        assert_eq!(place.get(), Some(1));
        assert_eq!(regulars[2].get().position(), Some(4));
        vendor.release(&ty).unwrap();
        assert_eq!(&*vip.ready("the VIP").unwrap().customer, "vip");
        assert_eq!(place.get(), None);
        for (i, regular) in regulars.iter_mut().enumerate() {
            assert_eq!(regular.get().position(), Some(1));
            vendor.release(&ty).unwrap();
            let sale = regular.ready("the Regular at the front").unwrap();
            assert_eq!(&*sale.customer, format!("r{i}"));
        }
        assert_eq!(waiting(&office), (0, 0));
    }
}

/// Dropping a waiting future takes it out of line: counts and the limit
/// go back to zero, and a ticket already handed to it goes to the next in
/// line; a dropped VIP lets the Regular it held back take the ticket.
pub fn dropping_an_async_wait_cancels_it_cleanly(strategy: Strategy) {
    for config in [one_type(strategy, 10, 4), two_types(strategy, 10, 4)] {
        let mut config = config;
        config.purchase_limit = Some(1);
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        // Dropped while waiting, with nothing handed to it.
        let mut gone = Polled::new(office.customer("gone", Priority::Vip).buy_async(Want::Any));
        gone.pending("the VIP");
        assert_eq!(waiting(&office), (1, 0));
        assert_eq!(office.tickets_of("gone"), 1);
        drop(gone);
        assert_eq!(waiting(&office), (0, 0));
        assert_eq!(office.tickets_of("gone"), 0);

        // Dropped with a ticket handed to it: the next in line gets it.
        let mut first = Polled::new(
            office
                .customer("a", Priority::Regular)
                .reserve_async(Want::Any),
        );
        let mut second = Polled::new(
            office
                .customer("b", Priority::Regular)
                .reserve_async(Want::Any),
        );
        first.pending("a");
        second.pending("b");
        let ticket = vendor.release(&ty).unwrap();
        assert!(first.woken());
        drop(first);
        assert!(second.woken());
        let hold = second.ready("b").unwrap();
        assert_eq!(hold.ticket().id, ticket.id);
        assert_eq!(office.tickets_of("a"), 0);
        assert_eq!(waiting(&office), (0, 0));
        assert!(hold.cancel());

        // A dropped VIP lets a blocking Regular it held back proceed.
        let available = office.snapshot().totals.available;
        assert_eq!(available, 1);
        let _taken = office
            .customer("c", Priority::Vip)
            .reserve(Want::Any)
            .unwrap();
        let mut vip = Polled::new(office.customer("vip", Priority::Vip).buy_async(Want::Any));
        vip.pending("the VIP");
        let regular = {
            let buyer = office.customer("reg", Priority::Regular);
            let ty = ty.clone();
            thread::spawn(move || buyer.buy(&*ty).unwrap())
        };
        wait_until("the Regular never waited", || waiting(&office) == (1, 1));
        let ticket = vendor.release(&ty).unwrap();
        drop(vip);
        assert_eq!(regular.join().unwrap().ticket.id, ticket.id);
        let snap = office.snapshot();
        assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
        assert_eq!(office.tickets_of("vip"), 0);
        assert!(snap.is_consistent());
    }
}

/// Close wakes every waiting future with `Closed`; a sell-out wakes them
/// with `SoldOut`, as for blocking buyers.
pub fn close_and_sold_out_wake_async_waiters(strategy: Strategy) {
    for config in [one_type(strategy, 10, 4), two_types(strategy, 10, 4)] {
        let office = office(config);
        let mut futures: Vec<_> = [Priority::Vip, Priority::Regular]
            .into_iter()
            .map(|p| {
                let mut f = Polled::new(office.customer("w", p).buy_async(Want::Any));
                f.pending("a waiter");
                f
            })
            .collect();
        office.close();
        for future in &mut futures {
            assert!(future.woken());
            assert!(matches!(
                future.ready("closed"),
                Err(BoxOfficeError::Closed)
            ));
        }
        assert_eq!(waiting(&office), (0, 0));
        assert_eq!(office.tickets_of("w"), 0);
    }
    for config in [one_type(strategy, 1, 1), two_types(strategy, 1, 2)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        vendor.release(&ty).unwrap();
        let hold = office
            .customer("h", Priority::Vip)
            .reserve(Want::Any)
            .unwrap();
        // The second waits behind the first (same want): it is told too,
        // not only once the first has left.
        let mut futures: Vec<_> = ["w1", "w2"]
            .into_iter()
            .map(|name| {
                let mut f = Polled::new(office.customer(name, Priority::Vip).reserve_async(&*ty));
                f.pending("a waiter");
                f
            })
            .collect();
        hold.confirm().unwrap();
        for future in futures.iter_mut().rev() {
            assert!(future.woken());
            assert!(future.ready("sold out").unwrap_err().is_sold_out());
        }
        assert_eq!(waiting(&office), (0, 0));
        // And a later one fails at once.
        let late = office
            .customer("late", Priority::Regular)
            .buy_async(Want::Any);
        assert!(block_on(late).unwrap_err().is_sold_out());
    }
}

/// Many futures on executor threads and blocking buyers, against vendors:
/// every ticket sold once, nobody left in line.
pub fn async_and_blocking_buyers_share_a_sale(strategy: Strategy) {
    const TOTAL: u64 = 400;
    let office = office(two_types(strategy, TOTAL, 8));
    let vendor = office.add_vendor("v", &[]).unwrap();
    let releaser = thread::spawn(move || {
        for i in 0.. {
            let ty = if i % 2 == 0 { "stalls" } else { "balcony" };
            if vendor.release(ty).is_err() {
                break;
            }
        }
    });
    let buyers: Vec<_> = (0..6)
        .map(|i| {
            let priority = if i % 3 == 0 {
                Priority::Vip
            } else {
                Priority::Regular
            };
            let buyer = office.customer(&format!("b{i}"), priority);
            thread::spawn(move || {
                let mut bought = Vec::new();
                loop {
                    // Any type: a buyer of one type could wait for ever
                    // while the vendor waits for room for the other.
                    let want = Want::Any;
                    let got = if i % 2 == 0 {
                        block_on(buyer.buy_async(want))
                    } else {
                        buyer.buy(want)
                    };
                    match got {
                        Ok(sale) => bought.push(sale.ticket.id),
                        Err(err) if err.is_sold_out() => return bought,
                        Err(other) => panic!("{other}"),
                    }
                }
            })
        })
        .collect();
    let mut ids: Vec<_> = buyers.into_iter().flat_map(|b| b.join().unwrap()).collect();
    releaser.join().unwrap();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, TOTAL);
    let snap = office.snapshot();
    assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
    assert!(snap.sold_out && snap.is_consistent());
}
