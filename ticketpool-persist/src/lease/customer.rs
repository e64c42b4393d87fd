//! "My tickets" in lease mode: a customer's sold tickets, read from
//! `lease_tickets` through its `lease_tickets_customer` index on
//! `(customer, sold_at)` for sold rows, never by scanning the events; and
//! with seat leases their seats sold from `lease_seats` (issue 18), as
//! seat tickets (`SEAT_TICKETS` + the seat id), through its
//! `lease_seats_customer` index on `(customer, sold_at)` for sold seats.

use std::time::SystemTime;

use postgres::error::SqlState;
use postgres::Client;
use ticketpool_catalog::{EventId, SEAT_TICKETS};
use ticketpool_core::{Money, TicketId};

use super::seats::SEAT_SOLD;
use super::table::SOLD;
use crate::codec::{id_from_sql, id_to_sql};
use crate::error::PersistError;
use crate::my_tickets::{BookedTicket, CustomerTicket};

/// The ticket type a seat sold from the leases is listed with: the table
/// keeps no tier (the seat map has it).
const LEASED_SEAT_TYPE: &str = "seat";

/// Up to `limit` of `customer`'s tickets of `events` sold from the leases
/// in `schema` (a checked identifier), and with `seats` up to `limit` of
/// their seats sold from the seat leases there (none if no seated event
/// was ever stocked: no table yet), each newest first. A ticket's vendor
/// is the node that sold it; its event's name is `name(event)`.
pub(crate) fn lease_my_tickets(
    client: &mut Client,
    schema: &str,
    events: &[EventId],
    customer: &str,
    limit: usize,
    seats: bool,
    name: impl Fn(EventId) -> String,
) -> Result<Vec<CustomerTicket>, PersistError> {
    let ids: Vec<i64> = events.iter().map(|e| id_to_sql(e.0)).collect();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = client.query(
        &format!(
            "SELECT event_id, ticket_id, ticket_type, lease_owner, price, sold_at
             FROM {schema}.lease_tickets
             WHERE customer = $1 AND state = {SOLD} AND event_id = ANY($2)
             ORDER BY sold_at DESC, ticket_id DESC LIMIT $3"
        ),
        &[&customer, &ids, &limit],
    )?;
    if seats {
        // The same columns as the tickets' rows.
        let sold = client.query(
            &format!(
                "SELECT event_id, seat_id + {}, '{LEASED_SEAT_TYPE}', lease_owner, price, sold_at
                 FROM {schema}.lease_seats
                 WHERE customer = $1 AND state = {SEAT_SOLD} AND event_id = ANY($2)
                 ORDER BY sold_at DESC, seat_id DESC LIMIT $3",
                id_to_sql(SEAT_TICKETS)
            ),
            &[&customer, &ids, &limit],
        );
        match sold {
            Ok(sold) => rows.extend(sold),
            Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    rows.iter()
        .map(|row| {
            let event = EventId(id_from_sql(row.try_get(0)?));
            Ok(CustomerTicket {
                event,
                booked: BookedTicket {
                    event: name(event),
                    ticket: TicketId(id_from_sql(row.try_get(1)?)),
                    ticket_type: row.try_get(2)?,
                    vendor: row.try_get(3)?,
                    price: Money::from_minor(row.try_get(4)?),
                    sold_at: row.try_get::<_, SystemTime>(5)?,
                },
            })
        })
        .collect()
}
