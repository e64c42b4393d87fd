//! Sold seats on SQLite (see `seat_rows`).

use rusqlite::{params, OptionalExtension, Transaction};

use super::{classify, Sqlite, SqliteStore};
use crate::codec::time_to_nanos;
use crate::error::PersistError;
use crate::schema;
use crate::seat_rows::{
    apply_seats, read_seat_waves, read_sold_seats, seat_ticket, ticket_and_sale, wave_columns,
    SeatTables,
};
use crate::store::Outcome;
use crate::store::{SeatWave, SoldSeat};

struct SeatTx<'t, 'c>(&'t Transaction<'c>, i64);

impl SeatTables for SeatTx<'_, '_> {
    fn insert_seat_ticket(&mut self, sold: &SoldSeat) -> Result<bool, PersistError> {
        let (t, _, _) = ticket_and_sale(sold);
        let inserted = self
            .0
            .prepare_cached(schema::INSERT_SEAT_TICKET)?
            .execute(params![
                t.id,
                t.ticket_type,
                t.vendor,
                t.base_price,
                t.released_at,
                &*sold.seat,
                self.1
            ])?;
        Ok(inserted == 1)
    }

    fn insert_seat_sale(&mut self, sold: &SoldSeat) -> Result<bool, PersistError> {
        let (_, id, s) = ticket_and_sale(sold);
        let inserted = self
            .0
            .prepare_cached(schema::INSERT_SEAT_SALE)?
            .execute(params![
                id,
                s.customer,
                s.priority,
                s.price,
                s.sold_at,
                s.waited_ns,
                s.hold_id,
                &*sold.seat,
                self.1
            ])?;
        Ok(inserted == 1)
    }

    fn seat_holder(&mut self, sold: &SoldSeat) -> Result<Option<String>, PersistError> {
        Ok(self
            .0
            .query_row(
                schema::SEAT_HOLDER,
                params![&*sold.seat, seat_ticket(sold), self.1],
                |row| row.get(0),
            )
            .optional()?)
    }
}

impl SqliteStore {
    pub(super) fn write_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        let mut conn = self.conn();
        let result = (|| {
            let tx = conn.transaction()?;
            let outcome = apply_seats(&mut SeatTx(&tx, self.event), seats)?;
            if matches!(outcome, Outcome::Recorded) {
                tx.commit()?;
            }
            // Anything else wrote nothing that should stay: dropping the
            // transaction rolls it back.
            Ok(outcome)
        })();
        result.map_err(|e| classify(&self.location, e))
    }

    pub(super) fn read_seats(&mut self) -> Result<Vec<SoldSeat>, PersistError> {
        read_sold_seats(&mut Sqlite::new(&self.conn(), self.event), &self.location)
            .map_err(|e| classify(&self.location, e))
    }

    pub(super) fn write_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        let (kind, name, rows) = wave_columns(wave);
        let now = time_to_nanos(std::time::SystemTime::now());
        self.conn()
            .execute(
                schema::INSERT_SEAT_WAVE,
                params![kind, name, rows, now, self.event],
            )
            .map(drop)
            .map_err(|e| classify(&self.location, e.into()))
    }

    pub(super) fn read_seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        read_seat_waves(&mut Sqlite::new(&self.conn(), self.event), &self.location)
            .map_err(|e| classify(&self.location, e))
    }
}
