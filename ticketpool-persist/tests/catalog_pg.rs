//! `CatalogPg`: a durable catalog in PostgreSQL (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`), reopened, and a customer's tickets across its
//! events (one query on the catalog schema, which holds every event's
//! sales). Each test has its own schema prefix and drops it and any
//! earlier-layout event schemas at the end. Without a server the tests say so
//! on stderr and pass, unless `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(all(feature = "postgres", feature = "catalog"))]

use std::io::Write;

use postgres::{Client, NoTls};
use ticketpool_catalog::{
    Catalog, CatalogError, CatalogOptions, DisplayZone, EventId, EventStatus, NewEvent, NewVenue,
    SearchQuery, VenueId,
};
use ticketpool_core::{BoxOfficeConfig, Money, Priority};
use ticketpool_persist::{
    catalog_offices, CatalogHome, CatalogPg, Durability, JournalConfig, PersistError, PgStore,
};

fn params() -> String {
    std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?connect_timeout=3".into())
}

/// The catalog's schema and its events' schemas, dropped when done.
struct Schemas(String);

impl Schemas {
    /// The catalog's schema and the earlier layout's event schemas
    /// (migrated or not), sorted.
    fn names(&self, client: &mut Client) -> Vec<String> {
        let mut names: Vec<String> = client
            .query(
                "SELECT nspname::text FROM pg_namespace \
                 WHERE nspname = $1 OR starts_with(nspname, $1 || '_event_')",
                &[&self.0],
            )
            .map(|rows| rows.iter().map(|row| row.get(0)).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    fn drop_all(&self) {
        if let Ok(mut client) = Client::connect(&params(), NoTls) {
            let names: Vec<String> = client
                .query(
                    "SELECT schema_name::text FROM information_schema.schemata \
                     WHERE schema_name = $1 OR starts_with(schema_name, $1 || '_event_')",
                    &[&self.0],
                )
                .map(|rows| rows.iter().map(|row| row.get(0)).collect())
                .unwrap_or_default();
            for name in names {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
            }
        }
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        self.drop_all();
    }
}

/// A `CatalogPg` on a fresh prefix for `test`, or `None` (with a notice)
/// if no server answers.
fn home(test: &str) -> Option<(CatalogPg, Schemas)> {
    if let Err(err) = Client::connect(&params(), NoTls) {
        if std::env::var_os("TICKETPOOL_PG_REQUIRED").is_some_and(|v| v == "1") {
            panic!("TICKETPOOL_PG_REQUIRED=1 but PostgreSQL is unreachable: {err}");
        }
        // Past the harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED: CatalogPg {test}: no PostgreSQL at `{}` ({err}); start one or set \
             TICKETPOOL_PG_URL",
            params()
        );
        return None;
    }
    let prefix: String = format!("tpc{}_{test}", std::process::id())
        .chars()
        .take(36)
        .collect();
    let schemas = Schemas(prefix.clone());
    schemas.drop_all();
    Some((CatalogPg::new(&params(), &prefix).unwrap(), schemas))
}

fn event(venue: VenueId, name: &str) -> NewEvent {
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

fn venue(catalog: &Catalog) -> VenueId {
    catalog
        .add_venue(NewVenue {
            name: "Hall".into(),
            city: "Lyon".into(),
            capacity: 100,
        })
        .unwrap()
}

/// Releases one ticket of `id` and sells it to `customer`.
fn sell(catalog: &Catalog, id: EventId, customer: &str) {
    let office = catalog.office(id).unwrap();
    let vendor = office
        .vendor("desk")
        .or_else(|_| office.add_vendor("desk", &[]))
        .unwrap();
    vendor.release("general").unwrap();
    office
        .customer(customer, Priority::Regular)
        .buy("general")
        .unwrap();
}

#[test]
fn a_reopened_catalog_has_its_events_statuses_and_sales() {
    for durability in [Durability::Confirmed, Durability::Batched] {
        let name = format!("reopen_{durability:?}").to_lowercase();
        let Some((pg, _schemas)) = home(&name) else {
            return;
        };
        let pg = pg.with_durability(durability);
        assert_eq!(pg.durability(), durability);
        let catalog = pg.open(CatalogOptions::default()).unwrap();
        let hall = venue(&catalog);
        let (a, b) = (
            catalog.create_event(event(hall, "mahler nine")).unwrap(),
            catalog.create_event(event(hall, "bruckner seven")).unwrap(),
        );
        catalog.put_on_sale(a).unwrap();
        catalog.put_on_sale(b).unwrap();
        sell(&catalog, a, "ann");
        sell(&catalog, a, "bob");
        sell(&catalog, b, "ann");
        catalog.pause(b).unwrap();
        let sales = [
            catalog.office(a).unwrap().sales(),
            catalog.office(b).unwrap().sales(),
        ];
        drop(catalog);

        let catalog = pg.open(CatalogOptions::default()).unwrap();
        assert_eq!(catalog.event(a).unwrap().status, EventStatus::OnSale);
        assert_eq!(catalog.event(b).unwrap().status, EventStatus::Paused);
        assert_eq!(catalog.office(a).unwrap().sales(), sales[0]);
        assert_eq!(catalog.office(b).unwrap().sales(), sales[1]);
        assert_eq!(catalog.availability(a).unwrap().totals.sold, 2);
        let found = catalog.search(&SearchQuery::text("bruckner")).unwrap();
        assert_eq!(found.hits[0].event, b);
    }
}

#[test]
fn my_tickets_merge_every_event_newest_first() {
    let Some((pg, schemas)) = home("my_tickets") else {
        return;
    };
    let catalog = pg.open(CatalogOptions::default()).unwrap();
    let hall = venue(&catalog);
    let (a, b, draft) = (
        catalog.create_event(event(hall, "first")).unwrap(),
        catalog.create_event(event(hall, "second")).unwrap(),
        catalog.create_event(event(hall, "draft")).unwrap(),
    );
    catalog.put_on_sale(a).unwrap();
    catalog.put_on_sale(b).unwrap();
    // Bought in the order a, b, a: newest first is a, b, a.
    for id in [a, b, a] {
        sell(&catalog, id, "ann");
    }
    sell(&catalog, b, "bob");

    let all = [a, b, draft, EventId(99)];
    let tickets = pg.my_tickets(&all, "ann", 10).unwrap();
    let events: Vec<EventId> = tickets.iter().map(|t| t.event).collect();
    assert_eq!(events, [a, b, a]);
    assert!(tickets
        .windows(2)
        .all(|w| w[0].booked.sold_at >= w[1].booked.sold_at));
    assert_eq!(tickets[0].booked.event, "first");
    assert_eq!(pg.my_tickets(&all, "ann", 2).unwrap().len(), 2);
    assert_eq!(pg.my_tickets(&all, "bob", 10).unwrap().len(), 1);
    assert!(pg.my_tickets(&all, "cy", 10).unwrap().is_empty());
    // The same through the home a server holds, after a reopen.
    drop(catalog);
    let home = CatalogHome::from(pg.clone());
    let again = home.open(CatalogOptions::default()).unwrap();
    assert_eq!(home.my_tickets(&all, "ann", 10).unwrap(), tickets);
    // Reading never creates a schema for an event (the earlier layout's).
    let mut client = Client::connect(&params(), NoTls).unwrap();
    let made: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ANY($1)",
            &[&vec![pg.event_schema(draft), pg.event_schema(EventId(99))]],
        )
        .unwrap()
        .get(0);
    assert_eq!(made, 0);
    drop(again);
    drop(schemas);
}

#[test]
fn a_bad_url_or_prefix_is_a_config_error() {
    for params in [
        "http://example.com/db",
        "not a url",
        "postgres://127.0.0.1:notaport/x",
    ] {
        let err = CatalogPg::new(params, "ticketpool").unwrap_err();
        assert!(matches!(err, PersistError::Config(_)), "{params}: {err:?}");
    }
    let err = CatalogPg::new("postgres://:secret@127.0.0.1/test", "ticketpool").unwrap_err();
    assert!(err.to_string().contains("no user"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
    for prefix in ["", "Ticketpool", "a; DROP", &"x".repeat(37)] {
        let err = CatalogPg::new("postgres://postgres@127.0.0.1/test", prefix).unwrap_err();
        assert!(
            matches!(err, PersistError::Config(_)),
            "{prefix:?}: {err:?}"
        );
    }
    let fine = CatalogPg::new("host=127.0.0.1 port=5433 user=ann dbname=sales", "tp").unwrap();
    assert_eq!(fine.server(), "ann@127.0.0.1:5433/sales");
    assert_eq!(fine.event_schema(EventId(7)), "tp_event_7");
}

#[test]
fn an_unreachable_server_is_a_store_error_naming_it() {
    let pg = CatalogPg::new(
        "postgres://postgres:hunter2@127.0.0.1:1/test?connect_timeout=2",
        "ticketpool",
    )
    .unwrap();
    let err = CatalogHome::from(pg.clone())
        .open(CatalogOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, CatalogError::Store(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("postgres@127.0.0.1:1/test"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
    let err = pg.my_tickets(&[EventId(1)], "ann", 10).unwrap_err();
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
    assert!(!format!("{pg:?}").contains("hunter2"));
}

/// A client of the test's own, for looking at the tables.
fn client() -> Client {
    Client::connect(&params(), NoTls).unwrap()
}

/// `(event, customer)` of every sale in the schema's `sales` table.
fn sales_rows(client: &mut Client, schema: &str) -> Vec<(i64, String)> {
    client
        .query(
            &format!("SELECT event, customer FROM {schema}.sales ORDER BY event, seq"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

#[test]
fn two_events_sales_live_in_the_catalog_schema_and_come_back() {
    let Some((pg, schemas)) = home("two") else {
        return;
    };
    let (prefix, mut client) = (pg.schema().to_owned(), client());
    let catalog = pg.open(CatalogOptions::default()).unwrap();
    let hall = venue(&catalog);
    let a = catalog.create_event(event(hall, "first")).unwrap();
    let b = catalog.create_event(event(hall, "second")).unwrap();
    catalog.put_on_sale(a).unwrap();
    catalog.put_on_sale(b).unwrap();
    // Interleaved, so each event's rows sit between the other's.
    for (id, who) in [(a, "ann"), (b, "bob"), (a, "cy"), (b, "dee"), (a, "eve")] {
        sell(&catalog, id, who);
    }
    let sales = [
        catalog.office(a).unwrap().sales(),
        catalog.office(b).unwrap().sales(),
    ];
    assert_eq!(sales[0].len(), 3);
    assert_eq!(sales[1].len(), 2);
    drop(catalog);

    let (ka, kb) = (i64::try_from(a.0).unwrap(), i64::try_from(b.0).unwrap());
    assert_eq!(
        sales_rows(&mut client, &prefix),
        [
            (ka, "ann".into()),
            (ka, "cy".into()),
            (ka, "eve".into()),
            (kb, "bob".into()),
            (kb, "dee".into())
        ]
    );
    assert_eq!(
        schemas.names(&mut client),
        vec![prefix.clone()],
        "no schema per event"
    );

    let catalog = pg.open(CatalogOptions::default()).unwrap();
    assert_eq!(catalog.office(a).unwrap().sales(), sales[0]);
    assert_eq!(catalog.office(b).unwrap().sales(), sales[1]);
    // Each event's ticket ids are its own: both start at the same id.
    assert_eq!(sales[0][0].ticket.id, sales[1][0].ticket.id);
    assert_eq!(
        pg.event_store(b)
            .unwrap()
            .my_tickets("dee", 10)
            .unwrap()
            .len(),
        1
    );
    drop(catalog);
}

#[test]
fn many_events_on_sale_share_a_bounded_number_of_connections() {
    let Some((pg, _schemas)) = home("many") else {
        return;
    };
    let (prefix, mut client) = (pg.schema().to_owned(), client());
    // The catalog's connections name themselves, so they can be counted.
    let app = format!("{prefix}_app");
    let params = format!("{}&application_name={app}", params());
    assert!(params.contains('?'), "the URL takes query parameters");
    let pg = CatalogPg::new(&params, &prefix).unwrap();
    let catalog = pg.open(CatalogOptions::default()).unwrap();
    let hall = venue(&catalog);
    let events: Vec<EventId> = (0..30)
        .map(|i| {
            let id = catalog
                .create_event(event(hall, &format!("show {i}")))
                .unwrap();
            catalog.put_on_sale(id).unwrap();
            sell(&catalog, id, "ann");
            id
        })
        .collect();
    assert_eq!(pg.my_tickets(&events, "ann", 100).unwrap().len(), 30);
    let backends = |client: &mut Client| -> i64 {
        client
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&app],
            )
            .unwrap()
            .get(0)
    };
    // The events' journals' writer connections per schema
    // (`WRITERS` in src/postgres/writers.rs).
    const WRITERS: i64 = 8;
    let open = backends(&mut client);
    // The catalog's connection, its writers and one idle reader, not one
    // per event.
    assert!(open >= 1, "the catalog's connection is seen ({open})");
    assert!(
        open <= 2 + WRITERS,
        "30 events on sale hold {open} connections"
    );
    drop(catalog);

    let catalog = pg.open(CatalogOptions::default()).unwrap();
    for &id in &events {
        assert_eq!(catalog.office(id).unwrap().sales().len(), 1);
    }
    assert!(
        backends(&mut client) <= 3 + 2 * WRITERS,
        "reopened: catalog, writers, reader, the ones closing"
    );
    drop(catalog);
}

/// The earlier layout, as the previous `CatalogPg` wrote it: the catalog in
/// `<prefix>`, each event's journal in `<prefix>_event_<id>`, rows keyed 0.
fn old_catalog(prefix: &str) -> Catalog {
    let events_prefix = prefix.to_owned();
    let offices = catalog_offices(
        move |id: EventId| PgStore::connect(&params(), &format!("{events_prefix}_event_{}", id.0)),
        JournalConfig::per_event(Durability::Confirmed),
    );
    Catalog::open_with(
        PgStore::connect(&params(), prefix).unwrap(),
        CatalogOptions {
            offices: Some(offices),
            ..CatalogOptions::default()
        },
    )
    .unwrap()
}

/// The earlier layout with two events on sale: ann bought at both, bob
/// at the first.
fn old_catalog_with_sales(prefix: &str) -> (Catalog, EventId, EventId) {
    let old = old_catalog(prefix);
    let hall = venue(&old);
    let a = old.create_event(event(hall, "first")).unwrap();
    let b = old.create_event(event(hall, "second")).unwrap();
    old.put_on_sale(a).unwrap();
    old.put_on_sale(b).unwrap();
    for (id, who) in [(a, "ann"), (b, "ann"), (a, "bob")] {
        sell(&old, id, who);
    }
    (old, a, b)
}

#[test]
fn a_schema_per_event_is_migrated_into_the_catalog_schema_and_kept_renamed() {
    let Some((pg, schemas)) = home("migrate") else {
        return;
    };
    let (prefix, mut client) = (pg.schema().to_owned(), client());
    let (old, a, b) = old_catalog_with_sales(&prefix);
    let sales = [
        old.office(a).unwrap().sales(),
        old.office(b).unwrap().sales(),
    ];
    drop(old);
    let (old_a, old_b) = (pg.event_schema(a), pg.event_schema(b));
    assert_eq!(
        sales_rows(&mut client, &old_a).len(),
        2,
        "the old layout was written"
    );
    assert!(sales_rows(&mut client, &prefix).is_empty());

    let catalog = pg.open(CatalogOptions::default()).unwrap();
    assert_eq!(catalog.office(a).unwrap().sales(), sales[0]);
    assert_eq!(catalog.office(b).unwrap().sales(), sales[1]);
    assert_eq!(sales_rows(&mut client, &prefix).len(), 3);
    let mut expected = vec![
        prefix.clone(),
        format!("{old_a}_migrated"),
        format!("{old_b}_migrated"),
    ];
    expected.sort();
    assert_eq!(
        schemas.names(&mut client),
        expected,
        "old schemas kept, renamed"
    );
    // My tickets across the migrated events: one query on the catalog schema.
    let mine = pg.my_tickets(&[a, b], "ann", 10).unwrap();
    let mut events: Vec<EventId> = mine.iter().map(|t| t.event).collect();
    events.sort();
    assert_eq!(events, [a, b]);
    // Sell on after the migration; then a rerun of an interrupted migration
    // (the old schema back under its name) replaces the event's rows with
    // the old copy, never doubling them.
    sell(&catalog, b, "cy");
    drop(catalog);
    client
        .batch_execute(&format!("ALTER SCHEMA {old_a}_migrated RENAME TO {old_a}"))
        .unwrap();
    let catalog = pg.open(CatalogOptions::default()).unwrap();
    assert_eq!(catalog.office(a).unwrap().sales(), sales[0]);
    assert_eq!(catalog.office(b).unwrap().sales().len(), 2);
    assert_eq!(sales_rows(&mut client, &prefix).len(), 4);
    assert_eq!(schemas.names(&mut client), expected);
    drop(catalog);
}

/// "My tickets" on a catalog still in the earlier layout, before anything
/// opened it: the events' schemas are migrated first, so the customer's
/// tickets are found (they were not: the read went to the empty catalog
/// schema only).
#[test]
fn my_tickets_before_opening_an_old_layout_catalog_finds_its_sales() {
    let Some((pg, schemas)) = home("mine_old") else {
        return;
    };
    let (prefix, mut client) = (pg.schema().to_owned(), client());
    let (old, a, b) = old_catalog_with_sales(&prefix);
    drop(old);

    let mine = pg.my_tickets(&[a, b], "ann", 10).unwrap();
    let mut events: Vec<EventId> = mine.iter().map(|t| t.event).collect();
    events.sort();
    assert_eq!(events, [a, b]);
    assert_eq!(pg.my_tickets(&[a], "bob", 10).unwrap().len(), 1);
    assert_eq!(sales_rows(&mut client, &prefix).len(), 3, "migrated once");
    assert!(schemas
        .names(&mut client)
        .iter()
        .all(|name| *name == prefix || name.ends_with("_migrated")));
}
