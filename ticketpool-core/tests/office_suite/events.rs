//! Regression tests for the event stream around close, hold ordering,
//! repeated confirms after a journal failure and restored prices; part of
//! the office suite, run for both strategies.

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use ticketpool_core::{
    BoxOffice, BoxOfficeError, Event, HoldId, Journal, JournalError, Money, Notification, Priority,
    RecoveredState, Strategy, Subscription, Ticket, TicketId, Want,
};

use super::{one_type, TestJournal};

/// Far longer than any of these waits needs, even on a loaded machine: a
/// stream that has not ended by then never will.
const GENEROUS: Duration = Duration::from_secs(60);

/// Reads `events` on a thread until the stream ends; panics if it has not
/// ended within [`GENEROUS`] (the reader thread is then left blocked).
fn drain_until_end(events: Subscription) -> Vec<Notification> {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let items: Vec<Notification> = events.collect();
        let _ = done.send(items);
    });
    finished
        .recv_timeout(GENEROUS)
        .expect("the subscription never ended")
}

fn kinds(items: &[Notification]) -> Vec<String> {
    items
        .iter()
        .map(|n| match n {
            Notification::Event(e) => format!("{e:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_owned(),
            Notification::Lagged(n) => format!("Lagged({n})"),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

/// Many rounds of subscribers racing `close` on real threads: every
/// subscription, taken before, during or after the close, ends.
pub fn every_subscription_racing_close_ends(strategy: Strategy) {
    const ROUNDS: usize = 500;
    const SUBSCRIBERS: usize = 4;
    for round in 0..ROUNDS {
        let office = BoxOffice::new(one_type(strategy, 10, 10)).unwrap();
        let start = Arc::new(Barrier::new(SUBSCRIBERS + 1));
        let (ended, ends) = mpsc::channel();
        for _ in 0..SUBSCRIBERS {
            let (office, start, ended) = (office.clone(), Arc::clone(&start), ended.clone());
            thread::spawn(move || {
                start.wait();
                let events = office.subscribe();
                drop(office);
                // Ends only when the stream does.
                let items: Vec<Notification> = events.collect();
                let _ = ended.send(items);
            });
        }
        start.wait();
        office.close();
        for _ in 0..SUBSCRIBERS {
            let items = ends.recv_timeout(GENEROUS).unwrap_or_else(|_| {
                panic!("round {round}: a subscription did not end after close")
            });
            // A subscriber either saw the close or came after it.
            assert!(
                items.is_empty() || kinds(&items) == ["Closed"],
                "round {round}: {items:?}"
            );
        }
    }
}

/// A hold confirmed after close is a sale; subscribers see it after
/// `Closed`, then the stream ends, and nothing is counted missed.
pub fn hold_confirmed_after_close_reaches_subscribers(strategy: Strategy) {
    let office = BoxOffice::new(one_type(strategy, 5, 5)).unwrap();
    let vendor = office.add_vendor("v", &[]).unwrap();
    vendor.release("general").unwrap();
    vendor.release("general").unwrap();
    let c = office.customer("c", Priority::Regular);
    let kept = c.reserve(Want::Any).unwrap();
    let dropped = c.reserve(Want::Any).unwrap();
    let events = office.subscribe();
    office.close();
    // Subscribing after close, while holds are open, still follows them.
    let late = office.subscribe();
    let sale = kept.confirm().unwrap();
    drop(dropped);
    let items = drain_until_end(events);
    assert_eq!(
        kinds(&items),
        ["Closed", "HoldConfirmed", "Sold", "HoldCancelled"]
    );
    assert!(items.contains(&Notification::Event(Event::Sold { sale })));
    assert_eq!(
        kinds(&drain_until_end(late)),
        ["HoldConfirmed", "Sold", "HoldCancelled"]
    );
    assert_eq!(office.snapshot().totals.sold, 1);
    // Nothing more can happen: a new subscription starts ended.
    assert!(drain_until_end(office.subscribe()).is_empty());
}

/// A hold that expires after close ends the stream with its `HoldExpired`.
pub fn hold_expiring_after_close_ends_the_stream(strategy: Strategy) {
    let mut config = one_type(strategy, 5, 5);
    config.hold_ttl = Duration::from_millis(30);
    let office = BoxOffice::new(config).unwrap();
    office
        .add_vendor("v", &[])
        .unwrap()
        .release("general")
        .unwrap();
    let hold = office
        .customer("c", Priority::Regular)
        .reserve(Want::Any)
        .unwrap();
    let events = office.subscribe();
    office.close();
    // Kept, not dropped: only the reaper settles it.
    let items = drain_until_end(events);
    assert_eq!(kinds(&items), ["Closed", "HoldExpired"]);
    assert!(matches!(hold.confirm(), Err(BoxOfficeError::HoldExpired)));
}

/// Lets the test hold the first record `gated` picks inside the journal
/// until it says go, so a sale or a release can be under way meanwhile.
struct GateJournal {
    gated: fn(&Event) -> bool,
    entered: Mutex<Option<mpsc::Sender<()>>>,
    release: Mutex<mpsc::Receiver<()>>,
}

impl GateJournal {
    /// The journal, the signal that a gated record entered it, and the
    /// sender that lets it through.
    fn new(gated: fn(&Event) -> bool) -> (Arc<Self>, mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered_tx, entered) = mpsc::channel();
        let (go, release) = mpsc::channel();
        let journal = Arc::new(Self {
            gated,
            entered: Mutex::new(Some(entered_tx)),
            release: Mutex::new(release),
        });
        (journal, entered, go)
    }
}

impl Journal for GateJournal {
    fn record(&self, event: &Event) -> Result<(), JournalError> {
        if (self.gated)(event) {
            if let Some(entered) = self.entered.lock().unwrap().take() {
                let _ = entered.send(());
                let _ = self.release.lock().unwrap().recv();
            }
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), JournalError> {
        Ok(())
    }
}

/// A sale under way when the office closes, with no hold open, completes
/// after the stream ended: it is not lost silently but counted in
/// `missed`.
pub fn sale_completing_after_the_stream_ended_is_counted_missed(strategy: Strategy) {
    let (journal, entered, go) = GateJournal::new(|e| matches!(e, Event::Sold { .. }));
    let office = BoxOffice::builder(one_type(strategy, 5, 5))
        .journal(journal)
        .build()
        .unwrap();
    office
        .add_vendor("v", &[])
        .unwrap()
        .release("general")
        .unwrap();
    let events = office.subscribe();
    let buyer = office.customer("c", Priority::Regular);
    let buying = thread::spawn(move || buyer.buy(Want::Any));
    entered
        .recv_timeout(GENEROUS)
        .expect("the sale never started");
    office.close();
    go.send(()).unwrap();
    let sale = buying
        .join()
        .unwrap()
        .expect("the sale under way completes");
    assert_eq!(office.sales(), vec![sale]);
    assert_eq!(events.missed(), 1, "the Sold after the end is counted");
    let items = drain_until_end(events);
    assert_eq!(kinds(&items), ["Closed"]);
}

/// A release under way in the journal (an fsync, say) is not on sale yet:
/// no snapshot counts it available before a buyer can take it, and once
/// the journal has it, it is counted and sold.
pub fn a_release_counts_only_once_journaled(strategy: Strategy) {
    let (journal, entered, go) = GateJournal::new(|e| matches!(e, Event::Released { .. }));
    let office = BoxOffice::builder(one_type(strategy, 5, 5))
        .journal(journal)
        .build()
        .unwrap();
    let vendor = office.add_vendor("v", &[]).unwrap();
    let releasing = thread::spawn(move || vendor.release("general"));
    entered
        .recv_timeout(GENEROUS)
        .expect("the release never reached the journal");
    let during = office.snapshot().totals;
    assert_eq!((during.released, during.available), (0, 0), "{during:?}");
    let buyer = office.customer("c", Priority::Regular);
    assert!(matches!(
        buyer.try_buy(Want::Any),
        Err(BoxOfficeError::Empty)
    ));
    go.send(()).unwrap();
    let ticket = releasing.join().unwrap().expect("the release completes");
    let after = office.snapshot().totals;
    assert_eq!((after.released, after.available), (1, 1), "{after:?}");
    let sale = buyer.try_buy(Want::Any).expect("on sale once journaled");
    assert_eq!(sale.ticket.id, ticket.id);
}

/// With a TTL far below the reaper's wake-up, every `HoldPlaced` still
/// reaches a subscriber before that hold's `HoldExpired`.
pub fn hold_placed_reaches_subscribers_before_its_expiry(strategy: Strategy) {
    const HOLDS: u64 = 300;
    let mut config = one_type(strategy, HOLDS, HOLDS as usize);
    config.hold_ttl = Duration::from_nanos(1);
    let office = BoxOffice::new(config).unwrap();
    let vendor = office.add_vendor("v", &[]).unwrap();
    for _ in 0..HOLDS {
        vendor.release("general").unwrap();
    }
    let events = office.subscribe_with_capacity(4 * HOLDS as usize);
    let c = office.customer("c", Priority::Regular);
    let mut holds = Vec::new();
    for _ in 0..HOLDS {
        // A ticket whose hold already expired may be reserved again.
        match c.reserve_timeout(Want::Any, GENEROUS) {
            Ok(hold) => holds.push(hold),
            Err(other) => panic!("reserve: {other}"),
        }
    }
    // Every hold ends by expiry or, if the reaper had not come yet, by
    // the drop; after close the stream ends when the last one has.
    drop(holds);
    office.close();
    let items = drain_until_end(events);
    let mut placed = std::collections::HashSet::<HoldId>::new();
    let mut settled = 0;
    for item in &items {
        match item {
            Notification::Event(Event::HoldPlaced { hold, .. }) => {
                placed.insert(*hold);
            }
            Notification::Event(
                Event::HoldExpired { hold, .. } | Event::HoldCancelled { hold, .. },
            ) => {
                assert!(placed.contains(hold), "{hold:?} ended before it was placed");
                settled += 1;
            }
            Notification::Lagged(n) => panic!("lagged {n}"),
            Notification::Event(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((placed.len() as u64, settled), (HOLDS, HOLDS));
}

/// After a confirm failed because the journal did, confirming again
/// reports the same journal failure, not a cancel the customer never made.
pub fn second_confirm_after_a_journal_failure_reports_the_failure(strategy: Strategy) {
    let journal = Arc::new(TestJournal::default());
    let office = BoxOffice::builder(one_type(strategy, 5, 5))
        .journal(journal.clone())
        .build()
        .unwrap();
    office
        .add_vendor("v", &[])
        .unwrap()
        .release("general")
        .unwrap();
    let hold = office
        .customer("c", Priority::Regular)
        .reserve(Want::Any)
        .unwrap();
    journal.fail_sales.store(true, Ordering::SeqCst);
    for attempt in 1..=2 {
        let err = hold.confirm().unwrap_err();
        assert!(
            matches!(&err, BoxOfficeError::Journal(e) if e.message() == "disk full"),
            "attempt {attempt}: {err:?}"
        );
    }
    journal.fail_sales.store(false, Ordering::SeqCst);
    // The failure ended the hold: the ticket is back on sale, not sold.
    assert!(hold.confirm().is_err());
    assert!(!hold.cancel());
    assert_eq!(office.snapshot().totals.available, 1);
}

/// A ticket restored from a journal sells, bought or held, at the price it
/// was released at, even if the configuration's price is different now.
pub fn restored_ticket_sells_at_its_release_price(strategy: Strategy) {
    let released_at = |id| Ticket {
        id: TicketId(id),
        ticket_type: "general".into(),
        vendor: "v".into(),
        base_price: Money::from_minor(1_000),
        released_at: std::time::SystemTime::UNIX_EPOCH,
    };
    let state = RecoveredState {
        unsold: vec![released_at(1), released_at(2)],
        next_ticket_id: TicketId(3),
        released: 2,
        vendors: vec![(Arc::from("v"), vec![Arc::from("general")])],
        sales: Vec::new(),
    };
    let mut config = one_type(strategy, 5, 5);
    config.ticket_types[0].price = Money::from_minor(5);
    let office = BoxOffice::builder(config).recovered(state).build().unwrap();
    let c = office.customer("c", Priority::Regular);
    assert_eq!(c.buy(Want::Any).unwrap().price, Money::from_minor(1_000));
    let hold = c.reserve(Want::Any).unwrap();
    assert_eq!(hold.price(), Money::from_minor(1_000));
    assert_eq!(hold.confirm().unwrap().price, Money::from_minor(1_000));
    // A ticket released now goes on sale at today's price.
    let fresh = office.vendor("v").unwrap().release("general").unwrap();
    assert_eq!(fresh.base_price, Money::from_minor(5));
    assert_eq!(c.buy(Want::Any).unwrap().price, Money::from_minor(5));
}

/// An office selling its share of a larger inventory (a lease node) ends
/// the sale as sold out when told so: a waiting buyer is answered
/// `SoldOut` (not `Closed`), releases are refused, subscribers see
/// `SoldOut`, an open hold still confirms, and the counts stay whole.
pub fn sell_out_ends_the_sale_though_tickets_were_left(strategy: Strategy) {
    let office = BoxOffice::new(one_type(strategy, 10, 10)).unwrap();
    let events = office.subscribe();
    let vendor = office.add_vendor("v", &[]).unwrap();
    vendor.release("general").unwrap();
    vendor.release("general").unwrap();
    let hold = office
        .customer("holder", Priority::Regular)
        .reserve(Want::Any)
        .unwrap();
    office
        .customer("first", Priority::Regular)
        .buy(Want::Any)
        .unwrap();
    let waiter = office.customer("waiter", Priority::Vip);
    let waiting = thread::spawn(move || waiter.buy_timeout(Want::Any, GENEROUS));
    let deadline = std::time::Instant::now() + GENEROUS;
    while office.snapshot().waiting_vip == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the buyer never waited"
        );
        thread::yield_now();
    }

    assert!(office.sell_out(), "this call ends the sale");
    assert!(!office.sell_out(), "once");

    assert!(matches!(
        waiting.join().unwrap(),
        Err(BoxOfficeError::SoldOut)
    ));
    assert!(office.is_sold_out() && !office.is_closed());
    assert!(matches!(
        vendor.release("general"),
        Err(BoxOfficeError::SoldOut)
    ));
    let late = office.customer("late", Priority::Regular);
    assert!(matches!(
        late.try_buy(Want::Any),
        Err(BoxOfficeError::SoldOut)
    ));
    assert!(matches!(
        late.reserve(Want::Any),
        Err(BoxOfficeError::SoldOut)
    ));
    let confirmed = hold.confirm().expect("an open hold still confirms");
    assert_eq!(&*confirmed.customer, "holder");
    let seen = office.snapshot();
    assert!(seen.is_consistent(), "{seen:?}");
    assert_eq!(
        (
            seen.totals.released,
            seen.totals.sold,
            seen.totals.available
        ),
        (2, 2, 0)
    );
    let mut told_sold_out = false;
    while let Some(notification) = events.try_next() {
        told_sold_out |= matches!(notification, Notification::Event(Event::SoldOut));
    }
    assert!(told_sold_out, "subscribers see the sale end as sold out");
}
