//! Reading the catalog: the event lists, one event, search. Public.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketpool_catalog::jiff::civil::Date;
use ticketpool_catalog::jiff::tz::TimeZone;
use ticketpool_catalog::jiff::{Timestamp, ToSpan};
use ticketpool_catalog::{EventId, EventStatus, SearchQuery};

use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::{blocking, Shared};
use crate::views::event_summary;

/// The most events or hits one answer lists.
const MAX_LIST: usize = 100;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/events", get(list))
        .route("/api/events/{id}", get(show))
        .route("/api/search", get(search))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    view: Option<String>,
    limit: Option<usize>,
}

async fn list(
    State(state): State<Shared>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = page_size(query.limit, 20)?;
    let view = query.view.unwrap_or_else(|| "upcoming".to_owned());
    let catalog = &state.catalog;
    let events: Vec<Value> = match view.as_str() {
        "upcoming" => catalog
            .upcoming(Timestamp::now(), limit)
            .iter()
            .map(|event| event_summary(catalog, event))
            .collect(),
        "popular" => catalog
            .popular_now(limit)
            .iter()
            .filter_map(|popular| {
                let event = catalog.event(popular.event).ok()?;
                let mut view = event_summary(catalog, &event);
                view["sold_recently"] = json!(popular.sold_in_window);
                Some(view)
            })
            .collect(),
        other => {
            return Err(ApiError::bad_request(
                "bad_query",
                format!("view must be \"upcoming\" or \"popular\", not {other:?}"),
            ))
        }
    };
    Ok(Json(json!({"view": view, "events": events})))
}

async fn show(State(state): State<Shared>, ApiPath(id): ApiPath<u64>) -> ApiResult<Response> {
    let catalog = &state.catalog;
    let event = catalog.event(EventId(id))?;
    // A draft is the admin's business until it goes on sale.
    if event.status == EventStatus::Draft {
        return Err(ApiError::from(
            ticketpool_catalog::CatalogError::UnknownEvent(event.id),
        ));
    }
    // Built once per change (see `event_page`), the same JSON as `Json`.
    let body = state.pages.page(catalog, event);
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Search {
    #[serde(default)]
    q: String,
    city: Option<String>,
    category: Option<String>,
    #[serde(default)]
    on_sale: bool,
    from: Option<String>,
    to: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

async fn search(
    State(state): State<Shared>,
    ApiQuery(search): ApiQuery<Search>,
) -> ApiResult<Json<Value>> {
    let per_page = page_size(search.per_page, 10)?;
    let page = search.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::bad_request("bad_query", "page counts from 1"));
    }
    let mut query = SearchQuery::text(search.q);
    query.city = search.city;
    query.category = search.category;
    query.on_sale_only = search.on_sale;
    query.from = search
        .from
        .as_deref()
        .map(|d| instant("from", d, false))
        .transpose()?;
    query.until = search
        .to
        .as_deref()
        .map(|d| instant("to", d, true))
        .transpose()?;
    query = query.page((page - 1).saturating_mul(per_page), per_page);
    // The index is read on tokio's blocking threads: it may touch disk.
    blocking(move || {
        let catalog = &state.catalog;
        let found = catalog.search(&query)?;
        let events: Vec<Value> = found
            .hits
            .iter()
            .filter_map(|hit| catalog.event(hit.event).ok())
            .filter(|event| event.status != EventStatus::Draft)
            .map(|event| event_summary(catalog, &event))
            .collect();
        Ok(Json(json!({
            "total": found.total,
            "page": page,
            "per_page": per_page,
            "events": events,
        })))
    })
    .await
}

/// `limit` checked against [`MAX_LIST`], or `default`.
fn page_size(limit: Option<usize>, default: usize) -> ApiResult<usize> {
    match limit.unwrap_or(default) {
        n @ 1..=MAX_LIST => Ok(n),
        n => Err(ApiError::bad_request(
            "bad_query",
            format!("the page size must be 1 to {MAX_LIST}, not {n}"),
        )),
    }
}

/// An RFC 3339 instant, or a date (UTC): its start, or with `end_of_day`
/// the start of the next day, so `to=2030-05-01` includes that day.
fn instant(name: &str, text: &str, end_of_day: bool) -> ApiResult<Timestamp> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let bad = || {
        ApiError::bad_request(
            "bad_query",
            format!("{name} must be a date (2030-05-01) or an RFC 3339 time, not {text:?}"),
        )
    };
    let date: Date = text.parse().map_err(|_| bad())?;
    let date = if end_of_day {
        date.checked_add(1.day()).map_err(|_| bad())?
    } else {
        date
    };
    date.to_zoned(TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|_| bad())
}
