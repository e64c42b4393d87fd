//! The reaper: one thread per office that expires holds.
//!
//! # Expiry bound
//!
//! The reaper sleeps until the earliest deadline in the [`HoldTable`]. A
//! hold's ticket is back on sale at most TTL plus the reaper's wake-up
//! latency after it was placed: a condvar wake-up and the time to restock
//! the expired tickets, in practice well under 10 ms on an idle machine and
//! bounded by the scheduler under load. Confirming a hold whose deadline has
//! passed fails with [`HoldExpired`](crate::BoxOfficeError::HoldExpired)
//! even if the reaper has not run yet.
//!
//! The reaper knows only the table: what becomes of an expired hold is the
//! callback's business, so the office's state is not named here.

use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crate::office::holds::{HoldEntry, HoldTable};
use crate::pool::primitive::{Condvar, Mutex};

/// What the reaper and the holds that wake it share.
#[derive(Default)]
struct ReaperState {
    stop: bool,
    /// The deadline the reaper sleeps until (`None`: until woken).
    planned: Option<Instant>,
    kicked: bool,
}

/// The office's expiry thread.
pub(crate) struct Reaper {
    state: Arc<(Mutex<ReaperState>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Reaper {
    /// Starts the thread. It hands every batch of expired entries to
    /// `expire`, which returns `false` once the office is gone (the thread
    /// then ends): the callback should hold the office only weakly, so the
    /// reaper never keeps it alive.
    pub(crate) fn start(
        holds: Arc<HoldTable>,
        expire: impl FnMut(Vec<HoldEntry>) -> bool + Send + 'static,
    ) -> std::io::Result<Self> {
        let state = Arc::new((Mutex::new(ReaperState::default()), Condvar::new()));
        let shared = Arc::clone(&state);
        let thread = thread::Builder::new()
            .name("ticketpool-reaper".to_owned())
            .spawn(move || Self::run(&holds, expire, &shared))?;
        Ok(Self {
            state,
            thread: Mutex::new(Some(thread)),
        })
    }

    fn run(
        holds: &HoldTable,
        mut expire: impl FnMut(Vec<HoldEntry>) -> bool,
        shared: &(Mutex<ReaperState>, Condvar),
    ) {
        let (lock, wake) = shared;
        loop {
            let expired = holds.take_expired(Instant::now());
            // The office may drop inside `expire`, on this thread, and stop
            // us: done before the reaper lock is taken, so no self-deadlock.
            if !expired.is_empty() && !expire(expired) {
                return;
            }
            let mut state = lock.lock();
            if state.stop {
                return;
            }
            if std::mem::take(&mut state.kicked) {
                continue;
            }
            // Read under the reaper lock: a hold placed after this read
            // finds `planned` stale-or-later and kicks, so none is missed.
            let next = holds.next_deadline();
            state.planned = next;
            match next {
                Some(deadline) => {
                    drop(wake.wait_until(state, deadline));
                }
                None => {
                    drop(wake.wait(state));
                }
            }
        }
    }

    /// Tells the reaper about a new deadline if it would sleep past it.
    pub(crate) fn kick(&self, deadline: Instant) {
        let (lock, wake) = &*self.state;
        let mut state = lock.lock();
        if state.planned.is_none_or(|planned| deadline < planned) {
            state.kicked = true;
            wake.notify_one();
        }
    }

    /// Stops the thread and joins it, unless called on the reaper itself
    /// (the reaper may drop the last reference to the office).
    pub(crate) fn stop(&self) {
        let (lock, wake) = &*self.state;
        lock.lock().stop = true;
        wake.notify_one();
        if let Some(handle) = self.thread.lock().take() {
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}
