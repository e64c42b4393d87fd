//! Sold seats in the journal: a seated event's seat sales are rows of the
//! `tickets` and `sales` tables whose `seat` column holds the seat's label
//! (schema version 5), written once for both databases over the few
//! statements each provides.
//!
//! A seat has no ticket row until it is sold: a seat map of 80,000 seats
//! is not released ticket by ticket. Its ticket id is the seated event's
//! own (the catalog gives seat `n` the id `SEAT_TICKETS + n`, far above the
//! box office's general-admission ids), so the box office's recovery, which
//! reads only rows whose seat is NULL, never sees it; the unique `seat`
//! index and `UNIQUE(ticket_id)` keep a seat from being sold twice.

use ticketpool_core::TicketId;

use crate::codec::id_to_sql;
use crate::error::PersistError;
use crate::rows::{Columns, Interner, Query, SaleRow, TicketRow};
use crate::schema;
use crate::store::{Outcome, SeatWave, SoldSeat};

/// The statements a backend runs, inside one transaction, to record seats.
pub(crate) trait SeatTables {
    /// Inserts the seat's ticket row; `false` if its id or seat is taken.
    fn insert_seat_ticket(&mut self, sold: &SoldSeat) -> Result<bool, PersistError>;
    /// Inserts the seat's sale row; `false` if its ticket is sold.
    fn insert_seat_sale(&mut self, sold: &SoldSeat) -> Result<bool, PersistError>;
    /// The customer the seat (or its ticket id) is sold to, if sold.
    fn seat_holder(&mut self, sold: &SoldSeat) -> Result<Option<String>, PersistError>;
}

/// What recording one hold's seats does: all of them, or none.
///
/// `Ok(Recorded)` when every seat was new; `Ok(AlreadyRecorded)` when every
/// seat was already sold to this customer (a retry); otherwise
/// `Ok(DoubleSale)` naming the first seat sold to someone else, and the
/// caller must roll the transaction back.
pub(crate) fn apply_seats<T: SeatTables + ?Sized>(
    tables: &mut T,
    seats: &[SoldSeat],
) -> Result<Outcome, PersistError> {
    let mut repeated = 0;
    for sold in seats {
        if tables.insert_seat_ticket(sold)? && tables.insert_seat_sale(sold)? {
            continue;
        }
        match tables.seat_holder(sold)? {
            Some(holder) if *holder == *sold.sale.customer => repeated += 1,
            holder => {
                return Ok(Outcome::DoubleSale {
                    ticket: sold.sale.ticket.id,
                    holder: holder.unwrap_or_default().into(),
                })
            }
        }
    }
    Ok(if repeated == seats.len() && !seats.is_empty() {
        Outcome::AlreadyRecorded
    } else {
        Outcome::Recorded
    })
}

/// The parameters of `INSERT_SEAT_TICKET` and `INSERT_SEAT_SALE`, shared by
/// the backends: the ticket's five columns, the sale's seven.
pub(crate) fn ticket_and_sale(sold: &SoldSeat) -> (TicketRow<'_>, i64, SaleRow<'_>) {
    (
        TicketRow::of(&sold.sale.ticket),
        id_to_sql(sold.sale.ticket.id.0),
        SaleRow::of(&sold.sale),
    )
}

/// Every sold seat, in the order recorded.
pub(crate) fn read_sold_seats(
    db: &mut dyn Query,
    location: &str,
) -> Result<Vec<SoldSeat>, PersistError> {
    let mut names = Interner::default();
    let mut seats = Vec::new();
    db.each(schema::SELECT_SOLD_SEATS, &mut |row: &dyn Columns| {
        let ticket = TicketRow::at(row, 0)?.decode(&mut names);
        let sale = SaleRow::at(row, 5)?.decode(location, ticket, &mut names)?;
        let seat = names.get(row.text(11)?);
        seats.push(SoldSeat { seat, sale });
        Ok(())
    })?;
    Ok(seats)
}

/// The ticket id a seat's holder row is looked up by.
pub(crate) fn seat_ticket(sold: &SoldSeat) -> i64 {
    let TicketId(id) = sold.sale.ticket.id;
    id_to_sql(id)
}

/// The columns of `INSERT_SEAT_WAVE` but the time: kind, name, rows.
pub(crate) fn wave_columns(wave: &SeatWave) -> (&'static str, Option<&str>, Option<&str>) {
    match wave {
        SeatWave::Nothing => ("none", None, None),
        SeatWave::All => ("all", None, None),
        SeatWave::Section(name) => ("section", Some(name), None),
        SeatWave::Tier(name) => ("tier", Some(name), None),
        SeatWave::Block { section, rows } => ("block", Some(section), Some(rows)),
    }
}

/// Every release wave, in the order recorded.
pub(crate) fn read_seat_waves(
    db: &mut dyn Query,
    location: &str,
) -> Result<Vec<SeatWave>, PersistError> {
    let mut waves = Vec::new();
    db.each(schema::SELECT_SEAT_WAVES, &mut |row: &dyn Columns| {
        let seq = row.int(0)?;
        let name = row.opt_text(2)?.map(str::to_owned);
        let rows = row.opt_text(3)?.map(str::to_owned);
        let wave = match (row.text(1)?, name, rows) {
            ("none", None, None) => SeatWave::Nothing,
            ("all", None, None) => SeatWave::All,
            ("section", Some(name), None) => SeatWave::Section(name),
            ("tier", Some(name), None) => SeatWave::Tier(name),
            ("block", Some(section), Some(rows)) => SeatWave::Block { section, rows },
            (kind, ..) => {
                return Err(PersistError::BadRow {
                    location: location.to_owned(),
                    detail: format!("seat wave {seq}: kind {kind:?} with the wrong columns"),
                })
            }
        };
        waves.push(wave);
        Ok(())
    })?;
    Ok(waves)
}
