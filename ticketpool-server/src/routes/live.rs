//! Live updates over Server-Sent Events: one event's availability
//! (public) and the authenticated customer's holds. Every refusal comes
//! before the stream starts, as the usual JSON error.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures_util::stream::Stream;
use ticketpool_catalog::{EventId, EventStatus};

use crate::auth::CustomerAuth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::live::{customer_stream, event_stream, with_seat_deltas, OpenHolds, Places, StatusNow};
use crate::seats;
use crate::state::{blocking, Shared};

/// A comment this often keeps proxies and clients from timing out a quiet
/// stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/events/{id}/live", get(event_live))
        .route("/api/me/live", get(my_live))
}

type SseStream = Sse<axum::response::sse::KeepAliveStream<StreamBox>>;
type StreamBox = std::pin::Pin<Box<dyn Stream<Item = Result<SseEvent, Infallible>> + Send>>;

fn sse(stream: StreamBox) -> SseStream {
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

async fn event_live(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<SseStream> {
    let id = EventId(id);
    let event = state.catalog.event(id)?;
    if event.status == EventStatus::Draft {
        return Err(ApiError::conflict(
            "not_on_sale",
            format!(
                "event {} is not on sale yet: it has no live availability",
                id.0
            ),
        ));
    }
    let office = state.catalog.office(id)?;
    let stopping = state.live.stopping();
    // A first subscriber takes a snapshot and starts a thread: off the
    // async threads.
    let feeds = Arc::clone(&state.live.feeds);
    let feed = blocking(move || Ok(feeds.subscribe(event, office))).await?;
    let first = Arc::clone(&feed.latest.borrow());
    let catalog = Arc::clone(&state.catalog);
    let status: StatusNow = Box::new(move || catalog.event(id).ok().map(|e| e.status));
    let seat_stopping = stopping.clone();
    let stream: StreamBox = Box::pin(event_stream(id.0, first, feed, stopping, status));
    if !state.catalog.is_seated(id) {
        return Ok(sse(stream));
    }
    // A seated event's stream carries its seat deltas too.
    // A lease node sells no seats: the event's stream without them.
    let Some(seats) = blocking(move || seats::feed_if_sold(&state, id)).await? else {
        return Ok(sse(stream));
    };
    let deltas = seats.subscribe();
    Ok(sse(Box::pin(with_seat_deltas(
        id.0,
        stream,
        seats.version(),
        deltas,
        seat_stopping,
    ))))
}

async fn my_live(State(state): State<Shared>, CustomerAuth(account): CustomerAuth) -> SseStream {
    let owner = account.name;
    // Subscribed before the holds are read, so no change falls between.
    let changes = state.live.customers.subscribe(Arc::clone(&owner));
    let stopping = state.live.stopping();
    let places = Places {
        read: Box::new({
            let (state, owner) = (Arc::clone(&state), Arc::clone(&owner));
            move || state.waiting.of(&owner, false)
        }),
        moved: state.waiting.moved(),
    };
    let open_holds: OpenHolds = Box::new(move || state.holds.open_of(&owner));
    sse(Box::pin(customer_stream(
        open_holds, changes, stopping, places,
    )))
}
