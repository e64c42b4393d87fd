//! Seats released in vendors' waves, in a durable catalog, on SQLite
//! (`CatalogDir`) and on PostgreSQL (`CatalogPg`, 127.0.0.1:5432 or
//! `TICKETPOOL_PG_URL`; skipped with a notice without a server unless
//! `TICKETPOOL_PG_REQUIRED=1`): each wave is in the event's journal before
//! its seats go on sale, and a reopen restores not-on-sale, available and
//! sold; a journal from before waves opens with every seat on sale.
#![cfg(feature = "catalog")]

use std::io::Write;

use ticketpool_catalog::ticketpool_seats::{SeatError, SeatState, VenueConfig};
use ticketpool_catalog::{
    Catalog, CatalogError, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue, SeatedEvent,
    Wave,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority};
use ticketpool_persist::{CatalogDir, CatalogHome, SeatWave, Store};

/// Stalls A (premium) and B, Circle A: 15 seats.
const HALL: &str = r#"
    name = "Grand Hall"
    tiers = { standard = 6000, premium = 9000 }
    [[sections]]
    name = "Stalls"
    tier = "standard"
    rows = "A-B"
    seats = "1-5"
    row_tiers = { "A" = "premium" }
    [[sections]]
    name = "Circle"
    tier = "standard"
    rows = "A"
    seats = "1-5"
"#;

fn on_sale(catalog: &Catalog) -> EventId {
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
            name: "Waves gig".into(),
            description: String::new(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            office: BoxOfficeConfig::simple("Waves gig", 10, 10, Money::from_minor(2_500)),
        })
        .unwrap();
    catalog.put_on_sale(event).unwrap();
    event
}

/// (not on sale, available, held, sold).
fn counts(seats: &SeatedEvent) -> (usize, usize, usize, usize) {
    let c = seats.snapshot().counts();
    (c.not_on_sale, c.available, c.held, c.sold)
}

/// Waves, a sale and a hold on a fresh catalog; reopened twice.
fn waves_survive_a_reopen(home: &CatalogHome) -> EventId {
    let catalog = home.open(CatalogOptions::default()).unwrap();
    let event = on_sale(&catalog);
    let seats = catalog.seats_in_waves(event).unwrap();
    assert_eq!(counts(&seats), (15, 0, 0, 0));
    let unknown = seats.release_wave(Wave::Block {
        section: "Stalls".into(),
        rows: "C-D".into(),
    });
    assert!(
        matches!(
            unknown,
            Err(CatalogError::Seats(SeatError::UnknownRow { .. }))
        ),
        "{unknown:?}"
    );
    let unknown = seats.release_wave(Wave::Section("Gallery".into()));
    assert!(
        matches!(
            unknown,
            Err(CatalogError::Seats(SeatError::UnknownSection(_)))
        ),
        "{unknown:?}"
    );
    assert_eq!(seats.waves().unwrap(), [Wave::Nothing], "nothing recorded");
    assert_eq!(seats.release_wave(Wave::Tier("premium".into())).unwrap(), 5);
    let ann = seats
        .hold("ann", Priority::Vip, &["Stalls A-1", "Stalls A-2"])
        .unwrap();
    seats.confirm(ann.id).unwrap();
    let _bob = seats
        .hold("bob", Priority::Regular, &["Stalls A-3"])
        .unwrap();
    assert_eq!(counts(&seats), (10, 2, 1, 2));
    drop(seats);
    drop(catalog);

    // Reopened: Stalls B and the Circle still off sale, A as it was (the
    // held seat available again).
    let catalog = home.open(CatalogOptions::default()).unwrap();
    let seats = catalog.seats(event).unwrap();
    assert!(seats.in_waves());
    assert_eq!(counts(&seats), (10, 3, 0, 2));
    assert_eq!(seats.state("Stalls A-1"), Some(SeatState::Sold));
    assert_eq!(seats.state("Stalls A-3"), Some(SeatState::Available));
    assert_eq!(seats.state("Stalls B-1"), Some(SeatState::NotOnSale));
    assert_eq!(seats.state("Circle A-1"), Some(SeatState::NotOnSale));
    assert_eq!(
        seats
            .release_wave(Wave::Block {
                section: "Stalls".into(),
                rows: "B".into()
            })
            .unwrap(),
        5
    );
    let cy = seats
        .hold("cy", Priority::Regular, &["Stalls B-5"])
        .unwrap();
    seats.confirm(cy.id).unwrap();
    drop(seats);
    drop(catalog);

    // Twice reopened: the second wave and its sale too; the Circle waits.
    let catalog = home.open(CatalogOptions::default()).unwrap();
    let seats = catalog.seats(event).unwrap();
    assert_eq!(counts(&seats), (5, 7, 0, 3));
    assert_eq!(seats.state("Stalls B-5"), Some(SeatState::Sold));
    assert_eq!(
        seats.waves().unwrap(),
        [
            Wave::Nothing,
            Wave::Tier("premium".into()),
            Wave::Block {
                section: "Stalls".into(),
                rows: "B".into()
            }
        ]
    );
    assert_eq!(seats.release_wave(Wave::All).unwrap(), 5);
    drop(seats);
    drop(catalog);
    let catalog = home.open(CatalogOptions::default()).unwrap();
    assert_eq!(counts(&catalog.seats(event).unwrap()), (0, 12, 0, 3));
    event
}

#[test]
fn sqlite_waves_survive_a_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CatalogDir::new(tmp.path().join("data"));
    let event = waves_survive_a_reopen(&CatalogHome::from(dir.clone()));
    // The waves are rows of the event's own journal.
    let mut journal = dir.event_store(event).unwrap();
    let waves = journal.seat_waves().unwrap();
    assert_eq!(waves.len(), 4);
    assert_eq!(waves[0], SeatWave::Nothing);
    assert_eq!(waves[3], SeatWave::All);
}

#[test]
fn sqlite_a_journal_from_before_waves_opens_with_every_seat_on_sale() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CatalogDir::new(tmp.path().join("data"));
    let home = CatalogHome::from(dir.clone());
    let catalog = home.open(CatalogOptions::default()).unwrap();
    let event = on_sale(&catalog);
    let seats = catalog.seats(event).unwrap();
    assert!(!seats.in_waves());
    let ann = seats.hold("ann", Priority::Vip, &["Circle A-1"]).unwrap();
    seats.confirm(ann.id).unwrap();
    drop(seats);
    drop(catalog);
    // As a journal written before waves: no wave rows (a journal migrated
    // from schema version 5 has an empty table).
    rusqlite::Connection::open(dir.catalog_file())
        .unwrap()
        .execute("DELETE FROM seat_waves WHERE event = ?1", [event.0 as i64])
        .unwrap();

    let catalog = home.open(CatalogOptions::default()).unwrap();
    let seats = catalog.seats(event).unwrap();
    assert!(!seats.in_waves());
    assert_eq!(counts(&seats), (0, 14, 0, 1));
    assert_eq!(seats.state("Circle A-1"), Some(SeatState::Sold));
    // Sold with no wave: its seats are all on sale, not in waves.
    assert!(matches!(
        catalog.seats_in_waves(event),
        Err(CatalogError::Invalid { .. })
    ));
    drop(seats);
    drop(catalog);
    assert_eq!(dir.event_store(event).unwrap().seat_waves().unwrap(), []);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_waves_survive_a_reopen() {
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
                "SKIPPED: seat waves on PostgreSQL: no server at `{params}` ({err})"
            );
            return;
        }
    };
    let prefix = format!("tpw{}", std::process::id());
    let drop_all = |client: &mut Client| {
        for name in [prefix.clone(), format!("{prefix}_event_1")] {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
        }
    };
    drop_all(&mut client);
    let pg = ticketpool_persist::CatalogPg::new(&params, &prefix).unwrap();
    let event = waves_survive_a_reopen(&CatalogHome::from(pg));
    assert_eq!(event, EventId(1));
    let count: i64 = client
        .query_one(
            &format!("SELECT COUNT(*) FROM {prefix}.seat_waves WHERE event = 1"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(count, 4);
    drop_all(&mut client);
}
