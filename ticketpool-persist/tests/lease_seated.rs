//! Seated events on lease nodes (PostgreSQL at 127.0.0.1:5432 or
//! `TICKETPOOL_PG_URL`; skipped with a notice without a server unless
//! `TICKETPOOL_PG_REQUIRED=1`). A lease node does not sell seats yet
//! (issue 18): its seats are refused with a typed error on every node,
//! whatever seat ledgers the options name, instead of being sold from a
//! node-local copy of the map; the event's general admission tickets sell
//! from `lease_tickets` as for any event, and a catalog with a seated
//! event on sale still opens.
#![cfg(all(feature = "postgres", feature = "catalog"))]

mod lease_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ticketpool_catalog::ticketpool_seats::VenueConfig;
use ticketpool_catalog::{
    Catalog, CatalogError, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue,
    SeatLedgerFactory,
};
use ticketpool_core::{BoxOfficeConfig, Money};
use ticketpool_persist::{CatalogPg, LeaseNodeConfig};

use lease_support::{admin, buy_until_closed, params, schema, sold_rows, Schema};

const HALL: &str = r#"
    name = "Grand Hall"
    tiers = { standard = 6000 }
    [[sections]]
    name = "Stalls"
    tier = "standard"
    rows = "A-B"
    seats = "1-6"
"#;

/// Standing tickets beside the seats.
const STANDING: u64 = 12;

/// Node `node`'s catalog on schema `prefix`, with `options`.
fn open(prefix: &Schema, node: &str, options: CatalogOptions) -> Catalog {
    let config = LeaseNodeConfig {
        nodes: 2,
        ..LeaseNodeConfig::default()
    };
    CatalogPg::new(&params(), &prefix.0)
        .unwrap()
        .with_lease_node(node, config)
        .unwrap()
        .open(options)
        .unwrap()
}

/// A seated event at the Grand Hall with [`STANDING`] standing tickets,
/// on sale.
fn seated_on_sale(catalog: &Catalog) -> EventId {
    let venue = catalog
        .add_venue(NewVenue {
            name: "Grand Hall".into(),
            city: "Leeds".into(),
            capacity: 100,
        })
        .unwrap();
    let map: VenueConfig = toml::from_str(HALL).unwrap();
    catalog.set_seat_map(venue, map).unwrap();
    let event = catalog
        .create_event(NewEvent {
            name: "Seated gig".into(),
            description: String::new(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            office: BoxOfficeConfig::simple("Seated gig", STANDING, 12, Money::from_minor(2_500)),
        })
        .unwrap();
    catalog.put_on_sale(event).unwrap();
    event
}

/// Asserts that `catalog` refuses event `id`'s seats, by name.
fn assert_seats_refused(catalog: &Catalog, id: EventId) {
    for opened in [catalog.seats(id), catalog.seats_in_waves(id)] {
        match opened {
            Err(error @ CatalogError::SeatsUnsupported { event, .. }) => {
                assert_eq!(event, id);
                let message = error.to_string();
                assert!(message.contains("lease node"), "{message}");
                assert!(message.contains("general admission"), "{message}");
            }
            Err(other) => panic!("seats of {id}: expected SeatsUnsupported, got {other}"),
            Ok(seats) => panic!("seats of {id} opened on a lease node: {seats:?}"),
        }
    }
}

/// Schemas of per-event journals under `prefix`: a lease node writes none.
fn event_journals(prefix: &Schema) -> i64 {
    admin()
        .query_one(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE $1",
            &[&format!("{}\\_event\\_%", prefix.0)],
        )
        .unwrap()
        .get(0)
}

#[test]
fn lease_nodes_refuse_seats_by_name_and_sell_the_standing_tickets_once() {
    let Some(prefix) = schema("lseated_refuse") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let a = open(&prefix, "node-a", CatalogOptions::default());
    let id = seated_on_sale(&a);
    // Node b opens with the seated event already on sale: its catalog
    // opens (the refusal is per seat request, not a broken catalog), and a
    // seat ledger factory in its options is never asked.
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let factory: SeatLedgerFactory = Arc::new(move |event| {
        counter.fetch_add(1, Ordering::SeqCst);
        Err(CatalogError::NotSeated(event.id))
    });
    let b = open(
        &prefix,
        "node-b",
        CatalogOptions {
            seat_ledgers: Some(factory),
            ..CatalogOptions::default()
        },
    );
    assert!(a.is_seated(id) && b.is_seated(id));
    assert_seats_refused(&a, id);
    assert_seats_refused(&b, id);
    assert_eq!(asked.load(Ordering::SeqCst), 0);

    // The standing tickets sell from lease_tickets, each once.
    let (office_a, office_b) = (a.office(id).unwrap(), b.office(id).unwrap());
    let (bought_a, bought_b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| buy_until_closed(&office_a, "a", 2, None));
        let b = scope.spawn(|| buy_until_closed(&office_b, "b", 2, None));
        (a.join().unwrap(), b.join().unwrap())
    });
    let bought: u64 = bought_a.values().chain(bought_b.values()).sum();
    assert_eq!(bought, STANDING);
    let rows = sold_rows(&leases, id.0);
    assert_eq!(rows.len() as u64, STANDING);
    // No node-local seat journal was opened, let alone written.
    assert_eq!(event_journals(&prefix), 0);

    // Reopened, the catalog still opens and still refuses the seats.
    drop(a);
    let a = open(&prefix, "node-a", CatalogOptions::default());
    assert_seats_refused(&a, id);
}
