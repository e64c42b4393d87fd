//! The bench's own figures, after criterion's: for each node count the
//! booking rate over all its sell-outs, the CPU per booking of the nodes,
//! of PostgreSQL and of the clients, and the cores the machine kept busy;
//! the ratio 3 nodes / 1 node; and what N machines would do on paper.

use std::collections::BTreeMap;

use crate::cpu::{self, Spent};
use crate::run::{Sample, Shape};

/// The 1-, 5- and 15-minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "?".to_owned())
}

/// One node count's sell-outs, summed.
struct Totals {
    runs: usize,
    bookings: u64,
    /// To the last confirm, summed.
    seconds: f64,
    /// To the last buyer told sold out, summed.
    told_seconds: f64,
    /// The windows the CPU was read over, summed.
    window_seconds: f64,
    retries: u64,
    spent: Spent,
    slowest: f64,
    fastest: f64,
}

impl Totals {
    fn of(samples: &[Sample]) -> Self {
        let rate = |s: &Sample| s.tally.sold as f64 / s.took.selling.as_secs_f64();
        Self {
            runs: samples.len(),
            bookings: samples.iter().map(|s| s.tally.sold).sum(),
            seconds: samples.iter().map(|s| s.took.selling.as_secs_f64()).sum(),
            told_seconds: samples.iter().map(|s| s.took.all_told.as_secs_f64()).sum(),
            window_seconds: samples.iter().map(|s| s.window.as_secs_f64()).sum(),
            retries: samples.iter().map(|s| s.tally.retries).sum(),
            spent: samples
                .iter()
                .fold(Spent::default(), |sum, s| sum.add(s.spent)),
            slowest: samples.iter().map(rate).fold(f64::INFINITY, f64::min),
            fastest: samples.iter().map(rate).fold(0.0, f64::max),
        }
    }

    fn rate(&self) -> f64 {
        self.bookings as f64 / self.seconds
    }
}

/// Prints the summary of `samples` by node count.
pub fn print(samples: &BTreeMap<usize, Vec<Sample>>, shape: Shape, before: String, after: String) {
    if samples.is_empty() {
        return;
    }
    let tick_ms = 1_000.0 / cpu::ticks_per_second() as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "\ncluster_http: {} tickets, {} buyers, {cores} cores; load average {before} before, \
         {after} after",
        shape.tickets, shape.buyers
    );
    println!(
        "nodes  runs  bookings/s (min-max)       node CPU ms/bkg  PG ms/bkg (backends+shared)  \
         client ms/bkg  cores busy  retries/bkg  sold-out tail ms"
    );
    let mut totals = BTreeMap::new();
    for (&nodes, samples) in samples {
        let t = Totals::of(samples);
        let per = |ticks: u64| ticks as f64 * tick_ms / t.bookings as f64;
        println!(
            "{nodes:>5}  {:>4}  {:>7.0} ({:>5.0}-{:>5.0})     {:>15.3}  {:>8.3} ({:.3}+{:.3})     \
             {:>13.3}  {:>10.2}  {:>11.3}  {:>16.0}",
            t.runs,
            t.rate(),
            t.slowest,
            t.fastest,
            per(t.spent.nodes),
            per(t.spent.pg_ours + t.spent.pg_shared),
            per(t.spent.pg_ours),
            per(t.spent.pg_shared),
            per(t.spent.client),
            t.spent.machine as f64 * tick_ms / 1_000.0 / t.window_seconds,
            t.retries as f64 / t.bookings as f64,
            (t.told_seconds - t.seconds) * 1_000.0 / t.runs as f64,
        );
        totals.insert(nodes, t);
    }
    let (Some(one), Some(three)) = (totals.get(&1), totals.get(&3)) else {
        return;
    };
    println!("ratio 3 nodes / 1 node: {:.2}", three.rate() / one.rate());
    on_paper(three, tick_ms, cores);
}

/// N machines of `cores` cores, one node each (clients elsewhere), one
/// PostgreSQL machine of `cores` cores: a node's machine books at most
/// `cores / node CPU per booking`, PostgreSQL at most `cores / its CPU per
/// booking`; N nodes at most the smaller of N times the first and the
/// second. CPU only: PostgreSQL's fsync rate is not counted.
fn on_paper(cluster: &Totals, tick_ms: f64, cores: usize) {
    let per = |ticks: u64| ticks as f64 * tick_ms / cluster.bookings as f64;
    let node_ms = per(cluster.spent.nodes);
    let pg_ms = per(cluster.spent.pg_ours + cluster.spent.pg_shared);
    if node_ms <= 0.0 || pg_ms <= 0.0 {
        println!("on paper: no CPU figures (not Linux?)");
        return;
    }
    let node_rate = cores as f64 * 1_000.0 / node_ms;
    let pg_rate = cores as f64 * 1_000.0 / pg_ms;
    println!(
        "on paper (3-node CPU costs, {cores}-core machines): R(N) = min(N x {cores} x 1000 / \
         {node_ms:.3}, {cores} x 1000 / {pg_ms:.3}) = min(N x {node_rate:.0}, {pg_rate:.0}) \
         bookings/s; PostgreSQL's CPU is the limit from N = {:.1}",
        pg_rate / node_rate
    );
    let row: Vec<String> = [1, 2, 3, 4, 8]
        .iter()
        .map(|&n| format!("N={n}: {:.0}", (n as f64 * node_rate).min(pg_rate)))
        .collect();
    println!("  {}", row.join(", "));
}
