//! The journal suite against PostgreSQL (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`), each test in its own schema so they run in
//! parallel. Without a server the tests say so on stderr and pass, unless
//! `TICKETPOOL_PG_REQUIRED=1`, when they fail.
#![cfg(feature = "postgres")]

#[macro_use]
mod suite;

use std::io::Write;
use std::sync::Once;

use postgres::{Client, NoTls};
use ticketpool_persist::{PersistError, PgStore};

use suite::Db;

fn params() -> String {
    std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "host=127.0.0.1 user=postgres dbname=test connect_timeout=3".into())
}

/// One journal in its own schema, dropped afterwards.
pub struct PgDb {
    schema: String,
}

impl PgDb {
    fn admin() -> Client {
        Client::connect(&params(), NoTls).expect("server went away")
    }
}

impl Db for PgDb {
    type Store = PgStore;

    fn open(&self) -> Result<PgStore, PersistError> {
        PgStore::connect(&params(), &self.schema)
    }

    fn reset(&self) {
        Self::admin()
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            .unwrap();
    }

    fn tamper(&self, sql: &str) {
        Self::admin()
            .batch_execute(&format!("SET search_path TO {}; {sql}", self.schema))
            .expect("tamper");
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&params(), NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

static SKIP_NOTICE: Once = Once::new();

/// A fresh schema for `test`, or `None` (with a notice) if no server
/// answers.
fn pg_db(test: &str) -> Option<PgDb> {
    match Client::connect(&params(), NoTls) {
        Ok(_) => {}
        Err(err) => {
            if std::env::var_os("TICKETPOOL_PG_REQUIRED").is_some_and(|v| v == "1") {
                panic!("TICKETPOOL_PG_REQUIRED=1 but PostgreSQL is unreachable: {err}");
            }
            SKIP_NOTICE.call_once(|| {
                // Straight to the process's stderr, past the test harness's
                // capture, so the skip is seen.
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "SKIPPED: PostgreSQL journal tests: no server at `{}` ({err}); \
                     start one or set TICKETPOOL_PG_URL",
                    params()
                );
            });
            return None;
        }
    }
    let schema: String = format!("tp_{}_{}", std::process::id(), test)
        .chars()
        .take(63)
        .collect();
    let db = PgDb { schema };
    db.reset();
    Some(db)
}

journal_suite!(pg_db);
catalog_suite!(pg_db);

impl suite::MyTickets for PgStore {
    fn my_tickets(
        &mut self,
        customer: &str,
        limit: usize,
    ) -> Result<Vec<ticketpool_persist::BookedTicket>, PersistError> {
        PgStore::my_tickets(self, customer, limit)
    }
}

#[test]
fn a_schema_holding_other_tables_is_refused_untouched() {
    let Some(db) = pg_db("foreign") else { return };
    PgDb::admin()
        .batch_execute(&format!(
            "CREATE SCHEMA {0}; CREATE TABLE {0}.customers (name TEXT)",
            db.schema
        ))
        .unwrap();
    let err = db.open().unwrap_err();
    assert!(matches!(err, PersistError::Foreign { .. }), "{err:?}");
    assert!(err.to_string().contains("customers"), "{err}");
    let tables: i64 = PgDb::admin()
        .query_one(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1",
            &[&db.schema],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);
}

#[test]
fn a_journal_from_a_newer_build_is_refused() {
    let Some(db) = pg_db("too_new") else { return };
    drop(db.open().unwrap());
    PgDb::admin()
        .batch_execute(&format!(
            "UPDATE {}.schema_version SET version = 99",
            db.schema
        ))
        .unwrap();
    let err = db.open().unwrap_err();
    assert!(
        matches!(
            err,
            PersistError::SchemaTooNew {
                found: 99,
                supported: 7,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_bad_schema_name_is_a_config_error() {
    let err = PgStore::connect(&params(), "x; DROP TABLE y").unwrap_err();
    assert!(matches!(err, PersistError::Config(_)), "{err:?}");
}

#[test]
fn no_server_is_an_open_error() {
    let err =
        PgStore::connect("host=127.0.0.1 port=1 user=postgres connect_timeout=2", "x").unwrap_err();
    assert!(matches!(err, PersistError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot open the journal"), "{err}");
}

/// Drops the per-event schemas of a test's catalog, pass or fail.
struct EventSchemas(String);

impl Drop for EventSchemas {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&params(), NoTls) {
            for id in 1..=2 {
                let _ = client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {}_e{id} CASCADE", self.0));
            }
        }
    }
}

/// One PostgreSQL database holds the catalog (in the test's schema) and
/// each event's sales (a schema per event beside it): two events sell, the
/// catalog is dropped without closing and reopened, and every event comes
/// back with its status, sales and unsold tickets.
#[test]
fn a_catalog_on_postgres_reopens_with_every_events_sales() {
    use ticketpool_catalog::{
        Catalog, CatalogOptions, DisplayZone, EventId, EventStatus, NewEvent, NewVenue, SearchQuery,
    };
    use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
    use ticketpool_persist::{catalog_offices, Durability, JournalConfig};

    let Some(db) = pg_db("catalog_offices") else {
        return;
    };
    let _cleanup = EventSchemas(db.schema.clone());
    let open = || {
        let schema = db.schema.clone();
        let offices = catalog_offices(
            move |id: EventId| PgStore::connect(&params(), &format!("{schema}_e{}", id.0)),
            JournalConfig::new(Durability::Confirmed),
        );
        let options = CatalogOptions {
            offices: Some(offices),
            ..CatalogOptions::default()
        };
        Catalog::open_with(db.open().unwrap(), options).unwrap()
    };
    let catalog = open();
    let venue = catalog
        .add_venue(NewVenue {
            name: "Philharmonie".into(),
            city: "Berlin".into(),
            capacity: 2_400,
        })
        .unwrap();
    let mut ids = Vec::new();
    let mut sales = Vec::new();
    for (name, sold) in [("Mahler Nine", 2), ("Bruckner Seven", 1)] {
        let id = catalog
            .create_event(NewEvent {
                name: name.into(),
                description: String::new(),
                performers: Vec::new(),
                venue,
                starts_at: "2030-03-01T19:00:00Z".parse().unwrap(),
                time_zone: DisplayZone::new("Europe/Berlin").unwrap(),
                categories: vec!["classical".into()],
                office: BoxOfficeConfig::simple(name, 10, 4, Money::from_minor(8_000)),
            })
            .unwrap();
        catalog.put_on_sale(id).unwrap();
        let office = catalog.office(id).unwrap();
        let vendor = office.add_vendor("desk", &[]).unwrap();
        for _ in 0..3 {
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
    drop(catalog);

    let catalog = open();
    assert_eq!(catalog.event(ids[0]).unwrap().status, EventStatus::OnSale);
    assert_eq!(catalog.event(ids[1]).unwrap().status, EventStatus::Paused);
    for (id, sold) in ids.iter().zip(&sales) {
        let office = catalog.office(*id).unwrap();
        assert_eq!(&office.sales(), sold, "{id}");
        assert_eq!(office.snapshot().totals.available, 3 - sold.len() as u64);
    }
    let found = catalog.search(&SearchQuery::text("mahler")).unwrap();
    assert_eq!(found.hits[0].event, ids[0]);
}
