//! `--log-level` and `--log-file`: the box office's structured logs
//! (`tracing`, target `ticketpool`) as JSON lines in a file, or as text on
//! stderr when that cannot garble the live view.

use std::fs::File;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use clap::{Args, ValueEnum};
use tracing_subscriber::filter::LevelFilter;

use super::CliError;

/// The logging options, global to every subcommand.
#[derive(Debug, Args)]
pub struct LoggingArgs {
    /// Log level of the structured logs (default: info with --log-file,
    /// off without).
    #[arg(long, value_enum, global = true, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,
    /// Write the logs to FILE as JSON lines (one event per line) instead
    /// of stderr; the live view stays clean.
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

/// How much to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Nothing.
    Off,
    /// Journal failures.
    Error,
    /// Plus callers' mistakes (unknown vendor, limit reached, ...).
    Warn,
    /// Plus every ticket released, held and sold, and office changes.
    Info,
    /// Plus refusals in normal flow (empty, full, paused, timed out).
    Debug,
    /// Everything.
    Trace,
}

impl From<LogLevel> for LevelFilter {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Off => LevelFilter::OFF,
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }
}

/// Installs the global subscriber the options ask for, if any.
/// `live_terminal` is `true` when a live view will redraw the terminal.
///
/// # Errors
///
/// [`CliError::Usage`] if the log file cannot be created, or if logs would
/// go to stderr while the live view draws on the same terminal.
pub fn init(args: &LoggingArgs, live_terminal: bool) -> Result<(), CliError> {
    let level = match (args.log_level, &args.log_file) {
        (Some(level), _) => level,
        (None, Some(_)) => LogLevel::Info,
        (None, None) => return Ok(()),
    };
    if level == LogLevel::Off {
        return Ok(());
    }
    let builder = tracing_subscriber::fmt().with_max_level(LevelFilter::from(level));
    let installed = match &args.log_file {
        Some(path) => {
            let file = File::create(path).map_err(|err| {
                CliError::Usage(format!("cannot create log file {}: {err}", path.display()))
            })?;
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_writer(Mutex::new(file))
                .try_init()
        }
        None => {
            if live_terminal && std::io::stderr().is_terminal() {
                return Err(CliError::Usage(
                    "--log-level without --log-file would write over the live view: \
                     add --log-file FILE, --quiet, or redirect stderr"
                        .into(),
                ));
            }
            builder
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .try_init()
        }
    };
    installed.map_err(|err| CliError::Runtime(format!("cannot start logging: {err}")))
}
