//! [`CatalogStore`] on a PostgreSQL journal: the catalog's tables live in
//! the same schema as the sales.

use postgres::types::ToSql;
use postgres::Client;
use ticketpool_catalog::ticketpool_seats::VenueConfig;
use ticketpool_catalog::{CatalogStore, Event, Performer, StoreError, Venue, VenueId};

use super::PgStore;
use crate::catalog_rows::{self, store_error, Execute, Param};
use crate::error::PersistError;
use crate::my_tickets::{self, BookedTicket, QueryWith};
use crate::rows::Columns;
use crate::schema;

impl Execute for Client {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, PersistError> {
        Ok(Client::execute(self, sql, &bind(params))?)
    }
}

impl QueryWith for Client {
    fn each_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&dyn Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError> {
        for row in self.query(sql, &bind(params))? {
            each(&row)?;
        }
        Ok(())
    }
}

/// The driver's view of [`Param`]s.
fn bind<'a>(params: &'a [Param<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| match param {
            Param::Int(value) => value as &(dyn ToSql + Sync),
            Param::Text(value) => value as &(dyn ToSql + Sync),
        })
        .collect()
}

impl PgStore {
    /// Up to `limit` of `customer`'s booked tickets, newest first, with
    /// the event, type, price and time: "my tickets", read by index.
    ///
    /// # Errors
    ///
    /// A database error, or [`PersistError::BadRow`].
    pub fn my_tickets(
        &mut self,
        customer: &str,
        limit: usize,
    ) -> Result<Vec<BookedTicket>, PersistError> {
        my_tickets::my_tickets(
            &mut self.client,
            &self.location,
            schema::LONE_JOURNAL,
            customer,
            limit,
        )
    }
}

impl CatalogStore for PgStore {
    fn save_venue(&mut self, venue: &Venue) -> Result<(), StoreError> {
        catalog_rows::save_venue(&mut self.client, venue)
            .map_err(|e| store_error("save the venue", e))
    }

    fn save_performer(&mut self, performer: &Performer) -> Result<(), StoreError> {
        catalog_rows::save_performer(&mut self.client, performer)
            .map_err(|e| store_error("save the performer", e))
    }

    fn save_event(&mut self, event: &Event) -> Result<(), StoreError> {
        catalog_rows::save_event(&mut self.client, event)
            .map_err(|e| store_error("save the event", e))
    }

    fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError> {
        catalog_rows::load_venues(&mut self.client, &self.location)
            .map_err(|e| store_error("load the venues", e))
    }

    fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError> {
        catalog_rows::load_performers(&mut self.client)
            .map_err(|e| store_error("load the performers", e))
    }

    fn load_events(&mut self) -> Result<Vec<Event>, StoreError> {
        catalog_rows::load_events(&mut self.client, &self.location)
            .map_err(|e| store_error("load the events", e))
    }

    fn save_seat_map(&mut self, venue: VenueId, config: &VenueConfig) -> Result<(), StoreError> {
        catalog_rows::save_seat_map(&mut self.client, venue, config)
            .map_err(|e| store_error("save the seat map", e))
    }

    fn load_seat_maps(&mut self) -> Result<Vec<(VenueId, VenueConfig)>, StoreError> {
        catalog_rows::load_seat_maps(&mut self.client, &self.location)
            .map_err(|e| store_error("load the seat maps", e))
    }
}
