//! The command's journal: `simulate` writes one (ticketpool.db by default,
//! `--journal`, `--no-journal`, `--durability`) and `ticketpool sales`
//! reads it back, filtered and totalled; bad journal files get a one-line
//! error naming the file.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

use serde_json::Value;

mod cli_support;

use self::cli_support::{ok, run, scratch, text, u};

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sales_json(cwd: &Path, args: &[&str]) -> Value {
    let mut all = vec!["sales", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&run(cwd, &all))).unwrap()
}

/// A short run of `total` tickets with a few vendors and customers, its
/// report in r.json.
fn simulate(cwd: &Path, total: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "simulate",
        "--quiet",
        "--total",
        total,
        "--vendors",
        "3",
        "--customers",
        "6",
        "--seed",
        "7",
        "--json",
        "r.json",
    ];
    args.extend_from_slice(extra);
    ok(&run(cwd, &args));
    json_file(&cwd.join("r.json"))
}

#[test]
fn simulate_journals_by_default_and_sales_agrees_with_the_report() {
    let dir = scratch("default");
    let report = simulate(&dir, "600", &[]);
    assert!(dir.join("ticketpool.db").is_file(), "the default journal");
    let sold = u(&report["sold"]);
    assert_eq!(sold, 600);

    let all = sales_json(&dir, &[]);
    assert_eq!(u(&all["count"]), sold);
    assert_eq!(all["sales"].as_array().unwrap().len() as u64, sold);
    assert_eq!(u(&all["revenue_minor"]), u(&report["revenue"]), "revenue");
    for (vendor, count) in report["sales_by_vendor"].as_object().unwrap() {
        assert_eq!(u(&all["by_vendor"][vendor]["count"]), u(count), "{vendor}");
    }
    for (ticket_type, stats) in report["sales_by_type"].as_object().unwrap() {
        assert_eq!(
            u(&all["by_type"][ticket_type]["count"]),
            u(&stats["sold"]),
            "{ticket_type}"
        );
    }
    let ids: std::collections::HashSet<u64> = all["sales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| u(&s["ticket"]))
        .collect();
    assert_eq!(ids.len() as u64, sold, "no ticket sold twice");

    // The table says the same.
    let table = ok(&run(&dir, &["sales"]));
    assert!(
        table.contains(&format!("{sold} sales, revenue ")),
        "{table}"
    );
    assert!(table.contains("by vendor:") && table.contains("by type:"));
}

#[test]
fn sales_filters_by_customer_type_and_vendor() {
    let dir = scratch("filters");
    simulate(
        &dir,
        "600",
        &["--journal", "gig.db", "--durability", "confirmed"],
    );
    let all = sales_json(&dir, &["--journal", "gig.db"]);
    let sales = all["sales"].as_array().unwrap();
    let first = &sales[0];
    for (flag, field) in [
        ("--customer", "customer"),
        ("--type", "type"),
        ("--vendor", "vendor"),
    ] {
        let wanted = first[field].as_str().unwrap();
        let expected = sales.iter().filter(|s| s[field] == wanted).count() as u64;
        let filtered = sales_json(&dir, &["--journal", "gig.db", flag, wanted]);
        assert_eq!(u(&filtered["count"]), expected, "{flag} {wanted}");
        assert!(
            expected > 0 && expected < u(&all["count"]),
            "{flag}: a real filter"
        );
        assert!(filtered["sales"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s[field] == wanted));
    }
    // Filters combine.
    let customer = first["customer"].as_str().unwrap();
    let vendor = first["vendor"].as_str().unwrap();
    let expected = sales
        .iter()
        .filter(|s| s["customer"] == customer && s["vendor"] == vendor)
        .count() as u64;
    let both = sales_json(
        &dir,
        &[
            "--journal",
            "gig.db",
            "--customer",
            customer,
            "--vendor",
            vendor,
        ],
    );
    assert_eq!(u(&both["count"]), expected);
    let nobody = sales_json(&dir, &["--journal", "gig.db", "--customer", "nobody"]);
    assert_eq!(u(&nobody["count"]), 0);
    assert_eq!(u(&nobody["revenue_minor"]), 0);
}

#[test]
fn no_journal_writes_none_and_each_run_starts_a_fresh_one() {
    let dir = scratch("fresh");
    simulate(&dir, "600", &["--no-journal"]);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "only r.json: no journal, not even the default"
    );
    simulate(&dir, "600", &["--journal", "fresh.db"]);
    simulate(&dir, "300", &["--journal", "fresh.db"]);
    let all = sales_json(&dir, &["--journal", "fresh.db"]);
    assert_eq!(u(&all["count"]), 300, "the second run replaced the first");
}

/// One bad input: exit code and a message naming the problem, no panic.
fn rejects(cwd: &Path, args: &[&str], code: i32, needles: &[&str]) -> String {
    let out = run(cwd, args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: {needle} missing: {stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// As [`rejects`], for the command's own errors: exactly one line.
fn rejects_in_one_line(cwd: &Path, args: &[&str], code: i32, needles: &[&str]) {
    let stderr = rejects(cwd, args, code, needles);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn bad_journal_files_get_a_named_error_and_are_left_alone() {
    let dir = scratch("bad");
    rejects_in_one_line(
        &dir,
        &["sales", "--journal", "missing.db"],
        2,
        &["missing.db", "no such journal"],
    );
    assert!(!dir.join("missing.db").exists(), "reading never creates");
    rejects_in_one_line(&dir, &["sales"], 2, &["ticketpool.db", "no such journal"]);

    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "my notes, not a journal\n".repeat(100)).unwrap();
    rejects_in_one_line(
        &dir,
        &["sales", "--journal", "notes.txt"],
        2,
        &["notes.txt", "not a ticketpool journal"],
    );
    rejects_in_one_line(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--total",
            "50",
            "--journal",
            "notes.txt",
        ],
        2,
        &["notes.txt", "not replacing it"],
    );
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "my notes, not a journal\n".repeat(100),
        "a foreign file is never overwritten"
    );

    // A journal cut short (a bad copy): damaged, so refused.
    simulate(&dir, "600", &["--journal", "cut.db"]);
    let cut = dir.join("cut.db");
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    rejects_in_one_line(&dir, &["sales", "--journal", "cut.db"], 2, &["cut.db"]);

    rejects(
        &dir,
        &["simulate", "--no-journal", "--journal", "x.db"],
        2,
        &["cannot be used with"],
    );
    rejects(
        &dir,
        &["simulate", "--durability", "eventually"],
        2,
        &["eventually"],
    );
    // A journal that cannot be created is a runtime failure.
    rejects_in_one_line(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--total",
            "50",
            "--journal",
            "no/such/dir/j.db",
        ],
        1,
        &["no/such/dir/j.db", "does not exist"],
    );
}

/// A run that lasts until told to stop; killed if the test ends early, so
/// no process outlives its test.
struct LongRun {
    child: Child,
    stderr: BufReader<ChildStderr>,
}

impl Drop for LongRun {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a run journaled to `journal` that lasts until told to stop,
/// and returns once it is selling (its journal is open by then).
fn start_long_run(cwd: &Path, journal: &str) -> LongRun {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ticketpool"))
        .current_dir(cwd)
        .args([
            "simulate",
            "--quiet",
            "--total",
            "100000",
            "--vendor-rate",
            "50",
            "--duration",
            "600",
            "--journal",
            journal,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut run = LongRun {
        stderr: BufReader::new(child.stderr.take().unwrap()),
        child,
    };
    // Ask until the admin thread reports a run in progress: an event, not
    // a guess at how long start-up takes on a busy machine.
    loop {
        writeln!(run.child.stdin.as_mut().unwrap(), "status").unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                run.stderr.read_line(&mut line).unwrap() > 0,
                "the run ended"
            );
            if line.starts_with("admin:") {
                break;
            }
        }
        if !line.contains("no run in progress") {
            return run;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_second_run_on_a_journal_in_use_is_refused_at_once_and_the_first_completes() {
    let dir = scratch("in-use");
    let mut first = start_long_run(&dir, "gig.db");
    std::os::unix::fs::symlink("gig.db", dir.join("alias.db")).unwrap();
    for name in ["gig.db", "./gig.db", "alias.db"] {
        let out = run(
            &dir,
            &["simulate", "--quiet", "--total", "50", "--journal", name],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains("in use"),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    writeln!(first.child.stdin.as_mut().unwrap(), "stop").unwrap();
    let mut rest = String::new();
    first.stderr.read_to_string(&mut rest).unwrap();
    let status = first.child.wait().unwrap();
    assert!(status.success(), "{rest}");
    let sold: u64 = rest
        .split("journal: gig.db (")
        .nth(1)
        .and_then(|tail| tail.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no journal line: {rest}"));
    let all = sales_json(&dir, &["--journal", "gig.db"]);
    assert_eq!(u(&all["count"]), sold, "the first run's journal is whole");
    // Released with the run: the journal can be used again.
    simulate(&dir, "50", &["--journal", "gig.db"]);
    assert_eq!(u(&sales_json(&dir, &["--journal", "gig.db"])["count"]), 50);
}
