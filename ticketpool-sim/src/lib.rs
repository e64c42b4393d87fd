//! The simulator: vendors and customers on real threads against a real
//! [`BoxOffice`](ticketpool_core::BoxOffice), driven by a
//! [`SimulationConfig`], summed up in a [`Report`].
//!
//! A run ends when the event sells out, every customer has what it wanted,
//! the duration passes, or a [`SimulationHandle`] stops it. Then the
//! controller closes the office, which makes every blocked release, buy and
//! reserve return, and joins every thread it started before it reports.
//!
//! The seated scenario ([`run_seated`], [`SeatedConfig`], [`SeatedReport`])
//! sells the seats of a `ticketpool-seats` seat map to groups wanting
//! adjacent seats.

mod agents;
mod config;
mod config_read;
mod control;
mod error;
mod handle;
mod outcome;
mod plan;
mod report;
mod run;
mod sampler;
mod seated;
mod timeline;

/// The suite's scenario and report invariants, shared with the crate's own
/// tests.
#[cfg(test)]
#[path = "../tests/sim_suite/support.rs"]
mod test_support;

pub use self::config::{Arrivals, CustomersConfig, SimVendorConfig, SimulationConfig};
pub use self::error::SimulationError;
pub use self::handle::SimulationHandle;
pub use self::outcome::{CustomerReport, EndReason};
pub use self::report::{HoldStats, PerPriority, Report, TypeSales, WaitBucket, WaitStats};
pub use self::run::{RunningSimulation, Simulation};
pub use self::seated::config::{FansConfig, SeatedConfig, Wave, MAX_GROUPS, MAX_THREADS};
pub use self::seated::report::{GroupOutcomes, SeatedReport};
pub use self::seated::run::run_seated;
pub use self::timeline::{Progress, TimelinePoint};
