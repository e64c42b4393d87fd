//! Waiting for best-available seats: served when seats free up (a hold
//! released or reaped, a vendor's wave), VIPs first then first come first
//! served, a waiter no freed block fits keeps its place without holding
//! back others, no seat held twice, and a dropped wait leaves nothing.
//! Futures are polled by hand with a waker that records being woken.
#![cfg(not(ticketpool_loom))]

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use ticketpool_core::Priority;
use ticketpool_seats::{
    BestAvailable, ManualClock, SeatError, SeatHold, SeatState, SeatWait, Seating, VenueConfig,
};

/// One row of four seats in "S" and a row of four in "B" (another tier).
const HALL: &str = r#"
name = "Hall"
tiers = { standard = 100, balcony = 50 }
[[sections]]
name = "S"
tier = "standard"
rows = "A"
seats = "1-4"
[[sections]]
name = "B"
tier = "balcony"
rows = "A"
seats = "1-4"
"#;

fn hall() -> (Arc<Seating>, Arc<ManualClock>) {
    let map = Arc::new(VenueConfig::from_toml_str(HALL).unwrap());
    let clock = Arc::new(ManualClock::new());
    let seating =
        Seating::with_clock(map, clock.clone()).with_hold_duration(Duration::from_secs(60));
    (Arc::new(seating), clock)
}

#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A seat wait polled by hand.
struct Polled {
    future: Pin<Box<SeatWait>>,
    flag: Arc<Flag>,
}

impl Polled {
    fn new(future: SeatWait) -> Self {
        Self {
            future: Box::pin(future),
            flag: Arc::default(),
        }
    }

    fn poll(&mut self) -> Poll<Result<SeatHold, SeatError>> {
        self.flag.0.store(false, Ordering::SeqCst);
        let waker = Waker::from(Arc::clone(&self.flag));
        self.future.as_mut().poll(&mut Context::from_waker(&waker))
    }

    fn pending(&mut self, what: &str) {
        assert!(self.poll().is_pending(), "{what} should still wait");
    }

    fn ready(&mut self, what: &str) -> Result<SeatHold, SeatError> {
        match self.poll() {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("{what} should be done"),
        }
    }

    fn woken(&self) -> bool {
        self.flag.0.load(Ordering::SeqCst)
    }

    fn position(&self) -> Option<usize> {
        self.future.position()
    }
}

fn wait(seating: &Arc<Seating>, section: &str, n: usize, priority: Priority) -> Polled {
    let mut polled =
        Polled::new(seating.wait_best_available(BestAvailable::in_section(section, n), priority));
    polled.pending("no block fits");
    polled
}

fn labels(seating: &Seating, hold: &SeatHold) -> Vec<String> {
    hold.seats
        .iter()
        .map(|&s| seating.map().seat(s).unwrap().to_string())
        .collect()
}

#[test]
fn a_vip_waiting_after_a_regular_gets_first_pick() {
    let (seating, _) = hall();
    seating.release_all();
    let left = seating.hold_labels(&["S A-1", "S A-2"]).unwrap();
    let right = seating.hold_labels(&["S A-3", "S A-4"]).unwrap();
    let mut regular = wait(&seating, "S", 2, Priority::Regular);
    let mut vip = wait(&seating, "S", 2, Priority::Vip);
    assert_eq!((vip.position(), regular.position()), (Some(1), Some(2)));
    seating.release_hold(left.id).unwrap();
    assert!(vip.woken() && !regular.woken());
    let vips = vip.ready("the VIP").unwrap();
    assert_eq!(labels(&seating, &vips), ["S A-1", "S A-2"]);
    regular.pending("the Regular, behind the VIP");
    assert_eq!(regular.position(), Some(1));
    seating.release_hold(right.id).unwrap();
    let regulars = regular.ready("the Regular").unwrap();
    assert_eq!(labels(&seating, &regulars), ["S A-3", "S A-4"]);
    assert_eq!(seating.waiting_for_seats(), 0);
}

#[test]
fn equals_are_served_first_come_first_served_even_by_expiry() {
    let (seating, clock) = hall();
    seating.release_all();
    let all = seating
        .best_available(BestAvailable::in_section("S", 4))
        .unwrap();
    let mut first = wait(&seating, "S", 1, Priority::Regular);
    let mut second = wait(&seating, "S", 1, Priority::Regular);
    let mut third = wait(&seating, "S", 1, Priority::Regular);
    assert_eq!(
        [first.position(), second.position(), third.position()],
        [Some(1), Some(2), Some(3)]
    );
    // The four come back when the hold lapses and is reaped: each waiter
    // gets a seat of its own, the best (centred) to the first.
    clock.advance(Duration::from_secs(61));
    assert_eq!(seating.reap(), 1);
    let got: Vec<SeatHold> = [&mut first, &mut second, &mut third]
        .into_iter()
        .map(|w| w.ready("a seat came").unwrap())
        .collect();
    assert_eq!(
        labels(&seating, &got[0]),
        ["S A-2"],
        "the first gets the best seat"
    );
    let seats: HashSet<_> = got.iter().flat_map(|h| h.seats.clone()).collect();
    assert_eq!(seats.len(), 3, "no seat held twice");
    for &seat in &seats {
        assert_eq!(seating.state(seat), Some(SeatState::Held));
    }
    assert!(all.seats.iter().filter(|s| !seats.contains(s)).count() == 1);
}

#[test]
fn a_waiter_no_block_fits_keeps_its_place_without_holding_back_others() {
    let (seating, _) = hall();
    seating.release_all();
    let left = seating.hold_labels(&["S A-1", "S A-2"]).unwrap();
    let _right = seating.hold_labels(&["S A-3", "S A-4"]).unwrap();
    let mut four = wait(&seating, "S", 4, Priority::Vip);
    let mut two = wait(&seating, "S", 2, Priority::Regular);
    seating.release_hold(left.id).unwrap();
    let twos = two.ready("a pair fits the pair").unwrap();
    assert_eq!(labels(&seating, &twos), ["S A-1", "S A-2"]);
    four.pending("four never fit two");
    assert_eq!(four.position(), Some(1));
    seating.release_hold(twos.id).unwrap();
    four.pending("A-3 and A-4 are still held");
}

#[test]
fn a_vendor_wave_serves_the_line_before_newcomers() {
    let (seating, _) = hall();
    let mut waiting = wait(&seating, "B", 3, Priority::Regular);
    assert_eq!(seating.waiting_for_seats(), 1);
    assert_eq!(seating.release_section("B").unwrap(), 4);
    let hold = waiting.ready("the wave came").unwrap();
    assert_eq!(labels(&seating, &hold), ["B A-1", "B A-2", "B A-3"]);
    // The one seat left goes to a newcomer at once.
    let mut late = Polled::new(
        seating.wait_best_available(BestAvailable::in_section("B", 1), Priority::Regular),
    );
    assert_eq!(
        labels(&seating, &late.ready("one is free").unwrap()),
        ["B A-4"]
    );
}

#[test]
fn a_dropped_wait_leaves_nothing_behind() {
    let (seating, _) = hall();
    seating.release_all();
    let pair = seating.hold_labels(&["S A-2", "S A-3"]).unwrap();
    let _ends = seating.hold_labels(&["S A-1", "S A-4"]).unwrap();
    // Dropped while waiting: out of line.
    let gone = wait(&seating, "S", 2, Priority::Vip);
    drop(gone);
    assert_eq!(seating.waiting_for_seats(), 0);
    // Served but dropped before it saw its hold: the hold is released and
    // the seats go to the next in line.
    let vip = wait(&seating, "S", 2, Priority::Vip);
    let mut regular = wait(&seating, "S", 2, Priority::Regular);
    seating.release_hold(pair.id).unwrap();
    assert_eq!(seating.hold_count(), 2, "the VIP's hold and the ends");
    drop(vip);
    assert!(regular.woken());
    let hold = regular.ready("the seats the VIP left").unwrap();
    assert_eq!(labels(&seating, &hold), ["S A-2", "S A-3"]);
    assert_eq!(seating.hold_count(), 2, "the Regular's hold and the ends");
    assert_eq!(seating.waiting_for_seats(), 0);
}

#[test]
fn a_request_that_can_never_fit_is_refused_at_once() {
    let (seating, _) = hall();
    let mut unknown =
        Polled::new(seating.wait_best_available(BestAvailable::in_section("Z", 1), Priority::Vip));
    assert!(matches!(
        unknown.ready("unknown"),
        Err(SeatError::UnknownSection(_))
    ));
    let mut none =
        Polled::new(seating.wait_best_available(BestAvailable::anywhere(0), Priority::Vip));
    assert!(matches!(none.ready("zero"), Err(SeatError::BadRequest)));
    assert_eq!(seating.waiting_for_seats(), 0);
}

/// Wakes a parked thread.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Threads wait for 1-3 adjacent seats of one row of 4 over and over,
/// VIPs and Regulars, giving each hold back before waiting again: every
/// wait is served, and no seat is ever in two holds at once.
#[test]
fn many_threads_waiting_never_share_a_seat() {
    let (seating, _) = hall();
    seating.release_all();
    let owned = Arc::new(std::sync::Mutex::new(HashSet::new()));
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let (seating, owned) = (Arc::clone(&seating), Arc::clone(&owned));
            std::thread::spawn(move || {
                let priority = if t % 2 == 0 {
                    Priority::Vip
                } else {
                    Priority::Regular
                };
                for round in 0..300u64 {
                    let n = ((t + round) % 3 + 1) as usize;
                    let want = BestAvailable::in_section("S", n);
                    let hold = block_on(seating.wait_best_available(want, priority)).unwrap();
                    assert_eq!(hold.seats.len(), n);
                    for &seat in &hold.seats {
                        assert!(owned.lock().unwrap().insert(seat), "a seat held twice");
                    }
                    for &seat in &hold.seats {
                        owned.lock().unwrap().remove(&seat);
                    }
                    seating.release_hold(hold.id).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(seating.waiting_for_seats(), 0);
    assert_eq!(seating.hold_count(), 0);
    let row = seating.map().find("S A-1").unwrap();
    assert_eq!(seating.state(row), Some(SeatState::Available));
}

#[test]
fn ending_waits_refuses_every_waiter_and_every_newcomer() {
    let (seating, _) = hall();
    seating.release_all();
    let all = seating
        .best_available(BestAvailable::in_section("S", 4))
        .unwrap();
    let mut vip = wait(&seating, "S", 2, Priority::Vip);
    let mut regular = wait(&seating, "S", 1, Priority::Regular);
    assert_eq!(seating.waiting_for_seats(), 2);
    seating.end_waits();
    assert!(vip.woken() && regular.woken(), "both are woken to be told");
    assert_eq!(vip.ready("the VIP"), Err(SeatError::WaitsEnded));
    assert_eq!(regular.ready("the Regular"), Err(SeatError::WaitsEnded));
    assert_eq!(seating.waiting_for_seats(), 0);
    // A newcomer is refused at once, even where seats are free...
    let mut late =
        Polled::new(seating.wait_best_available(BestAvailable::in_section("B", 1), Priority::Vip));
    assert_eq!(late.ready("the newcomer"), Err(SeatError::WaitsEnded));
    // ...and seats freed later go to nobody: they stay available.
    seating.release_hold(all.id).unwrap();
    for label in ["S A-1", "S A-2", "S A-3", "S A-4"] {
        let seat = seating.map().find(label).unwrap();
        assert_eq!(seating.state(seat), Some(SeatState::Available));
    }
}
