//! The PostgreSQL a run uses (127.0.0.1:5432, or `TICKETPOOL_PG_URL`):
//! a client off the async threads, and the run's own schema prefix (the
//! catalog's schema and each event's), dropped when the run ends. Without
//! a server the run says so and is skipped, unless
//! `TICKETPOOL_PG_REQUIRED=1` (as ticketpool-server's tests do).

use std::io::Write;

use postgres::{Client, NoTls};

/// The server's connection parameters.
pub fn params() -> String {
    std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?connect_timeout=3".into())
}

/// Runs `work` with a client, on a thread of its own (the blocking client
/// must not run on the async threads); `None` if no server answers.
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

/// A run's schema prefix: `<prefix>` holds the catalog and accounts,
/// `<prefix>_event_<id>` each event's sales. Dropped on drop.
pub struct Schemas(pub String);

impl Schemas {
    /// A fresh prefix `<tag><pid>`, or `None` (with a notice) if no
    /// PostgreSQL answers.
    pub fn fresh(tag: &str) -> Option<Self> {
        if with_client(|_| ()).is_none() {
            assert!(
                std::env::var_os("TICKETPOOL_PG_REQUIRED").map_or(true, |v| v != "1"),
                "TICKETPOOL_PG_REQUIRED=1 but PostgreSQL is unreachable at `{}`",
                params()
            );
            // Past the harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED: {tag}: no PostgreSQL at `{}`; start one or set TICKETPOOL_PG_URL",
                params()
            );
            return None;
        }
        let schemas = Self(format!("{tag}{}", std::process::id()));
        schemas.drop_all();
        Some(schemas)
    }

    fn drop_all(&self) {
        let prefix = self.0.clone();
        with_client(move |client| {
            let names: Vec<String> = client
                .query(
                    "SELECT schema_name::text FROM information_schema.schemata \
                     WHERE schema_name = $1 OR starts_with(schema_name, $1 || '_event_')",
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
