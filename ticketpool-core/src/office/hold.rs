//! The [`Hold`] handle: a ticket held (available -> held -> sold) until
//! its deadline. The open holds themselves live in the office's hold table
//! (`holds.rs`); the reaper (`reaper.rs`) expires them.

use std::fmt;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::office::error::BoxOfficeError;
use crate::office::holds::HoldTerms;
use crate::office::journal::JournalError;
use crate::office::state::Inner;
use crate::office::ticket::{HoldId, Money, Sale, Ticket};
use crate::office::trace::{self, Actor};
use crate::pool::primitive::Mutex;

/// How a hold ended, remembered by its handle so settling is idempotent.
#[derive(Clone)]
enum Outcome {
    Confirmed(Box<Sale>),
    /// The confirm could not be recorded: the ticket went back on sale.
    /// Kept so a repeated confirm reports that again, not a cancel.
    Failed(String),
    Cancelled,
    Expired,
}

/// A ticket taken out of availability until a deadline: confirm it to buy
/// at the price fixed when it was placed, or cancel (or drop) it to put the
/// ticket back on sale. If neither happens before the deadline, the office
/// puts the ticket back by itself.
///
/// [`confirm`](Self::confirm) and [`cancel`](Self::cancel) are idempotent.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOffice, BoxOfficeConfig, Money, Priority, Want};
///
/// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 10, 5, Money::from_minor(500))).unwrap();
/// let vendor = office.add_vendor("box", &[]).unwrap();
/// vendor.release("general").unwrap();
/// let alice = office.customer("alice", Priority::Regular);
/// let hold = alice.reserve(Want::Any).unwrap();
/// assert_eq!(office.snapshot().totals.held, 1);
/// let sale = hold.confirm().unwrap();
/// assert_eq!(sale.price, Money::from_minor(500));
/// assert_eq!(hold.confirm().unwrap(), sale); // idempotent
/// ```
#[must_use = "dropping a Hold cancels it at once"]
pub struct Hold {
    office: Arc<Inner>,
    id: HoldId,
    ticket: Ticket,
    price: Money,
    expires_at: SystemTime,
    deadline: Instant,
    outcome: Mutex<Option<Outcome>>,
}

impl Hold {
    pub(crate) fn new(office: Arc<Inner>, terms: HoldTerms) -> Self {
        let HoldTerms {
            id,
            ticket,
            price,
            expires_at,
            deadline,
        } = terms;
        Self {
            office,
            id,
            ticket,
            price,
            expires_at,
            deadline,
            outcome: Mutex::new(None),
        }
    }

    /// The hold's id.
    pub fn id(&self) -> HoldId {
        self.id
    }

    /// The ticket held.
    pub fn ticket(&self) -> &Ticket {
        &self.ticket
    }

    /// The price fixed when the hold was placed.
    pub fn price(&self) -> Money {
        self.price
    }

    /// When the hold lapses (wall clock).
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// When the hold lapses (monotonic clock).
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Buys the held ticket at [`price`](Self::price). Calling it again
    /// returns the same sale.
    ///
    /// # Errors
    ///
    /// [`HoldExpired`](BoxOfficeError::HoldExpired) after the deadline,
    /// [`HoldCancelled`](BoxOfficeError::HoldCancelled) after a cancel, or
    /// [`Journal`](BoxOfficeError::Journal) if the sale could not be
    /// recorded (the ticket then goes back on sale and the hold is over;
    /// calling again returns the same journal error).
    pub fn confirm(&self) -> Result<Sale, BoxOfficeError> {
        self.settle_confirm().inspect_err(|err| {
            let actor = Actor::Hold {
                hold_id: self.id.0,
                ticket_id: self.ticket.id.0,
            };
            trace::refused("confirm", actor, err);
        })
    }

    fn settle_confirm(&self) -> Result<Sale, BoxOfficeError> {
        let mut outcome = self.outcome.lock();
        if let Some(done) = &*outcome {
            return match done {
                Outcome::Confirmed(sale) => Ok((**sale).clone()),
                Outcome::Failed(why) => {
                    Err(BoxOfficeError::Journal(JournalError::new(why.clone())))
                }
                Outcome::Cancelled => Err(BoxOfficeError::HoldCancelled),
                Outcome::Expired => Err(BoxOfficeError::HoldExpired),
            };
        }
        let Some(entry) = self.office.holds.take(self.id) else {
            *outcome = Some(Outcome::Expired);
            return Err(BoxOfficeError::HoldExpired);
        };
        if entry.deadline <= Instant::now() {
            self.office.expire(entry);
            *outcome = Some(Outcome::Expired);
            return Err(BoxOfficeError::HoldExpired);
        }
        match self.office.confirm_hold(entry) {
            Ok(sale) => {
                *outcome = Some(Outcome::Confirmed(Box::new(sale.clone())));
                Ok(sale)
            }
            Err(BoxOfficeError::Journal(err)) => {
                *outcome = Some(Outcome::Failed(err.message().to_owned()));
                Err(BoxOfficeError::Journal(err))
            }
            // `confirm_hold` fails only when the journal does; anything
            // else still ended the hold with its ticket back on sale.
            Err(err) => {
                *outcome = Some(Outcome::Cancelled);
                Err(err)
            }
        }
    }

    /// Gives the ticket back for sale. Returns `true` if this call did so,
    /// `false` if the hold was already confirmed, cancelled or expired.
    pub fn cancel(&self) -> bool {
        let mut outcome = self.outcome.lock();
        if outcome.is_some() {
            return false;
        }
        match self.office.holds.take(self.id) {
            Some(entry) => {
                self.office.cancel_hold(entry);
                *outcome = Some(Outcome::Cancelled);
                true
            }
            None => {
                *outcome = Some(Outcome::Expired);
                false
            }
        }
    }

    /// `true` while the hold is open: not settled and not past its deadline.
    pub fn is_open(&self) -> bool {
        self.outcome.lock().is_none() && Instant::now() < self.deadline
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let _ = self.cancel();
    }
}

impl fmt::Debug for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hold")
            .field("id", &self.id)
            .field("ticket", &self.ticket.id)
            .field("price", &self.price)
            .field("open", &self.is_open())
            .finish()
    }
}
