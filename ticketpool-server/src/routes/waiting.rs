//! The waiting room, for the authenticated customer: my places in line,
//! one of them, and leaving the line. Joining is a reserve with
//! `"wait": true` (`booking`). Every read counts as the customer coming
//! back, which keeps the place (see `waiting`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::auth::CustomerAuth;
use crate::errors::ApiResult;
use crate::extract::ApiPath;
use crate::state::Shared;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/me/waiting", get(my_waiting))
        .route("/api/waiting/{id}", get(show).delete(leave))
}

async fn my_waiting(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
) -> Json<Value> {
    Json(json!({"waiting": state.waiting.of(&account.name, true)}))
}

async fn show(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.waiting.owned(&id, &account.name)?.view()))
}

async fn leave(
    State(state): State<Shared>,
    CustomerAuth(account): CustomerAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let entry = state.waiting.owned(&id, &account.name)?;
    state.waiting.leave(&entry);
    Ok(Json(json!({"id": id, "status": "left"})))
}
