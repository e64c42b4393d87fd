//! The office's async face: [`BuyFuture`], [`ReserveFuture`] and
//! [`ReserveManyFuture`], what
//! [`Customer::buy_async`](crate::Customer::buy_async),
//! [`Customer::reserve_async`](crate::Customer::reserve_async) and
//! [`Customer::reserve_many_async`](crate::Customer::reserve_many_async)
//! return, and [`PlaceInLine`], a waiting future's place in line read from
//! elsewhere.
//!
//! A future waits in the office's line (`line/`, its async queue in
//! `waitlist.rs`, where the design is described), in every office, even a
//! single-type one whose blocking buyers wait inside the pool: tickets are
//! handed to futures before they reach the pool, and futures are counted in
//! the line's VIP/Regular counts, so the VIP rule holds between futures and
//! blocking buyers. No runtime is needed: the futures use std's `Waker`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::office::error::BoxOfficeError;
use crate::office::hold::Hold;
use crate::office::line::{AsyncWait, Miss, PlaceOf, Taken};
use crate::office::state::Inner;
use crate::office::ticket::{Sale, Ticket};
use crate::office::trace::{self, Actor};
use crate::pool::primitive::Ordering;
use crate::pool::Priority;

/// An async buyer's wait, shared by both futures: its limit slot, its
/// place in line, and its cleanup when dropped.
struct Acquiring {
    office: Arc<Inner>,
    customer: Arc<str>,
    priority: Priority,
    /// An unknown type, reported on the first poll.
    failed: Option<BoxOfficeError>,
    wait: AsyncWait,
    /// How many tickets it waits for, handed over together.
    count: usize,
    /// Purchase-limit slots claimed (all `count`, on the first poll).
    claimed: usize,
    /// Counted in the office's waiting gauge (for demand pricing).
    gauged: bool,
    /// Ready was returned: nothing is left to clean up.
    done: bool,
}

impl Acquiring {
    fn new(
        office: Arc<Inner>,
        customer: Arc<str>,
        priority: Priority,
        wanted: Option<&str>,
        count: usize,
    ) -> Self {
        let (target, failed) = match office.target_of(wanted) {
            Ok(target) => (target, None),
            Err(err) => (None, Some(err)),
        };
        let wait = AsyncWait::new(priority, target, count);
        Self {
            office,
            customer,
            priority,
            failed,
            wait,
            count,
            claimed: 0,
            gauged: false,
            done: false,
        }
    }

    fn place(&self) -> PlaceInLine {
        PlaceInLine {
            office: Arc::clone(&self.office),
            place: self.wait.place(),
        }
    }

    fn poll_acquire(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Taken<Ticket>, BoxOfficeError>> {
        assert!(!self.done, "a ticket future polled after it completed");
        if let Some(err) = self.failed.take() {
            self.done = true;
            return Poll::Ready(Err(err));
        }
        if self.count == 0 {
            // Nothing asked, nothing held (and no place taken).
            self.done = true;
            return Poll::Ready(Ok((Vec::new(), Duration::ZERO)));
        }
        let office = Arc::clone(&self.office);
        while self.claimed < self.count {
            if let Err(err) = office.claim_limit(&self.customer) {
                self.done = true;
                self.unclaim();
                return Poll::Ready(Err(err));
            }
            self.claimed += 1;
        }
        let polled = office.line.poll_take(&mut self.wait, cx, &*office, || {
            office.gauges.closed.load(Ordering::Acquire)
        });
        let Poll::Ready(result) = polled else {
            if !self.gauged {
                self.gauged = true;
                self.gauge().fetch_add(1, Ordering::Relaxed);
            }
            return Poll::Pending;
        };
        self.done = true;
        self.ungauge();
        Poll::Ready(result.map_err(|miss| {
            self.unclaim();
            match miss {
                Miss::Ended => office.end_reason(),
                // Not produced by an async take (no deadline, no check).
                Miss::Empty => BoxOfficeError::Empty,
                Miss::Timeout => BoxOfficeError::Timeout,
                Miss::Interrupted => BoxOfficeError::Interrupted,
            }
        }))
    }

    /// Places a hold on each ticket taken, all or none: if one fails (a
    /// journal error), the holds made are cancelled (dropped) and the
    /// tickets not yet held go back on sale, their limit slots freed.
    fn hold_all(&self, (tickets, waited): Taken<Ticket>) -> Result<Vec<Hold>, BoxOfficeError> {
        let mut holds = Vec::with_capacity(tickets.len());
        let mut tickets = tickets.into_iter();
        while let Some((ticket, ty)) = tickets.next() {
            let placed = self
                .office
                .hold_taken(&self.customer, self.priority, ticket, ty, waited);
            match placed {
                Ok(terms) => holds.push(Hold::new(Arc::clone(&self.office), terms)),
                Err(err) => {
                    // That one's ticket and slot are given back by
                    // `hold_taken`; the rest are given back here.
                    for (ticket, ty) in tickets {
                        self.office.unclaim_limit(&self.customer);
                        self.office.restock(ticket, ty);
                    }
                    return Err(err);
                }
            }
        }
        Ok(holds)
    }

    /// Frees the purchase-limit slots claimed.
    fn unclaim(&mut self) {
        for _ in 0..std::mem::take(&mut self.claimed) {
            self.office.unclaim_limit(&self.customer);
        }
    }

    /// Logs a refused buy or reserve, as the blocking calls do.
    fn refused(&self, op: &'static str, err: &BoxOfficeError) {
        let actor = Actor::Customer {
            customer: &self.customer,
            priority: self.priority,
        };
        trace::refused(op, actor, err);
    }

    fn gauge(&self) -> &crate::pool::primitive::AtomicU64 {
        self.office.gauges.waiting(self.priority)
    }

    fn ungauge(&mut self) {
        if self.gauged {
            self.gauged = false;
            self.gauge().fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Drop for Acquiring {
    /// Cancel safety: leaves the line (tickets handed over or kept
    /// meanwhile go back on sale, to the next in line) and frees the limit
    /// slots.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.ungauge();
        for (ticket, ty) in self.office.line.leave(&mut self.wait) {
            self.office.restock(ticket, ty);
        }
        self.unclaim();
    }
}

/// A buy that waits as a future: what
/// [`Customer::buy_async`](crate::Customer::buy_async) returns.
///
/// # Cancel safety
///
/// Dropping it before it completes takes the customer out of line: no
/// ticket is taken (one handed over meanwhile goes to the next in line),
/// the purchase-limit slot is freed, and nobody else loses a place.
///
/// # Panics
///
/// Polling it again after it completed panics, as for most futures.
#[must_use = "futures do nothing unless polled"]
pub struct BuyFuture {
    acquiring: Acquiring,
}

impl BuyFuture {
    pub(crate) fn new(
        office: Arc<Inner>,
        customer: Arc<str>,
        priority: Priority,
        wanted: Option<&str>,
    ) -> Self {
        Self {
            acquiring: Acquiring::new(office, customer, priority, wanted, 1),
        }
    }

    /// The 1-based place in line while the buy waits (VIPs first, then
    /// arrival order), `None` before it first waited or once done. Cheap:
    /// one lock and a binary search.
    pub fn position(&self) -> Option<usize> {
        self.place().get()
    }

    /// A reader of this buy's place in line, for another task.
    pub fn place(&self) -> PlaceInLine {
        self.acquiring.place()
    }
}

impl Future for BuyFuture {
    type Output = Result<Sale, BoxOfficeError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let acquiring = &mut self.get_mut().acquiring;
        let result = match acquiring.poll_acquire(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(taken) => taken.and_then(|(tickets, waited)| {
                let (customer, priority) = (&acquiring.customer, acquiring.priority);
                let (ticket, ty) = tickets.into_iter().next().expect("a buy takes one ticket");
                acquiring
                    .office
                    .sell_taken(customer, priority, ticket, ty, waited)
            }),
        };
        Poll::Ready(result.inspect_err(|err| acquiring.refused("buy", err)))
    }
}

/// A reserve that waits as a future: what
/// [`Customer::reserve_async`](crate::Customer::reserve_async) returns.
///
/// # Cancel safety
///
/// As [`BuyFuture`]'s: dropped before it completes, it leaves no hold and
/// no place in line behind.
///
/// # Panics
///
/// As [`BuyFuture`]'s.
#[must_use = "futures do nothing unless polled"]
pub struct ReserveFuture {
    many: ReserveManyFuture,
}

impl ReserveFuture {
    pub(crate) fn new(
        office: Arc<Inner>,
        customer: Arc<str>,
        priority: Priority,
        wanted: Option<&str>,
    ) -> Self {
        Self {
            many: ReserveManyFuture::new(office, customer, priority, wanted, 1),
        }
    }

    /// As [`BuyFuture::position`].
    pub fn position(&self) -> Option<usize> {
        self.many.position()
    }

    /// As [`BuyFuture::place`].
    pub fn place(&self) -> PlaceInLine {
        self.many.place()
    }
}

impl Future for ReserveFuture {
    type Output = Result<Hold, BoxOfficeError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let many = Pin::new(&mut self.get_mut().many);
        many.poll(cx).map(|held| {
            held.map(|holds| {
                holds
                    .into_iter()
                    .next()
                    .expect("a reserve holds one ticket")
            })
        })
    }
}

/// A reserve of several tickets that waits as a future, all or nothing:
/// what [`Customer::reserve_many_async`](crate::Customer::reserve_many_async)
/// returns.
///
/// # The rule
///
/// The customer takes one place in line (VIPs first, then first come
/// first served) and keeps it until it holds all `count` tickets: tickets
/// that come while it is first in line for them are kept for it, off sale,
/// and it stays first for the rest, so a later, smaller request never
/// jumps it (no large request starves). A VIP who arrives meanwhile goes
/// before it for the tickets still to come, not for those already kept.
/// The holds are placed together when the last ticket comes (their
/// expiry counts from then). All `count` purchase-limit slots are claimed
/// on the first poll.
///
/// # Cancel safety
///
/// Dropped before it completes, it leaves no hold behind and gives the
/// tickets it kept back on sale, to the next in line; nobody else loses a
/// place.
///
/// # Panics
///
/// As [`BuyFuture`]'s.
#[must_use = "futures do nothing unless polled"]
pub struct ReserveManyFuture {
    acquiring: Acquiring,
}

impl ReserveManyFuture {
    pub(crate) fn new(
        office: Arc<Inner>,
        customer: Arc<str>,
        priority: Priority,
        wanted: Option<&str>,
        count: usize,
    ) -> Self {
        Self {
            acquiring: Acquiring::new(office, customer, priority, wanted, count),
        }
    }

    /// As [`BuyFuture::position`].
    pub fn position(&self) -> Option<usize> {
        self.place().get()
    }

    /// As [`BuyFuture::place`].
    pub fn place(&self) -> PlaceInLine {
        self.acquiring.place()
    }

    /// How many tickets it waits for.
    pub fn count(&self) -> usize {
        self.acquiring.count
    }
}

impl Future for ReserveManyFuture {
    type Output = Result<Vec<Hold>, BoxOfficeError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let acquiring = &mut self.get_mut().acquiring;
        let result = match acquiring.poll_acquire(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(taken) => taken.and_then(|taken| acquiring.hold_all(taken)),
        };
        Poll::Ready(result.inspect_err(|err| acquiring.refused("reserve", err)))
    }
}

/// A waiting future's place in line, readable from anywhere while the
/// future itself is polled elsewhere (a server task publishing it, say).
#[derive(Clone)]
pub struct PlaceInLine {
    office: Arc<Inner>,
    place: PlaceOf,
}

impl PlaceInLine {
    /// The 1-based place in line (VIPs first, then arrival order), or
    /// `None` when the future is not waiting (not yet polled, served,
    /// failed or dropped).
    pub fn get(&self) -> Option<usize> {
        self.office.line.position(&self.place)
    }

    /// The waiting customer's priority.
    pub fn priority(&self) -> Priority {
        self.place.priority
    }
}

impl fmt::Debug for PlaceInLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlaceInLine")
            .field("priority", &self.place.priority)
            .field("position", &self.get())
            .finish()
    }
}

impl fmt::Debug for BuyFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuyFuture")
            .field("customer", &self.acquiring.customer)
            .field("priority", &self.acquiring.priority)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ReserveFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReserveFuture")
            .field("customer", &self.many.acquiring.customer)
            .field("priority", &self.many.acquiring.priority)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ReserveManyFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReserveManyFuture")
            .field("customer", &self.acquiring.customer)
            .field("priority", &self.acquiring.priority)
            .field("count", &self.acquiring.count)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}
