//! Booking, for the authenticated customer: reserve, see, confirm and
//! cancel a hold; my holds; my tickets. The customer's priority comes
//! from its account, never from the request.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ticketpool_catalog::EventId;
use ticketpool_core::{Hold, Priority};

use crate::auth::CustomerAuth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::holds::{refusal, Holds, Request};
use crate::idempotency::HEADER;
use crate::live::HoldChange;
use crate::seats::seat_label;
use crate::state::{blocking, every_event, journaling, Shared};
use crate::views::booked_view;
use crate::waiting::{Entry, Hooks, Joined, Place, Waiting, Wants};

/// The most tickets one hold may take (the event's purchase limit may be
/// lower; the engine applies it).
const MAX_QUANTITY: u32 = 50;

/// The longest payment reference kept.
const MAX_PAYMENT_REF: usize = 200;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/events/{id}/holds", post(reserve))
        .route("/api/holds/{id}", get(show).delete(cancel))
        .route("/api/holds/{id}/confirm", post(confirm))
        .route("/api/me/holds", get(my_holds))
        .route("/api/me/tickets", get(my_tickets))
}

/// What to hold.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Reserve {
    /// A type name, or `"any"`.
    ticket_type: String,
    /// How many, all or none (default 1).
    #[serde(default = "one")]
    quantity: u32,
    /// Wait in line when not all `quantity` are available: answered 202
    /// with a place in line instead of 409 `none_available`; the place is
    /// kept until all can be held together (see `waiting`).
    #[serde(default)]
    wait: bool,
}

fn one() -> u32 {
    1
}

/// The payment, taken elsewhere.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Confirm {
    payment_ref: String,
}

/// The request's `Idempotency-Key`, if any.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    headers
        .get(HEADER)
        .map(|value| {
            value.to_str().map(str::to_owned).map_err(|_| {
                ApiError::bad_request(
                    "bad_idempotency_key",
                    "the Idempotency-Key must be visible ASCII",
                )
            })
        })
        .transpose()
}

/// `describe()` if the request carries an `Idempotency-Key` (what the key
/// is checked against), else nothing: `Keys::once` reads it only with a key.
pub(super) fn fingerprint(headers: &HeaderMap, describe: impl FnOnce() -> String) -> String {
    if headers.contains_key(HEADER) {
        describe()
    } else {
        String::new()
    }
}

/// Runs `work` (off the async threads unless the journal only queues, see
/// [`journaling`]), once per `Idempotency-Key` of this customer and
/// request (see `idempotency`): a retry gets the first answer.
pub(super) async fn once_per_key<F>(
    state: &Shared,
    owner: &Arc<str>,
    headers: &HeaderMap,
    request: &str,
    work: F,
) -> ApiResult<(StatusCode, Json<Value>)>
where
    F: FnOnce() -> ApiResult<(StatusCode, Value)> + Send + 'static,
{
    let key = idempotency_key(headers)?;
    let (status, answer) = state
        .keys
        .once(owner, key.as_deref(), request, {
            let state = Arc::clone(state);
            move || async move { journaling(&state, work).await }
        })
        .await?;
    Ok((status, Json(answer)))
}

async fn reserve(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(event): ApiPath<u64>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Reserve>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // The fingerprint a key is checked against; only a keyed request needs it.
    let request = fingerprint(&headers, || {
        format!(
            "reserve {event} {}",
            serde_json::to_string(&body).unwrap_or_default()
        )
    });
    let owner = account.name.clone();
    once_per_key(&state, &owner, &headers, &request, {
        let state = state.clone();
        move || {
            if !(1..=MAX_QUANTITY).contains(&body.quantity) {
                return Err(ApiError::invalid(
                    "invalid_quantity",
                    format!(
                        "quantity must be 1 to {MAX_QUANTITY}, not {}",
                        body.quantity
                    ),
                ));
            }
            let priority = if account.vip {
                Priority::Vip
            } else {
                Priority::Regular
            };
            let request = Request {
                owner: account.name,
                priority,
                event: EventId(event),
                ticket_type: &body.ticket_type,
                quantity: body.quantity,
            };
            let hold = if body.wait {
                let (customer, want, event) = Holds::customer_for(&state.catalog, &request)?;
                let hooks = waiting_hooks(&state, priority, &body.ticket_type);
                let future = customer.reserve_many_async(want, body.quantity as usize);
                let place = Place::Tickets(future.place());
                let catalog = Arc::clone(&state.catalog);
                let waiting = Waiting {
                    future: Box::pin(async move {
                        future
                            .await
                            .map_err(|refused| refusal(&catalog, event, refused))
                    }),
                    owner: Arc::clone(customer.name()),
                    event,
                    want: Wants::Tickets {
                        ticket_type: body.ticket_type.clone(),
                        quantity: body.quantity as usize,
                    },
                    place,
                };
                match state.waiting.join(hooks, waiting)? {
                    Joined::Waiting(entry) => {
                        return Ok((StatusCode::ACCEPTED, json!({"waiting": entry.view()})))
                    }
                    Joined::Held(holds) => state.holds.adopt(
                        request.owner,
                        event,
                        &body.ticket_type,
                        priority,
                        holds,
                    )?,
                }
            } else {
                state.holds.reserve(&state.catalog, request)?
            };
            state.live.customers.publish(HoldChange::Created, &hold);
            Ok((StatusCode::CREATED, hold.view()))
        }
    })
    .await
}

/// What a waiting reserve's task does with the service: keeps the hold
/// it gets and tells its owner, and asks whether the owner watches.
fn waiting_hooks(state: &Shared, priority: Priority, ticket_type: &str) -> Hooks<Vec<Hold>> {
    let state = Arc::clone(state);
    let ticket_type = ticket_type.to_owned();
    Hooks {
        watched: watched(&state),
        served: Box::new(move |entry: &Entry, holds: Vec<Hold>| {
            let owner = Arc::clone(entry.owner());
            let booking = state
                .holds
                .adopt(owner, entry.event(), &ticket_type, priority, holds)
                .inspect_err(|error| {
                    tracing::error!(target: "ticketpool",
                        "a waiting reserve's hold could not be kept: {error}")
                })?;
            state.live.customers.publish(HoldChange::Created, &booking);
            Ok(())
        }),
    }
}

/// Whether an owner has a live stream open (their place is kept).
fn watched(state: &Shared) -> Box<dyn Fn(&str) -> bool + Send + Sync> {
    let state = Arc::clone(state);
    Box::new(move |owner: &str| state.live.customers.is_watched(owner))
}

async fn show(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.holds.owned(&id, &account.name)?.view()))
}

async fn confirm(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Confirm>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let request = fingerprint(&headers, || {
        format!(
            "confirm {id} {}",
            serde_json::to_string(&body).unwrap_or_default()
        )
    });
    let owner = account.name.clone();
    once_per_key(&state, &owner, &headers, &request, {
        let state = state.clone();
        move || {
            let payment_ref = body.payment_ref.trim();
            if payment_ref.is_empty() || payment_ref.chars().count() > MAX_PAYMENT_REF {
                return Err(ApiError::invalid(
                    "invalid_payment_ref",
                    format!("payment_ref must be 1 to {MAX_PAYMENT_REF} characters"),
                ));
            }
            let hold = state.holds.owned(&id, &account.name)?;
            let (tickets, now) = state.holds.confirm(&hold)?;
            if now {
                state.live.customers.publish(HoldChange::Confirmed, &hold);
            }
            Ok((
                StatusCode::OK,
                json!({"hold": id, "payment_ref": payment_ref, "tickets": tickets}),
            ))
        }
    })
    .await
}

async fn cancel(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let hold = state.holds.owned(&id, &account.name)?;
        state.holds.cancel(&hold)?;
        state.live.customers.publish(HoldChange::Cancelled, &hold);
        Ok(Json(json!({"id": id, "status": "cancelled"})))
    })
    .await
}

async fn my_holds(State(state): State<Shared>, CustomerAuth(account): CustomerAuth) -> Json<Value> {
    let holds: Vec<Value> = state
        .holds
        .open_of(&account.name)
        .iter()
        .map(|hold| hold.view())
        .collect();
    Json(json!({"holds": holds}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketsQuery {
    limit: Option<usize>,
}

async fn my_tickets(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiQuery(query): ApiQuery<TicketsQuery>,
) -> ApiResult<Json<Value>> {
    let limit = query.limit.unwrap_or(100).clamp(1, 1_000);
    blocking(move || {
        let events: Vec<EventId> = every_event(&state.catalog).iter().map(|e| e.id).collect();
        let tickets = state.home.my_tickets(&events, &account.name, limit)?;
        let tickets: Vec<Value> = tickets
            .iter()
            .map(|ticket| {
                let mut view = booked_view(ticket);
                // A seated event's seat tickets show their seat, and its
                // tier as their type (a lease node's record has none).
                if let Some((seat, tier)) =
                    seat_label(&state.catalog, ticket.event, ticket.booked.ticket.0)
                {
                    view["seat"] = json!(seat);
                    view["ticket_type"] = json!(tier);
                }
                view
            })
            .collect();
        Ok(Json(json!({"tickets": tickets})))
    })
    .await
}
