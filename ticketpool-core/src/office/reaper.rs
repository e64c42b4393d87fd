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
//!
//! # Placing a hold costs the reaper nothing, mostly
//!
//! A new hold wakes the reaper only if its deadline comes before the
//! reaper's planned wake-up, which holds read from an atomic without a lock.
//! With no hold open the reaper still plans to wake `nap` from now (the
//! office's hold TTL, at least 50 ms), so a hold placed later never comes
//! due before that and wakes nobody (with a shorter TTL each such hold
//! still wakes it, which is always correct). Before, every hold placed on
//! an empty table took the reaper's lock and woke its thread: a
//! reserve-and-confirm sale paid a context switch per ticket (issue 14).

use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::office::holds::{HoldEntry, HoldTable};
use crate::pool::primitive::{AtomicU64, Condvar, Mutex, Ordering};

/// What the reaper and the holds that kick it share under the lock.
#[derive(Default)]
struct ReaperState {
    stop: bool,
    kicked: bool,
}

/// The planned wake-up as nanoseconds since `epoch`, [`UNPLANNED`] for
/// none (or while the reaper is planning: holds then take the lock).
const UNPLANNED: u64 = u64::MAX;

/// The reaper's lock, condvar and plan.
struct Shared {
    lock: Mutex<ReaperState>,
    wake: Condvar,
    planned: AtomicU64,
    epoch: Instant,
    /// How far ahead an idle reaper plans to wake: the shortest time a
    /// hold can live.
    nap: Duration,
}

impl Shared {
    /// `at` on the `planned` scale, below [`UNPLANNED`].
    fn nanos(&self, at: Instant) -> u64 {
        let nanos = at.saturating_duration_since(self.epoch).as_nanos();
        u64::try_from(nanos).unwrap_or(UNPLANNED).min(UNPLANNED - 1)
    }
}

/// The office's expiry thread.
pub(crate) struct Reaper {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Reaper {
    /// Starts the thread. It hands every batch of expired entries to
    /// `expire`, which returns `false` once the office is gone (the thread
    /// then ends): the callback should hold the office only weakly, so the
    /// reaper never keeps it alive. `nap` is the shortest time a hold
    /// lives (see the module docs).
    pub(crate) fn start(
        holds: Arc<HoldTable>,
        nap: Duration,
        expire: impl FnMut(Vec<HoldEntry>) -> bool + Send + 'static,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            lock: Mutex::new(ReaperState::default()),
            wake: Condvar::new(),
            planned: AtomicU64::new(UNPLANNED),
            epoch: Instant::now(),
            nap,
        });
        let theirs = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("ticketpool-reaper".to_owned())
            .spawn(move || Self::run(&holds, expire, &theirs))?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    fn run(holds: &HoldTable, mut expire: impl FnMut(Vec<HoldEntry>) -> bool, shared: &Shared) {
        let Shared {
            lock,
            wake,
            planned,
            ..
        } = shared;
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
            // Unplanned while the table is read: a hold placed after the
            // read (the table's lock orders it after this store) sees
            // UNPLANNED or the new plan, never an older, earlier one, and
            // kicks if it comes due first; its kick waits for this lock,
            // so it lands once the reaper waits, and wakes it.
            planned.store(UNPLANNED, Ordering::SeqCst);
            let next = holds
                .next_deadline()
                .or_else(|| Instant::now().checked_add(shared.nap));
            match next {
                Some(deadline) => {
                    planned.store(shared.nanos(deadline), Ordering::SeqCst);
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
        let shared = &*self.shared;
        let due = shared.nanos(deadline);
        // The reaper wakes by then anyway: no lock, no wake-up.
        if due >= shared.planned.load(Ordering::SeqCst) {
            return;
        }
        let mut state = shared.lock.lock();
        if due < shared.planned.load(Ordering::SeqCst) {
            state.kicked = true;
            shared.wake.notify_one();
        }
    }

    /// Stops the thread and joins it, unless called on the reaper itself
    /// (the reaper may drop the last reference to the office).
    pub(crate) fn stop(&self) {
        self.shared.lock.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(handle) = self.thread.lock().take() {
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}
