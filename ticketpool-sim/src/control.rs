//! The state a running simulation shares between its controller, its agent
//! threads and every [`SimulationHandle`]: the end signal every wait
//! listens to, the thread list, and the vendors' live rates.
//!
//! One mutex and condvar carry the end signal, so an agent sleeping until
//! its next arrival wakes the moment the run ends: no thread outlives the
//! run by more than one wake-up.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::agents::AgentResult;
use super::config::check_rate;
use super::SimulationError;
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use ticketpool_core::BoxOffice;
use ticketpool_core::Snapshot;

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Every ticket of the event was sold.
    SoldOut,
    /// Every customer got what it wanted (or its purchase limit) first.
    DemandMet,
    /// The configured duration passed.
    Duration,
    /// [`SimulationHandle::stop`] was called.
    Stopped,
}

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

    fn set(&self, rate: Option<f64>) {
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
    /// Hook for spawning a vendor at run time; set by the controller.
    pub(crate) spawn_vendor: Mutex<Option<super::agents::VendorSpawner>>,
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
            spawn_vendor: Mutex::new(None),
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

    /// Marks the agents started and wakes [`SimulationHandle::wait_started`].
    pub(crate) fn set_running(&self) {
        self.state.lock().phase = Phase::Running;
        self.wake.notify_all();
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

/// Controls a simulation from any thread: stop it, read the office, steer
/// vendors. Cheap to clone.
///
/// # Examples
///
/// ```
/// use ticketpool_sim::{Simulation, SimulationConfig};
///
/// let mut config = SimulationConfig::default();
/// config.duration_ms = 60_000;
/// config.customers.rate = Some(10.0); // slow: it will not sell out soon
/// let running = Simulation::new(config).unwrap().spawn().unwrap();
/// let handle = running.handle().clone();
/// handle.stop();
/// let report = running.join().unwrap();
/// assert_eq!(report.end, ticketpool_sim::EndReason::Stopped);
/// ```
#[derive(Clone)]
pub struct SimulationHandle {
    pub(crate) shared: Arc<Shared>,
}

impl SimulationHandle {
    /// Ends the run: every agent stops at its next wait, the office closes
    /// and the run's threads are joined. Idempotent; a stop before the run
    /// starts makes it end at once.
    pub fn stop(&self) {
        self.shared.end(EndReason::Stopped);
    }

    /// `true` while the run has started and not ended.
    pub fn is_running(&self) -> bool {
        let state = self.shared.state.lock();
        state.phase == Phase::Running && state.end.is_none()
    }

    /// Blocks until the run's agents have started or the run has ended,
    /// whichever comes first; returns at once if either already happened.
    /// No timeout: a spawned run always gets to one or the other.
    pub fn wait_started(&self) {
        let mut state = self.shared.state.lock();
        while state.phase == Phase::Ready && state.end.is_none() {
            self.shared.wake.wait(&mut state);
        }
    }

    /// Why the run ended, once it has.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.shared.state.lock().end
    }

    /// Time since the run started (zero before).
    pub fn elapsed(&self) -> Duration {
        self.shared.elapsed()
    }

    /// The box office the agents use: subscribe, snapshot, pause, resume
    /// through it.
    pub fn office(&self) -> &BoxOffice {
        &self.shared.office
    }

    /// A consistent picture of the office now.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.office.snapshot()
    }

    /// Stops releases; `true` if this call paused.
    pub fn pause(&self) -> bool {
        self.shared.office.pause()
    }

    /// Lets releases go on; `true` if this call resumed.
    pub fn resume(&self) -> bool {
        self.shared.office.resume()
    }

    /// Adds a vendor releasing `rate` tickets per second (`None` or 0: as
    /// fast as possible) of `ticket_types` (empty: all) and starts its
    /// thread.
    ///
    /// # Errors
    ///
    /// [`SimulationError::NotRunning`] before the run starts or once it
    /// ends; [`SimulationError::InvalidRate`] for a negative or non-finite
    /// rate; [`SimulationError::Office`] for a duplicate name or unknown
    /// type.
    pub fn add_vendor(
        &self,
        name: &str,
        rate: Option<f64>,
        ticket_types: &[&str],
    ) -> Result<(), SimulationError> {
        check_rate(rate).map_err(SimulationError::InvalidRate)?;
        // Holding the thread list while spawning keeps the controller from
        // draining it in between, so every thread started is joined.
        let mut threads = self.shared.threads.lock();
        if self.shared.state.lock().phase != Phase::Running || self.shared.is_ending() {
            return Err(SimulationError::NotRunning);
        }
        let spawner = self.shared.spawn_vendor.lock().clone();
        let spawner = spawner.ok_or(SimulationError::NotRunning)?;
        let thread = spawner.spawn(&self.shared, name, rate, ticket_types)?;
        threads.push(thread);
        Ok(())
    }

    /// Removes a vendor: it releases nothing more and its thread ends.
    ///
    /// # Errors
    ///
    /// [`SimulationError::Office`] with `UnknownVendor`.
    pub fn remove_vendor(&self, name: &str) -> Result<(), SimulationError> {
        self.shared.office.remove_vendor(name)?;
        self.shared.vendors.lock().remove(name);
        Ok(())
    }

    /// Changes a running vendor's rate (`None` or 0: as fast as possible),
    /// from its next release on.
    ///
    /// # Errors
    ///
    /// [`SimulationError::InvalidRate`], or [`SimulationError::Office`]
    /// with `UnknownVendor` if no simulated vendor has that name.
    pub fn set_vendor_rate(&self, name: &str, rate: Option<f64>) -> Result<(), SimulationError> {
        check_rate(rate).map_err(SimulationError::InvalidRate)?;
        let vendors = self.shared.vendors.lock();
        let control = vendors.get(name).ok_or_else(|| {
            SimulationError::Office(crate::BoxOfficeError::UnknownVendor(Arc::from(name)))
        })?;
        control.set(rate);
        Ok(())
    }

    /// The simulated vendors' names and rates (`None`: as fast as possible).
    pub fn vendor_rates(&self) -> Vec<(String, Option<f64>)> {
        let mut rates: Vec<_> = self
            .shared
            .vendors
            .lock()
            .iter()
            .map(|(name, control)| (name.clone(), control.rate()))
            .collect();
        rates.sort_by(|a, b| a.0.cmp(&b.0));
        rates
    }
}

impl std::fmt::Debug for SimulationHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulationHandle")
            .field("end", &self.end_reason())
            .finish_non_exhaustive()
    }
}
