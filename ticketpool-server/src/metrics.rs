//! `/metrics` in Prometheus's text format, written by hand: requests by
//! route, method and status, a latency histogram, and from the engine the
//! tickets sold and held per event and the open holds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use ticketpool_catalog::{Catalog, Event};

/// The latency histogram's upper bounds, in seconds.
const BUCKETS: [f64; 11] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// Requests by status, by method, by route: nested so that counting one
/// borrows its keys and allocates nothing once the series exists.
type Requests = BTreeMap<String, BTreeMap<String, BTreeMap<u16, u64>>>;

#[derive(Default)]
struct Counts {
    requests: Requests,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The request counters.
#[derive(Default)]
pub(crate) struct Metrics {
    counts: Mutex<Counts>,
}

impl Metrics {
    /// Counts one request to `route` (the route's pattern, never the raw
    /// path: ids would make the series unbounded).
    pub(crate) fn record(&self, route: &str, method: &str, status: u16, took: Duration) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let methods = match counts.requests.get_mut(route) {
            Some(methods) => methods,
            None => counts.requests.entry(route.to_owned()).or_default(),
        };
        let statuses = match methods.get_mut(method) {
            Some(statuses) => statuses,
            None => methods.entry(method.to_owned()).or_default(),
        };
        *statuses.entry(status).or_default() += 1;
        let seconds = took.as_secs_f64();
        for (bucket, bound) in counts.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        counts.count += 1;
        counts.sum += seconds;
    }

    /// The exposition text.
    pub(crate) fn render(
        &self,
        catalog: &Catalog,
        events: &[Event],
        open_holds: usize,
        customers: usize,
        live_feeds: usize,
        waiting: (usize, usize),
    ) -> String {
        let mut out = String::new();
        {
            let counts = self
                .counts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            out.push_str("# HELP ticketpool_http_requests_total HTTP requests answered.\n");
            out.push_str("# TYPE ticketpool_http_requests_total counter\n");
            for (route, methods) in &counts.requests {
                for (method, statuses) in methods {
                    for (status, n) in statuses {
                        let _ = writeln!(
                            out,
                            "ticketpool_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                            escape(route)
                        );
                    }
                }
            }
            out.push_str("# HELP ticketpool_http_request_duration_seconds Time to answer.\n");
            out.push_str("# TYPE ticketpool_http_request_duration_seconds histogram\n");
            for (bound, n) in BUCKETS.iter().zip(counts.buckets) {
                let _ = writeln!(
                    out,
                    "ticketpool_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "ticketpool_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}",
                counts.count
            );
            let _ = writeln!(
                out,
                "ticketpool_http_request_duration_seconds_sum {}",
                counts.sum
            );
            let _ = writeln!(
                out,
                "ticketpool_http_request_duration_seconds_count {}",
                counts.count
            );
        }
        out.push_str("# HELP ticketpool_tickets_sold_total Tickets sold, by event.\n");
        out.push_str("# TYPE ticketpool_tickets_sold_total counter\n");
        let mut held = String::new();
        for event in events {
            if let Ok(snapshot) = catalog.availability(event.id) {
                let id = event.id.0;
                let _ = writeln!(
                    out,
                    "ticketpool_tickets_sold_total{{event=\"{id}\"}} {}",
                    snapshot.totals.sold
                );
                let _ = writeln!(
                    held,
                    "ticketpool_tickets_held{{event=\"{id}\"}} {}",
                    snapshot.totals.held
                );
            }
        }
        out.push_str("# HELP ticketpool_tickets_held Tickets under a hold now, by event.\n");
        out.push_str("# TYPE ticketpool_tickets_held gauge\n");
        out.push_str(&held);
        out.push_str("# HELP ticketpool_open_holds Holds placed through the API and still open.\n");
        out.push_str("# TYPE ticketpool_open_holds gauge\n");
        let _ = writeln!(out, "ticketpool_open_holds {open_holds}");
        out.push_str("# HELP ticketpool_customers Customer accounts.\n");
        out.push_str("# TYPE ticketpool_customers gauge\n");
        let _ = writeln!(out, "ticketpool_customers {customers}");
        out.push_str(
            "# HELP ticketpool_live_feeds Events with live subscribers (one feed thread each).\n",
        );
        out.push_str("# TYPE ticketpool_live_feeds gauge\n");
        let _ = writeln!(out, "ticketpool_live_feeds {live_feeds}");
        out.push_str(
            "# HELP ticketpool_waiting_buyers Reserves waiting in line for a ticket, by priority.\n",
        );
        out.push_str("# TYPE ticketpool_waiting_buyers gauge\n");
        let _ = writeln!(
            out,
            "ticketpool_waiting_buyers{{priority=\"vip\"}} {}",
            waiting.0
        );
        let _ = writeln!(
            out,
            "ticketpool_waiting_buyers{{priority=\"regular\"}} {}",
            waiting.1
        );
        out
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
