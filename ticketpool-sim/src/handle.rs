//! [`SimulationHandle`]: stop, watch and steer a run from any thread.

use std::sync::Arc;
use std::time::Duration;

use ticketpool_core::BoxOffice;
use ticketpool_core::BoxOfficeError;
use ticketpool_core::Snapshot;

use crate::agents::VendorSpawner;
use crate::config::check_rate;
use crate::control::{Phase, Shared};
use crate::error::SimulationError;
use crate::outcome::EndReason;

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
    shared: Arc<Shared>,
    /// Starts the vendors added at run time, with the run's seed and
    /// arrivals.
    spawner: VendorSpawner,
}

impl SimulationHandle {
    pub(crate) fn new(shared: Arc<Shared>, spawner: VendorSpawner) -> Self {
        Self { shared, spawner }
    }

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
        self.shared.wait_started();
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
        // Running: the controller has started the configured agents.
        let thread = self.spawner.spawn(&self.shared, name, rate, ticket_types)?;
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
            SimulationError::Office(BoxOfficeError::UnknownVendor(Arc::from(name)))
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
