//! The simulator suite, written once and parameterised by the pool
//! [`Strategy`]; `tests/simulation.rs` instantiates it per strategy with
//! `sim_suite!`.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{Money, Priority, Strategy};
use ticketpool_sim::{
    plan_digest, CustomerPlan, EndReason, Report, Simulation, SimulationConfig, SimulationError,
};

/// Instantiates every test in this module for one strategy.
macro_rules! sim_suite {
    ($strategy:expr) => {
        sim_suite!(@tests $strategy;
            sold_out_run_report_is_consistent, sold_out_ends_the_run_early,
            same_seed_same_requests, stop_from_another_thread_joins_everything,
            duration_ends_the_run, abandoned_holds_expire,
            vendors_can_be_added_removed_and_retuned_while_running,
            progress_callback_sees_the_run, purchase_demand_ends_the_run);
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

/// A small, quick version of the default scenario.
pub fn small(strategy: Strategy) -> SimulationConfig {
    let mut config = SimulationConfig::default();
    config.office.strategy = strategy;
    config.office.total_tickets = 2_000;
    config.office.max_capacity = 16;
    config.office.ticket_types[0].quota = Some(1_200);
    config.office.hold_ttl = Duration::from_millis(20);
    config.customers.count = 8;
    config.customers.hold_share = 0.3;
    config.customers.abandon_share = 0.1;
    config.duration_ms = 30_000;
    config
}

/// The invariants every report must keep, whatever ended the run.
pub fn check_consistent(report: &Report, config: &SimulationConfig) {
    assert!(report.sold <= report.total_tickets);
    assert!(report.released <= report.total_tickets);
    assert_eq!(
        report.released,
        report.sold + report.available_at_end + report.held_at_end,
        "released tickets are on sale, held or sold"
    );
    let by_type: u64 = report.sales_by_type.values().map(|t| t.sold).sum();
    let by_vendor: u64 = report.sales_by_vendor.values().sum();
    let by_customer: u64 = report.customers.iter().map(|c| c.bought).sum();
    assert_eq!(by_type, report.sold);
    assert_eq!(by_vendor, report.sold);
    assert_eq!(by_customer, report.sold);
    let revenue: Money = report.sales_by_type.values().map(|t| t.revenue).sum();
    assert_eq!(revenue, report.revenue);
    assert_eq!(
        report.wait.vip.count + report.wait.regular.count,
        report.sold
    );
    for wait in [&report.wait.vip, &report.wait.regular] {
        assert!(wait.min_us <= wait.p50_us, "{wait:?}");
        assert!(wait.p50_us <= wait.p90_us, "{wait:?}");
        assert!(wait.p90_us <= wait.p99_us, "{wait:?}");
        assert!(wait.p99_us <= wait.max_us, "{wait:?}");
    }
    let bars: u64 = report
        .wait_distribution
        .vip
        .iter()
        .chain(&report.wait_distribution.regular)
        .map(|b| b.count)
        .sum();
    assert_eq!(bars, report.sold);
    for fairness in [report.fairness.vip, report.fairness.regular]
        .into_iter()
        .flatten()
    {
        assert!(fairness > 0.0 && fairness <= 1.0 + 1e-12, "{fairness}");
    }
    assert!(report.peak_occupancy <= config.office.max_capacity as u64);
    assert!(report.timeline.len() >= 2);
    assert!(report
        .timeline
        .windows(2)
        .all(|w| w[0].t_ms <= w[1].t_ms && w[0].sold <= w[1].sold));
    assert_eq!(report.timeline.last().unwrap().sold, report.sold);
    let vips = report
        .customers
        .iter()
        .filter(|c| c.priority == Priority::Vip);
    assert_eq!(vips.count(), config.vip_count());
    assert_eq!(report.customers.len(), config.customers.count);
    let h = &report.holds;
    assert!(h.confirmed + h.abandoned <= h.placed, "{h:?}");
    // Every hold not confirmed ended expired or cancelled, none lost.
    assert_eq!(h.placed - h.confirmed, h.expired + h.cancelled, "{h:?}");
    // Every report serializes and reads back.
    let back: Report = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(back.sold, report.sold);
}

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

/// Every customer makes a fixed number of requests, so the sequence each
/// one followed can be compared run to run.
fn bounded_demand(strategy: Strategy, seed: u64) -> SimulationConfig {
    let mut config = small(strategy);
    config.seed = seed;
    config.office.total_tickets = 5_000;
    config.office.ticket_types[0].quota = None;
    config.office.hold_ttl = Duration::from_secs(30);
    config.customers.count = 6;
    config.customers.tickets_each = 5;
    config.customers.rate = Some(2_000.0);
    config.customers.hold_share = 0.5;
    config.customers.abandon_share = 0.3;
    config
}

pub fn same_seed_same_requests(strategy: Strategy) {
    let run = |seed| {
        let config = bounded_demand(strategy, seed);
        let report = Simulation::new(config.clone()).unwrap().run().unwrap();
        assert_eq!(report.end, EndReason::DemandMet);
        check_consistent(&report, &config);
        for customer in &report.customers {
            assert_eq!(customer.bought, 5);
            // What the thread did is exactly the seeded plan's prefix.
            let plan = CustomerPlan::new(&config, customer.index);
            assert_eq!(
                customer.plan_digest,
                plan_digest(plan, customer.requests),
                "{}",
                customer.name
            );
        }
        let mut seen: Vec<_> = report
            .customers
            .iter()
            .map(|c| (c.index, c.requests, c.plan_digest))
            .collect();
        seen.sort_unstable();
        seen
    };
    let first = run(11);
    assert_eq!(first, run(11), "same seed, same requests");
    assert_ne!(first, run(12), "another seed, other requests");
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
