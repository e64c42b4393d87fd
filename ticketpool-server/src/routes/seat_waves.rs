//! Admin: a seated event's seats released in vendors' waves (issue 17).
//!
//! - `POST /api/admin/events/{id}/seats-in-waves`: the event's seats go on
//!   sale in waves instead of all at once (before any is sold; recorded in
//!   its journal, so a restart keeps them off sale).
//! - `POST /api/admin/events/{id}/seat-waves` with `{"all": true}`,
//!   `{"section": ..}`, `{"tier": ..}` or `{"section": .., "rows": "A-C"}`:
//!   one wave on sale, recorded first. The seat feed's deltas follow.
//!
//! A lease node answers both with 409 `seat_waves_unsupported`: its seats
//! go on sale as the nodes lease them.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketpool_catalog::{EventId, Wave};

use crate::auth::AdminAuth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::{blocking, Shared};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/admin/events/{id}/seats-in-waves", post(in_waves))
        .route("/api/admin/events/{id}/seat-waves", post(release_wave))
}

/// One wave, as asked: exactly one of its shapes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaveBody {
    #[serde(default)]
    all: bool,
    section: Option<String>,
    tier: Option<String>,
    rows: Option<String>,
}

impl WaveBody {
    fn wave(self) -> ApiResult<Wave> {
        match (self.all, self.section, self.tier, self.rows) {
            (true, None, None, None) => Ok(Wave::All),
            (false, Some(section), None, None) => Ok(Wave::Section(section)),
            (false, None, Some(tier), None) => Ok(Wave::Tier(tier)),
            (false, Some(section), None, Some(rows)) => Ok(Wave::Block { section, rows }),
            _ => Err(ApiError::invalid(
                "invalid_wave",
                "a wave is {\"all\": true}, {\"section\"}, {\"tier\"} or {\"section\", \"rows\"}",
            )),
        }
    }
}

async fn in_waves(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let event = EventId(id);
        let feed = state
            .seat_feeds
            .get_or_open(event, || state.catalog.seats_in_waves(event))?;
        // Opened before (all on sale, or leased on a lease node): the
        // catalog says why not in waves; else it returns the open seats.
        state.catalog.seats_in_waves(event)?;
        let counts = feed.seated().snapshot().counts();
        Ok(Json(json!({
            "event": id,
            "in_waves": true,
            "not_on_sale": counts.not_on_sale,
        })))
    })
    .await
}

async fn release_wave(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(body): ApiJson<WaveBody>,
) -> ApiResult<Json<Value>> {
    let wave = body.wave()?;
    blocking(move || {
        let event = EventId(id);
        let feed = crate::seats::feed(&state, event)?;
        let released = feed.seated().release_wave(wave)?;
        feed.refresh();
        let counts = feed.seated().snapshot().counts();
        Ok(Json(json!({
            "event": id,
            "released": released,
            "not_on_sale": counts.not_on_sale,
        })))
    })
    .await
}
