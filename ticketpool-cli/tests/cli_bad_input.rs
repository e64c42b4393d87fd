//! Bad input to the `ticketpool` command gets a named, typed error and an
//! exit code, never a panic: damaged journals under `sales`, a reader that
//! closes the pipe early, and configs that `config check` must refuse (or
//! warn about) before `simulate` would fail on them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod cli_support;

use self::cli_support::{scratch, text};

/// The command, run inside `dir` so nothing lands in the checkout.
fn bin(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketpool"));
    command.current_dir(dir).stdin(Stdio::null());
    command
}

/// A journal of a finished run that sold all `total` tickets.
fn journal(dir: &Path, total: u64) -> PathBuf {
    let path = dir.join("j.db");
    let out = bin(dir)
        .args([
            "simulate",
            "--quiet",
            "--total",
            &total.to_string(),
            "--journal",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "simulate: {}", text(&out.stderr));
    path
}

/// Runs SQL on the journal, as a user with the sqlite3 shell would.
fn damage(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn sales(dir: &Path, journal: &Path, extra: &[&str]) -> Output {
    bin(dir)
        .arg("sales")
        .arg("--journal")
        .arg(journal)
        .args(extra)
        .output()
        .unwrap()
}

/// Exit 2 and a message containing every one of `needles`, no panic.
fn refused(out: &Output, needles: &[&str]) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} missing: {stderr}");
    }
}

#[test]
fn sales_ends_quietly_when_the_reader_closes_the_pipe() {
    let dir = scratch("pipe");
    // 3000 sales print far more than a pipe buffers, so the command is
    // still writing when the reader goes away.
    let journal = journal(&dir, 3_000);
    for extra in [&[][..], &["--json"][..]] {
        let mut child = bin(&dir)
            .arg("sales")
            .arg("--journal")
            .arg(&journal)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reader (and with it the pipe) is dropped here, like `head -1`.
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{extra:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {stderr}");
    }
}

#[test]
fn sales_refuses_a_sale_time_before_1970_naming_the_sale() {
    let dir = scratch("time");
    let journal = journal(&dir, 50);
    damage(
        &journal,
        "UPDATE sales SET sold_at = -1 WHERE ticket_id = (SELECT MAX(ticket_id) FROM sales);",
    );
    let conn = rusqlite::Connection::open(&journal).unwrap();
    let id: i64 = conn
        .query_row("SELECT ticket_id FROM sales WHERE sold_at = -1", [], |r| {
            r.get(0)
        })
        .unwrap();
    for extra in [&[][..], &["--json"][..]] {
        let out = sales(&dir, &journal, extra);
        refused(
            &out,
            &[
                "the journal is damaged",
                &format!("the sale of ticket T{id} has a time before 1970"),
            ],
        );
        assert!(
            out.stdout.is_empty(),
            "no half table: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn sales_reports_a_journal_missing_ticket_rows_as_damaged_not_smaller() {
    let dir = scratch("orphans");
    let journal = journal(&dir, 300);
    damage(
        &journal,
        "DELETE FROM tickets WHERE id IN (SELECT ticket_id FROM sales ORDER BY ticket_id LIMIT 99);",
    );
    let out = sales(&dir, &journal, &[]);
    refused(
        &out,
        &["the journal is damaged: 99 sale(s) have no ticket row"],
    );
    assert!(!text(&out.stdout).contains("201 sales"));
}

#[test]
fn sales_refuses_revenue_past_i64_instead_of_saturating() {
    let dir = scratch("overflow");
    let journal = journal(&dir, 20);
    damage(
        &journal,
        "UPDATE sales SET price = 9223372036854775807 \
         WHERE ticket_id IN (SELECT ticket_id FROM sales ORDER BY seq LIMIT 2);",
    );
    for extra in [&[][..], &["--json"][..]] {
        let out = sales(&dir, &journal, extra);
        refused(
            &out,
            &["the journal is damaged: revenue passes the largest amount"],
        );
        assert!(!text(&out.stdout).contains("92233720368547758.07"));
    }
}

fn check(dir: &Path, name: &str, toml: &str) -> Output {
    let file = dir.join(name);
    std::fs::write(&file, toml).unwrap();
    bin(dir)
        .args(["config", "check"])
        .arg(&file)
        .output()
        .unwrap()
}

#[test]
fn config_check_lists_type_errors_with_their_lines_among_every_problem() {
    let dir = scratch("check-types");
    let out = check(
        &dir,
        "bad.toml",
        "seed = 1\n[office]\nevent_name = \"x\"\ntotal_tickets = \"ten\"\nmax_capacity = 0\n\
         hold_tll_ms = 5\n[customers]\ncount = -1\nvip_share = 2.0\n",
    );
    refused(
        &out,
        &[
            "bad.toml:4: office.total_tickets: expected a whole number of 0 or more, got the text \"ten\"",
            "bad.toml:5: office.max_capacity: must be at least 1",
            "bad.toml:6: office.hold_tll_ms: unknown field; expected one of:",
            "bad.toml:8: customers.count: expected a whole number of 0 or more, got -1",
            "bad.toml:9: customers.vip_share: must be between 0 and 1, got 2",
            "has 5 problem(s)",
        ],
    );
    assert!(!text(&out.stderr).contains("u64"));
}

#[test]
fn config_check_catches_sizes_simulate_would_fail_on() {
    let dir = scratch("check-sizes");
    let out = check(
        &dir,
        "big.toml",
        "[office]\nmax_capacity = 4294967296\n[customers]\ncount = 4000000000\n",
    );
    refused(
        &out,
        &[
            "big.toml:2: office.max_capacity: must be at most 1000000, got 4294967296",
            "big.toml:4: customers.count: must be at most 10000, got 4000000000",
            "has 2 problem(s)",
        ],
    );
    // The same sizes from the command line are refused before the run.
    let out = bin(&dir)
        .args(["simulate", "--no-journal", "--customers", "4000000000"])
        .output()
        .unwrap();
    refused(&out, &["customers.count: must be at most 10000"]);
    let out = bin(&dir)
        .args(["simulate", "--no-journal", "--capacity", "4294967296"])
        .output()
        .unwrap();
    refused(&out, &["office.max_capacity: must be at most 1000000"]);
}

#[test]
fn config_check_warns_when_no_vendor_sells_the_wanted_type() {
    let dir = scratch("check-warn");
    let out = check(
        &dir,
        "unsold.toml",
        "[[vendors]]\nname = \"v\"\nticket_types = [\"stalls\"]\n\
         [customers]\nticket_type = \"balcony\"\n",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: customers.ticket_type: no vendor sells \"balcony\""),
        "{stderr}"
    );
}

#[test]
fn config_template_promise_holds_every_field_may_be_left_out() {
    let dir = scratch("template");
    let out = bin(&dir).args(["config", "init"]).output().unwrap();
    assert!(out.status.success());
    let template = text(&out.stdout);
    assert!(template.contains("Every field may be left out"));
    // Keep the tables' headers only: every field and every [[list]] left out.
    let mut bare = String::new();
    for line in template.lines() {
        if line.starts_with('[') && !line.starts_with("[[") {
            bare.push_str(line);
            bare.push('\n');
        }
    }
    assert!(
        bare.contains("[office]") && bare.contains("[customers]"),
        "{bare}"
    );
    let out = check(&dir, "bare.toml", &bare);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{bare}\n{}", text(&out.stderr));
    // What was left out took the template's values.
    assert!(
        stdout.contains("ok (10000 tickets, 4 vendors, 16 customers, LockFree)"),
        "{stdout}"
    );
}

#[test]
fn simulate_warns_before_a_run_that_cannot_sell_to_its_customers() {
    let dir = scratch("simulate-warn");
    let config = dir.join("unsold.toml");
    std::fs::write(
        &config,
        "[[vendors]]\nname = \"v\"\nticket_types = [\"stalls\"]\n\
         [customers]\nticket_type = \"balcony\"\n",
    )
    .unwrap();
    let out = bin(&dir)
        .args([
            "simulate",
            "--quiet",
            "--no-journal",
            "--duration",
            "0.2",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: customers.ticket_type: no vendor sells \"balcony\""),
        "{stderr}"
    );
}
