//! The VIP rule across ticket types: in an office with several types, a
//! Regular never takes a ticket while a VIP whose want overlaps its own
//! (same type, or either of them "any type") started waiting before the
//! ticket was released and still waits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{
    BoxOffice, BoxOfficeError, Money, Priority, Strategy, TicketTypeConfig, Want,
};

use super::{office, two_types};

/// Longest wait for something that should happen: a guard against a hang,
/// never reached when things work, not a timing assumption.
const PATIENCE: Duration = Duration::from_secs(120);

/// Rounds per combination: the race lost 1-13 of 50 before the fix.
const ROUNDS: usize = 50;

/// Polls until `condition` holds (the office has no waiter events; the
/// snapshot's waiting counts are the registration the rule is about).
fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "{what}");
        thread::yield_now();
    }
}

/// A VIP waits for `vip_wants`, then a Regular for `regular_wants`, then one
/// `stalls` ticket is released: in every round the VIP must get it. Returns
/// how many rounds the VIP was served first (always `ROUNDS`, or it panics).
fn vip_first_every_round(strategy: Strategy, vip_wants: Want, regular_wants: Want) -> usize {
    let office = office(two_types(strategy, 1_000, 8));
    let vendor = office.add_vendor("v", &[]).unwrap();
    let mut vip_first = 0;
    for round in 0..ROUNDS {
        let (served, order) = mpsc::channel();
        let buyer = |name: String, priority, want: &Want| {
            let customer = office.customer(&name, priority);
            let want = want.clone();
            let served = served.clone();
            thread::spawn(move || {
                let got = customer.buy(want).map(|sale| sale.customer.to_string());
                let _ = served.send(got);
            })
        };
        let vip = buyer(format!("vip{round}"), Priority::Vip, &vip_wants);
        wait_until("the VIP never waited", || {
            office.snapshot().waiting_vip == 1
        });
        let regular = buyer(format!("reg{round}"), Priority::Regular, &regular_wants);
        wait_until("the Regular never waited", || {
            office.snapshot().waiting_regular == 1
        });
        vendor.release("stalls").unwrap();
        let first = order.recv_timeout(PATIENCE).expect("nobody was served");
        if first.unwrap() == format!("vip{round}") {
            vip_first += 1;
        }
        // The other one gets the next ticket, whoever it is.
        vendor.release("stalls").unwrap();
        order
            .recv_timeout(PATIENCE)
            .expect("the second buyer was not served")
            .unwrap();
        vip.join().unwrap();
        regular.join().unwrap();
        let snap = office.snapshot();
        assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
    }
    office.close();
    eprintln!(
        "{strategy:?}: VIP {vip_wants:?} / Regular {regular_wants:?}: VIP first {vip_first}/{ROUNDS}"
    );
    vip_first
}

fn stalls() -> Want {
    Want::from("stalls")
}

pub fn vip_any_goes_before_regular_typed(strategy: Strategy) {
    assert_eq!(vip_first_every_round(strategy, Want::Any, stalls()), ROUNDS);
}

pub fn vip_typed_goes_before_regular_any(strategy: Strategy) {
    assert_eq!(vip_first_every_round(strategy, stalls(), Want::Any), ROUNDS);
}

pub fn vip_typed_goes_before_regular_typed(strategy: Strategy) {
    assert_eq!(vip_first_every_round(strategy, stalls(), stalls()), ROUNDS);
}

pub fn vip_any_goes_before_regular_any(strategy: Strategy) {
    assert_eq!(
        vip_first_every_round(strategy, Want::Any, Want::Any),
        ROUNDS
    );
}

/// A Regular waiting for `balcony` is not held back by a VIP waiting for
/// `stalls`: the rule is about overlapping wants only.
pub fn vip_of_another_type_does_not_hold_back_a_regular(strategy: Strategy) {
    let office = office(two_types(strategy, 1_000, 8));
    let vendor = office.add_vendor("v", &[]).unwrap();
    thread::scope(|s| {
        let vip = office.customer("vip", Priority::Vip);
        let vip = s.spawn(move || vip.buy("stalls"));
        wait_until("the VIP never waited", || {
            office.snapshot().waiting_vip == 1
        });
        vendor.release("balcony").unwrap();
        let regular = office.customer("reg", Priority::Regular);
        let sale = regular.buy_timeout("balcony", PATIENCE).unwrap();
        assert_eq!(&*sale.ticket.ticket_type, "balcony");
        // Nor is an any-type Regular kept from the balcony ticket.
        vendor.release("balcony").unwrap();
        let sale = regular.buy_timeout(Want::Any, PATIENCE).unwrap();
        assert_eq!(&*sale.ticket.ticket_type, "balcony");
        vendor.release("stalls").unwrap();
        assert_eq!(&*vip.join().unwrap().unwrap().ticket.ticket_type, "stalls");
    });
}

/// A Regular held back by an any-type VIP from a type whose quota sold out
/// is told so, rather than waiting for the VIP to leave.
pub fn regular_held_back_from_a_sold_out_type_is_told_so(strategy: Strategy) {
    let mut config = two_types(strategy, 10, 4);
    config.ticket_types[0].quota = Some(1);
    let office = office(config);
    let vendor = office.add_vendor("v", &[]).unwrap();
    vendor.release("stalls").unwrap();
    office
        .customer("first", Priority::Regular)
        .buy("stalls")
        .unwrap();
    thread::scope(|s| {
        let _closer = CloseOnDrop(&office);
        let vip = office.customer("vip", Priority::Vip);
        let vip = s.spawn(move || vip.buy(Want::Any));
        wait_until("the VIP never waited", || {
            office.snapshot().waiting_vip == 1
        });
        let regular = office.customer("reg", Priority::Regular);
        let refused = regular.buy_timeout("stalls", PATIENCE);
        assert!(
            matches!(refused, Err(BoxOfficeError::SoldOut)),
            "{refused:?}"
        );
        vendor.release("balcony").unwrap();
        assert_eq!(&*vip.join().unwrap().unwrap().ticket.ticket_type, "balcony");
    });
}

/// Many buyers of both priorities over three types, each buying in a loop.
/// Phase one releases one ticket at a time, each once every buyer is
/// registered as waiting: whenever a VIP whose want overlaps the ticket
/// waits, a VIP must get it. Phase two releases in bursts from two vendors
/// while buyers race. Throughout, no ticket is lost or sold twice.
pub fn vip_rule_holds_across_types_under_a_crowd(strategy: Strategy) {
    const STEPS: u64 = 200;
    const BURST: u64 = 400;
    let mut config = two_types(strategy, STEPS + BURST, 16);
    config.ticket_types.push(TicketTypeConfig {
        name: "box".into(),
        price: Money::from_minor(9_000),
        quota: None,
        capacity: None,
    });
    let office = office(config);
    let types = ["stalls", "balcony", "box"];
    // (name, priority, want): Regulars for each type and for any; VIPs for
    // two types and for any, so only any-type VIPs are owed `box` tickets.
    let mut buyers = Vec::new();
    for (i, want) in [Some(0), None, Some(1), None].into_iter().enumerate() {
        buyers.push((format!("vip{i}"), Priority::Vip, want));
    }
    for (i, want) in [Some(0), Some(1), Some(2), None, None, Some(0), Some(1)]
        .into_iter()
        .enumerate()
    {
        buyers.push((format!("reg{i}"), Priority::Regular, want));
    }
    let vips = buyers.iter().filter(|b| b.1 == Priority::Vip).count() as u64;
    let regulars = buyers.len() as u64 - vips;
    let sold: Arc<Mutex<HashMap<u64, String>>> = Arc::default();
    let last_buyer: Arc<Mutex<Option<String>>> = Arc::default();
    let bought = AtomicU64::new(0);
    thread::scope(|s| {
        // A failed assertion must not leave the buyers waiting for ever.
        let _closer = CloseOnDrop(&office);
        for (name, priority, want) in &buyers {
            let customer = office.customer(name, *priority);
            let want = want.map_or(Want::Any, |t| Want::from(types[t]));
            let (sold, last_buyer, bought) = (&sold, &last_buyer, &bought);
            s.spawn(move || loop {
                match customer.buy(want.clone()) {
                    Ok(sale) => {
                        let before = sold
                            .lock()
                            .unwrap()
                            .insert(sale.ticket.id.0, customer.name().to_string());
                        assert_eq!(before, None, "ticket {:?} sold twice", sale.ticket.id);
                        *last_buyer.lock().unwrap() = Some(customer.name().to_string());
                        bought.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(BoxOfficeError::Closed | BoxOfficeError::SoldOut) => break,
                    Err(err) => panic!("{err:?}"),
                }
            });
        }
        let vendor = office.add_vendor("v", &[]).unwrap();
        let mut vip_served_when_owed = 0;
        for step in 0..STEPS {
            wait_until("not every buyer waited", || {
                let snap = office.snapshot();
                (snap.waiting_vip, snap.waiting_regular) == (vips, regulars)
            });
            let ty = (step * 7 % 3) as usize;
            vendor.release(types[ty]).unwrap();
            wait_until("nobody bought the ticket", || {
                bought.load(Ordering::SeqCst) == step + 1
            });
            let buyer = last_buyer.lock().unwrap().clone().unwrap();
            let (_, priority, want) = buyers.iter().find(|b| b.0 == buyer).unwrap();
            assert!(
                want.is_none_or(|w| w == ty),
                "{buyer} got a {} ticket",
                types[ty]
            );
            let vip_owed = buyers
                .iter()
                .any(|b| b.1 == Priority::Vip && b.2.is_none_or(|w| w == ty));
            if vip_owed {
                assert_eq!(
                    *priority,
                    Priority::Vip,
                    "step {step}: {buyer} took a {} ticket a VIP waited for",
                    types[ty]
                );
                vip_served_when_owed += 1;
            }
        }
        assert!(vip_served_when_owed > 0);
        let second = office.add_vendor("w", &[]).unwrap();
        let vendors = [vendor, second];
        let released = &AtomicU64::new(0);
        thread::scope(|burst| {
            for vendor in &vendors {
                burst.spawn(move || {
                    let mut n = 0;
                    while released.fetch_add(1, Ordering::SeqCst) < BURST {
                        vendor.release(types[n % 3]).unwrap();
                        n += 1;
                    }
                });
            }
        });
        wait_until("the burst was not all sold", || {
            bought.load(Ordering::SeqCst) == STEPS + BURST
        });
        office.close();
    });
    let snap = office.snapshot();
    assert_eq!(snap.totals.sold, STEPS + BURST);
    assert_eq!(snap.totals.released, STEPS + BURST);
    assert_eq!(sold.lock().unwrap().len() as u64, STEPS + BURST);
    assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
}

/// Closes the office when dropped, even by a panic.
struct CloseOnDrop<'a>(&'a BoxOffice);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}
