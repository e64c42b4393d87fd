//! PostgreSQL for tests: the server (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`), a client off the async threads, and a schema
//! prefix per test dropped when done. Without a server a test says so on
//! stderr and passes, unless `TICKETPOOL_PG_REQUIRED=1`. Shared by the
//! integration tests (`support::pg`) and the crate's own store suite.
#![allow(dead_code)] // each user takes a part

use std::io::Write;

use postgres::{Client, NoTls};

/// The test server's connection parameters.
pub fn params() -> String {
    std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?connect_timeout=3".into())
}

/// Runs `work` with a client of the test server, off the async threads
/// (the blocking client must not run on them); `None` if none answers.
pub fn with_client<T: Send + 'static>(
    work: impl FnOnce(&mut Client) -> T + Send + 'static,
) -> Option<T> {
    std::thread::spawn(move || {
        let mut client = Client::connect(&params(), NoTls).ok()?;
        Some(work(&mut client))
    })
    .join()
    .expect("the PostgreSQL client thread")
}

/// A test's schemas (the catalog's, its events' and its ticket leases'),
/// dropped when done.
pub struct Schemas(pub String);

impl Schemas {
    fn drop_all(&self) {
        let prefix = self.0.clone();
        with_client(move |client| {
            let names: Vec<String> = client
                .query(
                    "SELECT schema_name::text FROM information_schema.schemata \
                     WHERE schema_name = $1 OR schema_name = $1 || '_lease' \
                        OR starts_with(schema_name, $1 || '_event_')",
                    &[&prefix],
                )
                .map(|rows| rows.iter().map(|row| row.get(0)).collect())
                .unwrap_or_default();
            for name in names {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
            }
        });
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        self.drop_all();
    }
}

/// A fresh schema prefix for `test` (`<tag><pid>_<test>`), or `None`
/// (with a notice) if no PostgreSQL answers.
pub fn schemas(tag: &str, test: &str) -> Option<Schemas> {
    if with_client(|_| ()).is_none() {
        assert!(
            std::env::var_os("TICKETPOOL_PG_REQUIRED").is_none_or(|v| v != "1"),
            "TICKETPOOL_PG_REQUIRED=1 but PostgreSQL is unreachable at `{}`",
            params()
        );
        // Past the harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED: {test} on PostgreSQL: no server at `{}`; start one or set \
             TICKETPOOL_PG_URL",
            params()
        );
        return None;
    }
    let schemas = Schemas(format!("{tag}{}_{test}", std::process::id()));
    schemas.drop_all();
    Some(schemas)
}
