//! The seat side of an API hold: the seats a customer holds in a seated
//! event, their labels and price, and how the hold is confirmed or given
//! back. A [`BookingHold`](crate::holds::BookingHold) with seats is seen,
//! confirmed and cancelled through the same routes as one of tickets.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::{json, Value};
use ticketpool_catalog::{CatalogError, SeatRecord};
use ticketpool_core::{BoxOfficeError, Money};
use ticketpool_seats::{SeatError, SeatHold};

use crate::errors::{ApiError, ApiResult};
use crate::seats::feed::{feed_lock, SeatFeed};
use crate::views::{money, rfc3339};

/// Seats held for one API hold.
pub(crate) struct SeatPart {
    feed: Arc<SeatFeed>,
    hold: SeatHold,
    /// Each seat's label, tier and price, in the hold's order.
    seats: Vec<(String, String, Money)>,
    expires_at: SystemTime,
}

impl SeatPart {
    /// `hold`, placed in `feed`'s event.
    pub(crate) fn new(feed: Arc<SeatFeed>, hold: SeatHold) -> Self {
        let map = feed.seated().map();
        // Each seat at its own price, fixed when held (as the journal
        // records it on confirm).
        let seats = hold
            .seats
            .iter()
            .zip(hold.prices.iter())
            .filter_map(|(&id, price)| {
                let seat = map.seat(id)?;
                Some((seat.to_string(), seat.tier.to_owned(), price))
            })
            .collect();
        let expires_at =
            SystemTime::now() + hold.expires_at.saturating_duration_since(Instant::now());
        Self {
            feed,
            hold,
            seats,
            expires_at,
        }
    }

    /// How many seats.
    pub(crate) fn len(&self) -> usize {
        self.seats.len()
    }

    /// When the seats lapse unless confirmed.
    pub(crate) fn deadline(&self) -> Instant {
        self.hold.expires_at
    }

    /// [`deadline`](Self::deadline) on the wall clock.
    pub(crate) fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// The price of every seat, fixed when held.
    pub(crate) fn price(&self) -> Money {
        self.hold.price
    }

    /// `true` until it lapses.
    pub(crate) fn is_open(&self) -> bool {
        Instant::now() < self.hold.expires_at
    }

    /// The seats' labels.
    pub(crate) fn labels(&self) -> Vec<&str> {
        self.seats
            .iter()
            .map(|(label, _, _)| label.as_str())
            .collect()
    }

    /// The seats as the hold's `tickets`.
    pub(crate) fn tickets_view(&self) -> Vec<Value> {
        self.hold
            .seats
            .iter()
            .zip(&self.seats)
            .map(|(&id, (label, tier, price))| {
                json!({
                    "ticket": SeatRecord::ticket_of(id).0,
                    "ticket_type": tier,
                    "seat": label,
                    "price": money(*price),
                })
            })
            .collect()
    }

    /// Sells the seats (recorded in the event's journal first); the
    /// tickets sold, as views.
    ///
    /// # Errors
    ///
    /// 410 `hold_expired` if the hold lapsed (its seats are free again);
    /// 503 `journal_failed` if the sale could not be recorded.
    pub(crate) fn confirm(&self, owner: &Arc<str>) -> ApiResult<Vec<Value>> {
        let sold = self.feed.seated().confirm(self.hold.id);
        self.feed.refresh();
        match sold {
            Ok(_) => {}
            Err(CatalogError::Seats(SeatError::Expired(_) | SeatError::NoSuchHold(_))) => {
                return Err(BoxOfficeError::HoldExpired.into())
            }
            Err(CatalogError::Store(error)) => {
                tracing::error!(target: "ticketpool", "recording a seat sale failed: {error}");
                return Err(ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "journal_failed",
                    "the sale could not be recorded, so it did not happen; try again",
                ));
            }
            Err(other) => return Err(other.into()),
        }
        *feed_lock(&self.feed.bought)
            .entry(Arc::clone(owner))
            .or_default() += self.seats.len() as u32;
        let event = self.feed.seated().event().0;
        let sold_at = rfc3339(SystemTime::now());
        Ok(self
            .tickets_view()
            .into_iter()
            .map(|mut ticket| {
                ticket["event"] = json!(event);
                ticket["sold_at"] = json!(sold_at);
                ticket
            })
            .collect())
    }

    /// Gives the seats back (nothing if the hold already ended).
    pub(crate) fn cancel(&self) {
        let _ = self.feed.seated().cancel(self.hold.id);
        self.feed.refresh();
    }
}
