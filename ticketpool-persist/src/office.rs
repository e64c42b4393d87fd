//! Opening a box office on its journal: recover, start the writer, restore.
//! The one call an application makes at start-up, crash or no crash.

use std::sync::Arc;

use ticketpool_core::{BoxOffice, BoxOfficeConfig, Journal};

use crate::config::JournalConfig;
use crate::error::PersistError;
use crate::store::Store;
use crate::writer::DurableJournal;

/// Opens a box office on the journal in `store`: rebuilds it from what the
/// journal holds and records everything it does from then on.
///
/// This is the start-up path for a new journal (an empty office) and after
/// a crash alike: [`Store::recover`] rebuilds the state, a
/// [`DurableJournal`] is started on the store with `journal_config`, and
/// [`BoxOffice::restore`] builds the office from the state with that
/// journal. Sold tickets stay sold; tickets released but not sold,
/// including those held when the process stopped, are back on sale; new
/// ticket ids continue past every id the journal has seen; vendors are
/// registered again (get their handles with [`BoxOffice::vendor`]).
///
/// The journal is returned too, so the caller can
/// [`flush`](Journal::flush) it, or [`close`](DurableJournal::close) it once
/// every office handle is gone, to learn whether it ended healthy.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
/// use ticketpool_persist::{open_office, Durability, JournalConfig, SqliteStore};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("gig.db");
/// let config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(1_500));
/// let confirmed = JournalConfig::new(Durability::Confirmed);
///
/// let (office, journal) =
///     open_office(config.clone(), SqliteStore::open(&path).unwrap(), confirmed).unwrap();
/// let vendor = office.add_vendor("north", &[]).unwrap();
/// vendor.release("general").unwrap();
/// let last = vendor.release("general").unwrap();
/// let sale = office.customer("ada", Priority::Vip).buy(Want::Any).unwrap(); // committed
/// drop((office, vendor, journal)); // or a crash
///
/// let (office, _journal) =
///     open_office(config, SqliteStore::open(&path).unwrap(), confirmed).unwrap();
/// assert_eq!(office.sales(), vec![sale]);
/// assert_eq!(office.snapshot().totals.available, 1);
/// let next = office.vendor("north").unwrap().release("general").unwrap();
/// assert!(next.id > last.id); // no id is ever reused
/// ```
///
/// # Errors
///
/// What [`Store::recover`] or [`DurableJournal::start`] return, and
/// [`PersistError::Office`] if the journal does not fit `config` (a ticket
/// type the configuration lacks, more tickets released than
/// `total_tickets`).
pub fn open_office<S: Store + 'static>(
    config: BoxOfficeConfig,
    mut store: S,
    journal_config: JournalConfig,
) -> Result<(BoxOffice, Arc<DurableJournal>), PersistError> {
    let state = store.recover()?;
    let journal = Arc::new(DurableJournal::start(store, journal_config)?);
    let sink: Arc<dyn Journal> = Arc::clone(&journal) as Arc<dyn Journal>;
    let office = BoxOffice::restore(config, state, Some(sink)).map_err(PersistError::Office)?;
    Ok((office, journal))
}
