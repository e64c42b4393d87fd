//! [`CatalogStore`] on an SQLite journal: the catalog's tables live in the
//! same file as the sales.

use rusqlite::types::ToSqlOutput;
use rusqlite::ToSql;
use ticketpool_catalog::{CatalogStore, Event, Performer, StoreError, Venue};

use super::{Sqlite, SqliteStore};
use crate::catalog_rows::{self, store_error, Execute, Param};
use crate::error::PersistError;

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Int(value) => value.to_sql(),
            Param::Text(value) => value.to_sql(),
        }
    }
}

impl Execute for Sqlite<'_> {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, PersistError> {
        let changed = self
            .0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))?;
        Ok(changed as u64)
    }
}

impl CatalogStore for SqliteStore {
    fn save_venue(&mut self, venue: &Venue) -> Result<(), StoreError> {
        catalog_rows::save_venue(&mut Sqlite(&self.conn), venue)
            .map_err(|e| store_error("save the venue", e))
    }

    fn save_performer(&mut self, performer: &Performer) -> Result<(), StoreError> {
        catalog_rows::save_performer(&mut Sqlite(&self.conn), performer)
            .map_err(|e| store_error("save the performer", e))
    }

    fn save_event(&mut self, event: &Event) -> Result<(), StoreError> {
        catalog_rows::save_event(&mut Sqlite(&self.conn), event)
            .map_err(|e| store_error("save the event", e))
    }

    fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError> {
        catalog_rows::load_venues(&mut Sqlite(&self.conn), &self.location)
            .map_err(|e| store_error("load the venues", e))
    }

    fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError> {
        catalog_rows::load_performers(&mut Sqlite(&self.conn))
            .map_err(|e| store_error("load the performers", e))
    }

    fn load_events(&mut self) -> Result<Vec<Event>, StoreError> {
        catalog_rows::load_events(&mut Sqlite(&self.conn), &self.location)
            .map_err(|e| store_error("load the events", e))
    }
}
