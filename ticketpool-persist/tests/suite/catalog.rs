//! The catalog store suite, generic over [`Db`] whose store is also a
//! [`CatalogStore`]; each backend's test file instantiates it with
//! `catalog_suite!` (the memory store's behaviour is the reference these
//! tests hold the databases to).

use ticketpool_catalog::{
    Catalog, CatalogStore, DisplayZone, Event, EventId, EventStatus, NewEvent, NewPerformer,
    NewVenue, Performer, PerformerId, SearchQuery, Venue, VenueId,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
use ticketpool_persist::{open_office, BookedTicket, Durability, JournalConfig, PersistError};

use super::Db;

/// Instantiates every catalog test below for one backend (see
/// `journal_suite!`).
macro_rules! catalog_suite {
    ($db:path) => {
        journal_suite!(@tests $db;
            catalog_rows_round_trip_every_field, catalog_saves_replace_rows_by_id,
            catalog_reopens_from_the_database_searchable_at_once,
            catalog_bad_row_is_a_typed_error,
            my_tickets_are_the_customers_newest_first_by_index);
    };
}

/// The stores' "my tickets", an inherent method on each, for the suite.
pub trait MyTickets {
    /// See `SqliteStore::my_tickets`.
    fn my_tickets(
        &mut self,
        customer: &str,
        limit: usize,
    ) -> Result<Vec<BookedTicket>, PersistError>;
}

/// An event using every field: two performers, a zone other than UTC,
/// categories, two ticket types with their own prices.
pub fn rich_event(id: u64, status: EventStatus) -> Event {
    let mut office = BoxOfficeConfig::simple("prom", 40, 4, Money::from_minor(5_000));
    let mut balcony = office.ticket_types[0].clone();
    balcony.name = "balcony".into();
    balcony.price = Money::from_minor(2_500);
    office.ticket_types.push(balcony);
    Event {
        id: EventId(id),
        name: format!("Last Night {id}"),
        description: "Land of Hope and Glory".into(),
        performers: vec![PerformerId(2), PerformerId(1)],
        venue: VenueId(1),
        starts_at: "2030-09-14T18:30:00.123456789Z".parse().unwrap(),
        time_zone: DisplayZone::new("Europe/London").unwrap(),
        categories: vec!["classical".into(), "family".into()],
        status,
        office,
    }
}

fn venue(id: u64) -> Venue {
    Venue {
        id: VenueId(id),
        name: format!("Hall {id}"),
        city: "London".into(),
        capacity: 5_000 + id,
    }
}

fn performer(id: u64) -> Performer {
    Performer {
        id: PerformerId(id),
        name: format!("Orchestra {id}"),
        description: "strings, brass".into(),
    }
}

pub fn catalog_rows_round_trip_every_field<D: Db>(db: &D)
where
    D::Store: CatalogStore,
{
    let mut store = db.open().unwrap();
    assert!(store.load_events().unwrap().is_empty());
    store.save_venue(&venue(1)).unwrap();
    store.save_performer(&performer(1)).unwrap();
    store.save_performer(&performer(2)).unwrap();
    let events: Vec<Event> = [
        EventStatus::Paused,
        EventStatus::Draft,
        EventStatus::SoldOut,
        EventStatus::Closed,
    ]
    .into_iter()
    .enumerate()
    .map(|(i, status)| rich_event(i as u64 + 1, status))
    .collect();
    for event in &events {
        store.save_event(event).unwrap();
    }
    drop(store);
    let mut store = db.open().unwrap();
    assert_eq!(store.load_venues().unwrap(), vec![venue(1)]);
    assert_eq!(
        store.load_performers().unwrap(),
        vec![performer(1), performer(2)]
    );
    assert_eq!(store.load_events().unwrap(), events);
}

pub fn catalog_saves_replace_rows_by_id<D: Db>(db: &D)
where
    D::Store: CatalogStore,
{
    let mut store = db.open().unwrap();
    store.save_venue(&venue(1)).unwrap();
    store.save_venue(&venue(2)).unwrap();
    let moved = Venue {
        city: "Paris".into(),
        ..venue(1)
    };
    store.save_venue(&moved).unwrap();
    store
        .save_event(&rich_event(7, EventStatus::OnSale))
        .unwrap();
    let cancelled = rich_event(7, EventStatus::Cancelled);
    store.save_event(&cancelled).unwrap();
    assert_eq!(store.load_venues().unwrap(), vec![moved, venue(2)]);
    assert_eq!(store.load_events().unwrap(), vec![cancelled]);
}

pub fn catalog_reopens_from_the_database_searchable_at_once<D: Db>(db: &D)
where
    D::Store: CatalogStore + 'static,
{
    let catalog = Catalog::open(db.open().unwrap()).unwrap();
    let hall = catalog
        .add_venue(NewVenue {
            name: "Royal Albert Hall".into(),
            city: "London".into(),
            capacity: 5_000,
        })
        .unwrap();
    let band = catalog
        .add_performer(NewPerformer {
            name: "The Proms Orchestra".into(),
            description: String::new(),
        })
        .unwrap();
    let new = |name: &str| NewEvent {
        name: name.into(),
        description: "Land of Hope and Glory".into(),
        performers: vec![band],
        venue: hall,
        starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
        time_zone: DisplayZone::new("Europe/London").unwrap(),
        categories: vec!["Classical".into()],
        office: BoxOfficeConfig::simple("proms", 100, 10, Money::from_minor(5_000)),
    };
    let proms = catalog
        .create_event(new("Last Night of the Proms"))
        .unwrap();
    catalog.put_on_sale(proms).unwrap();
    let paused = catalog.create_event(new("First Night")).unwrap();
    catalog.put_on_sale(paused).unwrap();
    catalog.pause(paused).unwrap();
    let draft = catalog.create_event(new("Draft Night")).unwrap();
    let closed = catalog.create_event(new("Closed Night")).unwrap();
    catalog.put_on_sale(closed).unwrap();
    catalog.close_sales(closed).unwrap();
    let before: Vec<Event> = [proms, paused, draft, closed]
        .map(|id| catalog.event(id).unwrap())
        .to_vec();
    drop(catalog); // no close: what a crash leaves

    let catalog = Catalog::open(db.open().unwrap()).unwrap();
    let after: Vec<Event> = [proms, paused, draft, closed]
        .map(|id| catalog.event(id).unwrap())
        .to_vec();
    assert_eq!(after, before);
    assert_eq!(catalog.venue(hall).unwrap().name, "Royal Albert Hall");
    assert_eq!(catalog.performer(band).unwrap().name, "The Proms Orchestra");
    let found = catalog
        .search(&SearchQuery::text("orchestar").city("london").on_sale_only())
        .unwrap();
    let found: Vec<EventId> = found.hits.iter().map(|hit| hit.event).collect();
    assert_eq!(found, vec![proms]);
    assert!(catalog.availability(paused).unwrap().paused);
    assert_eq!(catalog.event(closed).unwrap().status, EventStatus::Closed);
    assert!(
        catalog.office(closed).unwrap().is_closed(),
        "a closed sale comes back closed, never on sale again"
    );
    let next = catalog.create_event(new("Next Night")).unwrap();
    assert!(next > draft, "ids continue after the stored ones");
}

pub fn catalog_bad_row_is_a_typed_error<D: Db>(db: &D)
where
    D::Store: CatalogStore,
{
    let mut store = db.open().unwrap();
    store
        .save_event(&rich_event(3, EventStatus::Draft))
        .unwrap();
    db.tamper("UPDATE catalog_events SET status = 'postponed' WHERE id = 3");
    let err = store.load_events().unwrap_err();
    assert!(err.to_string().contains("postponed"), "{err}");
    assert!(err.to_string().contains("catalog event 3"), "{err}");
}

pub fn my_tickets_are_the_customers_newest_first_by_index<D: Db>(db: &D)
where
    D::Store: MyTickets,
{
    let mut config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(1_500));
    let mut balcony = config.ticket_types[0].clone();
    balcony.name = "balcony".into();
    balcony.price = Money::from_minor(900);
    config.ticket_types.push(balcony);
    let confirmed = JournalConfig::new(Durability::Confirmed);
    let (office, journal) = open_office(config, db.open().unwrap(), confirmed).unwrap();
    let vendor = office.add_vendor("north", &[]).unwrap();
    let ada = office.customer("ada", Priority::Regular);
    let bob = office.customer("bob", Priority::Vip);
    let mut bought = Vec::new();
    for (kind, buyer) in [
        ("general", &ada),
        ("balcony", &bob),
        ("balcony", &ada),
        ("general", &ada),
    ] {
        vendor.release(kind).unwrap();
        let sale = buyer.buy(Want::Type(kind.into())).unwrap();
        if sale.customer.as_ref() == "ada" {
            bought.push(sale);
        }
    }
    drop((vendor, ada, bob, office, journal));

    let mut store = db.open().unwrap();
    let mine = store.my_tickets("ada", 10).unwrap();
    let expected: Vec<BookedTicket> = bought
        .iter()
        .rev()
        .map(|sale| BookedTicket {
            event: "gig".into(),
            ticket: sale.ticket.id,
            ticket_type: sale.ticket.ticket_type.to_string(),
            vendor: "north".into(),
            price: sale.price,
            sold_at: sale.sold_at,
        })
        .collect();
    assert_eq!(mine, expected);
    assert_eq!(store.my_tickets("ada", 2).unwrap(), expected[..2]);
    assert_eq!(store.my_tickets("bob", 10).unwrap().len(), 1);
    assert!(store.my_tickets("nobody", 10).unwrap().is_empty());
}
