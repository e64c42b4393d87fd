//! How one event changes the tables, written once for both databases over
//! the few statements each of them provides.

use std::sync::Arc;

use ticketpool_core::{Event, Sale, Ticket, TicketId};

use crate::codec;
use crate::error::PersistError;
use crate::store::Outcome;

/// The statements a backend runs inside its open transaction.
pub(crate) trait Tables {
    /// Inserts the ticket unless one with its id exists; `true` if inserted.
    fn insert_ticket(&mut self, ticket: &Ticket) -> Result<bool, PersistError>;
    /// Inserts the sale unless its ticket is sold; `true` if inserted.
    fn insert_sale(&mut self, sale: &Sale) -> Result<bool, PersistError>;
    /// The customer a recorded sale of `ticket` belongs to.
    fn sale_holder(&mut self, ticket: TicketId) -> Result<String, PersistError>;
    /// Appends to the event log; returns the new row's sequence number.
    fn log(
        &mut self,
        kind: &str,
        ticket: Option<TicketId>,
        body: Option<&str>,
    ) -> Result<i64, PersistError>;
    /// Inserts or replaces a vendor and its ticket types.
    fn put_vendor(
        &mut self,
        vendor: &str,
        seq: i64,
        ticket_types: &[Arc<str>],
    ) -> Result<(), PersistError>;
    /// Deletes a vendor and its ticket types.
    fn remove_vendor(&mut self, vendor: &str) -> Result<(), PersistError>;
}

/// Applies `event`; idempotent for retried releases and sales, so a retry
/// after an unknown commit outcome never doubles a row.
// The inserts are writes; clippy's suggestion would move one into a match
// guard, where a side effect is easy to miss.
#[allow(clippy::collapsible_match)]
pub(crate) fn apply<T: Tables + ?Sized>(
    tables: &mut T,
    event: &Event,
) -> Result<Outcome, PersistError> {
    match event {
        Event::Released { ticket } => {
            if !tables.insert_ticket(ticket)? {
                return Ok(Outcome::AlreadyRecorded);
            }
        }
        Event::Sold { sale } => {
            // A sale carries its ticket, so a sale whose release was never
            // journaled still counts as released.
            tables.insert_ticket(&sale.ticket)?;
            if !tables.insert_sale(sale)? {
                let holder = tables.sale_holder(sale.ticket.id)?;
                return Ok(if *holder == *sale.customer {
                    Outcome::AlreadyRecorded
                } else {
                    Outcome::DoubleSale {
                        ticket: sale.ticket.id,
                        holder: holder.into(),
                    }
                });
            }
        }
        Event::VendorRemoved { vendor } => tables.remove_vendor(vendor)?,
        _ => {}
    }
    // Releases and sales are most of the log and already sit whole in the
    // tickets and sales tables: their log rows point there instead of
    // repeating the JSON (which cut Batched throughput about fivefold).
    let body = match event {
        Event::Released { .. } | Event::Sold { .. } => None,
        _ => Some(codec::encode_event(event)?),
    };
    let seq = tables.log(event.kind(), codec::ticket_of(event), body.as_deref())?;
    if let Event::VendorAdded {
        vendor,
        ticket_types,
    } = event
    {
        tables.put_vendor(vendor, seq, ticket_types)?;
    }
    Ok(Outcome::Recorded)
}
