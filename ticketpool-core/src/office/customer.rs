//! Customers (consumers): the [`Customer`] handle.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::office::error::BoxOfficeError;
use crate::office::hold::Hold;
use crate::office::holds::HoldTerms;
use crate::office::state::Inner;
use crate::office::take::{AsWant, Wait};
use crate::office::ticket::Sale;
use crate::office::trace::{self, Actor};
use crate::office::waiting::{BuyFuture, ReserveFuture, ReserveManyFuture};
use crate::pool::deadline::Interrupt;
use crate::pool::Priority;

/// A customer's handle: it buys tickets, or reserves them into a [`Hold`],
/// served by its [`Priority`].
///
/// Cheap to clone. Handles with the same name share the purchase limit,
/// which counts held and bought tickets and buys or reserves still
/// waiting (see [`BoxOfficeConfig::purchase_limit`](crate::BoxOfficeConfig)).
///
/// Every waiting form returns [`SoldOut`](BoxOfficeError::SoldOut) at once
/// when the event (or the requested type's quota) is sold out, and
/// [`Closed`](BoxOfficeError::Closed) when the office closes: no customer
/// waits forever on a sold-out event. While holds are open their tickets may
/// come back, so customers keep waiting; holds always end.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ticketpool_core::{BoxOffice, BoxOfficeConfig, BoxOfficeError, Money, Priority, Want};
///
/// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 5, 5, Money::from_minor(100))).unwrap();
/// let carol = office.customer("carol", Priority::Regular);
/// let waited = carol.buy_timeout(Want::Any, Duration::from_millis(5));
/// assert!(matches!(waited, Err(BoxOfficeError::Timeout)));
/// ```
#[derive(Clone)]
pub struct Customer {
    office: Arc<Inner>,
    name: Arc<str>,
    priority: Priority,
}

impl Customer {
    pub(crate) fn new(office: Arc<Inner>, name: Arc<str>, priority: Priority) -> Self {
        Self {
            office,
            name,
            priority,
        }
    }

    /// The customer's name.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The customer's priority.
    pub fn priority(&self) -> Priority {
        self.priority
    }

    /// Buys a ticket, waiting while none is available. `want` is a
    /// [`Want`](crate::Want) or a ticket type's name (see [`AsWant`]); a name is read
    /// in place, not copied.
    ///
    /// # Errors
    ///
    /// [`SoldOut`](BoxOfficeError::SoldOut), [`Closed`](BoxOfficeError::Closed),
    /// [`LimitReached`](BoxOfficeError::LimitReached),
    /// [`UnknownTicketType`](BoxOfficeError::UnknownTicketType),
    /// [`Journal`](BoxOfficeError::Journal) (the ticket goes back on sale).
    pub fn buy(&self, want: impl AsWant) -> Result<Sale, BoxOfficeError> {
        self.buy_with(want.wanted_type(), Wait::Until(None))
    }

    /// Buys a ticket if one is available now.
    ///
    /// # Errors
    ///
    /// As [`buy`](Self::buy), plus [`Empty`](BoxOfficeError::Empty).
    pub fn try_buy(&self, want: impl AsWant) -> Result<Sale, BoxOfficeError> {
        self.buy_with(want.wanted_type(), Wait::No)
    }

    /// Buys a ticket, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// As [`buy`](Self::buy), plus [`Timeout`](BoxOfficeError::Timeout).
    pub fn buy_timeout(
        &self,
        want: impl AsWant,
        timeout: Duration,
    ) -> Result<Sale, BoxOfficeError> {
        self.buy_with(want.wanted_type(), Wait::timeout(timeout))
    }

    /// Buys a ticket, waiting until `deadline`.
    ///
    /// # Errors
    ///
    /// As [`buy_timeout`](Self::buy_timeout).
    pub fn buy_deadline(
        &self,
        want: impl AsWant,
        deadline: Instant,
    ) -> Result<Sale, BoxOfficeError> {
        self.buy_with(want.wanted_type(), Wait::Until(Some(deadline)))
    }

    /// Buys a ticket, waiting until `deadline` (`None`: for ever) and
    /// running `interrupt`'s check every slice of the wait. The customer
    /// stays in line while the check runs, so a VIP keeps its place ahead
    /// of Regulars; the check runs with no lock of the office held.
    ///
    /// # Errors
    ///
    /// As [`buy_timeout`](Self::buy_timeout), plus
    /// [`Interrupted`](BoxOfficeError::Interrupted) when the check says
    /// stop.
    pub fn buy_interruptible(
        &self,
        want: impl AsWant,
        deadline: Option<Instant>,
        interrupt: &Interrupt<'_>,
    ) -> Result<Sale, BoxOfficeError> {
        self.buy_with(want.wanted_type(), Wait::Interruptible(deadline, interrupt))
    }

    /// Takes a ticket out of availability into a [`Hold`] that lasts the
    /// configured hold TTL, waiting while none is available. `want` is
    /// as for [`buy`](Self::buy).
    ///
    /// # Errors
    ///
    /// As [`buy`](Self::buy).
    pub fn reserve(&self, want: impl AsWant) -> Result<Hold, BoxOfficeError> {
        self.reserve_with(want.wanted_type(), Wait::Until(None))
    }

    /// Places a hold if a ticket is available now.
    ///
    /// # Errors
    ///
    /// As [`try_buy`](Self::try_buy).
    pub fn try_reserve(&self, want: impl AsWant) -> Result<Hold, BoxOfficeError> {
        self.reserve_with(want.wanted_type(), Wait::No)
    }

    /// Places a hold, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// As [`buy_timeout`](Self::buy_timeout).
    pub fn reserve_timeout(
        &self,
        want: impl AsWant,
        timeout: Duration,
    ) -> Result<Hold, BoxOfficeError> {
        self.reserve_with(want.wanted_type(), Wait::timeout(timeout))
    }

    /// Places a hold, waiting until `deadline`.
    ///
    /// # Errors
    ///
    /// As [`buy_timeout`](Self::buy_timeout).
    pub fn reserve_deadline(
        &self,
        want: impl AsWant,
        deadline: Instant,
    ) -> Result<Hold, BoxOfficeError> {
        self.reserve_with(want.wanted_type(), Wait::Until(Some(deadline)))
    }

    /// Places a hold as [`buy_interruptible`](Self::buy_interruptible)
    /// buys.
    ///
    /// # Errors
    ///
    /// As [`buy_interruptible`](Self::buy_interruptible).
    pub fn reserve_interruptible(
        &self,
        want: impl AsWant,
        deadline: Option<Instant>,
        interrupt: &Interrupt<'_>,
    ) -> Result<Hold, BoxOfficeError> {
        self.reserve_with(want.wanted_type(), Wait::Interruptible(deadline, interrupt))
    }
}

impl Customer {
    /// Buys a ticket, waiting as a future (no thread parked) while none is
    /// available: served in the same order as a blocking [`buy`](Self::buy),
    /// VIPs first across ticket types, first come first served within a
    /// priority. The future is lazy: it joins the line when first polled.
    ///
    /// # Errors
    ///
    /// As [`buy`](Self::buy).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future takes the customer out of line, with no ticket
    /// taken and no one else's place lost.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_core::{BoxOffice, BoxOfficeConfig, Money, Priority, Want};
    ///
    /// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 5, 5, Money::from_minor(100))).unwrap();
    /// office.add_vendor("v", &[]).unwrap().release("general").unwrap();
    /// let buy = office.customer("ann", Priority::Vip).buy_async(Want::Any);
    /// // Any executor drives it; this one is a busy poll for the example.
    /// let sale = poll_ready(buy).unwrap();
    /// assert_eq!(&*sale.customer, "ann");
    /// # fn poll_ready<F: std::future::Future>(f: F) -> F::Output {
    /// #     struct Noop;
    /// #     impl std::task::Wake for Noop { fn wake(self: std::sync::Arc<Self>) {} }
    /// #     let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(&waker);
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// ```
    pub fn buy_async(&self, want: impl AsWant) -> BuyFuture {
        BuyFuture::new(
            Arc::clone(&self.office),
            Arc::clone(&self.name),
            self.priority,
            want.wanted_type(),
        )
    }

    /// Places a hold, waiting as a future, as [`buy_async`](Self::buy_async)
    /// buys.
    ///
    /// # Errors
    ///
    /// As [`reserve`](Self::reserve).
    ///
    /// # Cancel safety
    ///
    /// As [`buy_async`](Self::buy_async): no hold is left behind.
    pub fn reserve_async(&self, want: impl AsWant) -> ReserveFuture {
        ReserveFuture::new(
            Arc::clone(&self.office),
            Arc::clone(&self.name),
            self.priority,
            want.wanted_type(),
        )
    }

    /// Places `count` holds together, waiting as a future until all
    /// `count` tickets can be handed over at once (see
    /// [`ReserveManyFuture`] for the rule: the place in line is kept, VIPs
    /// first then first come first served, and tickets that come meanwhile
    /// are kept for it). `count` 0 holds nothing.
    ///
    /// # Errors
    ///
    /// As [`reserve`](Self::reserve); the purchase limit counts all
    /// `count` tickets from the first poll.
    ///
    /// # Cancel safety
    ///
    /// As [`buy_async`](Self::buy_async): no hold is left behind, and the
    /// tickets kept for it go back on sale.
    pub fn reserve_many_async(&self, want: impl AsWant, count: usize) -> ReserveManyFuture {
        ReserveManyFuture::new(
            Arc::clone(&self.office),
            Arc::clone(&self.name),
            self.priority,
            want.wanted_type(),
            count,
        )
    }
}

impl Customer {
    /// The handle of a hold just placed for this customer.
    /// Every buy form: the office's buy with this customer's name and
    /// priority, a refusal traced.
    fn buy_with(&self, wanted: Option<&str>, wait: Wait<'_>) -> Result<Sale, BoxOfficeError> {
        self.office
            .buy(&self.name, self.priority, wanted, wait)
            .inspect_err(|err| self.refused("buy", err))
    }

    /// Every reserve form, as [`buy_with`](Self::buy_with).
    fn reserve_with(&self, wanted: Option<&str>, wait: Wait<'_>) -> Result<Hold, BoxOfficeError> {
        self.office
            .reserve(&self.name, self.priority, wanted, wait)
            .map(|terms| self.hold(terms))
            .inspect_err(|err| self.refused("reserve", err))
    }

    fn hold(&self, terms: HoldTerms) -> Hold {
        Hold::new(Arc::clone(&self.office), terms)
    }

    /// Logs a refused buy or reserve.
    fn refused(&self, op: &'static str, err: &BoxOfficeError) {
        let actor = Actor::Customer {
            customer: &self.name,
            priority: self.priority,
        };
        trace::refused(op, actor, err);
    }
}

impl fmt::Debug for Customer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Customer")
            .field("name", &self.name)
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}
