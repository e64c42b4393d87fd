//! `CatalogDir`: a durable catalog in one directory, reopened, and a
//! customer's tickets merged across its events' journals.

use ticketpool_catalog::{CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue, SearchQuery};
use ticketpool_core::{BoxOfficeConfig, Money, Priority};
use ticketpool_persist::CatalogDir;

fn event(venue: ticketpool_catalog::VenueId, name: &str) -> NewEvent {
    NewEvent {
        name: name.into(),
        description: String::new(),
        performers: Vec::new(),
        venue,
        starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
        time_zone: DisplayZone::utc(),
        categories: Vec::new(),
        office: BoxOfficeConfig::simple(name, 10, 10, Money::from_minor(1_000)),
    }
}

#[test]
fn my_tickets_merge_every_event_newest_first_and_survive_a_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CatalogDir::new(tmp.path().join("data"));
    let catalog = dir.open(CatalogOptions::default()).unwrap();
    let venue = catalog
        .add_venue(NewVenue {
            name: "Hall".into(),
            city: "Lyon".into(),
            capacity: 100,
        })
        .unwrap();
    let (a, b, draft) = (
        catalog.create_event(event(venue, "first")).unwrap(),
        catalog.create_event(event(venue, "second")).unwrap(),
        catalog.create_event(event(venue, "draft")).unwrap(),
    );
    catalog.put_on_sale(a).unwrap();
    catalog.put_on_sale(b).unwrap();
    // Bought in the order a, b, a: newest first is a, b, a.
    for id in [a, b, a] {
        let office = catalog.office(id).unwrap();
        let vendor = office
            .vendor("desk")
            .or_else(|_| office.add_vendor("desk", &[]))
            .unwrap();
        vendor.release("general").unwrap();
        office
            .customer("ann", Priority::Regular)
            .buy("general")
            .unwrap();
    }
    drop(catalog);

    let catalog = dir.open(CatalogOptions::default()).unwrap();
    assert_eq!(catalog.availability(a).unwrap().totals.sold, 2);
    let found = catalog.search(&SearchQuery::text("second")).unwrap();
    assert_eq!(found.hits[0].event, b);
    let all = [a, b, draft, EventId(99)];
    let tickets = dir.my_tickets(&all, "ann", 10).unwrap();
    let events: Vec<EventId> = tickets.iter().map(|t| t.event).collect();
    assert_eq!(events, [a, b, a]);
    assert!(tickets
        .windows(2)
        .all(|w| w[0].booked.sold_at >= w[1].booked.sold_at));
    assert_eq!(tickets[0].booked.event, "first");
    assert_eq!(dir.my_tickets(&all, "ann", 2).unwrap().len(), 2);
    assert!(dir.my_tickets(&all, "bob", 10).unwrap().is_empty());
    // Reading never creates a journal for an event that has none.
    assert!(!dir.event_journal(draft).exists());
    assert!(!dir.event_journal(EventId(99)).exists());
}

#[test]
fn a_file_where_the_directory_should_be_is_a_store_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("data");
    std::fs::write(&file, "not a directory").unwrap();
    let error = CatalogDir::new(&file)
        .open(CatalogOptions::default())
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("cannot create the directory"),
        "{error}"
    );
}
