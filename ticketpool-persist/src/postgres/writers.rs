//! A schema's connections: one for catalog rows, the schema's own journal
//! and migration, and a few shared by its events' journals.

use std::sync::{Mutex, MutexGuard, OnceLock};

use postgres::NoTls;

use super::{prepare, Conn, PgStore};
use crate::error::PersistError;
use crate::schema;

/// How many connections the events' journals of one schema share (event
/// `id` always on `id % WRITERS`, so its appends stay in order). One
/// connection made the events' commits take turns (16 events selling at
/// once got 0.06x of a connection each); the server flushes concurrent
/// commits' WAL together, so a few connections commit nearly as fast as
/// one per event, and a few catalogs still stay well under the default
/// `max_connections` of 100.
const WRITERS: usize = 8;

/// A schema's connections: the first, for its own journal, catalog rows
/// and migration, and the events' journals' writers, each connected the
/// first time an event on it needs it.
pub(super) struct Shared {
    main: Mutex<Conn>,
    writers: [OnceLock<Mutex<Conn>>; WRITERS],
    config: postgres::Config,
    /// The last [`Store::set_durability`]'s `synchronous_commit`, for
    /// writers connected later; held while a writer connects, so none
    /// misses a change.
    synchronous_commit: Mutex<Option<&'static str>>,
}

impl Shared {
    /// The schema's connections, `main` open, its writers not yet.
    pub(super) fn new(main: Conn, config: postgres::Config) -> Self {
        Self {
            main: Mutex::new(main),
            writers: std::array::from_fn(|_| OnceLock::new()),
            config,
            synchronous_commit: Mutex::new(None),
        }
    }

    /// Sets `synchronous_commit` on every connection of the schema (as
    /// when they were one) and on the writers connected later.
    pub(super) fn set_synchronous_commit(&self, setting: &'static str) -> Result<(), PersistError> {
        let mut remembered = lock(&self.synchronous_commit);
        *remembered = Some(setting);
        let set = format!("SET synchronous_commit TO {setting}");
        lock(&self.main).client.batch_execute(&set)?;
        for writer in self.writers.iter().filter_map(OnceLock::get) {
            lock(writer).client.batch_execute(&set)?;
        }
        Ok(())
    }
}

impl PgStore {
    /// The schema's first connection, for catalog rows and one statement
    /// or one transaction.
    pub(super) fn conn(&self) -> MutexGuard<'_, Conn> {
        lock(&self.db.main)
    }

    /// This journal's connection: the first for the schema's own journal,
    /// else its event's writer, connected now if it is not yet.
    pub(super) fn journal(&self) -> Result<MutexGuard<'_, Conn>, PersistError> {
        if self.event == schema::LONE_JOURNAL {
            return Ok(self.conn());
        }
        let slot = &self.db.writers[self.event.unsigned_abs() as usize % WRITERS];
        if let Some(conn) = slot.get() {
            return Ok(lock(conn));
        }
        let setting = lock(&self.db.synchronous_commit);
        if slot.get().is_none() {
            let conn = self.connect_writer(*setting)?;
            // Only this thread sets it: the setting's lock is held.
            let _ = slot.set(Mutex::new(conn));
        }
        drop(setting);
        slot.get().map(lock).ok_or_else(|| PersistError::Open {
            location: self.location.clone(),
            source: "the writer connection was not kept".into(),
        })
    }

    /// A writer connection to the (migrated) schema.
    fn connect_writer(&self, synchronous_commit: Option<&str>) -> Result<Conn, PersistError> {
        let open = |e: postgres::Error| PersistError::Open {
            location: self.location.clone(),
            source: Box::new(e),
        };
        let mut client = self.db.config.connect(NoTls).map_err(open)?;
        let mut setup = format!("SET search_path TO {}", self.schema);
        if let Some(setting) = synchronous_commit {
            setup.push_str(&format!("; SET synchronous_commit TO {setting}"));
        }
        client.batch_execute(&setup).map_err(open)?;
        let statements = prepare(&mut client).map_err(open)?;
        Ok(Conn { client, statements })
    }
}

/// A connection's lock. A panic while holding it left at most an open
/// transaction, which the driver rolls back before the next statement.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
