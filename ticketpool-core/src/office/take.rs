//! Customers taking tickets: what a customer asks for ([`Want`]), how long
//! anyone may wait ([`Wait`]), the purchase limit, and taking a ticket:
//! inside the one pool of a single-type office, or through the office's
//! [line](crate::office::line) when there are several types, so the VIP
//! rule holds across them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::office::counters::Counters;
use crate::office::error::BoxOfficeError;
use crate::office::line::{Miss, Pools};
use crate::office::state::Inner;
use crate::office::ticket::Ticket;
use crate::pool::deadline::{Interrupt, Until};
use crate::pool::error::TakeError;
use crate::pool::primitive::{Condvar, MutexGuard, Ordering};
use crate::pool::Priority;

/// Which ticket a customer asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Want {
    /// Any type.
    Any,
    /// Only this type.
    Type(Arc<str>),
}

impl From<&str> for Want {
    fn from(name: &str) -> Self {
        Self::Type(Arc::from(name))
    }
}

impl From<Arc<str>> for Want {
    fn from(name: Arc<str>) -> Self {
        Self::Type(name)
    }
}

/// How long an operation may wait.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wait<'a> {
    /// Not at all (`try_` forms).
    No,
    /// Until the deadline, or forever.
    Until(Option<Instant>),
    /// Until the deadline, or forever, running the interrupt's check every
    /// slice (buyers only; a vendor waits as for `Until`).
    Interruptible(Option<Instant>, &'a Interrupt<'a>),
}

impl<'a> Wait<'a> {
    pub(crate) fn timeout(timeout: Duration) -> Self {
        Self::Until(Instant::now().checked_add(timeout))
    }

    /// When the wait ends, or `None` for `No`.
    pub(crate) fn until(self) -> Option<Until<'a>> {
        match self {
            Self::No => None,
            Self::Until(deadline) => Some(deadline.into()),
            Self::Interruptible(deadline, interrupt) => Some(Until {
                deadline,
                interrupt: Some(interrupt),
            }),
        }
    }
}

impl Inner {
    /// Why a buyer gets nothing: the office closed, or it sold out.
    pub(super) fn end_reason(&self) -> BoxOfficeError {
        if self.lock().closed {
            BoxOfficeError::Closed
        } else {
            BoxOfficeError::SoldOut
        }
    }

    /// The type index a want names (`None`: any type).
    pub(super) fn target_of(&self, want: &Want) -> Result<Option<usize>, BoxOfficeError> {
        match want {
            Want::Type(name) => self
                .stock
                .index_of(name)
                .map(Some)
                .ok_or_else(|| BoxOfficeError::UnknownTicketType(Arc::clone(name))),
            Want::Any => Ok(None),
        }
    }

    /// Counts one more ticket against the customer's limit, or refuses.
    pub(super) fn claim_limit(&self, customer: &Arc<str>) -> Result<(), BoxOfficeError> {
        self.limits
            .claim(customer)
            .map_err(|limit| BoxOfficeError::LimitReached {
                customer: Arc::clone(customer),
                limit,
            })
    }

    pub(super) fn unclaim_limit(&self, customer: &Arc<str>) {
        self.limits.unclaim(customer);
    }

    /// Takes a ticket for a customer, within the limit; returns it with its
    /// type and how long the customer waited.
    pub(super) fn acquire(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        want: &Want,
        wait: Wait<'_>,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        let target = self.target_of(want)?;
        self.claim_limit(customer)?;
        let taken = if self.stock.len() == 1 {
            self.take_of_type(0, priority, wait)
        } else {
            self.take_in_line(target, priority, wait)
        };
        match taken {
            Ok(found) => Ok(found),
            Err(err) => {
                self.unclaim_limit(customer);
                Err(err)
            }
        }
    }

    /// Takes a ticket of type `ty` in a single-type office, waiting inside
    /// its pool, whose VIP rule is the whole rule there; the wait counts
    /// from the first miss, so a buyer served at once waited zero (and
    /// reads no clock).
    fn take_of_type(
        &self,
        ty: usize,
        priority: Priority,
        wait: Wait<'_>,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        // A closed pool still hands out what it holds, but a closed office
        // sells nothing more (the line checks the same flag).
        if self.gauges.closed.load(Ordering::Acquire) {
            return Err(BoxOfficeError::Closed);
        }
        let pool = self.stock.get(ty);
        match pool.try_take(priority) {
            Ok(ticket) => return Ok((ticket, ty, Duration::ZERO)),
            Err(TakeError::Closed) => return Err(self.end_reason()),
            Err(_) => {}
        }
        let Some(until) = wait.until() else {
            return Err(BoxOfficeError::Empty);
        };
        let started = Instant::now();
        let waiting = self.gauges.waiting(priority);
        waiting.fetch_add(1, Ordering::Relaxed);
        let taken = match until.interrupt {
            None => pool.take_until(priority, until.deadline),
            Some(interrupt) => pool.take_interruptible(priority, until.deadline, interrupt),
        };
        waiting.fetch_sub(1, Ordering::Relaxed);
        match taken {
            Ok(ticket) => Ok((ticket, ty, started.elapsed())),
            Err(TakeError::Closed) => Err(self.end_reason()),
            Err(TakeError::Interrupted) => Err(BoxOfficeError::Interrupted),
            Err(_) => Err(BoxOfficeError::Timeout),
        }
    }

    /// Takes a ticket of type `target` (or any type) in an office with
    /// several types, waiting in the office's line (see `line/`).
    fn take_in_line(
        &self,
        target: Option<usize>,
        priority: Priority,
        wait: Wait<'_>,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        let until = wait.until();
        let waiting = self.gauges.waiting(priority);
        if until.is_some() {
            waiting.fetch_add(1, Ordering::Relaxed);
        }
        let taken = self.line.take(priority, target, until, self, || {
            self.gauges.closed.load(Ordering::Acquire)
        });
        if until.is_some() {
            waiting.fetch_sub(1, Ordering::Relaxed);
        }
        taken.map_err(|miss| match miss {
            Miss::Empty => BoxOfficeError::Empty,
            Miss::Timeout => BoxOfficeError::Timeout,
            Miss::Interrupted => BoxOfficeError::Interrupted,
            Miss::Ended => self.end_reason(),
        })
    }
}

/// The office's pools as its line sees them.
impl Pools<Ticket> for Inner {
    fn try_take(&self, ty: usize, priority: Priority) -> Result<Ticket, TakeError> {
        self.stock.get(ty).try_take(priority)
    }

    fn give_back(&self, ty: usize, ticket: Ticket) {
        self.restock(ticket, ty);
    }

    fn drained(&self, ty: usize) -> bool {
        self.stock.get(ty).is_drained()
    }

    fn vip_waits_inside(&self, ty: usize) -> bool {
        self.stock.get(ty).waiting_in_line(Priority::Vip) > 0
    }
}

/// Waits on `condvar` until notified or `deadline`; `true` means timed out.
pub(super) fn wait_on<'a>(
    condvar: &Condvar,
    guard: MutexGuard<'a, Counters>,
    deadline: Option<Instant>,
) -> (MutexGuard<'a, Counters>, bool) {
    match deadline {
        None => (condvar.wait(guard), false),
        Some(deadline) => condvar.wait_until(guard, deadline),
    }
}
