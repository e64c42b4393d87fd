//! Admin commands on standard input while a run goes on: the seed
//! systems' admin panel (status, pause, resume, add-vendor, remove-vendor,
//! stop), plus set-rate and help.
//!
//! A detached thread reads lines; at end of input it just stops reading
//! (piped input must not stop the run). It is never joined: it may be
//! blocked reading a terminal when the command exits, which is harmless.

use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use ticketpool::SimulationHandle;

use super::summary;

/// The run commands apply to; empty between runs.
pub type Slot = Arc<Mutex<Option<SimulationHandle>>>;

/// A parsed admin command.
#[derive(Debug, Clone, PartialEq)]
pub enum Admin {
    /// Print the office's state.
    Status,
    /// Stop releases.
    Pause,
    /// Let releases go on.
    Resume,
    /// Start a new vendor.
    AddVendor {
        /// Its name.
        name: String,
        /// Tickets per second (`None`: as fast as possible).
        rate: Option<f64>,
        /// The types it sells (empty: all).
        types: Vec<String>,
    },
    /// Remove a vendor.
    RemoveVendor(String),
    /// Change a vendor's rate.
    SetRate(String, Option<f64>),
    /// End the run.
    Stop,
    /// List the commands.
    Help,
}

const HELP: &str = "commands: status | pause | resume | add-vendor NAME RATE [TYPE,TYPE..] | \
                    remove-vendor NAME | set-rate NAME RATE | stop | help (RATE 0 = as fast as possible)";

/// Parses one line; `Ok(None)` for a blank one.
pub fn parse(line: &str) -> Result<Option<Admin>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&command, rest)) = words.split_first() else {
        return Ok(None);
    };
    let admin = match (command, rest) {
        ("status", []) => Admin::Status,
        ("pause", []) => Admin::Pause,
        ("resume", []) => Admin::Resume,
        ("stop", []) => Admin::Stop,
        ("help", []) => Admin::Help,
        ("add-vendor", [name, rate]) => Admin::AddVendor {
            name: (*name).to_owned(),
            rate: parse_rate(rate)?,
            types: Vec::new(),
        },
        ("add-vendor", [name, rate, types]) => Admin::AddVendor {
            name: (*name).to_owned(),
            rate: parse_rate(rate)?,
            types: types
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        ("remove-vendor", [name]) => Admin::RemoveVendor((*name).to_owned()),
        ("set-rate", [name, rate]) => Admin::SetRate((*name).to_owned(), parse_rate(rate)?),
        (
            "status" | "pause" | "resume" | "stop" | "help" | "add-vendor" | "remove-vendor"
            | "set-rate",
            _,
        ) => return Err(format!("wrong arguments for {command}; {HELP}")),
        _ => return Err(format!("unknown command {command:?}; {HELP}")),
    };
    Ok(Some(admin))
}

fn parse_rate(text: &str) -> Result<Option<f64>, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("rate {text:?} is not a number"))?;
    if !rate.is_finite() || rate < 0.0 {
        return Err(format!("rate must be 0 or more, got {text}"));
    }
    Ok((rate > 0.0).then_some(rate))
}

/// Applies a command; the answer is one line for the user.
pub fn apply(handle: &SimulationHandle, admin: &Admin) -> String {
    let result = match admin {
        Admin::Status => return summary::status_line(&handle.snapshot(), handle.elapsed()),
        Admin::Help => return HELP.to_owned(),
        Admin::Pause => Ok(if handle.pause() {
            "paused"
        } else {
            "already paused"
        }
        .to_owned()),
        Admin::Resume => Ok(if handle.resume() {
            "resumed"
        } else {
            "not paused"
        }
        .to_owned()),
        Admin::Stop => {
            handle.stop();
            Ok("stopping".to_owned())
        }
        Admin::AddVendor { name, rate, types } => {
            let types: Vec<&str> = types.iter().map(String::as_str).collect();
            handle
                .add_vendor(name, *rate, &types)
                .map(|()| format!("added vendor {name}"))
        }
        Admin::RemoveVendor(name) => handle
            .remove_vendor(name)
            .map(|()| format!("removed vendor {name}")),
        Admin::SetRate(name, rate) => handle
            .set_vendor_rate(name, *rate)
            .map(|()| format!("vendor {name} now at {}", summary::rate_text(*rate))),
    };
    result.unwrap_or_else(|err| format!("refused: {err}"))
}

/// Starts the reader thread.
pub fn listen(slot: Slot) {
    let spawned = thread::Builder::new()
        .name("admin-stdin".to_owned())
        .spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { return };
                let admin = match parse(&line) {
                    Ok(Some(admin)) => admin,
                    Ok(None) => continue,
                    Err(message) => {
                        eprintln!("admin: {message}");
                        continue;
                    }
                };
                let handle = wait_for_run(&slot);
                let answer = match handle {
                    Some(handle) => apply(&handle, &admin),
                    None => "no run in progress".to_owned(),
                };
                eprintln!("admin: {answer}");
            }
        });
    if let Err(err) = spawned {
        eprintln!("admin commands unavailable: {err}");
    }
}

/// The current run once it has started; commands typed (or piped) before
/// the agents start wait for them.
fn wait_for_run(slot: &Slot) -> Option<SimulationHandle> {
    for _ in 0..5_000 {
        let handle = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(handle) = handle {
            if handle.is_running() || handle.end_reason().is_some() {
                return Some(handle);
            }
        }
        thread::sleep(Duration::from_millis(1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_bad_ones_are_named() {
        assert_eq!(parse("  "), Ok(None));
        assert_eq!(parse("pause"), Ok(Some(Admin::Pause)));
        assert_eq!(
            parse("add-vendor late 250 stalls,balcony"),
            Ok(Some(Admin::AddVendor {
                name: "late".into(),
                rate: Some(250.0),
                types: vec!["stalls".into(), "balcony".into()],
            }))
        );
        assert_eq!(
            parse("add-vendor fast 0"),
            Ok(Some(Admin::AddVendor {
                name: "fast".into(),
                rate: None,
                types: vec![],
            }))
        );
        assert!(parse("add-vendor x -1").unwrap_err().contains("0 or more"));
        assert!(parse("set-rate x abc")
            .unwrap_err()
            .contains("not a number"));
        assert!(parse("pause now").unwrap_err().contains("wrong arguments"));
        assert!(parse("dance").unwrap_err().contains("unknown command"));
    }
}
