//! The scenario and the report invariants shared by the simulator suite
//! (`mod.rs` here) and the crate's own unit tests, which include this file
//! with `#[path]` for the tests that need non-public items. Both contexts
//! bring [`Report`] and [`SimulationConfig`] into the including module, so
//! they are imported from `super`.

#![allow(dead_code)]

use std::time::Duration;

use ticketpool_core::{Money, Priority, Strategy};

use super::{Report, SimulationConfig};

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
