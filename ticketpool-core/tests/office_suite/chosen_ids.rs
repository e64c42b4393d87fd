//! Tickets released with ids the vendor chooses (`Vendor::release_as`):
//! kept through sale, hold and journal, and never mixed with the ids the
//! office numbers itself.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use ticketpool_core::{
    BoxOffice, BoxOfficeError, Event, Priority, RecoveredState, Strategy, TicketId, Want,
};

use super::{one_type, two_types, TestJournal};

fn numbering(result: Result<ticketpool_core::Ticket, BoxOfficeError>) -> String {
    match result {
        Err(BoxOfficeError::Numbering(message)) => message,
        other => panic!("expected a numbering refusal, got {other:?}"),
    }
}

pub fn chosen_ids_are_what_buyers_holds_and_the_journal_see(strategy: Strategy) {
    let journal = Arc::new(TestJournal::default());
    let office = BoxOffice::builder(two_types(strategy, 10, 10))
        .journal(journal.clone())
        .build()
        .unwrap();
    let vendor = office.add_vendor("leases", &[]).unwrap();
    // Out of order and with gaps, as leased blocks come back.
    let chosen = [(501, "stalls"), (7, "balcony"), (300, "stalls")];
    for (id, ty) in chosen {
        let ticket = vendor.release_as(ty, TicketId(id)).unwrap();
        assert_eq!((ticket.id, ticket.ticket_type.as_ref()), (TicketId(id), ty));
    }
    let buyer = office.customer("ann", Priority::Regular);
    let hold = buyer.reserve(Want::from("balcony")).unwrap();
    assert_eq!(hold.ticket().id, TicketId(7));
    let sold = hold.confirm().unwrap();
    assert_eq!(sold.ticket.id, TicketId(7));
    let mut bought: Vec<u64> = (0..2)
        .map(|_| buyer.buy(Want::Any).unwrap().ticket.id.0)
        .collect();
    bought.sort_unstable();
    assert_eq!(bought, vec![300, 501]);
    let recorded = journal.events.lock().unwrap();
    let released: Vec<u64> = recorded
        .iter()
        .filter_map(|e| match e {
            Event::Released { ticket } => Some(ticket.id.0),
            _ => None,
        })
        .collect();
    assert_eq!(released, vec![501, 7, 300]);
    let mut sold: Vec<u64> = recorded
        .iter()
        .filter_map(|e| match e {
            Event::Sold { sale } => Some(sale.ticket.id.0),
            _ => None,
        })
        .collect();
    sold.sort_unstable();
    assert_eq!(sold, vec![7, 300, 501]);
    let mut logged: Vec<u64> = office.sales().iter().map(|s| s.ticket.id.0).collect();
    logged.sort_unstable();
    assert_eq!(logged, sold);
}

pub fn an_office_numbers_tickets_one_way_only(strategy: Strategy) {
    // Numbered by the office first: a chosen id could repeat one.
    let counted = BoxOffice::new(one_type(strategy, 10, 10)).unwrap();
    let vendor = counted.add_vendor("v", &[]).unwrap();
    assert_eq!(vendor.release("general").unwrap().id, TicketId(1));
    let refused = numbering(vendor.release_as("general", TicketId(1)));
    assert!(refused.contains("numbered tickets itself"), "{refused}");
    assert!(matches!(
        vendor.try_release_as("general", TicketId(99)),
        Err(BoxOfficeError::Numbering(_))
    ));
    assert_eq!(vendor.release("general").unwrap().id, TicketId(2));
    assert_eq!(counted.snapshot().totals.released, 2);

    // Chosen first: the office's counter hands out nothing more, and the
    // room a refused release reserved is given back.
    let chosen = BoxOffice::new(one_type(strategy, 10, 2)).unwrap();
    let vendor = chosen.add_vendor("v", &[]).unwrap();
    vendor.release_as("general", TicketId(2)).unwrap();
    let refused = numbering(vendor.release("general"));
    assert!(refused.contains("choose"), "{refused}");
    assert!(matches!(
        vendor.try_release("general"),
        Err(BoxOfficeError::Numbering(_))
    ));
    let snap = chosen.snapshot();
    assert_eq!((snap.totals.released, snap.totals.available), (1, 1));
    // Capacity 2: the second place is still free for a chosen id.
    vendor.try_release_as("general", TicketId(1)).unwrap();
    assert!(matches!(
        vendor.try_release_as("general", TicketId(3)),
        Err(BoxOfficeError::Full)
    ));
    let too_large = numbering(vendor.try_release_as("general", TicketId(u64::MAX)));
    assert!(too_large.contains("at most"), "{too_large}");
    assert_eq!(chosen.snapshot().totals.released, 2);
}

pub fn racing_numberings_never_both_win(strategy: Strategy) {
    for round in 0..200 {
        let office = BoxOffice::new(one_type(strategy, 10, 10)).unwrap();
        let vendor = office.add_vendor("v", &[]).unwrap();
        let start = Arc::new(Barrier::new(2));
        let racer = {
            let (vendor, start) = (vendor.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                vendor.try_release("general").map(|t| t.id)
            })
        };
        start.wait();
        let chosen = vendor.try_release_as("general", TicketId(1)).map(|t| t.id);
        let counted = racer.join().unwrap();
        // Exactly one wins; the other is refused and leaves no trace.
        assert!(
            chosen.is_ok() != counted.is_ok(),
            "round {round}: {chosen:?} and {counted:?}"
        );
        let err = chosen.as_ref().err().or(counted.as_ref().err()).unwrap();
        assert!(matches!(err, BoxOfficeError::Numbering(_)), "{err:?}");
        let snap = office.snapshot();
        assert_eq!((snap.totals.released, snap.totals.available), (1, 1));
    }
}

pub fn a_chosen_release_waits_for_room_and_keeps_its_id(strategy: Strategy) {
    let office = BoxOffice::new(one_type(strategy, 10, 1)).unwrap();
    let vendor = office.add_vendor("v", &[]).unwrap();
    vendor.release_as("general", TicketId(40)).unwrap();
    assert!(matches!(
        vendor.release_as_timeout("general", TicketId(41), Duration::from_millis(1)),
        Err(BoxOfficeError::Timeout)
    ));
    let parked = {
        let vendor = vendor.clone();
        thread::spawn(move || vendor.release_as("general", TicketId(41)))
    };
    let buyer = office.customer("c", Priority::Regular);
    assert_eq!(buyer.buy(Want::Any).unwrap().ticket.id, TicketId(40));
    assert_eq!(parked.join().unwrap().unwrap().id, TicketId(41));
    assert_eq!(buyer.buy(Want::Any).unwrap().ticket.id, TicketId(41));
}

pub fn a_restored_office_takes_chosen_ids_but_never_numbers_one(strategy: Strategy) {
    let config = one_type(strategy, 10, 10);
    let first = BoxOffice::new(config.clone()).unwrap();
    let vendor = first.add_vendor("v", &[]).unwrap();
    let released: Vec<_> = [9, 4]
        .into_iter()
        .map(|id| vendor.release_as("general", TicketId(id)).unwrap())
        .collect();
    // What a journal recovers: the two on sale, ids continuing past them.
    let state = RecoveredState {
        next_ticket_id: TicketId(10),
        released: 2,
        vendors: vec![(Arc::from("v"), vec![Arc::from("general")])],
        sales: vec![],
        unsold: released,
    };
    let restored = BoxOffice::builder(config.clone())
        .recovered(state.clone())
        .build()
        .unwrap();
    let vendor = restored.vendor("v").unwrap();
    vendor.release_as("general", TicketId(2)).unwrap();
    assert!(matches!(
        vendor.release("general"),
        Err(BoxOfficeError::Numbering(_))
    ));
    let bought: HashSet<u64> = (0..3)
        .map(|_| {
            let buyer = restored.customer("c", Priority::Regular);
            buyer.buy(Want::Any).unwrap().ticket.id.0
        })
        .collect();
    assert_eq!(bought, HashSet::from([9, 4, 2]));
    // Restored again, numbered by the office: it goes on past the ids.
    let restored = BoxOffice::builder(config).recovered(state).build().unwrap();
    let vendor = restored.vendor("v").unwrap();
    assert_eq!(vendor.release("general").unwrap().id, TicketId(10));
}
