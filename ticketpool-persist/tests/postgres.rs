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
                supported: 4,
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
