//! The seated scenario: groups seated together in adjacent seats, VIPs
//! first, lapsed holds reaped and reoffered, and no seat sold twice.

use std::collections::HashSet;

use ticketpool_sim::{run_seated, SeatedConfig, SimulationError, Wave};

const HALL: &str = r#"
seed = 11
waves = [{ tier = "premium" }, { section = "Stalls" }, { section = "Circle" }]

[fans]
groups = 300
threads = 4
vip_share = 0.2
lapse_share = 0.1

[venue]
name = "Hall"
tiers = { premium = 9000, standard = 5000 }
[[venue.sections]]
name = "Stalls"
tier = "standard"
rows = "A-H"
seats = "1-20"
row_tiers = { "A-B" = "premium" }
skip = ["C-10..11"]
[[venue.sections]]
name = "Circle"
tier = "standard"
rows = "A-D"
seats = "1-16"
"#;

fn hall() -> SeatedConfig {
    SeatedConfig::from_toml_str(HALL).unwrap()
}

#[test]
fn every_group_is_accounted_for_and_no_seat_is_sold_twice() {
    let report = run_seated(&hall()).unwrap();
    assert_eq!(report.seats, 8 * 20 - 2 + 4 * 16);
    assert_eq!(report.groups(), 300);
    assert_eq!(report.waves, 3);
    for o in [report.vip, report.regular] {
        assert_eq!(o.seated_together + o.not_seated + o.lapsed, o.groups);
        assert!(o.fans_seated <= o.fans);
    }
    assert!(report.consistent(), "{}", report.to_text());
    assert_eq!(report.sold_twice, 0);
    assert!(report.snapshot_matches_sales);
    assert_eq!(report.counts.held, 0, "every lapsed hold was reaped");
    assert_eq!(
        report.seats_sold,
        report.vip.fans_seated + report.regular.fans_seated
    );
    // ~1,000 fans for 222 seats: the hall sells out bar the odd seat.
    assert!(report.seats_sold > report.seats / 2, "{}", report.to_text());
    assert!(report.counts.sold + report.counts.available == report.seats);
    assert!(report.seated_together() > 0 && report.regular.not_seated > 0);
}

#[test]
fn lapsed_holds_expire_and_their_seats_are_sold_again() {
    let mut config = hall();
    config.fans.lapse_share = 0.5;
    let report = run_seated(&config).unwrap();
    let lapsed = report.vip.lapsed + report.regular.lapsed;
    assert!(lapsed > 0);
    assert_eq!(
        report.holds_expired, lapsed,
        "each lapsed hold is reaped once"
    );
    assert!(report.consistent(), "{}", report.to_text());
}

#[test]
fn vips_pick_first_when_seats_are_scarce() {
    let mut config = hall();
    config.waves = vec![Wave::section("Stalls")];
    config.fans.groups = 400;
    config.fans.vip_share = 0.1;
    config.fans.tier_share = 0.0;
    config.fans.lapse_share = 0.0;
    let report = run_seated(&config).unwrap();
    assert!(
        report.vip.seated_share() > report.regular.seated_share(),
        "{}",
        report.to_text()
    );
    assert_eq!(
        report.by_section[1].1.not_on_sale, 64,
        "the Circle was never released"
    );
}

#[test]
fn groups_are_drawn_from_the_seed() {
    let mut one = hall();
    one.fans.threads = 1;
    let a = run_seated(&one).unwrap();
    let b = run_seated(&one).unwrap();
    // One thread serves the queue in order: the same seed, the same sale.
    assert_eq!(a, b);
    let mut other = one.clone();
    other.seed = 12;
    let c = run_seated(&other).unwrap();
    assert_ne!((a.vip, a.regular), (c.vip, c.regular));
}

#[test]
fn a_bad_scenario_lists_every_problem() {
    let mut config = hall();
    config.waves = vec![
        Wave::section("Balcony"),
        Wave::tier("gold"),
        Wave {
            section: None,
            tier: None,
        },
    ];
    config.fans.threads = 0;
    config.fans.max_group = 7;
    config.fans.vip_share = 1.5;
    let err = run_seated(&config).unwrap_err();
    let SimulationError::Seated { problems } = &err else {
        panic!("{err}");
    };
    assert_eq!(problems.len(), 6, "{problems:?}");
    let text = err.to_string();
    for needle in [
        "Balcony",
        "gold",
        "waves[2]",
        "fans.threads",
        "fans.max_group",
        "fans.vip_share",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
}

#[test]
fn a_bad_venue_is_the_venue_error_with_every_problem() {
    let text = HALL
        .replace(
            "tier = \"standard\"\nrows = \"A-D\"",
            "tier = \"silver\"\nrows = \"A-D\"",
        )
        .replace("skip = [\"C-10..11\"]", "skip = [\"Z-1\"]");
    let err = run_seated(&SeatedConfig::from_toml_str(&text).unwrap()).unwrap_err();
    let SimulationError::Venue(venue) = &err else {
        panic!("{err}");
    };
    assert_eq!(venue.problems().len(), 2, "{err}");
    let unknown = SeatedConfig::from_toml_str("seed = 1\nvenue = 3").unwrap_err();
    assert!(
        matches!(unknown, SimulationError::Seated { .. }),
        "{unknown}"
    );
}

#[test]
fn the_report_text_names_the_outcomes() {
    let report = run_seated(&hall()).unwrap();
    let text = report.to_text();
    for needle in [
        "VIP",
        "Regular",
        "seated together",
        "holds expired",
        "no seat sold twice: checked",
        "Stalls:",
        "Circle:",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let json = serde_json::to_string(&report).unwrap();
    let back: ticketpool_sim::SeatedReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    let sections: HashSet<_> = report.by_section.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(sections, HashSet::from(["Stalls", "Circle"]));
}
