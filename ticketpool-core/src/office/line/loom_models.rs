//! loom models of the line's cross-type hand-off, and of its async
//! hand-off: every interleaving of a VIP, a Regular (blocking or async)
//! and a vendor around two pools (the office without its counters,
//! journal or reaper thread). Run with
//! `LOOM_MAX_PREEMPTIONS=2 RUSTFLAGS="--cfg ticketpool_loom" cargo test -p ticketpool-core --release --lib office::line`.

use std::sync::Arc;
use std::task::{Context, Poll};

use super::*;
use crate::pool::condvar::CondvarPool;
use crate::pool::lockfree::LockFreePool;
use crate::pool::BoundedPool;

/// Two ticket types, each with a pool, and the line: what `take.rs` and
/// `restock` do, with tickets as numbers.
struct Office<P> {
    line: Line<u32>,
    pools: [P; 2],
}

impl<P: BoundedPool<Item = u32>> Pools<u32> for Office<P> {
    fn try_take(&self, ty: usize, priority: Priority) -> Result<u32, TakeError> {
        self.pools[ty].try_take(priority)
    }

    fn give_back(&self, ty: usize, ticket: u32) {
        self.restock(ty, ticket);
    }

    fn drained(&self, ty: usize) -> bool {
        self.pools[ty].is_closed() && self.pools[ty].is_empty()
    }

    fn vip_waits_inside(&self, ty: usize) -> bool {
        self.pools[ty].waiting_consumers(Priority::Vip) > 0
    }
}

impl<P: BoundedPool<Item = u32>> Office<P> {
    fn new() -> Arc<Self> {
        let pool = || P::with_capacity(2).unwrap();
        Arc::new(Self {
            line: Line::new(2),
            pools: [pool(), pool()],
        })
    }

    /// A ticket goes on sale (or back on sale) and the line is woken.
    fn restock(&self, ty: usize, ticket: u32) {
        let Some(ticket) = self.line.hand_off(ticket, ty, self) else {
            return;
        };
        self.pools[ty].try_put(ticket).unwrap();
        self.line.wake();
    }

    /// Waits for a ticket for ever; returns it. A Regular checks, as
    /// it leaves with it, that no VIP owed a ticket of that type still
    /// waits: every VIP in these models registered before the first
    /// release and buys once, so one still registered is one the
    /// Regular went before.
    fn buy(&self, priority: Priority, target: Option<usize>) -> u32 {
        let (ticket, ty, _) = self
            .line
            .take(priority, target, Some(None.into()), self, || false)
            .unwrap();
        if priority == Priority::Regular {
            assert!(!self.line.owed_to_vip(ty), "a Regular went before a VIP");
        }
        ticket
    }

    /// Spins (yielding to the model) until a VIP is registered.
    fn until_a_vip_waits(&self) {
        while self.line.waiting(Priority::Vip) == 0 {
            loom::thread::yield_now();
        }
    }
}

/// A VIP waits for `vip_wants`, a Regular for `regular_wants`; once the
/// VIP is registered, ticket 1 goes on sale as type 0, then ticket 2 as
/// `second_type`. In every interleaving (the Regular waiting, arriving,
/// or holding ticket 1 it must give back) the Regular never leaves with
/// a ticket while the VIP it overlaps waits, each gets one of the two
/// tickets, and nobody is left parked. (A ticket given back goes behind
/// the other, so which of the two the VIP gets may vary.)
fn vip_gets_the_first_ticket<P: BoundedPool<Item = u32> + 'static>(
    vip_wants: Option<usize>,
    regular_wants: Option<usize>,
    second_type: usize,
) {
    loom::model(move || {
        let office = Office::<P>::new();
        let vip = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || office.buy(Priority::Vip, vip_wants))
        };
        let regular = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || office.buy(Priority::Regular, regular_wants))
        };
        office.until_a_vip_waits();
        office.restock(0, 1);
        office.restock(second_type, 2);
        let mut got = [vip.join().unwrap(), regular.join().unwrap()];
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        assert_eq!(office.line.waiting(Priority::Vip), 0);
        assert_eq!(office.line.waiting(Priority::Regular), 0);
    });
}

/// A waker that does nothing: for a future polled once and dropped.
struct Noop;

impl std::task::Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// A waker that lets a loom thread wait for it: a lost wake-up is a
/// deadlock loom reports.
struct Notified(loom::sync::Notify);

impl std::task::Wake for Notified {
    fn wake(self: Arc<Self>) {
        self.0.notify();
    }
}

impl<P: BoundedPool<Item = u32>> Office<P> {
    /// Waits as a future, polled until ready and parked on its waker
    /// between polls; returns the ticket.
    fn buy_async(&self, priority: Priority, target: Option<usize>) -> u32 {
        let mut wait = AsyncWait::new(priority, target, 1);
        let notified = Arc::new(Notified(loom::sync::Notify::new()));
        let waker = std::task::Waker::from(Arc::clone(&notified));
        let mut cx = Context::from_waker(&waker);
        loop {
            match self.line.poll_take(&mut wait, &mut cx, self, || false) {
                Poll::Ready(taken) => return taken.unwrap().0[0].0,
                Poll::Pending => notified.0.wait(),
            }
        }
    }
}

/// A future registers its waker while a vendor releases: whichever
/// comes first, the future is handed the ticket or finds it, never
/// left waiting with the ticket in the pool.
fn async_waiter_is_never_left_waiting<P: BoundedPool<Item = u32> + 'static>(
    priority: Priority,
    target: Option<usize>,
) {
    loom::model(move || {
        let office = Office::<P>::new();
        let waiter = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || office.buy_async(priority, target))
        };
        office.restock(0, 1);
        assert_eq!(waiter.join().unwrap(), 1);
        assert_eq!(office.line.waiting(priority), 0);
        assert_eq!(office.line.waiting_async(), 0);
    });
}

#[test]
fn async_waiter_never_misses_a_release_condvar() {
    async_waiter_is_never_left_waiting::<CondvarPool<u32>>(Priority::Regular, Some(0));
}

#[test]
fn async_waiter_never_misses_a_release_lockfree() {
    async_waiter_is_never_left_waiting::<LockFreePool<u32>>(Priority::Vip, None);
}

/// A future polled once and dropped while a vendor releases: the ticket
/// is bought by it, or handed back to the pool by its drop, or never
/// left it: never lost.
fn dropped_async_waiter_loses_no_ticket<P: BoundedPool<Item = u32> + 'static>() {
    loom::model(|| {
        let office = Office::<P>::new();
        let waiter = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || {
                let mut wait = AsyncWait::new(Priority::Vip, None, 1);
                let waker = std::task::Waker::from(Arc::new(Noop));
                let mut cx = Context::from_waker(&waker);
                match office
                    .line
                    .poll_take(&mut wait, &mut cx, &*office, || false)
                {
                    Poll::Ready(taken) => Some(taken.unwrap().0[0].0),
                    Poll::Pending => {
                        // Dropped: what `Acquiring`'s drop does.
                        for (ticket, ty) in office.line.leave(&mut wait) {
                            office.restock(ty, ticket);
                        }
                        None
                    }
                }
            })
        };
        office.restock(0, 1);
        let bought = waiter.join().unwrap();
        let left = office.pools[0].try_take(Priority::Regular).ok();
        assert_eq!(
            bought.xor(left),
            Some(1),
            "bought {bought:?}, left {left:?}"
        );
        assert_eq!(office.line.waiting(Priority::Vip), 0);
        assert_eq!(office.line.waiting_async(), 0);
    });
}

#[test]
fn dropped_async_waiter_loses_no_ticket_condvar() {
    dropped_async_waiter_loses_no_ticket::<CondvarPool<u32>>();
}

#[test]
fn dropped_async_waiter_loses_no_ticket_lockfree() {
    dropped_async_waiter_loses_no_ticket::<LockFreePool<u32>>();
}

/// An async VIP (any type) and a blocking Regular (type 0): once the
/// VIP is registered, two type-0 tickets come; the Regular never leaves
/// with one while the VIP waits (checked in `buy`), and both are served.
fn async_vip_before_blocking_regular<P: BoundedPool<Item = u32> + 'static>() {
    loom::model(|| {
        let office = Office::<P>::new();
        let vip = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || office.buy_async(Priority::Vip, None))
        };
        let regular = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || office.buy(Priority::Regular, Some(0)))
        };
        office.until_a_vip_waits();
        office.restock(0, 1);
        office.restock(0, 2);
        let mut got = [vip.join().unwrap(), regular.join().unwrap()];
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        assert_eq!(office.line.waiting(Priority::Regular), 0);
    });
}

#[test]
fn async_vip_before_blocking_regular_condvar() {
    async_vip_before_blocking_regular::<CondvarPool<u32>>();
}

#[test]
fn async_vip_before_blocking_regular_lockfree() {
    async_vip_before_blocking_regular::<LockFreePool<u32>>();
}

#[test]
fn vip_any_before_regular_typed_condvar() {
    vip_gets_the_first_ticket::<CondvarPool<u32>>(None, Some(0), 0);
}

#[test]
fn vip_any_before_regular_typed_lockfree() {
    vip_gets_the_first_ticket::<LockFreePool<u32>>(None, Some(0), 0);
}

/// The VIP wants type 0 only; the Regular, wanting any type, may take
/// the type-1 ticket but never the type-0 one.
#[test]
fn vip_typed_before_regular_any_condvar() {
    vip_gets_the_first_ticket::<CondvarPool<u32>>(Some(0), None, 1);
}

#[test]
fn vip_typed_before_regular_any_lockfree() {
    vip_gets_the_first_ticket::<LockFreePool<u32>>(Some(0), None, 1);
}

impl<P: BoundedPool<Item = u32>> Office<P> {
    /// Waits as a future for `count` tickets of type 0, as `buy_async`;
    /// returns them, sorted.
    fn buy_many_async(&self, priority: Priority, count: usize) -> Vec<u32> {
        let mut wait = AsyncWait::new(priority, Some(0), count);
        let notified = Arc::new(Notified(loom::sync::Notify::new()));
        let waker = std::task::Waker::from(Arc::clone(&notified));
        let mut cx = Context::from_waker(&waker);
        loop {
            match self.line.poll_take(&mut wait, &mut cx, self, || false) {
                Poll::Ready(taken) => {
                    let mut got: Vec<u32> = taken.unwrap().0.into_iter().map(|t| t.0).collect();
                    got.sort_unstable();
                    return got;
                }
                Poll::Pending => notified.0.wait(),
            }
        }
    }
}

/// A future waiting for two tickets while a vendor releases two, one at a
/// time: whichever way the hand-offs, its own tries and its registration
/// interleave, it is served both, together, and nothing is left in the
/// pool or the line (no ticket lost, none kept after it is served).
fn many_waiter_gets_all_together<P: BoundedPool<Item = u32> + 'static>() {
    loom::model(|| {
        let office = Office::<P>::new();
        let waiter = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || office.buy_many_async(Priority::Regular, 2))
        };
        office.restock(0, 1);
        office.restock(0, 2);
        assert_eq!(waiter.join().unwrap(), [1, 2]);
        assert!(office.pools[0].try_take(Priority::Regular).is_err());
        assert_eq!(office.line.waiting(Priority::Regular), 0);
        assert_eq!(office.line.waiting_async(), 0);
    });
}

#[test]
fn many_waiter_gets_all_together_condvar() {
    many_waiter_gets_all_together::<CondvarPool<u32>>();
}

#[test]
fn many_waiter_gets_all_together_lockfree() {
    many_waiter_gets_all_together::<LockFreePool<u32>>();
}

/// A future for two tickets, polled once and dropped while a vendor
/// releases two: it is served both, or its drop gives back what it kept;
/// each ticket ends up bought or in the pool, exactly once.
fn dropped_many_waiter_loses_no_ticket<P: BoundedPool<Item = u32> + 'static>() {
    loom::model(|| {
        let office = Office::<P>::new();
        let waiter = {
            let office = Arc::clone(&office);
            loom::thread::spawn(move || {
                let mut wait = AsyncWait::new(Priority::Vip, Some(0), 2);
                let waker = std::task::Waker::from(Arc::new(Noop));
                let mut cx = Context::from_waker(&waker);
                match office
                    .line
                    .poll_take(&mut wait, &mut cx, &*office, || false)
                {
                    Poll::Ready(taken) => taken.unwrap().0.into_iter().map(|t| t.0).collect(),
                    Poll::Pending => {
                        for (ticket, ty) in office.line.leave(&mut wait) {
                            office.restock(ty, ticket);
                        }
                        Vec::new()
                    }
                }
            })
        };
        office.restock(0, 1);
        office.restock(0, 2);
        let mut seen: Vec<u32> = waiter.join().unwrap();
        assert!(
            seen.is_empty() || seen.len() == 2,
            "served {seen:?}: not all or nothing"
        );
        while let Ok(ticket) = office.pools[0].try_take(Priority::Regular) {
            seen.push(ticket);
        }
        seen.sort_unstable();
        assert_eq!(seen, [1, 2]);
        assert_eq!(office.line.waiting(Priority::Vip), 0);
        assert_eq!(office.line.waiting_async(), 0);
    });
}

#[test]
fn dropped_many_waiter_loses_no_ticket_condvar() {
    dropped_many_waiter_loses_no_ticket::<CondvarPool<u32>>();
}

#[test]
fn dropped_many_waiter_loses_no_ticket_lockfree() {
    dropped_many_waiter_loses_no_ticket::<LockFreePool<u32>>();
}
