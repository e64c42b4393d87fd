//! The office's live counters: [`Counters`] under the state mutex, and the
//! [`Gauges`] the hot path reads without it.
//!
//! Consistency: every ticket movement (released, held, sold, back on sale)
//! updates all its counters in one short critical section of the office's
//! state mutex, and a snapshot copies them under the same mutex. So every
//! snapshot satisfies `released == available + held + sold`, overall, per
//! type and per vendor, while sales stop only for the copy (a few small maps).
//! A seqlock would spare writers even that, but the writers already take the
//! mutex for the capacity gate, so it would buy nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use crate::office::snapshot::{Snapshot, TicketCounts};
use crate::office::ticket::Money;
use crate::pool::primitive::{AtomicBool, AtomicU64, Ordering};
use crate::pool::strategy::Strategy;
use crate::pool::Priority;

/// The movements of one ticket, applied to each set of counts it is in.
impl TicketCounts {
    pub(crate) fn release(&mut self) {
        self.released += 1;
        self.available += 1;
    }

    pub(crate) fn unrelease(&mut self) {
        self.released -= 1;
        self.available -= 1;
    }

    pub(crate) fn hold(&mut self) {
        self.available -= 1;
        self.held += 1;
    }

    pub(crate) fn unhold(&mut self) {
        self.held -= 1;
        self.available += 1;
    }

    pub(crate) fn sell(&mut self, held: bool) {
        if held {
            self.held -= 1;
        } else {
            self.available -= 1;
        }
        self.sold += 1;
    }
}

/// The office's mutable state, all under one mutex.
#[derive(Debug)]
pub(crate) struct Counters {
    pub(crate) total: TicketCounts,
    pub(crate) by_type: Vec<TicketCounts>,
    pub(crate) by_vendor: HashMap<Arc<str>, TicketCounts>,
    pub(crate) revenue: Money,
    pub(crate) next_ticket_id: u64,
    pub(crate) waiting_vendors: u64,
    pub(crate) paused: bool,
    pub(crate) closed: bool,
    pub(crate) sold_out: bool,
    /// The most tickets ever in the office at once (see
    /// [`Counters::note_release`]).
    pub(crate) peak_in_office: u64,
}

impl Counters {
    pub(crate) fn new(types: usize) -> Self {
        Self {
            total: TicketCounts::default(),
            by_type: vec![TicketCounts::default(); types],
            by_vendor: HashMap::new(),
            revenue: Money::ZERO,
            next_ticket_id: 1,
            waiting_vendors: 0,
            paused: false,
            closed: false,
            sold_out: false,
            peak_in_office: 0,
        }
    }

    /// Raises the high-water mark after a release: only a release adds a
    /// ticket to the office (a hold, sale or expiry moves or removes one),
    /// so checking here sees every peak, exactly.
    pub(crate) fn note_release(&mut self) {
        self.peak_in_office = self.peak_in_office.max(self.in_office());
    }

    /// Applies `f` to the totals, the type's and the vendor's counts.
    pub(crate) fn apply(&mut self, ty: usize, vendor: &Arc<str>, f: impl Fn(&mut TicketCounts)) {
        f(&mut self.total);
        f(&mut self.by_type[ty]);
        // Looked up before inserting: the vendor is almost always there, and
        // cloning its name would touch a refcount other threads share.
        match self.by_vendor.get_mut(vendor) {
            Some(counts) => f(counts),
            None => f(self.by_vendor.entry(Arc::clone(vendor)).or_default()),
        }
    }

    /// Tickets in the office (available plus held): what `max_capacity`
    /// bounds.
    pub(crate) fn in_office(&self) -> u64 {
        self.total.available + self.total.held
    }
}

/// What the hot path reads without the state mutex.
///
/// `in_office`, `sold` and `closed` copy [`Counters`] fields and are stored
/// under the mutex after every change ([`Gauges::copy_from`]), so a reader
/// may see them a moment late, never wrong for long; callers only use them
/// as hints (spin while full, price by demand, refuse early once closed)
/// and decide under the mutex. The waiting counts live only here.
#[derive(Debug)]
pub(crate) struct Gauges {
    pub(crate) in_office: AtomicU64,
    pub(crate) sold: AtomicU64,
    pub(crate) closed: AtomicBool,
    waiting_vip: AtomicU64,
    waiting_regular: AtomicU64,
}

impl Gauges {
    pub(crate) fn new(counters: &Counters) -> Self {
        Self {
            in_office: AtomicU64::new(counters.in_office()),
            sold: AtomicU64::new(counters.total.sold),
            closed: AtomicBool::new(counters.closed),
            waiting_vip: AtomicU64::new(0),
            waiting_regular: AtomicU64::new(0),
        }
    }

    /// Called with the state mutex held, after the counts changed.
    pub(crate) fn copy_from(&self, counters: &Counters) {
        self.in_office
            .store(counters.in_office(), Ordering::Relaxed);
        self.sold.store(counters.total.sold, Ordering::Relaxed);
        self.closed.store(counters.closed, Ordering::Release);
    }

    /// Customers of `priority` waiting for a ticket.
    pub(crate) fn waiting(&self, priority: Priority) -> &AtomicU64 {
        match priority {
            Priority::Vip => &self.waiting_vip,
            Priority::Regular => &self.waiting_regular,
        }
    }
}

impl Counters {
    /// A [`Snapshot`] of these counters; `in_line` counts the customers
    /// waiting (in the pools or the office's line), by priority.
    pub(crate) fn snapshot(
        &self,
        in_line: impl Fn(Priority) -> u64,
        type_names: impl Iterator<Item = Arc<str>>,
        event_name: &str,
        strategy: Strategy,
        total_tickets: u64,
        max_capacity: usize,
    ) -> Snapshot {
        Snapshot {
            event_name: event_name.to_owned(),
            strategy,
            total_tickets,
            max_capacity,
            totals: self.total,
            by_type: type_names
                .zip(&self.by_type)
                .map(|(name, counts)| (name.to_string(), *counts))
                .collect(),
            by_vendor: self
                .by_vendor
                .iter()
                .map(|(name, counts)| (name.to_string(), *counts))
                .collect(),
            revenue: self.revenue,
            waiting_vip: in_line(Priority::Vip),
            waiting_regular: in_line(Priority::Regular),
            waiting_vendors: self.waiting_vendors,
            peak_occupancy: self.peak_in_office,
            paused: self.paused,
            sold_out: self.sold_out,
            closed: self.closed,
            taken_at: SystemTime::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{BoxOffice, BoxOfficeConfig, Money, Priority, Want};

    #[test]
    fn peak_occupancy_is_the_exact_high_water_mark_not_the_current_count() {
        let office = BoxOffice::new(BoxOfficeConfig::simple(
            "peak",
            10,
            8,
            Money::from_minor(100),
        ))
        .unwrap();
        assert_eq!(office.snapshot().peak_occupancy, 0);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let buyer = office.customer("c", Priority::Regular);
        for _ in 0..3 {
            vendor.release("general").unwrap();
        }
        let hold = buyer.reserve(Want::Any).unwrap();
        buyer.buy(Want::Any).unwrap();
        buyer.buy(Want::Any).unwrap();
        // Three came in, two left: the peak stays at three.
        assert_eq!(office.snapshot().totals.available, 0);
        assert_eq!(office.snapshot().peak_occupancy, 3);
        vendor.release("general").unwrap();
        assert_eq!(office.snapshot().peak_occupancy, 3, "1 held + 1 on sale");
        vendor.release("general").unwrap();
        vendor.release("general").unwrap();
        assert_eq!(office.snapshot().peak_occupancy, 4, "1 held + 3 on sale");
        assert!(hold.cancel());
        assert_eq!(office.snapshot().peak_occupancy, 4, "a cancel adds nothing");
    }
}
