//! The state a running simulation shares between its controller, its agent
//! threads and every [`SimulationHandle`](crate::SimulationHandle): the end
//! signal every wait listens to, the thread list, and the vendors' live
//! rates.
//!
//! One mutex and condvar carry the end signal, so an agent sleeping until
//! its next arrival wakes the moment the run ends: no thread outlives the
//! run by more than one wake-up.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::outcome::{AgentResult, EndReason};
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use ticketpool_core::BoxOffice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Ready,
    Running,
    /// The controller is joining threads: no new agent may start.
    Finishing,
}

pub(crate) struct RunState {
    pub(crate) phase: Phase,
    pub(crate) end: Option<EndReason>,
    pub(crate) started: Option<Instant>,
}

/// A vendor's release rate, changeable while it runs.
pub(crate) struct VendorControl {
    /// `f64` bits of tickets per second; 0.0 means as fast as possible.
    rate_bits: AtomicU64,
}

impl VendorControl {
    pub(crate) fn new(rate: Option<f64>) -> Self {
        Self {
            rate_bits: AtomicU64::new(rate.unwrap_or(0.0).to_bits()),
        }
    }

    pub(crate) fn rate(&self) -> Option<f64> {
        let rate = f64::from_bits(self.rate_bits.load(Ordering::Relaxed));
        (rate > 0.0).then_some(rate)
    }

    pub(crate) fn set(&self, rate: Option<f64>) {
        self.rate_bits
            .store(rate.unwrap_or(0.0).to_bits(), Ordering::Relaxed);
    }
}

pub(crate) struct Shared {
    pub(crate) office: BoxOffice,
    pub(crate) state: Mutex<RunState>,
    /// `state.end.is_some()`, for agents that are due at once and need not
    /// take the lock to learn the run goes on.
    ended: AtomicBool,
    wake: Condvar,
    pub(crate) threads: Mutex<Vec<JoinHandle<AgentResult>>>,
    pub(crate) vendors: Mutex<HashMap<String, Arc<VendorControl>>>,
    /// The next vendor index, so a vendor added at run time gets its own
    /// random stream too.
    pub(crate) next_vendor: AtomicU64,
    pub(crate) customers_active: AtomicU64,
}

impl Shared {
    pub(crate) fn new(office: BoxOffice) -> Self {
        Self {
            office,
            state: Mutex::new(RunState {
                phase: Phase::Ready,
                end: None,
                started: None,
            }),
            ended: AtomicBool::new(false),
            wake: Condvar::new(),
            threads: Mutex::new(Vec::new()),
            vendors: Mutex::new(HashMap::new()),
            next_vendor: AtomicU64::new(0),
            customers_active: AtomicU64::new(0),
        }
    }

    /// Ends the run for `reason`, unless it already ended.
    pub(crate) fn end(&self, reason: EndReason) {
        let mut state = self.state.lock();
        if state.end.is_none() {
            state.end = Some(reason);
        }
        self.ended.store(true, Ordering::Release);
        drop(state);
        self.wake.notify_all();
    }

    /// Marks the agents started and wakes [`wait_started`](Self::wait_started).
    pub(crate) fn set_running(&self) {
        self.state.lock().phase = Phase::Running;
        self.wake.notify_all();
    }

    /// Blocks until the agents have started or the run has ended.
    pub(crate) fn wait_started(&self) {
        let mut state = self.state.lock();
        while state.phase == Phase::Ready && state.end.is_none() {
            self.wake.wait(&mut state);
        }
    }

    /// `true` once the run has ended; no lock taken.
    pub(crate) fn is_ending(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Sleeps until `deadline` or the end of the run; `false` if the run
    /// ended.
    pub(crate) fn sleep_until(&self, deadline: Instant) -> bool {
        if !self.is_ending() && Instant::now() >= deadline {
            return true;
        }
        let mut state = self.state.lock();
        while state.end.is_none() {
            if Instant::now() >= deadline {
                return true;
            }
            self.wake.wait_until(&mut state, deadline);
        }
        false
    }

    /// The controller's wait: until the run ends or `deadline`, which ends
    /// it for [`EndReason::Duration`].
    pub(crate) fn wait_end(&self, deadline: Instant) -> EndReason {
        let mut state = self.state.lock();
        loop {
            if let Some(reason) = state.end {
                return reason;
            }
            if Instant::now() >= deadline {
                state.end = Some(EndReason::Duration);
                self.ended.store(true, Ordering::Release);
                drop(state);
                self.wake.notify_all();
                return EndReason::Duration;
            }
            self.wake.wait_until(&mut state, deadline);
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.state
            .lock()
            .started
            .map_or(Duration::ZERO, |started| started.elapsed())
    }
}
