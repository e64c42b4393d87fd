//! The journal test suite, written once and generic over [`Db`]; each
//! backend's test file instantiates it with `journal_suite!`.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ticketpool_core::{
    Event, HoldId, Journal, Money, Priority, RecoveredState, Sale, Ticket, TicketId,
};
use ticketpool_persist::{
    replay, Durability, DurableJournal, EventSettings, JournalConfig, Outcome, PersistError, Store,
};

/// A database the suite can open again and again, as a restarted process
/// would.
pub trait Db {
    /// The backend's store.
    type Store: Store + 'static;
    /// Opens (a new connection to) the same journal.
    fn open(&self) -> Result<Self::Store, PersistError>;
    /// Empties the journal, for a test that runs many times over.
    fn reset(&self);
    /// Runs `sql` on the journal's tables behind the store's back, as a
    /// person with a database shell would (to damage it on purpose).
    fn tamper(&self, sql: &str);
}

/// Instantiates every generic test in this module for one backend; `$db`
/// is a function from a test name to `Option<impl Db>` (`None`: backend
/// not available here, the test is skipped).
macro_rules! journal_suite {
    ($db:path) => {
        journal_suite!(@tests $db;
            empty_journal_recovers_empty, recovery_follows_the_rules_and_matches_replay,
            retried_sale_is_idempotent_and_double_sale_is_refused,
            a_sale_whose_ticket_row_is_gone_is_reported_as_damage,
            concurrent_confirmed_sales_are_all_recorded,
            batched_records_are_durable_after_flush,
            batched_failure_is_reported_not_swallowed,
            failing_the_nth_write_loses_nothing_and_doubles_nothing,
            bad_config_is_a_typed_error,
            journal_config_out_of_bounds_is_refused_naming_the_field,
            reopened_office_keeps_sales_and_sells_out_exactly,
            open_office_refuses_a_journal_that_does_not_fit,
            reopening_with_a_contradicting_config_lists_every_difference,
            a_journal_without_a_recorded_config_records_it_on_first_open,
            reconfigured_price_applies_to_new_releases_only,
            sold_seats_come_back_beside_general_admission,
            seats_are_recorded_all_or_none_and_never_twice);
    };
    (@tests $db:path; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                if let Some(db) = $db(stringify!($name)) {
                    crate::suite::$name(&db);
                }
            }
        )*
    };
}

#[macro_use]
mod catalog;
mod journal_config;
mod office;
mod seats;
mod settings;

#[allow(unused_imports)]
pub use self::catalog::*;
// Used through `journal_suite!`, which the crash loop does not expand.
#[allow(unused_imports)]
pub use self::journal_config::{
    bad_config_is_a_typed_error, journal_config_out_of_bounds_is_refused_naming_the_field,
};
#[allow(unused_imports)]
pub use self::office::reopened_office_keeps_sales_and_sells_out_exactly;
#[allow(unused_imports)]
pub use self::seats::{
    seats_are_recorded_all_or_none_and_never_twice, sold_seats_come_back_beside_general_admission,
};
#[allow(unused_imports)]
pub use self::settings::{
    a_journal_without_a_recorded_config_records_it_on_first_open,
    open_office_refuses_a_journal_that_does_not_fit,
    reconfigured_price_applies_to_new_releases_only,
    reopening_with_a_contradicting_config_lists_every_difference,
};

pub fn at(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(1_700_000_000_000_000_000 + nanos)
}

pub fn ticket(id: u64) -> Ticket {
    Ticket {
        id: TicketId(id),
        ticket_type: if id.is_multiple_of(2) {
            "standard"
        } else {
            "balcony"
        }
        .into(),
        vendor: if id.is_multiple_of(3) {
            "acme"
        } else {
            "globex"
        }
        .into(),
        base_price: Money::from_minor(5_000 + id as i64),
        released_at: at(id),
    }
}

pub fn sale(ticket: Ticket, customer: &str, hold: Option<HoldId>) -> Sale {
    let id = ticket.id.0;
    Sale {
        price: Money::from_minor(4_250 + id as i64),
        ticket,
        customer: Arc::from(customer),
        priority: if id.is_multiple_of(2) {
            Priority::Vip
        } else {
            Priority::Regular
        },
        sold_at: at(1_000 + id),
        waited: Duration::from_micros(id * 7 + 3),
        hold,
    }
}

pub fn confirmed<D: Db>(db: &D) -> DurableJournal {
    DurableJournal::start(
        db.open().expect("open"),
        JournalConfig::new(Durability::Confirmed),
    )
    .expect("start")
}

pub fn recover<D: Db>(db: &D) -> RecoveredState {
    db.open().expect("reopen").recover().expect("recover")
}

/// What every recovered state must satisfy, whatever happened before.
pub fn assert_consistent<D: Db>(db: &D) -> RecoveredState {
    let mut store = db.open().expect("reopen");
    let state = store.recover().expect("recover");
    let events = store.events().expect("events");
    assert_eq!(
        state,
        replay(&events),
        "the tables and the event log disagree"
    );
    let mut ids = HashSet::new();
    for sale in &state.sales {
        assert!(ids.insert(sale.ticket.id), "{} sold twice", sale.ticket.id);
    }
    for ticket in &state.unsold {
        assert!(ids.insert(ticket.id), "{} both sold and unsold", ticket.id);
    }
    assert_eq!(state.released, ids.len() as u64, "counts do not add up");
    if let Some(max) = ids.iter().max() {
        assert!(state.next_ticket_id > *max, "ticket ids would be reused");
    }
    state
}

/// A box office's day: vendors come and go, tickets are released, held,
/// cancelled, expired, confirmed and sold.
fn script() -> (Vec<Event>, Vec<Sale>) {
    let vendor = |name: &str, types: &[&str]| Event::VendorAdded {
        vendor: Arc::from(name),
        ticket_types: types.iter().map(|t| Arc::from(*t)).collect(),
    };
    let hold = |h: u64, t: u64| Event::HoldPlaced {
        hold: HoldId(h),
        ticket: TicketId(t),
        customer: Arc::from(format!("holder{h}")),
        priority: Priority::Regular,
        price: Money::from_minor(100),
        expires_at: at(50_000),
    };
    let mut events = vec![
        vendor("acme", &["standard", "balcony"]),
        vendor("globex", &["balcony"]),
        vendor("initech", &[]),
        Event::VendorRemoved {
            vendor: Arc::from("acme"),
        },
        vendor("acme", &["standard"]),
    ];
    events.extend((1..=10).map(|id| Event::Released { ticket: ticket(id) }));
    let direct = sale(ticket(2), "ada", None);
    let via_hold = sale(ticket(5), "holder7", Some(HoldId(7)));
    let late = sale(ticket(10), "grace", None);
    events.extend([
        Event::Sold {
            sale: direct.clone(),
        },
        hold(7, 5),
        hold(8, 6), // still open at the "crash": ticket 6 is unsold
        hold(9, 7),
        Event::HoldCancelled {
            hold: HoldId(9),
            ticket: TicketId(7),
        },
        hold(10, 8),
        Event::HoldExpired {
            hold: HoldId(10),
            ticket: TicketId(8),
        },
        Event::HoldConfirmed {
            hold: HoldId(7),
            ticket: TicketId(5),
        },
        Event::Sold {
            sale: via_hold.clone(),
        },
        Event::Paused,
        Event::Resumed,
        Event::Sold { sale: late.clone() },
    ]);
    (events, vec![direct, via_hold, late])
}

pub fn empty_journal_recovers_empty<D: Db>(db: &D) {
    let state = assert_consistent(db);
    assert_eq!(state, RecoveredState::default());
    assert!(db.open().unwrap().events().unwrap().is_empty());
}

pub fn recovery_follows_the_rules_and_matches_replay<D: Db>(db: &D) {
    let (events, sales) = script();
    let journal = confirmed(db);
    for event in &events {
        journal.record(event).expect("record");
    }
    // The "crash": no close, no flush; Confirmed records are committed.
    std::mem::forget(journal);

    let state = assert_consistent(db);
    assert_eq!(state.sales, sales);
    let unsold: Vec<u64> = state.unsold.iter().map(|t| t.id.0).collect();
    assert_eq!(
        unsold,
        [1, 3, 4, 6, 7, 8, 9],
        "held, cancelled and expired return"
    );
    assert_eq!(state.unsold[0], ticket(1), "tickets come back whole");
    assert_eq!(state.next_ticket_id, TicketId(11));
    assert_eq!(state.released, 10);
    let vendors: Vec<(String, Vec<String>)> = state
        .vendors
        .iter()
        .map(|(v, types)| (v.to_string(), types.iter().map(|t| t.to_string()).collect()))
        .collect();
    assert_eq!(
        vendors,
        [
            ("globex".to_string(), vec!["balcony".to_string()]),
            ("initech".to_string(), vec![]),
            ("acme".to_string(), vec!["standard".to_string()]),
        ]
    );
    assert_eq!(
        db.open().unwrap().events().unwrap(),
        events,
        "the log keeps every event"
    );
}

/// A journal missing a sold ticket's row does not recover as a smaller,
/// healthy one: recovery names the damage and the sale.
pub fn a_sale_whose_ticket_row_is_gone_is_reported_as_damage<D: Db>(db: &D) {
    let (events, sales) = script();
    let journal = confirmed(db);
    for event in &events {
        journal.record(event).expect("record");
    }
    drop(journal);
    let lost = sales[0].ticket.id;
    db.tamper(&format!("DELETE FROM tickets WHERE id = {}", lost.0));
    let err = db.open().expect("reopen").recover().unwrap_err();
    assert!(matches!(err, PersistError::BadRow { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("1 sale(s) have no ticket row"),
        "{message}"
    );
    assert!(message.contains(&lost.to_string()), "{message}");
}

pub fn retried_sale_is_idempotent_and_double_sale_is_refused<D: Db>(db: &D) {
    let first = sale(ticket(1), "ada", None);
    let mut store = db.open().unwrap();
    let mut outcomes = Vec::new();
    store
        .append(
            &[
                Event::Released { ticket: ticket(1) },
                Event::Sold {
                    sale: first.clone(),
                },
                Event::Released { ticket: ticket(1) },
                Event::Sold {
                    sale: first.clone(),
                },
            ],
            &mut outcomes,
        )
        .unwrap();
    assert_eq!(
        outcomes,
        [
            Outcome::Recorded,
            Outcome::Recorded,
            Outcome::AlreadyRecorded,
            Outcome::AlreadyRecorded
        ]
    );
    drop(store);

    let journal = confirmed(db);
    // A retry after an unknown outcome: accepted, nothing doubled.
    journal
        .record(&Event::Sold {
            sale: first.clone(),
        })
        .unwrap();
    let thief = sale(ticket(1), "mallory", None);
    let err = journal.record(&Event::Sold { sale: thief }).unwrap_err();
    assert!(
        err.to_string().contains("T1 is already sold to ada"),
        "{err}"
    );
    // Refusing one sale does not stop the journal.
    journal
        .record(&Event::Released { ticket: ticket(2) })
        .unwrap();
    drop(journal);

    let state = assert_consistent(db);
    assert_eq!(state.sales, [first]);
    assert_eq!(state.unsold, [ticket(2)]);
    let logged_sales = db
        .open()
        .unwrap()
        .events()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Sold { .. }))
        .count();
    assert_eq!(logged_sales, 1);
}

pub fn concurrent_confirmed_sales_are_all_recorded<D: Db>(db: &D) {
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 40;
    // Never fails; counts the commits.
    let commits = Arc::new(AtomicUsize::new(0));
    let store = FailNth {
        inner: db.open().unwrap(),
        fail_at: usize::MAX,
        strike: Strike::Before,
        writes: Arc::clone(&commits),
    };
    let journal =
        Arc::new(DurableJournal::start(store, JournalConfig::new(Durability::Confirmed)).unwrap());
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let journal = Arc::clone(&journal);
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let t = ticket(t * PER_THREAD + i);
                    journal
                        .record(&Event::Released { ticket: t.clone() })
                        .unwrap();
                    journal
                        .record(&Event::Sold {
                            sale: sale(t, "crowd", None),
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // Confirmed: acknowledged means committed, visible to a new connection
    // while the journal is still open.
    let state = assert_consistent(db);
    assert_eq!(state.sales.len() as u64, THREADS * PER_THREAD);
    assert!(state.unsold.is_empty());
    // Group commit: waiting customers shared commits.
    let records = (THREADS * PER_THREAD * 2) as usize;
    let commits = commits.load(Ordering::SeqCst);
    assert!(
        commits < records,
        "{commits} commits for {records} records: no grouping"
    );
    drop(journal);
}

pub fn batched_records_are_durable_after_flush<D: Db>(db: &D) {
    let journal = DurableJournal::start(
        db.open().unwrap(),
        JournalConfig::new(Durability::Batched).max_records(64),
    )
    .unwrap();
    for id in 0..500 {
        journal
            .record(&Event::Released { ticket: ticket(id) })
            .unwrap();
        if id % 2 == 0 {
            journal
                .record(&Event::Sold {
                    sale: sale(ticket(id), "bulk", None),
                })
                .unwrap();
        }
    }
    journal.flush().unwrap();
    let state = assert_consistent(db);
    assert_eq!(state.released, 500);
    assert_eq!(state.sales.len(), 250);
    journal.close().unwrap();
}

/// Batched hands records over before they commit, so a failed commit is
/// reported by the next `record` or `flush`, with how many records it lost,
/// and the journal stops; a double sale nobody waits to hear about stops it
/// too.
pub fn batched_failure_is_reported_not_swallowed<D: Db>(db: &D) {
    let store = FailNth {
        inner: db.open().unwrap(),
        fail_at: 1,
        strike: Strike::Before,
        writes: Arc::new(AtomicUsize::new(0)),
    };
    let journal = DurableJournal::start(store, JournalConfig::new(Durability::Batched)).unwrap();
    // Accepted at once, before the (failing) commit.
    journal
        .record(&Event::Released { ticket: ticket(1) })
        .unwrap();
    let err = journal.flush().unwrap_err().to_string();
    assert!(err.contains("injected failure of write 1"), "{err}");
    assert!(err.contains("batched events were not committed"), "{err}");
    let later = journal
        .record(&Event::Released { ticket: ticket(2) })
        .unwrap_err();
    assert!(later.to_string().contains("reopen"), "{later}");
    assert!(journal.close().is_err());
    assert_eq!(assert_consistent(db).released, 0, "nothing half-written");

    let journal =
        DurableJournal::start(db.open().unwrap(), JournalConfig::new(Durability::Batched)).unwrap();
    journal
        .record(&Event::Released { ticket: ticket(3) })
        .unwrap();
    journal
        .record(&Event::Sold {
            sale: sale(ticket(3), "ada", None),
        })
        .unwrap();
    journal
        .record(&Event::Sold {
            sale: sale(ticket(3), "mallory", None),
        })
        .unwrap(); // not yet known to be a double sale
    let err = journal.flush().unwrap_err().to_string();
    assert!(err.contains("T3 is already sold to ada"), "{err}");
    drop(journal);
    assert_eq!(assert_consistent(db).sales, [sale(ticket(3), "ada", None)]);
}

/// When the injected failure strikes relative to the real write.
#[derive(Debug, Clone, Copy)]
pub enum Strike {
    /// Nothing reaches the database.
    Before,
    /// The write commits, but the writer is told it failed: the unknown
    /// outcome a lost connection leaves.
    After,
}

/// A store whose `fail_at`-th append fails (counting from 1).
pub struct FailNth<S> {
    pub inner: S,
    pub fail_at: usize,
    pub strike: Strike,
    pub writes: Arc<AtomicUsize>,
}

impl<S: Store> Store for FailNth<S> {
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError> {
        self.inner.set_durability(durability)
    }

    fn append(
        &mut self,
        events: &[Event],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<(), PersistError> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n != self.fail_at {
            return self.inner.append(events, outcomes);
        }
        if let Strike::After = self.strike {
            let start = outcomes.len();
            self.inner.append(events, outcomes)?;
            outcomes.truncate(start);
        }
        Err(PersistError::Io(std::io::Error::other(format!(
            "injected failure of write {n}"
        ))))
    }

    fn recover(&mut self) -> Result<RecoveredState, PersistError> {
        self.inner.recover()
    }

    fn events(&mut self) -> Result<Vec<Event>, PersistError> {
        self.inner.events()
    }

    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        self.inner.settings()
    }

    fn record_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        self.inner.record_settings(settings, reason)
    }
}

/// SQLite's I/O-error loop: fail write N for N = 1, 2, ... until a run
/// completes. Every time, each sale is either recorded or its customer got
/// an error; after the failure every write fails; recovery is consistent;
/// and retrying the whole run afterwards doubles nothing.
pub fn failing_the_nth_write_loses_nothing_and_doubles_nothing<D: Db>(db: &D) {
    let (events, expected) = script();
    for strike in [Strike::Before, Strike::After] {
        let mut fail_at = 1;
        loop {
            db.reset();
            let writes = Arc::new(AtomicUsize::new(0));
            let store = FailNth {
                inner: db.open().unwrap(),
                fail_at,
                strike,
                writes: Arc::clone(&writes),
            };
            let journal =
                DurableJournal::start(store, JournalConfig::new(Durability::Confirmed)).unwrap();
            let mut acked = HashMap::new();
            let mut refused = Vec::new();
            let mut failed = false;
            for event in &events {
                match journal.record(event) {
                    Ok(()) => {
                        assert!(
                            !failed,
                            "{strike:?} {fail_at}: a write succeeded after a failure"
                        );
                        if let Event::Sold { sale } = event {
                            acked.insert(sale.ticket.id, sale.customer.clone());
                        }
                    }
                    Err(err) => {
                        assert!(
                            err.to_string()
                                .contains(&format!("injected failure of write {fail_at}")),
                            "{strike:?} {fail_at}: the error must name the cause: {err}"
                        );
                        if let Event::Sold { sale } = event {
                            refused.push(sale.ticket.id);
                        }
                        failed = true;
                    }
                }
            }
            assert!(journal.flush().is_err() == failed);
            drop(journal);

            let state = assert_consistent(db);
            for (id, customer) in &acked {
                assert!(
                    state
                        .sales
                        .iter()
                        .any(|s| s.ticket.id == *id && s.customer == *customer),
                    "{strike:?} {fail_at}: acknowledged sale of {id} lost"
                );
            }
            for sale in &state.sales {
                if !acked.contains_key(&sale.ticket.id) {
                    // Only the write that "failed" after committing may
                    // hold a sale nobody was told about, and it was refused.
                    assert!(matches!(strike, Strike::After), "{strike:?} {fail_at}");
                    assert_eq!(refused.first(), Some(&sale.ticket.id));
                }
            }

            // The customers retry everything: nothing is doubled.
            let journal = confirmed(db);
            for event in &events {
                journal.record(event).unwrap();
            }
            drop(journal);
            let state = assert_consistent(db);
            assert_eq!(
                state.sales, expected,
                "{strike:?} {fail_at}: after the retry"
            );

            if !failed {
                assert!(writes.load(Ordering::SeqCst) < fail_at);
                break;
            }
            fail_at += 1;
        }
        assert!(
            fail_at > events.len(),
            "{strike:?}: the loop ended early at {fail_at}"
        );
    }
}
