//! Sign-up and "who am I".

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::CustomerAuth;
use crate::errors::ApiResult;
use crate::extract::ApiJson;
use crate::state::{blocking, Shared};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/signup", post(sign_up))
        .route("/api/me", get(me))
}

/// A sign-up: a name, nothing else (VIP is an admin's to grant).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignUp {
    name: String,
}

async fn sign_up(
    State(state): State<Shared>,
    ApiJson(body): ApiJson<SignUp>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = body.name.clone();
    let token = blocking(move || state.accounts.sign_up(&body.name)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "customer": {"name": name, "vip": false},
            "token": token,
        })),
    ))
}

async fn me(CustomerAuth(account): CustomerAuth) -> Json<Value> {
    Json(json!({"name": &*account.name, "vip": account.vip}))
}
