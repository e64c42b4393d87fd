//! Sold seats on PostgreSQL (see `seat_rows`).

use postgres::Transaction;

use super::{classify, Pg, PgStore};
use crate::codec::time_to_nanos;
use crate::error::PersistError;
use crate::schema;
use crate::seat_rows::{
    apply_seats, read_seat_waves, read_sold_seats, seat_ticket, ticket_and_sale, wave_columns,
    SeatTables,
};
use crate::store::Outcome;
use crate::store::{SeatWave, SoldSeat};

struct SeatTx<'t, 'c>(&'t mut Transaction<'c>, i64);

impl SeatTables for SeatTx<'_, '_> {
    fn insert_seat_ticket(&mut self, sold: &SoldSeat) -> Result<bool, PersistError> {
        let (t, _, _) = ticket_and_sale(sold);
        let seat: &str = &sold.seat;
        let inserted = self.0.execute(
            schema::INSERT_SEAT_TICKET,
            &[
                &t.id,
                &t.ticket_type,
                &t.vendor,
                &t.base_price,
                &t.released_at,
                &seat,
                &self.1,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn insert_seat_sale(&mut self, sold: &SoldSeat) -> Result<bool, PersistError> {
        let (_, id, s) = ticket_and_sale(sold);
        let seat: &str = &sold.seat;
        let inserted = self.0.execute(
            schema::INSERT_SEAT_SALE,
            &[
                &id,
                &s.customer,
                &s.priority,
                &s.price,
                &s.sold_at,
                &s.waited_ns,
                &s.hold_id,
                &seat,
                &self.1,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn seat_holder(&mut self, sold: &SoldSeat) -> Result<Option<String>, PersistError> {
        let seat: &str = &sold.seat;
        let row = self
            .0
            .query_opt(schema::SEAT_HOLDER, &[&seat, &seat_ticket(sold), &self.1])?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }
}

impl PgStore {
    pub(super) fn write_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        let event = self.event;
        let mut conn = self.journal()?;
        let result = (|| {
            let mut tx = conn.client.transaction()?;
            let outcome = apply_seats(&mut SeatTx(&mut tx, event), seats)?;
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
        let event = self.event;
        let result = read_sold_seats(
            &mut Pg::new(&mut self.journal()?.client, event),
            &self.location,
        );
        result.map_err(|e| classify(&self.location, e))
    }

    pub(super) fn write_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        let (kind, name, rows) = wave_columns(wave);
        let now = time_to_nanos(std::time::SystemTime::now());
        self.journal()?
            .client
            .execute(
                schema::INSERT_SEAT_WAVE,
                &[&kind, &name, &rows, &now, &self.event],
            )
            .map(drop)
            .map_err(|e| classify(&self.location, e.into()))
    }

    pub(super) fn read_seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        let event = self.event;
        let result = read_seat_waves(
            &mut Pg::new(&mut self.journal()?.client, event),
            &self.location,
        );
        result.map_err(|e| classify(&self.location, e))
    }
}
