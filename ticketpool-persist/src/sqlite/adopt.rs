//! Copying a lone journal file's rows into a catalog's database, keyed by
//! the event they belong to: how the earlier one-file-per-event layout
//! moves into one database.

use std::path::Path;

use rusqlite::TransactionBehavior;

use super::{classify, SqliteStore};
use crate::codec::id_to_sql;
use crate::error::PersistError;

/// The journal tables' rows of a lone journal (`old`, event 0) copied as
/// event `$1`'s, each table in the order recorded so that sequence
/// numbers keep their order. Whatever event `$1` already had is deleted
/// first: it can only be an interrupted earlier copy of the same file.
const ADOPT: &[&str] = &[
    "DELETE FROM main.vendors WHERE event = ?1",
    "DELETE FROM main.ticket_types WHERE event = ?1",
    "DELETE FROM main.tickets WHERE event = ?1",
    "DELETE FROM main.sales WHERE event = ?1",
    "DELETE FROM main.events WHERE event = ?1",
    "DELETE FROM main.event_config WHERE event = ?1",
    "DELETE FROM main.seat_waves WHERE event = ?1",
    "INSERT INTO main.vendors (event, name, added_seq) \
     SELECT ?1, name, added_seq FROM old.vendors WHERE event = 0",
    "INSERT INTO main.ticket_types (event, vendor, name, position) \
     SELECT ?1, vendor, name, position FROM old.ticket_types WHERE event = 0",
    "INSERT INTO main.tickets (event, id, ticket_type, vendor, base_price, released_at, seat) \
     SELECT ?1, id, ticket_type, vendor, base_price, released_at, seat \
     FROM old.tickets WHERE event = 0",
    "INSERT INTO main.sales (event, ticket_id, customer, priority, price, sold_at, waited_ns, \
     hold_id, seat) SELECT ?1, ticket_id, customer, priority, price, sold_at, waited_ns, \
     hold_id, seat FROM old.sales WHERE event = 0 ORDER BY seq",
    "INSERT INTO main.events (event, kind, ticket_id, body) \
     SELECT ?1, kind, ticket_id, body FROM old.events WHERE event = 0 ORDER BY seq",
    "INSERT INTO main.event_config (event, recorded_at, reason, body) \
     SELECT ?1, recorded_at, reason, body FROM old.event_config WHERE event = 0 ORDER BY seq",
    "INSERT INTO main.seat_waves (event, kind, name, block_rows, recorded_at) \
     SELECT ?1, kind, name, block_rows, recorded_at FROM old.seat_waves \
     WHERE event = 0 ORDER BY seq",
];

impl SqliteStore {
    /// Copies the lone journal in `file` into this database as event
    /// `event`'s journal, in one transaction (all of it or nothing),
    /// replacing whatever that event had. `file` is first opened as a
    /// journal of its own, which brings it to the current schema and
    /// moves its WAL into it; it is left in place, unchanged otherwise.
    pub(crate) fn adopt_journal(&self, event: u64, file: &Path) -> Result<(), PersistError> {
        drop(SqliteStore::open(file)?);
        let location = file.display().to_string();
        let path = file.to_str().ok_or_else(|| PersistError::Open {
            location: location.clone(),
            source: "the journal's path is not UTF-8".into(),
        })?;
        let mut conn = self.conn();
        conn.execute("ATTACH DATABASE ?1 AS old", [path])
            .map_err(|e| classify(&location, e.into()))?;
        let copied = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for statement in ADOPT {
                tx.execute(statement, [id_to_sql(event)])?;
            }
            tx.commit()
        })();
        let detached = conn.execute_batch("DETACH DATABASE old");
        copied.map_err(|e| classify(&self.location, e.into()))?;
        detached.map_err(|e| classify(&self.location, e.into()))
    }
}
