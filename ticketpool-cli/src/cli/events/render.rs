//! What `ticketpool events` prints: tables for people, JSON for programs.

use std::fmt::Write as _;

use serde_json::{json, Value};
use ticketpool_catalog::{Catalog, Event, SearchResults};
use ticketpool_core::Snapshot;

use super::dates;

/// One event as a list shows it, names resolved.
#[derive(Debug, Clone)]
pub struct Row {
    event: Event,
    venue: String,
    city: String,
    sold: Option<u64>,
    score: Option<f32>,
}

impl Row {
    /// `event`, with its venue's name and what its office sold.
    pub fn of(catalog: &Catalog, event: Event) -> Self {
        let (venue, city) = catalog
            .venue(event.venue)
            .map(|v| (v.name, v.city))
            .unwrap_or_default();
        let sold = catalog
            .office(event.id)
            .ok()
            .map(|o| o.sales_count() as u64);
        Self {
            event,
            venue,
            city,
            sold,
            score: None,
        }
    }

    /// Tickets sold (0 for an event without an office).
    pub fn sold(&self) -> u64 {
        self.sold.unwrap_or(0)
    }

    fn to_json(&self) -> Value {
        let mut value = json!({
            "id": self.event.id.0,
            "name": self.event.name,
            "status": self.event.status,
            "starts_at": dates::utc(self.event.starts_at),
            "local_start": local(&self.event),
            "time_zone": self.event.time_zone.name(),
            "venue": self.venue,
            "city": self.city,
            "categories": self.event.categories,
            "sold": self.sold,
        });
        if let Some(score) = self.score {
            value["score"] = json!(score);
        }
        value
    }
}

fn local(event: &Event) -> String {
    event
        .local_start()
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A list of events, as a table or JSON.
pub fn rows(rows: &[Row], as_json: bool) -> String {
    if as_json {
        return pretty(&Value::Array(rows.iter().map(Row::to_json).collect()));
    }
    if rows.is_empty() {
        return "no events\n".to_owned();
    }
    let width = |header: &str, of: &dyn Fn(&Row) -> usize| {
        rows.iter().map(of).max().unwrap_or(0).max(header.len())
    };
    let name = width("name", &|r| r.event.name.chars().count());
    let venue = width("venue", &|r| {
        r.venue.chars().count() + r.city.chars().count() + 2
    });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>5}  {:<name$}  {:<9}  {:<26}  {:<venue$}  {:>6}",
        "id", "name", "status", "starts (local)", "venue", "sold"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:>5}  {:<name$}  {:<9}  {:<26}  {:<venue$}  {:>6}",
            row.event.id.0,
            row.event.name,
            row.event.status.as_str(),
            local(&row.event),
            format!("{}, {}", row.venue, row.city),
            row.sold.map_or("-".to_owned(), |s| s.to_string()),
        );
    }
    out
}

/// A page of search results.
pub fn search(
    catalog: &Catalog,
    found: &SearchResults,
    page: usize,
    per_page: usize,
    as_json: bool,
) -> String {
    let rows: Vec<Row> = found
        .hits
        .iter()
        .filter_map(|hit| {
            let mut row = Row::of(catalog, catalog.event(hit.event).ok()?);
            row.score = Some(hit.score);
            Some(row)
        })
        .collect();
    let pages = found.total.div_ceil(per_page.max(1));
    if as_json {
        return pretty(&json!({
            "total": found.total,
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "events": rows.iter().map(Row::to_json).collect::<Vec<_>>(),
        }));
    }
    let mut out = self::rows(&rows, false);
    let _ = writeln!(
        out,
        "{} found; page {page} of {}",
        found.total,
        pages.max(1)
    );
    out
}

/// Everything about one event; `snapshot` is its office's now.
pub fn show(
    catalog: &Catalog,
    event: &Event,
    snapshot: Option<&Snapshot>,
    as_json: bool,
) -> String {
    let venue = catalog.venue(event.venue).ok();
    let performers: Vec<String> = event
        .performers
        .iter()
        .map(|id| {
            catalog
                .performer(*id)
                .map_or_else(|_| id.to_string(), |p| p.name)
        })
        .collect();
    let types: Vec<Value> = event
        .office
        .ticket_types
        .iter()
        .map(|t| {
            let counts = snapshot.and_then(|s| s.by_type.get(&t.name));
            json!({
                "name": t.name,
                "price": t.price.to_string(),
                "quota": t.quota,
                "available": counts.map(|c| c.available),
                "held": counts.map(|c| c.held),
                "sold": counts.map(|c| c.sold),
            })
        })
        .collect();
    if as_json {
        return pretty(&json!({
            "id": event.id.0,
            "name": event.name,
            "description": event.description,
            "status": event.status,
            "starts_at": dates::utc(event.starts_at),
            "local_start": local(event),
            "time_zone": event.time_zone.name(),
            "categories": event.categories,
            "venue": venue.as_ref().map(|v| json!({
                "id": v.id.0, "name": v.name, "city": v.city, "capacity": v.capacity,
            })),
            "performers": performers,
            "total_tickets": event.office.total_tickets,
            "ticket_types": types,
            "availability": snapshot.map(|s| json!({
                "released": s.totals.released,
                "available": s.totals.available,
                "held": s.totals.held,
                "sold": s.totals.sold,
                "revenue": s.revenue.to_string(),
                "paused": s.paused,
                "closed": s.closed,
            })),
        }));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (event #{}, {})",
        event.name, event.id.0, event.status
    );
    if !event.description.is_empty() {
        let _ = writeln!(out, "  {}", event.description);
    }
    let _ = writeln!(
        out,
        "starts:      {} ({})",
        local(event),
        dates::utc(event.starts_at)
    );
    if let Some(v) = &venue {
        let _ = writeln!(
            out,
            "venue:       {}, {} (holds {})",
            v.name, v.city, v.capacity
        );
    }
    if !performers.is_empty() {
        let _ = writeln!(out, "performers:  {}", performers.join(", "));
    }
    if !event.categories.is_empty() {
        let _ = writeln!(out, "categories:  {}", event.categories.join(", "));
    }
    let _ = writeln!(out, "tickets:     {}", event.office.total_tickets);
    let name = event
        .office
        .ticket_types
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("type".len());
    let _ = writeln!(
        out,
        "  {:<name$}  {:>10}  {:>9}  {:>6}  {:>6}",
        "type", "price", "available", "held", "sold"
    );
    for (t, counts) in event.office.ticket_types.iter().zip(&types) {
        let count = |key: &str| {
            counts[key]
                .as_u64()
                .map_or("-".to_owned(), |n| n.to_string())
        };
        let _ = writeln!(
            out,
            "  {:<name$}  {:>10}  {:>9}  {:>6}  {:>6}",
            t.name,
            t.price.to_string(),
            count("available"),
            count("held"),
            count("sold"),
        );
    }
    match snapshot {
        Some(s) => {
            let _ = writeln!(
                out,
                "now:         {} available, {} held, {} sold, revenue {}{}",
                s.totals.available,
                s.totals.held,
                s.totals.sold,
                s.revenue,
                if s.paused { " (paused)" } else { "" }
            );
        }
        None => {
            let _ = writeln!(out, "now:         no box office ({})", event.status);
        }
    }
    out
}

/// `value` as indented JSON, with a final newline.
pub fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
