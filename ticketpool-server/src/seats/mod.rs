//! Seats in the service: a seated event's live seat map ([`SeatFeed`]:
//! the map body by version, the `seats` deltas), holds of seats
//! ([`SeatPart`], inside the usual API holds), and reserving them by name
//! or best available under the event's purchase limit.

// `feed` and `hold` are imported by path from `holds` and `state`, which
// this module imports in turn: naming them (not this module) keeps the
// import graph free of circles (scripts/check_layers.py).
pub(crate) mod feed;
pub(crate) mod hold;
mod layout;
pub(crate) mod wait;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use ticketpool_catalog::{Catalog, CatalogError, EventId, EventStatus, SEAT_TICKETS};
use ticketpool_core::Priority;
use ticketpool_seats::{BestAvailable, SeatError, SeatHold, SeatId, SeatMap};

pub(crate) use feed::{feed_lock, SeatFeed, SeatFeeds};
pub(crate) use hold::SeatPart;

use crate::errors::{ApiError, ApiResult};
use crate::holds::{selling, BookingHold};
use crate::state::AppState;

/// How often lapsed seat holds are ended (their seats shown available).
pub(crate) const REAP_EVERY: Duration = Duration::from_millis(250);

/// The most seats one hold may take (the purchase limit may be lower).
pub(crate) const MAX_SEATS: usize = 50;

/// What seats to hold.
pub(crate) enum Wanted<'a> {
    /// These, by label, all or none.
    Named(&'a [String]),
    /// The best block of `count` adjacent seats.
    Best {
        count: usize,
        section: Option<&'a str>,
        tier: Option<&'a str>,
        accessible: bool,
    },
}

/// The live seats of `event`, opened the first time.
///
/// # Errors
///
/// 404 `unknown_event`; 409 `not_seated`, `not_on_sale` (a draft),
/// `seats_unsupported` (a catalog that sells no seats here).
pub(crate) fn feed(state: &AppState, event: EventId) -> ApiResult<Arc<SeatFeed>> {
    Ok(state
        .seat_feeds
        .get_or_open(event, || state.catalog.seats(event))?)
}

/// As [`feed`], but `None` when this server sells no seats of `event` (a
/// lease-mode catalog without seat leases; `serve` always turns them on):
/// for what shows the event beside its seats.
///
/// # Errors
///
/// As [`feed`], except `seats_unsupported`.
pub(crate) fn feed_if_sold(state: &AppState, event: EventId) -> ApiResult<Option<Arc<SeatFeed>>> {
    match state
        .seat_feeds
        .get_or_open(event, || state.catalog.seats(event))
    {
        Ok(feed) => Ok(Some(feed)),
        Err(CatalogError::SeatsUnsupported { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Holds `wanted` in `event` for `owner`: an API hold of seats.
///
/// # Errors
///
/// As [`feed`]; 409 `paused`, `sales_closed`, `closed`, `seats_taken`
/// (naming them), `no_adjacent_seats`, `limit_reached`; 422
/// `unknown_seat`, `unknown_section`, `unknown_tier`, `invalid_seats`.
pub(crate) fn reserve(
    state: &AppState,
    owner: Arc<str>,
    priority: Priority,
    event: EventId,
    wanted: Wanted<'_>,
) -> ApiResult<Arc<BookingHold>> {
    let count = match wanted {
        Wanted::Named(labels) => labels.len(),
        Wanted::Best { count, .. } => count,
    };
    let feed = admit(state, event, count)?;
    // Counted and held under one lock per event, so one customer's
    // concurrent reserves cannot both slip under the limit.
    let reserving = feed_lock(&feed.reserving);
    within_limit(state, &feed, &owner, count)?;
    let seated = feed.seated();
    let held = match wanted {
        Wanted::Named(labels) => {
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            seated.hold(&owner, priority, &labels)
        }
        Wanted::Best {
            count,
            section,
            tier,
            accessible,
        } => seated.best_available(&owner, priority, best(count, section, tier, accessible)?),
    };
    let held = held.map_err(|error| seat_error(state, event, seated.map(), error))?;
    drop(reserving);
    adopt(state, &feed, owner, priority, held)
}

/// `event`'s seats if it sells and `count` seats may be held at once.
///
/// # Errors
///
/// As [`reserve`], but for the seats themselves and the limit.
fn admit(state: &AppState, event: EventId, count: usize) -> ApiResult<Arc<SeatFeed>> {
    let details = state.catalog.event(event)?;
    // The box office's "sold out" is about its tickets, not the seats.
    if details.status != EventStatus::SoldOut {
        selling(&details)?;
    }
    let feed = feed(state, event)?;
    if !(1..=MAX_SEATS).contains(&count) {
        return Err(ApiError::invalid(
            "invalid_seats",
            format!("a hold takes 1 to {MAX_SEATS} seats, not {count}"),
        ));
    }
    Ok(feed)
}

/// Checks that `owner` may hold `count` more seats of `feed`'s event under
/// its purchase limit (tickets bought, seats bought and seats held). Call
/// it under `feed.reserving`.
///
/// # Errors
///
/// 409 `limit_reached`.
fn within_limit(
    state: &AppState,
    feed: &SeatFeed,
    owner: &Arc<str>,
    count: usize,
) -> ApiResult<()> {
    let event = feed.seated().event();
    let Some(limit) = state.catalog.event(event)?.office.purchase_limit else {
        return Ok(());
    };
    let office = state.catalog.office(event)?;
    let held: usize = state
        .holds
        .open_of(owner)
        .iter()
        .filter(|h| h.event() == event)
        .map(|h| h.seat_count())
        .sum();
    let bought = feed_lock(&feed.bought).get(owner).copied().unwrap_or(0);
    let has = u64::from(office.tickets_of(owner)) + held as u64 + u64::from(bought);
    if has + count as u64 > u64::from(limit) {
        return Err(ApiError::conflict(
            "limit_reached",
            format!(
                "the purchase limit of {limit} tickets per customer for this event \
                 is reached (you have {has}, asked for {count})"
            ),
        ));
    }
    Ok(())
}

/// The best-available request for `count` seats.
///
/// # Errors
///
/// 422 `invalid_seats` for a section and a tier both.
fn best<'a>(
    count: usize,
    section: Option<&'a str>,
    tier: Option<&'a str>,
    accessible: bool,
) -> ApiResult<BestAvailable<'a>> {
    let want = match (section, tier) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "invalid_seats",
                "best available takes a section or a tier, not both",
            ))
        }
        (Some(section), None) => BestAvailable::in_section(section, count),
        (None, Some(tier)) => BestAvailable::in_tier(tier, count),
        (None, None) => BestAvailable::anywhere(count),
    };
    Ok(if accessible { want.accessible() } else { want })
}

/// Seats just held in `feed`'s event, kept as an API hold of `owner`'s
/// (the seat map's watchers told).
///
/// # Errors
///
/// 500 if no random id can be drawn (the seats are given back).
fn adopt(
    state: &AppState,
    feed: &Arc<SeatFeed>,
    owner: Arc<str>,
    priority: Priority,
    held: SeatHold,
) -> ApiResult<Arc<BookingHold>> {
    feed.refresh();
    let event = feed.seated().event();
    let part = SeatPart::new(Arc::clone(feed), held);
    state.holds.adopt_seats(owner, event, priority, part)
}

/// A seat refusal as the client sees it; taken seats are named by label.
fn seat_error(state: &AppState, event: EventId, map: &SeatMap, error: CatalogError) -> ApiError {
    match error {
        CatalogError::Seats(SeatError::Unavailable { seats }) => {
            let labels: Vec<String> = seats
                .iter()
                .filter_map(|(id, _)| map.seat(*id).map(|s| s.to_string()))
                .collect();
            ApiError::conflict(
                "seats_taken",
                format!("not available, so nothing was held: {}", labels.join(", ")),
            )
            .with_details("seats", json!(labels))
        }
        // The office closed between the status check and the hold.
        CatalogError::SeatsClosed(_) => match state.catalog.event(event) {
            Ok(details) => selling(&details).err().unwrap_or_else(|| {
                ApiError::conflict("closed", "this event's box office is closed")
            }),
            Err(error) => error.into(),
        },
        other => other.into(),
    }
}

/// The seat label and price tier of `ticket` of `event`, if it is a seat.
pub(crate) fn seat_label(
    catalog: &Catalog,
    event: EventId,
    ticket: u64,
) -> Option<(String, String)> {
    let seat = u32::try_from(ticket.checked_sub(SEAT_TICKETS)?).ok()?;
    let map = catalog.seat_map(catalog.event(event).ok()?.venue)?;
    map.seat(SeatId(seat))
        .map(|s| (s.to_string(), s.tier.to_owned()))
}

/// Ends lapsed seat holds now and then, so their seats show (and sell) as
/// available again, and publishes the change.
pub(crate) async fn reap(state: Arc<AppState>) {
    let mut every = tokio::time::interval(REAP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        for feed in state.seat_feeds.all() {
            if feed.seated().reap() > 0 {
                feed.refresh();
            }
        }
    }
}
