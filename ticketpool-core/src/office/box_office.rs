//! The public face of the office: [`BoxOffice`] and its builder. The
//! state behind them is `state.rs`; this file only builds it (from a
//! configuration and, when restoring, a journal's recovered state) and
//! hands out handles.

use crate::pool::spin::SpinGauge;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_utils::CachePadded;

use crate::office::config::BoxOfficeConfig;
use crate::office::counters::{Counters, Gauges, Room};
use crate::office::customer::Customer;
use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::holds::HoldTable;
use crate::office::journal::{Journal, RecoveredState};
use crate::office::ledger::Ledger;
use crate::office::limits::Limits;
use crate::office::line::Line;
use crate::office::name::Name;
use crate::office::pipeline::Pipeline;
use crate::office::pricing::PricingPolicy;
use crate::office::reaper::Reaper;
use crate::office::snapshot::Snapshot;
use crate::office::state::Inner;
use crate::office::stock::Stock;
use crate::office::subscribe::Subscription;
use crate::office::ticket::Sale;
use crate::office::trace::{self, Actor};
use crate::office::vendor::Vendor;
use crate::office::vendors::Vendors;
use crate::pool::primitive::{AtomicU64, Condvar, Mutex, Ordering};
use crate::pool::Priority;

pub use crate::office::take::{AsWant, Want};

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
        let types = self.config.ticket_types.len();
        let type_of = |name: &str| {
            self.config
                .ticket_types
                .iter()
                .position(|ty| ty.name == name)
        };
        let mut sold_per_type = vec![0_u64; types];
        for sale in &recovered.sales {
            let index = type_of(&sale.ticket.ticket_type).ok_or_else(|| {
                BoxOfficeError::Restore(format!(
                    "sale of {} has unknown type {:?}",
                    sale.ticket.id, sale.ticket.ticket_type
                ))
            })?;
            sold_per_type[index] += 1;
        }
        let released: Vec<u64> = (0..types)
            .map(|i| sold_per_type[i] + extra[i] as u64)
            .collect();
        let total_released: u64 = released.iter().sum();
        if total_released > self.config.total_tickets {
            return Err(BoxOfficeError::Restore(format!(
                "{total_released} tickets were released, past total_tickets {}",
                self.config.total_tickets
            )));
        }
        let stock = Stock::new(&self.config, &extra, &sold_per_type)
            .map_err(|err| BoxOfficeError::Restore(format!("cannot allocate pools: {err}")))?;
        let in_office: Vec<u64> = extra.iter().map(|&n| n as u64).collect();
        let room_left = Room::new(
            &self.config,
            &released,
            &in_office,
            recovered.next_ticket_id.0.max(1),
        );
        let ledger = Ledger::new(stock.iter().map(|ty| Name::from(&*ty.name)).collect());
        for ticket in &recovered.unsold {
            let index = type_of(&ticket.ticket_type).unwrap_or_default();
            ledger.apply(index, &ticket.vendor, |c| c.release());
        }
        let limits = Limits::new(
            self.config.purchase_limit,
            crate::office::sales_log::bought_per_customer(&recovered.sales),
        );
        let pricing = self.pricing.unwrap_or_else(|| self.config.pricing.policy());
        let holds = Arc::new(HoldTable::default());
        let line = Line::new(stock.len());
        let inner = Arc::new(Inner {
            stock,
            gauges: CachePadded::new(Gauges::new()),
            state: CachePadded::new(Mutex::new(Counters::new())),
            room_left,
            ledger,
            limits,
            room: Condvar::new(),
            room_spin: SpinGauge::new(),
            line,
            holds: Arc::clone(&holds),
            next_hold_id: AtomicU64::new(1),
            vendors: Vendors::new(),
            pricing,
            events: Pipeline::new(self.journal),
            reaper: std::sync::OnceLock::new(),
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
        let limits_of = &inner.stock;
        inner.ledger.restore_sales(recovered.sales, |sale| {
            limits_of
                .index_of(&sale.ticket.ticket_type)
                .unwrap_or_default()
        });
        // The reaper holds the office only weakly, so it never keeps it
        // alive; once the office is gone the callback says so and the
        // reaper ends.
        let office = Arc::downgrade(&inner);
        // An idle reaper wakes once per hold lifetime, at most 20 times a
        // second (a shorter TTL makes holds kick it, as they all did once).
        let nap = inner.config.hold_ttl.max(Duration::from_millis(50));
        let reaper = Reaper::start(holds, nap, move |expired| {
            let Some(office) = office.upgrade() else {
                return false;
            };
            for entry in expired {
                office.expire(entry);
            }
            true
        })
        .map_err(|err| BoxOfficeError::Restore(format!("cannot start hold reaper: {err}")))?;
        let _ = inner.reaper.set(reaper);
        let office = BoxOffice { inner };
        // Restored sales may already complete a type's quota, or the event.
        for ty in office.inner.stock.iter() {
            if ty
                .quota
                .is_some_and(|q| ty.sold.load(Ordering::Relaxed) >= q)
            {
                ty.close();
            }
        }
        if office.inner.ledger.sold() >= office.inner.config.total_tickets {
            office.inner.sell_out();
        }
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

    /// The way to build an office with options: a journal, a pricing
    /// policy, a recovered state ([`new`](Self::new) is the shortcut for
    /// `builder(config).build()`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use ticketpool_core::{BoxOffice, BoxOfficeConfig, Fixed, Money};
    ///
    /// let config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(2_500));
    /// let office = BoxOffice::builder(config).pricing(Arc::new(Fixed)).build().unwrap();
    /// assert_eq!(office.snapshot().totals.released, 0);
    /// ```
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

    /// Ends the sale as sold out although this office did not sell every
    /// ticket itself: for an office selling its share of a larger
    /// inventory (a lease node, whose inventory elsewhere reports every
    /// ticket sold). As when the office sells its last ticket: waiting and
    /// later buys and reserves return [`SoldOut`](BoxOfficeError::SoldOut),
    /// releases are refused with `SoldOut`, subscribers see
    /// [`Event::SoldOut`], and open holds can still be confirmed or
    /// cancelled. Call it once the vendors have nothing left to release: a
    /// ticket being released at that moment stays counted on sale.
    /// Returns `true` if this call ended the sale.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_core::{BoxOffice, BoxOfficeConfig, BoxOfficeError, Money, Priority};
    ///
    /// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 100, 10, Money::from_minor(500))).unwrap();
    /// assert!(office.sell_out());
    /// assert!(office.is_sold_out() && !office.is_closed());
    /// let buyer = office.customer("ann", Priority::Regular);
    /// assert!(matches!(buyer.try_buy("general"), Err(BoxOfficeError::SoldOut)));
    /// ```
    pub fn sell_out(&self) -> bool {
        self.inner.sell_out()
    }

    /// `true` once every ticket of the event is sold (or the sale was
    /// ended as sold out, [`sell_out`](Self::sell_out)).
    pub fn is_sold_out(&self) -> bool {
        self.inner.lock().sold_out
    }

    /// `true` once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.lock().closed
    }

    /// A consistent picture of the office now.
    pub fn snapshot(&self) -> Snapshot {
        self.inner.snapshot()
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
        self.inner.ledger.sales_since(0)
    }

    /// Sales from position `from` on, for readers that poll.
    pub fn sales_since(&self, from: usize) -> Vec<Sale> {
        self.inner.ledger.sales_since(from)
    }

    /// How many sales so far.
    pub fn sales_count(&self) -> usize {
        self.inner.ledger.sales_len()
    }

    /// Calls `f` with every sale so far, without copying them (the log is
    /// locked meanwhile: sales go on, and readers of the log wait until `f`
    /// returns). For a
    /// report over a long sale, where [`sales`](Self::sales) would copy them.
    pub fn with_sales<R>(&self, f: impl FnOnce(&[Sale]) -> R) -> R {
        self.inner.ledger.with_log(f)
    }

    /// The sales to one customer.
    pub fn sales_of_customer(&self, customer: &str) -> Vec<Sale> {
        self.inner.ledger.sales_of_customer(customer)
    }

    /// The sales of tickets one vendor released.
    pub fn sales_of_vendor(&self, vendor: &str) -> Vec<Sale> {
        self.inner.ledger.sales_of_vendor(vendor)
    }

    /// How many holds are open now.
    pub fn open_holds(&self) -> usize {
        self.inner.holds.len()
    }

    /// Buyers waiting as futures ([`Customer::buy_async`],
    /// [`Customer::reserve_async`]) now, both priorities; they are also
    /// counted in the snapshot's `waiting_vip` and `waiting_regular`.
    pub fn waiting_async(&self) -> u64 {
        self.inner.line.waiting_async()
    }

    /// Tickets held or bought by `customer`, plus its buys and reserves
    /// still waiting: what the purchase limit counts.
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
