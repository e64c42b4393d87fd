//! Seated events in a durable catalog, on SQLite (`CatalogDir`) and on
//! PostgreSQL (`CatalogPg`, 127.0.0.1:5432 or `TICKETPOOL_PG_URL`; skipped
//! with a notice without a server unless `TICKETPOOL_PG_REQUIRED=1`): seats
//! sold survive a reopen, held seats come back available, general
//! admission sells beside the seats in one event, and no seat sold before
//! a restart can be held after it.
#![cfg(feature = "catalog")]

use std::io::Write;

use ticketpool_catalog::ticketpool_seats::{BestAvailable, SeatError, SeatState, VenueConfig};
use ticketpool_catalog::{
    Catalog, CatalogError, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority};
use ticketpool_persist::{CatalogDir, CatalogHome, Store};

const HALL: &str = r#"
    name = "Grand Hall"
    tiers = { standard = 6000, premium = 9000 }
    [[sections]]
    name = "Stalls"
    tier = "standard"
    rows = "A-B"
    seats = "1-6"
    row_tiers = { "A" = "premium" }
"#;

/// A seated, mixed event: the Grand Hall's seats and 10 standing tickets.
fn open_mixed(catalog: &Catalog) -> EventId {
    let venue = catalog
        .add_venue(NewVenue {
            name: "Grand Hall".into(),
            city: "Leeds".into(),
            capacity: 100,
        })
        .unwrap();
    let config: VenueConfig = toml::from_str(HALL).unwrap();
    catalog.set_seat_map(venue, config).unwrap();
    let event = catalog
        .create_event(NewEvent {
            name: "Seated gig".into(),
            description: String::new(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            office: BoxOfficeConfig::simple("Seated gig", 10, 10, Money::from_minor(2_500)),
        })
        .unwrap();
    catalog.put_on_sale(event).unwrap();
    event
}

/// Sells on a fresh catalog, reopens it, and checks what came back.
fn seats_and_standing_survive_a_reopen(home: &CatalogHome) {
    let catalog = home.open(CatalogOptions::default()).unwrap();
    let event = open_mixed(&catalog);
    let seats = catalog.seats(event).unwrap();
    // ann names two premium seats; bob takes the best 3 of row B.
    let ann = seats
        .hold("ann", Priority::Vip, &["Stalls A-1", "Stalls A-2"])
        .unwrap();
    assert_eq!(ann.price, Money::from_minor(18_000));
    seats.confirm(ann.id).unwrap();
    let bob = seats
        .best_available(
            "bob",
            Priority::Regular,
            BestAvailable::in_tier("standard", 3),
        )
        .unwrap();
    let bobs: Vec<String> = bob
        .seats
        .iter()
        .map(|&s| seats.map().seat(s).unwrap().to_string())
        .collect();
    seats.confirm(bob.id).unwrap();
    // cy only holds: this seat must come back available.
    let cy = seats
        .hold("cy", Priority::Regular, &["Stalls A-6"])
        .unwrap();
    assert_eq!(seats.state("Stalls A-6"), Some(SeatState::Held));
    // Standing tickets from the same event's box office.
    let office = catalog.office(event).unwrap();
    office
        .add_vendor("desk", &[])
        .unwrap()
        .release("general")
        .unwrap();
    office
        .customer("dee", Priority::Regular)
        .buy("general")
        .unwrap();
    drop((seats, cy, office));
    drop(catalog);

    let catalog = home.open(CatalogOptions::default()).unwrap();
    assert!(catalog.is_seated(event));
    let seats = catalog.seats(event).unwrap();
    for label in ["Stalls A-1", "Stalls A-2"]
        .iter()
        .copied()
        .chain(bobs.iter().map(String::as_str))
    {
        assert_eq!(seats.state(label), Some(SeatState::Sold), "{label}");
    }
    assert_eq!(seats.state("Stalls A-6"), Some(SeatState::Available));
    let counts = seats.snapshot();
    assert_eq!(counts.counts().sold, 5, "{}", counts.rows_text());
    let office = catalog.office(event).unwrap();
    assert_eq!(office.sales_count(), 1, "the standing sale, and only it");
    assert_eq!(office.sales()[0].customer.as_ref(), "dee");

    // No seat sold before the restart can be held after it.
    let again = seats.hold("eve", Priority::Vip, &["Stalls A-6", "Stalls A-1"]);
    assert!(
        matches!(
            again,
            Err(CatalogError::Seats(SeatError::Unavailable { .. }))
        ),
        "{again:?}"
    );
    assert_eq!(seats.state("Stalls A-6"), Some(SeatState::Available));
    let eve = seats.hold("eve", Priority::Vip, &["Stalls A-6"]).unwrap();
    seats.confirm(eve.id).unwrap();
    drop((seats, office));
    drop(catalog);

    // Twice reopened: eve's seat too, nothing lost, nothing doubled.
    let catalog = home.open(CatalogOptions::default()).unwrap();
    let seats = catalog.seats(event).unwrap();
    assert_eq!(seats.snapshot().counts().sold, 6);
    assert_eq!(seats.state("Stalls A-6"), Some(SeatState::Sold));
    assert_eq!(catalog.office(event).unwrap().sales_count(), 1);
}

#[test]
fn sqlite_seats_and_standing_survive_a_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CatalogDir::new(tmp.path().join("data"));
    seats_and_standing_survive_a_reopen(&CatalogHome::from(dir.clone()));
    // The journal keeps the seat in the tickets and sales rows, and the
    // box office's recovery reads around them.
    let mut journal = dir.event_store(EventId(1)).unwrap();
    let seats: Vec<(String, String)> = journal
        .sold_seats()
        .unwrap()
        .into_iter()
        .map(|s| (s.seat.to_string(), s.sale.customer.to_string()))
        .collect();
    assert_eq!(seats.len(), 6);
    assert_eq!(seats[0], ("Stalls A-1".into(), "ann".into()));
    assert_eq!(journal.recover().unwrap().sales.len(), 1);
}

#[test]
fn a_venue_without_a_seat_map_sells_no_seats() {
    let tmp = tempfile::tempdir().unwrap();
    let catalog = CatalogDir::new(tmp.path().join("data"))
        .open(CatalogOptions::default())
        .unwrap();
    let venue = catalog
        .add_venue(NewVenue {
            name: "Field".into(),
            city: "Leeds".into(),
            capacity: 10,
        })
        .unwrap();
    let bad: VenueConfig =
        toml::from_str("name = \"x\"\n[[sections]]\nname = \"S\"\ntier = \"none\"\nrows = \"A\"\nseats = \"1-200\"").unwrap();
    assert!(matches!(
        catalog.set_seat_map(venue, bad),
        Err(CatalogError::SeatMap(_))
    ));
    let config: VenueConfig = toml::from_str(HALL).unwrap();
    let too_big = catalog.set_seat_map(venue, config);
    assert!(
        matches!(too_big, Err(CatalogError::Invalid { .. })),
        "{too_big:?}"
    );
    assert!(catalog.seat_map(venue).is_none());
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_seats_and_standing_survive_a_reopen() {
    use postgres::{Client, NoTls};
    let params = std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?connect_timeout=3".into());
    let mut client = match Client::connect(&params, NoTls) {
        Ok(client) => client,
        Err(err) => {
            if std::env::var_os("TICKETPOOL_PG_REQUIRED").is_some_and(|v| v == "1") {
                panic!("TICKETPOOL_PG_REQUIRED=1 but PostgreSQL is unreachable: {err}");
            }
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED: catalog seats on PostgreSQL: no server at `{params}` ({err})"
            );
            return;
        }
    };
    let prefix = format!("tps{}", std::process::id());
    let drop_all = |client: &mut Client| {
        for name in [prefix.clone(), format!("{prefix}_event_1")] {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
        }
    };
    drop_all(&mut client);
    let pg = ticketpool_persist::CatalogPg::new(&params, &prefix).unwrap();
    seats_and_standing_survive_a_reopen(&CatalogHome::from(pg));
    drop_all(&mut client);
}
