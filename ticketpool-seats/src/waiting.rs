//! Waiting for best-available seats: buyers who found no block of N
//! adjacent seats wait in line, and get them when seats free up (a hold
//! released, expired or failing to confirm in time, or a vendor's wave).
//!
//! # The rule
//!
//! Every time seats become available, the waiters are offered them in
//! line order: VIPs first, then Regulars, each in arrival order. Each in
//! turn takes the best block its request allows (the best-available rule)
//! if one fits now; one that does not fit stays, with its place, and
//! does not hold back the waiters behind it (seats are not
//! interchangeable: a pair freed in the balcony cannot serve a party of
//! four waiting in the stalls, so holding it back would only leave it
//! empty). A newcomer is served only after the line has had its pick.
//!
//! When the sale closes, [`Seating::end_waits`] ends every wait (and every
//! later one) with [`SeatError::WaitsEnded`]: nobody is left waiting.
//!
//! Served waiters get an ordinary [`SeatHold`] (confirm, release and
//! expiry as any other). A direct [`Seating::best_available`] call does not
//! queue and is not held back by the line.
//!
//! # Cancel safety
//!
//! Dropping a [`SeatWait`] takes it out of line; a hold made for it that
//! it never saw is released, so its seats go to the next waiters. No seat
//! is held twice: every block is claimed through the seat bitmaps, as for
//! any hold.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{fence, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use ticketpool_core::Priority;

use crate::best::BestAvailable;
use crate::error::SeatError;
use crate::hold::SeatHold;
use crate::line::{Waiter, Wanted};
use crate::seating::Seating;

impl Seating {
    /// Holds the best block for `want` (as
    /// [`best_available`](Self::best_available)), waiting as a future
    /// while none fits: VIPs first, then first come first served (see
    /// `waiting.rs` for the rule). No runtime is needed.
    pub fn wait_best_available(
        self: &Arc<Self>,
        want: BestAvailable<'_>,
        priority: Priority,
    ) -> SeatWait {
        SeatWait {
            seating: Arc::clone(self),
            want: Wanted::of(&want),
            priority,
            id: None,
            done: false,
        }
    }

    /// Buyers waiting for best-available seats now.
    pub fn waiting_for_seats(&self) -> usize {
        self.line.len()
    }

    /// Ends waiting for seats for good, when the sale closes: every
    /// [`SeatWait`] in line ends with [`SeatError::WaitsEnded`] (holding
    /// nothing), and so does every one that starts later. A waiter served
    /// before the end keeps its hold. Nobody is left waiting for seats
    /// that will never be sold.
    pub fn end_waits(&self) {
        self.line.end();
    }
}

/// A best-available hold that waits as a future: what
/// [`Seating::wait_best_available`] returns.
///
/// # Errors
///
/// At once, as [`Seating::best_available`] does, for a request no block
/// could ever satisfy: an unknown section or tier, or zero seats. It does
/// not end with [`SeatError::NoBlock`] (no block fits now): it waits instead.
///
/// # Cancel safety
///
/// Dropped before it completes, it leaves the line and releases a hold
/// made for it meanwhile (its seats go to the next waiters).
///
/// # Panics
///
/// Polling it again after it completed panics, as for most futures.
#[must_use = "futures do nothing unless polled"]
pub struct SeatWait {
    seating: Arc<Seating>,
    want: Wanted,
    priority: Priority,
    /// Its number once in line.
    id: Option<u64>,
    done: bool,
}

impl SeatWait {
    /// The 1-based place in line (VIPs first, then arrival), `None` before
    /// it first waited or once served.
    pub fn position(&self) -> Option<usize> {
        self.seating.line.position(self.priority, self.id?)
    }
}

impl Future for SeatWait {
    type Output = Result<SeatHold, SeatError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "a seat wait polled after it completed");
        let line = &this.seating.line;
        let mut queue = line.lock();
        if let Some(id) = this.id {
            if let Some(hold) = queue.served.remove(&id) {
                this.done = true;
                return Poll::Ready(Ok(hold));
            }
            if queue.ended {
                this.done = true;
                return Poll::Ready(Err(SeatError::WaitsEnded));
            }
            if let Some(w) = queue.of(this.priority).iter_mut().find(|w| w.id == id) {
                if !w.waker.will_wake(cx.waker()) {
                    w.waker = cx.waker().clone();
                }
            }
            return Poll::Pending;
        }
        if queue.ended {
            this.done = true;
            return Poll::Ready(Err(SeatError::WaitsEnded));
        }
        // A newcomer: the line has its pick first (seats freed a moment
        // ago may not have been offered yet), then it tries.
        let mut wakers =
            line.serve_locked(&mut queue, |w| this.seating.best_available(w.request()));
        let tried = this.seating.best_available(this.want.request());
        let result = match tried {
            Err(SeatError::NoBlock { .. }) => {
                let id = queue.next_id;
                queue.next_id += 1;
                let waker = cx.waker().clone();
                let want = this.want.clone();
                queue
                    .of(this.priority)
                    .push_back(Waiter { id, want, waker });
                line.len.fetch_add(1, Ordering::SeqCst);
                this.id = Some(id);
                // Seats freed between the try and the registration were
                // offered to nobody (their `serve` saw an empty line, see
                // there): offer them again, to this waiter too.
                fence(Ordering::SeqCst);
                wakers.extend(
                    line.serve_locked(&mut queue, |w| this.seating.best_available(w.request())),
                );
                match queue.served.remove(&id) {
                    Some(hold) => {
                        this.done = true;
                        Poll::Ready(Ok(hold))
                    }
                    None => Poll::Pending,
                }
            }
            other => {
                this.done = true;
                Poll::Ready(other)
            }
        };
        drop(queue);
        wakers.into_iter().for_each(Waker::wake);
        result
    }
}

impl Drop for SeatWait {
    fn drop(&mut self) {
        let (Some(id), false) = (self.id, self.done) else {
            return;
        };
        let line = &self.seating.line;
        let mut queue = line.lock();
        let entries = queue.of(self.priority);
        if let Some(i) = entries.iter().position(|w| w.id == id) {
            entries.remove(i);
            line.len.fetch_sub(1, Ordering::SeqCst);
        }
        let served = queue.served.remove(&id);
        drop(queue);
        if let Some(hold) = served {
            // Releasing serves the line again.
            let _ = self.seating.release_hold(hold.id);
        }
    }
}

impl fmt::Debug for SeatWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeatWait")
            .field("seats", &self.want.seats)
            .field("priority", &self.priority)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}
