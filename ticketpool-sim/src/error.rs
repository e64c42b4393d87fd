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
    /// The run has not started or has ended.
    #[error("the simulation is not running")]
    NotRunning,
}
