//! Closing an event's sales: the office shuts, what was sold stays sold,
//! open holds keep their promise, and the status is final and survives a
//! reopen.

mod common;

use std::thread;
use std::time::Duration;

use common::*;
use ticketpool_catalog::*;
use ticketpool_core::{BoxOfficeError, Priority};

/// An event on sale at the fixture's venue, with `released` tickets
/// released by one vendor.
fn on_sale(f: &Fixture, released: usize) -> EventId {
    let id = f
        .catalog
        .create_event(new_event("gig", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let vendor = f
        .catalog
        .office(id)
        .unwrap()
        .add_vendor("desk", &[])
        .unwrap();
    for _ in 0..released {
        vendor.release("general").unwrap();
    }
    id
}

#[test]
fn closing_keeps_sales_refuses_new_ones_and_honours_open_holds() {
    let f = fixture();
    let id = on_sale(&f, 3);
    let office = f.catalog.office(id).unwrap();
    let ann = office.customer("ann", Priority::Regular);
    let sold = ann.buy("general").unwrap();
    let hold = office
        .customer("bob", Priority::Regular)
        .reserve("general")
        .unwrap();

    f.catalog.close_sales(id).unwrap();

    let event = f.catalog.event(id).unwrap();
    assert_eq!(event.status, EventStatus::Closed);
    assert_eq!(event.status.to_string(), "sales closed");
    assert!(event.status.is_final());
    assert!(office.is_closed());
    // No new hold nor sale, though a ticket is still in the pool.
    assert!(matches!(
        ann.try_reserve("general"),
        Err(BoxOfficeError::Closed)
    ));
    assert!(matches!(
        ann.try_buy("general"),
        Err(BoxOfficeError::Closed)
    ));
    // Nothing refunded: the sale made before stays.
    assert_eq!(office.sales()[0].ticket.id, sold.ticket.id);
    // The hold placed before closing is honoured until it expires.
    hold.confirm().unwrap();
    assert_eq!(office.sales_count(), 2);
    assert_eq!(f.catalog.availability(id).unwrap().totals.sold, 2);
}

#[test]
fn a_buyer_waiting_when_sales_close_is_released_with_closed() {
    let f = fixture();
    let id = on_sale(&f, 0);
    let office = f.catalog.office(id).unwrap();
    let waiter = {
        let office = office.clone();
        thread::spawn(move || {
            office
                .customer("ann", Priority::Regular)
                .buy_timeout("general", Duration::from_secs(60))
        })
    };
    // Close only once the buyer is in line, so the test shows the release
    // rather than a refusal at the door.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while office.snapshot().waiting_regular == 0 {
        assert!(std::time::Instant::now() < deadline, "never waited");
        thread::yield_now();
    }
    f.catalog.close_sales(id).unwrap();
    assert!(matches!(
        waiter.join().unwrap(),
        Err(BoxOfficeError::Closed)
    ));
}

#[test]
fn close_applies_to_open_sales_only_and_is_final() {
    let f = fixture();
    let draft = f
        .catalog
        .create_event(new_event("draft", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    let error = f.catalog.close_sales(draft).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot close sales of event #1: it is draft"
    );
    assert!(matches!(
        f.catalog.close_sales(EventId(99)),
        Err(CatalogError::UnknownEvent(_))
    ));

    let paused = on_sale(&f, 0);
    f.catalog.pause(paused).unwrap();
    f.catalog.close_sales(paused).unwrap();
    for error in [
        f.catalog.close_sales(paused).unwrap_err(),
        f.catalog.resume(paused).unwrap_err(),
        f.catalog
            .update_event(paused, EventUpdate::default())
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                error,
                CatalogError::Transition {
                    status: EventStatus::Closed,
                    ..
                }
            ),
            "{error}"
        );
    }
    let cancelled = on_sale(&f, 0);
    f.catalog.cancel(cancelled).unwrap();
    assert!(matches!(
        f.catalog.close_sales(cancelled),
        Err(CatalogError::Transition { .. })
    ));
    // Refresh leaves a closed sale closed, even once the event started.
    let changes = f.catalog.refresh(at("2031-01-01T00:00:00Z")).unwrap();
    assert!(!changes.iter().any(|(id, _)| *id == paused), "{changes:?}");
    assert_eq!(f.catalog.event(paused).unwrap().status, EventStatus::Closed);

    // A show called off after its sales closed may still be cancelled,
    // once: cancelled is final.
    f.catalog.cancel(paused).unwrap();
    assert_eq!(
        f.catalog.event(paused).unwrap().status,
        EventStatus::Cancelled
    );
    assert!(matches!(
        f.catalog.cancel(paused),
        Err(CatalogError::Transition {
            status: EventStatus::Cancelled,
            ..
        })
    ));
}

#[test]
fn a_sold_out_sale_may_close() {
    let f = fixture();
    let mut small = new_event("small", f.venue, "2030-01-01T00:00:00Z");
    small.office = ticketpool_core::BoxOfficeConfig::simple(
        "x",
        1,
        1,
        ticketpool_core::Money::from_minor(100),
    );
    let id = f.catalog.create_event(small).unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let office = f.catalog.office(id).unwrap();
    office
        .add_vendor("desk", &[])
        .unwrap()
        .release("general")
        .unwrap();
    office
        .customer("ann", Priority::Regular)
        .buy("general")
        .unwrap();
    f.catalog.refresh(at("2028-01-01T00:00:00Z")).unwrap();
    assert_eq!(f.catalog.event(id).unwrap().status, EventStatus::SoldOut);
    f.catalog.close_sales(id).unwrap();
    assert_eq!(f.catalog.event(id).unwrap().status, EventStatus::Closed);
}

#[test]
fn a_closed_sale_is_listed_found_but_never_on_sale_and_reopens_closed() {
    let f = fixture();
    let open = on_sale(&f, 0);
    let closed = on_sale(&f, 0);
    f.catalog.close_sales(closed).unwrap();
    settle(&f.catalog);

    let upcoming: Vec<EventId> = f
        .catalog
        .upcoming(at("2029-01-01T00:00:00Z"), 10)
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(upcoming, vec![open, closed], "buyers still see it");
    let all = f.catalog.search(&SearchQuery::text("gig")).unwrap();
    assert!(ids(&all).contains(&closed));
    let on_sale_only = f
        .catalog
        .search(&SearchQuery::text("gig").on_sale_only())
        .unwrap();
    assert_eq!(ids(&on_sale_only), vec![open]);

    let reopened = Catalog::open(f.store.clone()).unwrap();
    assert_eq!(reopened.event(closed).unwrap().status, EventStatus::Closed);
    let office = reopened.office(closed).unwrap();
    assert!(office.is_closed(), "it reopens with its office closed");
    assert!(matches!(
        office
            .customer("ann", Priority::Regular)
            .try_reserve("general"),
        Err(BoxOfficeError::Closed)
    ));
    assert!(!reopened.office(open).unwrap().is_closed());
}
