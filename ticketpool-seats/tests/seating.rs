//! Selling seats: waves, holds of named seats (all or nothing), confirm,
//! release, expiry, prices fixed at hold, and the snapshot's counts.
#![cfg(not(ticketpool_loom))]

use std::sync::Arc;
use std::time::Duration;

use ticketpool_core::Money;
use ticketpool_seats::{
    ManualClock, SeatError, SeatId, SeatState, Seating, StateCounts, VenueConfig,
};

const HALL: &str = r#"
name = "Hall"
tiers = { premium = 9000, standard = 5000 }
[[sections]]
name = "Stalls"
tier = "standard"
rows = "A-C"
seats = "1-10"
row_tiers = { "A" = "premium" }
skip = ["B-5"]
[[sections]]
name = "Circle"
tier = "standard"
rows = "A-B"
seats = "1-5"
"#;

fn seating() -> (Seating, Arc<ManualClock>) {
    let map = Arc::new(VenueConfig::from_toml_str(HALL).unwrap());
    let clock = Arc::new(ManualClock::new());
    let seating =
        Seating::with_clock(map, clock.clone()).with_hold_duration(Duration::from_secs(300));
    (seating, clock)
}

fn ids(seating: &Seating, labels: &[&str]) -> Vec<SeatId> {
    labels
        .iter()
        .map(|l| seating.map().find(l).unwrap())
        .collect()
}

#[test]
fn seats_start_not_on_sale_and_vendors_release_them_in_waves() {
    let (seating, _) = seating();
    let a1 = ids(&seating, &["Stalls A-1"])[0];
    assert_eq!(seating.state(a1), Some(SeatState::NotOnSale));
    let err = seating.hold(&[a1]).unwrap_err();
    assert_eq!(
        err,
        SeatError::Unavailable {
            seats: vec![(a1, SeatState::NotOnSale)]
        }
    );

    assert_eq!(seating.release_tier("premium").unwrap(), 10);
    assert_eq!(seating.state(a1), Some(SeatState::Available));
    assert_eq!(
        seating.release_block("Stalls", "A-B").unwrap(),
        9,
        "row A was on sale already"
    );
    assert_eq!(seating.release_section("Stalls").unwrap(), 10);
    assert_eq!(
        seating
            .release_seats(&ids(&seating, &["Circle A-1"]))
            .unwrap(),
        1
    );
    assert_eq!(seating.release_all(), 9);
    assert_eq!(seating.release_all(), 0);

    assert_eq!(
        seating.release_section("Balcony"),
        Err(SeatError::UnknownSection("Balcony".into()))
    );
    assert_eq!(
        seating.release_tier("gold"),
        Err(SeatError::UnknownTier("gold".into()))
    );
    assert!(matches!(
        seating.release_block("Stalls", "D"),
        Err(SeatError::UnknownRow { .. })
    ));
    assert!(matches!(
        seating.release_block("Stalls", "x-"),
        Err(SeatError::UnknownRow { .. })
    ));
}

#[test]
fn a_hold_of_named_seats_is_all_or_nothing() {
    let (seating, _) = seating();
    seating.release_all();
    let first = seating.hold_labels(&["Stalls C-1", "Stalls C-2"]).unwrap();
    let clash = seating
        .hold_labels(&["Circle A-1", "Stalls A-1", "Stalls C-2", "Stalls C-3"])
        .unwrap_err();
    let c2 = ids(&seating, &["Stalls C-2"])[0];
    assert_eq!(
        clash,
        SeatError::Unavailable {
            seats: vec![(c2, SeatState::Held)]
        }
    );
    for label in ["Circle A-1", "Stalls A-1", "Stalls C-3"] {
        let id = ids(&seating, &[label])[0];
        assert_eq!(
            seating.state(id),
            Some(SeatState::Available),
            "{label} was left held"
        );
    }
    assert_eq!(seating.hold_count(), 1);
    assert_eq!(seating.release_hold(first.id).unwrap(), first.seats);
    assert_eq!(seating.state(c2), Some(SeatState::Available));
    assert_eq!(
        seating.release_hold(first.id),
        Err(SeatError::NoSuchHold(first.id))
    );
}

#[test]
fn bad_requests_are_typed_errors() {
    let (seating, _) = seating();
    seating.release_all();
    assert_eq!(seating.hold(&[]), Err(SeatError::BadRequest));
    let a1 = ids(&seating, &["Stalls A-1"])[0];
    assert_eq!(seating.hold(&[a1, a1]), Err(SeatError::BadRequest));
    // B-5 is a gap: its id is no seat.
    let gap = SeatId(ids(&seating, &["Stalls B-4"])[0].0 + 1);
    assert_eq!(seating.hold(&[a1, gap]), Err(SeatError::UnknownSeat(gap)));
    assert_eq!(seating.state(gap), None);
    assert_eq!(
        seating.hold_labels(&["Stalls B-5"]),
        Err(SeatError::UnknownLabel("Stalls B-5".into()))
    );
    assert_eq!(seating.state(a1), Some(SeatState::Available));
}

#[test]
fn confirm_sells_at_the_price_fixed_when_held() {
    let (seating, _) = seating();
    seating.release_all();
    let hold = seating.hold_labels(&["Stalls A-1", "Stalls B-1"]).unwrap();
    assert_eq!(hold.price, Money::from_minor(9000 + 5000));
    seating
        .set_tier_price("premium", Money::from_minor(20_000))
        .unwrap();
    assert_eq!(
        seating.tier_price("premium"),
        Some(Money::from_minor(20_000))
    );
    let sale = seating.confirm(hold.id).unwrap();
    assert_eq!(sale.price, Money::from_minor(14_000));
    assert_eq!(sale.seats, hold.seats);
    for &s in &sale.seats {
        assert_eq!(seating.state(s), Some(SeatState::Sold));
    }
    assert_eq!(
        seating.confirm(hold.id),
        Err(SeatError::NoSuchHold(hold.id))
    );
    assert_eq!(
        seating.release_hold(hold.id),
        Err(SeatError::NoSuchHold(hold.id))
    );
    // Sold stays sold: a new hold of it fails, a new wave does not free it.
    assert!(matches!(
        seating.hold(&sale.seats[..1]),
        Err(SeatError::Unavailable { .. })
    ));
    seating.release_all();
    assert_eq!(seating.state(sale.seats[0]), Some(SeatState::Sold));
    let next = seating.hold_labels(&["Stalls A-2"]).unwrap();
    assert_eq!(next.price, Money::from_minor(20_000));
}

#[test]
fn expired_holds_are_reaped_and_cannot_be_confirmed() {
    let (seating, clock) = seating();
    seating.release_all();
    let early = seating.hold_labels(&["Stalls A-1"]).unwrap();
    clock.advance(Duration::from_secs(200));
    let late = seating.hold_labels(&["Stalls A-2"]).unwrap();
    assert_eq!(seating.reap(), 0);
    clock.advance(Duration::from_secs(100));
    // `early` is due now, `late` in 200 s.
    assert_eq!(seating.reap(), 1);
    assert_eq!(seating.state(early.seats[0]), Some(SeatState::Available));
    assert_eq!(seating.state(late.seats[0]), Some(SeatState::Held));
    assert_eq!(
        seating.confirm(early.id),
        Err(SeatError::NoSuchHold(early.id))
    );

    // A lapsed hold that nobody reaped yet: confirm refuses and frees it.
    clock.advance(Duration::from_secs(200));
    assert_eq!(seating.confirm(late.id), Err(SeatError::Expired(late.id)));
    assert_eq!(seating.state(late.seats[0]), Some(SeatState::Available));
    assert_eq!(seating.hold_count(), 0);
    assert_eq!(seating.reap(), 0);
}

#[test]
fn the_snapshot_shows_every_seat_and_counts_by_section_and_tier() {
    let (seating, _) = seating();
    seating.release_section("Stalls").unwrap();
    let sold = seating.hold_labels(&["Stalls A-1", "Stalls A-2"]).unwrap();
    seating.confirm(sold.id).unwrap();
    let _held = seating.hold_labels(&["Stalls B-10"]).unwrap();

    let snap = seating.snapshot();
    assert_eq!(snap.seats().count(), seating.map().seat_count());
    for (id, state) in snap.seats() {
        assert_eq!(seating.state(id), Some(state));
    }
    let stalls = StateCounts {
        not_on_sale: 0,
        available: 26,
        held: 1,
        sold: 2,
    };
    let circle = StateCounts {
        not_on_sale: 10,
        available: 0,
        held: 0,
        sold: 0,
    };
    assert_eq!(
        snap.by_section(),
        [
            ("Stalls".to_string(), stalls),
            ("Circle".to_string(), circle)
        ]
    );
    let premium = StateCounts {
        not_on_sale: 0,
        available: 8,
        held: 0,
        sold: 2,
    };
    let standard = StateCounts {
        not_on_sale: 10,
        available: 18,
        held: 1,
        sold: 0,
    };
    assert_eq!(
        snap.by_tier(),
        [
            ("premium".to_string(), premium),
            ("standard".to_string(), standard)
        ]
    );
    assert_eq!(snap.counts().total(), seating.map().seat_count());
    let text = snap.rows_text();
    assert!(
        text.starts_with("Stalls A: ssaaaaaaaa\nStalls B: aaaa aaaah\n"),
        "{text}"
    );
    assert!(text.ends_with("Circle B: -----\n"), "{text}");
}

#[test]
fn each_seat_keeps_its_own_tiers_price_fixed_when_held() {
    let (seating, _) = seating();
    seating.release_all();
    let m = Money::from_minor;
    // Mixed tiers: one price per seat, in the order asked.
    let mixed = seating
        .hold_labels(&["Stalls B-1", "Stalls A-1", "Circle A-2"])
        .unwrap();
    assert_eq!(mixed.prices.to_vec(), vec![m(5000), m(9000), m(5000)]);
    assert_eq!(mixed.prices.total(), mixed.price);
    // One tier: the same price for each.
    let single = seating.hold_labels(&["Stalls A-5", "Stalls A-6"]).unwrap();
    assert_eq!(single.prices.to_vec(), vec![m(9000), m(9000)]);
    assert_eq!(single.price, m(18_000));
    // A later price change leaves both holds' prices as they were.
    seating.set_tier_price("premium", m(20_000)).unwrap();
    seating.set_tier_price("standard", m(1_000)).unwrap();
    let sale = seating.confirm(mixed.id).unwrap();
    assert_eq!(sale.prices.to_vec(), vec![m(5000), m(9000), m(5000)]);
    assert_eq!(sale.price, m(19_000));
    let sale = seating.confirm(single.id).unwrap();
    assert_eq!(sale.prices, single.prices);
    assert_eq!(sale.prices.get(1), Some(m(9000)));
    // Holds made after the change take the new prices.
    let next = seating.hold_labels(&["Stalls A-7", "Stalls C-1"]).unwrap();
    assert_eq!(next.prices.to_vec(), vec![m(20_000), m(1_000)]);
}

#[test]
fn a_withdrawn_hold_takes_its_seats_off_sale_until_released_again() {
    let (seating, _) = seating();
    let seats = ids(&seating, &["Circle A-1", "Circle A-2"]);
    seating.release_seats(&seats).unwrap();
    let hold = seating.hold(&seats).unwrap();
    assert_eq!(seating.withdraw_hold(hold.id).unwrap(), seats);
    for &id in &seats {
        assert_eq!(seating.state(id), Some(SeatState::NotOnSale));
    }
    assert!(matches!(
        seating.hold(&seats),
        Err(SeatError::Unavailable { .. })
    ));
    assert!(matches!(
        seating.withdraw_hold(hold.id),
        Err(SeatError::NoSuchHold(_))
    ));
    // Released again, they are available like any released seat.
    assert_eq!(seating.release_seats(&seats).unwrap(), 2);
    assert!(seating.hold(&seats).is_ok());
}
