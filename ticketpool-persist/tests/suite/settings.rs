//! The event configuration a journal records: reopening with one that
//! contradicts it is refused with every difference listed, a journal with
//! none records it on first open, and `reconfigure` changes it on purpose.
//! Generic over [`Db`] like the rest of the suite.

use ticketpool_core::{BoxOfficeConfig, Money, Priority, TicketTypeConfig, Want};
use ticketpool_persist::{
    open_office, reconfigure, Durability, DurableJournal, EventSettings, JournalConfig,
    PersistError, SettingDifference, Store,
};

use super::{assert_consistent, Db};

fn confirmed() -> JournalConfig {
    JournalConfig::new(Durability::Confirmed)
}

/// `stalls` at 10.00 and `balcony` at 6.00 (quota 4), 20 in all.
fn concert() -> BoxOfficeConfig {
    let mut config = BoxOfficeConfig::simple("concert", 20, 10, Money::from_minor(1_000));
    config.ticket_types = vec![
        TicketTypeConfig {
            name: "stalls".into(),
            price: Money::from_minor(1_000),
            quota: None,
            capacity: None,
        },
        TicketTypeConfig {
            name: "balcony".into(),
            price: Money::from_minor(600),
            quota: Some(4),
            capacity: None,
        },
    ];
    config
}

/// Opens `concert()`, releases two stalls and a balcony ticket, sells one
/// stalls ticket at 10.00, and stops.
fn sell_one_stalls<D: Db>(db: &D) {
    let (office, journal) = open_office(concert(), db.open().unwrap(), confirmed()).unwrap();
    let vendor = office.add_vendor("north", &[]).unwrap();
    vendor.release("stalls").unwrap();
    vendor.release("stalls").unwrap();
    vendor.release("balcony").unwrap();
    let sale = office
        .customer("ada", Priority::Regular)
        .buy(Want::from("stalls"))
        .unwrap();
    assert_eq!(sale.price, Money::from_minor(1_000));
    drop((vendor, office, journal));
}

/// Reopened with another event name, a price cut to 0.05, a type renamed
/// and a quota changed: refused, naming every difference, and the journal
/// is left as it was; the recorded configuration still opens it.
pub fn reopening_with_a_contradicting_config_lists_every_difference<D: Db>(db: &D) {
    sell_one_stalls(db);
    let mut changed = concert();
    changed.event_name = "another concert".into();
    changed.total_tickets = 30;
    changed.ticket_types[0].price = Money::from_minor(5);
    changed.ticket_types[1].name = "gallery".into();
    let err = open_office(changed, db.open().unwrap(), confirmed()).unwrap_err();
    let PersistError::ConfigMismatch { differences } = &err else {
        panic!("expected a mismatch, got {err:?}");
    };
    assert_eq!(
        differences,
        &[
            SettingDifference::EventName {
                journal: "concert".into(),
                config: "another concert".into(),
            },
            SettingDifference::TotalTickets {
                journal: 20,
                config: 30,
            },
            SettingDifference::Price {
                ticket_type: "stalls".into(),
                journal: Money::from_minor(1_000),
                config: Money::from_minor(5),
            },
            SettingDifference::TypeRemoved {
                ticket_type: "balcony".into(),
            },
            SettingDifference::TypeAdded {
                ticket_type: "gallery".into(),
            },
        ]
    );
    let message = err.to_string();
    for part in [
        "\"another concert\"",
        "total_tickets is 30",
        "costs 0.05, the journal's price is 10.00",
        "\"balcony\" of the journal is missing",
        "\"gallery\" is not in the journal",
        "reconfigure",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
    let mut quota = concert();
    quota.ticket_types[1].quota = None;
    let err = open_office(quota, db.open().unwrap(), confirmed()).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"balcony\" has quota none, the journal's is 4"),
        "{err}"
    );
    // Nothing was written by the refusals.
    let state = assert_consistent(db);
    assert_eq!((state.sales.len(), state.unsold.len()), (1, 2));
    let (office, _journal) = open_office(concert(), db.open().unwrap(), confirmed()).unwrap();
    assert_eq!(office.snapshot().totals.available, 2);
}

/// A journal without a recorded configuration (new, or written before
/// journals recorded one) records the one it is first opened with, and
/// holds later openings to it.
pub fn a_journal_without_a_recorded_config_records_it_on_first_open<D: Db>(db: &D) {
    // Written directly, as an older build's journal was: no configuration.
    let journal = DurableJournal::start(db.open().unwrap(), confirmed()).unwrap();
    drop(journal);
    assert_eq!(db.open().unwrap().settings().unwrap(), None);
    let (office, journal) = open_office(concert(), db.open().unwrap(), confirmed()).unwrap();
    drop((office, journal));
    assert_eq!(
        db.open().unwrap().settings().unwrap(),
        Some(EventSettings::of(&concert()))
    );
    let mut cheaper = concert();
    cheaper.ticket_types[0].price = Money::from_minor(5);
    let err = open_office(cheaper, db.open().unwrap(), confirmed()).unwrap_err();
    assert!(
        matches!(err, PersistError::ConfigMismatch { .. }),
        "{err:?}"
    );
}

/// `reconfigure` changes the price on purpose and journals the change;
/// a ticket released before still sells at its release price, a ticket
/// released after at the new one.
pub fn reconfigured_price_applies_to_new_releases_only<D: Db>(db: &D) {
    sell_one_stalls(db);
    let mut cheaper = concert();
    cheaper.ticket_types[0].price = Money::from_minor(5);
    let changed = reconfigure(&mut db.open().unwrap(), &cheaper).unwrap();
    assert_eq!(
        changed,
        [SettingDifference::Price {
            ticket_type: "stalls".into(),
            journal: Money::from_minor(1_000),
            config: Money::from_minor(5),
        }]
    );
    assert_eq!(
        db.open().unwrap().settings().unwrap(),
        Some(EventSettings::of(&cheaper))
    );
    // Again: nothing to change.
    assert!(reconfigure(&mut db.open().unwrap(), &cheaper)
        .unwrap()
        .is_empty());
    // The old configuration is now the one refused.
    let err = open_office(concert(), db.open().unwrap(), confirmed()).unwrap_err();
    assert!(
        matches!(err, PersistError::ConfigMismatch { .. }),
        "{err:?}"
    );
    let (office, _journal) = open_office(cheaper, db.open().unwrap(), confirmed()).unwrap();
    let bob = office.customer("bob", Priority::Regular);
    let old = bob.buy(Want::from("stalls")).unwrap();
    assert_eq!(old.price, Money::from_minor(1_000), "released at 10.00");
    office.vendor("north").unwrap().release("stalls").unwrap();
    let new = bob.buy(Want::from("stalls")).unwrap();
    assert_eq!(new.price, Money::from_minor(5), "released at 0.05");
}

/// A journal that does not fit the configuration (with the change made on
/// purpose) is a typed error naming the problem, and nothing is written.
pub fn open_office_refuses_a_journal_that_does_not_fit<D: Db>(db: &D) {
    sell_one_stalls(db);
    let mut small = concert();
    small.total_tickets = 2;
    let err = reconfigure(&mut db.open().unwrap(), &small).unwrap_err();
    assert!(matches!(err, PersistError::Office(_)), "{err:?}");
    assert!(err.to_string().contains("past total_tickets 2"), "{err}");
    let mut renamed = concert();
    renamed.ticket_types[1].name = "gallery".into();
    let err = reconfigure(&mut db.open().unwrap(), &renamed).unwrap_err();
    assert!(err.to_string().contains("unknown type"), "{err}");
    assert_eq!(
        db.open().unwrap().settings().unwrap(),
        Some(EventSettings::of(&concert())),
        "a refused change is not recorded"
    );
    assert_eq!(assert_consistent(db).unsold.len(), 2);
}
