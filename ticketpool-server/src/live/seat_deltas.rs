//! A seated event's seat changes on its live stream: first a `seats`
//! message with the version now and no seats (so a client knows where the
//! deltas start), then one `seats` message per delta (`{"event",
//! "version", "seats": [{"seat", "state"}]}`), never the whole map.
//!
//! Versions go up by one per delta. A slow client that falls behind the
//! buffer skips deltas; the next one it gets shows the jump in `version`,
//! and it reads `GET /api/events/{id}/seats` again.
//!
//! The stream ends with the event's own stream (closed, the server
//! stopping), whatever the deltas do.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;

use axum::response::sse::Event as SseEvent;
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{json, Value};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

type Messages = Pin<Box<dyn Stream<Item = Result<SseEvent, Infallible>> + Send>>;

fn seats_message(delta: &Value) -> SseEvent {
    SseEvent::default().event("seats").data(delta.to_string())
}

/// The deltas as messages, from `version` on, until the server stops.
fn deltas(
    event: u64,
    version: u64,
    receiver: broadcast::Receiver<Arc<Value>>,
    stopping: watch::Receiver<bool>,
) -> Messages {
    let first = json!({"event": event, "version": version, "seats": []});
    let start = stream::once(async move { Ok(seats_message(&first)) });
    let rest = stream::unfold(
        (receiver, stopping),
        |(mut receiver, mut stopping)| async move {
            let delta = loop {
                tokio::select! {
                    biased;
                    _ = stopping.wait_for(|stop| *stop) => return None,
                    delta = receiver.recv() => match delta {
                        Ok(delta) => break delta,
                        // The client sees the version jump and re-reads.
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return None,
                    },
                }
            };
            Some((Ok(seats_message(&delta)), (receiver, stopping)))
        },
    );
    Box::pin(start.chain(rest))
}

/// `main` (an event's stream) with its seat deltas merged in; ends when
/// `main` ends.
pub(crate) fn with_seat_deltas(
    event: u64,
    main: Messages,
    version: u64,
    receiver: broadcast::Receiver<Arc<Value>>,
    stopping: watch::Receiver<bool>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    // Fused: polled again after it ended (the main stream goes on), an
    // unfold would panic.
    let seats = deltas(event, version, receiver, stopping).fuse();
    stream::unfold((main, seats), |(mut main, mut seats)| async move {
        tokio::select! {
            // The event's own messages first: its `closed` ends both.
            biased;
            item = main.next() => item.map(|item| (item, (main, seats))),
            Some(item) = seats.next() => Some((item, (main, seats))),
        }
    })
}
