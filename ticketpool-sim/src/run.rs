//! Running a simulation: [`Simulation`] sets the office up, starts the
//! sampler and the agents, waits for the end, closes the office, joins
//! every thread and sums the run up; [`RunningSimulation`] is the same on a
//! background thread.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ticketpool_core::Journal;
use ticketpool_core::Priority;
use ticketpool_core::{BoxOffice, Want};

use crate::agents::{CustomerAgent, VendorSpawner};
use crate::config::SimulationConfig;
use crate::control::{Phase, Shared};
use crate::error::SimulationError;
use crate::handle::SimulationHandle;
use crate::outcome::{AgentOutcome, AgentResult, CustomerReport, EndReason};
use crate::plan::CustomerPlan;
use crate::report::{Report, RunRecord};
use crate::sampler::{self, ProgressFn};
use crate::timeline::Progress;

/// A simulated sale, ready to run.
///
/// # Examples
///
/// ```
/// use ticketpool_sim::{Simulation, SimulationConfig};
///
/// let mut config = SimulationConfig::default();
/// config.set_total_tickets(200);
/// config.customers.count = 4;
/// let report = Simulation::new(config).unwrap().run().unwrap();
/// assert_eq!(report.sold, 200);
/// assert_eq!(report.end, ticketpool_sim::EndReason::SoldOut);
/// ```
pub struct Simulation {
    config: SimulationConfig,
    shared: Arc<Shared>,
    progress: Option<ProgressFn>,
}

impl Simulation {
    /// Validates `config` and builds the office (no thread starts yet).
    ///
    /// # Errors
    ///
    /// [`SimulationError::Config`] listing every problem.
    pub fn new(config: SimulationConfig) -> Result<Self, SimulationError> {
        Self::build(config, None)
    }

    /// As [`new`](Self::new), with every durable event of the office
    /// written to `journal` (the persistence crate's hook).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_journal(
        config: SimulationConfig,
        journal: Arc<dyn Journal>,
    ) -> Result<Self, SimulationError> {
        Self::build(config, Some(journal))
    }

    fn build(
        config: SimulationConfig,
        journal: Option<Arc<dyn Journal>>,
    ) -> Result<Self, SimulationError> {
        config.validate()?;
        let mut builder = BoxOffice::builder(config.office.clone());
        if let Some(journal) = journal {
            builder = builder.journal(journal);
        }
        let office = builder.build()?;
        Ok(Self {
            config,
            shared: Arc::new(Shared::new(office)),
            progress: None,
        })
    }

    /// The configuration it runs.
    pub fn config(&self) -> &SimulationConfig {
        &self.config
    }

    /// A handle to stop and steer the run from other threads.
    pub fn handle(&self) -> SimulationHandle {
        SimulationHandle::new(Arc::clone(&self.shared), self.spawner())
    }

    /// Starts vendor threads with the run's seed and arrivals.
    fn spawner(&self) -> VendorSpawner {
        VendorSpawner {
            seed: self.config.seed,
            arrivals: self.config.arrivals,
        }
    }

    /// The office the agents will use.
    pub fn office(&self) -> &BoxOffice {
        &self.shared.office
    }

    /// Calls `callback` from the sampler thread at every timeline sample.
    /// Keep it short: a slow callback makes the timeline skip samples.
    pub fn on_progress(&mut self, callback: impl FnMut(&Progress) + Send + 'static) {
        self.progress = Some(Box::new(callback));
    }

    /// Runs on a background thread; the returned value gives the handle
    /// and, on [`join`](RunningSimulation::join), the report.
    ///
    /// # Errors
    ///
    /// [`SimulationError::Spawn`] if the thread cannot start.
    pub fn spawn(self) -> Result<RunningSimulation, SimulationError> {
        let handle = self.handle();
        let thread = thread::Builder::new()
            .name("sim-controller".to_owned())
            .spawn(move || self.run())
            .map_err(|err| SimulationError::Spawn(err.to_string()))?;
        Ok(RunningSimulation {
            handle,
            thread: Some(thread),
        })
    }

    /// Runs to the end on this thread and reports.
    ///
    /// # Errors
    ///
    /// [`SimulationError::Office`] if an agent hit an office error other
    /// than the run ending (a journal failure), [`SimulationError::Spawn`]
    /// or [`SimulationError::Panicked`]. Every thread started is joined
    /// first, whatever the outcome.
    pub fn run(mut self) -> Result<Report, SimulationError> {
        let shared = Arc::clone(&self.shared);
        let started = Instant::now();
        shared.state.lock().started = Some(started);
        let sampler = {
            let shared = Arc::clone(&shared);
            let interval = Duration::from_millis(self.config.sample_interval_ms);
            let progress = self.progress.take();
            thread::Builder::new()
                .name("sim-sampler".to_owned())
                .spawn(move || sampler::sample(&shared, started, interval, progress))
        };
        let started_agents = match sampler {
            Ok(_) => self.start_agents(),
            Err(ref err) => Err(SimulationError::Spawn(err.to_string())),
        };
        if started_agents.is_err() {
            shared.end(EndReason::Stopped);
        }
        let deadline = started
            .checked_add(Duration::from_millis(self.config.duration_ms))
            .unwrap_or_else(|| started + Duration::from_secs(86_400 * 365));
        let end = shared.wait_end(deadline);
        let elapsed = started.elapsed();
        shared.office.close();

        let outcome = self.join_all();
        let timeline = match sampler {
            Ok(thread) => thread.join().unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        started_agents?;
        let mut customers = outcome?;
        customers.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
        let snapshot = shared.office.snapshot();
        let snapshot_at = started.elapsed();
        // Every agent is joined, so nothing waits on the log meanwhile.
        Ok(shared.office.with_sales(|sales| {
            RunRecord {
                seed: self.config.seed,
                end,
                elapsed,
                snapshot: &snapshot,
                snapshot_at,
                sales,
                customers,
                sample_interval_ms: self.config.sample_interval_ms,
                timeline,
            }
            .into_report()
        }))
    }

    fn start_agents(&self) -> Result<(), SimulationError> {
        let shared = &self.shared;
        let spawner = self.spawner();
        let customers = &self.config.customers;
        // Counted up front, so an early finisher cannot mistake itself for
        // the last one while others are still starting.
        shared
            .customers_active
            .store(customers.count as u64, Ordering::Release);
        let mut threads = shared.threads.lock();
        for vendor in &self.config.vendors {
            let types: Vec<&str> = vendor.ticket_types.iter().map(String::as_str).collect();
            threads.push(spawner.spawn(shared, &vendor.name, vendor.rate, &types)?);
        }
        // `buy` reads the want in place, so the customers share one name.
        let want = match &customers.ticket_type {
            Some(name) => Want::from(name.as_str()),
            None => Want::Any,
        };
        let vips = self.config.vip_count();
        for index in 0..customers.count {
            let (name, priority) = if index < vips {
                (format!("vip-{}", index + 1), Priority::Vip)
            } else {
                (format!("regular-{}", index - vips + 1), Priority::Regular)
            };
            let agent = CustomerAgent {
                shared: Arc::clone(shared),
                customer: shared.office.customer(&name, priority),
                index,
                plan: CustomerPlan::new(&self.config, index),
                want: want.clone(),
                tickets_each: customers.tickets_each,
            };
            let thread = thread::Builder::new()
                .name(format!("sim-{name}"))
                .spawn(move || agent.run())
                .map_err(|err| SimulationError::Spawn(err.to_string()))?;
            threads.push(thread);
        }
        // Only now may a handle add vendors: the thread list is still held,
        // so the controller joins them.
        shared.set_running();
        Ok(())
    }

    /// Joins every agent, including vendors added at run time; reports the
    /// first failure only after all are joined.
    fn join_all(&self) -> Result<Vec<CustomerReport>, SimulationError> {
        self.shared.state.lock().phase = Phase::Finishing;
        let threads: Vec<JoinHandle<AgentResult>> =
            std::mem::take(&mut *self.shared.threads.lock());
        let mut customers = Vec::new();
        let mut failure = None;
        for thread in threads {
            let name = thread
                .thread()
                .name()
                .unwrap_or("an agent thread")
                .to_owned();
            match thread.join() {
                Ok(Ok(AgentOutcome::Customer(report))) => customers.push(report),
                Ok(Ok(AgentOutcome::Vendor)) => {}
                Ok(Err(err)) => {
                    failure.get_or_insert(SimulationError::Office(err));
                }
                Err(_) => {
                    failure.get_or_insert(SimulationError::Panicked(name));
                }
            }
        }
        match failure {
            Some(err) => Err(err),
            None => Ok(customers),
        }
    }
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A simulation running on a background thread. Dropping it stops the run
/// and joins its thread.
#[derive(Debug)]
pub struct RunningSimulation {
    handle: SimulationHandle,
    thread: Option<JoinHandle<Result<Report, SimulationError>>>,
}

impl RunningSimulation {
    /// The handle to stop and steer the run.
    pub fn handle(&self) -> &SimulationHandle {
        &self.handle
    }

    /// `true` once the run has finished and [`join`](Self::join) will not
    /// wait.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the run to end and returns its report.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run`], or [`SimulationError::Panicked`] if the
    /// controller thread panicked.
    pub fn join(mut self) -> Result<Report, SimulationError> {
        let thread = self.thread.take().ok_or(SimulationError::NotRunning)?;
        thread
            .join()
            .unwrap_or_else(|_| Err(SimulationError::Panicked("sim-controller".to_owned())))
    }
}

impl Drop for RunningSimulation {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.handle.stop();
            let _ = thread.join();
        }
    }
}
