//! The shared state behind every handle of one office ([`Inner`]), and its
//! one lock.
//!
//! Tickets wait in one pool per type ([`Stock`]); an office-level capacity
//! gate admits at most `max_capacity` tickets (available plus held), so a
//! ticket given back always fits its pool. All counters live in one
//! [`Counters`] struct under one mutex, taken once per ticket movement for a
//! few instructions, which makes every snapshot consistent. The hot path
//! touches nothing else under it: purchase limits are counted in [`Limits`],
//! and the few numbers read on every buy (sold, in the office, closed,
//! waiting) are [`Gauges`] read without the lock.
//!
//! Waiting: a vendor waits on the office's `room` condvar (for capacity or
//! resume), after a short spin on the `in_office` gauge: a full office
//! usually has room again within microseconds, and parking every vendor
//! would make every sale pay for a futex wake-up. In a single-type office
//! a customer waits inside the pool, so the pool's VIP rule applies as is.
//! In an office with several types every customer waits in the office's
//! [`Line`] instead, so that a VIP holds back the Regulars whose want
//! overlaps its own across types (a VIP for any type and a Regular for
//! one, or the other way round); a restock wakes the line only when
//! someone waits in it.
//!
//! `Inner`'s methods live by concern in sibling files: `gate.rs` (pause,
//! resume, close), `release.rs` (vendors releasing), `take.rs` (customers
//! taking), `sell.rs` (pricing and the sale), `settle.rs` (holds). None of
//! them, and not this file, names a handle type ([`Vendor`](crate::Vendor),
//! [`Customer`](crate::Customer), [`Hold`](crate::Hold)): the handles
//! depend on the state, never the other way round.

use std::sync::Arc;

use crossbeam_utils::CachePadded;

use crate::office::config::BoxOfficeConfig;
use crate::office::counters::{Counters, Gauges};
use crate::office::holds::HoldTable;
use crate::office::limits::Limits;
use crate::office::line::Line;
use crate::office::pipeline::Pipeline;
use crate::office::pricing::PricingPolicy;
use crate::office::reaper::Reaper;
use crate::office::sales_log::SalesLog;
use crate::office::stock::Stock;
use crate::office::ticket::Ticket;
use crate::office::vendors::Vendors;
use crate::pool::primitive::{AtomicU64, Condvar, Mutex, MutexGuard};

/// The shared state behind every handle of one office.
pub(crate) struct Inner {
    pub(crate) config: BoxOfficeConfig,
    pub(crate) stock: Stock,
    // Padded: every ticket movement writes both, and neither should drag
    // the read-mostly fields around them from core to core.
    pub(super) state: CachePadded<Mutex<Counters>>,
    /// Read without the lock on the hot path.
    pub(super) gauges: CachePadded<Gauges>,
    pub(super) limits: Limits,
    /// Vendors wait here for capacity or resume.
    pub(super) room: Condvar,
    /// Buyers wait here in an office with several types.
    pub(super) line: Line,
    pub(crate) holds: Arc<HoldTable>,
    pub(super) next_hold_id: AtomicU64,
    pub(crate) vendors: Vendors,
    pub(super) pricing: Arc<dyn PricingPolicy>,
    /// Where every event goes: journal, subscribers, log.
    pub(super) events: Pipeline,
    pub(crate) sales: SalesLog,
    pub(super) reaper: Mutex<Option<Reaper>>,
    /// Tickets given back after close, when the pools refuse them: still
    /// counted available, never lost.
    pub(super) stranded: Mutex<Vec<Ticket>>,
}

impl Inner {
    /// The office's one state lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Counters> {
        self.state.lock()
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
