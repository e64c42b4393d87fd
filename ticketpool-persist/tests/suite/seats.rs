//! Sold seats in the journal (schema version 5), on every backend: a
//! seated event's seat sales sit beside its general-admission sales
//! without the box office seeing them, all or none per hold, never twice.

use std::sync::Arc;

use ticketpool_core::{Event, HoldId, TicketId};
use ticketpool_persist::{Outcome, SoldSeat, Store};

use super::{confirmed, recover, sale, ticket, Db};

/// Seat ids far above the box office's (the catalog's `SEAT_TICKETS`).
const SEATS: u64 = 1 << 48;

fn sold(seat: &str, n: u64, customer: &str) -> SoldSeat {
    let mut t = ticket(SEATS + n);
    t.ticket_type = "premium".into();
    SoldSeat {
        seat: Arc::from(seat),
        sale: sale(t, customer, Some(HoldId(n))),
    }
}

/// Seats recorded next to general-admission sales come back from
/// `sold_seats`, in order, while the office's recovery sees only its own
/// tickets (its next id is not pushed past the seats').
pub fn sold_seats_come_back_beside_general_admission<D: Db>(db: &D) {
    let journal = confirmed(db);
    let ga = sale(ticket(4), "ada", None);
    journal_record(&journal, &[Event::Released { ticket: ticket(3) }]);
    journal_record(&journal, &[Event::Sold { sale: ga.clone() }]);
    drop(journal);

    let mut store = db.open().unwrap();
    let seats = [sold("Stalls A-1", 0, "bob"), sold("Stalls A-2", 1, "bob")];
    assert_eq!(store.record_seats(&seats).unwrap(), Outcome::Recorded);
    drop(store);

    let state = recover(db);
    assert_eq!(state.sales, vec![ga]);
    assert_eq!(state.unsold, vec![ticket(3)]);
    assert_eq!(state.next_ticket_id, TicketId(5));
    assert_eq!(state.released, 2);
    let back = db.open().unwrap().sold_seats().unwrap();
    assert_eq!(back, seats);
}

/// A hold's seats are recorded all or none: one seat already sold to
/// someone else refuses the whole hold; the same hold again is a retry.
pub fn seats_are_recorded_all_or_none_and_never_twice<D: Db>(db: &D) {
    let mut store = db.open().unwrap();
    let first = [sold("Stalls A-1", 0, "ada")];
    assert_eq!(store.record_seats(&first).unwrap(), Outcome::Recorded);
    // Retried after an unknown commit outcome: nothing doubles.
    assert_eq!(
        store.record_seats(&first).unwrap(),
        Outcome::AlreadyRecorded
    );
    // bob's hold overlaps ada's seat: none of it is written.
    let overlap = [sold("Stalls A-2", 1, "bob"), sold("Stalls A-1", 0, "bob")];
    match store.record_seats(&overlap).unwrap() {
        Outcome::DoubleSale { ticket, holder } => {
            assert_eq!(ticket, TicketId(SEATS));
            assert_eq!(&*holder, "ada");
        }
        other => panic!("expected a double sale, got {other:?}"),
    }
    // The same seat under another ticket id is still the same seat.
    let relabelled = [sold("Stalls A-1", 9, "cy")];
    assert!(matches!(
        store.record_seats(&relabelled).unwrap(),
        Outcome::DoubleSale { .. }
    ));
    drop(store);
    let back = db.open().unwrap().sold_seats().unwrap();
    assert_eq!(back, first, "only ada's seat is recorded");
}

fn journal_record(journal: &ticketpool_persist::DurableJournal, events: &[Event]) {
    use ticketpool_core::Journal;
    for event in events {
        journal.record(event).unwrap();
    }
}
