//! The vendor and customer threads: real threads against the real box
//! office, paced by their own arrival plans.
//!
//! Pacing is deadline-based (the next arrival is due at the previous due
//! time plus a gap, not "now plus a gap"), so time spent blocked in the
//! office does not slow the arrival process down. Every wait ends when the
//! run does: sleeps listen to the end signal, and the office calls return
//! once the controller closes the office.

use std::collections::VecDeque;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rand::rngs::Xoshiro256PlusPlus;

use crate::config::Arrivals;
use crate::control::{Shared, VendorControl};
use crate::error::SimulationError;
use crate::outcome::{AgentOutcome, AgentResult, CustomerReport, EndReason};
use crate::plan::{agent_rng, gap, CustomerPlan, Digest, PlannedRequest, Role};
use std::sync::atomic::Ordering;
use ticketpool_core::BoxOfficeError;
use ticketpool_core::Customer;
use ticketpool_core::Hold;
use ticketpool_core::Ticket;
use ticketpool_core::Vendor;
use ticketpool_core::Want;

/// How far an agent may fall behind its schedule before it stops trying to
/// catch up; without it, a vendor resumed after a long pause would release
/// the whole backlog in one burst.
const MAX_LAG: Duration = Duration::from_millis(100);

/// Holds abandoned by a customer are given this long past their deadline
/// for the office's reaper to expire them before the customer checks.
const EXPIRY_GRACE: Duration = Duration::from_millis(20);

/// How long a vendor whose every type is full waits on one of them before
/// trying the next: room may come first in any of them.
const FULL_TYPE_SLICE: Duration = Duration::from_millis(5);

/// Starts vendor threads, at the start and at run time.
#[derive(Clone)]
pub(crate) struct VendorSpawner {
    pub(crate) seed: u64,
    pub(crate) arrivals: Arrivals,
}

impl VendorSpawner {
    pub(crate) fn spawn(
        &self,
        shared: &Arc<Shared>,
        name: &str,
        rate: Option<f64>,
        ticket_types: &[&str],
    ) -> Result<JoinHandle<AgentResult>, SimulationError> {
        let vendor = shared.office.add_vendor(name, ticket_types)?;
        let index = shared.next_vendor.fetch_add(1, Ordering::Relaxed);
        let rng = agent_rng(self.seed, Role::Vendor, index as usize);
        let control = Arc::new(VendorControl::new(rate));
        shared
            .vendors
            .lock()
            .insert(name.to_owned(), Arc::clone(&control));
        let agent = VendorAgent {
            shared: Arc::clone(shared),
            vendor,
            control,
            rng,
            arrivals: self.arrivals,
        };
        thread::Builder::new()
            .name(format!("sim-vendor-{name}"))
            .spawn(move || agent.run())
            .map_err(|err| {
                // The vendor never ran: take it back out so the office does
                // not list a vendor nobody drives.
                let _ = shared.office.remove_vendor(name);
                shared.vendors.lock().remove(name);
                SimulationError::Spawn(err.to_string())
            })
    }
}

struct VendorAgent {
    shared: Arc<Shared>,
    vendor: Vendor,
    control: Arc<VendorControl>,
    rng: Xoshiro256PlusPlus,
    arrivals: Arrivals,
}

impl VendorAgent {
    fn run(mut self) -> AgentResult {
        // Types still on sale for this vendor, released in turn.
        let mut types = self.vendor.ticket_types();
        let mut turn = 0;
        let mut due = Some(Instant::now());
        while !types.is_empty() {
            let rate = self.control.rate();
            if !pace(
                &self.shared,
                &mut due,
                gap(&mut self.rng, rate, self.arrivals),
            ) {
                break;
            }
            turn %= types.len();
            let (released, result) = self.release_next(&types, turn);
            match result {
                Ok(_) => turn = released + 1,
                // The event or this type's quota is fully released.
                Err(BoxOfficeError::SoldOut) => {
                    types.remove(released);
                    turn = released;
                }
                Err(BoxOfficeError::Closed | BoxOfficeError::UnknownVendor(_)) => break,
                Err(err) => return Err(err),
            }
        }
        Ok(AgentOutcome::Vendor)
    }

    /// Releases one ticket of the first type, from `turn` on, that has room;
    /// returns the index of the type it released (or failed on).
    ///
    /// A full type does not hold the vendor up while another has room:
    /// held tickets count against their type's share, so abandoned holds
    /// can keep one type full for a whole hold time, and a vendor blocked on
    /// it would starve buyers of every other type (with every vendor blocked
    /// there, the run stalled until the holds expired). When every type is
    /// full the vendor waits on one at a time, a slice each, in turn.
    fn release_next(
        &self,
        types: &[Arc<str>],
        mut turn: usize,
    ) -> (usize, Result<Ticket, BoxOfficeError>) {
        if types.len() == 1 {
            return (0, self.vendor.release(&types[0]));
        }
        loop {
            for k in 0..types.len() {
                let i = (turn + k) % types.len();
                match self.vendor.try_release(&types[i]) {
                    Err(BoxOfficeError::Full) => {}
                    // The blocking form waits for resume (or the close).
                    Err(BoxOfficeError::Paused) => return (i, self.vendor.release(&types[i])),
                    result => return (i, result),
                }
            }
            match self.vendor.release_timeout(&types[turn], FULL_TYPE_SLICE) {
                Err(BoxOfficeError::Timeout) => turn = (turn + 1) % types.len(),
                result => return (turn, result),
            }
        }
    }
}

/// Waits for the next arrival, `gap` after the previous one (`due`; `None`
/// means now); `false` if the run ended. An agent with no gap (as fast as
/// it can) reads no clock, and its schedule restarts from now when it gets
/// a gap again.
fn pace(shared: &Shared, due: &mut Option<Instant>, gap: Duration) -> bool {
    if gap.is_zero() {
        *due = None;
        return !shared.is_ending();
    }
    let next = next_due(*due, gap);
    *due = Some(next);
    shared.sleep_until(next)
}

fn next_due(due: Option<Instant>, gap: Duration) -> Instant {
    let now = Instant::now();
    let Some(due) = due else {
        return now.checked_add(gap).unwrap_or(now);
    };
    let due = due.checked_add(gap).unwrap_or(now);
    if due + MAX_LAG < now {
        now
    } else {
        due
    }
}

pub(crate) struct CustomerAgent {
    pub(crate) shared: Arc<Shared>,
    pub(crate) customer: Customer,
    pub(crate) index: usize,
    pub(crate) plan: CustomerPlan,
    pub(crate) want: Want,
    pub(crate) tickets_each: u32,
}

impl CustomerAgent {
    pub(crate) fn run(mut self) -> AgentResult {
        let mut report = CustomerReport {
            index: self.index,
            name: self.customer.name().to_string(),
            priority: self.customer.priority(),
            ..CustomerReport::default()
        };
        let mut digest = Digest::default();
        let mut abandoned: VecDeque<Hold> = VecDeque::new();
        let mut due = Some(Instant::now());
        let result = loop {
            if self.tickets_each > 0 && report.bought >= u64::from(self.tickets_each) {
                break Ok(());
            }
            let request = self.plan.next().expect("a customer plan never ends");
            report.requests += 1;
            digest.add(&request);
            if !pace(
                &self.shared,
                &mut due,
                Duration::from_micros(request.gap_us),
            ) {
                break Ok(());
            }
            let outcome = if request.hold {
                self.reserve(&request, &mut report, &mut abandoned)
            } else {
                self.customer.buy(&self.want).map(|_| report.bought += 1)
            };
            settle(&mut abandoned, &mut report, false);
            match outcome {
                Ok(()) => {}
                Err(
                    BoxOfficeError::SoldOut
                    | BoxOfficeError::Closed
                    | BoxOfficeError::LimitReached { .. },
                ) => break Ok(()),
                Err(err) => break Err(err),
            }
        };
        settle(&mut abandoned, &mut report, true);
        report.plan_digest = digest.value();
        // The last customer out ends the run: nobody is left to buy.
        if self.shared.customers_active.fetch_sub(1, Ordering::AcqRel) == 1 {
            let reason = if self.shared.office.is_sold_out() {
                EndReason::SoldOut
            } else {
                EndReason::DemandMet
            };
            self.shared.end(reason);
        }
        result.map(|()| AgentOutcome::Customer(report))
    }

    fn reserve(
        &self,
        request: &PlannedRequest,
        report: &mut CustomerReport,
        abandoned: &mut VecDeque<Hold>,
    ) -> Result<(), BoxOfficeError> {
        let hold = self.customer.reserve(&self.want)?;
        report.holds_placed += 1;
        if request.abandon {
            report.holds_abandoned += 1;
            // Kept, not dropped: dropping a hold cancels it, and an
            // abandoned hold should run out its time.
            abandoned.push_back(hold);
            return Ok(());
        }
        let think = Instant::now() + Duration::from_micros(request.think_us);
        if !self.shared.sleep_until(think) {
            // The run ended mid-thought.
            if hold.cancel() {
                report.holds_cancelled += 1;
            } else {
                report.holds_expired += 1;
            }
            return Err(BoxOfficeError::Closed);
        }
        match hold.confirm() {
            Ok(_) => {
                report.bought += 1;
                report.holds_confirmed += 1;
                Ok(())
            }
            Err(BoxOfficeError::HoldExpired) => {
                report.holds_expired += 1;
                Ok(())
            }
            Err(err) => Err(err),
        }
    }
}

/// Checks abandoned holds whose time is up (all of them at the end): a
/// cancel that finds nothing means the office expired the hold.
fn settle(abandoned: &mut VecDeque<Hold>, report: &mut CustomerReport, all: bool) {
    // Called after every request: without abandoned holds, read no clock.
    if abandoned.is_empty() {
        return;
    }
    let now = Instant::now();
    while let Some(hold) = abandoned.front() {
        if !all && hold.deadline() + EXPIRY_GRACE > now {
            break;
        }
        if hold.cancel() {
            report.holds_cancelled += 1;
        } else {
            report.holds_expired += 1;
        }
        abandoned.pop_front();
    }
}
