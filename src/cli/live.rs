//! The live status view: an indicatif bar with a status line when stdout
//! is a terminal, plain periodic log lines otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ticketpool::SimulationHandle;

use super::summary;

/// How the run is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing until the summary.
    Quiet,
    /// A redrawn bar and status line.
    Terminal,
    /// One log line per interval.
    Lines,
}

impl Mode {
    /// Terminal if stdout is one, else plain lines.
    pub fn detect(quiet: bool) -> Self {
        if quiet {
            Self::Quiet
        } else if std::io::stdout().is_terminal() {
            Self::Terminal
        } else {
            Self::Lines
        }
    }
}

/// A running view; [`finish`](View::finish) ends and joins it.
pub struct View {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl View {
    /// Stops the view and waits for its thread.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// Starts showing `handle`'s run.
pub fn start(handle: SimulationHandle, mode: Mode) -> View {
    let done = Arc::new(AtomicBool::new(false));
    let thread = match mode {
        Mode::Quiet => None,
        Mode::Terminal | Mode::Lines => {
            let done = Arc::clone(&done);
            thread::Builder::new()
                .name("live-view".to_owned())
                .spawn(move || match mode {
                    Mode::Terminal => terminal(&handle, &done),
                    _ => lines(&handle, &done),
                })
                .ok()
        }
    };
    View { done, thread }
}

fn terminal(handle: &SimulationHandle, done: &AtomicBool) {
    let total = handle.office().config().total_tickets;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stdout());
    bar.set_style(
        ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} sold {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut rate = summary::Rate::default();
    while !done.load(Ordering::Acquire) {
        let snapshot = handle.snapshot();
        let per_sec = rate.update(snapshot.totals.sold, handle.elapsed());
        bar.set_position(snapshot.totals.sold);
        bar.set_message(summary::live_details(&snapshot, per_sec));
        thread::park_timeout(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

fn lines(handle: &SimulationHandle, done: &AtomicBool) {
    let mut rate = summary::Rate::default();
    loop {
        thread::park_timeout(Duration::from_secs(1));
        if done.load(Ordering::Acquire) {
            return;
        }
        let snapshot = handle.snapshot();
        let per_sec = rate.update(snapshot.totals.sold, handle.elapsed());
        println!(
            "{} | {}",
            summary::status_line(&snapshot, handle.elapsed()),
            summary::live_details(&snapshot, per_sec)
        );
    }
}
