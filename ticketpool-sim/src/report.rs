//! What a run produced: counts, throughput, wait-time percentiles per
//! priority (from hdrhistogram), sales per vendor and type, fairness and
//! the timeline. Serializes to JSON.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::outcome::{CustomerReport, EndReason};
use crate::timeline::TimelinePoint;
use ticketpool_core::Priority;
use ticketpool_core::Snapshot;
use ticketpool_core::Strategy;
use ticketpool_core::{Money, Sale};

/// Wait-time percentiles of one priority, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitStats {
    /// Sales counted.
    pub count: u64,
    /// Shortest wait.
    pub min_us: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Longest wait.
    pub max_us: u64,
    /// Mean.
    pub mean_us: f64,
}

/// One bar of a wait-time distribution: waits up to `upper_us` (and above
/// the previous bar's bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitBucket {
    /// The bucket's upper bound in microseconds.
    pub upper_us: u64,
    /// Sales whose wait fell in it.
    pub count: u64,
}

/// A value for each priority.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PerPriority<T> {
    /// VIP customers'.
    pub vip: T,
    /// Regular customers'.
    pub regular: T,
}

/// Sales of one ticket type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeSales {
    /// Tickets sold.
    pub sold: u64,
    /// What they brought in.
    pub revenue: Money,
}

/// Hold outcomes over all customers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldStats {
    /// Holds placed.
    pub placed: u64,
    /// Holds confirmed into sales.
    pub confirmed: u64,
    /// Holds abandoned by their customer.
    pub abandoned: u64,
    /// Holds the office expired.
    pub expired: u64,
    /// Holds cancelled at the end of the run.
    pub cancelled: u64,
}

/// The outcome of a [`Simulation`](crate::Simulation) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The event's name.
    pub event_name: String,
    /// The pool strategy used.
    pub strategy: Strategy,
    /// The seed of the arrivals.
    pub seed: u64,
    /// Why the run ended.
    pub end: EndReason,
    /// How long it ran, in seconds.
    pub elapsed_secs: f64,
    /// The event's size.
    pub total_tickets: u64,
    /// Tickets released.
    pub released: u64,
    /// Tickets sold.
    pub sold: u64,
    /// Tickets still on sale at the end.
    pub available_at_end: u64,
    /// Tickets still held at the end.
    pub held_at_end: u64,
    /// Sales per second over the run.
    pub throughput_per_sec: f64,
    /// Total revenue.
    pub revenue: Money,
    /// The most tickets in the office at once (available plus held): an
    /// exact high-water mark kept by the office, not a sample.
    pub peak_occupancy: u64,
    /// The office's capacity.
    pub max_capacity: usize,
    /// Wait-time percentiles per priority.
    pub wait: PerPriority<WaitStats>,
    /// Wait-time distributions per priority, in doubling buckets.
    pub wait_distribution: PerPriority<Vec<WaitBucket>>,
    /// Jain's fairness index of tickets per customer within each priority:
    /// 1 when all got the same, `1/n` when one got everything; `None` when
    /// nobody of that priority bought.
    pub fairness: PerPriority<Option<f64>>,
    /// Sales per vendor.
    pub sales_by_vendor: BTreeMap<String, u64>,
    /// Sales and revenue per ticket type.
    pub sales_by_type: BTreeMap<String, TypeSales>,
    /// Hold outcomes.
    pub holds: HoldStats,
    /// Every customer's part, VIPs first.
    pub customers: Vec<CustomerReport>,
    /// The sampling interval of the timeline, in milliseconds.
    pub sample_interval_ms: u64,
    /// The office sampled at a fixed interval, and once at the end.
    pub timeline: Vec<TimelinePoint>,
}

impl Report {
    /// The report as pretty JSON.
    ///
    /// # Panics
    ///
    /// Only if the JSON serializer rejects the report, which none of its
    /// fields (numbers, strings, lists and maps with string keys) can make
    /// it do: a panic here is a bug.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes to JSON")
    }
}

/// Everything the controller gathered, to be summed up.
pub(crate) struct RunRecord<'a> {
    pub(crate) seed: u64,
    pub(crate) end: EndReason,
    pub(crate) elapsed: Duration,
    pub(crate) snapshot: &'a Snapshot,
    /// When the final snapshot was taken: after the last sample, so the
    /// timeline stays in order.
    pub(crate) snapshot_at: Duration,
    pub(crate) sales: &'a [Sale],
    pub(crate) customers: Vec<CustomerReport>,
    pub(crate) sample_interval_ms: u64,
    pub(crate) timeline: Vec<TimelinePoint>,
}

impl RunRecord<'_> {
    pub(crate) fn into_report(self) -> Report {
        let mut waits = PerPriority {
            vip: histogram(),
            regular: histogram(),
        };
        let mut sales_by_vendor: BTreeMap<String, u64> = self
            .snapshot
            .by_vendor
            .keys()
            .map(|name| (name.clone(), 0))
            .collect();
        let mut sales_by_type: BTreeMap<String, TypeSales> = self
            .snapshot
            .by_type
            .keys()
            .map(|name| (name.clone(), TypeSales::default()))
            .collect();
        let mut per_customer: HashMap<&str, u64> = HashMap::new();
        for sale in self.sales {
            let micros = u64::try_from(sale.waited.as_micros()).unwrap_or(u64::MAX);
            let hist = match sale.priority {
                Priority::Vip => &mut waits.vip,
                Priority::Regular => &mut waits.regular,
            };
            hist.saturating_record(micros.max(1));
            *sales_by_vendor
                .entry(sale.ticket.vendor.to_string())
                .or_default() += 1;
            let by_type = sales_by_type
                .entry(sale.ticket.ticket_type.to_string())
                .or_default();
            by_type.sold += 1;
            by_type.revenue += sale.price;
            *per_customer.entry(&sale.customer).or_default() += 1;
        }
        let fairness_of = |priority: Priority| {
            jain(
                self.customers
                    .iter()
                    .filter(|c| c.priority == priority)
                    .map(|c| per_customer.get(c.name.as_str()).copied().unwrap_or(0)),
            )
        };
        let holds = self
            .customers
            .iter()
            .fold(HoldStats::default(), |acc, c| HoldStats {
                placed: acc.placed + c.holds_placed,
                confirmed: acc.confirmed + c.holds_confirmed,
                abandoned: acc.abandoned + c.holds_abandoned,
                expired: acc.expired + c.holds_expired,
                cancelled: acc.cancelled + c.holds_cancelled,
            });
        let totals = self.snapshot.totals;
        let secs = self.elapsed.as_secs_f64();
        let mut timeline = self.timeline;
        timeline.push(TimelinePoint::of(self.snapshot, self.snapshot_at));
        Report {
            event_name: self.snapshot.event_name.clone(),
            strategy: self.snapshot.strategy,
            seed: self.seed,
            end: self.end,
            elapsed_secs: secs,
            total_tickets: self.snapshot.total_tickets,
            released: totals.released,
            sold: totals.sold,
            available_at_end: totals.available,
            held_at_end: totals.held,
            throughput_per_sec: if secs > 0.0 {
                totals.sold as f64 / secs
            } else {
                0.0
            },
            revenue: self.snapshot.revenue,
            peak_occupancy: self.snapshot.peak_occupancy,
            max_capacity: self.snapshot.max_capacity,
            wait: PerPriority {
                vip: stats(&waits.vip),
                regular: stats(&waits.regular),
            },
            wait_distribution: PerPriority {
                vip: buckets(&waits.vip),
                regular: buckets(&waits.regular),
            },
            fairness: PerPriority {
                vip: fairness_of(Priority::Vip),
                regular: fairness_of(Priority::Regular),
            },
            sales_by_vendor,
            sales_by_type,
            holds,
            customers: self.customers,
            sample_interval_ms: self.sample_interval_ms,
            timeline,
        }
    }
}

fn histogram() -> Histogram<u64> {
    // 1 µs to 1 hour at 3 significant digits; longer waits saturate.
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("these bounds are valid")
}

fn stats(hist: &Histogram<u64>) -> WaitStats {
    if hist.is_empty() {
        return WaitStats::default();
    }
    WaitStats {
        count: hist.len(),
        min_us: hist.min(),
        p50_us: hist.value_at_quantile(0.50),
        p90_us: hist.value_at_quantile(0.90),
        p99_us: hist.value_at_quantile(0.99),
        max_us: hist.max(),
        mean_us: hist.mean(),
    }
}

fn buckets(hist: &Histogram<u64>) -> Vec<WaitBucket> {
    if hist.is_empty() {
        return Vec::new();
    }
    hist.iter_log(1, 2.0)
        .map(|bucket| WaitBucket {
            upper_us: bucket.value_iterated_to(),
            count: bucket.count_since_last_iteration(),
        })
        .collect()
}

/// Jain's fairness index `(Σx)² / (n·Σx²)`; `None` for no values or all
/// zero.
pub(crate) fn jain(values: impl Iterator<Item = u64>) -> Option<f64> {
    let (mut n, mut sum, mut squares) = (0_u64, 0_f64, 0_f64);
    for x in values {
        let x = x as f64;
        n += 1;
        sum += x;
        squares += x * x;
    }
    (n > 0 && squares > 0.0).then(|| (sum * sum) / (n as f64 * squares))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_ticket_run_reports_a_peak_occupancy_of_one() {
        // The run ends long before the sampler's first tick: a sampled
        // peak said 0.
        let mut config = crate::SimulationConfig::default();
        config.set_total_tickets(1);
        let report = crate::Simulation::new(config).unwrap().run().unwrap();
        assert_eq!(report.sold, 1);
        assert_eq!(report.peak_occupancy, 1);
    }

    #[test]
    fn jain_index_spans_one_over_n_to_one() {
        assert_eq!(jain([5, 5, 5, 5].into_iter()), Some(1.0));
        assert_eq!(jain([8, 0, 0, 0].into_iter()), Some(0.25));
        let mid = jain([1, 2, 3].into_iter()).unwrap();
        assert!((mid - 36.0 / 42.0).abs() < 1e-12);
        assert_eq!(jain([0, 0].into_iter()), None);
        assert_eq!(jain(std::iter::empty()), None);
    }

    #[test]
    fn buckets_count_every_recorded_wait() {
        let mut hist = histogram();
        for micros in [1, 3, 3, 100, 5_000, 5_000, 1_000_000] {
            hist.record(micros).unwrap();
        }
        let bars = buckets(&hist);
        assert_eq!(bars.iter().map(|b| b.count).sum::<u64>(), 7);
        assert!(bars.windows(2).all(|w| w[0].upper_us < w[1].upper_us));
        let s = stats(&hist);
        assert!(s.min_us <= s.p50_us && s.p50_us <= s.p99_us && s.p99_us <= s.max_us);
    }
}
