//! The embedded default: one SQLite file in WAL mode, no server.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{
    params, CachedStatement, Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior,
};
use ticketpool_core::{Event, RecoveredState, Sale, Ticket, TicketId};

use crate::apply::{apply, Tables};
use crate::codec::{self, Interner, SaleRow, TicketRow};
use crate::config::Durability;
use crate::error::PersistError;
use crate::recover::group_vendors;
use crate::schema;
use crate::settings::EventSettings;
use crate::store::{Outcome, Store};

mod vetted;

/// A journal in one SQLite file (WAL mode).
///
/// `synchronous=FULL` under [`Durability::Confirmed`] (a committed sale
/// survives a power loss), `NORMAL` under [`Durability::Batched`].
///
/// # Examples
///
/// ```
/// use ticketpool_persist::{SqliteStore, Store};
///
/// let dir = tempfile::tempdir().unwrap();
/// let mut store = SqliteStore::open(dir.path().join("sales.db")).unwrap();
/// let state = store.recover().unwrap(); // a new journal is empty
/// assert_eq!(state.released, 0);
/// ```
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    location: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens the journal at `path`, creating it if the file does not exist
    /// or is empty, and migrating an older schema.
    ///
    /// # Errors
    ///
    /// - [`PersistError::Open`] if the file cannot be opened or created;
    /// - [`PersistError::NotADatabase`] for a file that is not SQLite;
    /// - [`PersistError::Foreign`] for another application's database
    ///   (left untouched);
    /// - [`PersistError::SchemaTooNew`] for a journal from a newer build;
    /// - [`PersistError::Corrupt`] for a damaged one.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, PersistError> {
        let path = path.as_ref().to_path_buf();
        let location = path.display().to_string();
        let conn = Connection::open(&path).map_err(|e| PersistError::Open {
            location: location.clone(),
            source: Box::new(e),
        })?;
        let mut store = Self {
            conn,
            path,
            location,
        };
        store.init().map_err(|e| store.classify(e))?;
        Ok(store)
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps the journal file at about `bytes` (SQLite's `max_page_count`),
    /// so a runaway journal cannot fill the disk: past it, writes fail with
    /// "database or disk is full" and the journal stops, as on a full disk.
    /// Applies to this connection only; returns the cap in bytes.
    ///
    /// # Errors
    ///
    /// An SQLite error if the setting is refused.
    pub fn set_max_size(&mut self, bytes: u64) -> Result<u64, PersistError> {
        let page_size: i64 = self
            .conn
            .pragma_query_value(None, "page_size", |row| row.get(0))?;
        let page_size = u64::try_from(page_size).unwrap_or(4096).max(1);
        let pages = i64::try_from(bytes.div_ceil(page_size)).unwrap_or(i64::MAX);
        let pages: i64 =
            self.conn
                .pragma_update_and_check(None, "max_page_count", pages, |row| row.get(0))?;
        Ok(u64::try_from(pages).unwrap_or(0) * page_size)
    }

    fn init(&mut self) -> Result<(), PersistError> {
        // Another writer (a backup, a second process) may hold the lock
        // briefly; waiting is better than failing a sale.
        self.conn.busy_timeout(Duration::from_secs(10))?;
        self.conn.set_prepared_statement_cache_capacity(32);
        // Look before touching anything: switching to WAL rewrites the
        // header, which a foreign database must not suffer.
        identify(&self.conn, &self.location)?;
        let mode: String =
            self.conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(PersistError::Config(format!(
                "{}: SQLite refused WAL mode (journal_mode is {mode})",
                self.location
            )));
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.migrate()
    }

    fn migrate(&mut self) -> Result<(), PersistError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again under the write lock: a second process may have
        // created the schema since `identify`.
        let version = match identify(&tx, &self.location)? {
            Identity::Empty => 0,
            Identity::Journal => tx
                .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
                .optional()?
                .ok_or_else(|| PersistError::Corrupt {
                    location: self.location.clone(),
                    detail: "marked as a ticketpool journal but schema_version is empty".into(),
                })?,
        };
        if version > schema::CURRENT_VERSION {
            return Err(PersistError::SchemaTooNew {
                location: self.location.clone(),
                found: version,
                supported: schema::CURRENT_VERSION,
            });
        }
        for migration in schema::pending(version) {
            tx.execute_batch(migration.sqlite)?;
            tx.execute(
                "UPDATE schema_version SET version = ?1",
                [migration.version],
            )?;
        }
        tx.pragma_update(None, "application_id", schema::SQLITE_APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// Names damage and foreign files by what they are.
    fn classify(&self, error: PersistError) -> PersistError {
        classify(&self.location, error)
    }
}

/// Turns SQLite's "not a database" and "malformed" codes into typed errors.
pub(crate) fn classify(location: &str, error: PersistError) -> PersistError {
    let PersistError::Sqlite(sqlite) = &error else {
        return error;
    };
    match sqlite.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => PersistError::NotADatabase {
            location: location.to_owned(),
        },
        Some(ErrorCode::DatabaseCorrupt) => PersistError::Corrupt {
            location: location.to_owned(),
            detail: sqlite.to_string(),
        },
        _ => error,
    }
}

/// What an opened SQLite file turned out to be.
pub(crate) enum Identity {
    /// No tables: a new journal.
    Empty,
    /// Carries the ticketpool application id.
    Journal,
}

/// Tells a ticketpool journal from an empty file and from someone else's
/// database, without writing anything.
pub(crate) fn identify(conn: &Connection, location: &str) -> Result<Identity, PersistError> {
    let application_id: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    if application_id == schema::SQLITE_APPLICATION_ID {
        return Ok(Identity::Journal);
    }
    let objects: i64 =
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))?;
    if application_id == 0 && objects == 0 {
        return Ok(Identity::Empty);
    }
    let detail = if application_id != 0 {
        format!("its SQLite application_id is {application_id:#010x}")
    } else {
        format!("it already holds {objects} tables or indexes and no ticketpool marker")
    };
    Err(PersistError::Foreign {
        location: location.to_owned(),
        detail,
    })
}

/// The statements of [`Tables`] on an open SQLite transaction, looked up
/// in the statement cache once per group rather than once per event.
struct SqliteTables<'c> {
    conn: &'c Connection,
    insert_ticket: CachedStatement<'c>,
    insert_sale: CachedStatement<'c>,
    insert_event: CachedStatement<'c>,
}

impl<'c> SqliteTables<'c> {
    fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            conn,
            insert_ticket: conn.prepare_cached(schema::INSERT_TICKET)?,
            insert_sale: conn.prepare_cached(schema::INSERT_SALE)?,
            insert_event: conn.prepare_cached(schema::INSERT_EVENT)?,
        })
    }
}

impl Tables for SqliteTables<'_> {
    fn insert_ticket(&mut self, ticket: &Ticket) -> Result<bool, PersistError> {
        let inserted = self.insert_ticket.execute(params![
            codec::id_to_sql(ticket.id.0),
            &*ticket.ticket_type,
            &*ticket.vendor,
            ticket.base_price.minor(),
            codec::time_to_nanos(ticket.released_at),
        ])?;
        Ok(inserted == 1)
    }

    fn insert_sale(&mut self, sale: &Sale) -> Result<bool, PersistError> {
        let inserted = self.insert_sale.execute(params![
            codec::id_to_sql(sale.ticket.id.0),
            &*sale.customer,
            codec::priority_to_sql(sale.priority),
            sale.price.minor(),
            codec::time_to_nanos(sale.sold_at),
            codec::duration_to_nanos(sale.waited),
            sale.hold.map(|h| codec::id_to_sql(h.0)),
        ])?;
        Ok(inserted == 1)
    }

    fn sale_holder(&mut self, ticket: TicketId) -> Result<String, PersistError> {
        Ok(self
            .conn
            .prepare_cached(schema::SALE_HOLDER)?
            .query_row([codec::id_to_sql(ticket.0)], |row| row.get(0))?)
    }

    fn log(
        &mut self,
        kind: &str,
        ticket: Option<TicketId>,
        body: Option<&str>,
    ) -> Result<i64, PersistError> {
        self.insert_event
            .execute(params![kind, ticket.map(|t| codec::id_to_sql(t.0)), body])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn put_vendor(
        &mut self,
        vendor: &str,
        seq: i64,
        ticket_types: &[Arc<str>],
    ) -> Result<(), PersistError> {
        self.conn
            .prepare_cached(schema::PUT_VENDOR)?
            .execute(params![vendor, seq])?;
        self.conn
            .prepare_cached(schema::DELETE_TICKET_TYPES)?
            .execute([vendor])?;
        let mut insert = self.conn.prepare_cached(schema::INSERT_TICKET_TYPE)?;
        for (position, ticket_type) in (0_i64..).zip(ticket_types) {
            insert.execute(params![vendor, &**ticket_type, position])?;
        }
        Ok(())
    }

    fn remove_vendor(&mut self, vendor: &str) -> Result<(), PersistError> {
        self.conn
            .prepare_cached(schema::DELETE_VENDOR)?
            .execute([vendor])?;
        self.conn
            .prepare_cached(schema::DELETE_TICKET_TYPES)?
            .execute([vendor])?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError> {
        let level = match durability {
            Durability::Confirmed => "FULL",
            Durability::Batched => "NORMAL",
        };
        self.conn.pragma_update(None, "synchronous", level)?;
        Ok(())
    }

    fn append(
        &mut self,
        events: &[Event],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<(), PersistError> {
        let start = outcomes.len();
        let result = (|| {
            let tx = self.conn.transaction()?;
            {
                let mut tables = SqliteTables::new(&tx)?;
                for event in events {
                    outcomes.push(apply(&mut tables, event)?);
                }
            }
            tx.commit()?;
            Ok(())
        })();
        if result.is_err() {
            outcomes.truncate(start);
        }
        result.map_err(|e| classify(&self.location, e))
    }

    fn recover(&mut self) -> Result<RecoveredState, PersistError> {
        let location = self.location.clone();
        let result = (|| {
            // One read transaction: a consistent snapshot for all queries.
            let tx = self.conn.transaction()?;
            let state = read_state(&tx, &location)?;
            tx.commit()?;
            Ok(state)
        })();
        result.map_err(|e| classify(&location, e))
    }

    fn events(&mut self) -> Result<Vec<Event>, PersistError> {
        let location = self.location.clone();
        let result = (|| {
            let mut names = Interner::default();
            let mut statement = self.conn.prepare(schema::SELECT_EVENTS)?;
            let mut rows = statement.query([])?;
            let mut events = Vec::new();
            while let Some(row) = rows.next()? {
                let ticket = match row.get::<_, Option<i64>>(3)? {
                    None => None,
                    Some(id) => Some(TicketRow {
                        id,
                        ticket_type: text(row, 4)?,
                        vendor: text(row, 5)?,
                        base_price: row.get(6)?,
                        released_at: row.get(7)?,
                    }),
                };
                let sale = match row.get_ref(8)? {
                    ValueRef::Null => None,
                    _ => Some(SaleRow {
                        customer: text(row, 8)?,
                        priority: text(row, 9)?,
                        price: row.get(10)?,
                        sold_at: row.get(11)?,
                        waited_ns: row.get(12)?,
                        hold_id: row.get(13)?,
                    }),
                };
                let body = match row.get_ref(2)? {
                    ValueRef::Null => None,
                    _ => Some(text(row, 2)?),
                };
                events.push(codec::decode_log_row(
                    &location,
                    row.get(0)?,
                    text(row, 1)?,
                    body,
                    ticket,
                    sale,
                    &mut names,
                )?);
            }
            Ok(events)
        })();
        result.map_err(|e| classify(&location, e))
    }

    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        self.read_settings()
            .map_err(|e| classify(&self.location, e))
    }

    fn record_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        self.write_settings(settings, reason)
            .map_err(|e| classify(&self.location, e))
    }
}

impl SqliteStore {
    fn read_settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        let body: Option<String> = self
            .conn
            .query_row(schema::SELECT_SETTINGS, [], |row| row.get(0))
            .optional()?;
        body.map(|body| codec::decode_settings(&self.location, &body))
            .transpose()
    }

    fn write_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        let body = codec::encode_settings(settings)?;
        self.conn.execute(
            schema::INSERT_SETTINGS,
            params![
                codec::time_to_nanos(std::time::SystemTime::now()),
                reason,
                body
            ],
        )?;
        Ok(())
    }
}

/// A text column, borrowed from the row (no copy per recovered ticket).
fn text<'r>(row: &'r Row<'_>, column: usize) -> Result<&'r str, rusqlite::Error> {
    let value = row.get_ref(column)?;
    value.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, value.data_type(), Box::new(e))
    })
}

/// The ticket columns that open `SELECT_SALES` and `SELECT_UNSOLD` rows.
fn ticket_row<'r>(row: &'r Row<'_>) -> Result<TicketRow<'r>, rusqlite::Error> {
    Ok(TicketRow {
        id: row.get(0)?,
        ticket_type: text(row, 1)?,
        vendor: text(row, 2)?,
        base_price: row.get(3)?,
        released_at: row.get(4)?,
    })
}

/// Sales whose ticket row is gone (deleted by hand, or lost): the join in
/// `SELECT_SALES` would drop them without a word, so a damaged journal
/// would read as a smaller, healthy one.
const SELECT_ORPHAN_SALES: &str = "SELECT COUNT(*), MIN(s.ticket_id) FROM sales s \
    WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = s.ticket_id)";

/// Refuses a journal with sales rows that have no ticket row.
fn check_sales_have_tickets(conn: &Connection, location: &str) -> Result<(), PersistError> {
    let (orphans, first): (i64, Option<i64>) = conn.query_row(SELECT_ORPHAN_SALES, [], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    match first {
        Some(first) if orphans > 0 => Err(PersistError::BadRow {
            location: location.to_owned(),
            detail: format!(
                "the journal is damaged: {orphans} sale(s) have no ticket row \
                 (the first: the sale of ticket {})",
                TicketId(codec::id_from_sql(first))
            ),
        }),
        _ => Ok(()),
    }
}

fn read_state(conn: &Connection, location: &str) -> Result<RecoveredState, PersistError> {
    let mut names = Interner::default();
    let (released, max_id): (i64, Option<i64>) =
        conn.query_row(schema::SELECT_TICKET_COUNTS, [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;

    check_sales_have_tickets(conn, location)?;
    let mut sales = Vec::new();
    let mut statement = conn.prepare(schema::SELECT_SALES)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let ticket = ticket_row(row)?.decode(&mut names);
        let sale = SaleRow {
            customer: text(row, 5)?,
            priority: text(row, 6)?,
            price: row.get(7)?,
            sold_at: row.get(8)?,
            waited_ns: row.get(9)?,
            hold_id: row.get(10)?,
        };
        sales.push(sale.decode(location, ticket, &mut names)?);
    }

    let mut unsold = Vec::new();
    let mut statement = conn.prepare(schema::SELECT_UNSOLD)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        unsold.push(ticket_row(row)?.decode(&mut names));
    }

    let mut statement = conn.prepare(schema::SELECT_VENDORS)?;
    let mut rows = statement.query([])?;
    let mut vendor_rows = Vec::new();
    while let Some(row) = rows.next()? {
        let vendor = names.get(text(row, 0)?);
        let ticket_type = match row.get_ref(1)? {
            ValueRef::Null => None,
            _ => Some(names.get(text(row, 1)?)),
        };
        vendor_rows.push((vendor, ticket_type));
    }

    Ok(RecoveredState {
        sales,
        unsold,
        next_ticket_id: TicketId(max_id.map_or(0, |id| codec::id_from_sql(id).saturating_add(1))),
        released: u64::try_from(released).unwrap_or(0),
        vendors: group_vendors(vendor_rows),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journal written by a build at schema version 1 opens, migrates to
    /// the current version and keeps its data.
    #[test]
    fn a_version_1_journal_is_migrated_and_keeps_its_sales() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0].sqlite).unwrap();
            conn.execute("UPDATE schema_version SET version = 1", [])
                .unwrap();
            conn.pragma_update(None, "application_id", schema::SQLITE_APPLICATION_ID)
                .unwrap();
            conn.execute_batch(
                "INSERT INTO tickets VALUES (7, 'standard', 'acme', 5000, 0);
                 INSERT INTO sales (ticket_id, customer, priority, price, sold_at, waited_ns)
                 VALUES (7, 'ada', 'vip', 4500, 1700000000000000000, 0);",
            )
            .unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        let version: i64 = store
            .conn
            .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, schema::CURRENT_VERSION);
        let (customer, when): (String, String) = store
            .conn
            .query_row("SELECT customer, sold_at_utc FROM sales_log", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (customer.as_str(), when.as_str()),
            ("ada", "2023-11-14 22:13:20.000")
        );
        let state = store.recover().unwrap();
        assert_eq!(state.sales.len(), 1);
        assert_eq!(state.next_ticket_id, TicketId(8));
    }
}
