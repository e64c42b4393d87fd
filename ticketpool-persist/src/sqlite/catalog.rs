//! [`CatalogStore`] on an SQLite journal: the catalog's tables live in the
//! same file as the sales.

use rusqlite::types::ToSqlOutput;
use rusqlite::ToSql;
use ticketpool_catalog::ticketpool_seats::VenueConfig;
use ticketpool_catalog::{CatalogStore, Event, Performer, StoreError, Venue, VenueId};

use super::{Sqlite, SqliteStore};
use crate::catalog_rows::{self, store_error, Execute, Param};
use crate::error::PersistError;
use crate::my_tickets::{self, BookedTicket, QueryWith};
use crate::rows::Columns;

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

impl QueryWith for Sqlite<'_> {
    fn each_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&dyn Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError> {
        let mut statement = self.0.prepare_cached(sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }
}

impl SqliteStore {
    /// Up to `limit` of `customer`'s booked tickets, newest first, with
    /// the event, type, price and time: "my tickets", read by index.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
    /// use ticketpool_persist::{open_office, Durability, JournalConfig, SqliteStore};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("gig.db");
    /// let config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(1_500));
    /// let confirmed = JournalConfig::new(Durability::Confirmed);
    /// let (office, _journal) = open_office(config, SqliteStore::open(&path).unwrap(), confirmed).unwrap();
    /// office.add_vendor("north", &[]).unwrap().release("general").unwrap();
    /// office.customer("ada", Priority::Vip).buy(Want::Any).unwrap();
    ///
    /// let mine = SqliteStore::open(&path).unwrap().my_tickets("ada", 10).unwrap();
    /// assert_eq!((mine[0].event.as_str(), mine[0].price), ("gig", Money::from_minor(1_500)));
    /// ```
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`].
    pub fn my_tickets(
        &mut self,
        customer: &str,
        limit: usize,
    ) -> Result<Vec<BookedTicket>, PersistError> {
        my_tickets::my_tickets(&mut Sqlite(&self.conn), &self.location, customer, limit)
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

    fn save_seat_map(&mut self, venue: VenueId, config: &VenueConfig) -> Result<(), StoreError> {
        catalog_rows::save_seat_map(&mut Sqlite(&self.conn), venue, config)
            .map_err(|e| store_error("save the seat map", e))
    }

    fn load_seat_maps(&mut self) -> Result<Vec<(VenueId, VenueConfig)>, StoreError> {
        catalog_rows::load_seat_maps(&mut Sqlite(&self.conn), &self.location)
            .map_err(|e| store_error("load the seat maps", e))
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;
    use crate::my_tickets::SELECT_MY_TICKETS;

    /// "My tickets" must not scan the sales: SQLite's plan searches the
    /// index for the customer and needs no sort for the order.
    #[test]
    fn my_tickets_reads_the_customer_index_without_a_sort() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("plan.db")).unwrap();
        let mut plan = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {SELECT_MY_TICKETS}"))
            .unwrap();
        let steps: Vec<String> = plan
            .query_map(["ada", "10"], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = steps.join("\n");
        assert!(
            plan.contains("SEARCH s USING INDEX sales_by_customer (customer=?)"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN s"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
