//! `ticketpool simulate-seats`: the seated scenario from a file, its
//! report on stdout and as JSON, and a bad scenario refused with every
//! problem and exit code 2.

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod cli_support;

use self::cli_support::{scratch, text};

const SCENARIO: &str = r#"
seed = 3
waves = [{ tier = "premium" }, { section = "Stalls" }]

[fans]
groups = 80
threads = 4

[venue]
name = "Hall"
tiers = { premium = 9000, standard = 5000 }
[[venue.sections]]
name = "Stalls"
tier = "standard"
rows = "A-F"
seats = "1-14"
row_tiers = { "A" = "premium" }
"#;

fn simulate_seats(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticketpool"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .arg("simulate-seats")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_seated_run_reports_groups_and_checks_no_seat_was_sold_twice() {
    let dir = scratch("seats-run");
    std::fs::write(dir.join("hall.toml"), SCENARIO).unwrap();
    let out = simulate_seats(
        &dir,
        &[
            "hall.toml",
            "--groups",
            "50",
            "--vip-share",
            "0.5",
            "--json",
            "r.json",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for needle in [
        "Hall: 84 seats, 2 wave(s), 50 groups",
        "VIP",
        "Regular",
        "no seat sold twice: checked",
    ] {
        assert!(stdout.contains(needle), "{needle} in {stdout}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    let groups =
        report["vip"]["groups"].as_u64().unwrap() + report["regular"]["groups"].as_u64().unwrap();
    assert_eq!(groups, 50);
    assert_eq!(report["sold_twice"], 0);
    assert_eq!(report["seats_sold"], report["counts"]["sold"]);
}

#[test]
fn a_bad_scenario_is_a_usage_error_listing_every_problem() {
    let dir = scratch("seats-bad");
    let bad = SCENARIO
        .replace(r#"{ section = "Stalls" }"#, r#"{ section = "Balcony" }"#)
        .replace(
            r#"row_tiers = { "A" = "premium" }"#,
            r#"row_tiers = { "A" = "gold" }"#,
        );
    std::fs::write(dir.join("bad.toml"), &bad).unwrap();
    let out = simulate_seats(&dir, &["bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("\"gold\""), "{stderr}");

    // With the venue fixed, the wave's section is the problem named.
    std::fs::write(
        dir.join("wave.toml"),
        SCENARIO.replace(r#"{ section = "Stalls" }"#, r#"{ section = "Balcony" }"#),
    )
    .unwrap();
    let out = simulate_seats(&dir, &["wave.toml", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for needle in ["waves[1]: no section \"Balcony\"", "fans.threads"] {
        assert!(stderr.contains(needle), "{needle} in {stderr}");
    }

    let out = simulate_seats(&dir, &["missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read missing.toml"));
}
