//! Makes the `journal_recover` seed: a small, real SQLite journal written
//! through `ticketpool-persist`, with 512-byte pages so the fuzzer mutates
//! a few kilobytes rather than a few dozen.
//!
//! `cargo test --test journal_seed` checks that the committed seed still
//! recovers to the state written here (so a schema change that would turn
//! the seed into noise fails loudly); with `TICKETPOOL_WRITE_SEEDS=1` it
//! (re)writes `corpus/journal_recover/journal-small.db` first.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ticketpool_core::{Event, HoldId, Money, Priority, RecoveredState, Sale, Ticket, TicketId};
use ticketpool_persist::{SqliteStore, Store};

const SEED: &str = "corpus/journal_recover/journal-small.db";

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn ticket(id: u64, ticket_type: &str) -> Ticket {
    Ticket {
        id: TicketId(id),
        ticket_type: ticket_type.into(),
        vendor: "north".into(),
        base_price: Money::from_minor(4_250),
        released_at: at(id),
    }
}

fn sale(ticket: Ticket, customer: &str, hold: Option<HoldId>) -> Sale {
    Sale {
        ticket,
        customer: Arc::from(customer),
        priority: Priority::Vip,
        price: Money::from_minor(4_250),
        sold_at: at(100),
        waited: Duration::from_millis(3),
        hold,
    }
}

/// A bit of every kind of record: a vendor, releases of two types, a plain
/// sale, a confirmed hold, a cancelled hold and an open one.
fn events() -> Vec<Event> {
    let held = HoldId(1);
    let placed = |hold: HoldId, id: u64| Event::HoldPlaced {
        hold,
        ticket: TicketId(id),
        customer: Arc::from("grace"),
        priority: Priority::Regular,
        price: Money::from_minor(4_250),
        expires_at: at(200),
    };
    vec![
        Event::VendorAdded {
            vendor: Arc::from("north"),
            ticket_types: vec![Arc::from("stalls"), Arc::from("balcony")],
        },
        Event::Released {
            ticket: ticket(0, "stalls"),
        },
        Event::Released {
            ticket: ticket(1, "stalls"),
        },
        Event::Released {
            ticket: ticket(2, "balcony"),
        },
        Event::Released {
            ticket: ticket(3, "balcony"),
        },
        Event::Released {
            ticket: ticket(4, "stalls"),
        },
        Event::Sold {
            sale: sale(ticket(0, "stalls"), "ada", None),
        },
        placed(held, 2),
        Event::HoldConfirmed {
            hold: held,
            ticket: TicketId(2),
        },
        Event::Sold {
            sale: sale(ticket(2, "balcony"), "grace", Some(held)),
        },
        placed(HoldId(2), 1),
        Event::HoldCancelled {
            hold: HoldId(2),
            ticket: TicketId(1),
        },
        placed(HoldId(3), 3),
        Event::Paused,
        Event::Resumed,
    ]
}

/// This test's own directory, removed when the test passes (kept when it
/// fails, to look at).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("ticketpool-seed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn write_seed(path: &Path) {
    let mut store = SqliteStore::open(path).unwrap();
    let mut outcomes = Vec::new();
    store.append(&events(), &mut outcomes).unwrap();
    drop(store); // the last connection checkpoints the WAL into the file
                 // Small pages: page size only changes through VACUUM outside WAL mode;
                 // the store switches the file back to WAL when it next opens it.
    let conn = rusqlite::Connection::open(path).unwrap();
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    conn.pragma_update(None, "page_size", 512).unwrap();
    conn.execute_batch("VACUUM").unwrap();
}

fn recover(scratch: &Scratch, path: &Path) -> RecoveredState {
    // Recover from a copy: opening switches the file to WAL, and the
    // committed seed must stay byte for byte as written.
    let copy = scratch.path("copy.db");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(path, &copy).unwrap();
    SqliteStore::open(&copy).unwrap().recover().unwrap()
}

#[test]
fn the_seed_journal_recovers_what_was_written() {
    let scratch = Scratch::new();
    let fresh = scratch.path("seed.db");
    write_seed(&fresh);
    let size = std::fs::metadata(&fresh).unwrap().len();
    // 24 KiB: schema v7's per-event keys and indexes made it 17.5 KiB.
    assert!(
        size <= 24 * 1024,
        "the seed should be small, it is {size} bytes"
    );
    if std::env::var_os("TICKETPOOL_WRITE_SEEDS").is_some() {
        std::fs::copy(&fresh, SEED).unwrap();
    }

    for path in [fresh.as_path(), Path::new(SEED)] {
        let state = recover(&scratch, path);
        let sold: Vec<u64> = state.sales.iter().map(|s| s.ticket.id.0).collect();
        assert_eq!(sold, [0, 2], "{}", path.display());
        assert_eq!(state.sales[1].hold, Some(HoldId(1)));
        assert_eq!(state.released, 5);
        assert_eq!(state.next_ticket_id, TicketId(5));
        let mut unsold: Vec<u64> = state.unsold.iter().map(|t| t.id.0).collect();
        unsold.sort_unstable();
        // The open hold's ticket (3) is available again after a restart.
        assert_eq!(unsold, [1, 3, 4], "{}", path.display());
        assert_eq!(state.vendors.len(), 1);
    }
}
