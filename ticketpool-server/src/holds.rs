//! Holds as the API sees them: one hold is `quantity` engine holds of the
//! same event, placed together (all or none), with an unguessable id
//! (128 random bits) and an owner. Only the owner finds it: to anyone
//! else it does not exist.
//!
//! The engine's [`Hold`] handles live here: dropping one cancels it, so
//! the table keeps them until they settle. Settled and lapsed holds stay a
//! while (a retried confirm gets the same tickets), then a sweep drops them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use ticketpool_catalog::{Catalog, Event, EventId, EventStatus};
use ticketpool_core::{Customer, Hold, Money, Priority, Want};

use crate::errors::{ApiError, ApiResult};
use crate::seats::hold::SeatPart;
use crate::secret::random_hex;
use crate::views::{money, priority_name, rfc3339, sale_view};

/// How long a settled or lapsed hold is kept for retries and reads.
const KEEP_SETTLED: Duration = Duration::from_secs(300);

/// Where a hold is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Held,
    Confirmed,
    Cancelled,
}

/// One API hold.
pub(crate) struct BookingHold {
    id: String,
    owner: Arc<str>,
    event: EventId,
    want: String,
    priority: Priority,
    holds: Vec<Hold>,
    /// Seats held in a seated event (no tickets then).
    seats: Option<SeatPart>,
    /// The tickets sold, as views, once confirmed.
    stage: Mutex<(Stage, Vec<Value>)>,
}

impl BookingHold {
    fn stage(&self) -> MutexGuard<'_, (Stage, Vec<Value>)> {
        // A panic elsewhere cannot leave the stage half-written: take it.
        self.stage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Its id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Who placed it.
    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    /// When its first ticket lapses unless confirmed.
    pub(crate) fn deadline(&self) -> Instant {
        self.holds
            .iter()
            .map(Hold::deadline)
            .chain(self.seats.as_ref().map(SeatPart::deadline))
            .min()
            .unwrap_or_else(Instant::now)
    }

    fn expires_at(&self) -> SystemTime {
        self.holds
            .iter()
            .map(Hold::expires_at)
            .chain(self.seats.as_ref().map(SeatPart::expires_at))
            .min()
            .unwrap_or_else(SystemTime::now)
    }

    fn total(&self) -> Money {
        let seats = self.seats.as_ref().map_or(0, |s| s.price().minor());
        Money::from_minor(self.holds.iter().map(|h| h.price().minor()).sum::<i64>() + seats)
    }

    /// Every part still held (tickets and seats).
    fn parts_open(&self) -> bool {
        self.holds.iter().all(Hold::is_open) && self.seats.as_ref().is_none_or(SeatPart::is_open)
    }

    /// `true` while its tickets are held for the owner.
    pub(crate) fn is_open(&self) -> bool {
        self.stage().0 == Stage::Held && self.parts_open()
    }

    /// The event.
    pub(crate) fn event(&self) -> EventId {
        self.event
    }

    /// How many seats it holds (0 for a hold of tickets).
    pub(crate) fn seat_count(&self) -> usize {
        self.seats.as_ref().map_or(0, SeatPart::len)
    }

    /// Gives every part back.
    fn cancel_parts(&self) {
        self.holds.iter().for_each(|h| {
            h.cancel();
        });
        if let Some(seats) = &self.seats {
            seats.cancel();
        }
    }

    /// The JSON the owner sees.
    pub(crate) fn view(&self) -> Value {
        let stage = self.stage();
        let status = match stage.0 {
            Stage::Confirmed => "confirmed",
            Stage::Cancelled => "cancelled",
            Stage::Held if self.parts_open() => "held",
            Stage::Held => "expired",
        };
        let tickets: Vec<Value> = self
            .holds
            .iter()
            .map(|h| {
                json!({
                    "ticket": h.ticket().id.0,
                    "ticket_type": &*h.ticket().ticket_type,
                    "price": money(h.price()),
                })
            })
            .chain(self.seats.iter().flat_map(SeatPart::tickets_view))
            .collect();
        let mut view = json!({
            "id": self.id,
            "event": self.event.0,
            "ticket_type": self.want,
            "quantity": self.holds.len() + self.seat_count(),
            "priority": priority_name(self.priority),
            "status": status,
            "total_price": money(self.total()),
            "expires_at": rfc3339(self.expires_at()),
            "tickets": tickets,
        });
        if let Some(seats) = &self.seats {
            view["seats"] = json!(seats.labels());
        }
        view
    }
}

/// What a customer asks to hold.
pub(crate) struct Request<'a> {
    /// Who (the authenticated account's name).
    pub(crate) owner: Arc<str>,
    /// Served first if the account is VIP.
    pub(crate) priority: Priority,
    /// The event.
    pub(crate) event: EventId,
    /// A type name, or `"any"`.
    pub(crate) ticket_type: &'a str,
    /// How many tickets, all or none.
    pub(crate) quantity: u32,
}

/// The open and recently settled holds, by id.
#[derive(Default)]
pub(crate) struct Holds {
    table: Mutex<HashMap<String, Arc<BookingHold>>>,
}

impl Holds {
    fn table(&self) -> MutexGuard<'_, HashMap<String, Arc<BookingHold>>> {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Places a hold without waiting: every ticket now, or none (a partial
    /// reserve is cancelled and the refusal returned). Blocks on the
    /// journal: call it off the async threads.
    ///
    /// # Errors
    ///
    /// As [`customer_for`](Self::customer_for); 409 `none_available`,
    /// `limit_reached`.
    pub(crate) fn reserve(
        &self,
        catalog: &Catalog,
        request: Request<'_>,
    ) -> ApiResult<Arc<BookingHold>> {
        let (customer, want, event) = Self::customer_for(catalog, &request)?;
        let mut holds = Vec::new();
        for _ in 0..request.quantity {
            match customer.try_reserve(want.clone()) {
                Ok(hold) => holds.push(hold),
                Err(refused) => {
                    holds.iter().for_each(|h| {
                        h.cancel();
                    });
                    return Err(refusal(catalog, event, refused));
                }
            }
        }
        self.adopt(
            request.owner,
            event,
            request.ticket_type,
            request.priority,
            holds,
        )
    }

    /// The engine customer a request buys as, what it wants, and the
    /// event, once the event is on sale and knows the type.
    ///
    /// # Errors
    ///
    /// 404 `unknown_event`; 409 `paused`, `not_on_sale`, `sales_closed`,
    /// `closed`, `sold_out`; 422 `unknown_ticket_type`.
    pub(crate) fn customer_for(
        catalog: &Catalog,
        request: &Request<'_>,
    ) -> ApiResult<(Customer, Want, EventId)> {
        let event = catalog.event(request.event)?;
        selling(&event)?;
        let want = match request.ticket_type {
            "any" => Want::Any,
            name => {
                if event.office.ticket_type(name).is_none() {
                    return Err(ApiError::invalid(
                        "unknown_ticket_type",
                        format!("event {} has no ticket type {name:?}", event.id.0),
                    ));
                }
                Want::from(name)
            }
        };
        let customer = catalog
            .office(event.id)?
            .customer(&request.owner, request.priority);
        Ok((customer, want, event.id))
    }

    /// The engine's `holds` (placed together for `owner`) as one API hold,
    /// in the table under a new id. A hold made in the waiting room comes
    /// in here too.
    ///
    /// # Errors
    ///
    /// 500 if no random id can be drawn (the holds are cancelled).
    pub(crate) fn adopt(
        &self,
        owner: Arc<str>,
        event: EventId,
        want: &str,
        priority: Priority,
        holds: Vec<Hold>,
    ) -> ApiResult<Arc<BookingHold>> {
        self.insert(owner, event, want, priority, holds, None)
    }

    /// Seats held in a seated event as one API hold, under a new id.
    ///
    /// # Errors
    ///
    /// 500 if no random id can be drawn (the seats are given back).
    pub(crate) fn adopt_seats(
        &self,
        owner: Arc<str>,
        event: EventId,
        priority: Priority,
        seats: SeatPart,
    ) -> ApiResult<Arc<BookingHold>> {
        self.insert(owner, event, "seats", priority, Vec::new(), Some(seats))
    }

    fn insert(
        &self,
        owner: Arc<str>,
        event: EventId,
        want: &str,
        priority: Priority,
        holds: Vec<Hold>,
        seats: Option<SeatPart>,
    ) -> ApiResult<Arc<BookingHold>> {
        let id = match random_hex::<16>() {
            Ok(id) => id,
            Err(error) => {
                holds.iter().for_each(|h| {
                    h.cancel();
                });
                if let Some(seats) = &seats {
                    seats.cancel();
                }
                return Err(ApiError::internal(error));
            }
        };
        let hold = Arc::new(BookingHold {
            id: id.clone(),
            owner,
            event,
            want: want.to_owned(),
            priority,
            holds,
            seats,
            stage: Mutex::new((Stage::Held, Vec::new())),
        });
        self.table().insert(id, Arc::clone(&hold));
        Ok(hold)
    }

    /// Hold `id` if `owner` placed it; the same 404 otherwise, so an id
    /// never tells a stranger it exists.
    ///
    /// # Errors
    ///
    /// 404 `unknown_hold`.
    pub(crate) fn owned(&self, id: &str, owner: &str) -> ApiResult<Arc<BookingHold>> {
        self.table()
            .get(id)
            .filter(|hold| &*hold.owner == owner)
            .cloned()
            .ok_or_else(|| ApiError::not_found("unknown_hold", "there is no such hold"))
    }

    /// Buys every ticket of `hold` at its held price, and says whether
    /// this call did (`false`: it was bought before). Idempotent: a second
    /// confirm returns the same tickets. Blocks on the journal.
    ///
    /// # Errors
    ///
    /// 410 `hold_expired` or `hold_cancelled`; 503 `journal_failed`.
    pub(crate) fn confirm(&self, hold: &BookingHold) -> ApiResult<(Vec<Value>, bool)> {
        let mut stage = hold.stage();
        match stage.0 {
            Stage::Confirmed => return Ok((stage.1.clone(), false)),
            Stage::Cancelled => return Err(ticketpool_core::BoxOfficeError::HoldCancelled.into()),
            Stage::Held => {}
        }
        // All or nothing: a lapsed part fails the whole before anything sells.
        if !hold.parts_open() {
            hold.cancel_parts();
            return Err(ticketpool_core::BoxOfficeError::HoldExpired.into());
        }
        if let Some(seats) = &hold.seats {
            let sold = seats.confirm(&hold.owner)?;
            *stage = (Stage::Confirmed, sold);
            return Ok((stage.1.clone(), true));
        }
        let mut sales = Vec::with_capacity(hold.holds.len());
        for part in &hold.holds {
            match part.confirm() {
                Ok(sale) => sales.push(sale),
                // Only a hold lapsing between the check and here, or the
                // journal failing: what sold stays sold and is answered.
                Err(error) if sales.is_empty() => return Err(error.into()),
                Err(error) => tracing::warn!(target: "ticketpool",
                    "hold {} confirmed in part: {error}", hold.id),
            }
        }
        let sold: Vec<Value> = sales.iter().map(|s| sale_view(hold.event, s)).collect();
        *stage = (Stage::Confirmed, sold);
        Ok((stage.1.clone(), true))
    }

    /// Cancels `hold`: its tickets go back on sale. A confirmed hold stays
    /// sold.
    ///
    /// # Errors
    ///
    /// 409 `already_confirmed`.
    pub(crate) fn cancel(&self, hold: &BookingHold) -> ApiResult<()> {
        let mut stage = hold.stage();
        if stage.0 == Stage::Confirmed {
            return Err(ApiError::conflict(
                "already_confirmed",
                "the hold was confirmed: its tickets are sold",
            ));
        }
        hold.cancel_parts();
        stage.0 = Stage::Cancelled;
        drop(stage);
        self.table().remove(&hold.id);
        Ok(())
    }

    /// `owner`'s holds still open, soonest to lapse first.
    pub(crate) fn open_of(&self, owner: &str) -> Vec<Arc<BookingHold>> {
        let mut open: Vec<Arc<BookingHold>> = self
            .table()
            .values()
            .filter(|hold| &*hold.owner == owner && hold.is_open())
            .cloned()
            .collect();
        open.sort_by_key(|hold| hold.deadline());
        open
    }

    /// Open holds, for the metrics.
    pub(crate) fn open_count(&self) -> usize {
        self.table().values().filter(|h| h.is_open()).count()
    }

    /// Drops holds settled or lapsed more than a while ago.
    pub(crate) fn sweep(&self, now: Instant) {
        self.table()
            .retain(|_, hold| hold.is_open() || hold.deadline() + KEEP_SETTLED > now);
    }

    /// Cancels every open hold (at shutdown: their tickets go back on
    /// sale; confirmed sales are untouched).
    pub(crate) fn cancel_all(&self) {
        let holds: Vec<_> = self.table().drain().map(|(_, hold)| hold).collect();
        for hold in holds {
            if hold.stage().0 == Stage::Held {
                hold.cancel_parts();
            }
        }
    }
}

/// 409 `sales_closed`: an admin closed the sales of `event` for good.
pub(crate) fn sales_closed(event: EventId) -> ApiError {
    ApiError::conflict(
        "sales_closed",
        format!(
            "sales for event {} are closed: no new holds or sales (tickets already sold stay valid)",
            event.0
        ),
    )
}

/// The engine's refusal of a reserve on `event` as the client sees it: an
/// office closed because its sales closed (rather than the event being
/// cancelled or past) says so with its own code, also when the close
/// raced the request.
pub(crate) fn refusal(
    catalog: &Catalog,
    event: EventId,
    refused: ticketpool_core::BoxOfficeError,
) -> ApiError {
    let closed_sales = matches!(refused, ticketpool_core::BoxOfficeError::Closed)
        && catalog
            .event(event)
            .is_ok_and(|e| e.status == EventStatus::Closed);
    if closed_sales {
        sales_closed(event)
    } else {
        refused.into()
    }
}

/// `Ok` if `event` is on sale now.
///
/// # Errors
///
/// 409 `paused`, `not_on_sale`, `sales_closed`, `closed`, `sold_out`.
pub(crate) fn selling(event: &Event) -> ApiResult<()> {
    match event.status {
        EventStatus::OnSale => {}
        EventStatus::Paused => {
            return Err(ApiError::conflict(
                "paused",
                format!("the sale of event {} is paused", event.id.0),
            ))
        }
        EventStatus::SoldOut => {
            return Err(ApiError::from(ticketpool_core::BoxOfficeError::SoldOut))
        }
        EventStatus::Draft => {
            return Err(ApiError::conflict(
                "not_on_sale",
                format!("event {} is not on sale yet", event.id.0),
            ))
        }
        EventStatus::Closed => return Err(sales_closed(event.id)),
        other => {
            return Err(ApiError::conflict(
                "closed",
                format!("event {} is {other}: its sale is over", event.id.0),
            ))
        }
    }
    Ok(())
}
