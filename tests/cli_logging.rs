//! `ticketpool --log-level / --log-file`: the structured logs of a run.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs in a scratch directory, so the default journal (`ticketpool.db`)
/// never lands in the checkout.
fn run(args: &[&str]) -> Output {
    let cwd = scratch("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    Command::new(env!("CARGO_BIN_EXE_ticketpool"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("cannot run ticketpool")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ticketpool-cli-logging-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn log_file_gets_one_json_line_per_event_and_every_sale() {
    let log = scratch("run.jsonl");
    let report = scratch("report.json");
    let out = run(&[
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
    ]);
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
    let out = run(&[
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
    ]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "nothing fails, so nothing at error level"
    );
    let out = run(&[
        "simulate",
        "--quiet",
        "--total",
        "40",
        "--duration",
        "20",
        "--log-level",
        "info",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("ticket sold").count(), 40, "{stderr}");
}

#[test]
fn bad_log_options_get_a_named_error() {
    let out = run(&[
        "simulate",
        "--quiet",
        "--log-file",
        "/nonexistent-dir/x.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create log file"));
    let out = run(&["simulate", "--quiet", "--log-level", "loud"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log-level"));
}
