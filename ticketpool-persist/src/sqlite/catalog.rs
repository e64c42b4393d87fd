//! [`CatalogStore`] on an SQLite journal: the catalog's tables live in the
//! same file as the sales.

use rusqlite::types::ToSqlOutput;
use rusqlite::ToSql;
use std::collections::{HashMap, HashSet};
use ticketpool_catalog::ticketpool_seats::VenueConfig;

use ticketpool_catalog::{CatalogStore, Event, EventId, Performer, StoreError, Venue, VenueId};
use ticketpool_core::{Money, TicketId};

use super::{Sqlite, SqliteStore};
use crate::catalog_rows::{self, store_error, Execute, Param};
use crate::codec::{id_from_sql, nanos_to_time};
use crate::error::PersistError;
use crate::my_tickets::{
    self, event_name, BookedTicket, CustomerTicket, QueryWith, SELECT_CUSTOMER_TICKETS,
};
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
            .conn
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
        let mut statement = self.conn.prepare_cached(sql)?;
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
        let event = self.event;
        my_tickets::my_tickets(
            &mut Sqlite::new(&self.conn(), event),
            &self.location,
            event,
            customer,
            limit,
        )
    }
}

impl SqliteStore {
    /// Up to `limit` of `customer`'s tickets for `events` among every
    /// event journal kept in this file ([`for_event`](Self::for_event)),
    /// newest first: one read of the customer index, stopped once `limit`
    /// tickets are found.
    pub(crate) fn customer_tickets(
        &self,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, PersistError> {
        let wanted: HashSet<u64> = events.iter().map(|e| e.0).collect();
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut tickets = Vec::new();
        if limit == 0 || wanted.is_empty() {
            return Ok(tickets);
        }
        let conn = self.conn();
        let mut statement = conn.prepare_cached(SELECT_CUSTOMER_TICKETS)?;
        let mut rows = statement.query([customer])?;
        while let Some(row) = rows.next()? {
            let key: i64 = row.get(5)?;
            let event = id_from_sql(key);
            if !wanted.contains(&event) {
                continue;
            }
            let name = event_name(&mut names, key, row.opt_text(6)?, &self.location)?;
            tickets.push(CustomerTicket {
                event: EventId(event),
                booked: BookedTicket {
                    event: name,
                    ticket: TicketId(id_from_sql(row.get(0)?)),
                    ticket_type: row.text(1)?.to_owned(),
                    vendor: row.text(2)?.to_owned(),
                    price: Money::from_minor(row.get(3)?),
                    sold_at: nanos_to_time(row.get(4)?),
                },
            });
            if tickets.len() == limit {
                break;
            }
        }
        Ok(tickets)
    }
}

impl CatalogStore for SqliteStore {
    fn save_venue(&mut self, venue: &Venue) -> Result<(), StoreError> {
        catalog_rows::save_venue(&mut Sqlite::new(&self.conn(), self.event), venue)
            .map_err(|e| store_error("save the venue", e))
    }

    fn save_performer(&mut self, performer: &Performer) -> Result<(), StoreError> {
        catalog_rows::save_performer(&mut Sqlite::new(&self.conn(), self.event), performer)
            .map_err(|e| store_error("save the performer", e))
    }

    fn save_event(&mut self, event: &Event) -> Result<(), StoreError> {
        catalog_rows::save_event(&mut Sqlite::new(&self.conn(), self.event), event)
            .map_err(|e| store_error("save the event", e))
    }

    fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError> {
        catalog_rows::load_venues(&mut Sqlite::new(&self.conn(), self.event), &self.location)
            .map_err(|e| store_error("load the venues", e))
    }

    fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError> {
        catalog_rows::load_performers(&mut Sqlite::new(&self.conn(), self.event))
            .map_err(|e| store_error("load the performers", e))
    }

    fn load_events(&mut self) -> Result<Vec<Event>, StoreError> {
        catalog_rows::load_events(&mut Sqlite::new(&self.conn(), self.event), &self.location)
            .map_err(|e| store_error("load the events", e))
    }

    fn save_seat_map(&mut self, venue: VenueId, config: &VenueConfig) -> Result<(), StoreError> {
        catalog_rows::save_seat_map(&mut Sqlite::new(&self.conn(), self.event), venue, config)
            .map_err(|e| store_error("save the seat map", e))
    }

    fn load_seat_maps(&mut self) -> Result<Vec<(VenueId, VenueConfig)>, StoreError> {
        catalog_rows::load_seat_maps(&mut Sqlite::new(&self.conn(), self.event), &self.location)
            .map_err(|e| store_error("load the seat maps", e))
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;
    use crate::my_tickets::{SELECT_CUSTOMER_TICKETS, SELECT_MY_TICKETS};

    /// SQLite's plan for `sql` run with `params`, one step a line.
    fn plan(sql: &str, params: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("plan.db")).unwrap();
        let conn = store.conn();
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let steps: Vec<String> = plan
            .query_map(rusqlite::params_from_iter(params), |row| {
                row.get::<_, String>(3)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        steps.join("\n")
    }

    /// "My tickets" must not scan the sales: SQLite's plan searches the
    /// index for the customer, needs no sort for the order, and finds each
    /// ticket by its key.
    #[test]
    fn my_tickets_reads_the_customer_index_without_a_sort() {
        for plan in [
            plan(SELECT_MY_TICKETS, &["ada", "0", "10"]),
            plan(SELECT_CUSTOMER_TICKETS, &["ada"]),
        ] {
            assert!(
                plan.contains("SEARCH s USING INDEX sales_by_customer (customer=?)"),
                "{plan}"
            );
            assert!(
                plan.contains("SEARCH t USING PRIMARY KEY (event=? AND id=?)"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}
