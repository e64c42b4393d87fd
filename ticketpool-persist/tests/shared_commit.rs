//! Cross-event group commit on one SQLite file: many events' Confirmed
//! journals on one shared connection, each selling from its own thread
//! at once (so their groups wait for each other's commit and are committed
//! together). Every sale acknowledged is there after a reopen, under its
//! own event, exactly once; a double sale is refused in its own event
//! without failing the others' groups.

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

#[test]
fn events_committing_at_once_keep_every_sale_once_under_their_own_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let file = SqliteStore::open(&path).unwrap();
    let start = Arc::new(Barrier::new(EVENTS as usize));
    let sellers: Vec<_> = (1..=EVENTS)
        .map(|event| {
            let config = JournalConfig::per_event(Durability::Confirmed);
            let journal = DurableJournal::start(file.for_event(event), config).unwrap();
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
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
            })
        })
        .collect();
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
