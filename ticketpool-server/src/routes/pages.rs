//! The web frontend: one HTML page and its assets, compiled into the
//! binary (no build step, nothing fetched from elsewhere). The page is a
//! small single-page app (plain JS modules, hash routes) on the JSON API.
//!
//! Only `/` and `/assets/{file}` are taken, so `/api`, `/healthz`,
//! `/metrics` and `/openapi.json` keep their own routes and an unknown
//! path is still the API's JSON 404. Every answer carries a
//! Content-Security-Policy allowing only this origin.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::errors::ApiError;
use crate::extract::ApiPath;
use crate::state::Shared;

/// Everything from this origin, nothing inline, no frames, no plugins.
/// uPlot styles its elements through the CSSOM, which `style-src 'self'`
/// allows.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The assets: name, content type, body. uPlot 1.6.32 comes from the npm
/// registry (`npm pack uplot`), its dist files and MIT licence unchanged.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.js", JS, include_str!("../static/app.js")),
    ("api.js", JS, include_str!("../static/api.js")),
    ("ui.js", JS, include_str!("../static/ui.js")),
    ("browse.js", JS, include_str!("../static/browse.js")),
    ("event.js", JS, include_str!("../static/event.js")),
    ("seatmap.js", JS, include_str!("../static/seatmap.js")),
    ("account.js", JS, include_str!("../static/account.js")),
    ("admin.js", JS, include_str!("../static/admin.js")),
    ("admin_sale.js", JS, include_str!("../static/admin_sale.js")),
    ("admin_edit.js", JS, include_str!("../static/admin_edit.js")),
    ("charts.js", JS, include_str!("../static/charts.js")),
    ("style.css", CSS, include_str!("../static/style.css")),
    (
        "uPlot.iife.min.js",
        JS,
        include_str!("../static/uPlot.iife.min.js"),
    ),
    (
        "uPlot.min.css",
        CSS,
        include_str!("../static/uPlot.min.css"),
    ),
    (
        "uPlot.LICENSE",
        TEXT,
        include_str!("../static/uPlot.LICENSE"),
    ),
];

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
}

/// The headers every page and asset gets.
fn page(content_type: &'static str, body: &'static str) -> Response {
    let headers: [(HeaderName, &'static str); 6] = [
        (CONTENT_TYPE, content_type),
        (CONTENT_SECURITY_POLICY, CSP),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "no-referrer"),
        (X_FRAME_OPTIONS, "DENY"),
        // Compiled in: a new binary may change them, so revalidate.
        (CACHE_CONTROL, "no-cache"),
    ];
    (headers, body).into_response()
}

async fn index() -> Response {
    page(HTML, include_str!("../static/index.html"))
}

async fn asset(ApiPath(file): ApiPath<String>) -> Result<Response, ApiError> {
    ASSETS
        .iter()
        .find(|(name, _, _)| *name == file)
        .map(|(_, content_type, body)| page(content_type, body))
        .ok_or_else(|| ApiError::not_found("unknown_asset", format!("there is no asset {file:?}")))
}
