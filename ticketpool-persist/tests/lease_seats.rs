//! Seat leases against PostgreSQL (127.0.0.1:5432, or `TICKETPOOL_PG_URL`):
//! nodes leasing sections, specific-seat holds across leases, fencing.
//! Each test owns a schema, dropped afterwards. Without a server the tests
//! say so on stderr and pass, unless `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(feature = "postgres")]

mod lease_support;

use std::collections::HashSet;
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use ticketpool_core::Money;
use ticketpool_persist::{
    PersistError, SeatHoldOutcome, SeatLeaseInventory, SeatSaleToCommit, StockSeat,
};
use ticketpool_seats::SeatId;

use lease_support::seats::{seat, seat_ids, seat_rows, seat_sales, state_of, stock_venue, venue};
use lease_support::{admin, params, schema, wait_for, Schema};

const LONG: Duration = Duration::from_secs(60);
const ON_SALE: i16 = 0;
const LEASED: i16 = 1;
const HELD: i16 = 2;
const SOLD: i16 = 3;

/// The held seats, or a failure naming what was taken.
fn held(outcome: SeatHoldOutcome) -> Vec<SeatId> {
    match outcome {
        SeatHoldOutcome::Held(seats) => seat_ids(&seats),
        SeatHoldOutcome::Taken(taken) => panic!("expected a hold, seats {taken:?} were taken"),
    }
}

/// The seats named taken, or a failure if the hold went through.
fn taken(outcome: SeatHoldOutcome) -> Vec<SeatId> {
    match outcome {
        SeatHoldOutcome::Taken(taken) => taken,
        SeatHoldOutcome::Held(seats) => panic!("expected a refusal, held {seats:?}"),
    }
}

#[test]
fn two_nodes_leasing_different_sections_get_disjoint_seats() {
    let Some(schema) = schema("seat_sections") else {
        return;
    };
    let map = venue(&[("Stalls", "A-D", "1-10"), ("Circle", "A-C", "1-10")]);
    stock_venue(&mut schema.seats(), 1, &map);

    let start = Barrier::new(2);
    let [stalls, circle] = thread::scope(|scope| {
        let lease = |node: &'static str, section: &'static str| {
            let (schema, start) = (&schema, &start);
            scope.spawn(move || {
                let mut inventory = schema.seats();
                start.wait();
                inventory.lease_section(node, 1, section, LONG).unwrap()
            })
        };
        let a = lease("n1", "Stalls");
        let b = lease("n2", "Circle");
        [a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(stalls.len(), 40);
    assert_eq!(circle.len(), 30);
    assert!(stalls.iter().all(|s| s.section == "Stalls"));
    assert!(circle.iter().all(|s| s.section == "Circle"));
    let a: HashSet<SeatId> = seat_ids(&stalls).into_iter().collect();
    assert!(seat_ids(&circle).iter().all(|s| !a.contains(s)));
    for s in &stalls {
        assert_eq!(map.seat(s.id).unwrap().row, s.row);
        assert_eq!(map.seat(s.id).unwrap().number, s.number);
        assert_eq!(s.base_price, Money::from_minor(6000));
    }

    // A section under a live lease has nothing left for anyone else.
    let mut n2 = schema.seats();
    assert!(n2
        .lease_section("n2", 1, "Stalls", LONG)
        .unwrap()
        .is_empty());
    // Handed back, a block of its rows goes to the next node.
    let mut n1 = schema.seats();
    assert_eq!(n1.hand_back_all("n1", 1).unwrap(), 40);
    let rows = n2.lease_rows("n2", 1, "Stalls", &["B", "D"], LONG).unwrap();
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|s| s.row == "B" || s.row == "D"));
    let counts = n2.counts(1).unwrap();
    assert_eq!((counts.total, counts.leased, counts.on_sale), (70, 50, 20));
}

#[test]
fn two_nodes_leasing_one_section_at_once_split_it() {
    let Some(schema) = schema("seat_same_section") else {
        return;
    };
    let map = venue(&[("Stalls", "A-T", "1-30")]);
    stock_venue(&mut schema.seats(), 1, &map);
    for round in 0..10 {
        let start = Barrier::new(2);
        let got: Vec<Vec<SeatId>> = thread::scope(|scope| {
            let nodes: Vec<_> = ["n1", "n2"]
                .into_iter()
                .map(|node| {
                    let (schema, start) = (&schema, &start);
                    scope.spawn(move || {
                        let mut inventory = schema.seats();
                        start.wait();
                        seat_ids(&inventory.lease_section(node, 1, "Stalls", LONG).unwrap())
                    })
                })
                .collect();
            nodes.into_iter().map(|n| n.join().unwrap()).collect()
        });
        let all: HashSet<SeatId> = got.iter().flatten().copied().collect();
        assert_eq!(
            all.len(),
            got[0].len() + got[1].len(),
            "round {round}: overlap"
        );
        assert_eq!(all.len(), 600, "round {round}: a seat was left out");
        let mut inventory = schema.seats();
        inventory.hand_back_all("n1", 1).unwrap();
        inventory.hand_back_all("n2", 1).unwrap();
    }
}

#[test]
fn selling_a_leased_section_costs_one_statement_per_group() {
    let Some(schema) = schema("seat_statements") else {
        return;
    };
    let map = venue(&[("Stalls", "A-T", "1-30")]);
    stock_venue(&mut schema.seats(), 1, &map);
    let mut n1 = schema.seats();
    let leased = n1.lease_section("n1", 1, "Stalls", LONG).unwrap();
    assert_eq!(leased.len(), 600);
    for group in seat_sales("walk-up", &leased).chunks(32) {
        assert!(n1.commit_sales("n1", 1, group).unwrap().lost.is_empty());
    }
    // One lease and 19 groups for 600 seats: 0.033 statements a seat.
    assert_eq!(n1.statements(), 1 + 600u64.div_ceil(32));
    assert_eq!(n1.counts(1).unwrap().sold, 600);
    // A specific-seat hold and its confirmation: two statements each (in
    // a transaction), per customer whatever the number of seats.
    let map = venue(&[("Box", "A", "1-4")]);
    stock_venue(&mut n1, 2, &map);
    let before = n1.statements();
    let seats: Vec<SeatId> = map.seats().map(|s| s.id).collect();
    let got = match n1.hold_specific("n1", 2, &seats, "ada", LONG).unwrap() {
        SeatHoldOutcome::Held(got) => got,
        other => panic!("{other:?}"),
    };
    assert!(n1
        .confirm_hold("n1", 2, &seat_sales("ada", &got))
        .unwrap()
        .lost
        .is_empty());
    assert_eq!(n1.statements() - before, 4);
}

#[test]
fn a_hold_is_all_or_nothing() {
    let Some(schema) = schema("seat_all_or_nothing") else {
        return;
    };
    let map = venue(&[("Stalls", "A-B", "1-10"), ("Circle", "A-B", "1-10")]);
    let mut n1 = schema.seats();
    let mut n2 = schema.seats();
    stock_venue(&mut n1, 1, &map);
    n1.lease_rows("n1", 1, "Stalls", &["A"], LONG).unwrap();

    // One seat under n1's live lease: n2 holds nothing.
    let wanted = [
        seat(&map, "Circle A-1"),
        seat(&map, "Circle A-2"),
        seat(&map, "Stalls A-3"),
    ];
    assert_eq!(
        taken(n2.hold_specific("n2", 1, &wanted, "ada", LONG).unwrap()),
        [seat(&map, "Stalls A-3")]
    );
    assert!(wanted[..2]
        .iter()
        .all(|s| state_of(&schema, 1, *s) == ON_SALE));
    assert_eq!(state_of(&schema, 1, wanted[2]), LEASED);

    // The same seats for n1, whose lease covers A-3: all held (answered
    // lowest ids first).
    let mut in_order = wanted.to_vec();
    in_order.sort();
    assert_eq!(
        held(n1.hold_specific("n1", 1, &wanted, "ada", LONG).unwrap()),
        in_order
    );
    // A retry of the same hold holds them again; another customer gets none.
    assert_eq!(
        held(n1.hold_specific("n1", 1, &wanted, "ada", LONG).unwrap()),
        in_order
    );
    let overlapping = [seat(&map, "Circle A-2"), seat(&map, "Circle A-3")];
    assert_eq!(
        taken(
            n1.hold_specific("n1", 1, &overlapping, "bob", LONG)
                .unwrap()
        ),
        [seat(&map, "Circle A-2")]
    );
    assert_eq!(state_of(&schema, 1, overlapping[1]), ON_SALE);

    // Held seats are not leased, renewed or sold from a lease.
    assert!(n2
        .lease_section("n2", 1, "Circle", LONG)
        .unwrap()
        .iter()
        .all(|s| s.id != wanted[0] && s.id != wanted[1]));
    let price = Money::from_minor(6000);
    let sale = |seat, customer: &str| SeatSaleToCommit {
        seat,
        customer: customer.into(),
        price,
    };
    assert_eq!(
        n1.commit_sales("n1", 1, &[sale(wanted[2], "ada")])
            .unwrap()
            .lost,
        [wanted[2]]
    );
    // A confirmation for the wrong customer sells nothing.
    let wrong = n1
        .confirm_hold("n1", 1, &[sale(wanted[0], "ada"), sale(wanted[1], "bob")])
        .unwrap();
    assert_eq!((wrong.committed, wrong.lost), (vec![], vec![wanted[1]]));
    assert_eq!(state_of(&schema, 1, wanted[0]), HELD);

    // Confirmed, twice (a retry): sold once, to ada.
    let sales: Vec<_> = wanted.iter().map(|s| sale(*s, "ada")).collect();
    for _ in 0..2 {
        let outcome = n1.confirm_hold("n1", 1, &sales).unwrap();
        assert_eq!((outcome.committed, outcome.lost), (wanted.to_vec(), vec![]));
    }
    assert!(wanted.iter().all(|s| state_of(&schema, 1, *s) == SOLD));
    assert_eq!(
        taken(
            n2.hold_specific("n2", 1, &wanted[..1], "bob", LONG)
                .unwrap()
        ),
        wanted[..1]
    );

    // Released holds go back on sale.
    let picked = [seat(&map, "Circle B-5"), seat(&map, "Circle B-6")];
    n2.hand_back_all("n2", 1).unwrap();
    held(n2.hold_specific("n2", 1, &picked, "cy", LONG).unwrap());
    assert_eq!(
        n2.release_hold("n2", 1, "someone else", &picked).unwrap(),
        0
    );
    assert_eq!(n2.release_hold("n2", 1, "cy", &picked).unwrap(), 2);
    assert!(picked.iter().all(|s| state_of(&schema, 1, *s) == ON_SALE));
}

#[test]
fn specific_holds_across_two_nodes_leases_give_each_seat_to_one_customer() {
    let Some(schema) = schema("seat_cross_race") else {
        return;
    };
    // n1 leases Stalls row A, n2 row B; Circle is leased by nobody.
    let map = venue(&[("Stalls", "A-B", "1-60"), ("Circle", "A-F", "1-30")]);
    stock_venue(&mut schema.seats(), 1, &map);
    let mut n1 = schema.seats();
    let mut n2 = schema.seats();
    assert_eq!(
        n1.lease_rows("n1", 1, "Stalls", &["A"], LONG)
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        n2.lease_rows("n2", 1, "Stalls", &["B"], LONG)
            .unwrap()
            .len(),
        60
    );
    let (mut wins, rounds) = ([0; 2], 60);
    for round in 0..rounds {
        // Each customer wants a seat of their node's lease and two Circle
        // seats; the middle Circle seat is wanted by both.
        let row = ["A", "B", "C", "D", "E", "F"][round / 10];
        let first = 1 + 3 * (round % 10) as u32;
        let circle = |n: u32| seat(&map, &format!("Circle {row}-{}", first + n));
        let wants = [
            vec![
                seat(&map, &format!("Stalls A-{}", round + 1)),
                circle(0),
                circle(1),
            ],
            vec![
                seat(&map, &format!("Stalls B-{}", round + 1)),
                circle(1),
                circle(2),
            ],
        ];
        let start = Barrier::new(2);
        let outcomes: Vec<SeatHoldOutcome> = thread::scope(|scope| {
            let holds: Vec<_> = [(&mut n1, "n1"), (&mut n2, "n2")]
                .into_iter()
                .zip(&wants)
                .map(|((inventory, node), want)| {
                    let start = &start;
                    scope.spawn(move || {
                        start.wait();
                        let customer = format!("{node}-c{round}");
                        inventory
                            .hold_specific(node, 1, want, &customer, LONG)
                            .unwrap()
                    })
                })
                .collect();
            holds.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<usize> = (0..2)
            .filter(|i| matches!(outcomes[*i], SeatHoldOutcome::Held(_)))
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        let (winner, loser) = (winners[0], 1 - winners[0]);
        wins[winner] += 1;
        assert_eq!(outcomes[loser], SeatHoldOutcome::Taken(vec![circle(1)]));
        assert_eq!(held(outcomes[winner].clone()), wants[winner]);
        // The loser's seats are untouched: its own stays leased, its
        // Circle seat on sale.
        assert_eq!(state_of(&schema, 1, wants[loser][0]), LEASED);
        let free = if loser == 0 { circle(0) } else { circle(2) };
        assert_eq!(state_of(&schema, 1, free), ON_SALE);
    }
    assert_eq!(wins[0] + wins[1], rounds);
    let counts = n1.counts(1).unwrap();
    assert_eq!(counts.held, 3 * rounds as u64);
}

#[test]
fn an_expired_leases_seats_go_to_another_node_and_the_late_commit_is_lost() {
    let Some(schema) = schema("seat_expiry") else {
        return;
    };
    let map = venue(&[("Box", "A-B", "1-5")]);
    let mut n1 = schema.seats();
    let mut n2 = schema.seats();
    stock_venue(&mut n1, 1, &map);
    // Row A for long, row B for a moment.
    let long = n1.lease_rows("n1", 1, "Box", &["A"], LONG).unwrap();
    let short = n1
        .lease_rows("n1", 1, "Box", &["B"], Duration::from_millis(50))
        .unwrap();
    assert_eq!((long.len(), short.len()), (5, 5));
    let a1 = seat(&map, "Box A-1");
    assert_eq!(
        taken(n2.hold_specific("n2", 1, &[a1], "ada", LONG).unwrap()),
        [a1]
    );
    wait_for("row B's lease to expire", || {
        n2.counts(1).unwrap().expired == 5
    });

    let b = seat_ids(&short);
    assert_eq!(
        held(n2.hold_specific("n2", 1, &b[..2], "ada", LONG).unwrap()),
        b[..2]
    );
    // n1 sells from its expired lease: nothing is recorded, whether another
    // node took the seat or not; renewing it fails too.
    assert_eq!(n1.renew("n1", 1, &b, LONG).unwrap(), 0);
    let late = n1
        .commit_sales("n1", 1, &seat_sales("late", &short))
        .unwrap();
    assert_eq!((late.committed, late.lost), (vec![], b.clone()));
    // Its live lease still sells, twice sent, once recorded.
    let live = seat_sales("bob", &long[..2]);
    for _ in 0..2 {
        let outcome = n1.commit_sales("n1", 1, &live).unwrap();
        assert_eq!(outcome.committed, seat_ids(&long[..2]));
    }
    assert_eq!(n1.renew("n1", 1, &seat_ids(&long), LONG).unwrap(), 3);
    let sold: Vec<_> = seat_rows(&schema, 1)
        .into_iter()
        .filter(|r| r.1 == SOLD)
        .map(|r| (r.0, r.2.unwrap(), r.3.unwrap()))
        .collect();
    assert_eq!(
        sold,
        long[..2]
            .iter()
            .map(|s| (s.id.0, "n1".to_owned(), "bob".to_owned()))
            .collect::<Vec<_>>()
    );

    // An expired hold: its seats may be leased again, and confirming it fails.
    held(
        n2.hold_specific("n2", 1, &b[2..3], "cy", Duration::from_millis(50))
            .unwrap(),
    );
    wait_for("the hold to expire", || n2.counts(1).unwrap().held == 2);
    let again = n1.lease_section("n1", 1, "Box", LONG).unwrap();
    assert_eq!(seat_ids(&again), b[2..]);
    let confirm = SeatSaleToCommit {
        seat: b[2],
        customer: "cy".into(),
        price: Money::from_minor(6000),
    };
    assert_eq!(n2.confirm_hold("n2", 1, &[confirm]).unwrap().lost, [b[2]]);
}

#[test]
fn bad_requests_are_refused_in_words() {
    let Some(schema) = schema("seat_bad_requests") else {
        return;
    };
    let map = venue(&[("Box", "A", "1-4")]);
    let mut n1 = schema.seats();
    stock_venue(&mut n1, 1, &map);
    // Stocking again adds nothing.
    assert_eq!(n1.stock(1, &StockSeat::from_map(&map)).unwrap(), 0);
    let a1 = seat(&map, "Box A-1");
    let words = |err: PersistError| {
        assert!(matches!(err, PersistError::LeaseRequest(_)), "{err:?}");
        err.to_string()
    };
    let err = |r: Result<SeatHoldOutcome, PersistError>| words(r.unwrap_err());
    assert!(err(n1.hold_specific("n1", 1, &[], "ada", LONG)).contains("at least one seat"));
    assert!(err(n1.hold_specific("n1", 1, &[a1, a1], "ada", LONG)).contains("appears twice"));
    assert!(err(n1.hold_specific("n1", 1, &[a1], "", LONG)).contains("customer"));
    assert!(err(n1.hold_specific("", 1, &[a1], "ada", LONG)).contains("node name"));
    assert!(err(n1.hold_specific("n1", 1, &[a1], "ada", Duration::ZERO)).contains("time to live"));
    let unknown = n1.hold_specific("n1", 1, &[a1, SeatId(999)], "ada", LONG);
    assert!(err(unknown).contains("seat 999 is not stocked for event 1"));
    // Nothing was held by the refused requests.
    assert_eq!(state_of(&schema, 1, a1), ON_SALE);
    assert!(words(n1.lease_section("n1", 1, "", LONG).unwrap_err()).contains("section"));
    assert!(words(n1.lease_rows("n1", 1, "Box", &[], LONG).unwrap_err()).contains("row"));
    assert!(words(n1.confirm_hold("n1", 1, &[]).unwrap_err()).contains("at least one"));
    let sale = SeatSaleToCommit {
        seat: a1,
        customer: "ada".into(),
        price: Money::from_minor(1),
    };
    let twice = n1.commit_sales("n1", 1, &[sale.clone(), sale]).unwrap_err();
    assert!(words(twice).contains("seat 0 appears twice"));
    // An unknown section leases nothing.
    assert!(n1
        .lease_section("n1", 1, "Nowhere", LONG)
        .unwrap()
        .is_empty());
}

#[test]
fn a_foreign_lease_seats_table_is_refused() {
    let Some(schema) = schema("seat_foreign") else {
        return;
    };
    let foreign = format!("{}_f", schema.0);
    let _drop_foreign = Schema(foreign.clone());
    admin()
        .batch_execute(&format!(
            "CREATE SCHEMA {foreign}; CREATE TABLE {foreign}.lease_seats (id INT)"
        ))
        .unwrap();
    let err = SeatLeaseInventory::connect(&params(), &foreign).unwrap_err();
    assert!(matches!(err, PersistError::Foreign { .. }), "{err:?}");
    assert!(
        err.to_string().contains("not the seat-lease columns"),
        "{err}"
    );
}

#[test]
fn a_block_lease_takes_whole_rows_and_sold_out_costs_one_statement() {
    let Some(schema) = schema("seat_block") else {
        return;
    };
    let map = venue(&[("Stalls", "A-T", "1-30"), ("Circle", "A-J", "1-20")]);
    stock_venue(&mut schema.seats(), 1, &map);
    let mut n1 = schema.seats();
    // The rows of the first seats asked for, whole, lowest first.
    let front = n1.lease_block("n1", 1, None, 2, LONG).unwrap();
    assert_eq!(front.len(), 30);
    assert!(front.iter().all(|s| s.section == "Stalls" && s.row == "A"));
    let circle = n1.lease_block("n1", 1, Some("Circle"), 25, LONG).unwrap();
    assert_eq!(circle.len(), 40);
    assert!(circle
        .iter()
        .all(|s| s.section == "Circle" && (s.row == "A" || s.row == "B")));
    // A renewal names the seats it could not extend.
    let gone = front[3].id;
    admin()
        .execute(
            &format!(
                "UPDATE {}.lease_seats SET lease_expires = now() WHERE seat_id = $1",
                schema.0
            ),
            &[&i64::from(gone.0)],
        )
        .unwrap();
    assert_eq!(
        n1.renew_or_lost("n1", 1, &seat_ids(&front), LONG).unwrap(),
        vec![gone]
    );

    // Two nodes leasing blocks at once get disjoint seats, and together
    // every seat left (the expired one too).
    let start = Barrier::new(2);
    let [got1, got2] = thread::scope(|scope| {
        let lease = |node: &'static str| {
            let (schema, start) = (&schema, &start);
            scope.spawn(move || {
                let mut inventory = schema.seats();
                let mut got = Vec::new();
                start.wait();
                loop {
                    let block = inventory.lease_block(node, 1, None, 50, LONG).unwrap();
                    if block.is_empty() {
                        return got;
                    }
                    got.extend(block);
                }
            })
        };
        let (a, b) = (lease("n1"), lease("n2"));
        [a.join().unwrap(), b.join().unwrap()]
    });
    let ids1: HashSet<SeatId> = seat_ids(&got1).into_iter().collect();
    assert!(seat_ids(&got2).iter().all(|s| !ids1.contains(s)));
    assert_eq!(got1.len() + got2.len(), 800 - 70 + 1);

    // Everything sold: leasing more is one statement, for the venue or a
    // section, and leases nothing.
    let mut n2 = schema.seats();
    let mine: Vec<_> = front
        .iter()
        .filter(|s| s.id != gone)
        .chain(&circle)
        .chain(&got1)
        .cloned()
        .collect();
    assert!(n1
        .commit_sales("n1", 1, &seat_sales("ada", &mine))
        .unwrap()
        .lost
        .is_empty());
    assert!(n2
        .commit_sales("n2", 1, &seat_sales("bob", &got2))
        .unwrap()
        .lost
        .is_empty());
    assert_eq!(n1.counts(1).unwrap().sold, 800);
    for section in [None, Some("Stalls")] {
        let before = n1.statements();
        assert!(n1
            .lease_block("n1", 1, section, 4, LONG)
            .unwrap()
            .is_empty());
        assert_eq!(n1.statements(), before + 1);
    }
    // Bad requests are refused in words, before any statement.
    let before = n1.statements();
    for bad in [
        n1.lease_block("n1", 1, None, 0, LONG),
        n1.lease_block("n1", 1, Some(""), 2, LONG),
    ] {
        assert!(matches!(bad, Err(PersistError::LeaseRequest(_))), "{bad:?}");
    }
    assert_eq!(n1.statements(), before);
}
