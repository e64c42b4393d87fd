//! Seats: an admin gives a venue its seat map; anyone reads a seated
//! event's map with each seat's state; a customer holds seats by name or
//! best available. A seat hold is an API hold like any other: seen,
//! confirmed and cancelled at `/api/holds/{id}` by its owner only.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ticketpool_catalog::{EventId, VenueId};
use ticketpool_core::Priority;
use ticketpool_seats::VenueConfig;

use super::booking::{fingerprint, once_per_key};
use crate::auth::{AdminAuth, CustomerAuth};
use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::live::HoldChange;
use crate::seats::wait::{reserve_or_wait, BestWait};
use crate::seats::{self, Wanted};
use crate::state::{blocking, Shared};
use crate::views::money;
use crate::waiting::Joined;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/admin/venues/{id}/seat-map", put(set_seat_map))
        .route("/api/events/{id}/seats", get(seat_map))
        .route("/api/events/{id}/seat-holds", post(reserve_seats))
}

async fn set_seat_map(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(venue): ApiPath<u64>,
    ApiJson(config): ApiJson<VenueConfig>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let venue = VenueId(venue);
        state.catalog.set_seat_map(venue, config)?;
        let map = state
            .catalog
            .seat_map(venue)
            .ok_or_else(|| ApiError::internal("a seat map set is not there"))?;
        let tiers: Vec<Value> = map
            .tiers()
            .map(|(name, price)| json!({"name": name, "price": money(price)}))
            .collect();
        Ok(Json(json!({
            "venue": venue.0,
            "seats": map.seat_count(),
            "sections": map.sections().collect::<Vec<_>>(),
            "tiers": tiers,
        })))
    })
    .await
}

async fn seat_map(
    State(state): State<Shared>,
    ApiPath(event): ApiPath<u64>,
) -> ApiResult<Response> {
    // The first read opens the seats from the journal; a new version
    // renders every seat: both off the async threads.
    let body = blocking(move || Ok(seats::feed(&state, EventId(event))?.map_body())).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Which seats: `seats` by label, or `best`.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ReserveSeats {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seats: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    best: Option<Best>,
    /// With `best` only: no block fits now, wait in line for one (202 and
    /// a place in the waiting room, see `seats::wait`).
    // Left out of the idempotency fingerprint when false, so a keyed
    // request stored before this field existed still matches its retry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    wait: bool,
}

/// The best block of adjacent seats (front and centre first).
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Best {
    count: usize,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    tier: Option<String>,
    /// A wheelchair place with its companion seats.
    #[serde(default)]
    accessible: bool,
}

async fn reserve_seats(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(event): ApiPath<u64>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReserveSeats>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let request = fingerprint(&headers, || {
        format!(
            "seats {event} {}",
            serde_json::to_string(&body).unwrap_or_default()
        )
    });
    let owner = account.name.clone();
    once_per_key(&state, &owner, &headers, &request, {
        let state = Arc::clone(&state);
        move || {
            let priority = if account.vip {
                Priority::Vip
            } else {
                Priority::Regular
            };
            if body.wait {
                let Some(best) = body.best.filter(|_| body.seats.is_none()) else {
                    return Err(ApiError::invalid(
                        "invalid_wait",
                        "\"wait\" takes \"best\" ({\"count\", ...}) only: named seats cannot be waited for",
                    ));
                };
                let want = BestWait {
                    count: best.count,
                    section: best.section,
                    tier: best.tier,
                    accessible: best.accessible,
                };
                let hold = match reserve_or_wait(&state, account.name, priority, EventId(event), want)? {
                    Joined::Held(hold) => hold,
                    Joined::Waiting(entry) => {
                        return Ok((StatusCode::ACCEPTED, json!({"waiting": entry.view()})))
                    }
                };
                state.live.customers.publish(HoldChange::Created, &hold);
                return Ok((StatusCode::CREATED, hold.view()));
            }
            let wanted = match (&body.seats, &body.best) {
                (Some(labels), None) => Wanted::Named(labels),
                (None, Some(best)) => Wanted::Best {
                    count: best.count,
                    section: best.section.as_deref(),
                    tier: best.tier.as_deref(),
                    accessible: best.accessible,
                },
                _ => return Err(ApiError::invalid(
                    "invalid_seats",
                    "give either \"seats\" (labels) or \"best\" ({\"count\", ...}), one of them",
                )),
            };
            let hold = seats::reserve(&state, account.name, priority, EventId(event), wanted)?;
            state.live.customers.publish(HoldChange::Created, &hold);
            Ok((StatusCode::CREATED, hold.view()))
        }
    })
    .await
}
