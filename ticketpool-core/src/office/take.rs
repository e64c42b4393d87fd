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

/// What a customer's buy and reserve forms accept as the ticket wanted: a
/// [`Want`] (owned or borrowed) or a ticket type's name (`&str`, `String`,
/// `Arc<str>`). It is only read, to find the type, so asking by name
/// copies nothing: `customer.buy("general")` allocates no [`Want`] per
/// call.
///
/// ```
/// use ticketpool_core::{AsWant, Want};
/// assert_eq!("general".wanted_type(), Some("general"));
/// assert_eq!(Want::Any.wanted_type(), None);
/// assert_eq!((&Want::from("vip")).wanted_type(), Some("vip"));
/// ```
pub trait AsWant {
    /// The wanted type's name, or `None` for any type.
    fn wanted_type(&self) -> Option<&str>;
}

impl AsWant for Want {
    fn wanted_type(&self) -> Option<&str> {
        match self {
            Self::Any => None,
            Self::Type(name) => Some(name),
        }
    }
}

impl AsWant for str {
    fn wanted_type(&self) -> Option<&str> {
        Some(self)
    }
}

impl AsWant for String {
    fn wanted_type(&self) -> Option<&str> {
        Some(self)
    }
}

impl AsWant for Arc<str> {
    fn wanted_type(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: AsWant + ?Sized> AsWant for &T {
    fn wanted_type(&self) -> Option<&str> {
        (**self).wanted_type()
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

    /// The index of the type named `wanted` (`None`: any type).
    pub(super) fn target_of(&self, wanted: Option<&str>) -> Result<Option<usize>, BoxOfficeError> {
        match wanted {
            Some(name) => self
                .stock
                .index_of(name)
                .map(Some)
                .ok_or_else(|| BoxOfficeError::UnknownTicketType(Arc::from(name))),
            None => Ok(None),
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
        wanted: Option<&str>,
        wait: Wait<'_>,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        let target = self.target_of(wanted)?;
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
