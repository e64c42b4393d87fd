//! Best available: the documented rule (front row first, then the block
//! centred nearest the row's centre, ties to the lowest seat number), gaps,
//! tiers across sections, and accessible blocks.
#![cfg(not(ticketpool_loom))]

use std::sync::Arc;

use ticketpool_seats::{BestAvailable, SeatError, SeatHold, Seating, VenueConfig};

fn seating(text: &str) -> Seating {
    let seating = Seating::new(Arc::new(VenueConfig::from_toml_str(text).unwrap()));
    seating.release_all();
    seating
}

fn labels(seating: &Seating, hold: &SeatHold) -> Vec<String> {
    hold.seats
        .iter()
        .map(|&s| seating.map().seat(s).unwrap().to_string())
        .collect()
}

fn best(seating: &Seating, want: BestAvailable<'_>) -> Vec<String> {
    labels(seating, &seating.best_available(want).unwrap())
}

const ROWS: &str = r#"
name = "Hall"
tiers = { standard = 100 }
[[sections]]
name = "S"
tier = "standard"
rows = "A-C"
seats = "1-10"
"#;

#[test]
fn the_front_row_first_and_centred_then_the_lowest_seat_on_a_tie() {
    let s = seating(ROWS);
    // Row of 10, centre 5.5: 4 seats 4-7 are exactly centred.
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 4)),
        ["S A-4", "S A-5", "S A-6", "S A-7"]
    );
    // 3 seats: 1-3 and 8-10 are left; both centres are 3.5 away: lowest wins.
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 3)),
        ["S A-1", "S A-2", "S A-3"]
    );
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 3)),
        ["S A-8", "S A-9", "S A-10"]
    );
    // Row A is full: row B, centred; odd count on an even row: 5-7 and 4-6
    // are both 0.5 off centre, the lower wins.
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 3)),
        ["S B-4", "S B-5", "S B-6"]
    );
    assert_eq!(best(&s, BestAvailable::anywhere(1)), ["S B-7"]);
}

#[test]
fn a_block_never_spans_a_gap_or_a_taken_seat() {
    let s = seating(&format!("{ROWS}skip = [\"A-6\"]\n"));
    // Row A is 1-5 | 7-10: no 6 adjacent, so row B.
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 6)).first().unwrap(),
        "S B-3"
    );
    // 5 fit in A's left part only.
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 5)),
        ["S A-1", "S A-2", "S A-3", "S A-4", "S A-5"]
    );
    // A seat taken in the middle of row C splits it too.
    let c = s.hold_labels(&["S C-5"]).unwrap();
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 5)),
        ["S C-6", "S C-7", "S C-8", "S C-9", "S C-10"]
    );
    s.release_hold(c.id).unwrap();
}

#[test]
fn nothing_fits_is_no_block_and_nothing_is_held() {
    let s = seating(ROWS);
    assert_eq!(
        s.best_available(BestAvailable::in_section("S", 11)),
        Err(SeatError::NoBlock { wanted: 11 })
    );
    assert_eq!(
        s.best_available(BestAvailable::anywhere(0)),
        Err(SeatError::BadRequest)
    );
    assert_eq!(
        s.best_available(BestAvailable::in_section("T", 1)),
        Err(SeatError::UnknownSection("T".into()))
    );
    assert_eq!(
        s.best_available(BestAvailable::in_tier("gold", 1)),
        Err(SeatError::UnknownTier("gold".into()))
    );
    for _ in 0..3 {
        s.best_available(BestAvailable::in_section("S", 10))
            .unwrap();
    }
    assert_eq!(
        s.best_available(BestAvailable::anywhere(1)),
        Err(SeatError::NoBlock { wanted: 1 })
    );
    assert_eq!(s.hold_count(), 3);
}

#[test]
fn a_tier_takes_the_front_rows_of_every_section_first() {
    let s = seating(
        r#"
name = "Hall"
tiers = { premium = 300, standard = 100 }
[[sections]]
name = "Left"
tier = "standard"
rows = "A-C"
seats = "1-4"
row_tiers = { "B-C" = "premium" }
[[sections]]
name = "Right"
tier = "premium"
rows = "A-C"
seats = "1-4"
"#,
    );
    let want = BestAvailable::in_tier("premium", 4);
    // Right A (depth 0) before Left B (depth 1); then Left B before Right B.
    assert_eq!(best(&s, want)[0], "Right A-1");
    assert_eq!(best(&s, want)[0], "Left B-1");
    assert_eq!(best(&s, want)[0], "Right B-1");
    let hold = s
        .best_available(BestAvailable::in_tier("standard", 2))
        .unwrap();
    assert_eq!(labels(&s, &hold), ["Left A-2", "Left A-3"]);
    assert_eq!(hold.price.minor(), 200);
}

#[test]
fn an_accessible_block_has_an_accessible_place_and_a_companion() {
    let s = seating(
        r#"
name = "Hall"
tiers = { standard = 100 }
[[sections]]
name = "S"
tier = "standard"
rows = "A-D"
seats = "1-10"
accessible = ["C-1", "D-9..10"]
companion = ["D-8", "C-10"]
"#,
    );
    let want = BestAvailable::in_section("S", 2).accessible();
    // Row C's accessible place has no companion within 2 seats: row D.
    assert_eq!(best(&s, want), ["S D-8", "S D-9"]);
    // Ten seats of row C hold C-1 and C-10.
    let wide = BestAvailable::in_section("S", 10).accessible();
    assert_eq!(best(&s, wide).len(), 10);
    // One seat needs no companion: D-10 is the one accessible place left.
    assert_eq!(
        best(&s, BestAvailable::in_section("S", 1).accessible()),
        ["S D-10"]
    );
    assert_eq!(
        s.best_available(want),
        Err(SeatError::NoBlock { wanted: 2 })
    );
}

#[test]
fn blocks_across_a_word_boundary_in_a_long_row() {
    let s = seating(
        r#"
name = "Long"
tiers = { standard = 1 }
[[sections]]
name = "S"
tier = "standard"
rows = "A"
seats = "1-130"
"#,
    );
    // Row centre 65.5: 64-67, across bits 63 and 64.
    assert_eq!(
        best(&s, BestAvailable::anywhere(4)),
        ["S A-64", "S A-65", "S A-66", "S A-67"]
    );
    // 1-63 and 68-130 are left: 64 fit in neither; for 63 both are 33.5
    // off centre, and the lower goes first.
    assert_eq!(
        s.best_available(BestAvailable::anywhere(64)),
        Err(SeatError::NoBlock { wanted: 64 })
    );
    let hold = s.best_available(BestAvailable::anywhere(63)).unwrap();
    assert_eq!(labels(&s, &hold)[0], "S A-1");
    let hold = s.best_available(BestAvailable::anywhere(63)).unwrap();
    assert_eq!(labels(&s, &hold)[62], "S A-130");
}
