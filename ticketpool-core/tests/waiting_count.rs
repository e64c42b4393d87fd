//! Regression: `snapshot()` counted a buyer of one ticket type as waiting
//! before its pool knew of it, so a ticket released the moment a VIP showed
//! up as waiting could go to a Regular who had waited longer, and the VIP
//! waited on. A buyer the snapshot counts as waiting must be one the next
//! ticket can reach, VIPs first.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{
    BoxOffice, BoxOfficeConfig, Money, Priority, Strategy, TicketTypeConfig, Want,
};

/// Longest wait for something that should happen: a guard against a hang,
/// never reached when things work, not a timing assumption.
const PATIENCE: Duration = Duration::from_secs(120);

/// Polls until `condition` holds.
fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "{what}");
        thread::sleep(Duration::from_micros(50));
    }
}

/// An office of one type (`general`), or of two when `two_types`.
fn office(strategy: Strategy, two_types: bool) -> BoxOffice {
    let mut config = BoxOfficeConfig::simple("waiting", 1_000, 8, Money::from_minor(1_000));
    config.strategy = strategy;
    if two_types {
        config.ticket_types.push(TicketTypeConfig {
            name: "balcony".into(),
            price: Money::from_minor(500),
            quota: None,
            capacity: None,
        });
    }
    BoxOffice::new(config).expect("valid config")
}

fn vip_counted_as_waiting_gets_the_next_ticket(strategy: Strategy, two_types: bool) {
    let office = office(strategy, two_types);
    let vendor = office.add_vendor("v", &[]).unwrap();
    let want = Want::from("general");
    // Many rounds: the gap was a few instructions wide.
    for round in 0..300 {
        // Each buyer reports its name when served, so a wrong order fails
        // at once instead of leaving a test blocked on the VIP.
        let (served, first) = mpsc::channel();
        let buyer = |name: String, priority| {
            let customer = office.customer(&name, priority);
            let want = want.clone();
            let served = served.clone();
            thread::spawn(move || {
                let got = customer.buy(want).map(|sale| sale.customer.to_string());
                let _ = served.send(got);
            })
        };
        let regular = buyer(format!("reg{round}"), Priority::Regular);
        wait_until("the Regular never waited", || {
            office.snapshot().waiting_regular == 1
        });
        let vip = buyer(format!("vip{round}"), Priority::Vip);
        wait_until("the VIP never waited", || {
            office.snapshot().waiting_vip == 1
        });
        vendor.release("general").unwrap();
        let got = first.recv_timeout(PATIENCE).expect("nobody was served");
        assert_eq!(got.unwrap(), format!("vip{round}"), "round {round}");
        vendor.release("general").unwrap();
        let got = first
            .recv_timeout(PATIENCE)
            .expect("the Regular was not served");
        assert_eq!(got.unwrap(), format!("reg{round}"), "round {round}");
        vip.join().unwrap();
        regular.join().unwrap();
        assert_eq!(office.snapshot().waiting_regular, 0);
    }
    office.close();
}

#[test]
fn lockfree_one_type_vip_counted_as_waiting_gets_the_next_ticket() {
    vip_counted_as_waiting_gets_the_next_ticket(Strategy::LockFree, false);
}

#[test]
fn condvar_one_type_vip_counted_as_waiting_gets_the_next_ticket() {
    vip_counted_as_waiting_gets_the_next_ticket(Strategy::Condvar, false);
}

#[test]
fn lockfree_typed_buy_vip_counted_as_waiting_gets_the_next_ticket() {
    vip_counted_as_waiting_gets_the_next_ticket(Strategy::LockFree, true);
}

#[test]
fn condvar_typed_buy_vip_counted_as_waiting_gets_the_next_ticket() {
    vip_counted_as_waiting_gets_the_next_ticket(Strategy::Condvar, true);
}
