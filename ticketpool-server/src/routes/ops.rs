//! Operations: `/healthz`, `/metrics` and `/openapi.json`.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::errors::{ApiError, ApiResult};
use crate::state::{blocking, every_event, Shared};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

/// The API's OpenAPI document, written by hand (a test checks that every
/// route is in it).
const OPENAPI: &str = include_str!("../openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Up, and the accounts database answers.
async fn healthz(State(state): State<Shared>) -> ApiResult<impl IntoResponse> {
    let ok = blocking(move || Ok(state.accounts.ping())).await?;
    if ok {
        Ok(Json(json!({"status": "ok"})))
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unhealthy",
            "the accounts database does not answer",
        ))
    }
}

async fn metrics(State(state): State<Shared>) -> ApiResult<impl IntoResponse> {
    let text = blocking(move || {
        Ok(state.metrics.render(
            &state.catalog,
            &every_event(&state.catalog),
            state.holds.open_count(),
            state.accounts.count(),
            state.live.feeds.len(),
            state.waiting.counts(),
        ))
    })
    .await?;
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4")], text))
}
