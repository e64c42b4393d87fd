//! Copying a lone journal schema's rows into a catalog's schema, keyed by
//! the event they belong to: how the earlier schema-per-event layout moves
//! into one schema.

use super::{classify, PgStore};
use crate::codec::id_to_sql;
use crate::error::PersistError;

/// The journal tables' rows of a lone journal (schema `{old}`, event 0)
/// copied as event `$1`'s, each table in the order recorded so that
/// sequence numbers keep their order. Whatever event `$1` already had is
/// deleted first: it can only be an interrupted earlier copy.
const ADOPT: &[&str] = &[
    "DELETE FROM vendors WHERE event = $1",
    "DELETE FROM ticket_types WHERE event = $1",
    "DELETE FROM tickets WHERE event = $1",
    "DELETE FROM sales WHERE event = $1",
    "DELETE FROM events WHERE event = $1",
    "DELETE FROM event_config WHERE event = $1",
    "DELETE FROM seat_waves WHERE event = $1",
    "INSERT INTO vendors (event, name, added_seq) \
     SELECT $1, name, added_seq FROM {old}.vendors WHERE event = 0",
    "INSERT INTO ticket_types (event, vendor, name, position) \
     SELECT $1, vendor, name, position FROM {old}.ticket_types WHERE event = 0",
    "INSERT INTO tickets (event, id, ticket_type, vendor, base_price, released_at, seat) \
     SELECT $1, id, ticket_type, vendor, base_price, released_at, seat \
     FROM {old}.tickets WHERE event = 0",
    "INSERT INTO sales (event, ticket_id, customer, priority, price, sold_at, waited_ns, \
     hold_id, seat) SELECT $1, ticket_id, customer, priority, price, sold_at, waited_ns, \
     hold_id, seat FROM {old}.sales WHERE event = 0 ORDER BY seq",
    "INSERT INTO events (event, kind, ticket_id, body) \
     SELECT $1, kind, ticket_id, body FROM {old}.events WHERE event = 0 ORDER BY seq",
    "INSERT INTO event_config (event, recorded_at, reason, body) \
     SELECT $1, recorded_at, reason, body FROM {old}.event_config WHERE event = 0 ORDER BY seq",
    "INSERT INTO seat_waves (event, kind, name, block_rows, recorded_at) \
     SELECT $1, kind, name, block_rows, recorded_at FROM {old}.seat_waves \
     WHERE event = 0 ORDER BY seq",
];

impl PgStore {
    /// Copies the lone journal in schema `old` (at the current version)
    /// into this store's schema as event `event`'s journal and renames
    /// `old` to `renamed`, in one transaction: all of it or nothing, so
    /// an interrupted run is simply run again. Returns false, doing
    /// nothing, if `old` is gone (another process adopted it first).
    pub(crate) fn adopt_schema(
        &self,
        event: u64,
        old: &str,
        renamed: &str,
    ) -> Result<bool, PersistError> {
        super::check_schema(old)?;
        super::check_schema(renamed)?;
        let mut conn = self.conn();
        let result = (|| {
            let mut tx = conn.client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&old])?;
            let present = tx
                .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&old])?
                .is_some();
            if !present {
                return Ok(false);
            }
            let key = id_to_sql(event);
            for statement in ADOPT {
                // Both names are checked identifiers.
                tx.execute(&statement.replace("{old}", old), &[&key])?;
            }
            tx.batch_execute(&format!("ALTER SCHEMA {old} RENAME TO {renamed}"))?;
            tx.commit()?;
            Ok(true)
        })();
        result.map_err(|e| classify(&self.location, e))
    }
}

impl PgStore {
    /// The schemas of the earlier layout's event journals,
    /// `<prefix>_event_<id>`, with their event ids, in id order.
    pub(crate) fn event_schemas(&self, prefix: &str) -> Result<Vec<(u64, String)>, PersistError> {
        let head = format!("{prefix}_event_");
        let rows = self
            .conn()
            .client
            .query(
                "SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname, $1)",
                &[&head],
            )
            .map_err(|e| classify(&self.location, e.into()))?;
        let mut schemas = Vec::new();
        for row in rows {
            let name: String = row.try_get(0)?;
            let id = name
                .strip_prefix(&head)
                .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|id| id.parse::<u64>().ok());
            if let Some(id) = id {
                schemas.push((id, name));
            }
        }
        schemas.sort_unstable();
        Ok(schemas)
    }
}
