//! [`CatalogStore`] on a PostgreSQL journal: the catalog's tables live in
//! the same schema as the sales.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient};
use ticketpool_catalog::ticketpool_seats::VenueConfig;
use ticketpool_catalog::{CatalogStore, Event, EventId, Performer, StoreError, Venue, VenueId};
use ticketpool_core::{Money, TicketId};

use super::{Pg, PgStore};
use crate::catalog_rows::{self, store_error, Execute, Param};
use crate::codec::{id_from_sql, id_to_sql, nanos_to_time};
use crate::error::PersistError;
use crate::my_tickets::{self, event_name, BookedTicket, CustomerTicket, QueryWith};
use crate::rows::Columns;

/// A customer's tickets for some events of schema `{s}`, which keeps
/// many, newest first, with each ticket's event and the name its
/// configuration in force records: one statement on the customer index.
const SELECT_CUSTOMER_TICKETS: &str = "SELECT s.ticket_id, t.ticket_type, \
    t.vendor, s.price, s.sold_at, s.event, \
    (SELECT c.body FROM {s}.event_config c WHERE c.event = s.event ORDER BY c.seq DESC LIMIT 1) \
    FROM {s}.sales s JOIN {s}.tickets t ON t.event = s.event AND t.id = s.ticket_id \
    WHERE s.customer = $1 AND s.event = ANY($2) ORDER BY s.sold_at DESC, s.seq DESC LIMIT $3";

impl Execute for Client {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, PersistError> {
        Ok(Client::execute(self, sql, &bind(params))?)
    }
}

impl<C: GenericClient> QueryWith for Pg<'_, C> {
    fn each_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&dyn Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError> {
        for row in self.client.query(sql, &bind(params))? {
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
        let event = self.event;
        my_tickets::my_tickets(
            &mut Pg::new(&mut self.conn().client, event),
            &self.location,
            event,
            customer,
            limit,
        )
    }
}

/// Up to `limit` of `customer`'s tickets for `events` of the catalog in
/// `schema`, newest first: one read of the customer index across every
/// event's sales. A schema without a journal yet has no tickets.
pub(crate) fn customer_tickets(
    client: &mut Client,
    schema: &str,
    events: &[EventId],
    customer: &str,
    limit: usize,
) -> Result<Vec<CustomerTicket>, PersistError> {
    super::check_schema(schema)?;
    let location = format!("PostgreSQL schema {schema}");
    if limit == 0 || events.is_empty() {
        return Ok(Vec::new());
    }
    let journal: Option<String> = client
        .query_one(
            "SELECT to_regclass($1)::text",
            &[&format!("{schema}.sales")],
        )?
        .try_get(0)?;
    if journal.is_none() {
        return Ok(Vec::new());
    }
    let keys: Vec<i64> = events.iter().map(|e| id_to_sql(e.0)).collect();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // The schema name is checked, so splicing it is safe.
    let sql = SELECT_CUSTOMER_TICKETS.replace("{s}", schema);
    let rows = client.query(&sql, &[&customer, &keys, &limit])?;
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut tickets = Vec::with_capacity(rows.len());
    for row in rows {
        let key: i64 = row.try_get(5)?;
        let name = event_name(&mut names, key, row.try_get(6)?, &location)?;
        tickets.push(CustomerTicket {
            event: EventId(id_from_sql(key)),
            booked: BookedTicket {
                event: name,
                ticket: TicketId(id_from_sql(row.try_get(0)?)),
                ticket_type: row.try_get::<_, &str>(1)?.to_owned(),
                vendor: row.try_get::<_, &str>(2)?.to_owned(),
                price: Money::from_minor(row.try_get(3)?),
                sold_at: nanos_to_time(row.try_get(4)?),
            },
        });
    }
    Ok(tickets)
}

impl CatalogStore for PgStore {
    fn save_venue(&mut self, venue: &Venue) -> Result<(), StoreError> {
        catalog_rows::save_venue(&mut self.conn().client, venue)
            .map_err(|e| store_error("save the venue", e))
    }

    fn save_performer(&mut self, performer: &Performer) -> Result<(), StoreError> {
        catalog_rows::save_performer(&mut self.conn().client, performer)
            .map_err(|e| store_error("save the performer", e))
    }

    fn save_event(&mut self, event: &Event) -> Result<(), StoreError> {
        catalog_rows::save_event(&mut self.conn().client, event)
            .map_err(|e| store_error("save the event", e))
    }

    fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError> {
        let event = self.event;
        catalog_rows::load_venues(&mut Pg::new(&mut self.conn().client, event), &self.location)
            .map_err(|e| store_error("load the venues", e))
    }

    fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError> {
        let event = self.event;
        catalog_rows::load_performers(&mut Pg::new(&mut self.conn().client, event))
            .map_err(|e| store_error("load the performers", e))
    }

    fn load_events(&mut self) -> Result<Vec<Event>, StoreError> {
        let event = self.event;
        catalog_rows::load_events(&mut Pg::new(&mut self.conn().client, event), &self.location)
            .map_err(|e| store_error("load the events", e))
    }

    fn save_seat_map(&mut self, venue: VenueId, config: &VenueConfig) -> Result<(), StoreError> {
        catalog_rows::save_seat_map(&mut self.conn().client, venue, config)
            .map_err(|e| store_error("save the seat map", e))
    }

    fn load_seat_maps(&mut self) -> Result<Vec<(VenueId, VenueConfig)>, StoreError> {
        let event = self.event;
        catalog_rows::load_seat_maps(&mut Pg::new(&mut self.conn().client, event), &self.location)
            .map_err(|e| store_error("load the seat maps", e))
    }
}
