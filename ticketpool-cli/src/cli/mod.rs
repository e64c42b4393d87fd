//! The `ticketpool` command's parts, one concern per module.

mod admin;
pub mod args;
mod compare;
mod config_cmd;
mod events;
mod events_args;
mod interrupt;
mod journal;
mod live;
pub mod logging;
mod outputs;
mod plot;
mod sales;
mod serve;
mod simulate;
mod simulate_seats;
mod summary;

use std::fmt;

use ticketpool_core::ConfigError;
use ticketpool_sim::SimulationError;

use self::args::{Cli, Command, ConfigCommand};

/// A failure the command reports in one line.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments or configuration: exit code 2.
    Usage(String),
    /// The run or an output failed: exit code 1.
    Runtime(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Runtime(_) => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) | Self::Runtime(message) => f.write_str(message),
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(err: ConfigError) -> Self {
        Self::Usage(err.to_string())
    }
}

impl From<SimulationError> for CliError {
    fn from(err: SimulationError) -> Self {
        match err {
            SimulationError::Config(err) => err.into(),
            other => Self::Runtime(other.to_string()),
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let live_terminal = match &cli.command {
        Command::Simulate(args) => live::Mode::detect(args.quiet) == live::Mode::Terminal,
        Command::SimulateSeats(_)
        | Command::Config(_)
        | Command::Sales(_)
        | Command::Events(_)
        | Command::Serve(_) => false,
    };
    logging::init(&cli.logging, live_terminal)?;
    match cli.command {
        Command::Simulate(args) => simulate::run(&args),
        Command::SimulateSeats(args) => simulate_seats::run(&args),
        Command::Config(ConfigCommand::Init { file, force }) => {
            config_cmd::init(file.as_deref(), force)
        }
        Command::Config(ConfigCommand::Check { file }) => config_cmd::check(&file),
        Command::Sales(args) => sales::run(&args),
        Command::Events(args) => events::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}
