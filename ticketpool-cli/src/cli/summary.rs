//! Text for people: the end-of-run summary, the status line and the live
//! details.

use std::fmt::Write;
use std::time::Duration;

use ticketpool_core::{Priority, Snapshot};
use ticketpool_sim::{EndReason, HoldStats, Report};

/// A rate for people.
pub fn rate_text(rate: Option<f64>) -> String {
    rate.map_or_else(|| "as fast as possible".to_owned(), |r| format!("{r}/s"))
}

/// Sales per second between two looks.
#[derive(Debug, Default)]
pub struct Rate {
    last: Option<(u64, Duration)>,
}

impl Rate {
    /// The rate since the previous call (0 on the first).
    pub fn update(&mut self, sold: u64, at: Duration) -> f64 {
        let rate = match self.last {
            Some((before, then)) if at > then => {
                sold.saturating_sub(before) as f64 / (at - then).as_secs_f64()
            }
            Some(_) => 0.0,
            // The first look: the average since the start.
            None if !at.is_zero() => sold as f64 / at.as_secs_f64(),
            None => 0.0,
        };
        self.last = Some((sold, at));
        rate
    }
}

/// `t=1.2s sold 812/10000 held 3 available 64 waiting vip 2 regular 9 [paused]`.
pub fn status_line(s: &Snapshot, elapsed: Duration) -> String {
    let mut line = format!(
        "t={:.1}s sold {}/{} held {} available {} waiting vip {} regular {} vendors waiting {}",
        elapsed.as_secs_f64(),
        s.totals.sold,
        s.total_tickets,
        s.totals.held,
        s.totals.available,
        s.waiting_vip,
        s.waiting_regular,
        s.waiting_vendors,
    );
    for (flag, word) in [
        (s.paused, "paused"),
        (s.sold_out, "sold out"),
        (s.closed, "closed"),
    ] {
        if flag {
            line.push_str(" [");
            line.push_str(word);
            line.push(']');
        }
    }
    line
}

/// Availability by type and by running vendor (`vendors`: removed ones
/// are left out), and sales per second.
pub fn live_details(s: &Snapshot, per_sec: f64, vendors: &[String]) -> String {
    let types: Vec<String> = s
        .by_type
        .iter()
        .map(|(name, c)| format!("{name} {}", c.available))
        .collect();
    let vendors: Vec<String> = vendors
        .iter()
        .map(|name| {
            let available = s.by_vendor.get(name).map_or(0, |c| c.available);
            format!("{name} {available}")
        })
        .collect();
    format!(
        "{per_sec:.0} sales/s | held {} | waiting vip {} regular {} | available by type: {} | by vendor: {}{}",
        s.totals.held,
        s.waiting_vip,
        s.waiting_regular,
        list_or_none(&types),
        list_or_none(&vendors),
        if s.paused { " [paused]" } else { "" },
    )
}

/// `a, b`, or `none` rather than nothing at all.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn end_text(end: EndReason) -> &'static str {
    match end {
        EndReason::SoldOut => "sold out",
        EndReason::DemandMet => "every customer got what it wanted",
        EndReason::Duration => "duration reached",
        EndReason::Stopped => "stopped",
        // A reason added to the simulator after this was written.
        _ => "ended",
    }
}

fn micros(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{:.2}s", us as f64 / 1e6)
    } else if us >= 1_000 {
        format!("{:.2}ms", us as f64 / 1e3)
    } else {
        format!("{us}µs")
    }
}

fn fairness(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}

/// The end-of-run summary.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({} strategy, seed {}): {} after {:.2}s",
        r.event_name,
        r.strategy.as_str(),
        r.seed,
        end_text(r.end),
        r.elapsed_secs
    );
    let _ = writeln!(
        out,
        "  sold {} of {} (released {}, on sale {}, held {}), {:.0} sales/s, revenue {}",
        r.sold,
        r.total_tickets,
        r.released,
        r.available_at_end,
        r.held_at_end,
        r.throughput_per_sec,
        r.revenue
    );
    for (label, w, f) in [
        (Priority::Vip.as_str(), &r.wait.vip, r.fairness.vip),
        (
            Priority::Regular.as_str(),
            &r.wait.regular,
            r.fairness.regular,
        ),
    ] {
        let _ = writeln!(
            out,
            "  {label:<8} {:>6} sales, wait p50 {} p90 {} p99 {} max {}, fairness {}",
            w.count,
            micros(w.p50_us),
            micros(w.p90_us),
            micros(w.p99_us),
            micros(w.max_us),
            fairness(f)
        );
    }
    let types: Vec<String> = r
        .sales_by_type
        .iter()
        .map(|(name, t)| format!("{name} {} ({})", t.sold, t.revenue))
        .collect();
    let _ = writeln!(out, "  by type: {}", types.join(", "));
    let vendors: Vec<String> = r
        .sales_by_vendor
        .iter()
        .map(|(name, sold)| format!("{name} {sold}"))
        .collect();
    let _ = writeln!(out, "  by vendor: {}", list_or_none(&vendors));
    let _ = writeln!(out, "  {}", holds_text(&r.holds));
    let _ = writeln!(
        out,
        "  peak occupancy {}/{} (most tickets in the office at once, exact)",
        r.peak_occupancy, r.max_capacity
    );
    out
}

/// Every hold placed ends one way: confirmed, expired or cancelled (at the
/// end of the run, or by its customer). Abandoned ones are among the
/// expired and cancelled, so they are given apart, not added.
fn holds_text(h: &HoldStats) -> String {
    format!(
        "holds: {} placed = {} confirmed + {} expired + {} cancelled ({} of them abandoned by their customer)",
        h.placed, h.confirmed, h.expired, h.cancelled, h.abandoned
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holds_line_adds_up_with_cancelled_holds_counted() {
        let h = HoldStats {
            placed: 3933,
            confirmed: 3742,
            abandoned: 186,
            expired: 160,
            cancelled: 31,
        };
        assert_eq!(h.placed, h.confirmed + h.expired + h.cancelled);
        assert_eq!(
            holds_text(&h),
            "holds: 3933 placed = 3742 confirmed + 160 expired + 31 cancelled \
             (186 of them abandoned by their customer)"
        );
    }
}
