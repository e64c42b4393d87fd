//! What a lease node's threads share: the tally of its tickets (leased,
//! released into the office, committed, lost) and how the node ends
//! (stopping, failed, fenced, sold out). The office sells each ticket
//! under its PostgreSQL id, so no id map is kept.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ticketpool_core::{BoxOffice, TicketId};

use crate::error::PersistError;

/// The node's ticket counts and leases, under one lock.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// The PostgreSQL ids of the tickets the node holds a lease on: leased
    /// and not yet committed or lost (queued, in the office, or selling).
    /// Renewals name exactly these, so a lease the node never heard of
    /// (its answer was lost) is not kept alive.
    pub holding: HashSet<TicketId>,
    /// Tickets released into the office, in all.
    pub released: u64,
    /// Sales the database recorded.
    pub committed: u64,
    /// Sales the database refused: the lease had gone.
    pub lost: u64,
    /// Sales waiting for their group's outcome now.
    pub in_flight: u64,
}

impl Tally {
    /// Released into the office and not sold yet (available or held).
    pub fn unsold_in_office(&self) -> u64 {
        self.released.saturating_sub(self.committed + self.lost)
    }
}

/// Shared by the node handle, its journal, its feeder and its committer.
pub(super) struct NodeShared {
    /// The lease owner name.
    pub node: String,
    /// The event sold.
    pub event: u64,
    tally: Mutex<Tally>,
    changed: Condvar,
    stopping: AtomicBool,
    fenced: AtomicBool,
    sold_out: AtomicBool,
    failure: Mutex<Option<Arc<PersistError>>>,
    /// Held only while the node runs, so the office (which holds the
    /// journal, which holds this) is not kept alive by a cycle.
    office: Mutex<Option<BoxOffice>>,
    /// Statements sent by the feeder's connection.
    pub feeder_statements: AtomicU64,
    /// Statements sent by the committer's connections.
    pub committer_statements: AtomicU64,
}

/// A poisoned lock only means another thread panicked; the tally is
/// plain counts, still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl NodeShared {
    pub fn new(node: &str, event: u64) -> Self {
        Self {
            node: node.to_owned(),
            event,
            tally: Mutex::new(Tally::default()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            fenced: AtomicBool::new(false),
            sold_out: AtomicBool::new(false),
            failure: Mutex::new(None),
            office: Mutex::new(None),
            feeder_statements: AtomicU64::new(0),
            committer_statements: AtomicU64::new(0),
        }
    }

    /// The tally, locked.
    pub fn tally(&self) -> MutexGuard<'_, Tally> {
        lock(&self.tally)
    }

    /// Wakes every thread waiting for the tally or the node's state.
    pub fn notify(&self) {
        // Taken so a waiter between its check and its wait cannot miss it.
        drop(self.tally());
        self.changed.notify_all();
    }

    /// Waits until `done` holds for the tally, the node stops or fails, or
    /// `timeout` passes; returns whether `done` holds.
    pub fn wait_until(&self, timeout: Duration, mut done: impl FnMut(&Tally) -> bool) -> bool {
        let mut held = false;
        self.wait_for(timeout, |tally| {
            held = done(tally);
            held || self.is_stopping() || self.failure().is_some()
        });
        held
    }

    /// Waits until `done` holds for the tally or `timeout` passes; returns
    /// whether it holds.
    pub fn wait_for(&self, timeout: Duration, mut done: impl FnMut(&Tally) -> bool) -> bool {
        let guard = self.tally();
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |tally| !done(tally))
            .unwrap_or_else(PoisonError::into_inner);
        done(&guard)
    }

    /// Asks the feeder to stop.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// `true` once [`stop`](Self::stop) was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Why the node stopped selling on its own, if it did.
    pub fn failure(&self) -> Option<Arc<PersistError>> {
        lock(&self.failure).clone()
    }

    /// Stops selling: records the first failure, closes the office so no
    /// buyer waits or buys on, and wakes the threads.
    pub fn fail(&self, error: PersistError) {
        lock(&self.failure).get_or_insert_with(|| Arc::new(error));
        self.close_office();
        self.notify();
    }

    /// The node found `lost` tickets no longer leased to it.
    pub fn fence(&self, lost: u64) {
        self.fenced.store(true, Ordering::SeqCst);
        self.fail(PersistError::Fenced {
            node: self.node.clone(),
            event: self.event,
            lost,
        });
    }

    /// `true` once the node lost a lease.
    pub fn is_fenced(&self) -> bool {
        self.fenced.load(Ordering::SeqCst)
    }

    /// Every ticket of the event is sold, cluster-wide: ends the office's
    /// sale as sold out, so its buyers hear `SoldOut`, not `Closed`.
    pub fn sell_out(&self) {
        self.sold_out.store(true, Ordering::SeqCst);
        if let Some(office) = lock(&self.office).as_ref() {
            office.sell_out();
        }
        self.notify();
    }

    /// `true` once the node saw the event sold out.
    pub fn is_sold_out(&self) -> bool {
        self.sold_out.load(Ordering::SeqCst)
    }

    /// Keeps `office` to close it from the node's threads.
    pub fn set_office(&self, office: BoxOffice) {
        *lock(&self.office) = Some(office);
    }

    /// Closes the office, if the node still runs it.
    pub fn close_office(&self) {
        if let Some(office) = lock(&self.office).as_ref() {
            office.close();
        }
    }

    /// Lets go of the office once the node's threads are gone.
    pub fn forget_office(&self) {
        lock(&self.office).take();
    }

    /// Statements sent by all the node's connections.
    pub fn statements(&self) -> u64 {
        self.feeder_statements.load(Ordering::Relaxed)
            + self.committer_statements.load(Ordering::Relaxed)
    }
}
