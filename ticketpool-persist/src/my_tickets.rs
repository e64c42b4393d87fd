//! "My tickets": a customer's booked tickets, newest first, read through
//! the `sales_by_customer` index on `sales(customer, sold_at)` (schema
//! version 4), never by scanning the sales.

use std::collections::HashMap;
use std::time::SystemTime;

use ticketpool_catalog::EventId;
use ticketpool_core::{Money, TicketId};

use crate::catalog_rows::Param;
use crate::codec::{decode_settings, id_from_sql, nanos_to_time};
use crate::error::PersistError;
use crate::rows::read_settings;
use crate::rows::Query;

/// One ticket a customer bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedTicket {
    /// The event's name, as the journal's configuration records it (empty
    /// for a journal that has recorded none).
    pub event: String,
    /// The ticket.
    pub ticket: TicketId,
    /// Its type.
    pub ticket_type: String,
    /// Who released it.
    pub vendor: String,
    /// What the customer paid.
    pub price: Money,
    /// When.
    pub sold_at: SystemTime,
}

/// Newest first; the index serves both the filter and the order (in
/// SQLite the rowid `seq` is the index's last column, so ties come out
/// newest-recorded first without a sort).
pub(crate) const SELECT_MY_TICKETS: &str = "SELECT s.ticket_id, t.ticket_type, t.vendor, \
    s.price, s.sold_at FROM sales s JOIN tickets t ON t.event = s.event AND t.id = s.ticket_id \
    WHERE s.customer = $1 AND s.event = $2 ORDER BY s.sold_at DESC, s.seq DESC LIMIT $3";

/// A customer's tickets across every event of a catalog kept in one
/// database, newest first, with each ticket's event and the name its
/// configuration in force records: one statement on the same index. The
/// caller stops reading once it has what it wants.
pub(crate) const SELECT_CUSTOMER_TICKETS: &str = "SELECT s.ticket_id, t.ticket_type, \
    t.vendor, s.price, s.sold_at, s.event, \
    (SELECT c.body FROM event_config c WHERE c.event = s.event ORDER BY c.seq DESC LIMIT 1) \
    FROM sales s JOIN tickets t ON t.event = s.event AND t.id = s.ticket_id \
    WHERE s.customer = $1 ORDER BY s.sold_at DESC, s.seq DESC";

/// The name event `key`'s configuration `body` records (empty without
/// one), decoded once per event of a read across events.
pub(crate) fn event_name(
    names: &mut HashMap<i64, String>,
    key: i64,
    body: Option<&str>,
    location: &str,
) -> Result<String, PersistError> {
    if let Some(name) = names.get(&key) {
        return Ok(name.clone());
    }
    let name = body
        .map(|body| decode_settings(location, body))
        .transpose()?
        .map(|settings| settings.event_name)
        .unwrap_or_default();
    names.insert(key, name.clone());
    Ok(name)
}

/// Runs a parameterised read, one row at a time.
pub(crate) trait QueryWith {
    /// Runs `sql` with `params` and hands each row to `row`.
    fn each_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        row: &mut dyn FnMut(&dyn crate::rows::Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError>;
}

/// Up to `limit` of `customer`'s tickets, newest first.
pub(crate) fn my_tickets<D: QueryWith + Query>(
    db: &mut D,
    location: &str,
    journal: i64,
    customer: &str,
    limit: usize,
) -> Result<Vec<BookedTicket>, PersistError> {
    let event = read_settings(db, location)?
        .map(|settings| settings.event_name)
        .unwrap_or_default();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut tickets = Vec::new();
    db.each_with(
        SELECT_MY_TICKETS,
        &[
            Param::Text(customer),
            Param::Int(journal),
            Param::Int(limit),
        ],
        &mut |row| {
            tickets.push(BookedTicket {
                event: event.clone(),
                ticket: TicketId(id_from_sql(row.int(0)?)),
                ticket_type: row.text(1)?.to_owned(),
                vendor: row.text(2)?.to_owned(),
                price: Money::from_minor(row.int(3)?),
                sold_at: nanos_to_time(row.int(4)?),
            });
            Ok(())
        },
    )?;
    Ok(tickets)
}

/// One ticket a customer bought, with the event it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerTicket {
    /// The event.
    pub event: EventId,
    /// The ticket, as its event's journal records it.
    pub booked: BookedTicket,
}

/// Several events' tickets merged: the newest `limit`, newest first (a
/// stable sort keeps each journal's own order on ties). Only the
/// PostgreSQL catalog merges journals this way.
#[cfg(feature = "postgres")]
pub(crate) fn newest_first(mut tickets: Vec<CustomerTicket>, limit: usize) -> Vec<CustomerTicket> {
    tickets.sort_by_key(|t| std::cmp::Reverse(t.booked.sold_at));
    tickets.truncate(limit);
    tickets
}
