//! Seat leases under a race, against PostgreSQL: threads of three nodes,
//! each on its own connection, hold random overlapping sets of specific
//! seats and confirm or release them, while one thread per node leases rows
//! and sells from its leases. Afterwards no seat was acknowledged twice and
//! every acknowledged sale is in the table, with nothing else sold. Skipped
//! without a server unless `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(feature = "postgres")]

mod lease_support;

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use ticketpool_persist::SeatHoldOutcome;
use ticketpool_seats::{SeatId, SeatMap};

use lease_support::seats::{seat_ids, seat_rows, seat_sales, stock_venue, venue};
use lease_support::{schema, Schema};

const LONG: Duration = Duration::from_secs(60);
const EVENT: u64 = 1;
const SOLD: i16 = 3;

/// Every sale a node acknowledged: seat -> (node, customer), and any seat
/// acknowledged twice.
#[derive(Default)]
struct Acks {
    sold: HashMap<SeatId, (String, String)>,
    twice: Vec<(SeatId, String, String)>,
}

impl Acks {
    fn record(&mut self, seat: SeatId, node: &str, customer: &str) {
        let ack = (node.to_owned(), customer.to_owned());
        if let Some(first) = self.sold.insert(seat, ack) {
            self.twice.push((seat, first.1, customer.to_owned()));
        }
    }
}

/// A buyer thread: picks 1-4 seats around a random seat (so buyers
/// collide), holds them, then confirms (sometimes twice, as a retry) or
/// releases them.
fn buyer(schema: &Schema, map: &SeatMap, node: &str, seed: u64, acks: &Mutex<Acks>) -> u32 {
    let mut inventory = schema.seats();
    let mut rng = fastrand::Rng::with_seed(seed);
    let slots = map.slot_count() as u32;
    let mut held = 0;
    for i in 0..200 {
        let start = rng.u32(0..slots);
        let mut seats: Vec<SeatId> = (0..rng.u32(1..=4))
            .map(|_| SeatId((start + rng.u32(0..6)) % slots))
            .collect();
        seats.sort();
        seats.dedup();
        let customer = format!("{node}-{seed}-{i}");
        let outcome = inventory
            .hold_specific(node, EVENT, &seats, &customer, LONG)
            .unwrap();
        let SeatHoldOutcome::Held(got) = outcome else {
            continue;
        };
        held += 1;
        assert_eq!(seat_ids(&got), seats);
        if rng.u8(0..5) == 0 {
            assert_eq!(
                inventory
                    .release_hold(node, EVENT, &customer, &seats)
                    .unwrap(),
                seats.len() as u64
            );
            continue;
        }
        let sales = seat_sales(&customer, &got);
        for _ in 0..1 + rng.u8(0..2) {
            let outcome = inventory.confirm_hold(node, EVENT, &sales).unwrap();
            // The hold is live and ours: it cannot be lost.
            assert_eq!(outcome.committed, seats, "{customer}: {:?}", outcome.lost);
        }
        let mut acks = acks.lock().unwrap();
        for seat in &seats {
            acks.record(*seat, node, &customer);
        }
    }
    held
}

/// A node's selling thread: leases a random row, sells some of it from
/// memory (acknowledging only what commits: seats its own buyers held
/// since come back lost) and hands the rest back.
fn seller(schema: &Schema, node: &str, seed: u64, acks: &Mutex<Acks>) -> (u32, u32) {
    let mut inventory = schema.seats();
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut committed, mut lost) = (0, 0);
    for i in 0..30 {
        let section = ["Stalls", "Circle"][rng.usize(0..2)];
        let row = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"][rng.usize(0..10)];
        let leased = inventory
            .lease_rows(node, EVENT, section, &[row], LONG)
            .unwrap();
        let customer = format!("{node}-walkup-{seed}-{i}");
        let sold: Vec<_> = leased
            .iter()
            .filter(|_| rng.u8(0..4) == 0)
            .cloned()
            .collect();
        let outcome = inventory
            .commit_sales(node, EVENT, &seat_sales(&customer, &sold))
            .unwrap();
        committed += outcome.committed.len() as u32;
        lost += outcome.lost.len() as u32;
        {
            let mut acks = acks.lock().unwrap();
            for seat in &outcome.committed {
                acks.record(*seat, node, &customer);
            }
        }
        inventory
            .hand_back(node, EVENT, &seat_ids(&leased))
            .unwrap();
    }
    (committed, lost)
}

#[test]
fn racing_holds_and_leases_never_sell_a_seat_twice() {
    let Some(schema) = schema("seat_race") else {
        return;
    };
    let map = venue(&[("Stalls", "A-J", "1-25"), ("Circle", "A-J", "1-25")]);
    stock_venue(&mut schema.seats(), EVENT, &map);
    let seed = std::env::var("SEAT_RACE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("seat race seed {seed} (SEAT_RACE_SEED to repeat)");
    let acks = Mutex::new(Acks::default());

    let (held, sold_from_leases) = thread::scope(|scope| {
        let (schema, map, acks) = (&schema, &map, &acks);
        let nodes: [&'static str; 3] = ["n0", "n1", "n2"];
        let buyers: Vec<_> = (0..6u64)
            .map(|t| {
                let node = nodes[t as usize % 3];
                scope.spawn(move || buyer(schema, map, node, seed + t, acks))
            })
            .collect();
        let sellers: Vec<_> = nodes
            .into_iter()
            .enumerate()
            .map(|(n, node)| scope.spawn(move || seller(schema, node, seed + 100 + n as u64, acks)))
            .collect();
        let held: u32 = buyers.into_iter().map(|b| b.join().unwrap()).sum();
        let sold = sellers
            .into_iter()
            .map(|s| s.join().unwrap())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        (held, sold)
    });

    let acks = acks.into_inner().unwrap();
    assert!(
        acks.twice.is_empty(),
        "seats acknowledged twice: {:?}",
        acks.twice
    );
    let rows = seat_rows(&schema, EVENT);
    let sold: HashMap<SeatId, (String, String)> = rows
        .iter()
        .filter(|r| r.1 == SOLD)
        .map(|r| {
            let (owner, customer) = (r.2.clone().unwrap(), r.3.clone().unwrap());
            (SeatId(r.0), (owner, customer))
        })
        .collect();
    // Every acknowledged sale is in the table, and nothing else is sold.
    assert_eq!(sold, acks.sold);
    // Nothing is left held or leased: every hold ended, every lease went back.
    assert!(rows.iter().all(|r| r.1 == 0 || r.1 == SOLD), "{rows:?}");
    eprintln!(
        "seat race: {held} holds, {} seats sold of {}; sold from leases {} (lost {})",
        sold.len(),
        rows.len(),
        sold_from_leases.0,
        sold_from_leases.1,
    );
    assert!(held > 0 && !sold.is_empty());
}
