//! A consistent copy of a live SQLite journal (SQLite's online backup API).

use std::path::Path;
use std::thread;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::PersistError;
use crate::sqlite::{classify, identify, Identity};

/// Copies the SQLite journal at `journal` to `destination` while sales go
/// on.
///
/// The copy is one snapshot: it holds every transaction committed before
/// the copy began and none after, so it recovers like the original would
/// have at that moment. Writers are not blocked (WAL readers never block
/// writers). `destination` is overwritten if it exists.
///
/// # Examples
///
/// ```
/// use ticketpool_persist::{backup, SqliteStore, Store};
///
/// let dir = tempfile::tempdir().unwrap();
/// let live = dir.path().join("live.db");
/// drop(SqliteStore::open(&live).unwrap());
/// backup(&live, dir.path().join("copy.db")).unwrap();
/// assert_eq!(SqliteStore::open(dir.path().join("copy.db")).unwrap().recover().unwrap().released, 0);
/// ```
///
/// # Errors
///
/// [`PersistError::Open`] if `journal` does not exist or `destination`
/// cannot be created; [`PersistError::Foreign`] or
/// [`PersistError::NotADatabase`] if `journal` is not a ticketpool journal;
/// an SQLite error if the copy fails.
pub fn backup(
    journal: impl AsRef<Path>,
    destination: impl AsRef<Path>,
) -> Result<(), PersistError> {
    let journal = journal.as_ref();
    let location = journal.display().to_string();
    // No CREATE flag: backing up a journal that is not there is an error,
    // not an empty copy.
    let source = Connection::open_with_flags(
        journal,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| PersistError::Open {
        location: location.clone(),
        source: Box::new(e),
    })?;
    match identify(&source, &location).map_err(|e| classify(&location, e))? {
        Identity::Journal => {}
        Identity::Empty => {
            return Err(PersistError::Foreign {
                location,
                detail: "it is empty, not a journal".into(),
            })
        }
    }
    let destination = destination.as_ref();
    let mut copy = Connection::open(destination).map_err(|e| PersistError::Open {
        location: destination.display().to_string(),
        source: Box::new(e),
    })?;
    let backup = Backup::new(&source, &mut copy)?;
    loop {
        // All pages in one step: one read transaction, so a writer that
        // commits meanwhile cannot force the copy to restart.
        match backup.step(-1).map_err(|e| classify(&location, e.into()))? {
            StepResult::Done => return Ok(()),
            // More, Busy, Locked (and any future "not yet"): try again.
            _ => {
                thread::sleep(Duration::from_millis(5));
            }
        }
    }
}
