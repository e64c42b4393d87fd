//! Helpers of tests/cli.rs: the command run to its end or steered while
//! it runs, scratch directories, report checks.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use serde_json::Value;

/// The command, run in a scratch directory of its own, so the journal a
/// run writes by default (ticketpool.db) never lands in the repository.
/// The directory is made inside the calling test's [`scratch`] directory,
/// so it goes when that does.
pub fn bin() -> Command {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("cwd-{}", RUNS.fetch_add(1, Ordering::Relaxed));
    let parent = LIVE.with(|live| live.borrow().last().cloned());
    let cwd = match parent {
        Some(parent) => parent.join(name),
        // No scratch directory on this thread: one of its own, kept.
        None => scratch(&name).keep(),
    };
    std::fs::create_dir_all(&cwd).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketpool"));
    command.current_dir(cwd);
    command
}

/// Runs to the end in `dir`, with no input.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticketpool"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The run's standard output, after asserting it succeeded (showing both
/// streams if it did not).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

thread_local! {
    /// The scratch directories alive on this thread (each test runs on one
    /// thread), innermost last: where [`bin`] puts its working directory.
    static LIVE: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
}

/// A test's scratch directory, removed when the test ends; kept when the
/// test fails, so what the command wrote can be looked at. Use it as a
/// [`Path`].
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// Keeps the directory: it is not removed on drop.
    pub fn keep(self) -> PathBuf {
        let dir = self.dir.clone();
        forget_live(&dir);
        std::mem::forget(self);
        dir
    }
}

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.dir
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        forget_live(&self.dir);
        if thread::panicking() {
            eprintln!("kept the failed test's files in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn forget_live(dir: &Path) {
    LIVE.with(|live| live.borrow_mut().retain(|d| d != dir));
}

/// A fresh scratch directory per test, named after the process and `name`.
pub fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("ticketpool-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    LIVE.with(|live| live.borrow_mut().push(dir.clone()));
    Scratch { dir }
}

/// The test's journal, in its own directory.
pub fn journal(dir: &Path) -> String {
    dir.join("journal.db").to_str().unwrap().to_owned()
}

/// Longest wait for something the command should print: a guard against
/// a hang, never reached when things work, not a timing assumption.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// One output stream of a running command, line by line.
pub struct Stream {
    name: &'static str,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Stream {
    pub fn new(name: &'static str, reader: impl Read + Send + 'static) -> Self {
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            name,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for the next line that `wanted` accepts and returns it.
    pub fn wait_for_line(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(err) => panic!(
                    "{what} never came on {} ({err}); it printed:\n{}",
                    self.name,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for the next line containing `needle`.
    pub fn wait_for(&mut self, needle: &str) -> String {
        self.wait_for_line(&format!("{needle:?}"), |line| line.contains(needle))
    }

    /// Everything it printed, once the command has exited.
    pub fn all(mut self) -> String {
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

/// A command running in the background, steered through its stdin.
pub struct Live {
    pub child: Child,
    stdin: Option<ChildStdin>,
    pub stdout: Stream,
    pub stderr: Stream,
}

impl Live {
    pub fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ticketpool"))
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = Stream::new("stdout", child.stdout.take().unwrap());
        let stderr = Stream::new("stderr", child.stderr.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    /// Waits for the first live status line: the run is going.
    pub fn wait_running(&mut self) {
        self.stdout.wait_for("sales/s | held");
    }

    /// Types `line` and waits for the stderr line containing `reply`.
    pub fn command(&mut self, line: &str, reply: &str) -> String {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        self.stderr.wait_for(reply)
    }

    /// Closes stdin, waits for the exit; the status, stdout and stderr.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        let stdout = std::mem::replace(&mut self.stdout, Stream::new("", std::io::empty()));
        let stderr = std::mem::replace(&mut self.stderr, Stream::new("", std::io::empty()));
        (status, stdout.all(), stderr.all())
    }
}

impl Drop for Live {
    /// A failed test leaves no run behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The number after `word` in a status line (`sold 812/10000` gives 812).
pub fn count_after(line: &str, word: &str) -> u64 {
    let mut words = line.split_whitespace();
    words
        .find(|w| *w == word)
        .unwrap_or_else(|| panic!("no {word}: {line}"));
    let value = words
        .next()
        .unwrap_or_else(|| panic!("nothing after {word}: {line}"));
    value.split('/').next().unwrap().parse().unwrap()
}

pub fn report(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// The report invariants a user could check by hand.
pub fn assert_consistent(r: &Value) {
    let sold = u(&r["sold"]);
    assert!(sold <= u(&r["total_tickets"]));
    assert_eq!(
        u(&r["released"]),
        sold + u(&r["available_at_end"]) + u(&r["held_at_end"])
    );
    let by_type: u64 = r["sales_by_type"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| u(&t["sold"]))
        .sum();
    let by_vendor: u64 = r["sales_by_vendor"]
        .as_object()
        .unwrap()
        .values()
        .map(u)
        .sum();
    assert_eq!(by_type, sold);
    assert_eq!(by_vendor, sold);
    for priority in ["vip", "regular"] {
        let w = &r["wait"][priority];
        let keys = ["min_us", "p50_us", "p90_us", "p99_us", "max_us"];
        let values: Vec<u64> = keys.iter().map(|k| u(&w[k])).collect();
        assert!(values.windows(2).all(|p| p[0] <= p[1]), "{priority}: {w}");
    }
}
