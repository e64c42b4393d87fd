//! Simulated fans (moved here from the retired dashboard's driver): each a
//! thread buying its favourite type (or any) through the engine as a named
//! demo customer, now and then
//! reserving and confirming, cancelling or letting the hold lapse, so the
//! live pages show sales, holds and expiries. The event's own vendors
//! (see `stock`) keep it stocked.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ticketpool_core::{BoxOffice, BoxOfficeError, Hold, Priority, Want};

/// How long a waiting buy blocks before the thread looks at the stop flag
/// again.
const POLL: Duration = Duration::from_millis(100);

/// One fan's settings.
pub(crate) struct Fan {
    /// The event, for the customer's name.
    pub(crate) event: u64,
    /// Its number among the event's fans; every fourth is a VIP.
    pub(crate) index: usize,
    /// The pause between two attempts.
    pub(crate) interval: Duration,
    /// What it buys at first (any type once its favourite sells out).
    pub(crate) want: Want,
}

/// Starts `fan` on `office`; it runs until `stop` is set or the event
/// closes.
pub(crate) fn spawn(
    office: Arc<BoxOffice>,
    fan: Fan,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name(format!("demo-fan-{}-{}", fan.event, fan.index))
        .spawn(move || run(&office, &fan, &stop))
}

/// The customer name of `fan`'s `generation`-th identity.
fn name(fan: &Fan, generation: u32) -> String {
    format!("demo-fan-{}-{}-{generation}", fan.event, fan.index)
}

/// Buys (and every tenth attempt reserves) as `demo-fan-E-I-G`, moving to
/// a new name when the purchase limit is reached, until the event ends.
fn run(office: &BoxOffice, fan: &Fan, stop: &AtomicBool) {
    let priority = if fan.index.is_multiple_of(4) {
        Priority::Vip
    } else {
        Priority::Regular
    };
    let mut generation = 0;
    let mut customer = office.customer(&name(fan, generation), priority);
    // Holds this fan lets lapse, so the pages show expiries.
    let mut lapsing: Vec<Hold> = Vec::new();
    let mut attempt: u64 = 0;
    let mut want = fan.want.clone();
    while !stop.load(Ordering::Relaxed) {
        attempt += 1;
        lapsing.retain(Hold::is_open);
        let outcome = if attempt.is_multiple_of(10) {
            customer.reserve_timeout(want.clone(), POLL).map(|hold| {
                if attempt.is_multiple_of(30) {
                    lapsing.push(hold);
                } else if attempt.is_multiple_of(20) {
                    hold.cancel();
                } else {
                    let _ = hold.confirm();
                }
            })
        } else {
            customer.buy_timeout(want.clone(), POLL).map(drop)
        };
        match outcome {
            // Paused: nothing is released, so the buys time out; go on.
            Ok(())
            | Err(BoxOfficeError::Timeout | BoxOfficeError::Empty | BoxOfficeError::Paused) => {}
            Err(BoxOfficeError::LimitReached { .. }) => {
                generation += 1;
                customer = office.customer(&name(fan, generation), priority);
                // Retry this attempt as the new fan, so every tenth
                // attempt really is a reservation.
                attempt -= 1;
                continue;
            }
            // Its favourite type is gone: any other will do.
            Err(BoxOfficeError::SoldOut) if want != Want::Any => want = Want::Any,
            // Sold out, closed: this fan is done.
            Err(_) => return,
        }
        pause(fan.interval, stop);
    }
}

/// Sleeps `interval` in steps of at most [`POLL`], so a stop is seen
/// soon (the server's shutdown waits for the fans).
fn pause(interval: Duration, stop: &AtomicBool) {
    let until = Instant::now() + interval;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        thread::sleep(left.min(POLL));
    }
}
