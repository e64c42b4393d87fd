//! `JournalConfig` settings out of range are typed errors naming the
//! field; generic over [`Db`] like the rest of the suite.

use std::time::Duration;

use ticketpool_core::{Event, Journal};
use ticketpool_persist::{Durability, DurableJournal, JournalConfig, PersistError};

use super::{recover, ticket, Db};

pub fn bad_config_is_a_typed_error<D: Db>(db: &D) {
    let err = DurableJournal::start(
        db.open().unwrap(),
        JournalConfig::new(Durability::Confirmed).max_records(0),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PersistError::Setting {
                field: "max_records",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("max_records"), "{err}");
}

/// Settings past their documented bounds are typed errors naming the
/// field, before any thread starts or memory is reserved; the largest
/// allowed values work.
pub fn journal_config_out_of_bounds_is_refused_naming_the_field<D: Db>(db: &D) {
    let base = JournalConfig::new(Durability::Confirmed);
    for (config, field) in [
        (base.max_delay(Duration::MAX), "max_delay"),
        (
            base.max_delay(JournalConfig::MAX_DELAY + Duration::from_nanos(1)),
            "max_delay",
        ),
        (base.max_records(usize::MAX), "max_records"),
        (
            base.max_records(JournalConfig::MAX_RECORDS + 1),
            "max_records",
        ),
        (base.queue_capacity(usize::MAX), "queue_capacity"),
        (base.queue_capacity(0), "queue_capacity"),
    ] {
        let err = DurableJournal::start(db.open().unwrap(), config).unwrap_err();
        match &err {
            PersistError::Setting { field: named, .. } => assert_eq!(*named, field, "{err}"),
            other => panic!("{config:?}: {other:?}"),
        }
        assert!(err.to_string().contains(field), "{err}");
    }
    let largest = base
        .max_delay(JournalConfig::MAX_DELAY)
        .max_records(JournalConfig::MAX_RECORDS);
    let journal = DurableJournal::start(db.open().unwrap(), largest).unwrap();
    journal
        .record(&Event::Released { ticket: ticket(1) })
        .unwrap();
    journal.close().unwrap();
    assert_eq!(recover(db).released, 1);
}
