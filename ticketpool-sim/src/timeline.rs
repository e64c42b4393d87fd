//! The timeline's data: the office at one moment ([`TimelinePoint`]) and
//! what the progress callback is given ([`Progress`]). The sampler thread
//! that produces them is in `sampler`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use ticketpool_core::Snapshot;

/// The office at one moment of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// Milliseconds since the run started.
    pub t_ms: u64,
    /// Tickets released so far.
    pub released: u64,
    /// Tickets on sale.
    pub available: u64,
    /// Tickets held.
    pub held: u64,
    /// Tickets sold so far.
    pub sold: u64,
    /// VIP customers waiting for a ticket.
    pub waiting_vip: u64,
    /// Regular customers waiting for a ticket.
    pub waiting_regular: u64,
}

impl TimelinePoint {
    pub(crate) fn of(snapshot: &Snapshot, elapsed: Duration) -> Self {
        Self {
            t_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            released: snapshot.totals.released,
            available: snapshot.totals.available,
            held: snapshot.totals.held,
            sold: snapshot.totals.sold,
            waiting_vip: snapshot.waiting_vip,
            waiting_regular: snapshot.waiting_regular,
        }
    }

    /// Tickets in the office: available plus held.
    pub fn occupancy(&self) -> u64 {
        self.available + self.held
    }
}

/// What the progress callback is given at every sample.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Time since the run started.
    pub elapsed: Duration,
    /// The office at that time.
    pub snapshot: Snapshot,
}
