//! The simulator suite, written once and parameterised by the pool
//! [`Strategy`]; `tests/simulation.rs` instantiates it per strategy with
//! `sim_suite!`.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{Money, Strategy};
use ticketpool_sim::{EndReason, Report, Simulation, SimulationConfig, SimulationError};

mod support;

use self::support::{check_consistent, small};

/// Instantiates every test in this module for one strategy.
macro_rules! sim_suite {
    ($strategy:expr) => {
        sim_suite!(@tests $strategy;
            sold_out_run_report_is_consistent, sold_out_ends_the_run_early,
            stop_from_another_thread_joins_everything,
            duration_ends_the_run, abandoned_holds_expire,
            vendors_can_be_added_removed_and_retuned_while_running,
            progress_callback_sees_the_run, purchase_demand_ends_the_run,
            a_full_type_does_not_hold_vendors_up);
    };
    (@tests $strategy:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                crate::sim_suite::$name($strategy);
            }
        )*
    };
}

/// Longest wait for something a running simulation should do: a guard
/// against a hang, never reached when things work, not a timing assumption.
const PATIENCE: Duration = Duration::from_secs(120);

pub fn sold_out_run_report_is_consistent(strategy: Strategy) {
    let config = small(strategy);
    let report = Simulation::new(config.clone()).unwrap().run().unwrap();
    assert_eq!(report.end, EndReason::SoldOut);
    assert_eq!(report.sold, 2_000);
    assert_eq!(report.strategy, strategy);
    let stalls = report.sales_by_type["stalls"].sold;
    let balcony = report.sales_by_type["balcony"].sold;
    assert!(stalls <= 1_200, "the quota holds: {stalls}");
    assert_eq!(stalls + balcony, 2_000);
    let price = |n: u64, minor: i64| Money::from_minor(i64::try_from(n).unwrap() * minor);
    assert_eq!(report.revenue, price(stalls, 4_500) + price(balcony, 2_500));
    assert!(report.holds.placed > 0 && report.holds.abandoned > 0);
    assert!(report.fairness.vip.is_some() && report.fairness.regular.is_some());
    check_consistent(&report, &config);
}

pub fn sold_out_ends_the_run_early(strategy: Strategy) {
    let mut config = small(strategy);
    config.office.total_tickets = 300;
    config.office.ticket_types[0].quota = None;
    config.duration_ms = 120_000;
    let report = Simulation::new(config.clone()).unwrap().run().unwrap();
    assert_eq!(report.end, EndReason::SoldOut);
    assert!(report.elapsed_secs < 60.0, "{}", report.elapsed_secs);
    assert_eq!(report.sold, 300);
    check_consistent(&report, &config);
}

pub fn stop_from_another_thread_joins_everything(strategy: Strategy) {
    let mut config = small(strategy);
    config.duration_ms = 600_000;
    for vendor in &mut config.vendors {
        vendor.rate = Some(50.0);
    }
    let running = Simulation::new(config.clone()).unwrap().spawn().unwrap();
    let handle = running.handle().clone();
    let started = Instant::now();
    while handle.snapshot().totals.sold < 5 {
        assert!(started.elapsed() < PATIENCE, "nothing sold");
        thread::sleep(Duration::from_millis(5));
    }
    assert!(handle.is_running());
    // Paused vendors are blocked inside the office; stop must free them.
    assert!(handle.pause());
    // Stop only once every vendor is really blocked in the paused office.
    let vendors = config.vendors.len() as u64;
    while handle.snapshot().waiting_vendors < vendors {
        assert!(started.elapsed() < PATIENCE, "vendors never blocked");
        thread::sleep(Duration::from_millis(1));
    }
    let stopper = thread::spawn(move || handle.stop());
    let report = running.join().unwrap();
    stopper.join().unwrap();
    assert_eq!(report.end, EndReason::Stopped);
    assert!(report.sold < report.total_tickets);
    check_consistent(&report, &config);
}

pub fn duration_ends_the_run(strategy: Strategy) {
    let mut config = small(strategy);
    config.duration_ms = 300;
    config.customers.rate = Some(20.0);
    let simulation = Simulation::new(config.clone()).unwrap();
    let office = simulation.office().clone();
    let report = simulation.run().unwrap();
    assert_eq!(report.end, EndReason::Duration);
    assert!(report.elapsed_secs >= 0.3);
    assert!(report.sold > 0 && report.sold < report.total_tickets);
    // Nobody is left blocked once the run is over.
    let snapshot = office.snapshot();
    assert!(snapshot.closed);
    assert_eq!(snapshot.waiting_vip + snapshot.waiting_regular, 0);
    assert_eq!(snapshot.waiting_vendors, 0);
    check_consistent(&report, &config);
}

pub fn abandoned_holds_expire(strategy: Strategy) {
    let mut config = small(strategy);
    config.duration_ms = 500;
    config.office.hold_ttl = Duration::from_millis(10);
    config.customers.count = 2;
    config.customers.rate = Some(20.0);
    config.customers.hold_share = 1.0;
    config.customers.abandon_share = 1.0;
    let report = Simulation::new(config.clone()).unwrap().run().unwrap();
    assert_eq!(report.end, EndReason::Duration);
    assert_eq!(report.sold, 0, "every hold was abandoned");
    assert!(report.holds.placed > 0);
    assert_eq!(report.holds.abandoned, report.holds.placed);
    assert!(report.holds.expired > 0, "{:?}", report.holds);
    assert_eq!(report.fairness.vip, None);
    check_consistent(&report, &config);
}

pub fn vendors_can_be_added_removed_and_retuned_while_running(strategy: Strategy) {
    let mut config = small(strategy);
    config.duration_ms = 600_000;
    config.office.total_tickets = 1_000_000;
    config.office.ticket_types[0].quota = None;
    config.customers.rate = Some(200.0);
    config.set_vendor_count(1);
    config.vendors[0].rate = Some(100.0);
    let running = Simulation::new(config.clone()).unwrap().spawn().unwrap();
    let handle = running.handle().clone();
    let released = |name: &str| {
        handle
            .snapshot()
            .by_vendor
            .get(name)
            .map_or(0, |c| c.released)
    };
    let wait_for = |what: &dyn Fn() -> bool| {
        let started = Instant::now();
        while !what() {
            assert!(started.elapsed() < PATIENCE, "timed out");
            thread::sleep(Duration::from_millis(5));
        }
    };
    wait_for(&|| handle.is_running());
    handle.add_vendor("extra", None, &["balcony"]).unwrap();
    wait_for(&|| released("extra") > 0);
    assert!(matches!(
        handle.add_vendor("extra", None, &[]),
        Err(SimulationError::Office(_))
    ));
    assert!(matches!(
        handle.set_vendor_rate("extra", Some(-1.0)),
        Err(SimulationError::InvalidRate(_))
    ));
    handle.set_vendor_rate("extra", Some(5_000.0)).unwrap();
    assert!(handle
        .vendor_rates()
        .contains(&("extra".to_owned(), Some(5_000.0))));
    handle.remove_vendor("extra").unwrap();
    let after_remove = released("extra");
    // A window for something that must NOT happen: at 5,000/s a vendor that
    // kept running would release hundreds in it; passing never depends on it.
    thread::sleep(Duration::from_millis(100));
    assert!(
        released("extra") <= after_remove + 1,
        "a removed vendor releases at most the one it was making"
    );
    assert!(handle.remove_vendor("extra").is_err());
    handle.stop();
    let report = running.join().unwrap();
    assert!(matches!(
        handle.add_vendor("late", None, &[]),
        Err(SimulationError::NotRunning)
    ));
    check_consistent(&report, &config);
}

pub fn progress_callback_sees_the_run(strategy: Strategy) {
    let mut config = small(strategy);
    config.sample_interval_ms = 5;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut simulation = Simulation::new(config.clone()).unwrap();
    let counter = Arc::clone(&calls);
    simulation.on_progress(move |progress| {
        assert!(progress.snapshot.is_consistent());
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let report = simulation.run().unwrap();
    assert!(calls.load(Ordering::Relaxed) >= 1);
    assert_eq!(calls.load(Ordering::Relaxed) + 1, report.timeline.len());
    check_consistent(&report, &config);
}

pub fn purchase_demand_ends_the_run(strategy: Strategy) {
    let mut config = small(strategy);
    config.office.purchase_limit = Some(3);
    config.customers.hold_share = 0.0;
    let report = Simulation::new(config.clone()).unwrap().run().unwrap();
    assert_eq!(report.end, EndReason::DemandMet);
    assert_eq!(report.sold, 3 * 8);
    assert!(report.customers.iter().all(|c| c.bought == 3));
    assert_eq!(report.fairness.vip, Some(1.0));
    assert_eq!(report.fairness.regular, Some(1.0));
    check_consistent(&report, &config);
}

/// Nobody buys balcony, so its share of the office fills and stays full; the
/// vendors, who release both types in turn, must keep releasing stalls for
/// the customers who want them instead of waiting for balcony room. (A
/// vendor blocked on the full type stalled such runs until `duration_ms`.)
pub fn a_full_type_does_not_hold_vendors_up(strategy: Strategy) {
    let mut config = small(strategy);
    config.office.max_capacity = 2;
    config.office.total_tickets = 1_000;
    config.office.ticket_types[0].quota = None;
    config.customers.ticket_type = Some("stalls".into());
    config.customers.count = 2;
    config.customers.tickets_each = 20;
    config.customers.hold_share = 0.0;
    config.duration_ms = PATIENCE.as_millis() as u64;
    let report = Simulation::new(config.clone()).unwrap().run().unwrap();
    assert_eq!(report.end, EndReason::DemandMet, "{:?}", report.end);
    assert_eq!(report.sales_by_type["stalls"].sold, 40);
    assert_eq!(report.sales_by_type.get("balcony").map_or(0, |t| t.sold), 0);
    assert!(report.available_at_end >= 1, "balcony's share stayed full");
    check_consistent(&report, &config);
}
