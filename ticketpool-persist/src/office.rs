//! Opening a box office on its journal: recover, start the writer, restore.
//! The one call an application makes at start-up, crash or no crash.

use std::sync::Arc;

use ticketpool_core::{BoxOffice, BoxOfficeConfig, Journal};

use crate::config::JournalConfig;
use crate::error::PersistError;
use crate::settings::{EventSettings, SettingDifference};
use crate::store::Store;
use crate::writer::DurableJournal;

/// Opens a box office on the journal in `store`: rebuilds it from what the
/// journal holds and records everything it does from then on.
///
/// This is the start-up path for a new journal (an empty office) and after
/// a crash alike: [`Store::recover`] rebuilds the state, a
/// [`DurableJournal`] is started on the store with `journal_config`, and
/// [`BoxOfficeBuilder::recovered`](ticketpool_core::BoxOfficeBuilder::recovered) builds the office from the state with that
/// journal. Sold tickets stay sold; tickets released but not sold,
/// including those held when the process stopped, are back on sale; new
/// ticket ids continue past every id the journal has seen; vendors are
/// registered again (get their handles with [`BoxOffice::vendor`]).
///
/// The journal holds the office to the configuration it was first opened
/// with ([`EventSettings`]: event name, total, ticket types with their
/// prices and quotas): a `config` that differs is refused with
/// [`PersistError::ConfigMismatch`] listing every difference, and nothing
/// is written. A journal that has no configuration recorded yet (a new one,
/// or one written before journals recorded it) records `config` once the
/// office is built. A deliberate change goes through [`reconfigure`].
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
/// What [`Store::recover`] or [`DurableJournal::start`] return,
/// [`PersistError::ConfigMismatch`] if `config` contradicts the recorded
/// configuration, and [`PersistError::Office`] if the journal does not fit
/// `config` (a ticket type the configuration lacks, more tickets released
/// than `total_tickets`).
pub fn open_office<S: Store + 'static>(
    config: BoxOfficeConfig,
    mut store: S,
    journal_config: JournalConfig,
) -> Result<(BoxOffice, Arc<DurableJournal>), PersistError> {
    let state = store.recover()?;
    let proposed = EventSettings::of(&config);
    let recorded = store.settings()?;
    if let Some(recorded) = &recorded {
        let differences = recorded.differences(&proposed);
        if !differences.is_empty() {
            return Err(PersistError::ConfigMismatch { differences });
        }
    }
    let journal = Arc::new(DurableJournal::start(store, journal_config)?);
    let sink: Arc<dyn Journal> = Arc::clone(&journal) as Arc<dyn Journal>;
    let office = BoxOffice::builder(config)
        .recovered(state)
        .journal(sink)
        .build()
        .map_err(PersistError::Office)?;
    if recorded.is_none() {
        // Only now: a configuration the journal does not fit is never
        // recorded as the one in force.
        journal
            .record_settings(proposed, "first open")
            .map_err(|err| PersistError::Stopped(err.to_string()))?;
    }
    Ok((office, journal))
}

/// Changes the configuration a journal holds its office to, on purpose:
/// appends `config`'s [`EventSettings`] to the journal's configuration
/// history (the earlier ones stay), so that [`open_office`] accepts it from
/// then on. Returns what changed (empty if nothing did; nothing is then
/// written).
///
/// Tickets already released keep the price they were released at; tickets
/// released from then on cost the new price. Call it while no office is
/// open on the journal.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
/// use ticketpool_persist::{
///     open_office, reconfigure, Durability, JournalConfig, PersistError, SettingDifference,
///     SqliteStore,
/// };
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("gig.db");
/// let confirmed = JournalConfig::new(Durability::Confirmed);
/// let config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(1_000));
/// let (office, journal) =
///     open_office(config.clone(), SqliteStore::open(&path).unwrap(), confirmed).unwrap();
/// office.add_vendor("north", &[]).unwrap().release("general").unwrap();
/// drop((office, journal));
///
/// let mut cheaper = config;
/// cheaper.ticket_types[0].price = Money::from_minor(800);
/// // Reopening with another price is refused ...
/// let refused = open_office(cheaper.clone(), SqliteStore::open(&path).unwrap(), confirmed);
/// assert!(matches!(refused, Err(PersistError::ConfigMismatch { .. })));
/// // ... unless the change is made on purpose, and journaled.
/// let changed = reconfigure(&mut SqliteStore::open(&path).unwrap(), &cheaper).unwrap();
/// assert!(matches!(changed[..], [SettingDifference::Price { .. }]));
/// let (office, _journal) =
///     open_office(cheaper, SqliteStore::open(&path).unwrap(), confirmed).unwrap();
/// let buyer = office.customer("ada", Priority::Regular);
/// // The ticket released at 10.00 still sells at 10.00; new ones at 8.00.
/// assert_eq!(buyer.buy(Want::Any).unwrap().price, Money::from_minor(1_000));
/// office.vendor("north").unwrap().release("general").unwrap();
/// assert_eq!(buyer.buy(Want::Any).unwrap().price, Money::from_minor(800));
/// ```
///
/// # Errors
///
/// [`PersistError::Office`] if the journal does not fit `config` (a type
/// with tickets released is removed, more tickets released than
/// `total_tickets`, an invalid configuration); a database error. Nothing
/// is written then.
pub fn reconfigure<S: Store>(
    store: &mut S,
    config: &BoxOfficeConfig,
) -> Result<Vec<SettingDifference>, PersistError> {
    let state = store.recover()?;
    // Built and dropped at once: proves the journal fits `config`.
    drop(
        BoxOffice::builder(config.clone())
            .recovered(state)
            .build()
            .map_err(PersistError::Office)?,
    );
    let proposed = EventSettings::of(config);
    let recorded = store.settings()?;
    let differences = recorded
        .as_ref()
        .map(|recorded| recorded.differences(&proposed))
        .unwrap_or_default();
    if recorded.is_none() || !differences.is_empty() {
        store.record_settings(&proposed, "reconfigure")?;
    }
    Ok(differences)
}
