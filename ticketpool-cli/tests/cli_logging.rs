//! `ticketpool --log-level / --log-file`: the structured logs of a run.
//!
//! Each test runs the command in a directory of its own with a journal of
//! its own: tests run at once, and two runs sharing a journal would see
//! each other's sales.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod cli_support;

use self::cli_support::scratch;

/// Runs the command in `cwd`; a `simulate` journals to `cwd`/run.db
/// unless the arguments choose otherwise.
fn run(cwd: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketpool"));
    command.current_dir(cwd).args(args).stdin(Stdio::null());
    let chooses = args
        .iter()
        .any(|a| *a == "--journal" || *a == "--no-journal");
    if args.first() == Some(&"simulate") && !chooses {
        command.arg("--journal").arg(cwd.join("run.db"));
    }
    command.output().expect("cannot run ticketpool")
}

#[test]
fn log_file_gets_one_json_line_per_event_and_every_sale() {
    let dir = scratch("log-file");
    let log = dir.join("run.jsonl");
    let report = dir.join("report.json");
    let out = run(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--total",
            "120",
            "--duration",
            "20",
            "--json",
            report.to_str().unwrap(),
            "--log-file",
            log.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ticket sold") && !stderr.contains("\"kind\""),
        "logs leaked: {stderr}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(lines.iter().all(|l| l["target"] == "ticketpool"));
    // Default level with a file is info: no debug refusals.
    assert!(lines.iter().all(|l| l["level"] != "DEBUG"));
    let sold: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "sold").collect();
    assert_eq!(sold.len(), 120, "one line per ticket sold");
    for sale in &sold {
        assert!(sale["ticket_id"].as_u64().unwrap() >= 1);
        assert!(sale["price"].as_i64().unwrap() > 0);
        assert!(sale["customer"].is_string() && sale["vendor"].is_string());
    }
    let mut ids: Vec<u64> = sold
        .iter()
        .map(|s| s["ticket_id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 120, "no ticket sold twice");
    assert_eq!(lines.iter().filter(|l| l["kind"] == "sold_out").count(), 1);
    let released = lines.iter().filter(|l| l["kind"] == "released").count();
    assert_eq!(released, 120);
}

#[test]
fn log_level_filters_and_without_a_file_goes_to_stderr_off_terminal() {
    let dir = scratch("log-level");
    let out = run(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--total",
            "40",
            "--duration",
            "20",
            "--log-level",
            "error",
            // The journal's closing line also goes to stderr; this test is
            // about the log filter only.
            "--no-journal",
        ],
    );
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "nothing fails, so nothing at error level"
    );
    let out = run(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--total",
            "40",
            "--duration",
            "20",
            "--log-level",
            "info",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.matches("ticket sold").count(), 40, "{stderr}");
    assert!(
        dir.join("run.db").is_file(),
        "journaled where this test said"
    );
}

#[test]
fn bad_log_options_get_a_named_error() {
    let dir = scratch("bad-options");
    let out = run(
        &dir,
        &["simulate", "--quiet", "--log-file", "no-such-dir/x.jsonl"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create log file"));
    let out = run(&dir, &["simulate", "--quiet", "--log-level", "loud"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log-level"));
}
