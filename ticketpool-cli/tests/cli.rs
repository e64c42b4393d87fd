//! The `ticketpool` command, run as a user would: every subcommand, admin
//! commands through stdin, Ctrl-C, and each kind of bad input.
//!
//! Every test has a directory of its own (process id and test name) and
//! names its journal there. Tests that steer a run wait for what the
//! command prints (its first live line, each admin reply), never for time
//! to pass, so they hold on a machine whose cores are all busy.

mod cli_support;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use ticketpool_core::Event;
use ticketpool_persist::{SqliteStore, Store};

use self::cli_support::*;

#[test]
fn default_run_succeeds_and_its_report_is_consistent() {
    let dir = scratch("default");
    let json = dir.join("report.json");
    let out = run(
        &dir,
        &[
            "simulate",
            "--json",
            json.to_str().unwrap(),
            "--journal",
            &journal(&dir),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("sold out"), "{stdout}");
    assert!(stdout.contains("sold 10000 of 10000"), "{stdout}");
    let r = report(&json);
    assert_eq!(u(&r["sold"]), 10_000);
    assert_eq!(r["strategy"], "lockfree");
    assert_eq!(r["end"], "sold_out");
    assert_consistent(&r);
    // The default vendors supply less than the customers ask for, so the
    // main job shows the VIP rule: a VIP buys several times what a Regular
    // does (about 13x on a quiet machine, 4x with both cores busy; 1.4x
    // when supply is unlimited). Wait percentiles would not show it
    // reliably: they only count the requests that got a ticket.
    let per_customer = |priority: &str| {
        let (mut bought, mut count) = (0, 0);
        for c in r["customers"].as_array().unwrap() {
            if c["priority"] == priority {
                bought += u(&c["bought"]);
                count += 1;
            }
        }
        assert!(count > 0, "no {priority} customer");
        bought as f64 / f64::from(count)
    };
    let (vip, regular) = (per_customer("vip"), per_customer("regular"));
    assert!(
        vip > 2.0 * regular,
        "vip {vip} vs regular {regular} per customer"
    );
}

#[test]
fn options_override_the_config() {
    let dir = scratch("options");
    let json = dir.join("report.json");
    let out = run(
        &dir,
        &[
            "simulate",
            "--journal",
            &journal(&dir),
            "--strategy",
            "condvar",
            "--vendors",
            "2",
            "--customers",
            "6",
            "--vip-share",
            "0.5",
            "--total",
            "500",
            "--capacity",
            "8",
            "--seed",
            "9",
            "--duration",
            "20",
            "--quiet",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r = report(&json);
    assert_eq!(r["strategy"], "condvar");
    assert_eq!(u(&r["total_tickets"]), 500);
    assert_eq!(u(&r["sold"]), 500);
    assert_eq!(u(&r["max_capacity"]), 8);
    assert_eq!(u(&r["seed"]), 9);
    assert!(u(&r["peak_occupancy"]) <= 8);
    assert_eq!(r["customers"].as_array().unwrap().len(), 6);
    let vips = r["customers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["priority"] == "vip")
        .count();
    assert_eq!(vips, 3);
    let vendors: Vec<&String> = r["sales_by_vendor"].as_object().unwrap().keys().collect();
    assert_eq!(vendors, ["vendor-1", "vendor-2"]);
    assert_consistent(&r);
}

/// Slow vendors and a long duration: the run goes on until the test
/// stops it.
const SLOW: &[&str] = &["simulate", "--vendor-rate", "100", "--duration", "600"];

fn slow_args<'a>(journal: &'a str, json: &'a Path) -> Vec<&'a str> {
    let mut args = SLOW.to_vec();
    args.extend(["--journal", journal, "--json", json.to_str().unwrap()]);
    args
}

#[test]
fn pause_stops_releases() {
    let dir = scratch("pause");
    let (journal, json) = (journal(&dir), dir.join("report.json"));
    let mut live = Live::start(&dir, &slow_args(&journal, &json));
    live.wait_running();
    live.command("pause", "admin: paused");
    let status = live.command("status", "admin: t=");
    assert!(status.contains("[paused]"), "status shows it: {status}");
    let released = ["sold", "held", "available"]
        .iter()
        .map(|word| count_after(&status, word))
        .sum::<u64>();
    // Two live lines while paused: a second or more of the run's time.
    live.stdout.wait_for("[paused]");
    live.stdout.wait_for("[paused]");
    live.command("stop", "admin: stopping");
    let (status, stdout, stderr) = live.finish();
    assert!(status.success(), "{stderr}");
    // stdout is a pipe here, so the live view is plain periodic lines.
    assert!(stdout.contains("sales/s | held"), "{stdout}");
    let r = report(&json);
    assert_eq!(r["end"], "stopped");
    assert_eq!(u(&r["released"]), released, "released while paused");
    assert_consistent(&r);
}

#[test]
fn add_and_remove_vendor_take_effect() {
    let dir = scratch("add");
    let (journal, json) = (journal(&dir), dir.join("report.json"));
    let mut live = Live::start(&dir, &slow_args(&journal, &json));
    // Answered once the run has started; vendor-1 may not have released.
    live.command("remove-vendor vendor-1", "admin: removed vendor vendor-1");
    live.command("add-vendor late 2000 balcony", "admin: added vendor late");
    live.command(
        "add-vendor late 5",
        "refused: vendor \"late\" already exists",
    );
    live.command("remove-vendor nobody", "refused: unknown vendor \"nobody\"");
    live.command("set-rate late 3000", "admin: vendor late now at 3000/s");
    live.command(
        "set-rate vendor-2 -1",
        "admin: rate must be 0 or more, got -1",
    );
    live.command(
        "set-rate vendor-2 NaN",
        "admin: rate \"NaN\" is not a number",
    );
    live.command(
        "add-vendor twice 5 stalls,balcony,stalls",
        "admin: ticket type \"stalls\" is listed twice",
    );
    // The live line lists the running vendors: late, never vendor-1.
    let vendors = |line: &str| line.split("by vendor: ").nth(1).unwrap_or("").to_owned();
    let line = live
        .stdout
        .wait_for_line("a live line with vendor late", |l| {
            vendors(l).contains("late ")
        });
    assert!(!vendors(&line).contains("vendor-1"), "{line}");
    live.wait_running();
    live.command("stop", "admin: stopping");
    let (status, _, stderr) = live.finish();
    assert!(status.success(), "{stderr}");
    assert!(!stderr.contains("added vendor twice"), "{stderr}");
    let r = report(&json);
    let late = u(&r["sales_by_vendor"]["late"]);
    let first = r["sales_by_vendor"].get("vendor-1").map_or(0, u);
    let second = u(&r["sales_by_vendor"]["vendor-2"]);
    assert!(
        late > second,
        "the fast added vendor sold most: {late} vs {second}"
    );
    assert!(
        first < second,
        "the removed vendor sold less: {first} vs {second}"
    );
    assert!(r["sales_by_type"]["stalls"]["sold"].as_u64() < Some(late));
    assert_consistent(&r);
}

#[test]
fn stop_ends_the_run() {
    let dir = scratch("stop");
    let journal = journal(&dir);
    let args = [
        "simulate",
        "--vendor-rate",
        "50",
        "--duration",
        "600",
        "--journal",
        &journal,
    ];
    let mut live = Live::start(&dir, &args);
    live.wait_running();
    live.command("bogus", "admin: unknown command \"bogus\"");
    live.command("stop", "admin: stopping");
    let (status, stdout, stderr) = live.finish();
    assert!(status.success(), "{stderr}");
    assert!(stdout.contains(": stopped after"), "{stdout}");
}

#[test]
fn ctrl_c_stops_the_run_cleanly_with_its_summary_and_no_open_hold() {
    let dir = scratch("ctrl-c");
    let (journal, json) = (journal(&dir), dir.join("report.json"));
    let mut live = Live::start(&dir, &slow_args(&journal, &json));
    live.wait_running();
    let sent = Command::new("kill")
        .args(["-INT", &live.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let (status, stdout, stderr) = live.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("interrupted: stopping the run"), "{stderr}");
    assert!(stdout.contains(": stopped after"), "{stdout}");
    assert!(stdout.contains("holds: "), "{stdout}");
    let r = report(&json);
    assert_eq!(r["end"], "stopped");
    // The journal is complete: every sale, and every hold settled.
    let events = SqliteStore::open(&journal).unwrap().events().unwrap();
    let sold = events
        .iter()
        .filter(|e| matches!(e, Event::Sold { .. }))
        .count() as u64;
    assert_eq!(sold, u(&r["sold"]));
    let mut open = std::collections::BTreeSet::new();
    for event in &events {
        match event {
            Event::HoldPlaced { hold, .. } => {
                open.insert(*hold);
            }
            Event::HoldConfirmed { hold, .. }
            | Event::HoldCancelled { hold, .. }
            | Event::HoldExpired { hold, .. } => {
                open.remove(hold);
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "holds left open: {open:?}");
}

#[test]
fn summary_holds_line_adds_up_and_peak_occupancy_is_exact() {
    let dir = scratch("summary");
    let json = dir.join("report.json");
    let out = run(
        &dir,
        &[
            "simulate",
            "--total",
            "2000",
            "--journal",
            &journal(&dir),
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.contains("holds: ")).unwrap();
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [placed, confirmed, expired, cancelled, _abandoned] = numbers[..] else {
        panic!("not a holds line: {line}");
    };
    assert!(placed > 0, "{line}");
    assert_eq!(placed, confirmed + expired + cancelled, "{line}");
    let h = &report(&json)["holds"];
    assert_eq!(
        [placed, confirmed, expired, cancelled],
        ["placed", "confirmed", "expired", "cancelled"].map(|k| u(&h[k]))
    );
    // One ticket: the run ends before any sample, the peak is still 1.
    let out = run(
        &dir,
        &["simulate", "--total", "1", "--journal", &journal(&dir)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("peak occupancy 1/64"), "{stdout}");
}

#[test]
fn compare_lists_both_strategies_and_touches_no_journal() {
    let dir = scratch("compare");
    let json = dir.join("both.json");
    let out = run(
        &dir,
        &[
            "simulate",
            "--compare",
            "--total",
            "2000",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let header = stdout.lines().find(|l| l.contains("lockfree")).unwrap();
    assert!(header.contains("condvar"), "{stdout}");
    for row in [
        "throughput",
        "vip wait p50",
        "regular wait p99",
        "fairness vip",
    ] {
        assert!(stdout.contains(row), "{row} missing: {stdout}");
    }
    let both: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(both[0]["strategy"], "lockfree");
    assert_eq!(both[1]["strategy"], "condvar");
    both.iter().for_each(assert_consistent);
    assert!(
        !dir.join("ticketpool.db").exists(),
        "compare journals nothing"
    );
}

#[test]
fn compare_refuses_a_strategy_or_a_journal() {
    let dir = scratch("compare-refuses");
    rejects(
        &["simulate", "--compare", "--strategy", "condvar"],
        2,
        "'--compare' cannot be used with '--strategy <STRATEGY>'",
    );
    let file = dir.join("mine.db");
    rejects(
        &["simulate", "--compare", "--journal", file.to_str().unwrap()],
        2,
        "cannot be used with",
    );
    assert!(!file.exists(), "the refused command created {file:?}");
}

#[test]
fn plot_writes_a_valid_svg() {
    let dir = scratch("plot");
    let svg = dir.join("run.svg");
    let out = run(
        &dir,
        &[
            "simulate",
            "--total",
            "2000",
            "--journal",
            &journal(&dir),
            "--plot",
            svg.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&body).expect("the chart is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .count();
    // released, sold; available, held, 2 waiting; 2 wait distributions.
    assert!(lines >= 8, "{lines} lines");
    assert!(body.contains("wait time by priority"));
}

#[test]
fn config_init_writes_a_config_that_checks_and_runs() {
    let dir = scratch("init");
    let file = dir.join("sim.toml");
    let out = bin()
        .args(["config", "init", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = bin()
        .args(["config", "init", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists"));
    let out = bin()
        .args(["config", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(": ok (10000 tickets, 4 vendors, 16 customers"));
    let stdout = bin().args(["config", "init"]).output().unwrap().stdout;
    assert_eq!(text(&stdout), std::fs::read_to_string(&file).unwrap());
    // Edited and run.
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("total_tickets = 10000", "total_tickets = 300")
        .replace("quota = 7000", "quota = 100");
    std::fs::write(&file, edited).unwrap();
    let json = dir.join("r.json");
    let out = run(
        &dir,
        &[
            "simulate",
            "--config",
            file.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--journal",
            &journal(&dir),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r = report(&json);
    assert_eq!(u(&r["sold"]), 300);
    assert!(u(&r["sales_by_type"]["stalls"]["sold"]) <= 100);
}

#[test]
fn config_check_lists_every_problem() {
    let dir = scratch("check");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        r#"
        [office]
        event_name = "x"
        total_tickets = 10
        max_capacity = 0
        [[office.ticket_types]]
        name = "a"
        price = 1
        [[vendors]]
        name = "v"
        rate = -2.0
        ticket_types = ["b"]
        [customers]
        vip_share = 2.0
        "#,
    )
    .unwrap();
    let out = bin()
        .args(["config", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for needle in [
        "office.max_capacity: must be at least 1",
        "vendors[0].rate: must not be negative, got -2",
        "vendors[0].ticket_types[0]: unknown ticket type \"b\"",
        "customers.vip_share: must be between 0 and 1, got 2",
        "has 4 problem(s)",
    ] {
        assert!(stderr.contains(needle), "{needle} missing: {stderr}");
    }
}

/// One bad input: exit code and a one-line message naming the problem,
/// no panic.
fn rejects(args: &[&str], code: i32, needle: &str) {
    let out = bin().args(args).stdin(Stdio::null()).output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: {needle} missing: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn bad_input_gets_a_named_error_and_exit_code() {
    let dir = scratch("bad");
    rejects(&["simulate", "--strategy", "spinlock"], 2, "spinlock");
    rejects(
        &["simulate", "--capacity", "0"],
        2,
        "office.max_capacity: must be at least 1",
    );
    rejects(
        &["simulate", "--total", "0"],
        2,
        "office.total_tickets: must be at least 1",
    );
    rejects(
        &["simulate", "--customers", "0"],
        2,
        "customers.count: must be at least 1",
    );
    rejects(
        &["simulate", "--vendor-rate", "-5"],
        2,
        "rate: must not be negative, got -5",
    );
    rejects(
        &["simulate", "--customer-rate", "-1"],
        2,
        "customers.rate: must not be negative",
    );
    rejects(
        &["simulate", "--vip-share", "1.5"],
        2,
        "customers.vip_share",
    );
    rejects(
        &["simulate", "--duration", "-3"],
        2,
        "--duration must be a positive number",
    );
    rejects(&["simulate", "--capacity", "lots"], 2, "lots");
    rejects(
        &["simulate", "--config", "/no/such/file.toml"],
        2,
        "cannot read config /no/such/file.toml",
    );
    let malformed = dir.join("broken.toml");
    std::fs::write(&malformed, "[office\ntotal_tickets = ").unwrap();
    rejects(
        &["simulate", "--config", malformed.to_str().unwrap()],
        2,
        "invalid TOML config",
    );
    let json = dir.join("broken.json");
    std::fs::write(&json, "{\"seed\": \"many\"}").unwrap();
    rejects(
        &["config", "check", json.to_str().unwrap()],
        2,
        "broken.json: seed: expected a whole number of 0 or more, got the text \"many\"",
    );
    let other = dir.join("config.yaml");
    std::fs::write(&other, "seed: 1").unwrap();
    rejects(
        &["config", "check", other.to_str().unwrap()],
        2,
        "expected a .toml or .json file",
    );
    rejects(
        &["simulate", "--compare", "--plot", "x.svg"],
        2,
        "cannot be used with",
    );
    rejects(&["frobnicate"], 2, "frobnicate");
    // An output that cannot be written is a runtime failure.
    rejects(
        &[
            "simulate",
            "--total",
            "100",
            "--json",
            "/no/such/dir/r.json",
        ],
        1,
        "cannot write /no/such/dir/r.json",
    );
}
