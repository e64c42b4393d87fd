//! The catalog's seat ledgers on journals: a seated event's seat sales go
//! to the same journal as its box office's sales (see `seat_rows`), through
//! a connection of their own.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ticketpool_catalog::{EventId, SeatLedger, SeatLedgerFactory, SeatRecord, StoreError, Wave};
use ticketpool_core::{Name, Sale, Ticket};

use crate::catalog_rows::store_error;
use crate::error::PersistError;
use crate::store::{Outcome, Store};
use crate::store::{SeatWave, SoldSeat};

/// The vendor a seat's ticket row names: seats are released by the seat
/// map, not by a vendor of the box office.
pub const SEAT_VENDOR: &str = "seat map";

/// A [`SeatLedgerFactory`] for [`CatalogOptions::seat_ledgers`] that keeps
/// each seated event's seat sales in the journal `journal_for(event)`
/// returns: the event's own journal, beside its box office's sales.
///
/// [`CatalogOptions::seat_ledgers`]: ticketpool_catalog::CatalogOptions::seat_ledgers
pub fn catalog_seat_ledgers<S, F>(journal_for: F) -> SeatLedgerFactory
where
    S: Store + 'static,
    F: Fn(EventId) -> Result<S, PersistError> + Send + Sync + 'static,
{
    Arc::new(move |event| {
        let store = journal_for(event.id)
            .map_err(|e| store_error(&format!("open the seat journal of {}", event.id), e))?;
        let ledger: Arc<dyn SeatLedger> = Arc::new(JournalLedger {
            store: Mutex::new(store),
        });
        Ok(ledger)
    })
}

/// A [`SeatLedger`] on one journal connection.
struct JournalLedger<S> {
    store: Mutex<S>,
}

impl<S: Store> SeatLedger for JournalLedger<S> {
    fn record(&self, seats: &[SeatRecord]) -> Result<(), StoreError> {
        let sold: Vec<SoldSeat> = seats.iter().map(to_sold).collect();
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        match store
            .record_seats(&sold)
            .map_err(|e| store_error("record the seat sale", e))?
        {
            Outcome::DoubleSale { ticket, holder } => Err(StoreError::new(format!(
                "the journal refused a second sale of {ticket}: it is sold to {holder:?}"
            ))),
            _ => Ok(()),
        }
    }

    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let sold = store
            .sold_seats()
            .map_err(|e| store_error("read the sold seats", e))?;
        Ok(sold.into_iter().map(from_sold).collect())
    }

    fn record_wave(&self, wave: &Wave) -> Result<(), StoreError> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store
            .record_seat_wave(&to_row(wave))
            .map_err(|e| store_error("record the seat wave", e))
    }

    fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let waves = store
            .seat_waves()
            .map_err(|e| store_error("read the seat waves", e))?;
        Ok(waves.into_iter().map(from_row).collect())
    }
}

fn to_row(wave: &Wave) -> SeatWave {
    match wave {
        Wave::Nothing => SeatWave::Nothing,
        Wave::All => SeatWave::All,
        Wave::Section(name) => SeatWave::Section(name.clone()),
        Wave::Tier(name) => SeatWave::Tier(name.clone()),
        Wave::Block { section, rows } => SeatWave::Block {
            section: section.clone(),
            rows: rows.clone(),
        },
    }
}

fn from_row(wave: SeatWave) -> Wave {
    match wave {
        SeatWave::Nothing => Wave::Nothing,
        SeatWave::All => Wave::All,
        SeatWave::Section(name) => Wave::Section(name),
        SeatWave::Tier(name) => Wave::Tier(name),
        SeatWave::Block { section, rows } => Wave::Block { section, rows },
    }
}

fn to_sold(record: &SeatRecord) -> SoldSeat {
    SoldSeat {
        seat: Arc::clone(&record.seat),
        sale: Sale {
            ticket: Ticket {
                id: record.ticket,
                ticket_type: Name::from(&record.tier),
                vendor: Name::from(SEAT_VENDOR),
                base_price: record.price,
                released_at: record.sold_at,
            },
            customer: Arc::clone(&record.customer),
            priority: record.priority,
            price: record.price,
            sold_at: record.sold_at,
            waited: Duration::ZERO,
            hold: Some(ticketpool_core::HoldId(record.hold)),
        },
    }
}

fn from_sold(sold: SoldSeat) -> SeatRecord {
    let sale = sold.sale;
    SeatRecord {
        seat: sold.seat,
        ticket: sale.ticket.id,
        tier: Arc::from(sale.ticket.ticket_type),
        price: sale.price,
        customer: sale.customer,
        priority: sale.priority,
        sold_at: sale.sold_at,
        hold: sale.hold.map_or(0, |h| h.0),
    }
}
