//! `ticketpool sales` on a seated event's journal: the seats sold are
//! listed beside the standing tickets, with a seat column (blank for
//! general admission), in the table and in the JSON.

mod cli_support;

use cli_support::{ok, run, scratch};
use serde_json::{json, Value};
use ticketpool_catalog::ticketpool_seats::VenueConfig;
use ticketpool_catalog::{Catalog, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue};
use ticketpool_core::{BoxOfficeConfig, Money, Priority};
use ticketpool_persist::{
    catalog_offices, catalog_seat_ledgers, Durability, JournalConfig, SqliteStore,
};

/// A mixed event in a durable catalog: ann bought seat Stalls A-2, bob a
/// standing ticket; cy's held seat was never sold. Returns its journal: a
/// file of its own (`ticketpool sales` reads a lone journal), the seats'
/// and the office's sales in it.
fn seated_journal(dir: &std::path::Path) -> String {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let journal = data.join("event-1.db");
    let (offices_file, seats_file) = (journal.clone(), journal.clone());
    let options = CatalogOptions {
        offices: Some(catalog_offices(
            move |_| SqliteStore::open(&offices_file),
            JournalConfig::per_event(Durability::Confirmed),
        )),
        seat_ledgers: Some(catalog_seat_ledgers(move |_| {
            SqliteStore::open(&seats_file)
        })),
        ..CatalogOptions::default()
    };
    let store = SqliteStore::open(data.join("catalog.db")).unwrap();
    let catalog = Catalog::open_with(store, options).unwrap();
    let venue = catalog
        .add_venue(NewVenue {
            name: "Hall".into(),
            city: "Leeds".into(),
            capacity: 100,
        })
        .unwrap();
    let map: VenueConfig = serde_json::from_value(json!({
        "name": "Hall",
        "tiers": { "standard": 6000 },
        "sections": [{ "name": "Stalls", "tier": "standard", "rows": "A", "seats": "1-4" }],
    }))
    .unwrap();
    catalog.set_seat_map(venue, map).unwrap();
    let event = catalog
        .create_event(NewEvent {
            name: "gig".into(),
            description: String::new(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            office: BoxOfficeConfig::simple("gig", 10, 10, Money::from_minor(2_500)),
        })
        .unwrap();
    catalog.put_on_sale(event).unwrap();
    let seats = catalog.seats(event).unwrap();
    let hold = seats.hold("ann", Priority::Vip, &["Stalls A-2"]).unwrap();
    seats.confirm(hold.id).unwrap();
    let _held = seats
        .hold("cy", Priority::Regular, &["Stalls A-3"])
        .unwrap();
    let office = catalog.office(event).unwrap();
    office
        .add_vendor("desk", &[])
        .unwrap()
        .release("general")
        .unwrap();
    office
        .customer("bob", Priority::Regular)
        .buy("general")
        .unwrap();
    assert_eq!(event, EventId(1));
    journal.to_str().unwrap().to_owned()
}

#[test]
fn sales_shows_the_seat_of_seated_sales_and_a_blank_for_standing() {
    let scratch = scratch("sales-seats");
    let journal = seated_journal(&scratch);
    let table = ok(&run(&scratch, &["sales", "--journal", &journal]));
    let header = table.lines().next().unwrap();
    assert!(header.contains(" seat "), "{table}");
    let line = |who: &str| {
        table
            .lines()
            .find(|l| l.contains(who))
            .unwrap_or_else(|| panic!("no {who} in\n{table}"))
            .to_owned()
    };
    assert!(line("ann").contains("Stalls A-2"), "{table}");
    assert!(!line("bob").contains("Stalls"), "{table}");
    assert!(!table.contains(" cy "), "a held seat is no sale:\n{table}");
    assert!(table.contains("2 sales"), "{table}");

    let out = ok(&run(&scratch, &["sales", "--journal", &journal, "--json"]));
    let value: Value = serde_json::from_str(&out).unwrap();
    let seat_of = |who: &str| {
        value["sales"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["customer"] == who)
            .unwrap()["seat"]
            .clone()
    };
    assert_eq!(seat_of("ann"), json!("Stalls A-2"));
    assert_eq!(seat_of("bob"), Value::Null);
    assert_eq!(value["by_type"]["standard"]["count"], 1);
}
