//! [`SimulationError`]: why a simulation could not be set up or did not
//! finish.

use ticketpool_core::BoxOfficeError;
use ticketpool_core::ConfigError;

/// Why a simulation could not be set up or did not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// The configuration breaks a rule.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The office refused (a journal failure, a duplicate vendor...).
    #[error(transparent)]
    Office(#[from] BoxOfficeError),
    /// A thread could not be started.
    #[error("cannot start a thread: {0}")]
    Spawn(String),
    /// An agent thread panicked; the message names which.
    #[error("{0} panicked")]
    Panicked(String),
    /// A vendor rate that is negative or not a number.
    #[error("invalid rate: {0}")]
    InvalidRate(String),
    /// The seated scenario's venue config cannot be used (every problem).
    #[error(transparent)]
    Venue(#[from] ticketpool_seats::ConfigError),
    /// The seated scenario's waves or fans break a rule: every problem.
    #[error("seated scenario has {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Seated {
        /// Each problem, naming its field.
        problems: Vec<String>,
    },
    /// A seat operation failed where the scenario expected none to.
    #[error(transparent)]
    Seats(#[from] ticketpool_seats::SeatError),
    /// The run has not started or has ended.
    #[error("the simulation is not running")]
    NotRunning,
}
