//! What admins changed about an event's vendors, in `<data>/vendors.db`
//! (SQLite), so a restart brings back the vendors they added, leaves out
//! the ones they removed and keeps the rates they set.
//!
//! The event's configuration names its vendors; this store only keeps
//! the differences. A clean stop removes every vendor from the office
//! (that ends their waiting releases), so the office's journal cannot be
//! the record of which vendors should run.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use rusqlite::{params, Connection};
use ticketpool_catalog::EventId;

/// The vendors database's file name in the data directory.
pub(crate) const VENDORS_FILE: &str = "vendors.db";

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS vendors (
        event INTEGER NOT NULL,
        name TEXT NOT NULL,
        ticket_types TEXT NOT NULL,
        rate REAL,
        removed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (event, name)
    );
";

/// One vendor as an admin left it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VendorRecord {
    /// Its name, unique in the event.
    pub(crate) name: String,
    /// The types it releases (empty: every type).
    pub(crate) ticket_types: Vec<String>,
    /// Tickets a second (`None`: as fast as there is room).
    pub(crate) rate: Option<f64>,
    /// Removed by an admin: not started again.
    pub(crate) removed: bool,
}

/// The vendors database.
pub(crate) struct VendorStore {
    db: Mutex<Connection>,
}

impl VendorStore {
    /// Opens (creating if needed) the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, rusqlite::Error> {
        let db = Connection::open(path)?;
        db.execute_batch(SCHEMA)?;
        Ok(Self { db: Mutex::new(db) })
    }

    /// Every record of event `id`, by name.
    pub(crate) fn of_event(&self, id: EventId) -> Result<Vec<VendorRecord>, rusqlite::Error> {
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        let mut query = db.prepare(
            "SELECT name, ticket_types, rate, removed FROM vendors WHERE event = ?1 ORDER BY name",
        )?;
        let rows = query.query_map(params![key(id)], |row| {
            let types: String = row.get(1)?;
            Ok(VendorRecord {
                name: row.get(0)?,
                ticket_types: split_types(&types),
                rate: row.get(2)?,
                removed: row.get(3)?,
            })
        })?;
        rows.collect()
    }

    /// Records vendor `record` of event `id`, replacing what was there.
    pub(crate) fn put(&self, id: EventId, record: &VendorRecord) -> Result<(), rusqlite::Error> {
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        db.execute(
            "INSERT INTO vendors (event, name, ticket_types, rate, removed)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (event, name) DO UPDATE SET
                ticket_types = excluded.ticket_types,
                rate = excluded.rate,
                removed = excluded.removed",
            params![
                key(id),
                record.name,
                record.ticket_types.join("\n"),
                record.rate,
                record.removed
            ],
        )?;
        Ok(())
    }
}

/// Event ids as SQLite stores them (ids are dense from 1, far below
/// `i64::MAX`).
fn key(id: EventId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

/// Type names are stored one per line (a type name has no line break).
fn split_types(stored: &str) -> Vec<String> {
    stored
        .split('\n')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening_and_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VENDORS_FILE);
        let mut record = VendorRecord {
            name: "north".to_owned(),
            ticket_types: vec!["general".to_owned(), "balcony".to_owned()],
            rate: Some(2.5),
            removed: false,
        };
        VendorStore::open(&path)
            .unwrap()
            .put(EventId(3), &record)
            .unwrap();
        let store = VendorStore::open(&path).unwrap();
        assert_eq!(store.of_event(EventId(3)).unwrap(), vec![record.clone()]);
        assert!(store.of_event(EventId(4)).unwrap().is_empty());
        record.rate = None;
        record.removed = true;
        record.ticket_types.clear();
        store.put(EventId(3), &record).unwrap();
        assert_eq!(store.of_event(EventId(3)).unwrap(), vec![record]);
    }
}
