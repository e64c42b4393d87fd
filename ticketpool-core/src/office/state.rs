//! The shared state behind every handle of one office ([`Inner`]).
//!
//! Tickets wait in one pool per type ([`Stock`]). Each type has a share of
//! the office's capacity, reserved with atomics ([`Room`]): at most that
//! many tickets of the type are available or held, so a ticket given back
//! always fits its pool, and one type's unsold stock never blocks another
//! type's vendors. The counts and the sales log are in the [`Ledger`],
//! sharded so that each movement takes one uncontended lock and a snapshot
//! (every shard at once) stays consistent. Purchase limits are counted in
//! [`Limits`]; the few numbers read on every buy are [`Gauges`]. The state
//! mutex ([`Counters`]) is not taken per ticket: it guards the gate flags
//! (pause, close, sold out) and the waiting that needs a condvar.
//!
//! Waiting: a vendor waits on the office's `room` condvar (for its type's
//! room or resume), after a short spin on its type's room: a full type
//! usually has room again within microseconds, and parking every vendor
//! would make every sale pay for a futex wake-up. A sale wakes parked
//! vendors only when the `vendors_waiting` gauge says there are some. In a
//! single-type office a customer waits inside the pool, so the pool's VIP
//! rule applies as is. In an office with several types every customer
//! waits in the office's [`Line`] instead, so that a VIP holds back the
//! Regulars whose want overlaps its own across types (a VIP for any type
//! and a Regular for one, or the other way round); a restock wakes the
//! line only when someone waits in it. Futures (`buy_async`,
//! `reserve_async`) wait in the line in every office, a single-type one
//! too; a restock hands them tickets first (see `waitlist.rs`).
//!
//! `Inner`'s methods live by concern in sibling files: `gate.rs` (pause,
//! resume, close), `release.rs` (vendors releasing), `take.rs` (customers
//! taking), `sell.rs` (pricing and the sale), `settle.rs` (holds). None of
//! them, and not this file, names a handle type ([`Vendor`](crate::Vendor),
//! [`Customer`](crate::Customer), [`Hold`](crate::Hold)): the handles
//! depend on the state, never the other way round.

use crate::pool::spin::SpinGauge;
use std::sync::Arc;
use std::time::SystemTime;

use crossbeam_utils::CachePadded;

use crate::office::config::BoxOfficeConfig;
use crate::office::counters::{Counters, Gauges, Room};
use crate::office::holds::HoldTable;
use crate::office::ledger::Ledger;
use crate::office::limits::Limits;
use crate::office::line::Line;
use crate::office::pipeline::Pipeline;
use crate::office::pricing::PricingPolicy;
use crate::office::reaper::Reaper;
use crate::office::snapshot::Snapshot;
use crate::office::stock::Stock;
use crate::office::ticket::Ticket;
use crate::office::vendors::Vendors;
use crate::pool::primitive::{AtomicU64, Condvar, Mutex, MutexGuard, Ordering};
use crate::pool::Priority;

/// The shared state behind every handle of one office.
pub(crate) struct Inner {
    pub(crate) config: BoxOfficeConfig,
    pub(crate) stock: Stock,
    // Padded: neither should drag the read-mostly fields around them from
    // core to core.
    pub(super) state: CachePadded<Mutex<Counters>>,
    /// Read without the lock on the hot path.
    pub(super) gauges: CachePadded<Gauges>,
    /// Each type's share of the capacity, and the release bounds.
    pub(super) room_left: Room,
    /// The counts and the sales log.
    pub(crate) ledger: Ledger,
    pub(super) limits: Limits,
    /// Vendors wait here for capacity or resume.
    pub(super) room: Condvar,
    /// How long a vendor facing a full type spins before it parks.
    pub(super) room_spin: SpinGauge,
    /// Buyers wait here in an office with several types.
    pub(super) line: Line<Ticket>,
    pub(crate) holds: Arc<HoldTable>,
    pub(super) next_hold_id: AtomicU64,
    pub(crate) vendors: Vendors,
    pub(super) pricing: Arc<dyn PricingPolicy>,
    /// Where every event goes: journal, subscribers, log.
    pub(super) events: Pipeline,
    /// Set once, right after the office is built; read on every hold
    /// without a lock (std's `OnceLock`: nothing a loom model needs to
    /// explore, the reaper thread being outside every model).
    pub(super) reaper: std::sync::OnceLock<Reaper>,
    /// Tickets given back after close, when the pools refuse them: still
    /// counted available, never lost.
    pub(super) stranded: Mutex<Vec<Ticket>>,
}

impl Inner {
    /// The office's state lock: gate flags and waiting, never per ticket.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Counters> {
        self.state.lock()
    }
}

impl Inner {
    /// A consistent picture of the office now: the flags first, then the
    /// counts with every ledger shard held at once. A flag is set after the
    /// counts that lead to it (sold out after the last sale), so a snapshot
    /// that shows it also shows them.
    pub(crate) fn snapshot(&self) -> Snapshot {
        // The gauges mirror the state's flags (copied under its lock), and
        // reading them keeps the snapshot off the state mutex, which the
        // vendors waiting for room and the buyers waking them keep busy.
        let paused = self.gauges.paused.load(Ordering::Acquire);
        let sold_out = self.gauges.sold_out.load(Ordering::Acquire);
        let closed = self.gauges.closed.load(Ordering::Acquire);
        let counts = self.ledger.counts();
        // Customers registered in a pool's queue (single-type office) or in
        // the office's line (several types).
        let in_line = |priority| -> u64 {
            self.line.waiting(priority)
                + self
                    .stock
                    .iter()
                    .map(|ty| ty.waiting_in_line(priority))
                    .sum::<u64>()
        };
        Snapshot {
            event_name: self.config.event_name.clone(),
            strategy: self.config.strategy,
            total_tickets: self.config.total_tickets,
            max_capacity: self.config.max_capacity,
            totals: counts.total,
            by_type: self
                .stock
                .iter()
                .zip(counts.by_type)
                .map(|(ty, counts)| (ty.name.to_string(), counts))
                .collect(),
            by_vendor: counts.by_vendor,
            revenue: counts.revenue,
            waiting_vip: in_line(Priority::Vip),
            waiting_regular: in_line(Priority::Regular),
            waiting_vendors: self.gauges.vendors_waiting.load(Ordering::Relaxed),
            peak_occupancy: self.room_left.peak(),
            paused,
            sold_out,
            closed,
            taken_at: SystemTime::now(),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(reaper) = self.reaper.get() {
            reaper.stop();
        }
        self.events.end_streams();
    }
}
