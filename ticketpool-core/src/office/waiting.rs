//! The office's async face: [`BuyFuture`] and [`ReserveFuture`], what
//! [`Customer::buy_async`](crate::Customer::buy_async) and
//! [`Customer::reserve_async`](crate::Customer::reserve_async) return, and
//! [`PlaceInLine`], a waiting future's place in line read from elsewhere.
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
use crate::office::line::{AsyncWait, Miss, PlaceOf};
use crate::office::state::Inner;
use crate::office::take::Want;
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
    /// The purchase-limit slot is claimed (on the first poll).
    claimed: bool,
    /// Counted in the office's waiting gauge (for demand pricing).
    gauged: bool,
    /// Ready was returned: nothing is left to clean up.
    done: bool,
}

impl Acquiring {
    fn new(office: Arc<Inner>, customer: Arc<str>, priority: Priority, want: &Want) -> Self {
        let (target, failed) = match office.target_of(want) {
            Ok(target) => (target, None),
            Err(err) => (None, Some(err)),
        };
        let wait = AsyncWait::new(priority, target);
        Self {
            office,
            customer,
            priority,
            failed,
            wait,
            claimed: false,
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
    ) -> Poll<Result<(Ticket, usize, Duration), BoxOfficeError>> {
        assert!(!self.done, "a ticket future polled after it completed");
        if let Some(err) = self.failed.take() {
            self.done = true;
            return Poll::Ready(Err(err));
        }
        let office = Arc::clone(&self.office);
        if !self.claimed {
            if let Err(err) = office.claim_limit(&self.customer) {
                self.done = true;
                return Poll::Ready(Err(err));
            }
            self.claimed = true;
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
            self.claimed = false;
            office.unclaim_limit(&self.customer);
            match miss {
                Miss::Ended => office.end_reason(),
                // Not produced by an async take (no deadline, no check).
                Miss::Empty => BoxOfficeError::Empty,
                Miss::Timeout => BoxOfficeError::Timeout,
                Miss::Interrupted => BoxOfficeError::Interrupted,
            }
        }))
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
    /// Cancel safety: leaves the line (a ticket handed over meanwhile goes
    /// back on sale, to the next in line) and frees the limit slot.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.ungauge();
        if let Some((ticket, ty)) = self.office.line.leave(&mut self.wait) {
            self.office.restock(ticket, ty);
        }
        if self.claimed {
            self.office.unclaim_limit(&self.customer);
        }
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
        want: &Want,
    ) -> Self {
        Self {
            acquiring: Acquiring::new(office, customer, priority, want),
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
            Poll::Ready(taken) => taken.and_then(|(ticket, ty, waited)| {
                let (customer, priority) = (&acquiring.customer, acquiring.priority);
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
    acquiring: Acquiring,
}

impl ReserveFuture {
    pub(crate) fn new(
        office: Arc<Inner>,
        customer: Arc<str>,
        priority: Priority,
        want: &Want,
    ) -> Self {
        Self {
            acquiring: Acquiring::new(office, customer, priority, want),
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
}

impl Future for ReserveFuture {
    type Output = Result<Hold, BoxOfficeError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let acquiring = &mut self.get_mut().acquiring;
        let result = match acquiring.poll_acquire(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(taken) => taken.and_then(|(ticket, ty, waited)| {
                let (customer, priority) = (&acquiring.customer, acquiring.priority);
                acquiring
                    .office
                    .hold_taken(customer, priority, ticket, ty, waited)
                    .map(|terms| Hold::new(Arc::clone(&acquiring.office), terms))
            }),
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
            .field("customer", &self.acquiring.customer)
            .field("priority", &self.acquiring.priority)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}
