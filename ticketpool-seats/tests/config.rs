//! The venue config: what it builds, and every problem it reports.
#![cfg(not(ticketpool_loom))]

use ticketpool_seats::{ConfigError, Problem, SeatId, VenueConfig};

const HALL: &str = r#"
name = "Grand Hall"

[tiers]
premium = 9500
standard = 6000

[[sections]]
name = "Stalls"
tier = "standard"
rows = "A-T"
seats = "1-30"
row_seats = { "A-B" = "3-28" }
row_tiers = { "A-C" = "premium" }
skip = ["C-5..7", "T-29..30"]
accessible = ["T-1..2"]
companion = ["T-3"]
restricted = ["S-1..4"]
x = 10.0
y = 2.0

[[sections]]
name = "Circle"
tier = "standard"
rows = "1-3"
seats = "1-10"
"#;

#[test]
fn builds_sections_rows_and_seats() {
    let map = VenueConfig::from_toml_str(HALL).unwrap();
    assert_eq!(map.name(), "Grand Hall");
    assert_eq!(map.sections().collect::<Vec<_>>(), ["Stalls", "Circle"]);
    // 2 rows of 26, 18 of 30, minus 3 + 2 gaps; 3 rows of 10.
    assert_eq!(map.seat_count(), 2 * 26 + 18 * 30 - 5 + 30);
    assert_eq!(map.seats().count(), map.seat_count());

    let a3 = map.seat(map.find("Stalls A-3").unwrap()).unwrap();
    assert_eq!(
        (a3.section, a3.row, a3.number, a3.tier),
        ("Stalls", "A", 3, "premium")
    );
    // Seat numbers line up across rows: A-3 is drawn above B-3 and C-3.
    let c3 = map.seat(map.find("Stalls C-3").unwrap()).unwrap();
    assert_eq!((a3.x, a3.y), (12.0, 2.0));
    assert_eq!((c3.x, c3.y), (12.0, 4.0));
    assert_eq!(c3.to_string(), "Stalls C-3");
    assert_eq!(
        map.seat(map.find("Stalls D-3").unwrap()).unwrap().tier,
        "standard"
    );

    // Gaps are no seats, and rows A-B have no seat 1 or 30.
    assert_eq!(map.find("Stalls C-6"), None);
    assert_eq!(map.find("Stalls A-1"), None);
    assert_eq!(map.find("Stalls T-30"), None);
    assert!(map.find("Stalls C-8").is_some());

    let t1 = map.seat(map.find("Stalls T-1").unwrap()).unwrap();
    assert!(t1.accessible && !t1.companion);
    assert!(map.seat(map.find("Stalls T-3").unwrap()).unwrap().companion);
    assert!(
        map.seat(map.find("Stalls S-4").unwrap())
            .unwrap()
            .restricted_view
    );
    assert!(
        !map.seat(map.find("Stalls S-5").unwrap())
            .unwrap()
            .restricted_view
    );

    assert_eq!(map.find("Circle 2-10"), map.seat_id("Circle", "2", 10));
    assert!(map.find("Circle 4-1").is_none());
    assert!(map.seat(SeatId(u32::MAX)).is_none());
}

fn problems(text: &str) -> Vec<String> {
    match VenueConfig::from_toml_str(text) {
        Err(ConfigError::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn every_problem_is_listed_with_where_it_is() {
    let found = problems(
        r#"
name = "Bad Hall"
tiers = { standard = 6000, cheap = -5 }

[[sections]]
name = "Stalls"
tier = "gold"
rows = "A-C"
seats = "1-10"
skip = ["C-5..12", "Z-1", "B-x"]
accessible = ["C-5"]
row_tiers = { "A" = "silver", "D" = "standard" }

[[sections]]
name = "Stalls"
tier = "standard"
rows = "T-A"
seats = "1-10"

[[sections]]
name = "Circle"
tier = "standard"
rows = "A-B"
seats = "1-2000"
"#,
    );
    let expect = [
        "tiers.cheap: price -5 is negative",
        "section \"Stalls\", tier: unknown price tier \"gold\" (the venue's tiers: cheap, standard)",
        "section \"Stalls\", row_tiers \"A\": unknown price tier \"silver\"",
        "section \"Stalls\", row_tiers \"D\": row \"D\" is not one of the section's rows (A-C)",
        "section \"Stalls\", skip \"C-5..12\": seat 12 is outside row C, which has seats 1-10",
        "section \"Stalls\", skip \"Z-1\": row \"Z\" is not one of the section's rows (A-C)",
        "section \"Stalls\", skip \"B-x\": bad range \"B-x\"",
        "section \"Stalls\": section \"Stalls\" is defined twice",
        "section \"Stalls\", rows: bad range \"T-A\": the range runs backwards",
        "section \"Circle\", seats: row A has 2000 seats, more than 1024",
    ];
    for want in expect {
        assert!(
            found.iter().any(|f| f.starts_with(want)),
            "missing {want:?} in\n{}",
            found.join("\n")
        );
    }
    assert_eq!(found.len(), expect.len() + 1, "{}", found.join("\n")); // + Circle row B
}

#[test]
fn a_flag_on_a_gap_and_an_empty_venue_are_problems() {
    let found = problems(
        r#"
name = "Hall"
tiers = { standard = 1 }
[[sections]]
name = "Stalls"
tier = "standard"
rows = "A"
seats = "1-10"
skip = ["A-5"]
companion = ["A-4..6"]
"#,
    );
    assert_eq!(
        found,
        ["section \"Stalls\", companion \"A-4..6\": seat A-5 is a gap (in skip), so it cannot be companion"]
    );
    let found = problems("name = \"\"\n");
    assert_eq!(
        found,
        [
            "venue name: the name is empty",
            "venue: the venue has no sections"
        ]
    );
}

#[test]
fn text_that_is_not_a_venue_is_a_parse_error() {
    let err = VenueConfig::from_toml_str("name = \"Hall\"\nsection = 3\n").unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
    assert!(err.to_string().contains("section"), "{err}");
    assert!(err.problems().is_empty());
}

/// 40 sections of 40 rows by 50 seats: a stadium builds (and that in well
/// under a second even unoptimised; the bench times it).
#[test]
fn an_80000_seat_stadium_builds() {
    let mut text = String::from("name = \"Stadium\"\ntiers = { lower = 8000, upper = 4000 }\n");
    for s in 0..40 {
        let tier = if s < 20 { "lower" } else { "upper" };
        text.push_str(&format!(
            "[[sections]]\nname = \"S{s}\"\ntier = \"{tier}\"\nrows = \"A-AN\"\nseats = \"1-50\"\n"
        ));
    }
    let map = VenueConfig::from_toml_str(&text).unwrap();
    assert_eq!(map.seat_count(), 80_000);
    let last = map.find("S39 AN-50").unwrap();
    assert_eq!(map.seat(last).unwrap().tier, "upper");
}

#[test]
fn a_problem_display_lists_them_all() {
    let err = VenueConfig::from_toml_str(
        "name = \"Hall\"\n[[sections]]\nname = \"A\"\ntier = \"x\"\nrows = \"A\"\nseats = \"5-1\"\n",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("venue config has 2 problem(s):"), "{text}");
    assert!(matches!(
        err.problems()[1].problem,
        Problem::BadRange { .. }
    ));
}

#[test]
fn huge_numbers_are_problems_not_panics() {
    let found = problems(
        r#"
name = "Hall"
tiers = { t = 1 }
[[sections]]
name = "Wide"
tier = "t"
rows = "A"
seats = "0-4294967295"
skip = ["A-4294967295"]
[[sections]]
name = "Deep"
tier = "t"
rows = "1-99999999999"
seats = "1-2"
[[sections]]
name = "Long"
tier = "t"
rows = "A-ZZZ"
seats = "1-2"
"#,
    );
    assert_eq!(
        found,
        [
            "section \"Wide\", seats: row A has 4294967296 seats, more than 1024",
            "section \"Deep\", rows: bad range \"1-99999999999\": the row number is too large",
            "section \"Long\", rows: bad range \"A-ZZZ\": more than 1,000 rows",
            "venue: the venue has 4294967296 seat places, more than 4000000",
        ]
    );
}

#[test]
fn a_single_seat_outside_its_row_is_one_problem_not_two() {
    let text = r#"
name = "Hall"
tiers = { standard = 5000 }
[[sections]]
name = "Stalls"
tier = "standard"
rows = "A-B"
seats = "1-10"
skip = ["B-50", "A-11..12"]
"#;
    let found = problems(text);
    assert_eq!(
        found,
        [
            "section \"Stalls\", skip \"B-50\": seat 50 is outside row B, which has seats 1-10",
            "section \"Stalls\", skip \"A-11..12\": seat 11 is outside row A, which has seats 1-10",
            "section \"Stalls\", skip \"A-11..12\": seat 12 is outside row A, which has seats 1-10",
        ]
    );
}
