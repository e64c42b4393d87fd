//! Creating and changing events: the rules, the lifecycle and its offices.

mod common;

use common::*;
use ticketpool_catalog::*;
use ticketpool_core::{BoxOfficeConfig, Money, Priority};

#[test]
fn a_new_event_is_a_draft_with_normalized_fields_and_no_office() {
    let f = fixture();
    let mut new = new_event("  Kind of Blue  ", f.venue, "2030-01-01T20:00:00Z");
    new.performers = vec![f.performer];
    new.categories = vec!["Jazz".into(), " jazz ".into(), "".into(), "Live".into()];
    let id = f.catalog.create_event(new).unwrap();
    let event = f.catalog.event(id).unwrap();
    assert_eq!(event.status, EventStatus::Draft);
    assert_eq!(event.name, "Kind of Blue");
    assert_eq!(event.office.event_name, "Kind of Blue");
    assert_eq!(event.categories, vec!["jazz", "live"]);
    assert!(matches!(f.catalog.office(id), Err(CatalogError::NoOffice(e)) if e == id));
    assert!(matches!(
        f.catalog.availability(id),
        Err(CatalogError::NoOffice(_))
    ));
    assert_eq!(f.catalog.event_count(), 1);
}

#[test]
fn ids_are_distinct_and_unknown_ids_are_named() {
    let f = fixture();
    let a = f
        .catalog
        .create_event(new_event("a", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    let b = f
        .catalog
        .create_event(new_event("b", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    assert_ne!(a, b);
    f.catalog.put_on_sale(b).unwrap();
    let listed: Vec<(EventId, EventStatus)> = f
        .catalog
        .events()
        .iter()
        .map(|e| (e.id, e.status))
        .collect();
    assert_eq!(
        listed,
        vec![(a, EventStatus::Draft), (b, EventStatus::OnSale)],
        "every event, drafts too, by id"
    );
    let missing = EventId(999);
    let error = f.catalog.event(missing).unwrap_err();
    assert_eq!(error.to_string(), "there is no event #999");
    assert!(matches!(
        f.catalog.put_on_sale(missing),
        Err(CatalogError::UnknownEvent(_))
    ));
    assert!(matches!(
        f.catalog.office(missing),
        Err(CatalogError::UnknownEvent(_))
    ));
}

#[test]
fn creation_checks_every_rule() {
    let f = fixture();
    let mut empty = new_event(" ", f.venue, "2030-01-01T00:00:00Z");
    let error = f.catalog.create_event(empty.clone()).unwrap_err();
    assert_eq!(error.to_string(), "the event's name must not be empty");
    empty.name = "ok".into();

    let mut nowhere = empty.clone();
    nowhere.venue = VenueId(77);
    assert!(matches!(
        f.catalog.create_event(nowhere),
        Err(CatalogError::UnknownVenue(VenueId(77)))
    ));

    let mut nobody = empty.clone();
    nobody.performers = vec![PerformerId(55)];
    assert!(matches!(
        f.catalog.create_event(nobody),
        Err(CatalogError::UnknownPerformer(PerformerId(55)))
    ));

    let mut bad_office = empty.clone();
    bad_office.office.total_tickets = 0;
    let error = f.catalog.create_event(bad_office).unwrap_err();
    assert!(matches!(error, CatalogError::Config(_)), "{error}");
    assert!(error.to_string().contains("total_tickets"), "{error}");

    let mut too_big = empty;
    too_big.office = BoxOfficeConfig::simple("x", 5_000, 10, Money::from_minor(1));
    let error = f.catalog.create_event(too_big).unwrap_err();
    assert_eq!(
        error.to_string(),
        "5000 tickets do not fit in venue #1, which holds 1000"
    );
    assert_eq!(
        f.catalog.event_count(),
        0,
        "no failed creation left an event"
    );
}

#[test]
fn a_draft_may_change_anything() {
    let f = fixture();
    let other = f
        .catalog
        .add_venue(venue("Bataclan", "Paris", 1_500))
        .unwrap();
    let id = f
        .catalog
        .create_event(new_event("draft", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    let office = BoxOfficeConfig::simple("ignored", 1_200, 20, Money::from_minor(4_200));
    f.catalog
        .update_event(
            id,
            EventUpdate {
                name: Some("Renamed".into()),
                venue: Some(other),
                office: Some(office),
                time_zone: Some(DisplayZone::new("Europe/Paris").unwrap()),
                categories: Some(vec!["Rock".into()]),
                ..EventUpdate::default()
            },
        )
        .unwrap();
    let event = f.catalog.event(id).unwrap();
    assert_eq!((event.name.as_str(), event.venue), ("Renamed", other));
    assert_eq!(event.office.total_tickets, 1_200);
    assert_eq!(event.office.event_name, "Renamed");
    assert_eq!(event.categories, vec!["rock"]);
    assert_eq!(
        event.local_start().hour(),
        1,
        "midnight UTC is 1 am in Paris in winter"
    );
}

#[test]
fn once_on_sale_the_text_may_change_but_not_the_office_nor_the_venue() {
    let f = fixture();
    let other = f
        .catalog
        .add_venue(venue("Bataclan", "Paris", 1_500))
        .unwrap();
    let id = f
        .catalog
        .create_event(new_event("gig", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let sold = f.catalog.office(id).unwrap();
    sold.add_vendor("desk", &[])
        .unwrap()
        .release("general")
        .unwrap();
    sold.customer("ann", Priority::Regular)
        .buy("general")
        .unwrap();

    let text = EventUpdate {
        name: Some("Gig, second show".into()),
        description: Some("now with strings".into()),
        performers: Some(vec![f.performer]),
        starts_at: Some(at("2030-01-02T00:00:00Z")),
        ..EventUpdate::default()
    };
    f.catalog.update_event(id, text).unwrap();
    let event = f.catalog.event(id).unwrap();
    assert_eq!(event.name, "Gig, second show");
    assert_eq!(event.office.event_name, "gig", "the office keeps its name");

    let mut dearer = event.office.clone();
    dearer.ticket_types[0].price = Money::from_minor(9_999);
    let error = f
        .catalog
        .update_event(
            id,
            EventUpdate {
                office: Some(dearer),
                ..EventUpdate::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the ticket types, prices and capacity of event #1 cannot change now that it is on sale"
    );
    let error = f
        .catalog
        .update_event(
            id,
            EventUpdate {
                venue: Some(other),
                ..EventUpdate::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::Frozen { field: "venue", .. }),
        "{error}"
    );

    // Sending the same office or venue back is not a change.
    let same = EventUpdate {
        venue: Some(f.venue),
        office: Some(event.office.clone()),
        ..EventUpdate::default()
    };
    f.catalog.update_event(id, same).unwrap();
    assert_eq!(f.catalog.event(id).unwrap().office, event.office);
}

#[test]
fn the_lifecycle_moves_the_office_with_it() {
    let f = fixture();
    let id = f
        .catalog
        .create_event(new_event("gig", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let office = f.catalog.office(id).unwrap();
    assert_eq!(f.catalog.event(id).unwrap().status, EventStatus::OnSale);

    f.catalog.pause(id).unwrap();
    assert_eq!(f.catalog.event(id).unwrap().status, EventStatus::Paused);
    assert!(office.snapshot().paused);
    f.catalog.resume(id).unwrap();
    assert!(!office.snapshot().paused);

    f.catalog.cancel(id).unwrap();
    assert_eq!(f.catalog.event(id).unwrap().status, EventStatus::Cancelled);
    assert!(office.is_closed());
    assert!(
        f.catalog.availability(id).unwrap().closed,
        "its snapshot stays readable"
    );
}

#[test]
fn transitions_that_do_not_apply_say_why() {
    let f = fixture();
    let id = f
        .catalog
        .create_event(new_event("gig", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    let error = f.catalog.pause(id).unwrap_err();
    assert_eq!(error.to_string(), "cannot pause event #1: it is draft");
    assert!(matches!(
        f.catalog.resume(id),
        Err(CatalogError::Transition { .. })
    ));
    f.catalog.put_on_sale(id).unwrap();
    let error = f.catalog.put_on_sale(id).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot put on sale event #1: it is on sale"
    );
    f.catalog.cancel(id).unwrap();
    for error in [
        f.catalog.cancel(id).unwrap_err(),
        f.catalog.resume(id).unwrap_err(),
        f.catalog
            .update_event(id, EventUpdate::default())
            .unwrap_err(),
    ] {
        assert!(matches!(
            error,
            CatalogError::Transition {
                status: EventStatus::Cancelled,
                ..
            }
        ));
    }
    // A draft may be cancelled without ever having an office.
    let draft = f
        .catalog
        .create_event(new_event("d", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.cancel(draft).unwrap();
    assert!(matches!(
        f.catalog.office(draft),
        Err(CatalogError::NoOffice(_))
    ));
}

#[test]
fn refresh_marks_sold_out_and_past_events() {
    let f = fixture();
    let mut small = new_event("small", f.venue, "2030-01-01T00:00:00Z");
    small.office = BoxOfficeConfig::simple("x", 1, 1, Money::from_minor(100));
    let small = f.catalog.create_event(small).unwrap();
    let early = f
        .catalog
        .create_event(new_event("early", f.venue, "2029-01-01T00:00:00Z"))
        .unwrap();
    let draft = f
        .catalog
        .create_event(new_event("draft", f.venue, "2029-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(small).unwrap();
    f.catalog.put_on_sale(early).unwrap();
    let office = f.catalog.office(small).unwrap();
    office
        .add_vendor("desk", &[])
        .unwrap()
        .release("general")
        .unwrap();
    office
        .customer("ann", Priority::Regular)
        .buy("general")
        .unwrap();

    let changes = f.catalog.refresh(at("2028-06-01T00:00:00Z")).unwrap();
    assert_eq!(changes, vec![(small, EventStatus::SoldOut)]);
    assert!(
        f.catalog
            .refresh(at("2028-06-01T00:00:00Z"))
            .unwrap()
            .is_empty(),
        "idempotent"
    );

    let changes = f.catalog.refresh(at("2029-06-01T00:00:00Z")).unwrap();
    assert_eq!(
        changes,
        vec![(early, EventStatus::Past), (draft, EventStatus::Past)]
    );
    assert!(f.catalog.office(early).unwrap().is_closed());
    assert!(matches!(
        f.catalog.cancel(early),
        Err(CatalogError::Transition { .. })
    ));
    // Sold out may still be cancelled (a refund run elsewhere).
    f.catalog.cancel(small).unwrap();
}

#[test]
fn a_failed_store_write_changes_nothing() {
    let f = fixture();
    let id = f
        .catalog
        .create_event(new_event("gig", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.store.fail_after(0);
    let error = f.catalog.put_on_sale(id).unwrap_err();
    assert!(matches!(error, CatalogError::Store(_)), "{error}");
    assert_eq!(
        error.to_string(),
        "the catalog store failed: the memory store is failing writes"
    );
    assert_eq!(f.catalog.event(id).unwrap().status, EventStatus::Draft);
    assert!(matches!(
        f.catalog.office(id),
        Err(CatalogError::NoOffice(_))
    ));
    assert!(f
        .catalog
        .create_event(new_event("x", f.venue, "2030-01-01T00:00:00Z"))
        .is_err());
    assert!(f.catalog.add_venue(venue("v", "c", 1)).is_err());
    let rename = EventUpdate {
        name: Some("new".into()),
        ..EventUpdate::default()
    };
    assert!(f.catalog.update_event(id, rename).is_err());
    assert_eq!(f.catalog.event(id).unwrap().name, "gig");
    assert_eq!(f.catalog.event_count(), 1);
}

#[test]
fn events_serialize_and_come_back_equal() {
    let f = fixture();
    let mut new = new_event("gig", f.venue, "2030-01-01T20:00:00Z");
    new.time_zone = DisplayZone::new("+05:30").unwrap();
    let id = f.catalog.create_event(new).unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let event = f.catalog.event(id).unwrap();
    let json = serde_json::to_string(&event).unwrap();
    assert!(json.contains("\"status\":\"on_sale\""), "{json}");
    assert!(
        json.contains("\"starts_at\":\"2030-01-01T20:00:00Z\""),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    let bad = json.replace("+05:30", "Moon/Base");
    assert!(serde_json::from_str::<Event>(&bad).is_err());
}
