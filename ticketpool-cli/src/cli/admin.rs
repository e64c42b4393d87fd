//! Admin commands on standard input while a run goes on: the seed
//! systems' admin panel (status, pause, resume, add-vendor, remove-vendor,
//! stop), plus set-rate and help.
//!
//! A detached thread reads lines; at end of input it just stops reading
//! (piped input must not stop the run). It is never joined: it may be
//! blocked reading a terminal when the command exits, which is harmless.
//! What it must not do is lose a reply: the main thread waits (in
//! [`Runs::end_run`]) for a command being applied to be answered before it
//! moves on to the summary and exits.

use std::collections::HashSet;
use std::io::BufRead;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;

use ticketpool_sim::SimulationHandle;

use super::live::Console;
use super::summary;

/// The run the commands apply to, shared by the main thread, the admin
/// thread and the Ctrl-C handler. Every change is signalled on one
/// condvar, so nobody polls.
#[derive(Default)]
pub struct Runs {
    state: Mutex<RunsState>,
    changed: Condvar,
}

#[derive(Default)]
struct RunsState {
    current: Option<SimulationHandle>,
    /// No more runs will start (all done, or interrupted).
    over: bool,
    /// The user asked to stop everything (Ctrl-C).
    interrupted: bool,
    /// The admin thread is applying a command and has not answered yet.
    busy: bool,
}

impl Runs {
    fn lock(&self) -> MutexGuard<'_, RunsState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes `handle` the run commands apply to; `false` (and the run is
    /// stopped at once) if the user already interrupted the command.
    pub fn begin(&self, handle: &SimulationHandle) -> bool {
        let mut state = self.lock();
        if state.interrupted {
            handle.stop();
            return false;
        }
        state.current = Some(handle.clone());
        drop(state);
        self.changed.notify_all();
        true
    }

    /// The run has ended: waits until a command in progress is answered,
    /// then clears the slot. `last`: no other run follows.
    pub fn end_run(&self, last: bool) {
        let mut state = self.lock();
        while state.busy {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.current = None;
        state.over |= last;
        drop(state);
        self.changed.notify_all();
    }

    /// Ctrl-C: stops the current run and starts no other; `true` the first
    /// time.
    pub fn interrupt(&self) -> bool {
        let mut state = self.lock();
        let first = !state.interrupted;
        state.interrupted = true;
        if let Some(handle) = &state.current {
            handle.stop();
        }
        first
    }

    /// `true` once [`interrupt`](Self::interrupt) was called.
    pub fn interrupted(&self) -> bool {
        self.lock().interrupted
    }

    /// Waits for a run to apply a command to (`None`: no run will come)
    /// and marks the admin thread busy until [`answered`](Self::answered).
    fn claim(&self) -> Option<SimulationHandle> {
        let mut state = self.lock();
        loop {
            if let Some(handle) = &state.current {
                let handle = handle.clone();
                state.busy = true;
                return Some(handle);
            }
            if state.over {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn answered(&self) {
        self.lock().busy = false;
        self.changed.notify_all();
    }
}

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
            types: parse_types(types)?,
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
    if rate.is_nan() {
        return Err(format!("rate {text:?} is not a number"));
    }
    if rate.is_infinite() {
        return Err(format!(
            "rate {text:?} is not a finite number (use 0 for as fast as possible)"
        ));
    }
    if rate < 0.0 {
        return Err(format!("rate must be 0 or more, got {text}"));
    }
    Ok((rate > 0.0).then_some(rate))
}

/// `stalls,balcony`: each type once, none empty.
fn parse_types(text: &str) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut types = Vec::new();
    for name in text.split(',') {
        if name.is_empty() {
            return Err(format!("empty ticket type in {text:?}"));
        }
        if !seen.insert(name) {
            return Err(format!("ticket type {name:?} is listed twice in {text:?}"));
        }
        types.push(name.to_owned());
    }
    Ok(types)
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
        // Answered by `listen` before it stops the run.
        Admin::Stop => Ok("stopping".to_owned()),
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

/// Starts the reader thread; replies go through `console`, so the live
/// status line does not draw over them.
pub fn listen(runs: Arc<Runs>, console: Console) {
    let reader_console = console.clone();
    let spawned = thread::Builder::new()
        .name("admin-stdin".to_owned())
        .spawn(move || {
            let console = reader_console;
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { return };
                let admin = match parse(&line) {
                    Ok(Some(admin)) => admin,
                    Ok(None) => continue,
                    Err(message) => {
                        console.say(&format!("admin: {message}"));
                        continue;
                    }
                };
                let Some(handle) = runs.claim() else {
                    console.say("admin: no run in progress");
                    continue;
                };
                // Commands typed (or piped) before the agents start wait
                // for them: until then there are no vendors to steer.
                handle.wait_started();
                console.say(&format!("admin: {}", apply(&handle, &admin)));
                // After the answer: once stopped, the run may end and the
                // command exit at any moment.
                if admin == Admin::Stop {
                    handle.stop();
                }
                runs.answered();
            }
        });
    if let Err(err) = spawned {
        console.say(&format!("admin commands unavailable: {err}"));
    }
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
        assert_eq!(
            parse("set-rate vendor-2 2.5"),
            Ok(Some(Admin::SetRate("vendor-2".into(), Some(2.5))))
        );
        assert!(parse("dance").unwrap_err().contains("unknown command"));
    }
}

#[cfg(test)]
mod more_tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_rate_that_is_not_a_number_is_called_so_not_negative() {
        for text in ["NaN", "nan", "-NaN"] {
            let err = parse(&format!("set-rate vendor-2 {text}")).unwrap_err();
            assert_eq!(err, format!("rate \"{text}\" is not a number"));
        }
        let err = parse("add-vendor x inf").unwrap_err();
        assert!(err.contains("\"inf\" is not a finite number"), "{err}");
        let err = parse("set-rate x -0.5").unwrap_err();
        assert_eq!(err, "rate must be 0 or more, got -0.5");
    }

    #[test]
    fn a_type_listed_twice_is_refused_naming_it() {
        let err = parse("add-vendor late 5 stalls,balcony,stalls").unwrap_err();
        assert_eq!(
            err,
            "ticket type \"stalls\" is listed twice in \"stalls,balcony,stalls\""
        );
        let err = parse("add-vendor late 5 stalls,,balcony").unwrap_err();
        assert!(err.contains("empty ticket type"), "{err}");
    }

    #[test]
    fn a_command_waits_for_a_run_and_the_end_of_a_run_waits_for_its_answer() {
        let runs = Arc::new(Runs::default());
        // Never run: a handle is all the slot needs.
        let config = ticketpool_sim::SimulationConfig::default();
        let handle = ticketpool_sim::Simulation::new(config).unwrap().handle();
        let claimer = {
            let runs = Arc::clone(&runs);
            thread::spawn(move || runs.claim().is_some())
        };
        assert!(runs.begin(&handle));
        assert!(claimer.join().unwrap(), "the waiting command got the run");
        // The command is being applied: the end of the run waits for its
        // answer, however long that takes.
        let order = Arc::new(Mutex::new(Vec::new()));
        let ender = {
            let (runs, order) = (Arc::clone(&runs), Arc::clone(&order));
            thread::spawn(move || {
                runs.end_run(true);
                order.lock().unwrap().push("run ended");
            })
        };
        // Not synchronisation: time for an end_run that did not wait to
        // show it.
        thread::sleep(Duration::from_millis(50));
        order.lock().unwrap().push("answered");
        runs.answered();
        ender.join().unwrap();
        assert_eq!(*order.lock().unwrap(), ["answered", "run ended"]);
        assert!(runs.claim().is_none(), "no run will come");
        assert!(runs.interrupt());
        assert!(!runs.interrupt(), "the second Ctrl-C is not the first");
        assert!(!runs.begin(&handle), "no run starts after Ctrl-C");
        assert_eq!(
            handle.end_reason(),
            Some(ticketpool_sim::EndReason::Stopped)
        );
    }
}
