//! The dashboard's HTTP surface: the page, the live feed, the purchase
//! endpoints and the admin endpoints. Every failure is a JSON
//! `{"error": "..."}` with a 4xx (or 500 for a journal failure), never a
//! panic: bodies are parsed here rather than by axum's `Json` extractor so
//! that malformed JSON gets the same JSON error shape.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use ticketpool_core::{BoxOfficeError, Priority, Want};

use crate::app::App;
use crate::driver::MAX_RATE;

const INDEX_HTML: &str = include_str!("static/index.html");
const APP_JS: &str = include_str!("static/app.js");
const STYLE_CSS: &str = include_str!("static/style.css");

/// How long a purchase from the form waits for a ticket.
pub const BUY_WAIT: Duration = Duration::from_secs(2);

/// The longest customer or vendor name accepted.
const MAX_NAME: usize = 64;

/// Every route of the dashboard.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(INDEX_HTML) }))
        .route(
            "/static/app.js",
            get(|| async { static_file("text/javascript", APP_JS) }),
        )
        .route(
            "/static/style.css",
            get(|| async { static_file("text/css", STYLE_CSS) }),
        )
        .route("/events", get(events))
        .route("/api/snapshot", get(snapshot))
        .route("/api/buy", post(buy))
        .route("/api/holds/{id}/confirm", post(confirm_hold))
        .route("/api/holds/{id}/cancel", post(cancel_hold))
        .route("/api/admin/pause", post(pause))
        .route("/api/admin/resume", post(resume))
        .route("/api/admin/close", post(close))
        .route("/api/admin/vendors", post(add_vendor))
        .route("/api/admin/vendors/{name}", delete(remove_vendor))
        .route("/api/admin/vendors/{name}/rate", post(set_rate))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed here")
        })
        .with_state(app)
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// A failed request: its status and a message for the page to show.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

impl From<BoxOfficeError> for ApiError {
    fn from(err: BoxOfficeError) -> Self {
        let status = match &err {
            BoxOfficeError::UnknownVendor(_) => StatusCode::NOT_FOUND,
            BoxOfficeError::UnknownTicketType(_)
            | BoxOfficeError::VendorNotAllowed { .. }
            | BoxOfficeError::Config(_) => StatusCode::UNPROCESSABLE_ENTITY,
            BoxOfficeError::HoldExpired | BoxOfficeError::HoldCancelled => StatusCode::GONE,
            BoxOfficeError::Journal(_) | BoxOfficeError::Restore(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            BoxOfficeError::SoldOut
            | BoxOfficeError::Closed
            | BoxOfficeError::Paused
            | BoxOfficeError::Full
            | BoxOfficeError::Empty
            | BoxOfficeError::Timeout
            | BoxOfficeError::LimitReached { .. }
            | BoxOfficeError::DuplicateVendor(_) => StatusCode::CONFLICT,
            // An error a newer core adds: still a JSON answer, named as ours.
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, err.to_string())
    }
}

type ApiResult = Result<Response, ApiError>;

/// Parses a JSON body into `T`, or a 400 that says what is wrong.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|err| ApiError::bad_request(format!("bad JSON body: {err}")))
}

/// Checks `Authorization: Bearer <token>` against the admin token.
fn require_admin(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match token {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "admin token missing: send Authorization: Bearer <token>",
        )),
        Some(token) if app.is_admin(token) => Ok(()),
        Some(_) => Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong admin token")),
    }
}

fn check_name(what: &str, name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::bad_request(format!("{what} must not be empty")));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::bad_request(format!(
            "{what} is longer than {MAX_NAME} characters"
        )));
    }
    Ok(())
}

fn check_rate(rate: f64) -> Result<(), ApiError> {
    if !(rate.is_finite() && (0.0..=MAX_RATE).contains(&rate)) {
        return Err(ApiError::bad_request(format!(
            "rate must be a number of tickets per second from 0 to {MAX_RATE}, got {rate}"
        )));
    }
    Ok(())
}

async fn events(
    State(app): State<Arc<App>>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let first = SseEvent::default()
        .event("snapshot")
        .data(app.snapshot_json().to_string());
    let receiver = app.listen();
    let live = stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(message) => {
                    let event = SseEvent::default().event(message.kind).data(message.data);
                    return Some((Ok(event), receiver));
                }
                // A slow browser skips; the next snapshot brings it level.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let stream = futures_util::StreamExt::chain(stream::once(async { Ok(first) }), live);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn snapshot(State(app): State<Arc<App>>) -> Json<Value> {
    Json(app.snapshot_json())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuyRequest {
    customer: String,
    #[serde(default)]
    vip: bool,
    #[serde(default)]
    ticket_type: Option<String>,
    #[serde(default)]
    reserve: bool,
}

async fn buy(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let request: BuyRequest = parse(&body)?;
    check_name("customer", &request.customer)?;
    let priority = if request.vip {
        Priority::Vip
    } else {
        Priority::Regular
    };
    let want = match request.ticket_type.as_deref() {
        None | Some("") => Want::Any,
        Some(name) => Want::from(name),
    };
    let customer = app.office.customer(&request.customer, priority);
    let office_app = Arc::clone(&app);
    // Buying may wait for a ticket: keep it off the async workers.
    let answer = tokio::task::spawn_blocking(move || {
        if request.reserve {
            let hold = customer.reserve_timeout(want, BUY_WAIT)?;
            let body = json!({
                "result": "held",
                "hold_id": hold.id().0,
                "ticket_id": hold.ticket().id.0,
                "ticket_type": &*hold.ticket().ticket_type,
                "price": hold.price().to_string(),
                "expires_in_ms": hold.deadline().saturating_duration_since(std::time::Instant::now()).as_millis() as u64,
            });
            let mut holds = office_app.holds.lock().unwrap();
            holds.retain(|_, hold| hold.is_open());
            holds.insert(hold.id().0, hold);
            Ok::<_, BoxOfficeError>(body)
        } else {
            let sale = customer.buy_timeout(want, BUY_WAIT)?;
            Ok(sale_json(&sale))
        }
    })
    .await
    .map_err(|err| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("buy failed: {err}")))??;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

fn sale_json(sale: &ticketpool_core::Sale) -> Value {
    json!({
        "result": "sold",
        "ticket_id": sale.ticket.id.0,
        "ticket_type": &*sale.ticket.ticket_type,
        "vendor": &*sale.ticket.vendor,
        "customer": &*sale.customer,
        "price": sale.price.to_string(),
        "hold_id": sale.hold.map(|hold| hold.0),
    })
}

fn hold_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!("hold id must be a positive integer, got {raw:?}"))
    })
}

fn take_hold(app: &App, raw: &str) -> Result<ticketpool_core::Hold, ApiError> {
    let id = hold_id(raw)?;
    app.holds
        .lock()
        .unwrap()
        .remove(&id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no open hold {id}")))
}

async fn confirm_hold(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let hold = take_hold(&app, &id)?;
    let sale = hold.confirm()?;
    Ok(Json(sale_json(&sale)).into_response())
}

async fn cancel_hold(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let hold = take_hold(&app, &id)?;
    let cancelled = hold.cancel();
    Ok(
        Json(json!({ "result": "cancelled", "hold_id": hold.id().0, "changed": cancelled }))
            .into_response(),
    )
}

async fn pause(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    require_admin(&app, &headers)?;
    Ok(Json(json!({ "paused": true, "changed": app.office.pause() })).into_response())
}

async fn resume(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    require_admin(&app, &headers)?;
    Ok(Json(json!({ "paused": false, "changed": app.office.resume() })).into_response())
}

async fn close(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    require_admin(&app, &headers)?;
    let changed = app.office.close();
    app.driver.stop();
    Ok(Json(json!({ "closed": true, "changed": changed })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewVendor {
    name: String,
    rate: f64,
    #[serde(default)]
    types: Vec<String>,
}

async fn add_vendor(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    require_admin(&app, &headers)?;
    let request: NewVendor = parse(&body)?;
    check_name("vendor name", &request.name)?;
    check_rate(request.rate)?;
    let types: Vec<&str> = request.types.iter().map(String::as_str).collect();
    app.driver.add_vendor(&request.name, request.rate, &types)?;
    let body = json!({ "vendor": request.name, "rate": request.rate, "types": request.types });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn remove_vendor(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult {
    require_admin(&app, &headers)?;
    app.driver.remove_vendor(&name)?;
    Ok(Json(json!({ "removed": name })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRate {
    rate: f64,
}

async fn set_rate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult {
    require_admin(&app, &headers)?;
    let request: NewRate = parse(&body)?;
    check_rate(request.rate)?;
    app.driver.set_rate(&name, request.rate)?;
    Ok(Json(json!({ "vendor": name, "rate": request.rate })).into_response())
}
