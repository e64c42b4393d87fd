//! The crash loops' one move: run one of this test binary's ignored child
//! tests in its own process, SIGKILL it after a delay, and read what it
//! printed (its acknowledgements) up to the kill.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

/// Runs the ignored test `child_test` of this binary with `envs`, kills it
/// after `delay` and returns the lines it printed. Fails the test if the
/// child ended on its own (`cycle` names the loop's round).
pub fn run_then_kill(
    child_test: &str,
    envs: &[(&str, &OsStr)],
    delay: Duration,
    cycle: usize,
) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        // Not `--test-threads=1`: libtest would then print the test's name
        // before its output, a line the loops' parsers do not expect.
        .args(["--exact", child_test, "--ignored", "--nocapture"])
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    // The kill's moment, not a synchronisation: any moment is valid.
    thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "cycle {cycle}: the child ended on its own: {status}"
    );
    reader.join().unwrap()
}
