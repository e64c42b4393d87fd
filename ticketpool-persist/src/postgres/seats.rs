//! Sold seats on PostgreSQL (see `seat_rows`).

use postgres::Transaction;

use super::{classify, PgStore};
use crate::codec::time_to_nanos;
use crate::error::PersistError;
use crate::schema;
use crate::seat_rows::{
    apply_seats, read_seat_waves, read_sold_seats, seat_ticket, ticket_and_sale, wave_columns,
    SeatTables,
};
use crate::store::Outcome;
use crate::store::{SeatWave, SoldSeat};

struct SeatTx<'t, 'c>(&'t mut Transaction<'c>);

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
                &schema::LONE_JOURNAL,
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
                &schema::LONE_JOURNAL,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn seat_holder(&mut self, sold: &SoldSeat) -> Result<Option<String>, PersistError> {
        let seat: &str = &sold.seat;
        let row = self.0.query_opt(
            schema::SEAT_HOLDER,
            &[&seat, &seat_ticket(sold), &schema::LONE_JOURNAL],
        )?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }
}

impl PgStore {
    pub(super) fn write_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        let result = (|| {
            let mut tx = self.client.transaction()?;
            let outcome = apply_seats(&mut SeatTx(&mut tx), seats)?;
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
        read_sold_seats(&mut self.client, &self.location).map_err(|e| classify(&self.location, e))
    }

    pub(super) fn write_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        let (kind, name, rows) = wave_columns(wave);
        let now = time_to_nanos(std::time::SystemTime::now());
        self.client
            .execute(
                schema::INSERT_SEAT_WAVE,
                &[&kind, &name, &rows, &now, &schema::LONE_JOURNAL],
            )
            .map(drop)
            .map_err(|e| classify(&self.location, e.into()))
    }

    pub(super) fn read_seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        read_seat_waves(&mut self.client, &self.location).map_err(|e| classify(&self.location, e))
    }
}
