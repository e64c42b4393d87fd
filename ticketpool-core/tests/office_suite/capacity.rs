//! Each ticket type's share of the office's capacity, and the snapshot's
//! promises under a crowd.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{BoxOffice, BoxOfficeError, Money, Priority, Snapshot, Strategy, Want};

use super::two_types;

/// The starvation of issue 14: `max_capacity` 2, balcony tickets nobody
/// buys. Balcony fills only its share, so a general vendor finds room at
/// once and a VIP waiting for general gets the ticket.
pub fn no_type_starves_another(strategy: Strategy) {
    let office = BoxOffice::new(two_types(strategy, 100, 2)).unwrap();
    let balcony = office.add_vendor("balcony-only", &["balcony"]).unwrap();
    let stalls = office.add_vendor("stalls-only", &["stalls"]).unwrap();
    // Balcony releases until refused: its share is one ticket.
    let mut released = 0;
    loop {
        match balcony.try_release("balcony") {
            Ok(_) => released += 1,
            Err(BoxOfficeError::Full) => break,
            Err(other) => panic!("balcony vendor: {other}"),
        }
    }
    assert_eq!(released, 1, "balcony took more than its share");
    let vip = office.customer("vip", Priority::Vip);
    let waiting = thread::spawn(move || vip.buy_timeout("stalls", Duration::from_secs(30)));
    // In line for stalls before the ticket comes.
    let deadline = Instant::now() + Duration::from_secs(30);
    while office.snapshot().waiting_vip == 0 {
        assert!(Instant::now() < deadline, "the VIP never waited");
        thread::yield_now();
    }
    let ticket = stalls
        .release_timeout("stalls", Duration::from_secs(30))
        .expect("stalls has room of its own");
    let sale = waiting
        .join()
        .unwrap()
        .expect("the VIP gets the stalls ticket");
    assert_eq!(sale.ticket.id, ticket.id);
    // Balcony is still full, stalls has room again.
    assert!(matches!(
        balcony.try_release("balcony"),
        Err(BoxOfficeError::Full)
    ));
    stalls.try_release("stalls").unwrap();
    let snapshot = office.snapshot();
    assert!(snapshot.is_consistent(), "{snapshot:?}");
    assert_eq!(snapshot.by_type["balcony"].available, 1);
    assert_eq!(snapshot.by_type["stalls"].available, 1);
}

/// A configured share is the type's bound: stalls 3, balcony 1, the
/// office never more than their sum.
pub fn configured_shares_bound_each_type(strategy: Strategy) {
    let mut config = two_types(strategy, 100, 4);
    config.ticket_types[0].capacity = Some(3);
    let office = BoxOffice::new(config).unwrap();
    let vendor = office.add_vendor("v", &[]).unwrap();
    for _ in 0..3 {
        vendor.try_release("stalls").unwrap();
    }
    assert!(matches!(
        vendor.try_release("stalls"),
        Err(BoxOfficeError::Full)
    ));
    // A held ticket still takes its type's room.
    let hold = office
        .customer("h", Priority::Regular)
        .reserve("stalls")
        .unwrap();
    assert!(matches!(
        vendor.try_release("stalls"),
        Err(BoxOfficeError::Full)
    ));
    vendor.try_release("balcony").unwrap();
    assert!(matches!(
        vendor.try_release("balcony"),
        Err(BoxOfficeError::Full)
    ));
    hold.confirm().unwrap();
    vendor.try_release("stalls").unwrap();
    assert_eq!(office.snapshot().peak_occupancy, 4);
}

/// Stalls 50.00, balcony 20.00 (fixed pricing in `two_types`).
fn revenue_of(snapshot: &Snapshot) -> Money {
    let price = |ty: &str| match ty {
        "stalls" => 5_000,
        _ => 2_000,
    };
    let minor: i64 = snapshot
        .by_type
        .iter()
        .map(|(ty, counts)| price(ty) * counts.sold as i64)
        .sum();
    Money::from_minor(minor)
}

/// Every promise a snapshot makes, checked on one.
fn check(snapshot: &Snapshot, shares: &BTreeMap<&str, u64>) {
    assert!(snapshot.is_consistent(), "{snapshot:?}");
    assert_eq!(snapshot.revenue, revenue_of(snapshot), "{snapshot:?}");
    for (ty, counts) in &snapshot.by_type {
        assert!(
            counts.available + counts.held <= shares[ty.as_str()],
            "{ty} past its share: {snapshot:?}"
        );
    }
}

/// Several threads snapshot without pause while vendors release, buyers
/// buy, hold and confirm, cancel, or let holds expire: every snapshot
/// balances (overall, per type, per vendor), its revenue is its sales'
/// prices, no type passes its share, and the sales log, read between two
/// snapshots, has between the first's and the second's sold count.
pub fn snapshots_stay_consistent_during_a_sale_with_holds(strategy: Strategy) {
    const TOTAL: u64 = 4_000;
    let mut config = two_types(strategy, TOTAL, 16);
    // Short holds: some expire while the sale runs.
    config.hold_ttl = Duration::from_millis(2);
    let office = BoxOffice::new(config).unwrap();
    let shares = BTreeMap::from([("stalls", 8), ("balcony", 8)]);
    let done = Arc::new(AtomicBool::new(false));
    let checked = Arc::new(AtomicU64::new(0));
    let checkers: Vec<_> = (0..2)
        .map(|_| {
            let (office, done, checked) = (office.clone(), Arc::clone(&done), Arc::clone(&checked));
            let shares = shares.clone();
            thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    let before = office.snapshot();
                    let logged = office.sales_count() as u64;
                    let after = office.snapshot();
                    check(&before, &shares);
                    check(&after, &shares);
                    assert!(
                        before.totals.sold <= logged && logged <= after.totals.sold,
                        "log {logged} outside [{}, {}]",
                        before.totals.sold,
                        after.totals.sold
                    );
                    assert!(before.totals.sold <= after.totals.sold);
                    checked.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let vendors: Vec<_> = ["v0", "v1", "v2"]
        .into_iter()
        .map(|name| {
            let vendor = office.add_vendor(name, &[]).unwrap();
            thread::spawn(move || {
                for i in 0.. {
                    let ty = if i % 2 == 0 { "stalls" } else { "balcony" };
                    match vendor.release_timeout(ty, Duration::from_millis(5)) {
                        Ok(_) | Err(BoxOfficeError::Timeout) => {}
                        Err(BoxOfficeError::SoldOut) => break,
                        Err(other) => panic!("vendor: {other}"),
                    }
                }
            })
        })
        .collect();
    let buyers: Vec<_> = (0..4)
        .map(|i| {
            let priority = if i % 2 == 0 {
                Priority::Vip
            } else {
                Priority::Regular
            };
            let customer = office.customer(&format!("c{i}"), priority);
            thread::spawn(move || {
                for round in 0_u64.. {
                    let patience = Duration::from_millis(5);
                    let result = match round % 5 {
                        0 => customer.reserve_timeout(Want::Any, patience).map(|hold| {
                            // Cancelled, or left to expire.
                            if round % 10 == 0 {
                                hold.cancel();
                            } else {
                                std::mem::forget(hold);
                            }
                        }),
                        1 => customer
                            .reserve_timeout(Want::Any, patience)
                            .and_then(|hold| hold.confirm())
                            .map(drop),
                        _ => customer.buy_timeout(Want::Any, patience).map(drop),
                    };
                    match result {
                        Ok(()) | Err(BoxOfficeError::Timeout | BoxOfficeError::HoldExpired) => {}
                        Err(BoxOfficeError::SoldOut) => break,
                        Err(other) => panic!("customer {i}: {other}"),
                    }
                }
            })
        })
        .collect();
    for handle in vendors.into_iter().chain(buyers) {
        handle.join().unwrap();
    }
    // Sold out: wait for the last expiries to settle, then the final
    // picture.
    let deadline = Instant::now() + Duration::from_secs(60);
    while office.open_holds() > 0 {
        assert!(Instant::now() < deadline, "holds never expired");
        thread::yield_now();
    }
    done.store(true, Ordering::Relaxed);
    for checker in checkers {
        checker.join().unwrap();
    }
    let last = office.snapshot();
    check(&last, &shares);
    assert_eq!(last.totals.sold, TOTAL);
    assert_eq!(office.sales_count() as u64, TOTAL);
    assert!(checked.load(Ordering::Relaxed) > 0);
}
