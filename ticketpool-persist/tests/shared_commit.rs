//! Cross-event group commit on one SQLite file: many events' Confirmed
//! journals on one shared connection, each selling from its own thread
//! at once (so their groups wait for each other's commit and are committed
//! together). Every sale acknowledged is there after a reopen, under its
//! own event, exactly once; a double sale is refused in its own event
//! without failing the others' groups; a full disk fails the whole shared
//! commit and loses no acknowledged sale. The same sales on one
//! PostgreSQL schema, whose events share a few writer connections.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, UNIX_EPOCH};

use ticketpool_core::{Event, Journal, Money, Priority, Sale, Ticket, TicketId};
use ticketpool_persist::{Durability, DurableJournal, JournalConfig, SqliteStore, Store};

/// More than PostgreSQL's writer connections per schema, so some share one.
const EVENTS: u64 = 12;
const SALES: u64 = 150;

fn ticket(id: u64) -> Ticket {
    Ticket {
        id: TicketId(id),
        ticket_type: "standard".into(),
        vendor: "acme".into(),
        base_price: Money::from_minor(5_000),
        released_at: UNIX_EPOCH,
    }
}

fn sale(id: u64, customer: &str) -> Event {
    Event::Sold {
        sale: Sale {
            ticket: ticket(id),
            customer: Arc::from(customer),
            priority: Priority::Regular,
            price: Money::from_minor(5_000),
            sold_at: UNIX_EPOCH + Duration::from_secs(id),
            waited: Duration::ZERO,
            hold: None,
        },
    }
}

/// Events 1..=`events` (journals from `for_event`) on Confirmed
/// journals, each selling with `sell` on its own thread, all starting at
/// once.
fn at_once<S: Store + 'static, T: Send + 'static>(
    for_event: impl Fn(u64) -> S,
    events: u64,
    sell: impl Fn(u64, DurableJournal) -> T + Clone + Send + 'static,
) -> Vec<thread::JoinHandle<T>> {
    let start = Arc::new(Barrier::new(events as usize));
    (1..=events)
        .map(|event| {
            let config = JournalConfig::per_event(Durability::Confirmed);
            let journal = DurableJournal::start(for_event(event), config).unwrap();
            let (start, sell) = (Arc::clone(&start), sell.clone());
            thread::spawn(move || {
                start.wait();
                sell(event, journal)
            })
        })
        .collect()
}

/// `EVENTS` events selling at once through `for_event`'s journals, each
/// its tickets 1..=`SALES`, each refused a double sale.
fn sell_at_once<S: Store + 'static>(for_event: impl Fn(u64) -> S) {
    let sellers = at_once(for_event, EVENTS, |event, journal| {
        // The same ticket ids in every event: rows are per event.
        for id in 1..=SALES {
            journal
                .record(&Event::Released { ticket: ticket(id) })
                .unwrap();
            journal.record(&sale(id, &format!("fan{event}"))).unwrap();
        }
        // A second sale of a sold ticket: refused, in this event only.
        let refused = journal.record(&sale(1, "someone else")).unwrap_err();
        assert!(refused.message().contains("already sold"), "{refused}");
        journal.close().unwrap();
    });
    for seller in sellers {
        seller.join().unwrap();
    }
}

/// After [`sell_at_once`], each event's journal (from `reopened`) has
/// exactly its own sales, each once.
fn assert_each_event_has_its_sales<S: Store>(reopened: impl Fn(u64) -> S) {
    for event in 1..=EVENTS {
        let mut journal = reopened(event);
        let state = journal.recover().unwrap();
        assert_eq!(state.released, SALES, "event {event}");
        assert_eq!(state.sales.len() as u64, SALES, "event {event}");
        let fan = format!("fan{event}");
        assert!(state.sales.iter().all(|s| *s.customer == *fan));
        let mut ids: Vec<u64> = state.sales.iter().map(|s| s.ticket.id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len() as u64, SALES, "each sale once, event {event}");
        assert_eq!(
            journal.events().unwrap().len() as u64,
            2 * SALES,
            "each record logged once, event {event}"
        );
    }
}

#[test]
fn events_committing_at_once_keep_every_sale_once_under_their_own_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let file = SqliteStore::open(&path).unwrap();
    sell_at_once(|event| file.for_event(event));
    drop(file);
    let reopened = SqliteStore::open(&path).unwrap();
    assert_each_event_has_its_sales(|event| reopened.for_event(event));
}

/// Its PostgreSQL schema (and skip without a server) as the lease tests'.
#[cfg(feature = "postgres")]
#[path = "lease_support/mod.rs"]
mod lease_support;

#[cfg(feature = "postgres")]
#[test]
fn events_on_one_postgres_schema_committing_at_once_keep_every_sale_once_under_their_own_event() {
    use ticketpool_persist::PgStore;
    let Some(schema) = lease_support::schema("shared_commit") else {
        return;
    };
    let params = lease_support::params();
    let first = PgStore::connect(&params, &schema.0).unwrap();
    sell_at_once(|event| first.for_event(event));
    drop(first);
    let reopened = PgStore::connect(&params, &schema.0).unwrap();
    assert_each_event_has_its_sales(|event| reopened.for_event(event));
}

/// A full disk under events committing together: SQLite rolls the whole
/// shared transaction back, so every group in it fails (none is answered
/// as committed), each event's journal stops, and after a reopen each
/// event has exactly the sales that were acknowledged.
#[test]
fn a_full_disk_fails_every_group_of_the_shared_commit_and_loses_no_acknowledged_sale() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let mut file = SqliteStore::open(&path).unwrap();
    file.set_max_size(256 * 1024).unwrap();
    let sellers = at_once(
        |event| file.for_event(event),
        4,
        |event, journal| {
            let mut acknowledged = Vec::new();
            for id in 1..100_000 {
                let sold = journal
                    .record(&Event::Released { ticket: ticket(id) })
                    .and_then(|()| journal.record(&sale(id, "fan")));
                match sold {
                    Ok(()) => acknowledged.push(id),
                    Err(_) => break,
                }
            }
            assert!(journal.flush().is_err(), "the journal stopped");
            (event, acknowledged)
        },
    );
    let acknowledged: Vec<(u64, Vec<u64>)> =
        sellers.into_iter().map(|s| s.join().unwrap()).collect();
    drop(file);

    let reopened = SqliteStore::open(&path).unwrap();
    for (event, sold) in acknowledged {
        let state = reopened.for_event(event).recover().unwrap();
        let mut ids: Vec<u64> = state.sales.iter().map(|s| s.ticket.id.0).collect();
        ids.sort_unstable();
        assert_eq!(
            ids, sold,
            "event {event}: the acknowledged sales, once each"
        );
    }
}
