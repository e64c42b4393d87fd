//! Admin: an event's vendors (the producers that release its tickets)
//! and their rates. Every route takes [`AdminAuth`]; changes last across
//! restarts (see `vendor_store`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketpool_catalog::EventId;

use crate::auth::AdminAuth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::pace::check_rate;
use crate::state::{blocking, Shared};
use crate::stock::VendorView;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/api/admin/events/{id}/vendors",
            get(list_vendors).post(add_vendor),
        )
        .route(
            "/api/admin/events/{id}/vendors/{name}",
            axum::routing::patch(set_rate).delete(remove_vendor),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewVendor {
    name: String,
    /// The types it may release; empty or absent: every type.
    #[serde(default)]
    ticket_types: Vec<String>,
    /// Tickets a second; absent or `null`: as fast as there is room.
    #[serde(default)]
    rate_per_second: Option<f64>,
}

/// A rate change. The field is required (a `Value`, so a missing field is
/// an error and `null` is "unpaced").
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateChange {
    rate_per_second: Value,
}

/// `rate` as asked: a positive number, or `None` for `null`.
fn rate_of(rate: &Value) -> ApiResult<Option<f64>> {
    match rate {
        Value::Null => Ok(None),
        Value::Number(number) => number
            .as_f64()
            .ok_or_else(|| invalid_rate(format!("{number} is not a usable number")))
            .and_then(|rate| check_rate(rate).map_err(invalid_rate))
            .map(Some),
        other => Err(invalid_rate(format!(
            "rate_per_second must be a number of tickets a second or null, not {other}"
        ))),
    }
}

fn invalid_rate(message: String) -> ApiError {
    ApiError::invalid("invalid_rate", message)
}

fn vendor_json(view: &VendorView) -> Value {
    json!(view)
}

async fn list_vendors(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    let id = EventId(id);
    state.catalog.event(id)?;
    let vendors = state.stock.vendors(id)?;
    Ok(Json(json!({"event": id.0, "vendors": vendors})))
}

async fn add_vendor(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(vendor): ApiJson<NewVendor>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let rate = match vendor.rate_per_second {
        Some(rate) => Some(check_rate(rate).map_err(invalid_rate)?),
        None => None,
    };
    blocking(move || {
        let id = EventId(id);
        state.catalog.event(id)?;
        let view = state
            .stock
            .add_vendor(id, &vendor.name, vendor.ticket_types, rate)?;
        Ok((StatusCode::CREATED, Json(vendor_json(&view))))
    })
    .await
}

async fn set_rate(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath((id, name)): ApiPath<(u64, String)>,
    ApiJson(change): ApiJson<RateChange>,
) -> ApiResult<Json<Value>> {
    let rate = rate_of(&change.rate_per_second)?;
    blocking(move || {
        let id = EventId(id);
        state.catalog.event(id)?;
        let view = state.stock.set_rate(id, &name, rate)?;
        Ok(Json(vendor_json(&view)))
    })
    .await
}

async fn remove_vendor(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath((id, name)): ApiPath<(u64, String)>,
) -> ApiResult<Json<Value>> {
    // Joins the vendor's threads: off the async threads.
    blocking(move || {
        let id = EventId(id);
        state.catalog.event(id)?;
        let view = state.stock.remove_vendor(id, &name)?;
        Ok(Json(json!({"removed": view})))
    })
    .await
}
