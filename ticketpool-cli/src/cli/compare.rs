//! `--compare`: one table, one column per strategy.

use std::fmt::Write;

use ticketpool_sim::Report;

/// The side-by-side table.
pub fn table(reports: &[Report]) -> String {
    type Row = (&'static str, fn(&Report) -> String);
    let rows: [Row; 10] = [
        ("sold", |r| r.sold.to_string()),
        ("elapsed (s)", |r| format!("{:.3}", r.elapsed_secs)),
        ("throughput (sales/s)", |r| {
            format!("{:.0}", r.throughput_per_sec)
        }),
        ("vip wait p50 (µs)", |r| r.wait.vip.p50_us.to_string()),
        ("vip wait p99 (µs)", |r| r.wait.vip.p99_us.to_string()),
        ("regular wait p50 (µs)", |r| {
            r.wait.regular.p50_us.to_string()
        }),
        ("regular wait p99 (µs)", |r| {
            r.wait.regular.p99_us.to_string()
        }),
        ("fairness vip", |r| fairness(r.fairness.vip)),
        ("fairness regular", |r| fairness(r.fairness.regular)),
        ("holds expired", |r| r.holds.expired.to_string()),
    ];
    let mut out = String::new();
    let _ = write!(out, "{:<24}", "");
    for report in reports {
        let _ = write!(out, "{:>14}", report.strategy.as_str());
    }
    out.push('\n');
    for (label, cell) in rows {
        let _ = write!(out, "{label:<24}");
        for report in reports {
            let _ = write!(out, "{:>14}", cell(report));
        }
        out.push('\n');
    }
    out
}

fn fairness(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}
