//! Ctrl-C (and SIGTERM) during `simulate`: the first one stops the run the
//! way the `stop` command does (holds cancelled, journal flushed, summary
//! printed, exit 0 like any stopped run) and starts no further run; a
//! second one exits at once with 130, the shell's code for SIGINT.
//!
//! The `ctrlc` crate runs the handler on a thread of its own (not in the
//! signal handler), so it may take locks and stop the run.

use std::sync::Arc;

use super::admin::Runs;
use super::live::Console;

/// The exit code of a second Ctrl-C: 128 + SIGINT.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Installs the handler for the rest of the process.
pub fn install(runs: Arc<Runs>, console: Console) {
    let handler_console = console.clone();
    let result = ctrlc::set_handler(move || {
        if runs.interrupt() {
            handler_console.say("interrupted: stopping the run (Ctrl-C again to quit at once)");
        } else {
            std::process::exit(EXIT_INTERRUPTED);
        }
    });
    if let Err(err) = result {
        // The run works without it; Ctrl-C then ends it the default way.
        console.say(&format!("Ctrl-C will not stop the run cleanly: {err}"));
    }
}
