//! The JSON shapes the API answers with, in one place so every route
//! shows an event, a ticket or a price the same way. Money is a decimal
//! string in major units (`"45.00"`), never a float; instants are RFC 3339
//! in UTC.

use std::time::SystemTime;

use serde_json::{json, Value};
use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{Catalog, Event};
use ticketpool_core::{Money, PriceContext, Priority, Sale, Snapshot};
use ticketpool_persist::CustomerTicket;

/// `"45.00"`.
pub(crate) fn money(amount: Money) -> String {
    amount.to_string()
}

/// An instant as RFC 3339 in UTC.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    Timestamp::try_from(at).map_or_else(|_| String::new(), |t| t.to_string())
}

/// A ticket sold.
pub(crate) fn sale_view(event: ticketpool_catalog::EventId, sale: &Sale) -> Value {
    json!({
        "event": event.0,
        "ticket": sale.ticket.id.0,
        "ticket_type": &*sale.ticket.ticket_type,
        "vendor": &*sale.ticket.vendor,
        "price": money(sale.price),
        "priority": priority_name(sale.priority),
        "sold_at": rfc3339(sale.sold_at),
    })
}

/// A ticket from the journals ("my tickets").
pub(crate) fn booked_view(ticket: &CustomerTicket) -> Value {
    json!({
        "event": ticket.event.0,
        "event_name": ticket.booked.event,
        "ticket": ticket.booked.ticket.0,
        "ticket_type": ticket.booked.ticket_type,
        "vendor": ticket.booked.vendor,
        "price": money(ticket.booked.price),
        "sold_at": rfc3339(ticket.booked.sold_at),
    })
}

/// An event in a list: enough to choose it.
pub(crate) fn event_summary(catalog: &Catalog, event: &Event) -> Value {
    let venue = catalog.venue(event.venue).ok();
    json!({
        "id": event.id.0,
        "name": event.name,
        "status": event.status,
        "starts_at": event.starts_at.to_string(),
        "local_start": event.local_start().strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        "time_zone": event.time_zone.name(),
        "categories": event.categories,
        "venue": venue.map(|v| json!({"id": v.id.0, "name": v.name, "city": v.city})),
    })
}

/// One event in full: venue, performers, each type with its base and
/// current price and availability (the office's snapshot), and whether it
/// is `seated` (its venue has a seat map), so a page knows without asking
/// for the seats.
pub(crate) fn event_detail(
    catalog: &Catalog,
    event: &Event,
    snapshot: Option<&Snapshot>,
    seated: bool,
) -> Value {
    let mut view = event_summary(catalog, event);
    let venue = catalog.venue(event.venue).ok();
    let performers: Vec<Value> = event
        .performers
        .iter()
        .filter_map(|id| catalog.performer(*id).ok())
        .map(|p| json!({"id": p.id.0, "name": p.name}))
        .collect();
    let office = &event.office;
    view["description"] = json!(event.description);
    view["venue"] = json!(venue);
    view["performers"] = json!(performers);
    view["total_tickets"] = json!(office.total_tickets);
    view["purchase_limit"] = json!(office.purchase_limit);
    view["hold_seconds"] = json!(office.hold_ttl.as_secs_f64());
    view["ticket_types"] = json!(ticket_types_view(event, snapshot));
    view["availability"] = json!(snapshot.map(availability_view));
    view["seated"] = json!(seated);
    view
}

/// Each type with its base and current price and, given a snapshot, its
/// counts: the event page and the live stream show the same.
pub(crate) fn ticket_types_view(event: &Event, snapshot: Option<&Snapshot>) -> Vec<Value> {
    let office = &event.office;
    let policy = office.pricing.policy();
    office
        .ticket_types
        .iter()
        .map(|t| {
            let counts = snapshot.and_then(|s| s.by_type.get(&t.name));
            // What a hold placed now would cost (the engine's own rule).
            let current = snapshot.map(|s| {
                policy.price(&PriceContext {
                    ticket_type: &t.name,
                    base_price: t.price,
                    total_tickets: office.total_tickets,
                    remaining: office.total_tickets.saturating_sub(s.totals.sold),
                    waiting: s.waiting_vip + s.waiting_regular,
                })
            });
            json!({
                "name": t.name,
                "base_price": money(t.price),
                "price": money(current.unwrap_or(t.price)),
                "quota": t.quota,
                "available": counts.map(|c| c.available),
                "held": counts.map(|c| c.held),
                "sold": counts.map(|c| c.sold),
            })
        })
        .collect()
}

/// The office's totals and flags.
pub(crate) fn availability_view(snapshot: &Snapshot) -> Value {
    json!({
        "released": snapshot.totals.released,
        "available": snapshot.totals.available,
        "held": snapshot.totals.held,
        "sold": snapshot.totals.sold,
        "paused": snapshot.paused,
        "sold_out": snapshot.sold_out,
        "closed": snapshot.closed,
    })
}

/// `"vip"` or `"regular"`.
pub(crate) fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::Vip => "vip",
        Priority::Regular => "regular",
    }
}
