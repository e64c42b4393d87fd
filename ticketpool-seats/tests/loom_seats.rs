//! loom models of the multi-seat claim: every interleaving of two buyers
//! (and a release) on seats spread over two bitmap words.
//!
//! Run with
//! `LOOM_MAX_PREEMPTIONS=2 RUSTFLAGS="--cfg ticketpool_loom" cargo test -p ticketpool-seats --release --test loom_seats`.
#![cfg(ticketpool_loom)]

use std::sync::Arc;

use loom::thread;
use ticketpool_seats::{SeatId, SeatMap, SeatState, Seating, VenueConfig};

/// Rows A and B of two seats: each row is its own bitmap word, so a hold
/// of A-1 and B-1 is a two-word claim.
fn map() -> Arc<SeatMap> {
    let text = r#"
name = "Model"
tiers = { t = 1 }
[[sections]]
name = "S"
tier = "t"
rows = "A-B"
seats = "1-2"
"#;
    Arc::new(VenueConfig::from_toml_str(text).unwrap())
}

fn ids(map: &SeatMap, labels: &[&str]) -> Vec<SeatId> {
    labels.iter().map(|l| map.find(l).unwrap()).collect()
}

fn states(seating: &Seating) -> Vec<SeatState> {
    seating.snapshot().seats().map(|(_, s)| s).collect()
}

/// Two buyers claim overlapping two-word sets, listed in opposite orders:
/// exactly one gets all of its seats, the other none (its seat outside the
/// overlap is available again), and releasing the winner's hold makes every
/// seat available.
#[test]
fn overlapping_claims_one_wins_nothing_half_held() {
    let map = map();
    loom::model(move || {
        let seating = Arc::new(Seating::new(Arc::clone(&map)));
        seating.release_all();
        let mine = ids(&map, &["S A-1", "S B-1"]);
        let theirs = ids(&map, &["S B-1", "S A-2", "S B-2"]);
        let other = {
            let (seating, theirs) = (Arc::clone(&seating), theirs.clone());
            thread::spawn(move || seating.hold(&theirs))
        };
        let first = seating.hold(&mine);
        let second = other.join().unwrap();
        assert!(
            first.is_ok() != second.is_ok(),
            "exactly one wins: {first:?} {second:?}"
        );
        let winner = first.as_ref().or(second.as_ref()).unwrap().clone();
        for (id, state) in seating.snapshot().seats() {
            let want = if winner.seats.contains(&id) {
                SeatState::Held
            } else {
                SeatState::Available
            };
            assert_eq!(state, want, "seat {id:?}");
        }
        seating.release_hold(winner.id).unwrap();
        assert!(states(&seating).iter().all(|&s| s == SeatState::Available));
        assert_eq!(seating.hold_count(), 0);
    });
}

/// One buyer's hold is released while another claims one of its seats and
/// one free seat in the other word: the claim either gets both or neither,
/// and no seat is held by nobody afterwards.
#[test]
fn a_claim_racing_a_release() {
    let map = map();
    loom::model(move || {
        let seating = Arc::new(Seating::new(Arc::clone(&map)));
        seating.release_all();
        let held = seating.hold(&ids(&map, &["S A-1", "S B-1"])).unwrap();
        let want = ids(&map, &["S A-1", "S B-2"]);
        let claimer = {
            let (seating, want) = (Arc::clone(&seating), want.clone());
            thread::spawn(move || seating.hold(&want))
        };
        assert_eq!(seating.release_hold(held.id).unwrap().len(), 2);
        let claimed = claimer.join().unwrap();
        for (id, state) in seating.snapshot().seats() {
            let mine = claimed.is_ok() && want.contains(&id);
            let expect = if mine {
                SeatState::Held
            } else {
                SeatState::Available
            };
            assert_eq!(state, expect, "seat {id:?} after {claimed:?}");
        }
    });
}

/// Confirm and release of one hold race (a buyer paying while the hold is
/// cancelled): exactly one ends it, and the seats end sold or available,
/// never held.
#[test]
fn confirm_and_release_end_a_hold_once() {
    let map = map();
    loom::model(move || {
        let seating = Arc::new(Seating::new(Arc::clone(&map)));
        seating.release_all();
        let hold = seating.hold(&ids(&map, &["S A-2", "S B-1"])).unwrap();
        let payer = {
            let seating = Arc::clone(&seating);
            thread::spawn(move || seating.confirm(hold.id))
        };
        let released = seating.release_hold(hold.id);
        let paid = payer.join().unwrap();
        assert!(released.is_ok() != paid.is_ok());
        let end = if paid.is_ok() {
            SeatState::Sold
        } else {
            SeatState::Available
        };
        for &id in &hold.seats {
            assert_eq!(seating.state(id), Some(end));
        }
    });
}
