//! Seated events on lease nodes (PostgreSQL at 127.0.0.1:5432 or
//! `TICKETPOOL_PG_URL`; skipped with a notice without a server unless
//! `TICKETPOOL_PG_REQUIRED=1`). Two lease nodes sell one seated event's
//! seats from `lease_seats` (issue 18): best-available from leased rows,
//! specific seats through PostgreSQL holds, no seat sold twice, every
//! confirmed seat recorded as sold to its buyer, and all sold in the end;
//! the standing tickets sell from `lease_tickets` as for any event.
//! Without `CatalogPg::with_lease_seats` a lease node refuses seats with a
//! typed error on every node, whatever seat ledgers the options name,
//! instead of selling them from a node-local copy of the map, and a
//! catalog with a seated event on sale still opens.
#![cfg(all(feature = "postgres", feature = "catalog"))]

mod lease_support;
/// A seat lease's life on a node: renewed, handed back, lapsed.
#[path = "lease_seated/life.rs"]
mod life;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ticketpool_catalog::ticketpool_seats::{BestAvailable, SeatError, VenueConfig};
use ticketpool_catalog::{
    Catalog, CatalogError, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue,
    SeatLedgerFactory, SeatedEvent,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority};
use ticketpool_persist::{CatalogPg, LeaseNodeConfig};

use lease_support::{admin, buy_until_closed, params, schema, sold_rows, Schema};

const HALL: &str = r#"
    name = "Grand Hall"
    tiers = { standard = 6000 }
    [[sections]]
    name = "Stalls"
    tier = "standard"
    rows = "A-D"
    seats = "1-6"
    [[sections]]
    name = "Circle"
    tier = "standard"
    rows = "A-B"
    seats = "1-6"
"#;

/// Seats in [`HALL`].
const SEATS: usize = 36;

/// Standing tickets beside the seats.
const STANDING: u64 = 12;

/// Node `node`'s catalog on schema `prefix`, with `options`; selling
/// seats from `lease_seats` with `seats`, else refusing them.
fn open_node(prefix: &Schema, node: &str, options: CatalogOptions, seats: bool) -> Catalog {
    open_node_ttl(prefix, node, options, seats, LeaseNodeConfig::default().ttl)
}

/// As [`open_node`], its leases (tickets and seats) lasting `ttl`.
fn open_node_ttl(
    prefix: &Schema,
    node: &str,
    options: CatalogOptions,
    seats: bool,
    ttl: Duration,
) -> Catalog {
    let config = LeaseNodeConfig {
        nodes: 2,
        ttl,
        ..LeaseNodeConfig::default()
    };
    let catalog = CatalogPg::new(&params(), &prefix.0)
        .unwrap()
        .with_lease_node(node, config)
        .unwrap();
    let catalog = if seats {
        catalog.with_lease_seats()
    } else {
        catalog
    };
    catalog.open(options).unwrap()
}

/// Node b's catalog (selling seats with `seats`), its options naming a
/// seat ledger factory that counts how often it is asked.
fn open_b_counting_ledgers(prefix: &Schema, seats: bool) -> (Catalog, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let factory: SeatLedgerFactory = Arc::new(move |event| {
        counter.fetch_add(1, Ordering::SeqCst);
        Err(CatalogError::NotSeated(event.id))
    });
    let options = CatalogOptions {
        seat_ledgers: Some(factory),
        ..CatalogOptions::default()
    };
    (open_node(prefix, "node-b", options, seats), asked)
}

/// Node `node`'s catalog without seat leases: seats refused.
fn open(prefix: &Schema, node: &str, options: CatalogOptions) -> Catalog {
    open_node(prefix, node, options, false)
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

/// Seats in `lease_seats` sold, by label, to whom.
fn sold_seats(leases: &Schema, event: EventId) -> HashMap<String, String> {
    admin()
        .query(
            &format!(
                "SELECT section || ' ' || row_label || '-' || number, customer \
                 FROM {}.lease_seats WHERE event_id = $1 AND sold_at IS NOT NULL",
                leases.0
            ),
            &[&i64::try_from(event.0).unwrap()],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
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

/// Holds `labels` for `customer` and confirms them; the labels sold.
fn buy_specific(
    seats: &SeatedEvent,
    customer: &str,
    labels: &[&str],
) -> Result<Vec<String>, CatalogError> {
    let hold = seats.hold(customer, Priority::Regular, labels)?;
    let sale = seats.confirm(hold.id)?;
    Ok(labels_of(seats, &sale.seats))
}

fn labels_of(
    seats: &SeatedEvent,
    ids: &[ticketpool_catalog::ticketpool_seats::SeatId],
) -> Vec<String> {
    ids.iter()
        .map(|&id| seats.map().seat(id).unwrap().to_string())
        .collect()
}

/// Buys best-available blocks of 2 (then 1 once no 2 fit) as customers
/// `<prefix>-<n>` until none is left; every seat confirmed, with its buyer.
fn buy_until_sold_out(seats: &SeatedEvent, prefix: &str) -> Vec<(String, String)> {
    let mut bought = Vec::new();
    let mut want = 2;
    for n in 0.. {
        let customer = format!("{prefix}-{n}");
        match seats.best_available(&customer, Priority::Regular, BestAvailable::anywhere(want)) {
            Ok(hold) => {
                let sale = seats.confirm(hold.id).unwrap();
                for label in labels_of(seats, &sale.seats) {
                    bought.push((label, customer.clone()));
                }
            }
            Err(CatalogError::Seats(SeatError::NoBlock { .. } | SeatError::Unavailable { .. }))
                if want > 1 =>
            {
                want = 1;
            }
            Err(CatalogError::Seats(SeatError::NoBlock { .. } | SeatError::Unavailable { .. })) => {
                break
            }
            Err(other) => panic!("{customer}: {other}"),
        }
    }
    bought
}

#[test]
fn two_lease_nodes_sell_every_seat_once_best_available_and_specific() {
    let Some(prefix) = schema("lseated_sell") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let a = open_node(&prefix, "node-a", CatalogOptions::default(), true);
    let id = seated_on_sale(&a);
    // Node b opens with the event on sale; a seat ledger factory in its
    // options is never asked: the seats come from lease_seats.
    let (b, asked) = open_b_counting_ledgers(&prefix, true);
    let (seats_a, seats_b) = (a.seats(id).unwrap(), b.seats(id).unwrap());
    assert_eq!(asked.load(Ordering::SeqCst), 0);
    let mut confirmed: Vec<(String, String)> = Vec::new();

    // Best-available on a leases a row and sells from it.
    let first = seats_a
        .best_available("ada", Priority::Regular, BestAvailable::anywhere(2))
        .unwrap();
    let sale = seats_a.confirm(first.id).unwrap();
    let ada = labels_of(&seats_a, &sale.seats);
    assert_eq!(ada.len(), 2);
    confirmed.extend(ada.iter().map(|l| (l.clone(), "ada".to_owned())));

    // A seat in a's live lease cannot be held on b: nothing is held.
    let leased_to_a = seats_a
        .snapshot()
        .seats()
        .find(|&(_, s)| s == ticketpool_catalog::ticketpool_seats::SeatState::Available)
        .map(|(id, _)| seats_a.map().seat(id).unwrap().to_string())
        .expect("a leased a whole row");
    match buy_specific(&seats_b, "bob", &[&leased_to_a, "Circle B-6"]) {
        Err(CatalogError::Seats(SeatError::Unavailable { seats })) => {
            assert_eq!(
                labels_of(&seats_b, &[seats[0].0]),
                vec![leased_to_a.clone()]
            );
        }
        other => panic!("a seat leased to node a held on node b: {other:?}"),
    }
    // Seats leased by nobody are held and sold through PostgreSQL, all or
    // nothing; a second buyer for one of them, on either node, gets none.
    let bob = buy_specific(&seats_b, "bob", &["Circle B-5", "Circle B-6"]).unwrap();
    confirmed.extend(bob.iter().map(|l| (l.clone(), "bob".to_owned())));
    for (node, seats) in [("a", &seats_a), ("b", &seats_b)] {
        match buy_specific(seats, "cy", &["Circle B-4", "Circle B-5"]) {
            Err(CatalogError::Seats(SeatError::Unavailable { .. })) => {}
            other => panic!("Circle B-5 sold again on node {node}: {other:?}"),
        }
    }
    // A cancelled hold gives its seats back to every node.
    let dropped = seats_a
        .hold("dee", Priority::Regular, &["Circle A-1"])
        .unwrap();
    seats_a.cancel(dropped.id).unwrap();
    let eve = buy_specific(&seats_b, "eve", &["Circle A-1"]).unwrap();
    confirmed.extend(eve.iter().map(|l| (l.clone(), "eve".to_owned())));

    // Both nodes sell the rest at once, best-available, until none is left.
    let (bought_a, bought_b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| buy_until_sold_out(&seats_a, "a"));
        let b = scope.spawn(|| buy_until_sold_out(&seats_b, "b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(!bought_a.is_empty() && !bought_b.is_empty());
    confirmed.extend(bought_a);
    confirmed.extend(bought_b);

    // No seat confirmed twice, every seat confirmed, each recorded as sold
    // to the buyer it was confirmed to.
    let by_seat: HashMap<String, String> = confirmed.iter().cloned().collect();
    assert_eq!(by_seat.len(), confirmed.len(), "a seat confirmed twice");
    assert_eq!(by_seat.len(), SEATS);
    assert_eq!(sold_seats(&leases, id), by_seat);
    // No node-local seat journal was opened, let alone written.
    assert_eq!(event_journals(&prefix), 0);
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
    let (b, asked) = open_b_counting_ledgers(&prefix, false);
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
