//! The journal suite against SQLite, and what only SQLite has: files that
//! are not journals, a size limit, online backup.

#[macro_use]
mod suite;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;

use rusqlite::Connection;
use tempfile::TempDir;
use ticketpool_core::{Event, Journal};
use ticketpool_persist::{
    backup, Durability, DurableJournal, JournalConfig, PersistError, SqliteStore, Store,
};

use suite::{assert_consistent, sale, ticket, Db};

/// A journal file in a fresh directory (in memory-backed /dev/shm where
/// there is one, so the suite's many commits do not wait on a real disk;
/// the crash semantics under test do not depend on it).
pub struct SqliteDb {
    _dir: TempDir,
    path: PathBuf,
}

impl SqliteDb {
    fn new() -> Self {
        let dir = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .expect("temp dir");
        let path = dir.path().join("journal.db");
        Self { _dir: dir, path }
    }
}

impl Db for SqliteDb {
    type Store = SqliteStore;

    fn open(&self) -> Result<SqliteStore, PersistError> {
        SqliteStore::open(&self.path)
    }

    fn reset(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }

    fn tamper(&self, sql: &str) {
        Connection::open(&self.path)
            .and_then(|conn| conn.execute_batch(sql))
            .expect("tamper");
    }
}

fn sqlite_db(_test: &str) -> Option<SqliteDb> {
    Some(SqliteDb::new())
}

journal_suite!(sqlite_db);
catalog_suite!(sqlite_db);

impl suite::MyTickets for SqliteStore {
    fn my_tickets(
        &mut self,
        customer: &str,
        limit: usize,
    ) -> Result<Vec<ticketpool_persist::BookedTicket>, PersistError> {
        SqliteStore::my_tickets(self, customer, limit)
    }
}

fn sell(
    journal: &DurableJournal,
    id: u64,
    customer: &str,
) -> Result<(), ticketpool_core::JournalError> {
    journal.record(&Event::Released { ticket: ticket(id) })?;
    journal.record(&Event::Sold {
        sale: sale(ticket(id), customer, None),
    })
}

#[test]
fn a_file_that_is_not_a_database_is_a_typed_error_and_left_alone() {
    let db = SqliteDb::new();
    let text = "name,seat\nada,1\n".repeat(400);
    std::fs::write(&db.path, &text).unwrap();
    let err = db.open().unwrap_err();
    assert!(matches!(err, PersistError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("journal.db"), "{err}");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    assert_eq!(std::fs::read_to_string(&db.path).unwrap(), text);
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let db = SqliteDb::new();
    let conn = Connection::open(&db.path).unwrap();
    conn.execute_batch("CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('ada');")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&db.path).unwrap();
    let err = db.open().unwrap_err();
    assert!(matches!(err, PersistError::Foreign { .. }), "{err:?}");
    assert!(err.to_string().contains("no ticketpool marker"), "{err}");
    assert_eq!(
        std::fs::read(&db.path).unwrap(),
        before,
        "not even switched to WAL"
    );

    // An empty database stamped by another application is refused too.
    let other = SqliteDb::new();
    Connection::open(&other.path)
        .unwrap()
        .pragma_update(None, "application_id", 42)
        .unwrap();
    let err = other.open().unwrap_err();
    assert!(
        err.to_string().contains("application_id is 0x0000002a"),
        "{err}"
    );
}

#[test]
fn a_journal_from_a_newer_build_is_refused() {
    let db = SqliteDb::new();
    drop(db.open().unwrap());
    Connection::open(&db.path)
        .unwrap()
        .execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    let err = db.open().unwrap_err();
    assert!(
        matches!(
            err,
            PersistError::SchemaTooNew {
                found: 99,
                supported: 7,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade ticketpool"), "{err}");
}

#[test]
fn a_damaged_journal_is_a_typed_error_not_a_panic() {
    let db = SqliteDb::new();
    let journal =
        DurableJournal::start(db.open().unwrap(), JournalConfig::new(Durability::Batched)).unwrap();
    for id in 0..3_000 {
        sell(&journal, id, "ada").unwrap();
    }
    journal.close().unwrap(); // the last connection checkpoints the WAL
    let mut bytes = std::fs::read(&db.path).unwrap();
    assert!(bytes.len() > 64 * 4096, "a file of many pages");
    // Keep page 1 (header and schema), scribble over the table pages.
    for byte in &mut bytes[4096 * 2..] {
        *byte = 0xA5;
    }
    std::fs::write(&db.path, &bytes).unwrap();
    let err = match db.open() {
        Err(err) => err,
        Ok(mut store) => store.recover().unwrap_err(),
    };
    assert!(matches!(err, PersistError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");
}

#[test]
fn a_missing_directory_is_an_open_error_naming_the_path() {
    let err = SqliteStore::open("/nonexistent-dir-of-ticketpool/j.db").unwrap_err();
    assert!(matches!(err, PersistError::Open { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("/nonexistent-dir-of-ticketpool/j.db"),
        "{err}"
    );
}

#[test]
fn a_full_disk_stops_sales_with_an_error_and_loses_none() {
    let db = SqliteDb::new();
    let mut store = db.open().unwrap();
    store.set_max_size(256 * 1024).unwrap();
    let journal = DurableJournal::start(store, JournalConfig::new(Durability::Confirmed)).unwrap();
    let mut sold = Vec::new();
    let err = loop {
        let id = sold.len() as u64;
        match sell(&journal, id, "ada") {
            Ok(()) => sold.push(id),
            Err(err) => break err,
        }
        assert!(id < 100_000, "the size limit never struck");
    };
    assert!(err.to_string().contains("full"), "{err}");
    assert!(!sold.is_empty());
    // Every later write fails, with the first cause.
    let again = sell(&journal, 1_000_000, "bob").unwrap_err();
    assert!(again.to_string().contains("full"), "{again}");
    assert!(journal.flush().is_err());
    drop(journal);

    // Reopened without the limit: every acknowledged sale is there, and
    // selling continues.
    let state = assert_consistent(&db);
    let recovered: Vec<u64> = state.sales.iter().map(|s| s.ticket.id.0).collect();
    assert_eq!(recovered, sold);
    let journal = DurableJournal::start(db.open().unwrap(), JournalConfig::default()).unwrap();
    sell(&journal, 1_000_000, "bob").unwrap();
    drop(journal);
    assert_eq!(assert_consistent(&db).sales.len(), sold.len() + 1);
}

#[test]
fn backup_copies_a_consistent_snapshot_while_sales_run() {
    const SELLERS: u64 = 3;
    const PER_SELLER: u64 = 20_000;
    let db = SqliteDb::new();
    let journal = Arc::new(
        DurableJournal::start(db.open().unwrap(), JournalConfig::new(Durability::Batched)).unwrap(),
    );
    let sellers: Vec<_> = (0..SELLERS)
        .map(|s| {
            let journal = Arc::clone(&journal);
            thread::spawn(move || {
                for id in s * PER_SELLER..(s + 1) * PER_SELLER {
                    sell(&journal, id, "ada").unwrap();
                }
            })
        })
        .collect();
    let mut copies = Vec::new();
    while sellers.iter().any(|s| !s.is_finished()) {
        // Batched: make what was sold so far committed; the sellers go on
        // selling during the copy.
        journal.flush().unwrap();
        let copy = SqliteDb::new();
        backup(&db.path, &copy.path).unwrap();
        copies.push(assert_consistent(&copy).sales.len());
    }
    for seller in sellers {
        seller.join().unwrap();
    }
    journal.flush().unwrap();
    let copy = SqliteDb::new();
    backup(&db.path, &copy.path).unwrap();
    assert_eq!(
        assert_consistent(&copy).sales.len() as u64,
        SELLERS * PER_SELLER
    );
    assert!(
        copies.windows(2).all(|w| w[0] <= w[1]),
        "a later copy has fewer sales: {copies:?}"
    );
    assert!(
        copies
            .iter()
            .any(|&n| n > 0 && (n as u64) < SELLERS * PER_SELLER),
        "no copy was taken mid-sale: {copies:?}"
    );
}

#[test]
fn backup_of_a_file_that_is_not_a_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let err = backup(&missing, dir.path().join("copy.db")).unwrap_err();
    assert!(matches!(err, PersistError::Open { .. }), "{err:?}");
    assert!(
        !Path::new(&missing).exists(),
        "backup must not create its source"
    );
}

/// A version-2 journal (before journals recorded their configuration)
/// migrates, keeps its sales, and records the configuration it is first
/// opened with; from then on a contradicting one is refused.
#[test]
fn a_version_2_journal_migrates_and_records_its_config_on_first_open() {
    use ticketpool_core::{BoxOfficeConfig, Money};
    use ticketpool_persist::{open_office, EventSettings};

    let db = SqliteDb::new();
    let mut config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(1_000));
    // The type `sell` uses.
    config.ticket_types[0].name = "standard".into();
    let confirmed = JournalConfig::new(Durability::Confirmed);
    let journal = DurableJournal::start(db.open().unwrap(), confirmed).unwrap();
    sell(&journal, 2, "ada").unwrap();
    drop(journal);
    // Back to exactly what a version-2 build left: its tables (no
    // event_config, nor what later versions added), holding the rows.
    let current = db.path.with_extension("current");
    std::fs::rename(&db.path, &current).unwrap();
    let old = Connection::open(&db.path).unwrap();
    old.execute_batch(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version) VALUES (2);
         CREATE TABLE vendors (name TEXT PRIMARY KEY, added_seq INTEGER NOT NULL);
         CREATE TABLE ticket_types (vendor TEXT NOT NULL, name TEXT NOT NULL,
             position INTEGER NOT NULL, PRIMARY KEY (vendor, position));
         CREATE TABLE tickets (id INTEGER PRIMARY KEY, ticket_type TEXT NOT NULL,
             vendor TEXT NOT NULL, base_price INTEGER NOT NULL, released_at INTEGER NOT NULL);
         CREATE TABLE sales (seq INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL UNIQUE,
             customer TEXT NOT NULL,
             priority TEXT NOT NULL CHECK (priority IN ('vip', 'regular')),
             price INTEGER NOT NULL, sold_at INTEGER NOT NULL, waited_ns INTEGER NOT NULL,
             hold_id INTEGER);
         CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, ticket_id INTEGER,
             body TEXT);
         CREATE VIEW sales_log AS SELECT s.seq, s.ticket_id, t.ticket_type, t.vendor,
             s.customer, s.priority, s.price AS price_minor,
             strftime('%Y-%m-%d %H:%M:%f', s.sold_at / 1e9, 'unixepoch') AS sold_at_utc,
             s.hold_id FROM sales s JOIN tickets t ON t.id = s.ticket_id;
         PRAGMA application_id = 0x54504A4C;",
    )
    .unwrap();
    old.execute("ATTACH DATABASE ?1 AS cur", [current.to_str().unwrap()])
        .unwrap();
    old.execute_batch(
        "INSERT INTO vendors SELECT name, added_seq FROM cur.vendors;
         INSERT INTO ticket_types SELECT vendor, name, position FROM cur.ticket_types;
         INSERT INTO tickets SELECT id, ticket_type, vendor, base_price, released_at
             FROM cur.tickets;
         INSERT INTO sales SELECT seq, ticket_id, customer, priority, price, sold_at,
             waited_ns, hold_id FROM cur.sales;
         INSERT INTO events SELECT seq, kind, ticket_id, body FROM cur.events;
         DETACH DATABASE cur;",
    )
    .unwrap();
    drop(old);

    let mut store = db.open().unwrap();
    assert_eq!(store.settings().unwrap(), None);
    assert_eq!(store.recover().unwrap().sales.len(), 1);
    let (office, journal) = open_office(config.clone(), store, confirmed).unwrap();
    assert_eq!(office.sales_count(), 1);
    drop((office, journal));
    let version: i64 = Connection::open(&db.path)
        .unwrap()
        .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 7, "migrated to the newest schema");
    assert_eq!(
        db.open().unwrap().settings().unwrap(),
        Some(EventSettings::of(&config))
    );
    let mut renamed = config.clone();
    renamed.event_name = "other gig".into();
    let err = open_office(renamed, db.open().unwrap(), confirmed).unwrap_err();
    assert!(err.to_string().contains("\"other gig\""), "{err}");
    let (office, _journal) = open_office(config, db.open().unwrap(), confirmed).unwrap();
    assert_eq!(office.sales_count(), 1);
}

/// The committed fixture `tests/fixtures/journal-v3.db` was written by the
/// build before the catalog tables (schema version 3, commit 3547413): event
/// "v3 gig", 10 tickets at 15.00, vendor "north" released 4, ada (VIP) and
/// bob bought one each. It opens, migrates to versions 4 (catalog tables, the
/// "my tickets" index) and 5 (seats), keeps its sales and its unsold
/// tickets, takes a seat sale the office does not see, reopens as the same
/// office (3 sales, not 4), and takes a catalog beside it.
#[test]
fn the_version_3_fixture_migrates_keeps_its_sales_and_takes_a_catalog() {
    use ticketpool_catalog::{Catalog, NewVenue};
    use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
    use ticketpool_persist::open_office;

    let db = SqliteDb::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal-v3.db");
    std::fs::copy(fixture, &db.path).unwrap();
    let version = |path: &Path| -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
            .unwrap()
    };
    assert_eq!(version(&db.path), 3, "the fixture is the old schema");

    let config = BoxOfficeConfig::simple("v3 gig", 10, 4, Money::from_minor(1_500));
    let confirmed = JournalConfig::new(Durability::Confirmed);
    let (office, journal) = open_office(config.clone(), db.open().unwrap(), confirmed).unwrap();
    assert_eq!(version(&db.path), 7);
    // Version 6: an old journal has no release waves (its seats all on
    // sale at open), and takes new ones.
    assert_eq!(db.open().unwrap().seat_waves().unwrap(), []);
    let buyers: Vec<String> = office
        .sales()
        .iter()
        .map(|s| s.customer.to_string())
        .collect();
    assert_eq!(buyers, ["ada", "bob"]);
    assert_eq!(office.snapshot().totals.available, 2);
    office
        .customer("cy", Priority::Regular)
        .buy(Want::Any)
        .unwrap();
    drop((office, journal));
    // Version 5: a seat sold beside them; the old rows have no seat, and
    // the sales log shows the seat column.
    let mut seat_ticket = ticket(1 << 48);
    seat_ticket.ticket_type = "premium".into();
    let seat = ticketpool_persist::SoldSeat {
        seat: "Stalls A-1".into(),
        sale: sale(seat_ticket, "dee", None),
    };
    db.open()
        .unwrap()
        .record_seats(std::slice::from_ref(&seat))
        .unwrap();
    let log: Vec<(String, Option<String>)> = Connection::open(&db.path)
        .unwrap()
        .prepare("SELECT customer, seat FROM sales_log ORDER BY seq")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let seat_of = |c: &str| log.iter().find(|(who, _)| who == c).unwrap().1.clone();
    assert_eq!(log.len(), 4);
    assert_eq!(seat_of("ada"), None);
    assert_eq!(seat_of("dee").as_deref(), Some("Stalls A-1"));
    assert_eq!(db.open().unwrap().sold_seats().unwrap(), [seat]);

    let catalog = Catalog::open(db.open().unwrap()).unwrap();
    let venue = catalog
        .add_venue(NewVenue {
            name: "Hall".into(),
            city: "Leeds".into(),
            capacity: 10,
        })
        .unwrap();
    drop(catalog);
    let catalog = Catalog::open(db.open().unwrap()).unwrap();
    assert_eq!(catalog.venue(venue).unwrap().city, "Leeds");
    let (office, _journal) = open_office(config, db.open().unwrap(), confirmed).unwrap();
    assert_eq!(office.sales_count(), 3);
    let index: i64 = Connection::open(&db.path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'sales_by_customer'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);
}
