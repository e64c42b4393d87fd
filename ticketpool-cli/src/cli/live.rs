//! The live status view: an indicatif bar with a status line when stdout
//! is a terminal, plain periodic log lines otherwise.
//!
//! On a terminal the status line is cut to the terminal's width (a wrapped
//! line is redrawn over whatever was printed below it), and everything
//! else the command prints while it shows goes through [`Console::say`],
//! which takes the bar off the screen, prints, and draws it again.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ticketpool_sim::SimulationHandle;

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

/// Where messages for the user go while a run is shown: around the bar
/// when there is one, so the next redraw cannot erase them. Cheap to
/// clone; every clone shares the bar.
#[derive(Clone, Default)]
pub struct Console {
    bar: Arc<Mutex<Option<ProgressBar>>>,
}

impl Console {
    /// Prints `line` on stderr, clear of the status line.
    pub fn say(&self, line: &str) {
        self.say_with(line, |line| eprintln!("{line}"));
    }

    fn say_with(&self, line: &str, write: impl FnOnce(&str)) {
        let bar = self.bar.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match bar {
            // Clears the bar, runs `write`, draws the bar again below.
            Some(bar) => bar.suspend(|| write(line)),
            None => write(line),
        }
    }

    fn set(&self, bar: Option<ProgressBar>) {
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = bar;
    }
}

/// A running view; [`finish`](View::finish) ends and joins it.
pub struct View {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    console: Console,
}

impl View {
    /// Stops the view, waits for its thread and takes the bar away.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        self.console.set(None);
    }
}

/// Starts showing `handle`'s run; while it shows, `console` prints around
/// its bar.
pub fn start(handle: SimulationHandle, mode: Mode, console: &Console) -> View {
    let done = Arc::new(AtomicBool::new(false));
    let thread = match mode {
        Mode::Quiet => None,
        Mode::Terminal => {
            let total = handle.office().config().total_tickets;
            let bar = status_bar(total, ProgressDrawTarget::stdout());
            console.set(Some(bar.clone()));
            let done = Arc::clone(&done);
            thread::Builder::new()
                .name("live-view".to_owned())
                .spawn(move || terminal(&handle, &bar, &done))
                .ok()
        }
        Mode::Lines => {
            let done = Arc::clone(&done);
            thread::Builder::new()
                .name("live-view".to_owned())
                .spawn(move || lines(&handle, &done))
                .ok()
        }
    };
    View {
        done,
        thread,
        console: console.clone(),
    }
}

/// The bar and its status line; `wide_msg` fills what the bar leaves of
/// the terminal's width and cuts the rest, so the line never wraps.
fn status_bar(total: u64, target: ProgressDrawTarget) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), target);
    bar.set_style(
        ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} sold {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn terminal(handle: &SimulationHandle, bar: &ProgressBar, done: &AtomicBool) {
    let mut rate = summary::Rate::default();
    while !done.load(Ordering::Acquire) {
        let snapshot = handle.snapshot();
        let per_sec = rate.update(snapshot.totals.sold, handle.elapsed());
        bar.set_position(snapshot.totals.sold);
        bar.set_message(summary::live_details(
            &snapshot,
            per_sec,
            &vendor_names(handle),
        ));
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
            summary::live_details(&snapshot, per_sec, &vendor_names(handle))
        );
    }
}

/// The vendors still selling (removed ones are gone from the list).
fn vendor_names(handle: &SimulationHandle) -> Vec<String> {
    handle
        .vendor_rates()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io;

    use indicatif::TermLike;

    use super::*;

    /// A terminal of a given width that logs what is done to it.
    #[derive(Debug, Clone)]
    struct FakeTerm {
        width: u16,
        log: Arc<Mutex<Vec<String>>>,
    }

    impl FakeTerm {
        fn new(width: u16) -> Self {
            Self {
                width,
                log: Arc::default(),
            }
        }

        fn push(&self, entry: String) -> io::Result<()> {
            self.log.lock().unwrap().push(entry);
            Ok(())
        }

        fn log(&self) -> Vec<String> {
            self.log.lock().unwrap().clone()
        }
    }

    impl TermLike for FakeTerm {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, n: usize) -> io::Result<()> {
            self.push(format!("up {n}"))
        }
        fn move_cursor_down(&self, n: usize) -> io::Result<()> {
            self.push(format!("down {n}"))
        }
        fn move_cursor_right(&self, n: usize) -> io::Result<()> {
            self.push(format!("right {n}"))
        }
        fn move_cursor_left(&self, n: usize) -> io::Result<()> {
            self.push(format!("left {n}"))
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.push(format!("text {s}"))
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.push(format!("text {s}"))
        }
        fn clear_line(&self) -> io::Result<()> {
            self.push("clear".to_owned())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Columns a written text takes, colour codes left out.
    fn columns(text: &str) -> usize {
        let mut count = 0;
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                // CSI: ESC [ params final-byte.
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                count += 1;
            }
        }
        count
    }

    fn long_details() -> String {
        let vendors: Vec<String> = (1..=40).map(|i| format!("vendor-{i} 3")).collect();
        format!(
            "812 sales/s | held 3 | waiting vip 2 regular 9 | available by type: \
             stalls 30, balcony 12 | by vendor: {}",
            vendors.join(", ")
        )
    }

    #[test]
    fn the_status_line_is_cut_to_the_terminal_width() {
        for width in [80, 200] {
            let term = FakeTerm::new(width);
            let bar = status_bar(
                10_000,
                ProgressDrawTarget::term_like(Box::new(term.clone())),
            );
            bar.set_position(812);
            bar.set_message(long_details());
            let drawn: Vec<String> = term
                .log()
                .into_iter()
                .filter_map(|e| e.strip_prefix("text ").map(str::to_owned))
                .filter(|t| !t.is_empty())
                .collect();
            assert!(
                drawn
                    .iter()
                    .any(|t| t.contains("812/10000 sold 812 sales/s")),
                "{drawn:?}"
            );
            for text in &drawn {
                assert!(
                    columns(text) <= usize::from(width),
                    "{} columns on a {width}-column terminal: {text}",
                    columns(text)
                );
            }
        }
    }

    #[test]
    fn a_reply_goes_out_with_the_bar_cleared_and_the_bar_comes_back_after() {
        let term = FakeTerm::new(80);
        let bar = status_bar(
            10_000,
            ProgressDrawTarget::term_like(Box::new(term.clone())),
        );
        bar.set_message(long_details());
        let console = Console::default();
        console.set(Some(bar.clone()));
        let reply_term = term.clone();
        console.say_with("admin: paused", |line| {
            reply_term.push(format!("reply {line}")).unwrap();
        });
        let log = term.log();
        let reply = log.iter().position(|e| e == "reply admin: paused").unwrap();
        let last_bar_before = log[..reply]
            .iter()
            .rposition(|e| e.contains(" sold "))
            .expect("the bar was drawn before the reply");
        assert!(
            log[last_bar_before..reply].iter().any(|e| e == "clear"),
            "the bar was not cleared before the reply: {log:?}"
        );
        assert!(
            log[reply..].iter().any(|e| e.contains(" sold ")),
            "the bar was not drawn again: {log:?}"
        );
        // Without a bar, the reply is simply written.
        console.set(None);
        let mut said = None;
        console.say_with("admin: resumed", |line| said = Some(line.to_owned()));
        assert_eq!(said.as_deref(), Some("admin: resumed"));
    }
}
