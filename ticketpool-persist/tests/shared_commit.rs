//! Cross-event group commit on one SQLite file: many events' Confirmed
//! journals on one shared connection, each selling from its own thread
//! at once (so their groups wait for each other's commit and are committed
//! together). Every sale acknowledged is there after a reopen, under its
//! own event, exactly once; a double sale is refused in its own event
//! without failing the others' groups; a full disk fails the whole shared
//! commit and loses no acknowledged sale.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, UNIX_EPOCH};

use ticketpool_core::{Event, Journal, Money, Priority, Sale, Ticket, TicketId};
use ticketpool_persist::{Durability, DurableJournal, JournalConfig, SqliteStore, Store};

const EVENTS: u64 = 8;
const SALES: u64 = 150;

fn ticket(id: u64) -> Ticket {
    Ticket {
        id: TicketId(id),
        ticket_type: Arc::from("standard"),
        vendor: Arc::from("acme"),
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

/// Events 1..=`events` of `file` on Confirmed journals, each selling
/// with `sell` on its own thread, all starting at once.
fn at_once<T: Send + 'static>(
    file: &SqliteStore,
    events: u64,
    sell: impl Fn(u64, DurableJournal) -> T + Clone + Send + 'static,
) -> Vec<thread::JoinHandle<T>> {
    let start = Arc::new(Barrier::new(events as usize));
    (1..=events)
        .map(|event| {
            let config = JournalConfig::per_event(Durability::Confirmed);
            let journal = DurableJournal::start(file.for_event(event), config).unwrap();
            let (start, sell) = (Arc::clone(&start), sell.clone());
            thread::spawn(move || {
                start.wait();
                sell(event, journal)
            })
        })
        .collect()
}

#[test]
fn events_committing_at_once_keep_every_sale_once_under_their_own_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let file = SqliteStore::open(&path).unwrap();
    let sellers = at_once(&file, EVENTS, |event, journal| {
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
    drop(file);

    let reopened = SqliteStore::open(&path).unwrap();
    for event in 1..=EVENTS {
        let mut journal = reopened.for_event(event);
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
    let sellers = at_once(&file, 4, |event, journal| {
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
    });
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
