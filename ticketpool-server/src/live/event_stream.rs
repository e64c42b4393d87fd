//! One client's stream of one event: the current availability first, then
//! the fan-out's newest availability whenever it changes and its notices,
//! until the event closes, the client goes or the server stops.
//!
//! The `closed` notice says why, from the event's status when it is sent
//! (the catalog stores a status before it closes the office): `"status":
//! "closed"` when an admin closed the sales (tickets sold stay valid),
//! `"cancelled"` or `"past"` otherwise, with a message to show.
//!
//! A stream is a future polled by the connection's task: no thread of its
//! own. It reads the `watch` (newest state only) so a slow client skips
//! states instead of queueing them, and neither slows the pump nor other
//! clients.

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::Event as SseEvent;
use futures_util::stream::{self, Stream};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use ticketpool_catalog::EventStatus;

use crate::live::feed::{FeedReceivers, Notice};

/// The event's status now, read when its stream closes.
pub(crate) type StatusNow = Box<dyn Fn() -> Option<EventStatus> + Send + Sync>;

struct State {
    event: u64,
    status: StatusNow,
    /// The first message, not yet sent.
    first: Option<Arc<Value>>,
    feed: FeedReceivers,
    stopping: watch::Receiver<bool>,
    /// The pump has gone: only buffered notices are left.
    latest_gone: bool,
    /// The first message said closed: `closed` follows, then the end.
    pending_closed: bool,
    done: bool,
}

/// The SSE messages of one event's stream.
pub(crate) fn event_stream(
    event: u64,
    first: Arc<Value>,
    feed: FeedReceivers,
    stopping: watch::Receiver<bool>,
    status: StatusNow,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    let state = State {
        event,
        status,
        first: Some(first),
        feed,
        stopping,
        latest_gone: false,
        pending_closed: false,
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        let message = next(&mut state).await?;
        Some((Ok(message), state))
    })
}

fn availability(value: &Value) -> SseEvent {
    SseEvent::default()
        .event("availability")
        .data(value.to_string())
}

fn notice_message(state: &State, notice: Notice) -> SseEvent {
    let mut data = json!({ "event": state.event });
    if notice == Notice::Closed {
        let status = (state.status)();
        data["status"] = json!(status);
        data["message"] = json!(match status {
            Some(EventStatus::Closed) =>
                "Sales are closed: no more tickets are sold. \
                 Tickets already bought stay valid.",
            Some(EventStatus::Cancelled) => "This event was cancelled.",
            Some(EventStatus::Past) => "This event has started: its sale is over.",
            _ => "This event's box office is closed.",
        });
    }
    SseEvent::default()
        .event(notice.name())
        .data(data.to_string())
}

async fn next(state: &mut State) -> Option<SseEvent> {
    if let Some(first) = state.first.take() {
        // A closed event has nothing more to say; its feed may already
        // have sent its `closed` before this stream joined.
        if first["closed"] == true {
            state.pending_closed = true;
        }
        return Some(availability(&first));
    }
    if std::mem::take(&mut state.pending_closed) {
        state.done = true;
        return Some(notice_message(state, Notice::Closed));
    }
    if state.done {
        return None;
    }
    let notice = loop {
        tokio::select! {
            // Stopping first: the server's graceful stop waits for this.
            biased;
            _ = state.stopping.wait_for(|stop| *stop) => return None,
            // The state before the notice about it.
            changed = state.feed.latest.changed(), if !state.latest_gone => {
                if changed.is_err() {
                    state.latest_gone = true;
                    continue;
                }
                let latest = Arc::clone(&state.feed.latest.borrow_and_update());
                return Some(availability(&latest));
            }
            notice = state.feed.notices.recv() => match notice {
                Ok(notice) => {
                    state.done = notice == Notice::Closed;
                    break notice;
                }
                // Notices dropped for a slow client: the availability it
                // reads next carries the same flags.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            },
        }
    };
    Some(notice_message(state, notice))
}
