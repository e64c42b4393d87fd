//! When a node renews its leases: every third of their time to live, so
//! two renewals can fail or run late before a lease expires. One schedule
//! for the ticket leases (the committer) and the seat leases (the seat
//! ledger's renewer), so both keep the same rhythm.

use std::time::{Duration, Instant};

/// The next renewal of one node's leases of time to live `ttl`.
#[derive(Debug, Clone, Copy)]
pub(super) struct RenewSchedule {
    every: Duration,
    next: Instant,
}

impl RenewSchedule {
    /// The first renewal a third of `ttl` from now.
    pub fn new(ttl: Duration) -> Self {
        let every = ttl / 3;
        Self {
            every,
            next: Instant::now() + every,
        }
    }

    /// When the next renewal is due: wait for work until then.
    pub fn next(&self) -> Instant {
        self.next
    }

    /// `true` once the next renewal is due.
    pub fn due(&self) -> bool {
        Instant::now() >= self.next
    }

    /// A renewal was sent now: the next one a third of `ttl` later.
    pub fn renewed(&mut self) {
        self.next = Instant::now() + self.every;
    }
}
