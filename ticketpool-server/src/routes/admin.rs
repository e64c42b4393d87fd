//! Admin: venues, performers and events; an event's life (on sale,
//! pause, resume, close sales, cancel); VIP and
//! tokens. Every route takes [`AdminAuth`].
//!
//! A catalog change is answered once search sees it (the index follows
//! the store within moments), so what the admin was told is done is what
//! buyers find.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{
    Catalog, CatalogError, DisplayZone, EventId, EventUpdate, NewEvent, NewPerformer, NewVenue,
    PerformerId, VenueId,
};
use ticketpool_core::BoxOfficeConfig;

use crate::auth::AdminAuth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::{blocking, Shared};
use crate::views::{availability_view, event_summary};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/admin/venues", post(add_venue))
        .route("/api/admin/performers", post(add_performer))
        .route("/api/admin/events", get(list_events).post(create_event))
        .route("/api/admin/events/{id}", axum::routing::patch(edit_event))
        .route("/api/admin/events/{id}/on-sale", post(put_on_sale))
        .route("/api/admin/events/{id}/pause", post(pause))
        .route("/api/admin/events/{id}/resume", post(resume))
        .route("/api/admin/events/{id}/close", post(close_sales))
        .route("/api/admin/events/{id}/cancel", post(cancel))
        .route(
            "/api/admin/customers/{name}/vip",
            post(grant_vip).delete(revoke_vip),
        )
        .route(
            "/api/admin/customers/{name}/tokens",
            post(issue_token).delete(revoke_tokens),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Venue {
    name: String,
    city: String,
    capacity: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Performer {
    name: String,
    #[serde(default)]
    description: String,
}

/// An event as the catalog takes it; `office` is a box office
/// configuration as `ticketpool config init` writes it, in JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Event {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    performers: Vec<u64>,
    venue: u64,
    /// RFC 3339, with `Z` or an offset.
    starts_at: String,
    /// An IANA zone or an offset (default UTC): how the start is shown.
    time_zone: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    office: Value,
}

fn created(id: u64) -> (StatusCode, Json<Value>) {
    (StatusCode::CREATED, Json(json!({"id": id})))
}

/// How long an admin's answer waits for search to catch up; past it the
/// change is done anyway and shows up in search moments later.
const SEARCHABLE_WITHIN: Duration = Duration::from_secs(5);

/// Waits until the catalog's changes so far are searchable.
fn searchable(catalog: &Catalog) -> ApiResult<()> {
    catalog.wait_searchable(SEARCHABLE_WITHIN)?;
    Ok(())
}

async fn add_venue(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiJson(venue): ApiJson<Venue>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    blocking(move || {
        let id = state.catalog.add_venue(NewVenue {
            name: venue.name,
            city: venue.city,
            capacity: venue.capacity,
        })?;
        searchable(&state.catalog)?;
        Ok(created(id.0))
    })
    .await
}

async fn add_performer(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiJson(performer): ApiJson<Performer>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    blocking(move || {
        let id = state.catalog.add_performer(NewPerformer {
            name: performer.name,
            description: performer.description,
        })?;
        searchable(&state.catalog)?;
        Ok(created(id.0))
    })
    .await
}

async fn create_event(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiJson(event): ApiJson<Event>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let starts_at = start_time(&event.starts_at)?;
    let time_zone = match &event.time_zone {
        Some(name) => DisplayZone::new(name)?,
        None => DisplayZone::utc(),
    };
    let office = office_config(&event.office)?;
    blocking(move || {
        let id = state.catalog.create_event(NewEvent {
            name: event.name,
            description: event.description,
            performers: event.performers.into_iter().map(PerformerId).collect(),
            venue: VenueId(event.venue),
            starts_at,
            time_zone,
            categories: event.categories,
            office,
        })?;
        searchable(&state.catalog)?;
        Ok(created(id.0))
    })
    .await
}

/// A change to an event: each field given replaces the current value.
/// The catalog decides what may still change (the venue and the office
/// only in a draft: 409 `frozen` after).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventEdit {
    name: Option<String>,
    description: Option<String>,
    performers: Option<Vec<u64>>,
    venue: Option<u64>,
    starts_at: Option<String>,
    time_zone: Option<String>,
    categories: Option<Vec<String>>,
    office: Option<Value>,
}

/// `text` as a start time, or a 422 naming the field.
fn start_time(text: &str) -> ApiResult<Timestamp> {
    text.parse().map_err(|_| {
        ApiError::invalid(
            "invalid_start",
            format!(
                "starts_at must be an RFC 3339 time with Z or an offset \
                 (2030-07-14T19:00:00Z), not {text:?}"
            ),
        )
    })
}

fn office_config(office: &Value) -> ApiResult<BoxOfficeConfig> {
    BoxOfficeConfig::from_json_str(&office.to_string())
        .map_err(|e| ApiError::invalid("invalid_office", format!("office: {e}")))
}

/// Every event, drafts, cancelled and past ones included, with its
/// status, description and, once on sale, its counts.
async fn list_events(_: AdminAuth, State(state): State<Shared>) -> Json<Value> {
    let catalog = &state.catalog;
    let events: Vec<Value> = catalog
        .events()
        .iter()
        .map(|event| {
            let mut view = event_summary(catalog, event);
            // What the page's edit form starts from.
            view["description"] = json!(event.description);
            view["availability"] = json!(catalog
                .availability(event.id)
                .ok()
                .as_ref()
                .map(availability_view));
            view
        })
        .collect();
    Json(json!({"events": events}))
}

async fn edit_event(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(edit): ApiJson<EventEdit>,
) -> ApiResult<Json<Value>> {
    let update = EventUpdate {
        name: edit.name,
        description: edit.description,
        performers: edit
            .performers
            .map(|ids| ids.into_iter().map(PerformerId).collect()),
        venue: edit.venue.map(VenueId),
        starts_at: edit.starts_at.as_deref().map(start_time).transpose()?,
        time_zone: edit
            .time_zone
            .as_deref()
            .map(DisplayZone::new)
            .transpose()?,
        categories: edit.categories,
        office: edit.office.as_ref().map(office_config).transpose()?,
    };
    blocking(move || {
        let id = EventId(id);
        state.catalog.update_event(id, update)?;
        searchable(&state.catalog)?;
        let event = state.catalog.event(id)?;
        let mut view = event_summary(&state.catalog, &event);
        view["description"] = json!(event.description);
        Ok(Json(view))
    })
    .await
}

/// Runs one lifecycle change on event `id` and answers its new summary.
async fn change(
    state: Shared,
    id: u64,
    action: fn(&Catalog, EventId) -> Result<(), CatalogError>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let id = EventId(id);
        action(&state.catalog, id)?;
        // Stocking is idempotent: starting it again after a resume is a no-op.
        if state
            .catalog
            .office(id)
            .is_ok_and(|office| !office.is_closed())
        {
            state.stock.start(&state.catalog, id)?;
        }
        searchable(&state.catalog)?;
        let event = state.catalog.event(id)?;
        Ok(Json(event_summary(&state.catalog, &event)))
    })
    .await
}

async fn put_on_sale(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    change(state, id, Catalog::put_on_sale).await
}

async fn pause(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    change(state, id, Catalog::pause).await
}

async fn resume(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    change(state, id, Catalog::resume).await
}

/// Closes the sales for good: no new holds or sales, waiting buyers are
/// told, tickets sold stay valid and open holds may still be confirmed
/// until they expire (see `EventStatus::Closed`).
async fn close_sales(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    change(state, id, Catalog::close_sales).await
}

async fn cancel(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    change(state, id, Catalog::cancel).await
}

async fn set_vip(state: Shared, name: String, vip: bool) -> ApiResult<Json<Value>> {
    blocking(move || {
        state.accounts.set_vip(&name, vip)?;
        let account = state.accounts.account(&name)?;
        Ok(Json(json!({"name": &*account.name, "vip": account.vip})))
    })
    .await
}

async fn grant_vip(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    set_vip(state, name, true).await
}

async fn revoke_vip(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    set_vip(state, name, false).await
}

async fn issue_token(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    blocking(move || {
        let token = state.accounts.issue_token(&name)?;
        Ok((
            StatusCode::CREATED,
            Json(json!({"customer": name, "token": token})),
        ))
    })
    .await
}

async fn revoke_tokens(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let revoked = state.accounts.revoke_tokens(&name)?;
        Ok(Json(json!({"customer": name, "revoked": revoked})))
    })
    .await
}
