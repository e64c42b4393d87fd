//! The router: one function per resource file (the web frontend's pages
//! too), the JSON fallbacks for an
//! unknown route or a wrong method, the body limit and the metrics layer.

mod accounts;
mod admin;
mod booking;
mod catalog;
mod live;
mod ops;
mod pages;
mod sales;
mod seat_waves;
mod seats;
mod vendors;
mod waiting;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::errors::ApiError;
use crate::rate_limit::{self, Limits};
use crate::state::Shared;

/// The largest request body accepted, in bytes.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;

/// Every route, on `state`, each caller held to `limits` if any.
pub(crate) fn router(state: Shared, limits: Option<Arc<Limits>>) -> Router {
    let mut router = Router::new()
        .merge(ops::routes())
        .merge(accounts::routes())
        .merge(catalog::routes())
        .merge(booking::routes())
        .merge(admin::routes())
        .merge(vendors::routes())
        .merge(sales::routes())
        .merge(seats::routes())
        .merge(seat_waves::routes())
        .merge(live::routes())
        .merge(waiting::routes())
        .merge(pages::routes())
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method);
    if let Some(limits) = limits {
        // Inside the counting layer, so refusals are counted too.
        router = router.layer(rate_limit::layer(limits));
    }
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .with_state(state)
}

async fn unknown_route(request: Request) -> ApiError {
    ApiError::not_found(
        "unknown_route",
        format!(
            "there is no route {} {}",
            request.method(),
            request.uri().path()
        ),
    )
}

async fn wrong_method(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} does not answer {}",
            request.uri().path(),
            request.method()
        ),
    )
}

/// Counts and times every request, by route pattern.
async fn count(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Cheap clones (a shared string, a method without allocation).
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await.into_response();
    state.metrics.record(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        method.as_str(),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
