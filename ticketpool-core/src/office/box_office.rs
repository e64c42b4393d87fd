//! The box office: the ticketing engine on top of the pools.
//!
//! Tickets wait in one pool per type ([`Stock`]); an office-level capacity
//! gate admits at most `max_capacity` tickets (available plus held), so a
//! ticket given back always fits its pool. All counters live in one
//! [`Counters`] struct under one mutex, taken once per ticket movement for a
//! few instructions, which makes every [`Snapshot`] consistent. The hot path
//! touches nothing else under it: purchase limits are counted in [`Limits`],
//! and the few numbers read on every buy (sold, in the office, closed,
//! waiting) are [`Gauges`] read without the lock.
//!
//! Waiting: a vendor waits on the office's `room` condvar (for capacity or
//! resume), after a short spin on the `in_office` gauge: a full office
//! usually has room again within microseconds, and parking every vendor
//! would make every sale pay for a futex wake-up. A customer who wants one
//! type waits inside that type's pool, so the pool's VIP rule applies as
//! is. A customer who wants any type, when there are several, tries every
//! pool and then waits on the office's `restocked` condvar, whose
//! generation counter is bumped after every put (in a single-type office
//! nobody waits there, so nothing is bumped); Regular any-type buyers do
//! not take while an any-type VIP waits.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_utils::CachePadded;

use crate::office::config::BoxOfficeConfig;
use crate::office::counters::{Counters, Gauges};
use crate::office::customer::Customer;
use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::holds::{HoldEntry, HoldTable, HoldTerms};
use crate::office::journal::{Journal, RecoveredState};
use crate::office::limits::Limits;
use crate::office::pipeline::Pipeline;
use crate::office::pricing::{PriceContext, PricingPolicy};
use crate::office::reaper::Reaper;
use crate::office::sales_log::SalesLog;
use crate::office::snapshot::Snapshot;
use crate::office::stock::Stock;
use crate::office::subscribe::Subscription;
use crate::office::ticket::{HoldId, Sale, Ticket, TicketId};
use crate::office::trace::{self, Actor};
use crate::office::vendor::Vendor;
use crate::office::vendors::{VendorEntry, Vendors};
use crate::pool::error::TakeError;
use crate::pool::primitive::{AtomicU64, Backoff, Condvar, Mutex, MutexGuard, Ordering};
use crate::pool::Priority;

/// Which ticket a customer asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// The shared state behind every handle of one office.
pub(crate) struct Inner {
    pub(crate) config: BoxOfficeConfig,
    pub(crate) stock: Stock,
    // Padded: every ticket movement writes both, and neither should drag
    // the read-mostly fields around them from core to core.
    state: CachePadded<Mutex<Counters>>,
    /// Read without the lock on the hot path.
    gauges: CachePadded<Gauges>,
    limits: Limits,
    /// Vendors wait here for capacity or resume.
    room: Condvar,
    /// Any-type buyers wait here for a restock.
    restocked: Condvar,
    pub(crate) holds: Arc<HoldTable>,
    next_hold_id: AtomicU64,
    pub(crate) vendors: Vendors,
    pricing: Arc<dyn PricingPolicy>,
    /// Where every event goes: journal, subscribers, log.
    events: Pipeline,
    pub(crate) sales: SalesLog,
    reaper: Mutex<Option<Reaper>>,
    /// Tickets given back after close, when the pools refuse them: still
    /// counted available, never lost.
    stranded: Mutex<Vec<Ticket>>,
}

/// An embeddable box office for one event.
///
/// Cheap to clone; clones share the office. Dropping every handle (office,
/// vendors, customers, holds) stops its hold reaper.
///
/// # Examples
///
/// ```
/// use std::thread;
/// use ticketpool_core::{BoxOffice, BoxOfficeConfig, BoxOfficeError, Money, Priority, Want};
///
/// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 20, 4, Money::from_minor(1_500))).unwrap();
/// let vendor = office.add_vendor("north", &[]).unwrap();
/// let releaser = thread::spawn(move || {
///     while vendor.release("general").is_ok() {} // waits while 4 are on sale
/// });
/// let bob = office.customer("bob", Priority::Vip);
/// let mut bought = 0;
/// loop {
///     match bob.buy(Want::Any) {
///         Ok(_sale) => bought += 1,
///         Err(BoxOfficeError::SoldOut) => break,
///         Err(other) => panic!("{other}"),
///     }
/// }
/// releaser.join().unwrap();
/// assert_eq!(bought, 20);
/// assert_eq!(office.snapshot().revenue, Money::from_minor(30_000));
/// ```
#[derive(Clone)]
pub struct BoxOffice {
    inner: Arc<Inner>,
}

/// Builds a [`BoxOffice`] with a journal, a custom pricing policy or a
/// recovered state.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOffice, BoxOfficeConfig, Fixed, Money};
/// let office = BoxOffice::builder(BoxOfficeConfig::simple("gig", 10, 5, Money::from_minor(100)))
///     .pricing(std::sync::Arc::new(Fixed))
///     .build()
///     .unwrap();
/// assert_eq!(office.snapshot().totals.released, 0);
/// ```
#[must_use = "call build() to get the office"]
pub struct BoxOfficeBuilder {
    config: BoxOfficeConfig,
    journal: Option<Arc<dyn Journal>>,
    pricing: Option<Arc<dyn PricingPolicy>>,
    recovered: Option<RecoveredState>,
}

impl BoxOfficeBuilder {
    /// Records every durable event to `journal`.
    pub fn journal(mut self, journal: Arc<dyn Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Prices with `policy` instead of the configuration's.
    pub fn pricing(mut self, policy: Arc<dyn PricingPolicy>) -> Self {
        self.pricing = Some(policy);
        self
    }

    /// Starts from what a journal recovered: sold stay sold, unsold go back
    /// on sale, ids continue from `next_ticket_id`. Nothing restored is
    /// journaled again.
    pub fn recovered(mut self, state: RecoveredState) -> Self {
        self.recovered = Some(state);
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    ///
    /// [`BoxOfficeError::Config`] for an invalid configuration,
    /// [`BoxOfficeError::Restore`] for a recovered state that does not fit
    /// it.
    pub fn build(self) -> Result<BoxOffice, BoxOfficeError> {
        self.config.validate()?;
        let recovered = self.recovered.unwrap_or_default();
        let mut extra = vec![0; self.config.ticket_types.len()];
        for ticket in &recovered.unsold {
            let index = self
                .config
                .ticket_types
                .iter()
                .position(|ty| *ty.name == *ticket.ticket_type)
                .ok_or_else(|| {
                    BoxOfficeError::Restore(format!(
                        "ticket {} has unknown type {:?}",
                        ticket.id, ticket.ticket_type
                    ))
                })?;
            extra[index] += 1;
        }
        let stock = Stock::new(&self.config, &extra)
            .map_err(|err| BoxOfficeError::Restore(format!("cannot allocate pools: {err}")))?;
        let mut counters = Counters::new(stock.len());
        let mut sold_per_type = vec![0_u64; stock.len()];
        for sale in &recovered.sales {
            let index = stock.index_of(&sale.ticket.ticket_type).ok_or_else(|| {
                BoxOfficeError::Restore(format!(
                    "sale of {} has unknown type {:?}",
                    sale.ticket.id, sale.ticket.ticket_type
                ))
            })?;
            counters.apply(index, &sale.ticket.vendor, |c| {
                c.release();
                c.sell(false);
            });
            counters.revenue += sale.price;
            sold_per_type[index] += 1;
        }
        for ticket in &recovered.unsold {
            let index = stock.index_of(&ticket.ticket_type).unwrap_or_default();
            counters.apply(index, &ticket.vendor, |c| c.release());
        }
        if counters.total.released > self.config.total_tickets {
            return Err(BoxOfficeError::Restore(format!(
                "{} tickets were released, past total_tickets {}",
                counters.total.released, self.config.total_tickets
            )));
        }
        counters.next_ticket_id = recovered.next_ticket_id.0.max(1);
        let limits = Limits::new(
            self.config.purchase_limit,
            crate::office::sales_log::bought_per_customer(&recovered.sales),
        );
        let pricing = self.pricing.unwrap_or_else(|| self.config.pricing.policy());
        let holds = Arc::new(HoldTable::default());
        let inner = Arc::new(Inner {
            stock,
            gauges: CachePadded::new(Gauges::new(&counters)),
            state: CachePadded::new(Mutex::new(counters)),
            limits,
            room: Condvar::new(),
            restocked: Condvar::new(),
            holds: Arc::clone(&holds),
            next_hold_id: AtomicU64::new(1),
            vendors: Vendors::new(),
            pricing,
            events: Pipeline::new(self.journal),
            sales: SalesLog::new(),
            reaper: Mutex::new(None),
            stranded: Mutex::new(Vec::new()),
            config: self.config,
        });
        for (name, types) in &recovered.vendors {
            let types: Vec<&str> = types.iter().map(|ty| &**ty).collect();
            inner.vendors.add(&inner.stock, name, &types)?;
        }
        for ticket in recovered.unsold {
            let index = inner
                .stock
                .index_of(&ticket.ticket_type)
                .unwrap_or_default();
            if let Err(err) = inner.stock.get(index).try_put(ticket) {
                inner.stranded.lock().push(err.into_inner());
            }
        }
        inner.sales.extend(recovered.sales);
        // The reaper holds the office only weakly, so it never keeps it
        // alive; once the office is gone the callback says so and the
        // reaper ends.
        let office = Arc::downgrade(&inner);
        let reaper = Reaper::start(holds, move |expired| {
            let Some(office) = office.upgrade() else {
                return false;
            };
            for entry in expired {
                office.expire(entry);
            }
            true
        })
        .map_err(|err| BoxOfficeError::Restore(format!("cannot start hold reaper: {err}")))?;
        *inner.reaper.lock() = Some(reaper);
        let office = BoxOffice { inner };
        // Restored sales may already complete the event.
        office.inner.check_sold_out(office.inner.lock(), None);
        Ok(office)
    }
}

impl BoxOffice {
    /// An office for `config`, with fixed or demand pricing as configured
    /// and no journal.
    ///
    /// # Errors
    ///
    /// [`BoxOfficeError::Config`] if the configuration is invalid.
    pub fn new(config: BoxOfficeConfig) -> Result<Self, BoxOfficeError> {
        Self::builder(config).build()
    }

    /// An office that records every durable event to `journal`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_journal(
        config: BoxOfficeConfig,
        journal: Arc<dyn Journal>,
    ) -> Result<Self, BoxOfficeError> {
        Self::builder(config).journal(journal).build()
    }

    /// Rebuilds an office from a journal's recovered state.
    ///
    /// # Errors
    ///
    /// As [`BoxOfficeBuilder::build`].
    pub fn restore(
        config: BoxOfficeConfig,
        state: RecoveredState,
        journal: Option<Arc<dyn Journal>>,
    ) -> Result<Self, BoxOfficeError> {
        let builder = Self::builder(config).recovered(state);
        match journal {
            Some(journal) => builder.journal(journal).build(),
            None => builder.build(),
        }
    }

    /// A builder for the less common options.
    pub fn builder(config: BoxOfficeConfig) -> BoxOfficeBuilder {
        BoxOfficeBuilder {
            config,
            journal: None,
            pricing: None,
            recovered: None,
        }
    }

    /// The configuration the office runs with.
    pub fn config(&self) -> &BoxOfficeConfig {
        &self.inner.config
    }

    /// Registers a vendor that may release `ticket_types` (empty: every
    /// type) and returns its handle.
    ///
    /// # Errors
    ///
    /// [`DuplicateVendor`](BoxOfficeError::DuplicateVendor),
    /// [`UnknownTicketType`](BoxOfficeError::UnknownTicketType).
    pub fn add_vendor(&self, name: &str, ticket_types: &[&str]) -> Result<Vendor, BoxOfficeError> {
        self.add_vendor_untraced(name, ticket_types)
            .inspect_err(|err| trace::refused("add_vendor", Actor::vendor(name), err))
    }

    fn add_vendor_untraced(
        &self,
        name: &str,
        ticket_types: &[&str],
    ) -> Result<Vendor, BoxOfficeError> {
        let entry = self
            .inner
            .vendors
            .add(&self.inner.stock, name, ticket_types)?;
        self.inner.events.record(&Event::VendorAdded {
            vendor: Arc::clone(&entry.name),
            ticket_types: entry.type_names(&self.inner.stock),
        })?;
        Ok(Vendor::new(Arc::clone(&self.inner), entry))
    }

    /// A handle for a vendor already registered (for example restored).
    ///
    /// # Errors
    ///
    /// [`UnknownVendor`](BoxOfficeError::UnknownVendor).
    pub fn vendor(&self, name: &str) -> Result<Vendor, BoxOfficeError> {
        let entry = self.inner.vendors.get(name)?;
        Ok(Vendor::new(Arc::clone(&self.inner), entry))
    }

    /// Removes a vendor: its handles stop releasing (a waiting release
    /// returns [`UnknownVendor`](BoxOfficeError::UnknownVendor)); tickets
    /// it released stay on sale.
    ///
    /// # Errors
    ///
    /// [`UnknownVendor`](BoxOfficeError::UnknownVendor).
    pub fn remove_vendor(&self, name: &str) -> Result<(), BoxOfficeError> {
        let entry = self
            .inner
            .vendors
            .remove(name)
            .inspect_err(|err| trace::refused("remove_vendor", Actor::vendor(name), err))?;
        self.inner.notify_all_waiters();
        self.inner.events.record(&Event::VendorRemoved {
            vendor: Arc::clone(&entry.name),
        })
    }

    /// Names of the registered vendors.
    pub fn vendor_names(&self) -> Vec<Arc<str>> {
        self.inner.vendors.names()
    }

    /// A customer handle. Handles with the same name share the purchase
    /// limit.
    pub fn customer(&self, name: &str, priority: Priority) -> Customer {
        Customer::new(Arc::clone(&self.inner), Arc::from(name), priority)
    }

    /// Stops all releases until [`resume`](Self::resume); waiting releases
    /// keep waiting. Returns `true` if this call paused.
    pub fn pause(&self) -> bool {
        self.inner.set_paused(true)
    }

    /// Lets releases go on. Returns `true` if this call resumed.
    pub fn resume(&self) -> bool {
        self.inner.set_paused(false)
    }

    /// Closes the office: every waiting and later release, buy and reserve
    /// returns [`Closed`](BoxOfficeError::Closed) (or `SoldOut` if it sold
    /// out first). Open holds can still be confirmed or cancelled, and
    /// still expire; subscriptions see [`Event::Closed`], then what happens
    /// to those holds, and end once none is open (see [`Subscription`]).
    /// Returns `true` if this call closed it.
    pub fn close(&self) -> bool {
        self.inner.close()
    }

    /// `true` once every ticket of the event is sold.
    pub fn is_sold_out(&self) -> bool {
        self.inner.lock().sold_out
    }

    /// `true` once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.lock().closed
    }

    /// A consistent picture of the office now.
    pub fn snapshot(&self) -> Snapshot {
        let inner = &self.inner;
        let counters = inner.lock();
        counters.snapshot(
            |priority| {
                inner
                    .stock
                    .iter()
                    .map(|ty| ty.waiting_in_line(priority))
                    .sum()
            },
            inner.stock.iter().map(|ty| Arc::clone(&ty.name)),
            &inner.config.event_name,
            inner.config.strategy,
            inner.config.total_tickets,
            inner.config.max_capacity,
        )
    }

    /// A live stream of events with a buffer of 1,024.
    pub fn subscribe(&self) -> Subscription {
        self.subscribe_with_capacity(1024)
    }

    /// A live stream of events buffering at most `capacity` (at least 1);
    /// past that, events are dropped and reported as
    /// [`Notification::Lagged`](crate::Notification::Lagged). Taken after
    /// the office closed and its last hold settled, the stream starts
    /// ended.
    pub fn subscribe_with_capacity(&self, capacity: usize) -> Subscription {
        self.inner.events.subscribe(capacity)
    }

    /// Every sale so far, in order.
    pub fn sales(&self) -> Vec<Sale> {
        self.inner.sales.since(0)
    }

    /// Sales from position `from` on, for readers that poll.
    pub fn sales_since(&self, from: usize) -> Vec<Sale> {
        self.inner.sales.since(from)
    }

    /// How many sales so far.
    pub fn sales_count(&self) -> usize {
        self.inner.sales.len()
    }

    /// Calls `f` with every sale so far, without copying them (the log is
    /// locked meanwhile, so no sale completes until `f` returns). For a
    /// report over a long sale, where [`sales`](Self::sales) would copy them.
    pub fn with_sales<R>(&self, f: impl FnOnce(&[Sale]) -> R) -> R {
        self.inner.sales.with_all(f)
    }

    /// The sales to one customer.
    pub fn sales_of_customer(&self, customer: &str) -> Vec<Sale> {
        self.inner.sales.of_customer(customer)
    }

    /// The sales of tickets one vendor released.
    pub fn sales_of_vendor(&self, vendor: &str) -> Vec<Sale> {
        self.inner.sales.of_vendor(vendor)
    }

    /// How many holds are open now.
    pub fn open_holds(&self) -> usize {
        self.inner.holds.len()
    }

    /// Tickets held or bought by `customer`, as the purchase limit counts.
    pub fn tickets_of(&self, customer: &str) -> u32 {
        self.inner.limits.count(customer)
    }
}

impl std::fmt::Debug for BoxOffice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoxOffice")
            .field("event", &self.inner.config.event_name)
            .field("strategy", &self.inner.config.strategy)
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Counters> {
        self.state.lock()
    }

    fn set_paused(&self, paused: bool) -> bool {
        let mut state = self.lock();
        if state.paused == paused {
            return false;
        }
        state.paused = paused;
        drop(state);
        self.room.notify_all();
        self.events.announce(if paused {
            &Event::Paused
        } else {
            &Event::Resumed
        });
        true
    }

    fn close(&self) -> bool {
        let mut state = self.lock();
        if state.closed {
            return false;
        }
        state.closed = true;
        state.generation += 1;
        self.gauges.copy_from(&state);
        drop(state);
        self.stock.close_all();
        self.notify_all_waiters();
        self.events.announce(&Event::Closed);
        self.end_streams_if_settled();
        true
    }

    /// Ends the subscribers' streams once nothing more can happen: the
    /// office is closed and no hold is open or being settled. `close`
    /// stores the `closed` gauge and then reads the hold table; a settle
    /// publishes, marks itself done in the table and then loads the gauge.
    /// The table's lock orders the two table visits, and the gauge store
    /// (Release) comes before close's visit, so at least one of them sees
    /// both: the streams end, after the last hold's events. The gauge,
    /// not the state mutex, keeps this off the confirm path's locks.
    fn end_streams_if_settled(&self) {
        if self.gauges.closed.load(Ordering::Acquire) && self.holds.unsettled() == 0 {
            self.events.end_streams();
        }
    }

    /// A hold taken from the table is settled and its events published.
    fn hold_settled(&self) {
        self.holds.settled();
        self.end_streams_if_settled();
    }

    fn notify_all_waiters(&self) {
        let mut state = self.lock();
        state.generation += 1;
        drop(state);
        self.room.notify_all();
        self.restocked.notify_all();
    }

    /// Why a buyer gets nothing: the office closed, or it sold out.
    fn end_reason(&self) -> BoxOfficeError {
        if self.lock().closed {
            BoxOfficeError::Closed
        } else {
            BoxOfficeError::SoldOut
        }
    }

    /// Releases one ticket of `ticket_type` for `vendor`.
    pub(crate) fn release(
        &self,
        vendor: &VendorEntry,
        ticket_type: &str,
        wait: Wait,
    ) -> Result<Ticket, BoxOfficeError> {
        let ty = self
            .stock
            .index_of(ticket_type)
            .ok_or_else(|| BoxOfficeError::UnknownTicketType(Arc::from(ticket_type)))?;
        if !vendor.may_release(ty) {
            return Err(BoxOfficeError::VendorNotAllowed {
                vendor: Arc::clone(&vendor.name),
                ticket_type: Arc::clone(&self.stock.get(ty).name),
            });
        }
        let quota = self.stock.get(ty).quota;
        let max_capacity = self.config.max_capacity as u64;
        let backoff = Backoff::new();
        let mut state = self.lock();
        let mut timed_out = false;
        let id = loop {
            if vendor.is_removed() {
                return Err(BoxOfficeError::UnknownVendor(Arc::clone(&vendor.name)));
            }
            if state.closed {
                return Err(BoxOfficeError::Closed);
            }
            let type_done = quota.is_some_and(|q| state.by_type[ty].released >= q);
            if state.total.released >= self.config.total_tickets || type_done {
                return Err(BoxOfficeError::SoldOut);
            }
            let blocked = if state.paused {
                BoxOfficeError::Paused
            } else if state.in_office() >= max_capacity {
                BoxOfficeError::Full
            } else {
                let id = state.next_ticket_id;
                state.next_ticket_id += 1;
                state.apply(ty, &vendor.name, |c| c.release());
                state.note_release();
                self.gauges.copy_from(&state);
                break TicketId(id);
            };
            match wait {
                Wait::No => return Err(blocked),
                Wait::Until(_) if timed_out => return Err(BoxOfficeError::Timeout),
                Wait::Until(_)
                    if matches!(blocked, BoxOfficeError::Full) && !backoff.is_completed() =>
                {
                    // Spin off the lock until a sale makes room, then decide
                    // under it again. Every round snoozes at least once, so
                    // losing the slot to another vendor still moves the
                    // backoff towards parking.
                    drop(state);
                    loop {
                        backoff.snooze();
                        let room = self.gauges.in_office.load(Ordering::Relaxed) < max_capacity;
                        if room || backoff.is_completed() {
                            break;
                        }
                    }
                    state = self.lock();
                }
                Wait::Until(deadline) => {
                    state.waiting_vendors += 1;
                    (state, timed_out) = wait_on(&self.room, state, deadline);
                    state.waiting_vendors -= 1;
                }
            }
        };
        drop(state);
        let stock = self.stock.get(ty);
        let ticket = Ticket {
            id,
            ticket_type: Arc::clone(&vendor.ticket_type_names[ty]),
            vendor: Arc::clone(&vendor.name),
            base_price: stock.base_price,
            released_at: SystemTime::now(),
        };
        // Built only for someone to hand it to: a release nobody journals,
        // subscribes to or logs skips two refcount round trips.
        if self.events.is_observed() {
            let event = Event::Released {
                ticket: ticket.clone(),
            };
            if let Err(err) = self.events.record(&event) {
                let mut state = self.lock();
                state.apply(ty, &vendor.name, |c| c.unrelease());
                self.gauges.copy_from(&state);
                drop(state);
                self.room.notify_one();
                return Err(err);
            }
        }
        self.restock(ticket.clone(), ty);
        Ok(ticket)
    }

    /// Puts a ticket (already counted available) into its pool and wakes
    /// any-type buyers.
    fn restock(&self, ticket: Ticket, ty: usize) {
        if let Err(err) = self.stock.get(ty).try_put(ticket) {
            // Only a closed pool refuses: capacity is gated by the office.
            self.stranded.lock().push(err.into_inner());
        }
        if self.stock.len() == 1 {
            // With one type every buyer waits inside its pool, which wakes
            // it; nobody waits on `restocked`.
            return;
        }
        let mut state = self.lock();
        state.generation += 1;
        drop(state);
        self.restocked.notify_all();
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

    fn unclaim_limit(&self, customer: &Arc<str>) {
        self.limits.unclaim(customer);
    }

    /// Takes a ticket for a customer, within the limit; returns it with its
    /// type and how long the customer waited.
    fn acquire(
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

    /// The price of `ticket` of type `ty` now. The base is the ticket's
    /// own, fixed when it was released: a ticket restored from a journal
    /// sells at the price it went on sale at, whatever the configuration
    /// says today.
    fn price_of(&self, ticket: &Ticket, ty: usize) -> crate::office::ticket::Money {
        let stock = self.stock.get(ty);
        let gauges = &self.gauges;
        let remaining =
            (self.config.total_tickets).saturating_sub(gauges.sold.load(Ordering::Relaxed));
        let waiting = gauges.waiting(Priority::Vip).load(Ordering::Relaxed)
            + gauges.waiting(Priority::Regular).load(Ordering::Relaxed);
        self.pricing.price(&PriceContext {
            ticket_type: &stock.name,
            base_price: ticket.base_price,
            total_tickets: self.config.total_tickets,
            remaining,
            waiting,
        })
    }

    /// Buys a ticket now.
    pub(crate) fn buy(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        want: &Want,
        wait: Wait,
    ) -> Result<Sale, BoxOfficeError> {
        let (ticket, ty, waited) = self.acquire(customer, priority, want, wait)?;
        let sale = Sale {
            price: self.price_of(&ticket, ty),
            ticket,
            customer: Arc::clone(customer),
            priority,
            sold_at: SystemTime::now(),
            waited,
            hold: None,
        };
        self.commit_sale(sale, ty, false)
    }

    /// Journals a sale, then counts it. On a journal error the ticket goes
    /// back on sale and the customer's limit slot is freed.
    fn commit_sale(&self, sale: Sale, ty: usize, held: bool) -> Result<Sale, BoxOfficeError> {
        let event = Event::Sold { sale };
        if let Err(err) = self.events.record(&event) {
            let Event::Sold { sale } = event else {
                unreachable!("built as Sold above");
            };
            if held {
                self.lock().apply(ty, &sale.ticket.vendor, |c| c.unhold());
            }
            self.unclaim_limit(&sale.customer);
            self.restock(sale.ticket, ty);
            return Err(err);
        }
        let Event::Sold { sale } = event else {
            unreachable!("built as Sold above");
        };
        // Cloned before locking: the clone bumps refcounts every thread
        // shares, which should not lengthen the critical section.
        let logged = sale.clone();
        let mut state = self.lock();
        state.apply(ty, &sale.ticket.vendor, |c| c.sell(held));
        state.revenue += sale.price;
        self.gauges.copy_from(&state);
        // The sales log is appended under the same lock, so it never
        // disagrees with a snapshot's sold count.
        self.sales.push(logged);
        self.check_sold_out(state, Some(ty));
        self.room.notify_one();
        Ok(sale)
    }

    /// Closes a type's pool once its quota is sold (`ty`, or every type),
    /// and every pool once the event is, so no buyer waits on tickets that
    /// cannot come. Takes the state lock already held, and releases it.
    fn check_sold_out(&self, mut state: MutexGuard<'_, Counters>, ty: Option<usize>) {
        let types = match ty {
            Some(ty) => ty..ty + 1,
            None => 0..self.stock.len(),
        };
        for i in types {
            let stock = self.stock.get(i);
            if stock.quota.is_some_and(|q| state.by_type[i].sold >= q) {
                stock.close();
            }
        }
        if state.sold_out || state.total.sold < self.config.total_tickets {
            return;
        }
        state.sold_out = true;
        state.generation += 1;
        drop(state);
        self.stock.close_all();
        self.room.notify_all();
        self.restocked.notify_all();
        self.events.announce(&Event::SoldOut);
    }

    /// Places a hold and returns its terms, for the caller's handle.
    pub(crate) fn reserve(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        want: &Want,
        wait: Wait,
    ) -> Result<HoldTerms, BoxOfficeError> {
        let (ticket, ty, waited) = self.acquire(customer, priority, want, wait)?;
        let price = self.price_of(&ticket, ty);
        let ttl = self.config.hold_ttl;
        let entry = HoldEntry {
            id: HoldId(self.next_hold_id.fetch_add(1, Ordering::Relaxed)),
            type_index: ty,
            customer: Arc::clone(customer),
            priority,
            price,
            deadline: Instant::now() + ttl,
            waited,
            ticket,
        };
        let expires_at = SystemTime::now() + ttl;
        let event = Event::HoldPlaced {
            hold: entry.id,
            ticket: entry.ticket.id,
            customer: Arc::clone(customer),
            priority,
            price,
            expires_at,
        };
        if let Err(err) = self.events.write(&event) {
            self.unclaim_limit(customer);
            self.restock(entry.ticket, ty);
            return Err(err);
        }
        // Counted before the entry is visible to the reaper, so expiry
        // never un-holds a ticket not yet counted held.
        self.lock().apply(ty, &entry.ticket.vendor, |c| c.hold());
        // Announced before the entry is visible too: with a tiny TTL the
        // reaper could otherwise announce `HoldExpired` first.
        self.events.announce(&event);
        let terms = entry.terms(expires_at);
        let deadline = entry.deadline;
        self.holds.insert(entry);
        if let Some(reaper) = &*self.reaper.lock() {
            reaper.kick(deadline);
        }
        Ok(terms)
    }

    /// Turns a hold (already taken from the table) into a sale.
    pub(crate) fn confirm_hold(&self, entry: HoldEntry) -> Result<Sale, BoxOfficeError> {
        let confirmed = Event::HoldConfirmed {
            hold: entry.id,
            ticket: entry.ticket.id,
        };
        if let Err(err) = self.events.record(&confirmed) {
            self.settle_back(entry, None);
            return Err(err);
        }
        let sale = Sale {
            ticket: entry.ticket,
            customer: entry.customer,
            priority: entry.priority,
            price: entry.price,
            sold_at: SystemTime::now(),
            waited: entry.waited,
            hold: Some(entry.id),
        };
        let sold = self.commit_sale(sale, entry.type_index, true);
        self.hold_settled();
        sold
    }

    /// Puts a cancelled hold's ticket back on sale.
    pub(crate) fn cancel_hold(&self, entry: HoldEntry) {
        let event = Event::HoldCancelled {
            hold: entry.id,
            ticket: entry.ticket.id,
        };
        self.settle_back(entry, Some(event));
    }

    /// Puts an expired hold's ticket back on sale.
    pub(crate) fn expire(&self, entry: HoldEntry) {
        let event = Event::HoldExpired {
            hold: entry.id,
            ticket: entry.ticket.id,
        };
        self.settle_back(entry, Some(event));
    }

    /// A hold's ticket goes back on sale and its limit slot is freed. A
    /// journal error here is not the customer's: the ticket is back either
    /// way, and recovery puts unsold tickets back on sale anyway.
    fn settle_back(&self, entry: HoldEntry, event: Option<Event>) {
        self.lock()
            .apply(entry.type_index, &entry.ticket.vendor, |c| c.unhold());
        self.unclaim_limit(&entry.customer);
        if let Some(event) = &event {
            if let Err(err) = self.events.write(event) {
                let actor = Actor::Hold {
                    hold_id: entry.id.0,
                    ticket_id: entry.ticket.id.0,
                };
                trace::refused("settle_hold", actor, &err);
            }
        }
        self.restock(entry.ticket, entry.type_index);
        // Announced once the ticket is back: whoever sees the event can
        // buy it.
        if let Some(event) = &event {
            self.events.announce(event);
        }
        self.hold_settled();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(reaper) = self.reaper.lock().take() {
            reaper.stop();
        }
        self.events.end_streams();
    }
}

/// Waits on `condvar` until notified or `deadline`; `true` means timed out.
fn wait_on<'a>(
    condvar: &Condvar,
    guard: MutexGuard<'a, Counters>,
    deadline: Option<Instant>,
) -> (MutexGuard<'a, Counters>, bool) {
    match deadline {
        None => (condvar.wait(guard), false),
        Some(deadline) => condvar.wait_until(guard, deadline),
    }
}
