//! Rows to and from values, written once for both databases: which column
//! holds what, how a ticket, a sale, an event-log row and the settings
//! become column values and back, and how recovery reads its tables. A
//! store supplies only its driver calls: [`Columns`] for one result row,
//! [`Query`] to run a statement.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use ticketpool_core::{
    Event, HoldId, Money, Name, Priority, RecoveredState, Sale, Ticket, TicketId,
};

use crate::codec::{
    decode_event, decode_settings, duration_to_nanos, encode_settings, id_from_sql, id_to_sql,
    nanos_to_duration, nanos_to_time, time_to_nanos,
};
use crate::error::PersistError;
use crate::recover::group_vendors;
use crate::schema;
use crate::settings::EventSettings;

/// One result row, read through its driver.
pub(crate) trait Columns {
    /// An integer column.
    fn int(&self, column: usize) -> Result<i64, PersistError>;
    /// An integer column that may be NULL.
    fn opt_int(&self, column: usize) -> Result<Option<i64>, PersistError>;
    /// A text column, borrowed from the row (no copy per recovered ticket).
    fn text(&self, column: usize) -> Result<&str, PersistError>;
    /// A text column that may be NULL.
    fn opt_text(&self, column: usize) -> Result<Option<&str>, PersistError>;
}

/// Runs a statement without parameters (the reads below), one row at a
/// time.
pub(crate) trait Query {
    /// Runs `sql` and hands each row to `row`, stopping at its first error.
    fn each(
        &mut self,
        sql: &str,
        row: &mut dyn FnMut(&dyn Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError>;
}

/// Shares one copy of each distinct customer, vendor or type name while
/// rows are read, so recovering a million tickets does not allocate a
/// million copies of a name (a ticket's short names are inline anyway:
/// see [`Name`]).
#[derive(Default)]
pub(crate) struct Interner {
    customers: HashMap<String, Arc<str>>,
    names: HashMap<String, Name>,
}

impl Interner {
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.customers.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = text.into();
        self.customers.insert(text.to_owned(), Arc::clone(&shared));
        shared
    }

    /// A ticket's type or vendor name.
    pub(crate) fn name(&mut self, text: &str) -> Name {
        if let Some(shared) = self.names.get(text) {
            return shared.clone();
        }
        let name = Name::from(text);
        self.names.insert(text.to_owned(), name.clone());
        name
    }
}

/// The columns of a `tickets` row, in the order every statement binds and
/// selects them: `id, ticket_type, vendor, base_price, released_at`.
pub(crate) struct TicketRow<'a> {
    pub(crate) id: i64,
    pub(crate) ticket_type: &'a str,
    pub(crate) vendor: &'a str,
    pub(crate) base_price: i64,
    pub(crate) released_at: i64,
}

impl<'a> TicketRow<'a> {
    /// What `INSERT_TICKET` binds for `ticket`.
    pub(crate) fn of(ticket: &'a Ticket) -> Self {
        Self {
            id: id_to_sql(ticket.id.0),
            ticket_type: &ticket.ticket_type,
            vendor: &ticket.vendor,
            base_price: ticket.base_price.minor(),
            released_at: time_to_nanos(ticket.released_at),
        }
    }

    /// The five ticket columns starting at `first`.
    pub(crate) fn at(row: &'a dyn Columns, first: usize) -> Result<Self, PersistError> {
        Ok(Self {
            id: row.int(first)?,
            ticket_type: row.text(first + 1)?,
            vendor: row.text(first + 2)?,
            base_price: row.int(first + 3)?,
            released_at: row.int(first + 4)?,
        })
    }

    pub(crate) fn decode(&self, names: &mut Interner) -> Ticket {
        Ticket {
            id: TicketId(id_from_sql(self.id)),
            ticket_type: names.name(self.ticket_type),
            vendor: names.name(self.vendor),
            base_price: Money::from_minor(self.base_price),
            released_at: nanos_to_time(self.released_at),
        }
    }
}

/// The columns of a `sales` row after its ticket's:
/// `customer, priority, price, sold_at, waited_ns, hold_id`.
pub(crate) struct SaleRow<'a> {
    pub(crate) customer: &'a str,
    pub(crate) priority: &'a str,
    pub(crate) price: i64,
    pub(crate) sold_at: i64,
    pub(crate) waited_ns: i64,
    pub(crate) hold_id: Option<i64>,
}

impl<'a> SaleRow<'a> {
    /// What `INSERT_SALE` binds for `sale` after its ticket's id.
    pub(crate) fn of(sale: &'a Sale) -> Self {
        Self {
            customer: &sale.customer,
            priority: sale.priority.as_str(),
            price: sale.price.minor(),
            sold_at: time_to_nanos(sale.sold_at),
            waited_ns: duration_to_nanos(sale.waited),
            hold_id: sale.hold.map(|h| id_to_sql(h.0)),
        }
    }

    /// The six sale columns starting at `first`.
    pub(crate) fn at(row: &'a dyn Columns, first: usize) -> Result<Self, PersistError> {
        Ok(Self {
            customer: row.text(first)?,
            priority: row.text(first + 1)?,
            price: row.int(first + 2)?,
            sold_at: row.int(first + 3)?,
            waited_ns: row.int(first + 4)?,
            hold_id: row.opt_int(first + 5)?,
        })
    }

    pub(crate) fn decode(
        &self,
        location: &str,
        ticket: Ticket,
        names: &mut Interner,
    ) -> Result<Sale, PersistError> {
        let priority = Priority::from_name(self.priority).ok_or_else(|| PersistError::BadRow {
            location: location.to_owned(),
            detail: format!(
                "sale of {}: unknown priority {:?}",
                ticket.id, self.priority
            ),
        })?;
        Ok(Sale {
            ticket,
            customer: names.get(self.customer),
            priority,
            price: Money::from_minor(self.price),
            sold_at: nanos_to_time(self.sold_at),
            waited: nanos_to_duration(self.waited_ns),
            hold: self.hold_id.map(|h| HoldId(id_from_sql(h))),
        })
    }
}

/// The `kind` of the log rows that carry no body (see `apply`): their
/// event is rebuilt from the tickets and sales tables. The spelling is
/// [`Event::kind`]'s (a test pins it); `schema::SELECT_EVENTS` joins the
/// sales of `sold` rows.
const RELEASED: &str = "released";
/// See [`RELEASED`].
const SOLD: &str = "sold";

/// Rebuilds an event-log row (see `schema::SELECT_EVENTS`): from its JSON
/// body, or for a release or sale from the joined ticket and sale columns.
fn decode_log_row(
    location: &str,
    row: &dyn Columns,
    names: &mut Interner,
) -> Result<Event, PersistError> {
    let seq = row.int(0)?;
    let kind = row.text(1)?;
    if let Some(body) = row.opt_text(2)? {
        return decode_event(location, seq, body);
    }
    let missing = |what: &str| PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("events row {seq} ({kind}): its {what} row is missing"),
    };
    let ticket = match row.opt_int(3)? {
        None => return Err(missing("tickets")),
        Some(_) => TicketRow::at(row, 3)?.decode(names),
    };
    match kind {
        RELEASED => Ok(Event::Released { ticket }),
        SOLD => {
            if row.opt_text(8)?.is_none() {
                return Err(missing("sales"));
            }
            Ok(Event::Sold {
                sale: SaleRow::at(row, 8)?.decode(location, ticket, names)?,
            })
        }
        _ => Err(PersistError::BadRow {
            location: location.to_owned(),
            detail: format!("events row {seq}: a {kind:?} event without a body"),
        }),
    }
}

/// The whole event log, oldest first.
pub(crate) fn read_events(db: &mut dyn Query, location: &str) -> Result<Vec<Event>, PersistError> {
    let mut names = Interner::default();
    let mut events = Vec::new();
    db.each(schema::SELECT_EVENTS, &mut |row| {
        events.push(decode_log_row(location, row, &mut names)?);
        Ok(())
    })?;
    Ok(events)
}

/// A `tickets` row as recovery keeps it until the sales are read.
enum Slot {
    /// A general-admission ticket, not (yet) found sold.
    Unsold(Ticket),
    /// A general-admission ticket whose sale was read.
    Sold,
    /// A seat's ticket: the seated event restores it (see `seat_rows`);
    /// here it only proves that its sale has a ticket.
    Seat,
}

/// Sales whose ticket row is missing (deleted by hand, or lost): counted,
/// with the lowest such ticket id to name one.
#[derive(Default)]
struct Orphans {
    count: u64,
    lowest: Option<i64>,
}

impl Orphans {
    fn add(&mut self, ticket_id: i64) {
        self.count += 1;
        self.lowest = Some(self.lowest.map_or(ticket_id, |low| low.min(ticket_id)));
    }

    /// Refuses a journal with orphan sales: dropping them without a word
    /// would read a damaged journal as a smaller, healthy one.
    fn check(&self, location: &str) -> Result<(), PersistError> {
        match self.lowest {
            Some(first) => Err(PersistError::BadRow {
                location: location.to_owned(),
                detail: format!(
                    "the journal is damaged: {} sale(s) have no ticket row \
                     (the first: the sale of ticket {})",
                    self.count,
                    TicketId(id_from_sql(first))
                ),
            }),
            None => Ok(()),
        }
    }
}

/// What a box office restarts from, read from the tables (run it inside
/// one read transaction, for a consistent snapshot).
///
/// One scan of the tickets in id order and one of the sales in the order
/// recorded, joined here: each sale takes its ticket out of the id-ordered
/// list (no copy), what is left unsold stays in id order, and a sale whose
/// ticket is missing is counted as damage before anything is returned.
pub(crate) fn read_state(
    db: &mut dyn Query,
    location: &str,
) -> Result<RecoveredState, PersistError> {
    let mut names = Interner::default();
    let (mut ids, mut slots) = (Vec::new(), Vec::new());
    let (mut released, mut max_id) = (0_u64, None);
    db.each(schema::SELECT_RECOVERY_TICKETS, &mut |row| {
        let ticket = TicketRow::at(row, 0)?;
        ids.push(ticket.id);
        if row.opt_text(5)?.is_some() {
            slots.push(Slot::Seat);
        } else {
            released += 1;
            max_id = Some(ticket.id);
            slots.push(Slot::Unsold(ticket.decode(&mut names)));
        }
        Ok(())
    })?;

    // A row that cannot be decoded is reported after the orphan count, as
    // when the orphan check ran first: damage is named as damage.
    let mut sales = Vec::with_capacity(ids.len());
    let (mut orphans, mut bad_row) = (Orphans::default(), None);
    db.each(schema::SELECT_RECOVERY_SALES, &mut |row| {
        let ticket_id = row.int(0)?;
        let Ok(at) = ids.binary_search(&ticket_id) else {
            orphans.add(ticket_id);
            return Ok(());
        };
        if orphans.count > 0 || bad_row.is_some() {
            return Ok(());
        }
        let ticket = match std::mem::replace(&mut slots[at], Slot::Sold) {
            Slot::Unsold(ticket) => ticket,
            Slot::Seat => {
                slots[at] = Slot::Seat;
                return Ok(());
            }
            // `UNIQUE(ticket_id)`: a second sale of one ticket cannot be
            // stored; were it there, the first counts, as in `replay`.
            Slot::Sold => return Ok(()),
        };
        match SaleRow::at(row, 1).and_then(|sale| sale.decode(location, ticket, &mut names)) {
            Ok(sale) => sales.push(sale),
            Err(err) => bad_row = Some(err),
        }
        Ok(())
    })?;
    orphans.check(location)?;
    if let Some(err) = bad_row {
        return Err(err);
    }
    let unsold = slots
        .into_iter()
        .filter_map(|slot| match slot {
            Slot::Unsold(ticket) => Some(ticket),
            Slot::Sold | Slot::Seat => None,
        })
        .collect();

    let mut vendor_rows = Vec::new();
    db.each(schema::SELECT_VENDORS, &mut |row| {
        let vendor = names.get(row.text(0)?);
        let ticket_type = row.opt_text(1)?.map(|t| names.get(t));
        vendor_rows.push((vendor, ticket_type));
        Ok(())
    })?;

    Ok(RecoveredState {
        sales,
        unsold,
        next_ticket_id: TicketId(max_id.map_or(0, |id| id_from_sql(id).saturating_add(1))),
        released,
        vendors: group_vendors(vendor_rows),
    })
}

/// The configuration in force, if one was recorded.
pub(crate) fn read_settings(
    db: &mut dyn Query,
    location: &str,
) -> Result<Option<EventSettings>, PersistError> {
    let mut settings = None;
    db.each(schema::SELECT_SETTINGS, &mut |row| {
        settings = Some(decode_settings(location, row.text(0)?)?);
        Ok(())
    })?;
    Ok(settings)
}

/// What `INSERT_SETTINGS` binds: when (now), why, and the configuration
/// as JSON.
pub(crate) struct SettingsRow<'a> {
    pub(crate) recorded_at: i64,
    pub(crate) reason: &'a str,
    pub(crate) body: String,
}

impl<'a> SettingsRow<'a> {
    pub(crate) fn of(settings: &EventSettings, reason: &'a str) -> Result<Self, PersistError> {
        Ok(Self {
            recorded_at: time_to_nanos(SystemTime::now()),
            reason,
            body: encode_settings(settings)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn ticket() -> Ticket {
        TicketRow {
            id: 7,
            ticket_type: "standard",
            vendor: "v",
            base_price: 100,
            released_at: 0,
        }
        .decode(&mut Interner::default())
    }

    #[test]
    fn unknown_priority_is_a_bad_row_not_a_panic() {
        let row = SaleRow {
            customer: "c",
            priority: "platinum",
            price: 1,
            sold_at: 0,
            waited_ns: 0,
            hold_id: None,
        };
        let err = row
            .decode("x.db", ticket(), &mut Interner::default())
            .unwrap_err();
        assert!(err.to_string().contains("platinum"), "{err}");
    }

    /// The body-less kinds are spelled as [`Event::kind`] spells them.
    #[test]
    fn bodyless_kinds_are_the_events_own() {
        let sale = Sale {
            ticket: ticket(),
            customer: Arc::from("c"),
            priority: Priority::Vip,
            price: Money::from_minor(1),
            sold_at: UNIX_EPOCH,
            waited: Duration::ZERO,
            hold: None,
        };
        assert_eq!(Event::Released { ticket: ticket() }.kind(), RELEASED);
        assert_eq!(Event::Sold { sale }.kind(), SOLD);
    }

    /// Encoding a sale and decoding its row gives the sale back.
    #[test]
    fn a_sale_row_round_trips() {
        let sale = Sale {
            ticket: ticket(),
            customer: Arc::from("ada"),
            priority: Priority::Regular,
            price: Money::from_minor(4_250),
            sold_at: UNIX_EPOCH + Duration::new(1_700_000_000, 5),
            waited: Duration::from_micros(3),
            hold: Some(HoldId(9)),
        };
        let mut names = Interner::default();
        let ticket = TicketRow::of(&sale.ticket).decode(&mut names);
        let back = SaleRow::of(&sale).decode("x.db", ticket, &mut names);
        assert_eq!(back.unwrap(), sale);
    }
}
