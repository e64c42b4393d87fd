//! Opening a journal file that a caller (the `ticketpool` command) has
//! already vetted and holds open: look without writing, and write only to
//! the file that was vetted.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{classify, identify, Identity, SqliteStore};
use crate::error::PersistError;
use crate::schema;

impl SqliteStore {
    /// Checks, without writing to it or creating anything beside it, that
    /// `file` (open at `path`) may be replaced by a new journal: it is
    /// empty, an empty SQLite database, or a ticketpool journal this build
    /// reads. The header is read through `file` itself.
    ///
    /// # Errors
    ///
    /// The errors of [`open`](Self::open) for a file that is not one
    /// ([`PersistError::NotADatabase`], [`PersistError::Foreign`],
    /// [`PersistError::SchemaTooNew`], [`PersistError::Corrupt`]),
    /// [`PersistError::Io`] or [`PersistError::Open`] if it cannot be read.
    pub fn check_replaceable(file: &File, path: impl AsRef<Path>) -> Result<(), PersistError> {
        let path = path.as_ref();
        let location = path.display().to_string();
        let mut header = Vec::with_capacity(HEADER_LEN);
        let mut reader = file;
        reader.seek(SeekFrom::Start(0))?;
        reader.take(HEADER_LEN as u64).read_to_end(&mut header)?;
        if header.is_empty() {
            return Ok(());
        }
        if header.len() < HEADER_LEN || !header.starts_with(b"SQLite format 3\0") {
            return Err(PersistError::NotADatabase { location });
        }
        // PRAGMA application_id: big-endian at offset 68 of the header.
        let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
        if application_id != 0 && application_id != schema::SQLITE_APPLICATION_ID {
            return Err(PersistError::Foreign {
                location,
                detail: format!("its SQLite application_id is {application_id:#010x}"),
            });
        }
        let conn = open_read_only(path).map_err(|e| PersistError::Open {
            location: location.clone(),
            source: Box::new(e),
        })?;
        let version = || -> Result<(), PersistError> {
            if let Identity::Journal = identify(&conn, &location)? {
                let found: Option<i64> = conn
                    .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
                    .optional()?;
                match found {
                    Some(found) if found > schema::CURRENT_VERSION => {
                        return Err(PersistError::SchemaTooNew {
                            location: location.clone(),
                            found,
                            supported: schema::CURRENT_VERSION,
                        })
                    }
                    Some(_) => {}
                    None => {
                        return Err(PersistError::Corrupt {
                            location: location.clone(),
                            detail: "marked as a ticketpool journal but schema_version is empty"
                                .into(),
                        })
                    }
                }
            }
            Ok(())
        };
        version().map_err(|e| classify(&location, e))
    }

    /// Opens the journal at `path` like [`open`](Self::open), for a file
    /// the caller has vetted: it never creates a file, and it asks
    /// `same_file` once SQLite holds the file and before anything is read
    /// or written, so a file put in `path`'s place after the caller's
    /// checks is refused untouched.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); [`PersistError::Open`] if `path` is
    /// missing or `same_file` answers `false`.
    pub fn open_vetted(
        path: impl AsRef<Path>,
        same_file: impl FnOnce() -> bool,
    ) -> Result<Self, PersistError> {
        let path = path.as_ref().to_path_buf();
        let location = path.display().to_string();
        let open_error = |source: Box<dyn std::error::Error + Send + Sync>| PersistError::Open {
            location: location.clone(),
            source,
        };
        // No SQLITE_OPEN_CREATE: the vetted file must be the one opened.
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(Box::new(e)))?;
        // SQLite opens the main file in sqlite3_open_v2, so the file
        // `same_file` sees now is the one the connection writes to.
        if !same_file() {
            return Err(open_error(
                "the file was replaced while it was being opened; nothing was written".into(),
            ));
        }
        let store = Self::on(conn, path, location);
        store.init().map_err(|e| store.classify(e))?;
        Ok(store)
    }
}

/// The SQLite database header's length.
const HEADER_LEN: usize = 100;

/// A read-only connection that creates no `-wal` or `-shm` file and
/// writes none: when the database's `-wal` is missing or empty (a clean
/// close leaves it empty), all of it is in the main file, so it is opened
/// `immutable` (no locks, no WAL); otherwise as a plain reader, which uses
/// the files that are already there.
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|wal| wal.len() > 0) {
        return Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        );
    }
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &Path) -> Result<(), PersistError> {
        SqliteStore::check_replaceable(&File::open(path).unwrap(), path)
    }

    #[test]
    fn check_replaceable_accepts_journals_and_empty_files_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.db");
        drop(SqliteStore::open(&journal).unwrap());
        let before = std::fs::read(&journal).unwrap();
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        // The journal's emptied -wal and -shm stay after its close (see
        // `SqliteStore`'s `Drop`): checking adds none for the empty file.
        let files = || std::fs::read_dir(dir.path()).unwrap().count();
        let files_before = files();
        let shm = dir.path().join("j.db-shm");
        let shm_before = std::fs::read(&shm).unwrap();
        check(&journal).unwrap();
        assert_eq!(std::fs::read(&journal).unwrap(), before);
        assert_eq!(std::fs::read(&shm).unwrap(), shm_before, "-shm untouched");
        check(&empty).unwrap();
        assert_eq!(std::fs::read(&empty).unwrap(), b"");
        assert_eq!(files(), files_before, "no -wal or -shm created");
    }

    #[test]
    fn check_replaceable_refuses_text_and_foreign_databases() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database\n".repeat(100)).unwrap();
        assert!(matches!(
            check(&text),
            Err(PersistError::NotADatabase { .. })
        ));
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = std::fs::read(&foreign).unwrap();
        assert!(matches!(check(&foreign), Err(PersistError::Foreign { .. })));
        assert_eq!(std::fs::read(&foreign).unwrap(), before);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["notes.txt", "other.db"], "no -wal or -shm left");
    }

    #[test]
    fn open_vetted_never_creates_and_writes_nothing_when_the_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.db");
        assert!(SqliteStore::open_vetted(&missing, || true).is_err());
        assert!(!missing.exists(), "never created");
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        assert!(SqliteStore::open_vetted(&empty, || false).is_err());
        assert_eq!(std::fs::read(&empty).unwrap(), b"", "nothing written");
        drop(SqliteStore::open_vetted(&empty, || true).unwrap());
        check(&empty).unwrap();
        assert!(std::fs::metadata(&empty).unwrap().len() > 0);
    }
}
