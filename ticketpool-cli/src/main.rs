//! The `ticketpool` command: run a simulated sale, watch it live, steer it
//! from standard input, compare strategies, and write or check configs.
//!
//! Every failure is one line on stderr and a non-zero exit: 2 for bad
//! arguments or configuration, 1 for a run that failed.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
