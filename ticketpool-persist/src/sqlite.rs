//! The embedded default: one SQLite file in WAL mode, no server.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{
    params, CachedStatement, Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior,
};
use ticketpool_core::{Event, RecoveredState, Sale, Ticket, TicketId};

use crate::apply::Tables;
use crate::codec;
use crate::config::Durability;
use crate::error::PersistError;
use crate::rows::{self, Columns, Query, SaleRow, SettingsRow, TicketRow};
use crate::schema;
use crate::settings::EventSettings;
use crate::store::{Outcome, Store};
use crate::store::{SeatWave, SoldSeat};

#[cfg(feature = "catalog")]
mod adopt;
#[cfg(feature = "catalog")]
mod catalog;
mod group;
mod seats;
mod vetted;

/// A journal in one SQLite file (WAL mode), or one event's journal in a
/// file that keeps many ([`for_event`](Self::for_event)).
///
/// `synchronous=FULL` under [`Durability::Confirmed`] (a committed sale
/// survives a power loss), `NORMAL` under [`Durability::Batched`].
/// Closing checkpoints the WAL into the file and leaves the emptied
/// `-wal` and `-shm` files beside it for the next open.
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
    db: Arc<Db>,
    /// The journal rows' `event` key: 0 for a lone journal.
    event: i64,
    location: String,
}

/// One open database file, shared by the journals of every event kept in
/// it: one connection, so commits take turns instead of racing for
/// SQLite's write lock, and the events' groups waiting for their turn
/// commit together (see `group`).
struct Db {
    conn: Mutex<Connection>,
    groups: group::Combiner,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.db.path)
            .field("event", &self.event)
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
        let store = Self::on(conn, path, location);
        store.init().map_err(|e| store.classify(e))?;
        Ok(store)
    }

    fn on(conn: Connection, path: PathBuf, location: String) -> Self {
        Self {
            db: Arc::new(Db {
                conn: Mutex::new(conn),
                groups: group::Combiner::default(),
                path,
            }),
            event: 0,
            location,
        }
    }

    /// The journal of catalog event `event` in this store's file: its rows
    /// carry the event's id, beside every other event's, on this store's
    /// connection (shared, so the events' commits take turns). Event 0 is
    /// the file's own journal, the one [`open`](Self::open) returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_persist::{SqliteStore, Store};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let file = SqliteStore::open(dir.path().join("catalog.db")).unwrap();
    /// let mut first = file.for_event(1);
    /// assert_eq!(first.recover().unwrap().released, 0);
    /// ```
    #[must_use]
    pub fn for_event(&self, event: u64) -> Self {
        Self {
            db: Arc::clone(&self.db),
            event: crate::codec::id_to_sql(event),
            location: format!("{} (event {event})", self.db.path.display()),
        }
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    /// The shared connection, for one statement or one transaction.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding it left no transaction open (rusqlite
        // rolls back on drop), so the connection is still good.
        self.db.conn.lock().unwrap_or_else(|e| e.into_inner())
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
        let conn = self.conn();
        let page_size: i64 = conn.pragma_query_value(None, "page_size", |row| row.get(0))?;
        let page_size = u64::try_from(page_size).unwrap_or(4096).max(1);
        let pages = i64::try_from(bytes.div_ceil(page_size)).unwrap_or(i64::MAX);
        let pages: i64 =
            conn.pragma_update_and_check(None, "max_page_count", pages, |row| row.get(0))?;
        Ok(u64::try_from(pages).unwrap_or(0) * page_size)
    }

    fn init(&self) -> Result<(), PersistError> {
        let mut conn = self.conn();
        init(&mut conn, &self.location)
    }

    /// The version `schema_version` records, if it holds a row.
    #[cfg(test)]
    fn version(&self) -> Result<Option<i64>, PersistError> {
        version(&self.conn())
    }

    /// Names damage and foreign files by what they are.
    fn classify(&self, error: PersistError) -> PersistError {
        classify(&self.location, error)
    }
}

/// Makes a freshly opened connection a journal at the current version.
fn init(conn: &mut Connection, location: &str) -> Result<(), PersistError> {
    // Another writer (a backup, a second process) may hold the lock
    // briefly; waiting is better than failing a sale.
    conn.busy_timeout(Duration::from_secs(10))?;
    // Recovery and the group commit each use a few statements per
    // event, all events sharing the connection's cache.
    conn.set_prepared_statement_cache_capacity(64);
    // Look before touching anything: switching to WAL rewrites the
    // header, which a foreign database must not suffer.
    identify(conn, location)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(PersistError::Config(format!(
            "{location}: SQLite refused WAL mode (journal_mode is {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Closing does its own checkpoint (see `Drop`) and keeps the `-wal`
    // and `-shm` files: SQLite would delete them on close and the next
    // open create them again, which was most of the cost of reopening
    // a catalog of 1,000 journals (`ext4_create` and unlink, twice each).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    migrate(conn, location)
}

fn migrate(conn: &mut Connection, location: &str) -> Result<(), PersistError> {
    // A journal already at this version needs no write: taking the
    // write lock and rewriting the header costs a commit (an fsync
    // under `synchronous=FULL`) per open, which was most of reopening
    // a catalog of 1,000 journals. Versions only grow, so reading it
    // without the lock is safe.
    if let Identity::Journal = identify(conn, location)? {
        if version(conn)? == Some(schema::CURRENT_VERSION) {
            return Ok(());
        }
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: a second process may have
    // created the schema since `identify`.
    let version = match identify(&tx, location)? {
        Identity::Empty => 0,
        Identity::Journal => tx
            .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
            .optional()?
            .ok_or_else(|| PersistError::Corrupt {
                location: location.to_owned(),
                detail: "marked as a ticketpool journal but schema_version is empty".into(),
            })?,
    };
    if version > schema::CURRENT_VERSION {
        return Err(PersistError::SchemaTooNew {
            location: location.to_owned(),
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

/// The version `schema_version` records, if it holds a row.
fn version(conn: &Connection) -> Result<Option<i64>, PersistError> {
    Ok(conn
        .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .optional()?)
}

impl Drop for Db {
    /// Moves the WAL into the database file and empties it, as SQLite's own
    /// close would, but keeps the emptied `-wal` and `-shm` for the next
    /// open. Without waiting: if another connection (a backup, a reader) is
    /// using the WAL, it stays for that one to checkpoint; what is committed
    /// is durable in the WAL either way.
    fn drop(&mut self) {
        let conn = self.conn.get_mut().unwrap_or_else(|e| e.into_inner());
        if conn.busy_timeout(Duration::ZERO).is_ok() {
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
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
    event: i64,
    insert_ticket: CachedStatement<'c>,
    insert_sale: CachedStatement<'c>,
    insert_event: CachedStatement<'c>,
}

impl<'c> SqliteTables<'c> {
    fn new(conn: &'c Connection, event: i64) -> rusqlite::Result<Self> {
        Ok(Self {
            conn,
            event,
            insert_ticket: conn.prepare_cached(schema::INSERT_TICKET)?,
            insert_sale: conn.prepare_cached(schema::INSERT_SALE)?,
            insert_event: conn.prepare_cached(schema::INSERT_EVENT)?,
        })
    }
}

impl Tables for SqliteTables<'_> {
    fn insert_ticket(&mut self, ticket: &Ticket) -> Result<bool, PersistError> {
        let t = TicketRow::of(ticket);
        let inserted = self.insert_ticket.execute(params![
            t.id,
            t.ticket_type,
            t.vendor,
            t.base_price,
            t.released_at,
            self.event
        ])?;
        Ok(inserted == 1)
    }

    fn insert_sale(&mut self, sale: &Sale) -> Result<bool, PersistError> {
        let s = SaleRow::of(sale);
        let inserted = self.insert_sale.execute(params![
            codec::id_to_sql(sale.ticket.id.0),
            s.customer,
            s.priority,
            s.price,
            s.sold_at,
            s.waited_ns,
            s.hold_id,
            self.event,
        ])?;
        Ok(inserted == 1)
    }

    fn sale_holder(&mut self, ticket: TicketId) -> Result<String, PersistError> {
        Ok(self
            .conn
            .prepare_cached(schema::SALE_HOLDER)?
            .query_row(params![codec::id_to_sql(ticket.0), self.event], |row| {
                row.get(0)
            })?)
    }

    fn log(
        &mut self,
        kind: &str,
        ticket: Option<TicketId>,
        body: Option<&str>,
    ) -> Result<i64, PersistError> {
        self.insert_event.execute(params![
            kind,
            ticket.map(|t| codec::id_to_sql(t.0)),
            body,
            self.event
        ])?;
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
            .execute(params![vendor, seq, self.event])?;
        self.conn
            .prepare_cached(schema::DELETE_TICKET_TYPES)?
            .execute(params![vendor, self.event])?;
        let mut insert = self.conn.prepare_cached(schema::INSERT_TICKET_TYPE)?;
        for (position, ticket_type) in (0_i64..).zip(ticket_types) {
            insert.execute(params![vendor, &**ticket_type, position, self.event])?;
        }
        Ok(())
    }

    fn remove_vendor(&mut self, vendor: &str) -> Result<(), PersistError> {
        self.conn
            .prepare_cached(schema::DELETE_VENDOR)?
            .execute(params![vendor, self.event])?;
        self.conn
            .prepare_cached(schema::DELETE_TICKET_TYPES)?
            .execute(params![vendor, self.event])?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError> {
        let level = match durability {
            Durability::Confirmed => "FULL",
            Durability::Batched => "NORMAL",
        };
        self.conn().pragma_update(None, "synchronous", level)?;
        Ok(())
    }

    fn append(
        &mut self,
        events: &[Event],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<(), PersistError> {
        let committed = self.db.groups.append(self.event, events, |groups| {
            group::commit_groups(&mut self.conn(), groups)
        });
        outcomes.extend(committed.map_err(|e| classify(&self.location, e))?);
        Ok(())
    }

    fn recover(&mut self) -> Result<RecoveredState, PersistError> {
        let location = &self.location;
        let mut conn = self.conn();
        let result = (|| {
            // One read transaction: a consistent snapshot for all queries.
            let tx = conn.transaction()?;
            let state = rows::read_state(&mut Sqlite::new(&tx, self.event), location)?;
            tx.commit()?;
            Ok(state)
        })();
        result.map_err(|e| classify(location, e))
    }

    fn events(&mut self) -> Result<Vec<Event>, PersistError> {
        rows::read_events(&mut Sqlite::new(&self.conn(), self.event), &self.location)
            .map_err(|e| classify(&self.location, e))
    }

    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        rows::read_settings(&mut Sqlite::new(&self.conn(), self.event), &self.location)
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

    fn record_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        self.write_seats(seats)
    }

    fn sold_seats(&mut self) -> Result<Vec<SoldSeat>, PersistError> {
        self.read_seats()
    }

    fn record_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        self.write_seat_wave(wave)
    }

    fn seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        self.read_seat_waves()
    }
}

impl SqliteStore {
    fn write_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        let row = SettingsRow::of(settings, reason)?;
        self.conn().execute(
            schema::INSERT_SETTINGS,
            params![row.recorded_at, row.reason, row.body, self.event],
        )?;
        Ok(())
    }
}

/// The rusqlite side of [`rows`]: statements on a connection (or an open
/// transaction), columns of its rows; a journal read's one parameter is
/// the event whose rows it reads.
struct Sqlite<'c> {
    conn: &'c Connection,
    event: i64,
}

impl<'c> Sqlite<'c> {
    fn new(conn: &'c Connection, event: i64) -> Self {
        Self { conn, event }
    }
}

impl Query for Sqlite<'_> {
    fn each(
        &mut self,
        sql: &str,
        each: &mut dyn FnMut(&dyn Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = if statement.parameter_count() == 1 {
            statement.query([self.event])?
        } else {
            statement.query([])?
        };
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }
}

impl Columns for Row<'_> {
    fn int(&self, column: usize) -> Result<i64, PersistError> {
        Ok(self.get(column)?)
    }

    fn opt_int(&self, column: usize) -> Result<Option<i64>, PersistError> {
        Ok(self.get(column)?)
    }

    fn text(&self, column: usize) -> Result<&str, PersistError> {
        let value = self.get_ref(column)?;
        Ok(value.as_str().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(column, value.data_type(), Box::new(e))
        })?)
    }

    fn opt_text(&self, column: usize) -> Result<Option<&str>, PersistError> {
        match self.get_ref(column)? {
            ValueRef::Null => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reopening a journal already at the current version writes nothing:
    /// it opens while another connection holds the write lock (a migration
    /// would wait out the busy timeout, then fail), so a catalog's reopen
    /// costs no commit per journal.
    #[test]
    fn a_current_journal_opens_without_taking_the_write_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("current.db");
        drop(SqliteStore::open(&path).unwrap());
        let writer = Connection::open(&path).unwrap();
        writer.execute_batch("BEGIN IMMEDIATE").unwrap();
        let mut store = SqliteStore::open(&path).unwrap();
        store.conn().busy_timeout(Duration::ZERO).unwrap();
        assert_eq!(store.version().unwrap(), Some(schema::CURRENT_VERSION));
        assert_eq!(store.recover().unwrap().released, 0);
        writer.execute_batch("COMMIT").unwrap();
    }

    /// Closing moves every commit into the database file and keeps the
    /// emptied `-wal` and `-shm` for the next open: the file alone
    /// recovers everything, and reopening finds the files already there.
    #[test]
    fn closing_checkpoints_into_the_file_and_keeps_the_emptied_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("closed.db");
        let ticket = Ticket {
            id: TicketId(3),
            ticket_type: "standard".into(),
            vendor: "acme".into(),
            base_price: ticketpool_core::Money::from_minor(5_000),
            released_at: std::time::UNIX_EPOCH,
        };
        let mut store = SqliteStore::open(&path).unwrap();
        store
            .append(&[Event::Released { ticket }], &mut Vec::new())
            .unwrap();
        drop(store);
        let sibling = |suffix: &str| dir.path().join(format!("closed.db{suffix}"));
        assert_eq!(std::fs::metadata(sibling("-wal")).unwrap().len(), 0);
        assert!(sibling("-shm").exists());

        let alone = tempfile::tempdir().unwrap();
        let copy = alone.path().join("copy.db");
        std::fs::copy(&path, &copy).unwrap();
        let state = SqliteStore::open(&copy).unwrap().recover().unwrap();
        assert_eq!((state.released, state.unsold.len()), (1, 1));
    }

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
            .conn()
            .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, schema::CURRENT_VERSION);
        let (customer, when): (String, String) = store
            .conn()
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
