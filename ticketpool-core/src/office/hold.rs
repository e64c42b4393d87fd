//! Holds (available -> held -> sold) and the reaper that expires them.
//!
//! Every open hold lives in the office's [`HoldTable`]. Whoever removes a
//! hold's entry from the table (confirm, cancel, drop or the reaper) owns its
//! ticket and decides where it goes, so a ticket can never be both sold and
//! put back: the table's mutex is the one arbiter.
//!
//! # Expiry bound
//!
//! One reaper thread per office sleeps until the earliest deadline. A hold's
//! ticket is back on sale at most TTL plus the reaper's wake-up latency
//! after it was placed: a condvar wake-up and the time to restock the
//! expired tickets, in practice well under 10 ms on an idle machine and
//! bounded by the scheduler under load. Confirming a hold whose deadline has
//! passed fails with [`HoldExpired`](crate::BoxOfficeError::HoldExpired)
//! even if the reaper has not run yet.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use crate::office::box_office::Inner;
use crate::office::error::BoxOfficeError;
use crate::office::journal::JournalError;
use crate::office::ticket::{HoldId, Money, Sale, Ticket};
use crate::office::trace::{self, Actor};
use crate::pool::primitive::{Condvar, Mutex};
use crate::pool::Priority;

/// An open hold's ticket and terms.
pub(crate) struct HoldEntry {
    pub(crate) id: HoldId,
    pub(crate) ticket: Ticket,
    pub(crate) type_index: usize,
    pub(crate) customer: Arc<str>,
    pub(crate) priority: Priority,
    pub(crate) price: Money,
    pub(crate) deadline: Instant,
    pub(crate) waited: Duration,
}

#[derive(Default)]
struct Table {
    entries: HashMap<HoldId, HoldEntry>,
    deadlines: BTreeSet<(Instant, HoldId)>,
    /// Entries taken out but whose settling (and its events) is not done
    /// yet: until then something can still happen to the office.
    settling: usize,
}

/// The open holds of one office.
pub(crate) struct HoldTable {
    table: Mutex<Table>,
}

// Written out rather than derived: the loom shim's `Mutex` has no `Default`.
impl Default for HoldTable {
    fn default() -> Self {
        Self {
            table: Mutex::new(Table::default()),
        }
    }
}

impl HoldTable {
    pub(crate) fn insert(&self, entry: HoldEntry) {
        let mut table = self.table.lock();
        table.deadlines.insert((entry.deadline, entry.id));
        table.entries.insert(entry.id, entry);
    }

    /// Removes the hold, giving its entry to the caller, who now owns the
    /// ticket; `None` if someone else settled it first.
    pub(crate) fn take(&self, id: HoldId) -> Option<HoldEntry> {
        let mut table = self.table.lock();
        let entry = table.entries.remove(&id)?;
        table.deadlines.remove(&(entry.deadline, id));
        table.settling += 1;
        Some(entry)
    }

    /// Marks one taken entry as settled, its events published.
    pub(crate) fn settled(&self) {
        let mut table = self.table.lock();
        table.settling = table.settling.saturating_sub(1);
    }

    /// Holds open or being settled: `0` means no hold event can follow.
    pub(crate) fn unsettled(&self) -> usize {
        let table = self.table.lock();
        table.entries.len() + table.settling
    }

    /// Removes every hold whose deadline is at or before `now`.
    pub(crate) fn take_expired(&self, now: Instant) -> Vec<HoldEntry> {
        let mut table = self.table.lock();
        let mut expired = Vec::new();
        while let Some(&(deadline, id)) = table.deadlines.first() {
            if deadline > now {
                break;
            }
            table.deadlines.pop_first();
            expired.extend(table.entries.remove(&id));
        }
        table.settling += expired.len();
        expired
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.table
            .lock()
            .deadlines
            .first()
            .map(|&(deadline, _)| deadline)
    }

    pub(crate) fn len(&self) -> usize {
        self.table.lock().entries.len()
    }
}

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
    pub(crate) fn new(office: Arc<Inner>, entry: &HoldEntry, expires_at: SystemTime) -> Self {
        Self {
            office,
            id: entry.id,
            ticket: entry.ticket.clone(),
            price: entry.price,
            expires_at,
            deadline: entry.deadline,
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

/// What the reaper and the holds that wake it share.
#[derive(Default)]
struct ReaperState {
    stop: bool,
    /// The deadline the reaper sleeps until (`None`: until woken).
    planned: Option<Instant>,
    kicked: bool,
}

/// The office's expiry thread.
pub(crate) struct Reaper {
    state: Arc<(Mutex<ReaperState>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Reaper {
    /// Starts the thread; it holds only a weak reference, so it never keeps
    /// the office alive.
    pub(crate) fn start(office: Weak<Inner>, holds: Arc<HoldTable>) -> std::io::Result<Self> {
        let state = Arc::new((Mutex::new(ReaperState::default()), Condvar::new()));
        let shared = Arc::clone(&state);
        let thread = thread::Builder::new()
            .name("ticketpool-reaper".to_owned())
            .spawn(move || Self::run(&office, &holds, &shared))?;
        Ok(Self {
            state,
            thread: Mutex::new(Some(thread)),
        })
    }

    fn run(office: &Weak<Inner>, holds: &HoldTable, shared: &(Mutex<ReaperState>, Condvar)) {
        let (lock, wake) = shared;
        loop {
            let expired = holds.take_expired(Instant::now());
            if !expired.is_empty() {
                let Some(office) = office.upgrade() else {
                    return;
                };
                for entry in expired {
                    office.expire(entry);
                }
                // The office may drop here, on this thread, and stop us:
                // done before the reaper lock is taken, so no self-deadlock.
                drop(office);
            }
            let mut state = lock.lock();
            if state.stop {
                return;
            }
            if std::mem::take(&mut state.kicked) {
                continue;
            }
            // Read under the reaper lock: a hold placed after this read
            // finds `planned` stale-or-later and kicks, so none is missed.
            let next = holds.next_deadline();
            state.planned = next;
            match next {
                Some(deadline) => {
                    drop(wake.wait_until(state, deadline));
                }
                None => {
                    drop(wake.wait(state));
                }
            }
        }
    }

    /// Tells the reaper about a new deadline if it would sleep past it.
    pub(crate) fn kick(&self, deadline: Instant) {
        let (lock, wake) = &*self.state;
        let mut state = lock.lock();
        if state.planned.map_or(true, |planned| deadline < planned) {
            state.kicked = true;
            wake.notify_one();
        }
    }

    /// Stops the thread and joins it, unless called on the reaper itself
    /// (the reaper may drop the last reference to the office).
    pub(crate) fn stop(&self) {
        let (lock, wake) = &*self.state;
        lock.lock().stop = true;
        wake.notify_one();
        if let Some(handle) = self.thread.lock().take() {
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}
