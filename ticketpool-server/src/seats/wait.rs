//! Waiting for best-available seats (`"wait": true` on a seat hold): a
//! block that fits now is held at once, as without waiting; otherwise the
//! customer joins the waiting room (`waiting`) with the engine's seat
//! wait (`SeatedEvent::wait_best_available`: VIPs first, then first come
//! first served). When served, the seats become an ordinary API hold
//! under the event's purchase limit, checked again then (over it, the
//! seats are given back and the entry ends `limit_reached`), and the
//! owner's live stream gets `hold_created`. Leaving the line or the grace
//! period running out drops the engine's future: nothing stays held.
//!
//! The entry's `position` is `null`: the seat line tells a place only by
//! scanning itself under its lock (see `waiting`).

use std::sync::Arc;

use serde_json::json;
use ticketpool_catalog::EventId;
use ticketpool_core::Priority;
use ticketpool_seats::SeatHold;

use super::{admit, adopt, best, feed_lock, seat_error, within_limit, SeatFeed};
use crate::errors::ApiResult;
use crate::holds::BookingHold;
use crate::live::HoldChange;
use crate::state::Shared;
use crate::waiting::{Entry, Hooks, Joined, Place, Waiting, Wants};

/// A best-available request that may wait, owned (it outlives the request).
pub(crate) struct BestWait {
    /// How many adjacent seats.
    pub(crate) count: usize,
    /// In this section only.
    pub(crate) section: Option<String>,
    /// In this price tier only.
    pub(crate) tier: Option<String>,
    /// A wheelchair place with its companion seats.
    pub(crate) accessible: bool,
}

/// Holds the best block for `want` now, or joins the waiting room.
///
/// # Errors
///
/// As `seats::reserve` with `best`, except `no_adjacent_seats`: it waits
/// instead.
pub(crate) fn reserve_or_wait(
    state: &Shared,
    owner: Arc<str>,
    priority: Priority,
    event: EventId,
    want: BestWait,
) -> ApiResult<Joined<Arc<BookingHold>>> {
    let feed = admit(state, event, want.count)?;
    // Checked, and the first try made, under the limit's lock (as
    // `reserve`): a hold made at once is counted before the next reserve.
    let reserving = feed_lock(&feed.reserving);
    within_limit(state, &feed, &owner, want.count)?;
    let shown = json!({
        "count": want.count,
        "section": want.section,
        "tier": want.tier,
        "accessible": want.accessible,
    });
    let future = {
        let (state, seated, owner) = (
            Arc::clone(state),
            Arc::clone(feed.seated()),
            Arc::clone(&owner),
        );
        Box::pin(async move {
            let request = best(
                want.count,
                want.section.as_deref(),
                want.tier.as_deref(),
                want.accessible,
            )?;
            seated
                .wait_best_available(&owner, priority, request)
                .await
                .map_err(|error| seat_error(&state, event, seated.map(), error))
        })
    };
    let waiting = Waiting {
        future,
        owner: Arc::clone(&owner),
        event,
        want: Wants::Seats(shown),
        place: Place::Seats(priority),
    };
    let joined = state
        .waiting
        .join(hooks(state, Arc::clone(&feed), priority), waiting)?;
    drop(reserving);
    Ok(match joined {
        Joined::Held(held) => Joined::Held(adopt(state, &feed, owner, priority, held)?),
        Joined::Waiting(entry) => Joined::Waiting(entry),
    })
}

/// What the waiting task does when served: keeps the seats as an API hold
/// (under the purchase limit) and tells the owner.
fn hooks(state: &Shared, feed: Arc<SeatFeed>, priority: Priority) -> Hooks<SeatHold> {
    let state = Arc::clone(state);
    let watching = Arc::clone(&state);
    Hooks {
        watched: Box::new(move |owner: &str| watching.live.customers.is_watched(owner)),
        served: Box::new(move |entry: &Entry, held: SeatHold| {
            let owner = Arc::clone(entry.owner());
            let reserving = feed_lock(&feed.reserving);
            if let Err(over) = within_limit(&state, &feed, &owner, held.seats.len()) {
                drop(reserving);
                let _ = feed.seated().cancel(held.id);
                feed.refresh();
                return Err(over);
            }
            let booking = adopt(&state, &feed, owner, priority, held);
            drop(reserving);
            let booking = booking?;
            state.live.customers.publish(HoldChange::Created, &booking);
            Ok(())
        }),
    }
}
