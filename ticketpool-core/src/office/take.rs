//! Customers taking tickets: what a customer asks for ([`Want`]), how long
//! anyone may wait ([`Wait`]), the purchase limit, and taking a ticket of
//! one type (waiting inside its pool) or of any type (waiting on the
//! office's `restocked` condvar, Regulars deferring to VIPs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::office::counters::Counters;
use crate::office::error::BoxOfficeError;
use crate::office::state::Inner;
use crate::office::ticket::Ticket;
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
pub(crate) enum Wait {
    /// Not at all (`try_` forms).
    No,
    /// Until the deadline, or forever.
    Until(Option<Instant>),
}

impl Wait {
    pub(crate) fn timeout(timeout: Duration) -> Self {
        Self::Until(Instant::now().checked_add(timeout))
    }

    fn expired(self) -> bool {
        match self {
            Self::No => true,
            Self::Until(deadline) => deadline.is_some_and(|d| d <= Instant::now()),
        }
    }
}

impl Inner {
    /// Why a buyer gets nothing: the office closed, or it sold out.
    fn end_reason(&self) -> BoxOfficeError {
        if self.lock().closed {
            BoxOfficeError::Closed
        } else {
            BoxOfficeError::SoldOut
        }
    }

    /// Counts one more ticket against the customer's limit, or refuses.
    fn claim_limit(&self, customer: &Arc<str>) -> Result<(), BoxOfficeError> {
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
        wait: Wait,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        let target = match want {
            Want::Type(name) => Some(
                self.stock
                    .index_of(name)
                    .ok_or_else(|| BoxOfficeError::UnknownTicketType(Arc::clone(name)))?,
            ),
            Want::Any if self.stock.len() == 1 => Some(0),
            Want::Any => None,
        };
        self.claim_limit(customer)?;
        let taken = match target {
            Some(ty) => self.take_of_type(ty, priority, wait),
            None => self.take_any(priority, wait),
        };
        match taken {
            Ok(found) => Ok(found),
            Err(err) => {
                self.unclaim_limit(customer);
                Err(err)
            }
        }
    }

    /// Takes a ticket of type `ty`; the wait counts from the first miss, so
    /// a buyer served at once waited zero (and reads no clock).
    fn take_of_type(
        &self,
        ty: usize,
        priority: Priority,
        wait: Wait,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        // A closed pool still hands out what it holds, but a closed office
        // sells nothing more (take_any checks the same flag).
        if self.gauges.closed.load(Ordering::Acquire) {
            return Err(BoxOfficeError::Closed);
        }
        let pool = self.stock.get(ty);
        match pool.try_take(priority) {
            Ok(ticket) => return Ok((ticket, ty, Duration::ZERO)),
            Err(TakeError::Closed) => return Err(self.end_reason()),
            Err(_) => {}
        }
        let Wait::Until(deadline) = wait else {
            return Err(BoxOfficeError::Empty);
        };
        let started = Instant::now();
        let waiting = self.gauges.waiting(priority);
        waiting.fetch_add(1, Ordering::Relaxed);
        let taken = pool.take_until(priority, deadline);
        waiting.fetch_sub(1, Ordering::Relaxed);
        match taken {
            Ok(ticket) => Ok((ticket, ty, started.elapsed())),
            Err(TakeError::Closed) => Err(self.end_reason()),
            Err(_) => Err(BoxOfficeError::Timeout),
        }
    }

    /// Takes a ticket of any type, waiting on `restocked` between rounds;
    /// the wait counts from the first empty round.
    fn take_any(
        &self,
        priority: Priority,
        wait: Wait,
    ) -> Result<(Ticket, usize, Duration), BoxOfficeError> {
        let mut registered = false;
        let mut started: Option<Instant> = None;
        let result = loop {
            let (generation, defer) = {
                let state = self.lock();
                if state.closed {
                    break Err(BoxOfficeError::Closed);
                }
                if state.sold_out {
                    break Err(BoxOfficeError::SoldOut);
                }
                // A registered VIP counts itself; only others make a Regular
                // defer, and a VIP never defers.
                let defer = priority == Priority::Regular && state.any_vips_waiting > 0;
                (state.generation, defer)
            };
            if !defer {
                if let Some((ticket, ty)) = self.try_every_pool(priority) {
                    let waited = started.map_or(Duration::ZERO, |t| t.elapsed());
                    break Ok((ticket, ty, waited));
                }
            }
            started.get_or_insert_with(Instant::now);
            if wait.expired() {
                break Err(match wait {
                    Wait::No => BoxOfficeError::Empty,
                    Wait::Until(_) => BoxOfficeError::Timeout,
                });
            }
            let Wait::Until(deadline) = wait else {
                unreachable!("Wait::No has expired above");
            };
            let mut state = self.lock();
            if !registered {
                registered = true;
                self.gauges
                    .waiting(priority)
                    .fetch_add(1, Ordering::Relaxed);
                match priority {
                    Priority::Vip => state.any_vips_waiting += 1,
                    Priority::Regular => state.any_regulars_waiting += 1,
                }
            }
            if state.generation == generation {
                (state, _) = wait_on(&self.restocked, state, deadline);
            }
        };
        if registered {
            self.gauges
                .waiting(priority)
                .fetch_sub(1, Ordering::Relaxed);
            let mut state = self.lock();
            match priority {
                Priority::Regular => state.any_regulars_waiting -= 1,
                Priority::Vip => {
                    state.any_vips_waiting -= 1;
                    if state.any_vips_waiting == 0 {
                        // Regulars that deferred to VIPs may take now.
                        state.generation += 1;
                        drop(state);
                        self.restocked.notify_all();
                    }
                }
            }
        }
        result
    }

    fn try_every_pool(&self, priority: Priority) -> Option<(Ticket, usize)> {
        (0..self.stock.len()).find_map(|ty| {
            self.stock
                .get(ty)
                .try_take(priority)
                .ok()
                .map(|ticket| (ticket, ty))
        })
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
