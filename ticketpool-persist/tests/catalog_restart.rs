//! A catalog whose events sell through journaled offices: dropped without
//! closing (as a crash leaves it) and reopened, every event comes back
//! with its status, its sales and its unsold tickets, and search finds the
//! events at once.

use std::path::Path;

use ticketpool_catalog::{
    Catalog, CatalogOptions, DisplayZone, EventId, EventStatus, NewEvent, NewVenue, SearchQuery,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
use ticketpool_persist::{catalog_offices, Durability, JournalConfig, SqliteStore};

fn open(dir: &Path) -> Catalog {
    let events = dir.to_path_buf();
    let offices = catalog_offices(
        move |id: EventId| SqliteStore::open(events.join(format!("event-{}.db", id.0))),
        JournalConfig::new(Durability::Confirmed),
    );
    let options = CatalogOptions {
        offices: Some(offices),
        ..CatalogOptions::default()
    };
    Catalog::open_with(SqliteStore::open(dir.join("catalog.db")).unwrap(), options).unwrap()
}

#[test]
fn two_events_selling_come_back_after_a_crash_with_sales_and_unsold_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = open(dir.path());
    let venue = catalog
        .add_venue(NewVenue {
            name: "Barbican".into(),
            city: "London".into(),
            capacity: 2_000,
        })
        .unwrap();
    let new = |name: &str| NewEvent {
        name: name.into(),
        description: String::new(),
        performers: Vec::new(),
        venue,
        starts_at: "2030-05-01T19:00:00Z".parse().unwrap(),
        time_zone: DisplayZone::new("Europe/London").unwrap(),
        categories: vec!["jazz".into()],
        office: BoxOfficeConfig::simple(name, 20, 8, Money::from_minor(3_000)),
    };
    let mut sales = Vec::new();
    let mut ids = Vec::new();
    for (name, sold) in [("Quartet Evening", 3), ("Trio Matinee", 1)] {
        let id = catalog.create_event(new(name)).unwrap();
        catalog.put_on_sale(id).unwrap();
        let office = catalog.office(id).unwrap();
        let vendor = office.add_vendor("desk", &[]).unwrap();
        for _ in 0..5 {
            vendor.release("general").unwrap();
        }
        for n in 0..sold {
            let buyer = office.customer(&format!("fan{n}"), Priority::Regular);
            buyer.buy(Want::Any).unwrap();
        }
        sales.push(office.sales());
        ids.push(id);
    }
    catalog.pause(ids[1]).unwrap();
    drop(catalog); // no close, no flush beyond what Confirmed committed

    let catalog = open(dir.path());
    assert_eq!(catalog.event(ids[0]).unwrap().status, EventStatus::OnSale);
    assert_eq!(catalog.event(ids[1]).unwrap().status, EventStatus::Paused);
    for (id, sold) in ids.iter().zip(&sales) {
        let office = catalog.office(*id).unwrap();
        assert_eq!(&office.sales(), sold, "{id}");
        assert_eq!(office.snapshot().totals.available, 5 - sold.len() as u64);
    }
    assert!(catalog.availability(ids[1]).unwrap().paused);
    let found = catalog
        .search(&SearchQuery::text("quartet").city("london"))
        .unwrap();
    assert_eq!(found.hits[0].event, ids[0]);
    // The restored offices keep selling, and journaling.
    let office = catalog.office(ids[0]).unwrap();
    office
        .customer("late", Priority::Vip)
        .buy(Want::Any)
        .unwrap();
    drop((office, catalog));
    let catalog = open(dir.path());
    assert_eq!(catalog.office(ids[0]).unwrap().sales_count(), 4);
}

#[test]
fn a_closed_sale_comes_back_closed_with_its_tickets_still_sold() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = open(dir.path());
    let venue = catalog
        .add_venue(NewVenue {
            name: "Wigmore Hall".into(),
            city: "London".into(),
            capacity: 500,
        })
        .unwrap();
    let id = catalog
        .create_event(NewEvent {
            name: "Lieder".into(),
            description: String::new(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-05-01T19:00:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            office: BoxOfficeConfig::simple("Lieder", 10, 4, Money::from_minor(2_500)),
        })
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    let office = catalog.office(id).unwrap();
    let vendor = office.add_vendor("desk", &[]).unwrap();
    for _ in 0..3 {
        vendor.release("general").unwrap();
    }
    office
        .customer("fan", Priority::Regular)
        .buy(Want::Any)
        .unwrap();
    let sold = office.sales();
    catalog.close_sales(id).unwrap();
    drop((vendor, office, catalog));

    let catalog = open(dir.path());
    assert_eq!(catalog.event(id).unwrap().status, EventStatus::Closed);
    let office = catalog.office(id).unwrap();
    assert!(office.is_closed());
    assert_eq!(office.sales(), sold, "nothing refunded");
    assert!(office
        .customer("late", Priority::Vip)
        .try_buy(Want::Any)
        .is_err());
}
